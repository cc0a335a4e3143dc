"""Add-in build speed: reading macros/ and xlwings, compressing the modules, the package.

Prints figures (not a test). Usage:
    python bench/bench_addin.py [--repeat 5]
"""

from __future__ import annotations

import argparse

from dj_addin.addin.build import addin_bytes, read_sources
from dj_addin.addin.compression import compress

from timing import median_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sources = read_sources()
    source_bytes = sum(len(m.source) for m in sources.modules)
    packed = sum(len(compress(m.source.encode("cp1252"))) for m in sources.modules)
    print(f"modules: {', '.join(m.name for m in sources.modules)} (xlwings {sources.xlwings_version})")
    print(f"VBA source: {source_bytes:,} bytes, compressed {packed:,} bytes ({packed / source_bytes:.0%})")
    print(f"read sources: {median_seconds(read_sources, args.repeat):.3f} s")
    print(f"compress all modules: "
          f"{median_seconds(lambda: [compress(m.source.encode('cp1252')) for m in sources.modules], args.repeat):.3f} s")
    print(f"whole build (bytes of the .xlam): {median_seconds(addin_bytes, args.repeat):.3f} s, "
          f"{len(addin_bytes()):,} bytes")


if __name__ == "__main__":
    main()
