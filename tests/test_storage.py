"""pipeline.storage: contract schema and metadata, atomic merge, idempotent re-runs, error rows."""
from __future__ import annotations

import shutil

import pyarrow.parquet as pq

from bodopress.pipeline.storage import read_table, write_tables
from bodopress.pipeline.tasks import process_file
from bodopress.schemas import CONTRACT_VERSION, arrow_schema

SAMPLE = "보도시점 2026. 5. 28.(목) 10:00\n\n위기는 관리\n\n수출 7,093억 달러를 기록하였다.\n\n담당부서\t기획조정실\t책임자\t과 장\t손용하 (044-203-5520)\n"


def _ingest(raw, curated):
    results = [process_file(p, raw) for p in sorted(raw.iterdir())]
    return write_tables(curated, results)


def test_tables_follow_the_contract_and_reruns_do_not_duplicate(tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    (raw / "a.txt").write_text(SAMPLE, encoding="utf-8")
    (raw / "broken.txt").write_bytes(b"")
    first = _ingest(raw, curated)
    assert first["releases"] == 1 and first["errors"] == 1 and first["contacts"] == 1
    for table in first:
        t = pq.read_table(curated / f"{table}.parquet")
        assert t.schema.metadata[b"bodo.contract"] == CONTRACT_VERSION.encode()
        assert t.schema.equals(arrow_schema(table), check_metadata=False)
    err = read_table(curated, "errors").to_pylist()[0]
    assert (err["source_file"], err["stage"], err["error_type"]) == ("broken.txt", "load", "empty")
    assert _ingest(raw, curated) == first                       # same files, same rows
    assert not list(curated.glob(".*.tmp"))                    # no staging file left behind


def test_a_changed_file_replaces_its_rows_and_others_are_kept(tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    (raw / "a.txt").write_text(SAMPLE, encoding="utf-8")
    (raw / "b.txt").write_text(SAMPLE.replace("손용하", "이수연"), encoding="utf-8")
    _ingest(raw, curated)
    (raw / "a.txt").write_text(SAMPLE.replace("7,093억", "7,100억"), encoding="utf-8")
    write_tables(curated, [process_file(raw / "a.txt", raw)])   # only a.txt in this run
    releases = read_table(curated, "releases").to_pylist()
    assert sorted(r["source_file"] for r in releases) == ["a.txt", "b.txt"]
    money = [q["value"] for q in read_table(curated, "quantities").to_pylist() if q["unit"] == "USD"]
    assert sorted(money) == [709300000000.0, 710000000000.0]    # b's old row, a's new row; a's old row gone
    assert sorted(c["name"] for c in read_table(curated, "contacts").to_pylist()) == ["손용하", "이수연"]


def test_a_failed_write_leaves_the_old_tables(tmp_path, monkeypatch):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    (raw / "a.txt").write_text(SAMPLE, encoding="utf-8")
    _ingest(raw, curated)
    before = {p.name: p.read_bytes() for p in curated.glob("*.parquet")}
    (raw / "b.txt").write_text(SAMPLE, encoding="utf-8")
    import bodopress.pipeline.storage as storage
    calls = {"n": 0}
    real = storage.pq.write_table

    def failing(table, where, **kw):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        return real(table, where, **kw)

    monkeypatch.setattr(storage.pq, "write_table", failing)
    try:
        _ingest(raw, curated)
    except OSError:
        pass
    assert {p.name: p.read_bytes() for p in curated.glob("*.parquet")} == before
    assert not list(curated.glob(".*.tmp"))


def test_sample_releases_in_raw_ingest(tmp_path):
    from pathlib import Path
    raw = Path(__file__).resolve().parents[1] / "raw"
    copy = tmp_path / "raw"
    shutil.copytree(raw, copy)
    counts = _ingest(copy, tmp_path / "curated")
    assert counts["errors"] == 0 and counts["releases"] == len(list(copy.iterdir()))
    releases = {r["source_file"]: r for r in read_table(tmp_path / "curated", "releases").to_pylist()}
    pdf = releases["sample-2026-06-02-export-vouchers.pdf"]
    txt = releases["sample-2026-06-02-export-vouchers.txt"]
    for field in ("ministry", "embargo_at", "edition", "distributed_at"):
        assert pdf[field] == txt[field], field
    assert txt["ministry"] == "산업통상부" and txt["edition"] == "조간"


def test_readme_queries_run_on_curated_output(tmp_path, monkeypatch):
    """The pandas and DuckDB examples of README.md run as written against an ingested directory."""
    import re
    from pathlib import Path

    import duckdb

    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "raw", tmp_path / "raw")
    _ingest(tmp_path / "raw", tmp_path / "curated")
    monkeypatch.chdir(tmp_path)
    readme = (root / "README.md").read_text(encoding="utf-8")
    python = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    scope: dict = {}
    exec(python.replace("money.merge(", "result = money.merge("), scope)
    assert len(scope["result"]) > 0 and set(scope["result"]["ministry"]) == {"산업통상부"}
    sql = re.search(r"```sql\n(.*?)```", readme, re.S).group(1)
    rows = duckdb.sql(sql).fetchall()
    assert ("산업통상부", "무역보험법", "개정") in {r[:3] for r in rows}
