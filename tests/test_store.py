"""pipeline.store: contract schema and metadata, merges by release, all-or-nothing commits, recovery, snapshots.

Every test runs the store as a run does, without Prefect: discover, plan against the
ledger, process the files to do, commit (`ingest` below).
"""
from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bodopress.pipeline import ledger as L
from bodopress.pipeline import store as S
from bodopress.pipeline.store import COMMIT, MANIFEST, Change, Store, StoreError
from bodopress.pipeline.tasks import discover, process_file
from bodopress.schemas import CONTRACT_VERSION, TABLES, arrow_schema

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "보도시점 2026. 5. 28.(목) 10:00\n\n위기는 관리\n\n수출 7,093억 달러를 기록하였다.\n\n담당부서\t기획조정실\t책임자\t과 장\t손용하 (044-203-5520)\n"
V = L.Version("0.1.0", "test", None)


def ingest(raw: Path, curated: Path, force: bool = False, keep_history: int = S.KEEP_HISTORY) -> dict[str, int]:
    """One run without Prefect: the files the ledger says to process, one commit."""
    store = Store(curated)
    with store.locked():
        files, refused = discover(raw)
        known = store.ledger()
        plan = L.plan(raw, files, known, V, force)
        results = [process_file(path, rel) for rel, path in files if path in plan.todo] + refused
        run_id = L.new_run_id()
        entries = L.updated_entries(known, plan, results, V, run_id)
        return store.commit(Change(results, entries, {"run_id": run_id}), keep_history)


def usd(curated: Path) -> list[float]:
    return sorted(q["value"] for q in Store(curated).read("quantities").to_pylist() if q["unit"] == "USD")


@pytest.fixture
def raw(tmp_path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(SAMPLE, encoding="utf-8")
    return raw


def test_tables_follow_the_contract_and_reruns_do_not_duplicate(raw, tmp_path):
    curated = tmp_path / "curated"
    (raw / "broken.txt").write_bytes(b"")
    first = ingest(raw, curated)
    assert first["releases"] == 1 and first["errors"] == 1 and first["contacts"] == 1
    assert set(first) == set(TABLES)
    for table in first:
        t = pq.read_table(curated / f"{table}.parquet")
        assert t.schema.metadata[b"bodo.contract"] == CONTRACT_VERSION.encode()
        assert t.schema.equals(arrow_schema(table), check_metadata=False)
    err = Store(curated).read("errors").to_pylist()[0]
    assert (err["source_file"], err["stage"], err["error_type"]) == ("broken.txt", "load", "empty")
    tables = {t: (curated / f"{t}.parquet").read_bytes() for t in TABLES}
    assert ingest(raw, curated, force=True) == first                 # same files re-processed, same rows
    assert {t: (curated / f"{t}.parquet").read_bytes() for t in TABLES} == tables   # and no table rewritten
    assert not list(curated.glob(".*.tmp")) and not (curated / COMMIT).exists()


def test_a_changed_file_replaces_its_rows_and_others_are_kept(raw, tmp_path):
    curated = tmp_path / "curated"
    (raw / "b.txt").write_text(SAMPLE.replace("손용하", "이수연"), encoding="utf-8")
    ingest(raw, curated)
    (raw / "a.txt").write_text(SAMPLE.replace("7,093억", "7,100억"), encoding="utf-8")
    ingest(raw, curated)                                             # only a.txt is processed in this run
    assert sorted(r["source_file"] for r in Store(curated).read("releases").to_pylist()) == ["a.txt", "b.txt"]
    assert usd(curated) == [709300000000.0, 710000000000.0]    # b's old row, a's new row; a's old row gone
    assert sorted(c["name"] for c in Store(curated).read("contacts").to_pylist()) == ["손용하", "이수연"]
    assert Store(curated).read("texts").num_rows == 2


def test_a_failed_write_leaves_the_old_tables_and_no_commit(raw, tmp_path, monkeypatch):
    curated = tmp_path / "curated"
    ingest(raw, curated)
    before = {p.name: p.read_bytes() for p in curated.glob("*.parquet")}
    (raw / "b.txt").write_text(SAMPLE.replace("손용하", "이수연"), encoding="utf-8")
    calls = {"n": 0}
    real = S.write_parquet

    def failing(data, path):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(data, path)

    monkeypatch.setattr(S, "write_parquet", failing)
    with pytest.raises(OSError, match="disk full"):
        ingest(raw, curated)
    assert calls["n"] == 3
    monkeypatch.undo()
    assert (curated / COMMIT).is_dir() and not (curated / COMMIT / MANIFEST).exists()
    assert Store(curated).recover() == ["rolled back an unfinished commit"]
    assert {p.name: p.read_bytes() for p in curated.glob("*.parquet")} == before
    assert not (curated / COMMIT).exists() and not list(curated.glob(".*.tmp"))
    assert len(Store(curated).snapshots()) == 1


def test_a_commit_killed_after_its_manifest_is_rolled_forward(raw, tmp_path, monkeypatch):
    curated = tmp_path / "curated"
    ingest(raw, curated)
    first = Store(curated).head()
    (raw / "b.txt").write_text(SAMPLE.replace("손용하", "이수연"), encoding="utf-8")
    calls = {"n": 0}
    real = os.replace

    def dies(src, dst):                   # the manifest lands, one table is renamed, then the process dies
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(os, "replace", dies)
    with pytest.raises(KeyboardInterrupt):
        ingest(raw, curated)
    monkeypatch.undo()
    assert (curated / COMMIT / MANIFEST).exists()
    assert pq.read_metadata(curated / "releases.parquet").num_rows == 2         # half new, half old
    assert pq.read_metadata(curated / "contacts.parquet").num_rows == 1
    run_id = json.loads((curated / COMMIT / MANIFEST).read_text(encoding="utf-8"))["run"]["run_id"]
    store = Store(curated)
    assert store.recover() == [f"rolled forward run {run_id}"]
    assert not (curated / COMMIT).exists()
    assert store.head() == run_id != first and store.snapshots() == [first, run_id]
    assert sorted(r["source_file"] for r in store.read("releases").to_pylist()) == ["a.txt", "b.txt"]
    assert sorted(c["name"] for c in store.read("contacts").to_pylist()) == ["손용하", "이수연"]
    assert [r["run_id"] for r in store.runs()] == [first, run_id]
    assert store.recover() == []                                     # nothing left to do, nothing logged twice
    assert [r["run_id"] for r in store.runs()] == [first, run_id]


def test_a_retried_commit_snapshots_the_tables_it_leaves(raw, tmp_path, monkeypatch):
    """The flow's commit task retries in the same process: the retry must snapshot what is live."""
    curated = tmp_path / "curated"
    ingest(raw, curated)
    (raw / "b.txt").write_text(SAMPLE.replace("손용하", "이수연"), encoding="utf-8")
    store = Store(curated)
    files, _ = discover(raw)
    plan = L.plan(raw, files, store.ledger(), V)
    results = [process_file(path, rel) for rel, path in files if path in plan.todo]
    run_id = L.new_run_id()
    change = Change(results, L.updated_entries(store.ledger(), plan, results, V, run_id), {"run_id": run_id})
    calls = {"n": 0}
    real = os.replace

    def flaky(src, dst):                  # the manifest lands, one table is renamed, then a rename fails
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("transient")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError):
        store.commit(change)
    monkeypatch.undo()
    store.commit(change)
    snap = curated / "_history" / run_id
    assert {n: (snap / n).read_bytes() == (curated / n).read_bytes() for n in store.files()} == \
        {n: True for n in store.files()}


def test_curated_files_get_the_umask_mode_and_snapshots_are_read_only(raw, tmp_path):
    curated = tmp_path / "curated"
    old = os.umask(0o022)
    try:
        ingest(raw, curated)
    finally:
        os.umask(old)
    for name in Store(curated).files():
        assert stat.S_IMODE((curated / name).stat().st_mode) == 0o644, name
    snap = curated / "_history" / Store(curated).head()
    for name in Store(curated).files():
        assert stat.S_IMODE((snap / name).stat().st_mode) == 0o444, name


def test_snapshots_are_copies_and_unchanged_tables_share_one_inode(raw, tmp_path):
    curated = tmp_path / "curated"
    store = Store(curated)
    (raw / "broken.txt").write_bytes(b"")
    ingest(raw, curated)
    (raw / "a.txt").write_text(SAMPLE.replace("7,093억", "7,100억"), encoding="utf-8")
    ingest(raw, curated)                      # a.txt's rows change (a new release id); errors and laws do not
    first, second = (curated / "_history" / r for r in store.snapshots())
    for name in store.files():
        live = os.stat(curated / name).st_ino
        assert os.stat(first / name).st_ino != live and os.stat(second / name).st_ino != live, name
        assert (second / name).read_bytes() == (curated / name).read_bytes(), name
    for name in ("errors.parquet", "laws.parquet"):
        assert os.stat(first / name).st_ino == os.stat(second / name).st_ino, name
        assert os.stat(second / name).st_nlink == 2
        assert stat.S_IMODE(os.stat(second / name).st_mode) == 0o444
    assert os.stat(first / "quantities.parquet").st_ino != os.stat(second / "quantities.parquet").st_ino
    assert os.stat(first / L.LEDGER).st_ino != os.stat(second / L.LEDGER).st_ino
    kept = (second / "quantities.parquet").read_bytes()
    with open(curated / "quantities.parquet", "r+b") as f:      # a tool writing a live table in place
        f.write(b"XXXX")
    assert (second / "quantities.parquet").read_bytes() == kept    # does not rewrite history


def test_a_corrupt_live_table_is_restored_from_the_newest_snapshot(raw, tmp_path):
    curated = tmp_path / "curated"
    store = Store(curated)
    ingest(raw, curated)
    (raw / "b.txt").write_text(SAMPLE.replace("손용하", "이수연"), encoding="utf-8")
    ingest(raw, curated)
    newest = curated / "_history" / store.snapshots()[-1]
    good = (curated / "contacts.parquet").read_bytes()
    (curated / "contacts.parquet").write_bytes(good[: len(good) // 2])         # truncated
    store.recover()
    assert (curated / "contacts.parquet").read_bytes() == (newest / "contacts.parquet").read_bytes() == good
    assert os.stat(curated / "contacts.parquet").st_ino != os.stat(newest / "contacts.parquet").st_ino
    assert sorted(c["name"] for c in store.read("contacts").to_pylist()) == ["손용하", "이수연"]
    shutil.rmtree(curated / "_history")
    (curated / "laws.parquet").write_bytes(b"not parquet")
    with pytest.raises(StoreError, match="laws.parquet is corrupt"):
        store.recover()


def test_identical_bytes_at_two_paths_are_one_release(raw, tmp_path):
    curated = tmp_path / "curated"
    (raw / "copy").mkdir()
    shutil.copy(raw / "a.txt", raw / "copy" / "a.txt")
    counts = ingest(raw, curated)
    store = Store(curated)
    assert counts["releases"] == 1 and counts["contacts"] == 1 and usd(curated) == [709300000000.0]
    led = store.ledger()
    assert led["a.txt"]["release_id"] == led["copy/a.txt"]["release_id"]
    assert store.read("releases").column("source_file").to_pylist() == ["a.txt"]
    (raw / "a.txt").write_text(SAMPLE.replace("7,093억", "7,100억"), encoding="utf-8")
    ingest(raw, curated)
    assert usd(curated) == [709300000000.0, 710000000000.0]    # the copy keeps the old rows
    releases = {r["release_id"]: r["source_file"] for r in store.read("releases").to_pylist()}
    led = store.ledger()
    assert releases == {led["a.txt"]["release_id"]: "a.txt", led["copy/a.txt"]["release_id"]: "copy/a.txt"}


def test_a_file_turned_broken_keeps_its_last_good_rows(raw, tmp_path):
    curated = tmp_path / "curated"
    store = Store(curated)
    ingest(raw, curated)
    good = store.read("releases").to_pylist()
    (raw / "a.txt").write_bytes(b"")
    counts = ingest(raw, curated)
    assert store.read("releases").to_pylist() == good and usd(curated) == [709300000000.0]
    entry = store.ledger()["a.txt"]
    assert (entry["status"], entry["error_type"], entry["release_id"]) == ("stale", "empty", good[0]["release_id"])
    assert [(e["source_file"], e["error_type"]) for e in store.read("errors").to_pylist()] == [("a.txt", "empty")]
    assert counts["errors"] == 1 and counts["releases"] == 1
    (raw / "a.txt").write_text(SAMPLE, encoding="utf-8")           # fixed: ok again, the error row goes
    ingest(raw, curated)
    assert store.ledger()["a.txt"]["status"] == "ok" and store.read("errors").num_rows == 0
    (raw / "a.txt").write_bytes(b"")
    (raw / "b.txt").write_bytes(b"")                           # never good: an error, no rows
    ingest(raw, curated)
    assert store.ledger()["b.txt"]["status"] == "error" and store.ledger()["b.txt"]["release_id"] is None


def test_prune_keeps_the_newest_and_resolve_takes_a_prefix(raw, tmp_path):
    curated = tmp_path / "curated"
    store = Store(curated)
    ids = []
    for n in range(4):
        (raw / "a.txt").write_text(SAMPLE.replace("7,093억", f"7,09{n}억"), encoding="utf-8")
        ingest(raw, curated)
        ids.append(store.head())
    assert store.snapshots() == ids and [r["run_id"] for r in store.runs()] == ids
    assert store.prune(2) == ids[:2] and store.snapshots() == ids[2:]
    newest = curated / "_history" / ids[3]
    assert (newest / "releases.parquet").read_bytes() == (curated / "releases.parquet").read_bytes()
    assert store.resolve(ids[3][:-1]) == curated / "_history" / ids[3]
    with pytest.raises(FileNotFoundError, match="bodo history"):
        store.resolve("no-such-run")


def test_sample_releases_in_raw_ingest(tmp_path):
    copy = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", copy)
    counts = ingest(copy, tmp_path / "curated")
    assert counts["errors"] == 0 and counts["releases"] == len(list(copy.iterdir()))
    releases = {r["source_file"]: r for r in Store(tmp_path / "curated").read("releases").to_pylist()}
    pdf = releases["sample-2026-06-02-export-vouchers.pdf"]
    txt = releases["sample-2026-06-02-export-vouchers.txt"]
    for field in ("ministry", "embargo_at", "edition", "distributed_at"):
        assert pdf[field] == txt[field], field
    assert txt["ministry"] == "산업통상부" and txt["edition"] == "조간"


def test_readme_queries_run_on_curated_output(tmp_path, monkeypatch):
    """The pandas and DuckDB examples of README.md run as written against an ingested directory."""
    import re

    import duckdb

    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    ingest(tmp_path / "raw", tmp_path / "curated")
    monkeypatch.chdir(tmp_path)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    python = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    scope: dict = {}
    exec(python.replace("money.merge(", "result = money.merge("), scope)
    assert len(scope["result"]) > 0 and set(scope["result"]["ministry"]) == {"산업통상부"}
    sql = re.search(r"```sql\n(.*?)```", readme, re.S).group(1)
    rows = duckdb.sql(sql).fetchall()
    assert ("산업통상부", "무역보험법", "개정") in {r[:3] for r in rows}


def test_one_writer_at_a_time(tmp_path):
    import threading
    import time

    curated = tmp_path / "curated"
    events = []

    def second_run():
        with Store(curated).locked(on_wait=lambda: events.append("waits")):
            events.append("writes")

    with Store(curated).locked():
        with pytest.raises(StoreError, match="another bodo run holds"):
            with Store(curated).locked(wait=False):
                pass
        t = threading.Thread(target=second_run)
        t.start()
        deadline = time.monotonic() + 10
        while not events and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)
        assert events == ["waits"]                     # queued behind the first writer
    t.join(5)
    assert events == ["waits", "writes"]


def test_staging_is_promoted_in_one_commit_unless_curated_moved_on(raw, tmp_path):
    curated = tmp_path / "curated"
    store = Store(curated)
    ingest(raw, curated)
    base = store.head()
    staged = store.prepare_staging()
    assert store.staging_base() == base and staged.read("releases").num_rows == 1
    ingest(raw, store.staging, force=True, keep_history=0)           # a re-extraction, staged only
    assert not staged.history.exists() and store.head() == base      # live untouched
    snap = store.promote({"kind": "reextract"})
    assert store.head() == snap.name != base and store.snapshots() == [base, snap.name]
    assert not store.staging.exists() and store.runs()[-1]["kind"] == "reextract"
    assert store.read("releases").num_rows == 1

    store.prepare_staging()
    (raw / "b.txt").write_text(SAMPLE.replace("손용하", "이수연"), encoding="utf-8")
    ingest(raw, curated)                                             # curated moves on meanwhile
    with pytest.raises(S.StaleStaging, match="bodo reextract"):
        store.promote({"kind": "reextract"})


def test_a_moved_file_keeps_its_release_under_the_new_path_and_a_gone_one_keeps_its_rows(raw, tmp_path):
    curated = tmp_path / "curated"
    store = Store(curated)
    (raw / "b.txt").write_text(SAMPLE.replace("손용하", "이수연"), encoding="utf-8")
    ingest(raw, curated)
    ids = {k: e["release_id"] for k, e in store.ledger().items()}
    (raw / "sub").mkdir()
    (raw / "a.txt").rename(raw / "sub" / "a.txt")
    (raw / "b.txt").unlink()
    ingest(raw, curated)
    led = store.ledger()
    assert sorted(led) == ["b.txt", "sub/a.txt"] and led["sub/a.txt"]["release_id"] == ids["a.txt"]
    assert led["b.txt"]["missing_since"] == store.head() and led["sub/a.txt"]["missing_since"] is None
    releases = {r["release_id"]: r["source_file"] for r in store.read("releases").to_pylist()}
    assert releases == {ids["a.txt"]: "sub/a.txt", ids["b.txt"]: "b.txt"}
    assert sorted(c["name"] for c in store.read("contacts").to_pylist()) == ["손용하", "이수연"]


def test_an_undated_rendering_shares_the_key_of_its_dated_twin():
    """The portal's Markdown prints no release date: it joins the HWPX with its headline (the
    portal's `(참고)` tag aside), so one rendering is preferred; a recurring headline stays apart,
    and a dateless attachment with no ministry is its own release."""
    def row(rid, fmt, title, day=None, key=None, ministry="행정안전부"):
        when = None if day is None else f"2026-04-{day:02d}T00:00:00+09:00"
        return {"release_id": rid, "source_file": f"{rid}.{fmt}", "source_format": fmt, "title": title,
                "ministry": ministry, "embargo_at": when, "distributed_at": None, "portal_id": None,
                "document_key": key or rid}
    rows = [row("a", "hwpx", "고유가 피해지원금 지급 시작", 12, "ka"), row("a2", "md", "(참고) 고유가 피해지원금 지급 시작"),
            row("w1", "hwpx", "주간 동향", 6, "kw1"), row("w2", "hwpx", "주간 동향", 13, "kw2"), row("w3", "md", "주간 동향")]
    cols = {k: [r[k] for r in rows] for k in rows[0]}
    S._link_undated(cols)
    assert cols["document_key"] == ["ka", "ka", "kw1", "kw2", "w3"]
    from bodopress.pipeline.tasks import document_key
    assert document_key({"release_id": "p1", "title": "(붙임 1) 홍보물", "ministry": None}) == "p1"
