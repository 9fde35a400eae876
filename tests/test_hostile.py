"""A raw/ of hostile files beside good releases ingests in one bounded run (tests/hostile.py builds it).

Every hostile file gets exactly one errors row with its specific error_type; good releases under
odd names are curated; the good releases come out exactly as when ingested alone; the run ends
in bounded time with the whole process tree under 1.5 GB.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import procs
from hostile import build

HERE = Path(__file__).resolve().parent
LIMIT_S, LIMIT_RSS = 300, 1536 << 20


def _ingest(raw: Path, curated: Path) -> tuple[int, float, int]:
    """Exit code, seconds and peak RSS of the whole process tree of one `bodo ingest`."""
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "bodopress.pipeline.cli", "-q", "ingest", str(raw),
                             "--curated", str(curated)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, procs.tree_rss(proc.pid))
        if time.monotonic() - start > LIMIT_S:
            proc.kill()
            pytest.fail(f"the run took longer than {LIMIT_S} s")
        time.sleep(0.1)
    return proc.returncode, time.monotonic() - start, peak


def _rows(curated: Path, table: str, ids: set[str]) -> list[dict]:
    drop = {"source_file", "release_id"}
    rows = [{k: v for k, v in r.items() if k not in drop} for r in pq.read_table(curated / f"{table}.parquet").to_pylist()
            if r.get("release_id") in ids]
    return sorted(rows, key=repr)


@pytest.mark.flow
def test_hostile_raw_dir(tmp_path):
    raw = tmp_path / "raw"
    expect = build(raw, HERE / "regressions" / "156754268.hwp")
    assert sum(v is not None for v in expect.values()) >= 30
    code, seconds, peak = _ingest(raw, tmp_path / "curated")
    assert code == 1                                  # some files became error rows
    assert peak < LIMIT_RSS, f"peak RSS {peak >> 20} MB"
    errors = pq.read_table(tmp_path / "curated" / "errors.parquet").to_pylist()
    got = {}
    for e in errors:
        assert e["source_file"] not in got, f"two error rows for {e['source_file']}"
        got[e["source_file"]] = e["error_type"]
    releases = {r["source_file"]: r for r in pq.read_table(tmp_path / "curated" / "releases.parquet").to_pylist()}
    for name, want in expect.items():
        if want is None:
            assert name in releases and name not in got, name
        else:
            assert got.get(name) == want, (name, got.get(name))
    assert set(got) <= set(expect)
    print(f"hostile run: {len(expect)} files in {seconds:.0f} s, peak RSS {peak >> 20} MB")

    alone = tmp_path / "alone"
    alone.mkdir()
    for name in ("good-1.txt", "good-2.txt", "good-3.md"):
        (alone / name).write_bytes((raw / name).read_bytes())
    code, _, _ = _ingest(alone, tmp_path / "curated-alone")
    assert code == 0
    ids = {releases[n]["release_id"] for n in ("good-1.txt", "good-2.txt", "good-3.md")}
    for table in ("quantities", "dates", "laws", "contacts", "texts"):
        assert _rows(tmp_path / "curated", table, ids) == _rows(tmp_path / "curated-alone", table, ids), table
