"""`bodo serve` for real: its own Prefect server, a schedule that fires, a clean stop on SIGINT.

A fresh Prefect database migrates for 13–16 s here before the server answers, so this test
takes about a minute; it stays in the default run because scheduling is what it proves.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bodopress.pipeline.serve import LocalServer, schedule_text, session_members

DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
MOTIE = "motie-2026-05-28-first-year.txt"
ROOT = Path(__file__).resolve().parents[1]


def _children(pid: int) -> set[int]:
    """Every descendant of `pid`, from /proc."""
    parent = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            parent[int(d.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parent.items() if pp == p}
        out |= kids
        todo += list(kids)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(predicate, timeout: float, what: str, proc=None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.5)
    pytest.fail(f"{what} did not happen within {timeout:.0f} s\n" + (log.read_text()[-3000:] if log else ""))


@pytest.mark.skipif(not (DEV / MOTIE).exists(), reason=f"shared corpus not found at {DEV}")
def test_serve_runs_on_schedule_and_stops_cleanly(tmp_path):
    raw, cur, log = tmp_path / "raw", tmp_path / "curated", tmp_path / "serve.log"
    raw.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", str(raw), "--curated", str(cur),
                                 "--interval", "20"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        ui = _wait_for(lambda: re.search(r"Prefect UI: (http://127\.0\.0\.1:(\d+))", log.read_text()),
                       120, "the Prefect server answering", proc, log)
        url, port = ui.group(1), ui.group(2)
        server_pid = int((cur / "_prefect" / "server.pid").read_text())
        assert _alive(server_pid)
        with urllib.request.urlopen(f"{url}/api/health", timeout=5) as r:
            assert r.status == 200

        shutil.copy(DEV / MOTIE, raw / MOTIE)      # a new release lands in raw/
        runs_log = cur / "_history" / "runs.jsonl"

        def curated_run():
            if not runs_log.exists():
                return None
            for line in runs_log.read_text(encoding="utf-8").splitlines():
                run = json.loads(line)
                if MOTIE in run.get("new", []):
                    return run
            return None
        run = _wait_for(curated_run, 120, "a scheduled run curating the release", proc, log)
        assert run["processed"] == 1 and run["rows"]["releases"] == 1 and run["auto_scheduled"] is True
        # The server agrees: the run came from the deployment's schedule, not from a manual call.
        with urllib.request.urlopen(f"{url}/api/flow_runs/{run['flow_run_id']}", timeout=5) as r:
            flow_run = json.loads(r.read())
        assert flow_run["auto_scheduled"] is True and flow_run["deployment_id"] == run["deployment_id"]
        req = urllib.request.Request(f"{url}/api/deployments/{run['deployment_id']}")
        with urllib.request.urlopen(req, timeout=5) as r:
            deployment = json.loads(r.read())
        assert deployment["concurrency_limit"] == 1 or deployment["global_concurrency_limit"]["limit"] == 1
        assert deployment["parameters"]["curated"] == str(cur.resolve())
        assert (cur / "releases.parquet").exists()
        # ... and the run left its summary as a markdown artifact in the UI.
        req = urllib.request.Request(f"{url}/api/artifacts/filter", method="POST",
                                     data=json.dumps({"artifacts": {"key": {"any_": ["bodo-ingest"]}}}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            artifacts = json.loads(r.read())
        mine = [a for a in artifacts if a["flow_run_id"] == run["flow_run_id"]]
        assert mine and mine[0]["type"] == "markdown" and MOTIE in mine[0]["data"]
        assert "| releases | 1 | 0 | 0 |" in mine[0]["data"]
        family = _children(proc.pid)
        names = {p: _cmd(p) for p in family}
        assert server_pid in family
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code in (0, 130), log.read_text()[-3000:]
    assert "bodo serve: stopped" in log.read_text()
    assert not _alive(server_pid) and not (cur / "_prefect" / "server.pid").exists()
    # A flow run's multiprocessing resource tracker exits on its own once its pipe closes.
    deadline = time.monotonic() + 15
    while (left := {p: _cmd(p) for p in family if _alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == {}, f"processes left behind: {left} (at the time: {names})"
    assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline_has(p, f"--port {port}")]
    assert time.monotonic() - started < 150


def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return "?"


def _cmdline_has(proc_dir: Path, needle: str) -> bool:
    try:
        return needle in (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False


def test_schedule_text_and_an_unstarted_server_stops_quietly(tmp_path):
    assert schedule_text("0 9 * * 1-5", None) == "cron 0 9 * * 1-5 (Asia/Seoul)"
    server = LocalServer(tmp_path)
    assert server.url.startswith("http://127.0.0.1:") and not server.healthy()
    server.stop()          # nothing started: nothing to do, no error
    assert session_members(2 ** 22 + 1) == []
