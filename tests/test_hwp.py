"""extractors.hwp: a real HWP 5 release loads with its header, title and contact table; locked,
broken and oversized inputs fail with their own stable codes."""
from __future__ import annotations

import shutil
import struct
import time
import zlib
from pathlib import Path

import pytest

from bodopress.extractors.loaders.hwp import inflate, load_hwp, para_text, records
from bodopress.extractors.loaders import LoadError, load

HERE = Path(__file__).parent
REAL = HERE / "regressions" / "156754268.hwp"      # a real HWP 5 release kept with the tests


def record(tag: int, level: int, payload: bytes) -> bytes:
    size = len(payload)
    if size >= 0xFFF:
        return struct.pack("<II", tag | level << 10 | 0xFFF << 20, size) + payload
    return struct.pack("<I", tag | level << 10 | size << 20) + payload


def with_flags(tmp_path: Path, flags: int) -> bytes:
    """A copy of the real release whose FileHeader carries these property flags."""
    import olefile

    path = tmp_path / "locked.hwp"
    shutil.copy(REAL, path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        header = bytearray(ole.openstream("FileHeader").read())
        header[36:40] = struct.pack("<I", struct.unpack_from("<I", header, 36)[0] | flags)
        ole.write_stream("FileHeader", bytes(header))
    return path.read_bytes()


def test_real_release_header_title_and_contacts():
    doc = load(REAL)
    lines = doc.text.split("\n")
    assert doc.source_format == "hwp"
    assert lines[:5] == [
        "보도자료",
        "보도시점 2026.4.13.(월) 14:30",
        "< 4.14.(화) 조간 > 배포 2026. 4. 12.(일)",
        "석유화학제품 생산현장 릴레이 점검",
        "- 산업부 장관, 반월, 시화산단 내 주사기·수액제 포장재 업체 등 4개 업체 방문 -",
    ]
    contacts = next(t for t in doc.tables if t.rows[0][0] == "담당 부서")
    assert contacts.rows[:3] == [
        ["담당 부서", "산업정책관\n산업정책과", "책임자", "과 장 박태현 044-203-4210"],
        ["", "", "담당자", "사무관 박찬서 044-203-4215"],
        ["", "", "", "사무관 임건민 044-203-4203"],
    ]
    assert ["", "", "담당자", "사무관 김 일 044-203-4341"] in contacts.rows
    assert len(contacts.rows) == 11
    # the schedule table of the attachment keeps its five columns
    schedule = next(t for t in doc.tables if t.rows[0][0] == "순서")
    assert schedule.rows[1] == ["①", "14:30-14:45", "대덕전자", "반도체 패키징 소재(PCB 기판)", "핵심산업"]
    # the footnote line stays beside the paragraph that cites it
    assert "* 중동 외 납사 수입 지원에 6,744억원 등 산업부 소관 추경 1조 980억원 반영" in lines
    assert doc.created_at is not None and doc.created_at.year == 2026


def test_password_flag_is_refused(tmp_path):
    with pytest.raises(LoadError) as e:
        load_hwp(with_flags(tmp_path, 0x2), source_file="locked.hwp")
    assert e.value.error_type == "hwp_encrypted" and "locked.hwp" in e.value.message


def test_distribution_document_is_refused(tmp_path):
    with pytest.raises(LoadError) as e:
        load_hwp(with_flags(tmp_path, 0x4), source_file="locked.hwp")
    assert e.value.error_type == "hwp_distribution_locked"


def test_broken_container():
    with pytest.raises(LoadError) as e:
        load_hwp(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, source_file="x.hwp")
    assert e.value.error_type == "hwp_broken"


def test_decompression_bomb_is_refused():
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    raw = b"".join(c.compress(chunk) for _ in range(201)) + c.flush()
    start = time.perf_counter()
    with pytest.raises(LoadError) as e:
        inflate(raw, "BodyText/Section0", "x.hwp")
    assert e.value.error_type == "hwp_unsafe" and time.perf_counter() - start < 5


def test_records_and_extended_size():
    data = record(66, 0, b"\0" * 24) + record(67, 1, "본문\r".encode("utf-16-le")) + record(77, 2, b"x" * 5000)
    assert [(t, lvl, len(p)) for t, lvl, p in records(data)] == [(66, 0, 24), (67, 1, 6), (77, 2, 5000)]
    assert records(data[:-10])[-1][2] == b"x" * 4990    # a record cut short keeps what is there


def test_para_text_controls():
    def ctrl(code: int, chid: bytes = b"    ") -> bytes:
        return struct.pack("<H", code) + chid[::-1] + b"\0" * 8 + struct.pack("<H", code)

    data = ("가" .encode("utf-16-le") + ctrl(9) + "나".encode("utf-16-le") + struct.pack("<H", 10)
            + "다".encode("utf-16-le") + ctrl(11, b"tbl ") + "라".encode("utf-16-le") + ctrl(4)
            + struct.pack("<H", 30) + "마\r".encode("utf-16-le"))
    assert para_text(data) == ["가 나\n다", b"tbl ", "라 마"]


@pytest.mark.corpus
def test_bullet_styles_get_their_mark_back(shared):
    """A `- 부제목` typed as a bulleted paragraph style carries no `-` in PARA_TEXT; the loader adds it."""
    path = shared / "corpus" / "pool" / "rhwp" / "law_plenary_20260507__hy-002.hwp"
    from bodopress.extractors.metadata import extract as release
    doc = load(path)
    assert "\n- ｢지속가능한 연근해어업 발전법안｣" in doc.text
    assert release(doc)["subtitle"].startswith("｢지속가능한 연근해어업 발전법안｣, ｢북극항로")


def test_template_cell_names_are_read():
    """Named cells (the government template's 제목명, 부제목명, …) come out as Document.fields."""
    fields = load(REAL).fields
    assert fields["제목명"] == "석유화학제품 생산현장 릴레이 점검"
    assert fields["부제목명"].split("\n")[1] == "- 보건‧의료, 생활필수품, 핵심산업 공급망 차질 없도록 최우선 관리 -"


def test_deep_record_nesting_is_read_without_recursion():
    """Tables nested to the deepest record level HWP can state (1023): every cell's text
    comes out, the deep part as plain lines, and no RecursionError."""
    from bodopress.extractors.loaders.hancom import emit
    from bodopress.extractors.loaders.hwp import RecordReader, nest
    from bodopress.extractors.loaders.model import Builder

    data, level, i = b"", 0, 0
    while level + 2 <= 1023:       # paragraph > table control > cell list, one level deeper each time
        text = f"칸{i}".encode("utf-16-le") + struct.pack("<8H", 11, 0, 0, 0, 0, 0, 0, 11)
        data += record(66, level, b"\0" * 12) + record(67, level + 1, text) + record(71, level + 1, b" lbt")
        data += record(77, level + 2, b"\0" * 20) + record(72, level + 2, b"\0" * 8 + struct.pack("<4H", 0, 0, 1, 1) + b"\0" * 20)
        level, i = level + 2, i + 1
    b = Builder()
    emit(RecordReader({}).blocks(nest(records(data))), b)
    lines = b.build(source_file="deep.hwp").text.split("\n")
    assert lines[:2] == ["칸0", "칸1"] and lines[-1] == f"칸{i - 1}" and len(lines) == i
