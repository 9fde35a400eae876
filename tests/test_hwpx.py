"""extractors.hwpx: real releases load with their header, title and contact table; hostile
packages (zip bomb, entity bomb, path traversal) are refused quickly with a stable code."""
from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from bodopress.extractors.loaders.hwpx import MIMETYPE, load_hwpx, make_hwpx
from bodopress.extractors.loaders import LoadError, load

HERE = Path(__file__).parent
DEV = HERE.parents[1] / "shared" / "corpus" / "dev"
REGRESSIONS = HERE / "regressions"

HP = 'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"'


def p(inner: str) -> str:
    return f"<hp:p><hp:run>{inner}</hp:run></hp:p>"


def tc(row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1, border: str = "") -> str:
    ref = f' borderFillIDRef="{border}"' if border else ""
    return (f"<hp:tc{ref}><hp:subList>{p(f'<hp:t>{text}</hp:t>')}</hp:subList>"
            f'<hp:cellAddr colAddr="{col}" rowAddr="{row}"/>'
            f'<hp:cellSpan colSpan="{colspan}" rowSpan="{rowspan}"/></hp:tc>')


def tbl(*rows: list[str]) -> str:
    return p("<hp:tbl>" + "".join("<hp:tr>" + "".join(r) + "</hp:tr>" for r in rows) + "</hp:tbl>")


def header(**fills: tuple[str, str, str, str]) -> bytes:
    """header.xml with border fills id -> (left, right, top, bottom) line types."""
    body = "".join(
        f'<hh:borderFill id="{i}"><hh:leftBorder type="{l}"/><hh:rightBorder type="{r}"/>'
        f'<hh:topBorder type="{t}"/><hh:bottomBorder type="{b}"/></hh:borderFill>'
        for i, (l, r, t, b) in fills.items())
    return (f'<hh:head xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head"><hh:refList><hh:borderFills>'
            f"{body}</hh:borderFills></hh:refList></hh:head>").encode()


def refused(data: bytes, code: str) -> LoadError:
    start = time.perf_counter()
    with pytest.raises(LoadError) as e:
        load_hwpx(data, source_file="x.hwpx")
    assert e.value.error_type == code, e.value.message
    assert time.perf_counter() - start < 5
    assert "x.hwpx" in e.value.message
    return e.value


# -- real releases ---------------------------------------------------------------------------

@pytest.mark.corpus
def test_real_release_header_title_and_contacts():
    doc = load(DEV / "156754093.hwpx")
    lines = doc.text.split("\n")
    assert doc.source_format == "hwpx"
    assert lines[:5] == [
        "보도자료",
        "보도시점 (온라인,지면) 2026. 4. 10.(금) 즉시보도",
        "2026년 행정안전부 추가경정예산",
        "9조 4,880억원 확정",
        "- 고유가 피해지원금 4조 7,930억원 등 고유가 부담완화·민생안정을 위한 추경예산의 신속하고 차질없는 집행 예정",
    ]
    contacts = next(t for t in doc.tables if t.rows[0][0] == "담당 부서")
    # the department is two stacked cells with no line between them: one cell, as printed
    assert contacts.rows[:2] == [
        ["담당 부서", "기획조정실\n기획재정담당관", "책임자", "과 장 신지혜 (044-205-1401)"],
        ["", "", "담당자", "사무관 서민호 (044-205-1411)"],
    ]
    assert contacts.rows[-1] == ["", "", "담당자", "서기관 정재형 (044-205-6843)"]
    assert doc.text[contacts.char_start:contacts.char_end].split("\n")[0] == \
        "담당 부서\t기획조정실 기획재정담당관\t책임자\t과 장 신지혜 (044-205-1401)"
    assert "\t" not in doc.text[:contacts.char_start]   # no stray tab outside tables


def test_real_release_two_line_header_box():
    lines = load(REGRESSIONS / "156754290.hwpx").text.split("\n")
    assert lines[1:5] == ["보도시점 (온라인) 2026. 4. 13.(월) 16:00", "(지 면) 2026. 4. 14.(화) 조간",
                          "훈장의 가치 바로잡는다", "부적절한 정부포상 전면 재검토 착수"]


def test_wrong_extension_is_read_by_signature(tmp_path):
    path = tmp_path / "release.hwp"
    path.write_bytes(make_hwpx(["보도시점 2026. 5. 28.(목) 10:00", "제목입니다"]))
    doc = load(path)
    assert doc.source_format == "hwpx" and doc.text == "보도시점 2026. 5. 28.(목) 10:00\n제목입니다"


# -- text and tables ----------------------------------------------------------------------------

def test_runs_breaks_tabs_and_notes():
    data = make_hwpx([
        p("<hp:t>첫 줄<hp:lineBreak/>둘째 줄<hp:tab/>끝</hp:t>"),
        "<hp:p><hp:run><hp:t>본문 2억</hp:t><hp:ctrl><hp:footNote><hp:subList>"
        + p("<hp:t>* 전력산업기반기금</hp:t>") + "</hp:subList></hp:footNote></hp:ctrl>"
        "<hp:t>을 반영</hp:t></hp:run></hp:p>",
        p('<hp:ctrl><hp:header><hp:subList>' + p("<hp:t>머리말</hp:t>") + "</hp:subList></hp:header></hp:ctrl>"),
        p('<hp:pic><hp:shapeComment>그림입니다.</hp:shapeComment></hp:pic><hp:t>그림 뒤</hp:t>'),
        p('<hp:rect><hp:drawText><hp:subList>' + p("<hp:t>글상자 안</hp:t>") + "</hp:subList></hp:drawText></hp:rect>"),
    ])
    assert load_hwpx(data).text.split("\n") == [
        "첫 줄", "둘째 줄 끝", "본문 2억을 반영", "* 전력산업기반기금", "그림 뒤", "글상자 안"]


def test_data_table_layout_box_and_nesting():
    solid, none = ("SOLID",) * 4, ("NONE",) * 4
    data = make_hwpx([
        # a borderless header box reads as lines, its label beside the first one
        tbl([tc(0, 0, "보도시점", rowspan=2, border="2"), tc(0, 1, "(온라인) 2026. 4. 13.(월) 16:00", border="2")],
            [tc(1, 1, "(지 면) 2026. 4. 14.(화) 조간", border="2")]),
        # a ruled table is a grid; a merged cell covers ''; a nested table is flattened into its cell
        tbl([tc(0, 0, "구분", border="1"), tc(0, 1, "금액", border="1")],
            [tc(1, 0, "계", rowspan=2, border="1"),
             "<hp:tc borderFillIDRef=\"1\"><hp:subList>"
             + tbl([tc(0, 0, "1억", border="1"), tc(0, 1, "2억", border="1")], [tc(1, 0, "3억", colspan=2, border="1")])
             + '</hp:subList><hp:cellAddr colAddr="1" rowAddr="1"/><hp:cellSpan colSpan="1" rowSpan="1"/></hp:tc>'],
            [tc(2, 1, "4억", border="1")]),
    ], extra={"Contents/header.xml": header(**{"1": solid, "2": none})})
    doc = load_hwpx(data)
    assert doc.text.split("\n")[:2] == ["보도시점 (온라인) 2026. 4. 13.(월) 16:00", "(지 면) 2026. 4. 14.(화) 조간"]
    assert len(doc.tables) == 1
    assert doc.tables[0].rows == [["구분", "금액"], ["계", "1억 2억\n3억"], ["", "4억"]]
    assert doc.text.endswith("구분\t금액\n계\t1억 2억 3억\n\t4억")


def test_sections_follow_the_spine():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", MIMETYPE)
        for n, text in ((0, "둘째"), (1, "첫째"), (2, "셋째")):
            zf.writestr(f"Contents/section{n}.xml", f"<hs:sec {HP} xmlns:hs=\"s\">{p(f'<hp:t>{text}</hp:t>')}</hs:sec>")
        zf.writestr("Contents/content.hpf", '<opf:package xmlns:opf="http://www.idpf.org/2007/opf/">'
                    '<opf:manifest><opf:item id="s0" href="Contents/section0.xml"/><opf:item id="s1" '
                    'href="Contents/section1.xml"/><opf:item id="s2" href="Contents/section2.xml"/></opf:manifest>'
                    '<opf:spine><opf:itemref idref="s1"/><opf:itemref idref="s0"/><opf:itemref idref="s2"/>'
                    "</opf:spine></opf:package>")
    doc = load_hwpx(buf.getvalue())
    assert doc.text == "첫째\n둘째\n셋째" and len(doc.pages) == 3


# -- hostile and broken packages --------------------------------------------------------------------

def test_zip_bomb_is_refused(tmp_path):
    # 201 MB of zeros deflates to ~200 KB: the declared size alone refuses it
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("mimetype", MIMETYPE)
        with zf.open("Contents/section0.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(201):
                f.write(chunk)
    assert "zip bomb" in refused(buf.getvalue(), "hwpx_unsafe").message


def test_high_ratio_entry_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", MIMETYPE)
        zf.writestr("Contents/section0.xml", b"<a>" + b" " * (8 << 20) + b"</a>")
    assert "inflates" in refused(buf.getvalue(), "hwpx_unsafe").message


def test_entity_bomb_is_refused():
    lol = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    xml = f'<?xml version="1.0"?><!DOCTYPE sec [<!ENTITY l0 "lol">{lol}]><hs:sec {HP} xmlns:hs="s">&l9;</hs:sec>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", MIMETYPE)
        zf.writestr("Contents/section0.xml", xml)
    refused(buf.getvalue(), "hwpx_unsafe")


def test_external_entity_is_refused():
    xml = f'<?xml version="1.0"?><!DOCTYPE sec [<!ENTITY x SYSTEM "file:///etc/passwd">]><hs:sec {HP} xmlns:hs="s">&x;</hs:sec>'
    refused(make_hwpx([], extra={"Contents/section1.xml": xml}), "hwpx_unsafe")


@pytest.mark.parametrize("entry", ["../../x", "/etc/x", "Contents/../../x", "C:/x"])
def test_traversal_entry_is_refused(entry):
    assert "outside the archive" in refused(make_hwpx(["본문"], extra={entry: b"x"}), "hwpx_unsafe").message


def test_too_many_entries_are_refused():
    refused(make_hwpx(["본문"], extra={f"BinData/{i}.txt": b"" for i in range(2001)}), "hwpx_unsafe")


@pytest.mark.parametrize("data, code", [
    (b"PK\x03\x04 truncated", "hwpx_broken"),
    (make_hwpx(["<hp:p><hp:run><hp:t>열린 태그</hp:run></hp:p>"]), "hwpx_broken"),
])
def test_broken_package(data, code):
    refused(data, code)


def test_missing_section_and_foreign_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", MIMETYPE)
        zf.writestr("Contents/header.xml", "<head/>")
    assert "no Contents/section" in refused(buf.getvalue(), "hwpx_broken").message
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    assert "not an HWPX document" in refused(buf.getvalue(), "unsupported_zip").message


def test_deep_nesting_is_read_without_recursion():
    """5,000 tables nested in each other, and 5,000 nested paragraphs: the structure is read
    to a fixed depth and the rest as plain lines, with every text kept and no RecursionError."""
    depth = 5000
    cells = "".join(f"<hp:tbl><hp:tr><hp:tc><hp:subList><hp:p><hp:run><hp:t>칸{i}</hp:t>" for i in range(depth))
    closing = "</hp:run></hp:p></hp:subList></hp:tc></hp:tr></hp:tbl>" * depth
    doc = load_hwpx(make_hwpx(["보도자료", p(cells + closing), "끝"]))
    lines = doc.text.split("\n")
    assert lines[:3] == ["보도자료", "칸0", "칸1"] and lines[-2:] == ["칸4999", "끝"] and len(lines) == depth + 2
    nested = "<hp:p>" * depth + "<hp:run><hp:t>깊은 문단</hp:t></hp:run>" + "</hp:p>" * depth
    assert load_hwpx(make_hwpx([nested])).text == "깊은 문단"


def test_xml_part_over_the_limit_is_refused_before_parsing(monkeypatch):
    import bodopress.extractors.loaders.hwpx as hwpx
    monkeypatch.setattr(hwpx, "MAX_XML", 1000)
    e = refused(make_hwpx(["보도자료 " * 200]), "too_large")
    assert "section0.xml" in e.message
