"""extractors.metadata and extractors.contacts: the case files, then the dev releases in every rendering."""
from __future__ import annotations

import json
from pathlib import Path


from bodopress.extractors import metadata
from bodopress.extractors.document import Document
from bodopress.extractors.extract import extract
from bodopress.extractors.loaders import load


def _stamp(v):
    return v.strftime("%Y-%m-%dT%H:%M") if v is not None else None


def _dev_sources(shared: Path):
    for gold_path in sorted((shared / "eval" / "gold-dev").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        for stem in gold["sources"]:
            for source in sorted((shared / "corpus" / "dev").glob(f"{stem}.*")):
                yield source, gold


def test_dev_releases_match_gold_metadata_and_contacts(shared):
    """Every rendering of every dev release: each release field and each contact as annotated."""
    def words(s):
        return "".join(ch for ch in (s or "") if ch.isalnum())
    checked = 0
    for source, gold in _dev_sources(shared):
        found = extract(Document.from_source(load(source)))
        release = found["release"]
        for field, want in gold["release"].items():
            got = release.get(field)
            if field.endswith("_at"):
                assert _stamp(got) == (want[:16] if want else None), (source.name, field)
            elif field in ("title", "subtitle"):
                assert words(got) == words(want), (source.name, field)
            else:
                assert got == want, (source.name, field)
        people = {(c["name"], c["phone"]): c for c in found["contacts"]}
        for want in gold["contacts"]:
            got = people.get((want["name"], want["phone"]))
            assert got is not None, (source.name, want["name"])
            assert {k: got[k] for k in want} == want, source.name
        assert len(found["contacts"]) == len(gold["contacts"]), source.name
        checked += 1
    assert checked >= 17


def test_template_fields_name_the_title_subtitle_and_ministry():
    """HWPX releases made from the government template name their cells; those names win."""
    doc = Document.from_text("보도자료\n보도시점 2026. 4. 13.(월) 13:00\n조달청, 심(心)스틸러 발굴 보이지 않는 자리에서 헌신한 직원 포상\n"
                             "조달청(청장 백승보)은 포상제도를 운영한다고 밝혔다.")
    doc.fields = {"제목명": "조달청, 심(心)스틸러 발굴", "부제목명": "보이지 않는 자리에서 헌신한 직원 포상",
                  "기관명": "광부"}                      # logo debris is no ministry
    got = metadata.extract(doc)
    assert (got["title"], got["subtitle"], got["ministry"]) == (
        "조달청, 심(心)스틸러 발굴", "보이지 않는 자리에서 헌신한 직원 포상", "조달청")


def test_real_hwpx_template_fields(shared):
    doc = Document.from_source(load(shared / "corpus" / "dev" / "156754135.hwpx"))
    assert doc.fields["제목명"] == "생명을 존중하는 안전 사회 위해,\n대통령 소속 ‘국민생명안전위원회’ 만든다"
    assert metadata.extract(doc)["subtitle"].split("\n")[1].startswith("생명안전 5대 분야")


def test_markdown_renderings_find_their_header_lines(tmp_path):
    """Markdown converters put the header anywhere: a plain or bold label line under the `# title`,
    a blockquote label with its date on the next line, or an HTML table row. The portal's own
    export prints none, only the time it posted the release: relative dates resolve against that
    posting time, with the warning that no release date was printed."""
    readhim = "# 펀드 세액공제\n\n국세청 보도참고자료\n보도시점: 2026. 4. 24.(금) 12:00 / 배포 2026. 4. 24.(금) 10:00\n---\n본문"
    quoted = "# 6차 회의 개최\n\n> 보도시점\n> (인터넷, 지면) 2026. 3. 25.(수) 14:00\n\n- 지원 지속\n---\n정부는 회의를 개최했다."
    html = ("| 광부<br>![image](image_001.png) | 보도자료 |\n|---|---|\n"
            '<tr><th rowspan="2">배포</th><th rowspan="2">2026. 3. 3.(화) 15:30</th><th>보도시점</th>'
            "<th>(인터넷)2026. 3. 4.(수) 06:00</th></tr>\n\n교육부는 3일 밝혔다.")
    got = [metadata.extract(Document.from_text(t, source_format="md")) for t in (readhim, quoted, html)]
    assert [(_stamp(g["embargo_at"]), _stamp(g["distributed_at"])) for g in got] == [
        ("2026-04-24T12:00", "2026-04-24T10:00"), ("2026-03-25T14:00", None), ("2026-03-04T06:00", "2026-03-03T15:30")]
    portal = tmp_path / "156754250.md"
    portal.write_text("# 관세청, 세정지원 실시\n\n- 부처: 관세청\n- 게시 시각: 04/13/2026 13:25:12\n\n## 본문\n\n"
                      "관세청은 지난 3월 6일(금) 발표된 방안을 점검했다.", encoding="utf-8")
    rows = extract(Document.from_source(load(portal, portal.name)))["dates"]
    assert [(r["text"], r["start"].isoformat()) for r in rows][-1] == ("지난 3월 6일(금)", "2026-03-06")
    assert rows[-1]["warning"] == "no release date in the header: resolved against the file's date 2026-04-13"


def test_the_first_contact_names_a_ministry_level_office():
    """국무조정실 ends like no ORG_WORD (실 is also a division); the ministries list knows it."""
    rows = [{"department": "국무조정실 안전환경에너지정책관실"}]
    assert metadata.ministry_from_contacts(rows) == "국무조정실"
    assert metadata.ministry_from_contacts([{"department": "기획조정실 기획재정담당관"}]) is None


def test_ministry_named_is_the_headlines_then_the_most_named():
    assert metadata.ministry_named("지식재산처, 첫 여성 기획조정관 임명", "특허청 특허청 지식재산처") == "지식재산처"
    assert metadata.ministry_named("가계생산위성계정", "국가데이터처 홈페이지 … 국가데이터처 작성 … 고용노동부") == "국가데이터처"
    assert metadata.ministry_named("공장 화재 대책회의", "고용노동부와 소방청 … 고용노동부, 소방청") is None   # a tie says nothing
    assert metadata.ministry_named(None, "국토교통부장관") is None   # inside a longer word it is no mention
