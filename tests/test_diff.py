"""`bodo diff` and `bodo reextract`: rows aligned per source and natural key, every change beside its sentence."""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bodopress.pipeline import ledger, review
from bodopress.pipeline.review.compare import TABLE_ORDER
from bodopress.pipeline.store import Change, Store

DEV = Path(__file__).resolve().parent / "regressions"      # real releases kept with the tests
MOTIE = "motie-2026-05-28-first-year.txt"


def q(text, value, start, sentence="문장", unit="KRW", **kw):
    return dict({"release_id": "r", "text": text, "value": value, "value_max": None, "unit": unit,
                 "counter": None, "qualifier": None, "char_start": start, "char_end": start + len(text),
                 "sentence": sentence, "rule": "number_unit"}, **kw)


def state(label, quantities=(), releases=None, **tables) -> review.State:
    rel = releases or [{"release_id": "r", "source_file": "a.txt", "source_sha256": "s", "title": "보도자료"}]
    t = {name: [] for name in TABLE_ORDER}
    t.update(releases=rel, quantities=list(quantities), **tables)
    return review.State(label, t)


# --- alignment ----------------------------------------------------------------------------------

def test_a_corrected_amount_is_one_change_not_a_removal_and_an_addition():
    old = [q("3억원", 3e8, 10), q("5억원", 5e8, 40), q("7억원", 7e8, 80)]
    new = [q("3억원", 3e8, 10), q("6억원", 6e8, 40), q("7억원", 7e8, 80)]
    r = review.compare(state("old", old), state("new", new))
    assert [(c["kind"], c["fields"]) for c in r["changes"]] == [
        ("changed", {"text": ["5억원", "6억원"], "value": [5e8, 6e8]})]
    assert r["summary"]["quantities"] == {"added": 0, "removed": 0, "changed": 1,
                                          "fields": {"text": 1, "value": 1}}


def test_shifted_offsets_sentence_and_rule_alone_are_no_change():
    old = [q("3억원", 3e8, 10, "가 문장"), q("3억원", 3e8, 50)]
    new = [q("3억원", 3e8, 12, "가 문장 (정정)", rule="other"), q("3억원", 3e8, 52)]
    assert review.compare(state("o", old), state("n", new))["changes"] == []


def test_duplicates_align_in_document_order_and_extra_rows_are_added():
    old = [q("1%", 1, 0, unit="percent"), q("2%", 2, 10, unit="percent")]
    new = [q("1%", 1, 0, unit="percent"), q("1%", 1, 5, unit="percent"), q("2%", 2, 12, unit="percent")]
    r = review.compare(state("o", old), state("n", new))
    assert [(c["kind"], c["new"]["char_start"]) for c in r["changes"]] == [("added", 5)]


def test_unlike_leftovers_are_not_forced_into_pairs():
    old = [q("3억원", 3e8, 10, "예산 3억원을 투입"), q("40명", 40, 30, "인원 40명", unit="persons")]
    new = [q("3억원", 3e8, 10, "예산 3억원을 투입"), q("12개국", 12, 30, "해외 12개국 참가", unit="count"),
           q("2건", 2, 50, "협약 2건", unit="count")]
    kinds = sorted(c["kind"] for c in review.compare(state("o", old), state("n", new))["changes"])
    assert kinds == ["added", "added", "removed"]


def test_sources_align_by_path_not_release_id_and_releases_compare_field_by_field():
    old_rel = [{"release_id": "r1", "source_file": "a.txt", "source_sha256": "s1", "title": "수출 7천억불",
                "n_chars": 10, "extractor_version": "0.1.0"}]
    new_rel = [{"release_id": "r2", "source_file": "a.txt", "source_sha256": "s2", "title": "수출 7천억불 돌파",
                "n_chars": 12, "extractor_version": "0.2.0"}]
    dates_old = [{"release_id": "r1", "text": "5월", "start": date(2026, 5, 1), "end": date(2026, 5, 31),
                  "char_start": 0, "char_end": 2}]
    dates_new = [dict(dates_old[0], release_id="r2")]
    r = review.compare(state("o", releases=old_rel, dates=dates_old), state("n", releases=new_rel, dates=dates_new))
    assert [(c["table"], c["fields"]) for c in r["changes"]] == [
        ("releases", {"title": ["수출 7천억불", "수출 7천억불 돌파"]})]
    assert r["sources"]["changed"] == ["a.txt"]


def test_an_added_source_is_one_line_with_its_row_counts():
    new_rel = [{"release_id": "r", "source_file": "a.txt", "source_sha256": "s", "title": "보도자료"},
               {"release_id": "z", "source_file": "b.txt", "source_sha256": "z", "title": "새 보도자료"}]
    new = state("n", [q("3억원", 3e8, 10), q("1명", 1, 20, release_id="z")], releases=new_rel)
    r = review.compare(state("o", [q("3억원", 3e8, 10)]), new)
    assert [(c["source_file"], c["kind"], c["rows"]) for c in r["changes"]] == [
        ("b.txt", "source added", {"quantities": 1})]
    assert "source added: 1 quantities" in review.to_markdown(r)


# --- rows carry their sentence ------------------------------------------------------------------

def test_a_change_shows_the_sentence_its_row_carries():
    old = [q("5억원", 5e8, 40, "예산 5억원을 투입")]
    new = [q("6억원", 6e8, 40, "예산 6억원을 투입")]
    (c,) = review.compare(state("o", old), state("n", new))["changes"]
    assert (c["sentence"], c["sentence_from"], c["text"]) == ("예산 6억원을 투입", "extracted", "6억원")
    assert "| quantities | text 5억원 → 6억원; value 500,000,000 → 600,000,000 | 예산 **6억원**을 투입 |" in \
        review.to_markdown(review.compare(state("o", old), state("n", new)))


def test_a_row_without_a_sentence_falls_back_to_its_old_side_or_says_so():
    old = [q("5억원", 5e8, 40, "예산 5억원을 투입"), q("2명", 2, 90, None, unit="persons")]
    new = [q("6억원", 6e8, 40, None), q("3명", 3, 90, None, unit="persons")]
    r = review.compare(state("o", old), state("n", new))
    assert [(c["sentence"], c["sentence_from"]) for c in r["changes"]] == [("예산 5억원을 투입", "extracted"),
                                                                           (None, None)]
    assert "(no sentence: the row was curated before rows kept their sentence)" in review.to_markdown(r)


# --- real releases, no Prefect ------------------------------------------------------------------

V = ledger.Version("0.1.0", "test", None)


def _curate(raw: Path, name: str, text: str, out: Path) -> None:
    from bodopress.pipeline.tasks import process_file
    raw.mkdir()
    (raw / name).write_text(text, encoding="utf-8")
    plan = ledger.plan(raw, [(name, raw / name)], {}, V)
    results = [process_file(raw / name, name)]
    run_id = ledger.new_run_id()
    Store(out).commit(Change(results, ledger.updated_entries({}, plan, results, V, run_id), {"run_id": run_id}))
    shutil.rmtree(raw)            # the diff reads curated tables only


@pytest.fixture(scope="module")
def two_states(tmp_path_factory):
    base = tmp_path_factory.mktemp("diff")
    text = (DEV / MOTIE).read_text(encoding="utf-8")
    _curate(base / "raw_old", MOTIE, text, base / "old")
    fixed = text.replace("360.5억 달러", "362.5억 달러").replace("'26.2월 말", "'26.1월 말")
    _curate(base / "raw", MOTIE, fixed, base / "new")
    return base


def test_report_formats_from_the_cli(two_states, capsys):
    from bodopress.pipeline.cli import main
    base = two_states
    for name in ("r.md", "r.html", "r.json"):
        assert main(["diff", str(base / "old"), str(base / "new"), "--out", str(base / name)]) == 0
    report = json.loads((base / "r.json").read_text(encoding="utf-8"))
    assert [(c["table"], c["text"]) for c in report["changes"]] == [("quantities", "362.5억 달러"),
                                                                       ("dates", "'26.1월 말")]
    date_change = report["changes"][1]
    assert date_change["sentence_from"] == "extracted" and "'26.1월 말" in date_change["sentence"]
    md = (base / "r.md").read_text(encoding="utf-8")
    assert "| dates | text '26.2월 말 → '26.1월 말; start 2026-02-01 → 2026-01-01; end 2026-02-28 → 2026-01-31 |" in md
    page = (base / "r.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<script>" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page   # no external asset
    capsys.readouterr()
    assert main(["diff", str(base / "old"), str(base / "new"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["dates"]["changed"] == 1
    assert main(["diff", "no-such-run", str(base / "new"), "--curated", str(base)]) == 2


def test_the_diff_never_loads_a_raw_file(two_states, monkeypatch):
    from bodopress.extractors import loaders
    from bodopress.extractors.document import Document

    def refuse(*a, **kw):
        raise AssertionError("the diff loaded a raw file")
    monkeypatch.setattr(loaders, "load", refuse)
    monkeypatch.setattr(Document, "from_source", refuse)
    assert not (two_states / "raw").exists() and not (two_states / "raw_old").exists()
    r = review.diff_dirs(two_states / "old", two_states / "new")
    assert [(c["table"], c["sentence_from"]) for c in r["changes"]] == [("quantities", "extracted"),
                                                                       ("dates", "extracted")]
    assert "외국인투자 역시 362.5억 달러를 유치" in r["changes"][0]["sentence"]


def test_a_state_diffed_against_itself_is_empty(two_states):
    r = review.diff_dirs(two_states / "new", two_states / "new")
    assert r["changes"] == [] and r["sources"]["unchanged"] == [MOTIE]
    assert "No value changed." in review.to_markdown(r)


# --- bodo reextract ------------------------------------------------------------------------------

@pytest.fixture
def pinned_code(monkeypatch):
    """The code version fixed for the test: an edit to extractors/ while it runs would make every file outdated."""
    from bodopress import extractors
    monkeypatch.setattr(extractors, "code_fingerprint", lambda: "pinned")


@pytest.mark.flow
def test_reextract_stages_diffs_and_accepts(tmp_path, pinned_code):
    from bodopress.pipeline import flows, server
    from bodopress.pipeline.cli import main

    raw, cur = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    shutil.copy(DEV / MOTIE, raw / MOTIE)
    store = Store(cur)
    with server.api():                      # one API server for the three runs
        first = flows.run_ingest(raw, cur)
        live = (cur / "laws.parquet").read_bytes()

        # A new "extractor version": a user's list of official law names, so a law the shipped list
        # does not know gains its official_name.
        names = tmp_path / "laws.txt"
        names.write_text("반도체특별법\n", encoding="utf-8")
        out = flows.reextract(raw, cur, str(names))
        assert (cur / "laws.parquet").read_bytes() == live          # staged only: curated untouched
        changes = out["report"]["changes"]
        assert {(c["table"], tuple(c["fields"])) for c in changes} == {("laws", ("official_name",))}
        assert len(changes) == 2 and all(c["fields"]["official_name"] == [None, "반도체특별법"] for c in changes)
        assert all("반도체특별법" in c["sentence"] and c["sentence_from"] == "extracted" for c in changes)
        for fmt_name in ("md", "html", "json"):
            assert (cur / "_staging" / f"diff.{fmt_name}").exists()

        # --accept reuses the staging (nothing moved since) and promotes it, keeping the old version.
        assert main(["reextract", str(raw), "--curated", str(cur), "--law-names", str(names), "--accept"]) == 0
        laws = pq.read_table(cur / "laws.parquet").to_pylist()
        assert {r["official_name"] for r in laws if r["name"] == "반도체특별법"} == {"반도체특별법"}
        assert not (cur / "_staging").exists()
        kept = store.snapshots()
        assert kept[0] == first["run_id"] and len(kept) == 2
        old_laws = pq.read_table(cur / "_history" / kept[0] / "laws.parquet").to_pylist()
        assert {r["official_name"] for r in old_laws if r["name"] == "반도체특별법"} == {None}
        assert store.runs()[-1]["kind"] == "reextract"
        # The promoted ledger knows the list: an ingest with it has nothing to redo.
        again = flows.run_ingest(raw, cur, str(names))
    assert again["processed"] == 0 and again["unchanged"] == 1
