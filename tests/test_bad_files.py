"""Bad files (issue 3, item 5): every one gives an S-rule finding or an
``UnreadableFile`` (S001) with a clear Chinese message — never a traceback,
never a hang."""

from __future__ import annotations

import datetime as dt
import re
import signal
import struct
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest

from builders import clean_rows, make_book
from dj_addin import schema
from dj_addin.cellref import column_letter
from dj_addin.errors import UnreadableFile
from dj_addin.xlsx import safety as package
from dj_addin.xlsx.reader import read_book
from dj_addin.rules import unreadable_finding
from dj_addin.validate import validate_path

TIME_LIMIT_S = 20


@pytest.fixture(autouse=True)
def no_hang():
    """Fail (instead of hanging CI) when reading a hostile file takes too long."""
    def expired(signum, frame):
        raise TimeoutError(f"took longer than {TIME_LIMIT_S} s")
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TIME_LIMIT_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture
def good(tmp_path) -> Path:
    return make_book(tmp_path / "good.xlsx", rows=clean_rows())


def unreadable(path: Path, **kw) -> str:
    with pytest.raises(UnreadableFile) as exc:
        read_book(path, **kw)
    message = exc.value.message
    assert exc.value.rule == "S001" and exc.value.exit_code == 2
    assert path.name in message and "Traceback" not in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)  # plain Chinese
    return message


# -- files that cannot be read (S001) -------------------------------------------

def test_truncated_zip(tmp_path, good):
    bad = tmp_path / "truncated.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert "损坏" in unreadable(bad)


def test_random_bytes_named_xlsx(tmp_path):
    bad = tmp_path / "random.xlsx"
    bad.write_bytes(bytes(range(256)) * 64)
    assert "不是 Excel 工作簿" in unreadable(bad)


def minimal_cfb(stream_name: str = "Workbook", size: int = 4096) -> bytes:
    """A minimal Compound File (MS-CFB v3) holding one stream, as a legacy
    .xls is; olefile cannot write, so it is laid out by hand: header, one FAT
    sector, one directory sector, then the stream in regular sectors."""
    free, end, fat_sect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    n = size // 512
    header = bytearray(512)
    header[0:8] = package.OLE_MAGIC
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = [fat_sect, end] + [3 + i for i in range(n - 1)] + [end]
    fat_sector = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))

    def entry(name: str, kind: int, child: int, start: int, length: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        e = bytearray(128)
        e[: len(raw)] = raw
        struct.pack_into("<HBBIII", e, 64, len(raw), kind, 1, nostream, nostream, child)
        struct.pack_into("<IQ", e, 116, start, length)
        return bytes(e[:128])

    directory = (entry("Root Entry", 5, 1, end, 0) + entry(stream_name, 2, nostream, 2, size)
                 + bytes(128) * 2)
    return bytes(header) + fat_sector + directory + b"\x09\x08" + bytes(size - 2)


def test_legacy_xls(tmp_path):
    bad = tmp_path / "旧版.xls"
    bad.write_bytes(minimal_cfb())
    with olefile.OleFileIO(str(bad)) as ole:  # a real compound file with a Workbook stream
        assert ole.exists("Workbook")
    message = unreadable(bad)
    assert ".xls" in message and "另存为" in message


def test_legacy_xls_renamed_to_xlsx(tmp_path):
    bad = tmp_path / "改名.xlsx"
    bad.write_bytes(minimal_cfb())
    assert "另存为" in unreadable(bad)


def test_password_protected(tmp_path, good):
    from msoffcrypto.format.ooxml import OOXMLFile

    bad = tmp_path / "加密.xlsx"
    with good.open("rb") as src, bad.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    assert "密码" in unreadable(bad)


def test_oversized_refused_before_parsing(tmp_path, good, monkeypatch):
    def must_not_parse(*a, **k):
        raise AssertionError("parsed an oversized file")
    monkeypatch.setattr(package.zipfile, "ZipFile", must_not_parse)
    message = unreadable(good, max_bytes=1000)
    assert "超过上限" in message


def rezip(src: Path, dst: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            zout.writestr(name, replace.get(name, zin.read(name)))
        for name in set(replace) - set(zin.namelist()):  # parts the writer did not make
            zout.writestr(name, replace[name])
    return dst


def sheet_part(path: Path, sheet_name: str) -> str:
    return dict(package.check_package(path).sheets)[sheet_name]


def test_zip_bomb_part(tmp_path, good, monkeypatch):
    monkeypatch.setattr(package, "MAX_PART_BYTES", 4 * 1024 * 1024)  # a small bomb is enough to test
    part = sheet_part(good, schema.CONTACT_LOG.name)
    bomb = b'<?xml version="1.0"?><worksheet>' + b" " * (8 * 1024 * 1024) + b"</worksheet>"
    bad = rezip(good, tmp_path / "bomb.xlsx", {part: bomb})
    assert "压缩比异常" in unreadable(bad)


def test_zip_bomb_total_size(tmp_path, good, monkeypatch):
    monkeypatch.setattr(package, "DEFAULT_MAX_UNZIPPED", 2 * 1024 * 1024)  # the real limit is 1 GB
    bad = rezip(good, tmp_path / "big.xlsx", {"xl/media/padding.xml": b"<a>" + b"0" * 3_000_000 + b"</a>"})
    assert "解压后超过" in unreadable(bad)


def test_zip_whose_sizes_lie(tmp_path, good):
    """A part that decompresses to far more than its header declares."""
    part = sheet_part(good, schema.CONTACT_LOG.name)
    original = zipfile.ZipFile(good).read(part)
    huge = original.replace(b"</sheetData>", b'<row r="99"><c r="A99" t="inlineStr"><is><t>'
                            + b"x" * (20 * 1024 * 1024) + b"</t></is></c></row></sheetData>")
    bad = rezip(good, tmp_path / "liar.xlsx", {part: huge})
    data = bytearray(bad.read_bytes())
    for sig, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        i = data.find(sig)
        while i >= 0:
            n = struct.unpack_from("<H", data, i + name_len_at)[0]
            if data[i + name_at:i + name_at + n] == part.encode():
                struct.pack_into("<I", data, i + size_at, len(original) + 1024)
            i = data.find(sig, i + 4)
    bad.write_bytes(bytes(data))
    assert "损坏" in unreadable(bad)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol4;</t></si></sst>"""


@pytest.mark.parametrize("padding", [b"", b"<!--" + b" <a> " * 20000 + b"-->"], ids=["plain", "after-comment"])
def test_entity_bomb_in_shared_strings(tmp_path, good, padding):
    xml = BILLION_LAUGHS.replace(b"<?xml version=\"1.0\"?>\n", b"<?xml version=\"1.0\"?>\n" + padding)
    bad = rezip(good, tmp_path / "lol.xlsx", {"xl/sharedStrings.xml": xml})
    assert "DTD" in unreadable(bad)


def test_entity_bomb_in_utf16_sheet(tmp_path, good):
    part = sheet_part(good, schema.ROSTER.name)
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><worksheet/>'.encode("utf-16")
    bad = rezip(good, tmp_path / "utf16.xlsx", {part: xml})
    assert "DTD" in unreadable(bad)


def test_workbook_without_sheets(tmp_path, good):
    with zipfile.ZipFile(good) as z:
        wb = z.read("xl/workbook.xml")
    start, end = wb.index(b"<sheets>"), wb.index(b"</sheets>") + len(b"</sheets>")
    bad = rezip(good, tmp_path / "nosheets.xlsx", {"xl/workbook.xml": wb[:start] + b"<sheets/>" + wb[end:]})
    assert "没有工作表" in unreadable(bad)


def test_unreadable_finding_for_collectors(tmp_path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(UnreadableFile) as exc:
        validate_path(bad)
    f = unreadable_finding(exc.value, bad.name)
    assert (f.rule, f.level, f.sheet, f.row) == ("S001", "错误", "", None)
    assert f.message == exc.value.message


# -- files that read, with structural findings -----------------------------------

def rules_of(report) -> set[tuple[str, str, int | None, str]]:
    return {(f.rule, f.sheet, f.row, f.field) for f in report.findings}


def test_workbook_with_none_of_our_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["随便", "什么"])
    wb.create_sheet("数据").append([1, 2, 3])
    wb.save(tmp_path / "other.xlsx")
    _, report = validate_path(tmp_path / "other.xlsx")
    errors = [f for f in report.findings if f.level == "错误"]
    assert {f.sheet for f in errors} == {s.name for s in schema.REQUIRED_SHEETS}
    assert all(f.rule == "S002" for f in errors)
    assert "「Sheet1」、「数据」" in errors[0].message


def test_empty_workbook(tmp_path):
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "empty.xlsx")
    _, report = validate_path(tmp_path / "empty.xlsx")
    assert {f.rule for f in report.findings} == {"S002"}
    assert sum(f.level == "错误" for f in report.findings) == len(schema.REQUIRED_SHEETS)


def test_sheet_with_empty_header_row(tmp_path):
    def blank_roster(wb):
        ws = wb[schema.ROSTER.name]
        ws.delete_rows(1, ws.max_row)
    path = make_book(tmp_path / "b.xlsx", rows=clean_rows(), edit=blank_roster)
    _, report = validate_path(path)
    s003 = {f.field for f in report.findings if f.rule == "S003" and f.sheet == schema.ROSTER.name}
    assert s003 == {c.header for c in schema.ROSTER.columns if c.required}
    assert not any(f.rule == "C001" and f.sheet == schema.ROSTER.name for f in report.findings)


def test_blanked_header_row_above_data_is_one_cause_not_hundreds(tmp_path):
    """The header cells of 联系记载 emptied, the data left below: the missing columns
    are reported on row 1, the data is not taken for a header, and no member is
    reported for 'no contact' because of it."""
    def blank_log_header(wb):
        for cell in wb[schema.CONTACT_LOG.name][1]:
            cell.value = None
    path = make_book(tmp_path / "b.xlsx", rows=clean_rows(), edit=blank_log_header)
    _, report = validate_path(path, dt.date(2026, 12, 31))
    log = [f for f in report.findings if f.sheet == schema.CONTACT_LOG.name]
    assert {f.rule for f in log} == {"S003"} and {f.row for f in log} == {1}
    assert {f.field for f in log} == {c.header for c in schema.CONTACT_LOG.columns if c.required}
    assert not any(f.rule in ("K001", "S004") for f in report.findings)


def test_optional_sheet_left_empty_is_read_as_empty(tmp_path):
    def blank_research(wb):
        ws = wb[schema.RESEARCH.name]
        ws.delete_rows(1, ws.max_row)
    path = make_book(tmp_path / "b.xlsx", rows=clean_rows(), edit=blank_research)
    _, report = validate_path(path, dt.date(2026, 12, 31))
    assert [(f.rule, f.level, f.sheet) for f in report.findings] == [("S003", "提示", schema.RESEARCH.name)]


def test_header_row_holds_only_values(tmp_path):
    """Data typed straight into row 1 without headers: the required columns are missing."""
    def no_header(wb):
        wb[schema.CONTACT_LOG.name].delete_rows(1)
    path = make_book(tmp_path / "b.xlsx", rows=clean_rows(), edit=no_header)
    _, report = validate_path(path)
    fields = {f.field for f in report.findings if f.rule == "S003" and f.sheet == schema.CONTACT_LOG.name}
    assert fields == {c.header for c in schema.CONTACT_LOG.columns if c.required}


def test_merged_cells_across_the_data_area(tmp_path):
    def merge(wb):
        wb[schema.CONTACT_LOG.name].merge_cells("B3:D5")
    path = make_book(tmp_path / "b.xlsx", rows=clean_rows(), edit=merge)
    _, report = validate_path(path)
    s007 = [f for f in report.findings if f.rule == "S007"]
    assert [(f.sheet, f.row, f.column, f.value, f.level) for f in s007] == [
        (schema.CONTACT_LOG.name, 3, "B", "B3:D5", "警告")]


def test_excel_error_values(tmp_path):
    org_score = column_letter(schema.EVALUATION.keys.index("org_score") + 1)

    def errors(wb):
        for sheet, ref, value in ((schema.CONTACT_LOG.name, "A2", "#REF!"), (schema.ROSTER.name, "B3", "#N/A"),
                                  (schema.EVALUATION.name, f"{org_score}2", "#DIV/0!"), (schema.META.name, "B2", "#VALUE!")):
            cell = wb[sheet][ref]
            cell.value, cell.data_type = value, "e"
    path = make_book(tmp_path / "b.xlsx", rows=clean_rows(), edit=errors)
    _, report = validate_path(path)
    s008 = {(f.sheet, f.row, f.field, f.value) for f in report.findings if f.rule == "S008"}
    assert s008 == {(schema.CONTACT_LOG.name, 2, "联系日期", "#REF!"), (schema.ROSTER.name, 3, "姓名", "#N/A"),
                    (schema.EVALUATION.name, 2, "组织评价分", "#DIV/0!"), (schema.META.name, 2, "单位编码", "#VALUE!")}
    # one cause, one finding: no C001 / C002 / R019 for the same cells
    others = {(f.sheet, f.row, f.field) for f in report.findings if f.rule != "S008"}
    assert not others & {(s, r, fld) for s, r, fld, _ in s008}


def test_a_stray_cell_at_the_end_of_the_sheet_is_read_sparsely(tmp_path, good):
    """One value at XFD1048576 makes a 16 KB file whose dense grid would need
    hundreds of gigabytes; it is streamed instead, and its data still counts."""
    wb = openpyxl.load_workbook(good)
    wb[schema.CONTACT_LOG.name]["XFD1048576"] = "x"
    wb[schema.CONTACT_LOG.name]["A1048576"] = "x"
    far = tmp_path / "far.xlsx"
    wb.save(far)
    assert far.stat().st_size < 100_000
    book, report = validate_path(far, dt.date(2026, 12, 31))
    log = book.table("contact_log")
    assert 1048576 in log.data.index and len(log) == len(read_book(good).table("contact_log")) + 1
    assert ("C002", 1048576) in {(f.rule, f.row) for f in report.findings}


def test_error_cells_are_found_in_namespace_prefixed_xml(tmp_path, good):
    wb = openpyxl.load_workbook(good)
    ws = wb[schema.CONTACT_LOG.name]
    ws["G3"].value, ws["G3"].data_type = "#N/A", "e"
    ws["H3"].value, ws["H3"].data_type = "#REF!", "e"
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    part = sheet_part(plain, schema.CONTACT_LOG.name)
    with zipfile.ZipFile(plain) as zf:
        xml = zf.read(part).decode("utf-8")
    prefixed = xml.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                           'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
    prefixed = re.sub(r"<(/?)(?!\?)([a-zA-Z]+)", r"<\1x:\2", prefixed)
    path = rezip(plain, tmp_path / "prefixed.xlsx", {part: prefixed.encode("utf-8")})
    _, report = validate_path(path, dt.date(2026, 12, 31))
    s008 = {(f.row, f.column) for f in report.findings if f.rule == "S008"}
    assert s008 == {(3, "G"), (3, "H")}


def test_a_corrupted_compressed_part_is_s001(tmp_path, good):
    part = sheet_part(good, schema.CONTACT_LOG.name)
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo(part)
    data = bytearray(good.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + info.compress_size // 3, start + info.compress_size // 3 + 20):
        data[i] ^= 0x5A
    bad = tmp_path / "crc.xlsx"
    bad.write_bytes(bytes(data))
    message = unreadable(bad)
    assert "损坏" in message
