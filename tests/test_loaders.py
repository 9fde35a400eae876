"""extractors.loaders: encodings, signatures, PDF reading order, and the error codes of bad inputs."""
from __future__ import annotations

import shutil

import pytest

from bodopress.extractors.loaders import LoadError, load

RELEASE = "보도시점 2026. 5. 28.(목) 10:00\n\n위기는 철저히 관리\n\n담당부서\t기획조정실\t책임자\t과 장\t손용하 (044-203-5520)\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp949", "euc-kr"])
def test_text_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "release.txt"
    path.write_bytes(RELEASE.encode(encoding))
    doc = load(path)
    assert doc.text.splitlines()[0] == "보도시점 2026. 5. 28.(목) 10:00"
    assert doc.tables[0].rows[0] if doc.tables else True
    assert "손용하" in doc.text and doc.source_format == "txt"


def test_undecodable_bytes_are_refused_not_guessed(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(128, 256)) * 8)
    with pytest.raises(LoadError) as e:
        load(path)
    assert e.value.error_type == "undecodable"


def test_empty_file(tmp_path):
    (tmp_path / "empty.md").write_bytes(b"  \n")
    with pytest.raises(LoadError) as e:
        load(tmp_path / "empty.md")
    assert e.value.error_type == "empty"


def test_markdown_html_table_becomes_rows_with_spans(tmp_path):
    """A converter's HTML table (rowspan, <br>, a `<특수교육법>` label that is no tag) reads as the
    tab rows an HWPX table gives, so its contacts are found."""
    from bodopress.extractors import contacts
    from bodopress.extractors.document import Document
    p = tmp_path / "r.md"
    p.write_text("보도자료\n<table>\n"
                 '<tr><th rowspan="2">담당 부서</th><th rowspan="2">정책기획관<br>규제개혁법무담당관</th>'
                 "<th>책임자</th><th>과 장</th><th>김관영</th><th>(044-203-6170)</th></tr>\n"
                 "<tr><td>담당자</td><td>사무관</td><td>이일경</td><td>(044-203-6173)</td></tr>\n"
                 '<tr><td colspan="2">&lt;특수교육법&gt; <특수교육법></td><td>책임자</td><td>과 장</td><td>진창원</td>'
                 "<td>(044-203-6554)</td></tr>\n</table>\n", encoding="utf-8")
    src = load(p)
    assert src.tables[0].rows == [
        ["담당 부서", "정책기획관 규제개혁법무담당관", "책임자", "과 장", "김관영", "(044-203-6170)"],
        ["", "", "담당자", "사무관", "이일경", "(044-203-6173)"],
        ["<특수교육법> <특수교육법>", "", "책임자", "과 장", "진창원", "(044-203-6554)"]]
    found = contacts.extract(Document.from_text(src.text))
    assert [(c["department"], c["name"], c["phone"]) for c in found][:2] == [
        ("정책기획관 규제개혁법무담당관", "김관영", "044-203-6170"), ("정책기획관 규제개혁법무담당관", "이일경", "044-203-6173")]


def test_markdown_pipe_table_becomes_rows_only_when_regular(tmp_path):
    """A regular pipe table reads as tab rows (its rule line dropped, `<br>` a space), so its cells
    and contacts are found; one whose rows run wider than its header (a converter's shifted
    statistics table) stays text."""
    from bodopress.extractors import quantities
    from bodopress.extractors.document import Document
    p = tmp_path / "r.md"
    p.write_text("모의평가 지원 현황 (단위 : 명, %)\n\n| 구분 | 재학생 | 합 계 |\n| --- | --- | --- |\n"
                 "| 2026학년도<br>6월 | 413,685(82.2%) | 503,572(100%) |\n\n"
                 "| < 주요 제조업 > | |\n| --- | --- |\n| | 식료품 | 330 | (8.6) |\n| 섬유 | 88 | (2.3) |\n", encoding="utf-8")
    src = load(p)
    assert [t.rows for t in src.tables] == [[["구분", "재학생", "합 계"], ["2026학년도 6월", "413,685(82.2%)", "503,572(100%)"]]]
    assert "| 섬유 | 88 | (2.3) |" in src.text
    doc = Document.from_source(src)
    assert [(q["text"], q["value"], q["unit"]) for q in quantities.extract(doc) if q["char_start"] < src.tables[0].char_end] == [
        ("413,685", 413685.0, "count"), ("82.2%", 82.2, "percent"), ("503,572", 503572.0, "count"), ("100%", 100.0, "percent")]


def test_truncated_pdf_is_broken_not_a_crash(tmp_path, shared):
    data = (shared / "corpus" / "dev" / "156754290.pdf").read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[:900])
    with pytest.raises(LoadError) as e:
        load(tmp_path / "cut.pdf")
    assert e.value.error_type in ("pdf_broken", "empty", "no_text_layer")


def test_signature_beats_extension(tmp_path, shared):
    """A PDF named .txt is read as a PDF; offsets and the source hash come with it."""
    shutil.copy(shared / "corpus" / "dev" / "156754290.pdf", tmp_path / "misnamed.txt")
    doc = load(tmp_path / "misnamed.txt")
    assert doc.source_format == "pdf"
    assert doc.text.startswith("보도자료\n(온라인) 2026. 4. 13.(월) 16:00\n보도시점")
    assert len(doc.source_sha256) == 64 and doc.release_id == doc.source_sha256[:16]
    assert doc.created_at.isoformat() == "2026-04-10T15:18:50+09:00"


def test_pdf_contact_table_is_rendered_as_rows(shared):
    doc = load(shared / "corpus" / "dev" / "156754060.pdf")
    rows = [t.rows for t in doc.tables if any("담당 부서" in c for c in t.rows[0])][0]
    assert rows[0] == ["담당 부서", "기획조정실\n기획재정담당관", "책임자", "과 장 이하녕(044-204-7320)"]
    assert rows[1][2:] == ["담당자", "사무관 강해준(044-204-7321)"]
    table = doc.tables[0]
    assert doc.text[table.char_start:table.char_end].split("\n")[0].split("\t")[0] == doc.tables[0].rows[0][0]


def test_two_up_landscape_page_reads_left_half_first(shared):
    """156754097's first page prints two portrait pages side by side."""
    lines = load(shared / "corpus" / "dev" / "156754097.pdf").text.split("\n")
    assert lines[2:7] == ["(인터넷) 2026. 4. 12.(일) 11:00", "보도일시 배포 2026. 4. 10.(금) 오후",
                          "(지면) 2026. 4. 13.(월) 조간", "수산물 수출 포장비 최대 2천만 원 지원…", "4월 13일부터 참여업체 모집"]


def test_table_without_outer_rules_keeps_first_and_last_columns(shared):
    doc = load(shared / "corpus" / "dev" / "156754228.pdf")
    row = next(r for t in doc.tables for r in t.rows if "지주회사" in r)
    assert row[0] == "1999. 11. 27." and row[-1] == "16,089"


def test_pdf_without_text_layer(shared):
    path = shared / "corpus" / "pool" / "rhwp" / "mafra_petfood_20240305__156618554_petfood_press-2020.pdf"
    if not path.exists():
        pytest.skip("pool corpus not present")
    with pytest.raises(LoadError) as e:
        load(path)
    assert e.value.error_type == "no_text_layer"


def pdf_with_encrypt(encrypt: str) -> bytes:
    """A one-page PDF whose trailer points at this /Encrypt dictionary (no password opens it)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>", encrypt]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Encrypt 4 0 R /ID [<{'ab' * 16}> <{'ab' * 16}>] >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def _hex(n: int) -> str:
    return "<" + "5a" * n + ">"


@pytest.mark.parametrize("encrypt", [
    f"<< /Filter /Standard /V 1 /R 2 /O {_hex(32)} /U {_hex(32)} /P -4 >>",                        # RC4 40-bit
    f"<< /Filter /Standard /V 4 /R 4 /Length 128 /CF << /StdCF << /CFM /AESV2 /Length 16 >> >> "
    f"/StmF /StdCF /StrF /StdCF /O {_hex(32)} /U {_hex(32)} /P -4 >>",                              # AES-128
    f"<< /Filter /Standard /V 5 /R 6 /Length 256 /CF << /StdCF << /CFM /AESV3 /Length 32 >> >> /StmF /StdCF "
    f"/StrF /StdCF /O {_hex(48)} /U {_hex(48)} /OE {_hex(32)} /UE {_hex(32)} /Perms {_hex(16)} /P -4 >>",  # AES-256
    "<< /Filter /FOPN_foweb /V 1 >>",                                                               # a DRM handler
], ids=["rc4", "aes128", "aes256", "drm"])
def test_encrypted_pdf_is_refused_for_every_cipher(tmp_path, encrypt):
    (tmp_path / "locked.pdf").write_bytes(pdf_with_encrypt(encrypt))
    with pytest.raises(LoadError) as e:
        load(tmp_path / "locked.pdf")
    assert e.value.error_type == "pdf_encrypted" and "locked.pdf" in e.value.message


def test_pdf_tables_pages_and_text_agree(shared):
    """Every table's cells point at their text, and pages cover the text in order."""
    doc = load(shared / "corpus" / "dev" / "156754052.pdf")
    header = next(t for t in doc.tables if t.rows[0][:3] == ["연\n번", "사 업 명", "‘26년"])
    assert header.page == 7 and doc.text[slice(*header.cells[0][1])] == "사 업 명"
    assert [a for a, _ in doc.pages] == sorted(a for a, _ in doc.pages) and doc.pages[-1][1] == len(doc.text)


def test_type3_glyphs_are_measured_by_their_font_widths(shared):
    """PDFium boxes a Type 3 glyph (Hancom's ①, its commas) in its whole em square; read by
    the font's widths, the comma keeps its space after it and the circled digit its line."""
    text = load(shared / "corpus" / "dev" / "156754052.pdf").text
    assert "◇ (목적) ①고용 충격 완화, ②취약 노동자 생활 안정, ③일자리 위기" in text.split("\n")
