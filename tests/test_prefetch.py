"""Files extracted while Prefect starts: taken only for the very file the flow plans."""
from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from bodopress.pipeline import flows, workers
from bodopress.pipeline import ledger as L
from bodopress.pipeline.tasks import discover

ROOT = Path(__file__).resolve().parents[1]


def _wait_prefetched(pool: workers.Pool, n: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while len(pool._prefetched) < n:
        assert time.monotonic() < deadline, "prefetch did not finish"
        time.sleep(0.1)


def test_a_prefetched_result_is_taken_only_where_the_file_is_the_one_read(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    texts = sorted((ROOT / "raw").glob("*.txt"))[:2]
    for p in texts:
        shutil.copy(p, raw / p.name)
    files, _ = discover(raw)
    version = L.current_version(None)
    before = L.plan(raw, files, {}, version).stats
    pool = workers.Pool(1).start()
    monkeypatch.setattr(flows, "prestarted", pool)
    monkeypatch.setattr(flows, "get_run_logger", lambda: logging.getLogger("test"))
    try:
        pool.prefetch(files)
        _wait_prefetched(pool, 2)
        early = dict(pool._prefetched)
        kept, rewritten = files[0], files[1]
        # The second file changes after it was read: new bytes, new size and times.
        rewritten[1].write_bytes(texts[0].read_bytes() + b"\n\n")
        now = L.plan(raw, files, {}, version).stats
        monkeypatch.setattr(flows, "prefetched_stats", before)
        results = {r.source_file: r for r in flows.extract_files.fn(
            files, now, None, pool.n, pool.limits)}
    finally:
        pool.close()
    assert results[kept[0]] is early[(kept[0], str(kept[1]))]
    assert results[rewritten[0]] is not early[(rewritten[0], str(rewritten[1]))]
    assert results[rewritten[0]].source_sha256 == now[rewritten[0]][-1] != before[rewritten[0]][-1]


def test_taking_the_prefetch_stops_it_and_the_pool_does_the_rest(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in sorted((ROOT / "raw").glob("*.txt")):
        for k in range(3):
            (raw / f"{k}-{p.name}").write_bytes(p.read_bytes() + b"\n" * (k + 1))
    files, _ = discover(raw)
    with workers.Pool(1) as pool:
        pool.start()
        pool.prefetch(files)
        got = pool.take_prefetched()          # at once: at most the file in work is done
        assert len(got) <= 1
        assert pool.take_prefetched() == {}
        rest = list(pool.map([(rel, path) for rel, path in files if (rel, str(path)) not in got]))
    names = sorted([rel for rel, _ in got] + [r.source_file for r in rest])
    assert names == sorted(rel for rel, _ in files)
    assert all(r.ok for r in [*got.values(), *rest])
