"""extractors.laws: the case file, the official-name list, and one real release pinned."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bodopress.extractors import dates, laws
from bodopress.extractors.document import Document

HERE = Path(__file__).parent
LAW_NAMES = Path(laws.__file__).parent / "data" / "laws_official_names.tsv"   # shipped as package data


@pytest.fixture(scope="module")
def law_names():
    return laws.LawNames.from_file(LAW_NAMES)


def test_rows_validate_against_the_schema(law_names):
    from bodopress.schemas import Law
    doc = Document.from_text("「대미투자특별법」을 제정('26.3)하고 「독점규제 및 공정거래에 관한 법률」 개정 노조법")
    rows = laws.extract(doc, dates.extract(doc, date(2026, 5, 28)), law_names)
    assert len(rows) == 3
    for r in rows:
        Law(release_id="x", **r)


def test_law_names_file(law_names, tmp_path):
    assert len(law_names) == 5579   # 5,581 names, two pairs differ only in spacing (가축전염병 예방법)
    assert law_names.match("독점규제 및 공정거래에 관한 법률") == "독점규제 및 공정거래에 관한 법률"
    assert law_names.match("초·중등교육법") == "초ㆍ중등교육법"            # · and ㆍ are one dot
    assert law_names.match("초ㆍ중등 교육법 시행령") == "초ㆍ중등교육법 시행령"   # spacing ignored
    assert law_names.match("공정거래법") is None                           # short names are not official
    tsv = tmp_path / "names.tsv"
    tsv.write_text("name\ttype\n상훈법\t법률\n# comment\n", encoding="utf-8")
    assert laws.LawNames.from_file(tsv).match("상훈법") == "상훈법" and len(laws.LawNames.from_file(tsv)) == 1


def test_official_names_ship_with_the_package():
    """`official_name` is filled without `--law-names`; a user's list adds to the shipped one."""
    official = laws.LawNames.official()
    assert len(official) == 5579 and official.match("화평법") == "화학물질의 등록 및 평가 등에 관한 법률"
    doc = Document.from_text("공정거래법상 의무와 관세법 시행령, 그리고 바다숲조성법 개정")
    assert [r["official_name"] for r in laws.extract(doc, [])] == [
        "독점규제 및 공정거래에 관한 법률", "관세법 시행령", None]
    user = laws.LawNames(["바다숲 조성법"])
    assert [r["official_name"] for r in laws.extract(doc, [], user)] == [
        "독점규제 및 공정거래에 관한 법률", "관세법 시행령", "바다숲 조성법"]
    short = [ln.split("\t") for ln in laws._words("laws_abbreviations.tsv")]
    assert [full for _, full in short if official.match(full) != full] == []   # every target is official


def test_every_official_name_reads_as_a_law():
    """No method word or generic word in the data files rejects a real law's name."""
    names = [n for n in laws.LawNames.official().names() if laws.ENDS_LAW.search(laws._squash(n))]
    assert len(names) > 4000
    assert [n for n in names if not laws.is_law_name(n)] == []


def test_motie_release_names():
    """The dev release the issue came from: every required name, nothing else but the optional decree."""
    path = HERE / "regressions" / "motie-2026-05-28-first-year.txt"
    gold_path = HERE / "regressions" / "motie-2026-05-28-first-year.gold.json"
    from bodopress.extractors.loaders import load
    doc = Document.from_source(load(path))
    rows = laws.extract(doc, dates.extract(doc, date(2026, 5, 28)))
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["laws"]
    required = {laws._squash(g["name"]): g["provisional"] for g in gold if not g.get("optional")}
    optional = {laws._squash(g["name"]): g["provisional"] for g in gold if g.get("optional")}
    found = {laws._squash(r["name"]): r["provisional"] for r in rows}
    assert found == required | optional   # the optional one is `석유화학특별법 시행령` (및 시행령 제정)
    first = [(r["action"], r["action_date"]) for r in rows if r["name"] == "대미투자특별법"]
    assert first == [("제정", date(2026, 3, 1)), ("제정", None), ("제정", date(2026, 3, 17))]
    table = [r for r in rows if r["name"] == "사용후배터리법"]
    assert [(r["action"], r["action_date"]) for r in table] == [("국회 통과", date(2026, 4, 1))]
