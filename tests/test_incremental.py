"""Incremental ingestion: the whole operator's story, and the ledger's planning rules.

The story: ingest two releases; a second run re-processes nothing; the ministry re-issues
one release with one amount and one date corrected; the next run (the flow the `bodo serve`
deployment runs) processes that file only, replacing its rows; `bodo diff` between the two
runs lists exactly those two changes beside their sentences; a file that vanishes keeps its
rows and is reported.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bodopress.pipeline import ledger
from bodopress.pipeline.store import Store

DEV = Path(__file__).resolve().parent / "regressions"      # real releases kept with the tests
MOTIE = "motie-2026-05-28-first-year.txt"
PDF = "156754290.pdf"
# The correction the ministry re-issues: one amount, one date (each occurs once in the release).
AMOUNT = ("360.5억 달러", "362.5억 달러")
DATE = ("'26.2월 말", "'26.1월 말")



def corrected(text: str) -> str:
    for old, new in (AMOUNT, DATE):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def rows_of(curated: Path, table: str, source: str) -> list[dict]:
    releases = pq.read_table(curated / "releases.parquet").to_pylist()
    ids = {r["release_id"] for r in releases if r["source_file"] == source}
    return [r for r in pq.read_table(curated / f"{table}.parquet").to_pylist() if r["release_id"] in ids]


@pytest.fixture
def pinned_code(monkeypatch):
    """The code version fixed for the test: an edit to extractors/ while it runs would make every file outdated."""
    from bodopress import extractors
    monkeypatch.setattr(extractors, "code_fingerprint", lambda: "pinned")


@pytest.mark.flow
def test_the_whole_story(tmp_path, capsys, pinned_code):
    from bodopress.pipeline import flows, server
    from bodopress.pipeline.cli import main

    raw, cur = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    shutil.copy(DEV / MOTIE, raw / MOTIE)
    shutil.copy(DEV / PDF, raw / PDF)
    store = Store(cur)

    with server.api():                       # one API server for every run of the story
        first = flows.run_ingest(raw, cur)
        assert first["processed"] == 2 and sorted(first["new"]) == [PDF, MOTIE]
        assert first["rows"]["releases"] == 2 and not first["errors"]
        n_quantities = len(rows_of(cur, "quantities", MOTIE))
        assert n_quantities > 20
        assert Path(first["history"]).is_dir() and first["history"].endswith(first["run_id"])

        again = flows.run_ingest(raw, cur)
        assert again["processed"] == 0 and again["unchanged"] == 2 and not again["changed"]
        assert again["history"] is None and store.snapshots() == [first["run_id"]]

        # The re-issue: same path, new bytes. The next scheduled run is this same flow.
        (raw / MOTIE).write_text(corrected((DEV / MOTIE).read_text(encoding="utf-8")), encoding="utf-8")
        third = flows.ingest(raw, cur)
        assert third["processed"] == 1 and third["changed_files"] == [MOTIE] and third["unchanged"] == 1
        assert third["rows"]["releases"] == 2
        assert len(rows_of(cur, "quantities", MOTIE)) == n_quantities          # replaced, not duplicated
        assert pq.read_table(cur / "releases.parquet").num_rows == 2
        entry = store.ledger()[MOTIE]
        assert entry["processed_run"] == third["run_id"] and entry["first_run"] == first["run_id"]
        assert third["changes"]["quantities"] == {"added": 0, "removed": 0, "changed": 1}
        assert third["changes"]["dates"] == {"added": 0, "removed": 0, "changed": 1}

        # The reviewer's report: exactly the two corrections, each beside its sentence.
        out = tmp_path / "report.json"
        assert main(["diff", first["run_id"], third["run_id"], "--curated", str(cur), "--out", str(out)]) == 0
        report = json.loads(out.read_text(encoding="utf-8"))
        changes = report["changes"]
        assert [(c["table"], c["kind"], c["source_file"]) for c in changes] == [
            ("quantities", "changed", MOTIE), ("dates", "changed", MOTIE)]
        q, d = changes
        assert q["fields"]["value"] == [36050000000.0, 36250000000.0]
        assert q["fields"]["text"] == list(AMOUNT)
        assert "외국인투자 역시 362.5억 달러를 유치" in q["sentence"]
        assert d["fields"]["text"] == list(DATE)
        assert d["fields"]["start"] == ["2026-02-01", "2026-01-01"] and d["fields"]["end"] == ["2026-02-28", "2026-01-31"]
        assert DATE[1] in d["sentence"] and d["sentence_from"] == "extracted"
        assert report["sources"]["changed"] == [MOTIE] and report["sources"]["unchanged"] == [PDF]
        assert report["summary"]["quantities"]["fields"] == {"text": 1, "value": 1}
        changes_md = (Path(third["history"]) / "changes.md").read_text(encoding="utf-8")
        assert "value 36,050,000,000 → 36,250,000,000" in changes_md         # the run's report, kept with it

        capsys.readouterr()
        assert main(["diff", first["run_id"], third["run_id"], "--curated", str(cur)]) == 0
        md = capsys.readouterr().out
        assert "value 36,050,000,000 → 36,250,000,000" in md and "**362.5억 달러**" in md

        # A file that vanished keeps its rows and is reported, by the summary and by the CLI.
        (raw / PDF).unlink()
        capsys.readouterr()
        assert main(["ingest", str(raw), "--curated", str(cur)]) == 0
    err = capsys.readouterr().err
    assert "gone from raw/" in err and f"missing {PDF}" in err
    assert pq.read_table(cur / "releases.parquet").num_rows == 2
    assert store.ledger()[PDF]["missing_since"]
    assert store.runs()[-1]["missing"] == [PDF]
    assert len(store.snapshots()) == 2      # no table changed: no new snapshot


# --- the planning rules, without Prefect -------------------------------------------------------

V1 = ledger.Version("0.1.0", "aaaa", None)


def _entry(path: Path, raw: Path, version=V1, **kw) -> dict:
    st = path.stat()
    row = {"source_file": path.relative_to(raw).as_posix(), "source_sha256": ledger.sha256_file(path),
           "size": st.st_size, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns, "inode": st.st_ino,
           "release_id": "r", "status": "ok", "error_type": None,
           "extractor_version": version.extractor_version, "code_fingerprint": version.code_fingerprint,
           "law_names_sha256": version.law_names_sha256, "first_run": "r0", "processed_run": "r0",
           "processed_at": None, "missing_since": None}
    row.update(kw)
    return row


def _files(raw: Path, pattern: str = "*.txt") -> list[tuple[str, Path]]:
    return [(p.relative_to(raw).as_posix(), p) for p in sorted(raw.glob(pattern))]


def test_plan_sorts_files_into_work_and_no_work(tmp_path):
    raw = tmp_path
    for name, text in {"a.txt": "보도자료 가", "b.txt": "보도자료 나", "c.txt": "보도자료 다", "d.txt": "보도자료 라"}.items():
        (raw / name).write_text(text, encoding="utf-8")
    entries = {e["source_file"]: e for e in (_entry(raw / n, raw) for n in ("a.txt", "b.txt", "c.txt"))}
    entries["c.txt"]["code_fingerprint"] = "old"                       # extracted by other code
    entries["gone.txt"] = dict(entries["a.txt"], source_file="gone.txt", source_sha256="0" * 64)
    (raw / "b.txt").write_text("보도자료 나 (정정)", encoding="utf-8")     # re-issued
    p = ledger.plan(raw, _files(raw), entries, V1)
    assert (p.new, p.changed, p.outdated, p.unchanged, p.missing) == (
        ["d.txt"], ["b.txt"], ["c.txt"], ["a.txt"], ["gone.txt"])
    assert [x.name for x in p.todo] == ["b.txt", "c.txt", "d.txt"]
    assert ledger.plan(raw, _files(raw), entries, V1, force=True).unchanged == []


def test_plan_retries_a_transient_error_and_not_a_broken_file(tmp_path):
    raw = tmp_path
    (raw / "a.txt").write_text("보도자료 가", encoding="utf-8")
    (raw / "b.txt").write_text("보도자료 나", encoding="utf-8")
    entries = {"a.txt": _entry(raw / "a.txt", raw, status="error", error_type="timeout", release_id=None),
               "b.txt": _entry(raw / "b.txt", raw, status="stale", error_type="empty")}
    p = ledger.plan(raw, _files(raw), entries, V1)
    assert (p.retried, p.unchanged) == (["a.txt"], ["b.txt"])


def test_plan_notices_a_move_and_a_law_list_change(tmp_path):
    raw = tmp_path
    (raw / "new").mkdir()
    (raw / "new" / "a.txt").write_text("보도자료 가", encoding="utf-8")
    old = _entry(raw / "new" / "a.txt", raw)
    entries = {"old/a.txt": dict(old, source_file="old/a.txt")}
    files = [("new/a.txt", raw / "new" / "a.txt")]
    p = ledger.plan(raw, files, entries, V1)
    assert p.moved == {"old/a.txt": "new/a.txt"} and p.missing == [] and p.new == ["new/a.txt"]

    entries = {"new/a.txt": old}
    with_list = ledger.Version("0.1.0", "aaaa", "f" * 64)
    assert ledger.plan(raw, files, entries, with_list).outdated == ["new/a.txt"]


def test_plan_trusts_size_mtime_ctime_and_inode_and_hashes_otherwise(tmp_path):
    raw = tmp_path
    f = raw / "a.txt"
    f.write_text("보도자료 가", encoding="utf-8")
    entry = _entry(f, raw, source_sha256="stale-but-trusted")
    assert ledger.plan(raw, [("a.txt", f)], {"a.txt": entry}, V1).unchanged == ["a.txt"]   # not re-read
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))                   # touched: hashed again
    assert ledger.plan(raw, [("a.txt", f)], {"a.txt": entry}, V1).changed == ["a.txt"]


def test_an_edit_that_keeps_size_and_restores_mtime_is_seen(tmp_path):
    raw = tmp_path
    f = raw / "a.txt"
    f.write_text("보도자료 가", encoding="utf-8")
    entry = _entry(f, raw)
    st = f.stat()
    time.sleep(0.05)                                      # past the clock's tick: the ctime moves
    f.write_text("보도자료 나", encoding="utf-8")            # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))      # the old mtime back
    assert (f.stat().st_size, f.stat().st_mtime_ns) == (entry["size"], entry["mtime_ns"])
    assert ledger.plan(raw, [("a.txt", f)], {"a.txt": entry}, V1).changed == ["a.txt"]


def test_the_ledger_after_a_run_records_stats_and_keeps_a_broken_files_release(tmp_path):
    from bodopress.pipeline.tasks import error_result, process_file
    raw = tmp_path
    (raw / "a.txt").write_text("보도자료 가", encoding="utf-8")
    (raw / "b.txt").write_text("보도자료 나", encoding="utf-8")
    known = {"a.txt": _entry(raw / "a.txt", raw, source_sha256="0" * 64, release_id="old-a")}
    p = ledger.plan(raw, _files(raw), known, V1)
    results = [error_result("a.txt", "1" * 64, "load", "empty", "a.txt is empty."),
               process_file(raw / "b.txt", "b.txt")]
    entries = ledger.updated_entries(known, p, results, V1, "r1")
    a, b = entries["a.txt"], entries["b.txt"]
    assert (a["status"], a["release_id"], a["error_type"], a["first_run"]) == ("stale", "old-a", "empty", "r0")
    st = (raw / "b.txt").stat()
    assert (b["status"], b["first_run"], b["processed_run"]) == ("ok", "r1", "r1")
    assert (b["size"], b["mtime_ns"], b["ctime_ns"], b["inode"]) == (
        st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    assert b["release_id"] == results[1].rows["releases"][0]["release_id"]
