"""LibreOffice as a real spreadsheet engine for tests: recalculate formulas
and convert workbooks headless.

LibreOffice does not recalculate the cached values of .xlsx files on load by
default, so :func:`recalculate` runs it with a throwaway profile whose
``OOXMLRecalcMode`` is 0 (always). Every call has a timeout and kills the
whole process group when it expires, so a hung soffice never blocks the suite.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 120

_RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

_profile_dir: Path | None = None


class LibreOfficeError(RuntimeError):
    """soffice failed, timed out, or produced no output."""


def soffice_path() -> str | None:
    """The soffice executable, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice_path() is not None


def _profile() -> Path:
    """One throwaway profile per test process (its first start costs a few seconds)."""
    global _profile_dir
    if _profile_dir is None:
        root = Path(tempfile.mkdtemp(prefix="dj-lo-profile-"))
        user = root / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_PROFILE, encoding="utf-8")
        atexit.register(shutil.rmtree, root, True)
        _profile_dir = root
    return _profile_dir


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed")
    cmd = [exe, f"-env:UserInstallation={_profile().as_uri()}", "--headless", "--norestore",
           "--nolockcheck", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # soffice's own children too
        proc.communicate()
        raise LibreOfficeError(f"soffice timed out after {timeout} s: {' '.join(args)}") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert_all(sources: list[Path], fmt: str, out_dir: Path, timeout: float = TIMEOUT_SECONDS,
                infilter: str | None = None) -> list[Path]:
    """Convert several files in one soffice run (each run costs 1–3 s of start-up).

    ``infilter`` names the import filter for files LibreOffice does not recognise by
    extension (an ``.xlam`` needs ``"Calc MS Excel 2007 VBA XML"``).
    """
    sources = [Path(s).resolve() for s in sources]
    out_dir = Path(out_dir).resolve()
    if any(out_dir == s.parent for s in sources):
        raise ValueError("out_dir must differ from the source folder (soffice would overwrite the source)")
    if len({s.stem for s in sources}) != len(sources):
        raise ValueError("sources must have different names (they land in the same folder)")
    out_dir.mkdir(parents=True, exist_ok=True)
    ext = fmt.split(":", 1)[0]
    targets = [out_dir / f"{s.stem}.{ext}" for s in sources]
    for t in targets:
        t.unlink(missing_ok=True)
    filters = [f"--infilter={infilter}"] if infilter else []
    done = _run([*filters, "--convert-to", fmt, "--outdir", str(out_dir), *map(str, sources)], timeout)
    missing = [t.name for t in targets if not t.exists()]
    if missing:
        raise LibreOfficeError(f"soffice produced no {', '.join(missing)} (exit {done.returncode}): "
                               f"{done.stderr.decode(errors='replace').strip()}")
    return targets


def convert(src: Path, fmt: str, out_dir: Path, timeout: float = TIMEOUT_SECONDS,
            infilter: str | None = None) -> Path:
    """Convert ``src`` to ``fmt`` (``"pdf"``, ``"xlsx"``, ``"ods"``, ``"csv"``…) into ``out_dir``.

    Formulas are recalculated on load (the profile says so). Returns the new file.
    """
    return convert_all([src], fmt, out_dir, timeout, infilter)[0]


XLSX = "xlsx:Calc MS Excel 2007 XML"


def recalculate(src: Path, out_dir: Path, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Open ``src`` in LibreOffice, recalculate every formula, save as .xlsx in ``out_dir``.

    Read the values back with ``openpyxl.load_workbook(path, data_only=True)``.
    """
    return convert(src, XLSX, out_dir, timeout)


def recalculate_all(sources: list[Path], out_dir: Path, timeout: float = TIMEOUT_SECONDS) -> list[Path]:
    """:func:`recalculate` for several files in one soffice run."""
    return convert_all(sources, XLSX, out_dir, timeout)


def pdf_page_texts(pdf: Path, timeout: float = 60) -> list[str]:
    """The text of every page of ``pdf`` (pdftotext, layout kept), one string per page."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                         timeout=timeout).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_header(page: str) -> str:
    """The first line of a page: its page header (the sheet's name, or 「单位 年度 · 表名」)."""
    return next((line.strip() for line in page.splitlines() if line.strip()), "")


def pages_per_sheet(pdf: Path, sheets: list[str]) -> dict[str, int]:
    """How many pages of ``pdf`` (a whole workbook printed) belong to each sheet, told by the
    page header, which names the sheet (``&A``) or ends with 「· <表名>」."""
    counts = dict.fromkeys(sheets, 0)
    for page in pdf_page_texts(pdf):
        head = page_header(page)
        for name in sheets:
            if head == name or head.endswith(f"· {name}"):
                counts[name] += 1
                break
    return counts
