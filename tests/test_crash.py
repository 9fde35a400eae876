"""kill -9 anywhere in a run leaves curated/ as before or as after it, once the next run starts.

The step trials kill a run at each write step of the store's commit (BODO_TEST_KILL_AT); the
random trials kill a whole `bodo ingest` at a random moment and check that nothing it
started outlives it. After each kill, the next run recovers, and its tables, ledger and
history equal those of a run that was never killed.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bodopress.pipeline.store import Store

import procs

ROOT = Path(__file__).resolve().parents[1]
RUN_COLUMNS = {"first_run", "processed_run", "processed_at"}

# One run without Prefect: plan, extract in this process, commit (what the flow's tasks do).
DRIVER = r"""
import sys
from pathlib import Path
from bodopress.pipeline import ledger as L, tasks
from bodopress.pipeline.store import Change, Store
raw, cur = Path(sys.argv[1]), Path(sys.argv[2])
store = Store(cur)
with store.locked():
    files, refused = tasks.discover(raw)
    version = L.Version("test", "fixed", None)
    plan = L.plan(raw, files, store.ledger(), version)
    results = [tasks.process_file(p, rel) for rel, p in files if p in set(plan.todo)]
    run = {"run_id": sys.argv[3], "kind": "ingest"}
    entries = L.updated_entries(store.ledger(), plan, results, version, run["run_id"])
    store.commit(Change(results, entries, run, {"changes.md": "x"}))
"""

STEPS = ["staged:releases", "staged", "manifest", "renamed:releases.parquet", "renamed:quantities.parquet",
         "renamed:_ledger.parquet", "snapshot", "logged"]


def _drive(raw: Path, cur: Path, run_id: str, kill_at: str | None = None) -> int:
    env = dict(os.environ, BODO_TEST_KILL_AT=kill_at or "")
    done = subprocess.run([sys.executable, "-c", DRIVER, str(raw), str(cur), run_id], env=env,
                          capture_output=True, timeout=300)
    if done.returncode > 0:
        print(done.stderr.decode()[-3000:])
    return done.returncode


def state(cur: Path) -> dict:
    """Everything a run leaves, without what differs between two runs of the same work."""
    out = {}
    for p in sorted(cur.glob("*.parquet")):
        rows = pq.read_table(p).to_pylist()
        out[p.name] = [{k: v for k, v in r.items() if k not in RUN_COLUMNS} for r in rows]
    store = Store(cur)
    out["history"] = [(s, sorted(f.name for f in (store.history / s).iterdir())) for s in store.snapshots()]
    out["runs"] = [r["run_id"] for r in store.runs()]
    out["stray"] = sorted(str(p.relative_to(cur)) for p in cur.rglob("*") if p.name.startswith(".") and
                          p.name not in (".bodo.lock",))
    return out


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    raw = base / "raw"
    shutil.copytree(ROOT / "raw", raw)
    before = base / "before"
    assert _drive(raw, before, "20260101T000000000Z-0001") == 0
    changed = raw / "sample-2026-06-02-export-vouchers.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("보도자료", "보도 자료", 1), encoding="utf-8")
    (raw / "extra.txt").write_text("보도자료\n\n추가 자료\n\n□ 예산 120억원을 지원한다.\n", encoding="utf-8")
    after = base / "after"
    shutil.copytree(before, after)
    assert _drive(raw, after, "20260101T000001000Z-0002") == 0
    return raw, before, after


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_each_write_step_recovers_to_before_or_after(before_and_after, tmp_path, step):
    raw, before, after = before_and_after
    cur = tmp_path / "curated"
    shutil.copytree(before, cur)
    assert _drive(raw, cur, "20260101T000001000Z-0002", kill_at=step) == -signal.SIGKILL
    done = Store(cur).recover()
    got = state(cur)
    assert got["stray"] == [] and not (cur / ".commit").exists()
    assert got == state(before) or got == state(after), (step, done)
    # the next run finishes the work: exactly the clean result
    assert _drive(raw, cur, "20260101T000001000Z-0002") == 0
    assert state(cur) == state(after), step


@pytest.mark.flow
def test_a_killed_ingest_leaves_nothing_running_and_the_next_run_heals(before_and_after, tmp_path):
    raw, _, _ = before_and_after
    cur = tmp_path / "curated"
    rng = random.Random(20261201)
    proc = subprocess.Popen([sys.executable, "-m", "bodopress.pipeline.cli", "ingest", str(raw), "--curated", str(cur)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(rng.uniform(6, 12))           # the API server is up, workers are extracting
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while procs.session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert procs.session(proc.pid) == []     # no API server, no worker outlives the run
    done = subprocess.run([sys.executable, "-m", "bodopress.pipeline.cli", "ingest", str(raw), "--curated", str(cur)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert state(cur)["stray"] == []
    assert pq.read_metadata(cur / "releases.parquet").num_rows == 4



@pytest.mark.parametrize("trial", range(2))
def test_two_runs_at_once_serialise_on_the_lock(before_and_after, tmp_path, trial):
    raw, before, after = before_and_after
    cur = tmp_path / "curated"
    shutil.copytree(before, cur)
    env = dict(os.environ, BODO_TEST_KILL_AT="")
    runs = [subprocess.Popen([sys.executable, "-c", DRIVER, str(raw), str(cur), "20260101T000001000Z-0002"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    assert [p.wait(300) for p in runs] == [0, 0]
    got = state(cur)
    assert got == state(after)          # the second found the work done: never interleaved writes
