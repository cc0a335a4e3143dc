"""The bad-input corpus (issue 8, item 6): hostile and damaged workbooks, each
with the command run on it and the outcome expected (exit code, rule code,
message fragment).

Every case builds its files from one clean workbook (``builders.clean_rows``)
into a folder of its own; ``tests/test_bad_inputs.py`` runs each one through
the ``dj`` command line and checks, besides the expected outcome, that there
is no traceback and no hang, that the inputs are unchanged, that no English
exception text reaches the user and that no finding lies outside the
workbook. ``python tests/bad_inputs/generate.py`` rewrites the table of
outcomes (``OUTCOMES.md``, kept equal to this file by a test);
``python tests/bad_inputs/generate.py DIR`` writes the files of every case
into DIR to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import openpyxl  # noqa: E402

from builders import clean_rows, make_book  # noqa: E402
from dj_addin import schema  # noqa: E402

BOOK = "支部.xlsx"  # the name of every case's main input, unless a case says otherwise
AS_OF = "2026-12-31"


@dataclass(frozen=True)
class Case:
    """One hostile input and what the command must do with it.

    ``build(folder)`` writes the inputs and returns the path given to the
    command; ``args`` follow the command and the book (``{out}`` is an output
    path in the case folder). ``rule`` is the code expected among the findings
    (or of the error document: S001 for an unreadable file, ``-`` for a usage
    error), ``fragment`` a piece of the message expected.
    """

    name: str
    what: str
    build: Callable[[Path], Path]
    command: str
    exit: int
    rule: str
    fragment: str
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    writes: bool = False  # the case writes an output ({out} or --in-place) that must open
    fault: str = ""  # an OS failure injected while writing: "EROFS" or "ENOSPC"
    pending: str = ""  # a known defect another part of the work fixes: the case is an expected failure until then


# -- building blocks ---------------------------------------------------------------------

def good(folder: Path, name: str = BOOK, **kw) -> Path:
    rows = kw.pop("rows", None) or clean_rows()
    return make_book(folder / name, rows=rows, **kw)


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def write_zip(path: Path, parts: dict[str, bytes] | list[tuple[str, bytes]],
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    items = parts.items() if isinstance(parts, dict) else parts
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point of one case
        with zipfile.ZipFile(path, "w", compression) as zf:
            for name, data in items:
                zf.writestr(name, data)
    return path


def sheet_part(path: Path, sheet: str) -> str:
    from dj_addin.xlsx.safety import check_package

    return dict(check_package(path).sheets)[sheet]


def edited(folder: Path, change: Callable[[dict[str, bytes], Path], dict[str, bytes]], **kw) -> Path:
    """The clean book with some parts replaced (``change`` gets the parts and the book's path)."""
    base = good(folder, **kw)
    parts = change(parts_of(base), base)
    base.unlink()
    return write_zip(folder / BOOK, parts)


def replace_in(part_of: Callable[[Path], str], old: bytes, new: bytes):
    def change(parts: dict[str, bytes], base: Path) -> dict[str, bytes]:
        name = part_of(base)
        assert old in parts[name], (name, old)
        parts[name] = parts[name].replace(old, new, 1)
        return parts
    return change


def of_sheet(sheet: schema.Sheet) -> Callable[[Path], str]:
    return lambda base: sheet_part(base, sheet.name)


def patch_local_and_central(path: Path, part: str, patch: Callable[[bytearray, int, bool], None]) -> Path:
    """Change the zip headers of one part (local header and central directory entry)."""
    data = bytearray(path.read_bytes())
    for sig, name_len_at, name_at, central in ((b"PK\x03\x04", 26, 30, False), (b"PK\x01\x02", 28, 46, True)):
        i = data.find(sig)
        while i >= 0:
            n = struct.unpack_from("<H", data, i + name_len_at)[0]
            if data[i + name_at:i + name_at + n] == part.encode():
                patch(data, i, central)
            i = data.find(sig, i + 4)
    path.write_bytes(bytes(data))
    return path


def cfb(stream: str = "Workbook", size: int = 4096) -> bytes:
    """A minimal Compound File with one stream, as a legacy .xls (see test_bad_files.minimal_cfb)."""
    from test_bad_files import minimal_cfb

    return minimal_cfb(stream, size)


def ods_bytes() -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        zf.writestr("META-INF/manifest.xml", "<manifest/>")
    return buf.getvalue()


def xlsb_bytes() -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
        zf.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    return buf.getvalue()


def with_rows(**changes) -> dict:
    """clean_rows() with rows changed: ``sheet=[(index, {field: value})…]`` or ``sheet_add=[row…]``."""
    rows = clean_rows()
    for key, value in changes.items():
        if key.endswith("_add"):
            rows[key[:-4]] = rows[key[:-4]] + list(value)
        else:
            for i, update in value:
                rows[key][i] = {**rows[key][i], **update}
    return rows


def log_row(**kw) -> dict:
    return {"date": dt.date(2026, 3, 3), "member_id": "M001", "target_id": "T001", "method": "谈心谈话",
            "content": "了解思想和工作情况", "handling": "无需办理", **kw}


def scoring(**kw) -> dict:
    items = {s.key: s.default for s in schema.SCORING_SETTINGS}
    items.update(kw)
    return items


def quotas(*extra: tuple) -> list[tuple]:
    return list(schema.DEFAULT_QUOTAS) + list(extra)


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                  b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                  b'uniqueCount="1"><si><t>&lol3;</t></si></sst>')
XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>')
INJECTIONS = ("=1+1", "+SUM(1,2)", "-2+3", "@SUM(1)", "=HYPERLINK(\"http://x.invalid\",\"点我\")",
              "=cmd|' /C calc'!A0")


# -- the cases ----------------------------------------------------------------------------------

def _cases() -> list[Case]:
    cases: list[Case] = []

    def add(name, what, build, command, exit, rule, fragment, *args, **kw):  # noqa: A002 - exit as in the spec
        cases.append(Case(name, what, build, command, exit, rule, fragment, tuple(args), **kw))

    # files that are not workbooks at all
    def truncated(f):
        p = good(f)
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
        return p
    add("truncated", "a workbook cut in half (an interrupted download)", truncated, "validate", 2, "S001", "损坏")
    add("random-bytes", "random bytes named .xlsx", lambda f: _write(f / BOOK, os.urandom(4096) + b"x"),
        "rollup", 2, "S001", "不是 Excel 工作簿")
    add("empty-file", "an empty file named .xlsx", lambda f: _write(f / BOOK, b""), "score", 2, "S001",
        "不是 Excel 工作簿")
    add("text-renamed", "a CSV renamed .xlsx", lambda f: _write(f / BOOK, "党员编号,姓名\nM1,张三\n".encode()),
        "run", 2, "S001", "不是 Excel 工作簿")
    add("zip-of-nothing", "a zip with no workbook inside", lambda f: write_zip(f / BOOK, {"a.txt": b"x"}),
        "clear-marks", 2, "S001", "缺少 xl/workbook.xml")
    add("word-renamed", "a Word document renamed .xlsx",
        lambda f: write_zip(f / BOOK, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
        "validate", 2, "S001", "Word")
    add("xls-real", "a legacy .xls", lambda f: _write(f / "支部.xls", cfb()), "validate", 2, "S001", ".xls")
    add("xls-renamed", "a legacy .xls renamed .xlsx", lambda f: _write(f / BOOK, cfb()), "run", 2, "S001", "另存为")
    add("xlsb-real", "a binary .xlsb", lambda f: _write(f / "支部.xlsb", xlsb_bytes()), "score", 2, "S001", ".xlsb")
    add("xlsb-renamed", "a binary .xlsb renamed .xlsx", lambda f: _write(f / BOOK, xlsb_bytes()), "rollup", 2,
        "S001", ".xlsb")
    add("ods-real", "an OpenDocument .ods", lambda f: _write(f / "支部.ods", ods_bytes()), "validate", 2, "S001",
        "OpenDocument")
    add("ods-renamed", "an .ods renamed .xlsx", lambda f: _write(f / BOOK, ods_bytes()), "run", 2, "S001",
        "OpenDocument")

    def encrypted(f):
        from msoffcrypto.format.ooxml import OOXMLFile

        plain = good(f, name="明文.xlsx")
        with plain.open("rb") as src, (f / BOOK).open("wb") as out:
            OOXMLFile(src).encrypt("secret", out)
        plain.unlink()
        return f / BOOK
    add("encrypted-ooxml", "a workbook with an opening password", encrypted, "score", 2, "S001", "打开密码")

    # damaged packages: one message per kind
    def zip_password(f):
        p = good(f)
        return patch_local_and_central(p, "xl/workbook.xml",
                                       lambda d, i, c: struct.pack_into("<H", d, i + (8 if c else 6),
                                                                        struct.unpack_from("<H", d, i + (8 if c else 6))[0] | 1))
    add("zip-entry-password", "a zip entry with a zip password (\"is encrypted, password required\")", zip_password,
        "validate", 2, "S001", "zip 密码")
    add("bzip2", "parts compressed with bzip2", lambda f: write_zip(f / BOOK, parts_of(good(f)), zipfile.ZIP_BZIP2),
        "run", 2, "S001", "bzip2")
    add("lzma", "parts compressed with LZMA", lambda f: write_zip(f / BOOK, parts_of(good(f)), zipfile.ZIP_LZMA),
        "rollup", 2, "S001", "LZMA")
    add("no-content-types", "[Content_Types].xml missing",
        lambda f: edited(f, lambda p, b: {k: v for k, v in p.items() if k != "[Content_Types].xml"}),
        "score", 2, "S001", "[Content_Types].xml")

    def retarget(target: bytes, mode: bytes = b""):
        def change(parts, base):
            rels = parts["xl/_rels/workbook.xml.rels"]
            sheet = sheet_part(base, schema.CONTACT_LOG.name)
            for written in (f"/{sheet}", sheet.removeprefix("xl/")):  # openpyxl writes absolute part names
                rels = rels.replace(f'Target="{written}"'.encode(), b'Target="' + target + b'"' + mode, 1)
            parts["xl/_rels/workbook.xml.rels"], rels = rels, parts["xl/_rels/workbook.xml.rels"]
            assert parts["xl/_rels/workbook.xml.rels"] != rels
            return parts
        return change
    add("sheet-target-absolute", "联系记载's relationship points to file:///etc/passwd",
        lambda f: edited(f, retarget(b"file:///etc/passwd", b' TargetMode="External"')), "validate", 2, "S001",
        "工作簿以外")
    add("sheet-target-escaping", "联系记载's relationship climbs out of the package (../../)",
        lambda f: edited(f, retarget(b"../../../etc/passwd")), "run", 2, "S001", "工作簿以外")
    add("sheet-target-missing", "联系记载's relationship points at a part that is not there",
        lambda f: edited(f, retarget(b"worksheets/nothere.xml")), "score", 2, "S001", "联系记载")

    def utf16(sheet=None):
        def change(parts, base):
            name = sheet_part(base, sheet.name) if sheet else "xl/sharedStrings.xml"
            if name not in parts:
                name = sheet_part(base, schema.ROSTER.name)
            text = parts[name].decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
            parts[name] = text.encode("utf-16")
            return parts
        return change
    add("utf16-sheet", "a sheet part saved as UTF-16", lambda f: edited(f, utf16(schema.ROSTER)), "validate", 2,
        "S001", "UTF-16")
    add("huge-number", "a number of 5,000 digits (\"Exceeds the limit (4300 digits)\")",
        lambda f: edited(f, replace_in(of_sheet(schema.ROSTER), b"</sheetData>",
                                       b'<row r="40"><c r="H40"><v>' + b"9" * 5000 + b"</v></c></row></sheetData>")),
        "run", 2, "S001", "几千位")
    add("billion-laughs", "an entity bomb in the shared strings",
        lambda f: edited(f, lambda p, b: {**p, "xl/sharedStrings.xml": BILLION_LAUGHS}), "validate", 2, "S001", "DTD")
    add("xxe", "an external entity (XXE) reading /etc/passwd",
        lambda f: edited(f, lambda p, b: {**p, "xl/sharedStrings.xml": XXE}), "score", 2, "S001", "DTD")

    def zip_bomb(f):
        parts = parts_of(good(f))
        parts["xl/media/bomb.xml"] = b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>"
        return write_zip(f / BOOK, parts)
    add("zip-bomb", "one part inflating 60 MB from a few KB", zip_bomb, "rollup", 2, "S001", "压缩比异常")

    def liar(f):
        p = good(f)
        part = sheet_part(p, schema.CONTACT_LOG.name)
        parts = parts_of(p)
        small = len(parts[part])
        parts[part] = parts[part].replace(b"</sheetData>", b'<row r="99"><c r="A99" t="inlineStr"><is><t>'
                                          + b"x" * (5 * 1024 * 1024) + b"</t></is></c></row></sheetData>")
        write_zip(p, parts)
        return patch_local_and_central(p, part, lambda d, i, c: struct.pack_into("<I", d, i + (24 if c else 22),
                                                                                   small))
    add("sizes-lie", "a part declaring 10 KB that inflates to 5 MB", liar, "run", 2, "S001", "实际大小与声明不符")
    add("entry-traversal", "a zip entry named ../../evil.sh (never extracted, never read, left out of the output)",
        lambda f: edited(f, lambda p, b: {**p, "../../evil.sh": b"rm -rf /"}), "run", 0, "", "", "--as-of", AS_OF,
        "-o", "{out}", writes=True)
    add("entry-absolute", "a zip entry named /etc/cron.d/evil (never extracted, never read)",
        lambda f: edited(f, lambda p, b: {**p, "/etc/cron.d/evil": b"x"}), "clear-marks", 0, "", "")

    def duplicate(f):
        p = good(f)
        items = list(parts_of(p).items())
        part = sheet_part(p, schema.ROSTER.name)
        items.append((part, dict(items)[part].replace(b"M001", b"X999")))
        return write_zip(p, items)
    add("entry-duplicate", "the roster part twice, with different contents", duplicate, "run", 2, "S001", "两次")

    def crc(f):
        p = good(f)
        part = sheet_part(p, schema.CONTACT_LOG.name)
        with zipfile.ZipFile(p) as zf:
            info = zf.getinfo(part)
        data = bytearray(p.read_bytes())
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        for i in range(start + info.compress_size // 3, start + info.compress_size // 3 + 16):
            data[i] ^= 0x5A
        return _write(p, bytes(data))
    add("crc-damaged", "a part whose compressed bytes were damaged", crc, "score", 2, "S001", "损坏")
    add("no-sheets", "a workbook.xml listing no sheets",
        lambda f: edited(f, lambda p, b: {**p, "xl/workbook.xml": _no_sheets(p["xl/workbook.xml"])}), "validate", 2,
        "S001", "没有工作表")
    add("workbook-xml-broken", "workbook.xml cut off mid-tag",
        lambda f: edited(f, lambda p, b: {**p, "xl/workbook.xml": p["xl/workbook.xml"][:200]}), "run", 2, "S001",
        "workbook.xml")
    add("raw-control-char", "a raw control character (invalid XML) inside a sheet; read leniently, the row is checked",
        lambda f: edited(f, replace_in(of_sheet(schema.ROSTER), b"</sheetData>",
                                       b'<row r="40"><c r="B40" t="inlineStr"><is><t>a\x01b</t></is></c></row>'
                                       b"</sheetData>")), "validate", 1, "C001", "必填项")

    add("no-workbook-rels", "xl/_rels/workbook.xml.rels missing",
        lambda f: edited(f, lambda p, b: {k: v for k, v in p.items() if k != "xl/_rels/workbook.xml.rels"}),
        "clear-marks", 2, "S001", "缺少工作表目录")
    add("sheet-without-rid", "a sheet in workbook.xml without its relationship id",
        lambda f: edited(f, lambda p, b: {**p, "xl/workbook.xml": p["xl/workbook.xml"].replace(b' r:id="rId1"', b"", 1)}),
        "rollup", 2, "S001", "关系缺失")
    add("styles-garbage", "styles.xml cut off mid-tag",
        lambda f: edited(f, lambda p, b: {**p, "xl/styles.xml": b"<styleSheet><oops"}), "validate", 2, "S001", "损坏")
    add("sheet-part-empty", "a sheet part of zero bytes",
        lambda f: edited(f, lambda p, b: {**p, sheet_part(b, schema.CONTACT_LOG.name): b""}), "score", 2, "S001",
        "损坏")

    # the file system
    add("fifo", "a FIFO given as the book", lambda f: _fifo(f / BOOK), "run", 2, "S001", "不是普通文件")
    add("folder-named-xlsx", "a folder named like a workbook (and nothing in it)", lambda f: _mkdir(f / BOOK),
        "validate", 2, "-", "没有找到要处理的工作簿")
    add("missing", "a file that does not exist", lambda f: f / BOOK, "score", 2, "S001", "找不到")
    add("broken-link", "a symbolic link to nothing", lambda f: _link(f / BOOK, f / "不存在.xlsx"), "rollup", 2,
        "S001", "找不到")
    add("size-limit", "a workbook over DJ_MAX_FILE_MB", lambda f: good(f), "validate", 2, "S001", "超过上限",
        env={"DJ_MAX_FILE_MB": "0.001"})
    add("size-limit-negative", "DJ_MAX_FILE_MB=-1", lambda f: good(f), "run", 2, "-", "正数", env={"DJ_MAX_FILE_MB": "-1"})
    add("out-exists", "-o naming another branch's workbook", lambda f: (good(f, name="别的支部.xlsx"), good(f))[1],
        "validate", 2, "-", "已存在", "-o", "{dir}/别的支部.xlsx")
    add("out-is-input", "-o naming the input itself, with --force", lambda f: good(f), "run", 2, "-", "指向了原文件",
        "-o", "{dir}/" + BOOK, "--force")
    add("out-is-backup", "-o naming a backup", lambda f: good(f), "score", 2, "-", "备份", "-o",
        "{dir}/支部.bak-原始.xlsx")
    add("open-in-excel", "--in-place while Excel's owner file is there",
        lambda f: (_write(f / f"~${BOOK}", b"\x00" * 165), good(f))[1], "run", 2, "-", "关闭", "--in-place")
    add("out-read-only", "-o into a read-only folder", lambda f: good(f), "validate", 2, "-", "只读", "-o",
        "{dir}/结果.xlsx", fault="EROFS")
    add("out-disk-full", "-o onto a full disk", lambda f: good(f), "run", 2, "-", "磁盘空间不足", "-o",
        "{dir}/结果.xlsx", fault="ENOSPC")
    add("out-missing-folder", "-o into a folder that does not exist", lambda f: good(f), "score", 2, "-", "没有的文件夹",
        "-o", "{dir}/没有的文件夹/结果.xlsx")

    # workbooks that read, with findings
    add("macro-enabled", "an .xlsm with a VBA project (read, never run)",
        lambda f: _xlsm(f), "validate", 0, "", "", "--as-of", AS_OF)
    add("none-of-our-sheets", "a workbook with none of our sheets", lambda f: _foreign(f), "run", 1, "S002",
        "缺少必需的工作表", "--as-of", AS_OF)
    add("long-cell", "a 32,767-character 联系内容",
        lambda f: good(f, rows=with_rows(contact_log=[(0, {"content": "长" * 32767})])), "run", 0, "", "",
        "--as-of", AS_OF, "-o", "{out}", writes=True)
    add("control-chars-escaped", "control characters (_x0001_ escapes) in a name",
        lambda f: edited(f, replace_in(of_sheet(schema.ROSTER), b"</sheetData>",
                                       b'<row r="4"><c r="A4" t="inlineStr"><is><t>M009</t></is></c>'
                                       b'<c r="B4" t="inlineStr"><is><t>' + "张_x0001_三_x001F_".encode() + b"</t></is></c></row></sheetData>")),
        "validate", 1, "C001", "必填项", "--as-of", AS_OF)
    add("emoji-rare-cjk", "emoji and rare CJK (𠀀𪚥) in names and content",
        lambda f: good(f, rows=with_rows(roster=[(1, {"name": "李𠀀𪚥😀"})],
                                         contact_log=[(1, {"content": "了解情况👍𠮷野家"})])),
        "run", 0, "", "", "--as-of", AS_OF, "-o", "{out}", writes=True)
    add("zero-width-id", "a zero-width space inside a 党员编号 in 联系记载",
        lambda f: good(f, rows=with_rows(contact_log_add=[log_row(member_id="M0\u200b01")])), "validate", 1, "R002",
        "找不到", "--as-of", AS_OF)
    add("nbsp-id", "non-breaking spaces around a 对象编号",
        lambda f: good(f, rows=with_rows(contact_log_add=[log_row(target_id="\u00a0T001\u00a0")])), "validate", 0,
        "", "", "--as-of", AS_OF)
    add("unknown-id", "a 党员编号 nobody has", lambda f: good(f, rows=with_rows(contact_log_add=[log_row(member_id="M404")])),
        "score", 1, "R002", "M404", "--as-of", AS_OF)

    def formulas(f):
        def edit(wb):
            ws = wb[schema.CONTACT_LOG.name]
            ws["A2"] = "=DATE(2026,2,10)"
            ws["G3"] = '=CONCAT("了解","情况")'
        return good(f, edit=edit)
    add("formulas-in-data", "formulas (without cached values) in data cells", formulas, "validate", 1, "C001",
        "联系日期", "--as-of", AS_OF)

    def error_values(f):
        def edit(wb):
            for sheet, ref, value in ((schema.CONTACT_LOG.name, "A2", "#REF!"), (schema.ROSTER.name, "B3", "#N/A")):
                cell = wb[sheet][ref]
                cell.value, cell.data_type = value, "e"
        return good(f, edit=edit)
    add("error-values", "#REF! and #N/A in data cells", error_values, "run", 1, "S008", "#REF!", "--as-of", AS_OF)
    add("formula-injection", "text starting with =, +, -, @ in data cells (stays text in every sheet written)",
        lambda f: good(f, rows=with_rows(contact_log=[(i, {"content": t, "request": t})
                                                        for i, t in enumerate(INJECTIONS)],
                                         roster=[(1, {"name": "=1+1"})]), edit=_as_text),
        "run", 0, "", "", "--as-of", AS_OF, "-o", "{out}", writes=True)
    add("injection-in-findings", "an injected value reported in 问题清单 (stays text)",
        lambda f: good(f, rows=with_rows(contact_log_add=[log_row(date="=1+1", member_id="@SUM(1)")]), edit=_as_text),
        "validate", 1, "C002", "不是有效日期", "--as-of", AS_OF, "-o", "{out}", writes=True)
    add("date-before-1900", "a 联系日期 typed as 1899-12-31",
        lambda f: good(f, rows=with_rows(contact_log_add=[log_row(date="1899-12-31")])), "validate", 1, "C002",
        "1899-12-31", "--as-of", AS_OF)
    add("date-after-9999", "a 联系日期 typed as 10000-01-01",
        lambda f: good(f, rows=with_rows(contact_log_add=[log_row(date="10000-01-01")])), "run", 1, "C002",
        "10000-01-01", "--as-of", AS_OF)
    add("serial-beyond-9999", "a date serial beyond 9999-12-31 (3,000,000)",
        lambda f: good(f, rows=with_rows(contact_log_add=[log_row(date=3_000_000)])), "validate", 1, "C002",
        "3000000", "--as-of", AS_OF)

    def serials(f):
        def edit(wb):
            ws = wb[schema.CONTACT_LOG.name]
            for r, v in ((2, -1), (3, 0), (4, 0.5)):
                ws.cell(r, 1).value, ws.cell(r, 1).number_format = v, "yyyy-mm-dd"
        return good(f, edit=edit)
    add("serials-below-one", "date serials -1, 0 and 0.5 (shown as typed, not as times)", serials, "validate", 1,
        "C002", "为 0.5", "--as-of", AS_OF)

    def epoch_1904(f):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        def edit(wb):
            wb.epoch = CALENDAR_MAC_1904
        return good(f, edit=edit)
    add("date-system-1904", "a workbook in the 1904 date system (Mac Excel)", epoch_1904, "validate", 0, "", "",
        "--as-of", AS_OF)

    # hostile 评分规则 and 指标设置
    for key, value, exit, frag, pending in (
            ("w_quota", "abc", 0, "不是数字", ""), ("w_org", -30, 0, "不能为负数", ""),
            ("w_mass", 1e308, 0, "过大", ""),
            ("excellent_cap", 5, 0, "0 到 1", ""), ("w_peer", "=1/0", 0, "为空", ""),
            ("overdue_days", "九十", 0, "不是数字", ""), ("mass_min_votes", "\u200b5", 0, "不是数字", "")):
        add(f"scoring-{key}", f"评分规则 {key} = {value!r}",
            lambda f, k=key, v=value: good(f, scoring_rules=scoring(**{k: v})), "score", exit, "C006", frag,
            "--as-of", AS_OF, pending=pending)
    add("scoring-weights-zero", "评分规则 with every weight 0",
        lambda f: good(f, scoring_rules=scoring(w_quota=0, w_org=0, w_mass=0, w_peer=0)), "score", 1, "C006", "",
        "--as-of", AS_OF)
    for label, extra, exit, rule, frag in (
            ("target-negative", ("Q90", "负目标", "全体党员", "联系次数", "年度", -5, 1), 1, "R018", "必须大于 0"),
            ("target-text", ("Q91", "文字目标", "全体党员", "联系次数", "年度", "很多", 1), 1, "C006", "不是数字"),
            ("target-huge", ("Q92", "巨大目标", "全体党员", "联系次数", "年度", 1e308, 1), 0, "", ""),
            ("metric-unknown", ("Q93", "未知口径", "全体党员", "喝茶次数", "年度", 1, 1), 1, "R018", "喝茶次数"),
            ("period-unknown", ("Q94", "未知期间", "全体党员", "联系次数", "每周", 1, 1), 1, "C005", "每周"),
            ("code-duplicate", schema.DEFAULT_QUOTAS[0], 1, "R018", "重复")):
        add(f"quota-{label}", f"指标设置 row {extra!r}", lambda f, e=extra: good(f, quotas=quotas(e)), "rollup", exit,
            rule, frag, "--as-of", AS_OF)

    # the command line itself
    add("several-with-one-damaged", "a folder of three books, one damaged: the others are still processed",
        lambda f: _folder_of_three(f), "validate", 2, "", "", "--as-of", AS_OF)
    add("in-place-on-link", "--in-place through a symbolic link (the target changes, the link stays)",
        lambda f: _link(f / BOOK, good(_mkdir(f / "真实"))), "validate", 0, "", "",
        "--as-of", AS_OF, "--in-place", writes=True)
    return cases


# -- small helpers -------------------------------------------------------------------------

def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _link(link: Path, target: Path) -> Path:
    link.symlink_to(target)
    return link


def _as_text(wb) -> None:
    """Cells holding text that starts with = stay text (as a secretary's typed '=…' is), not formulas."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"


def _no_sheets(wb: bytes) -> bytes:
    start, end = wb.index(b"<sheets>"), wb.index(b"</sheets>") + len(b"</sheets>")
    return wb[:start] + b"<sheets/>" + wb[end:]


def _xlsm(folder: Path) -> Path:
    p = good(folder, name="宏.xlsx")
    parts = parts_of(p)
    p.unlink()
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + b"\x00" * 512
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    return write_zip(folder / "支部.xlsm", parts)


def _foreign(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["随便", "什么"])
    wb.save(folder / BOOK)
    return folder / BOOK


def _folder_of_three(folder: Path) -> Path:
    d = _mkdir(folder / "学院")
    good(d, name="一支部.xlsx")
    good(d, name="二支部.xlsx")
    _write(d / "三支部.xlsx", b"PK\x03\x04 damaged")
    _write(d / "~$一支部.xlsx", b"\x00" * 165)
    return d


CASES = _cases()


def outcomes_table() -> str:
    """The table of outcomes (OUTCOMES.md)."""
    lines = ["# Bad-input corpus: cases and expected outcomes", "",
             "Generated by `python tests/bad_inputs/generate.py` from `tests/bad_inputs/generate.py`;",
             "`tests/test_bad_inputs.py` runs every case and keeps this table equal to the generator.",
             "Every case is also checked for: no traceback, no hang, inputs unchanged, no English",
             "exception text, no finding outside the workbook.", "",
             f"{len(CASES)} cases.", "",
             "| # | case | input | command | exit | rule | message contains |",
             "|---|---|---|---|---|---|---|"]
    for i, c in enumerate(CASES, 1):
        cmd = " ".join(("dj", c.command, "BOOK") + tuple(a.replace("{dir}/", "").replace("{out}", "OUT")
                                                         for a in c.args))
        env = " ".join(f"{k}={v}" for k, v in c.env.items())
        fault = f" ({c.fault} injected)" if c.fault else ""
        what = c.what.replace("|", "\\|")
        pending = f" (pending: {c.pending})" if c.pending else ""
        lines.append(f"| {i} | {c.name} | {what}{pending} | `{(env + ' ') if env else ''}{cmd}`{fault} | {c.exit} | "
                     f"{c.rule or '–'} | {c.fragment.replace('|', chr(92) + '|') or '–'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 1:
        out = Path(sys.argv[1])
        for case in CASES:
            folder = _mkdir(out / case.name)
            case.build(folder)
        print(f"{len(CASES)} cases written under {out}")
    else:
        (HERE / "OUTCOMES.md").write_text(outcomes_table(), encoding="utf-8")
        print(f"{len(CASES)} cases; table written to {HERE / 'OUTCOMES.md'}")
