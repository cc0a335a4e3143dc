"""``python -m dj_addin …`` is the ``dj`` command line (same commands, messages and exit codes)."""

from __future__ import annotations

import sys

from dj_addin.cli import main

if __name__ == "__main__":
    sys.exit(main(prog_name="dj"))
