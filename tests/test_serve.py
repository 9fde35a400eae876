"""`bodo serve` for real: its own Prefect server behind basic auth, a schedule that fires, fixed
parameters, a clean stop on SIGINT.

A fresh Prefect database migrates for 13–16 s here before the server answers, so the end-to-end
test takes a minute or two: it is marked `slow` (`-m "not slow"` leaves it out).
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bodopress.pipeline.serve import SERVED_CURATED, SERVED_RAW, ApiServer, prefect_home, schedule_text
from bodopress.pipeline.server import new_auth

import procs

DEV = Path(__file__).resolve().parent / "regressions"      # real releases kept with the tests
MOTIE = "motie-2026-05-28-first-year.txt"
ROOT = Path(__file__).resolve().parents[1]


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


def _api(url: str, auth: str | None, body: dict | None = None):
    req = urllib.request.Request(url, method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    for attempt in range(5):
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:      # 503: a busy SQLite database, the client should retry
            if e.code != 503 or attempt == 4:
                raise
            time.sleep(1)


@pytest.mark.slow
def test_serve_runs_on_schedule_and_stops_cleanly(tmp_path):
    raw, cur, log = tmp_path / "raw", tmp_path / "curated", tmp_path / "serve.log"
    raw.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PREFECT_API_URL", "PREFECT_HOME", "PREFECT_API_AUTH_STRING", SERVED_RAW, SERVED_CURATED)}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")          # the served Prefect's home goes here
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bodopress.pipeline.cli", "serve", str(raw), "--curated",
                                 str(cur), "--interval", "20"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server_pid = None
    try:
        ui = _wait_for(lambda: re.search(r"Prefect UI: (http://127\.0\.0\.1:(\d+)) \(user and password: (.+)\)",
                                         log.read_text()), 120, "the Prefect server answering", proc, log)
        url, port, auth_file = ui.group(1), ui.group(2), Path(ui.group(3))
        assert auth_file.parent.parent == tmp_path / "state" / "bodo" and not auth_file.is_relative_to(cur)
        assert stat_mode(auth_file) == 0o600
        auth = auth_file.read_text().strip()
        assert auth.startswith("bodo:") and len(auth) > 20
        for wrong in (None, "bodo:guessed"):                 # no auth, no API (the health probe is exempt)
            with pytest.raises(urllib.error.HTTPError) as refused:
                _api(f"{url}/api/flow_runs/filter", wrong, {})
            assert refused.value.code == 401
        assert _api(f"{url}/api/flow_runs/filter", auth, {}) == []
        servers = [p for p in procs.descendants(proc.pid) if "prefect server start" in _cmd(p) and f"--port {port}" in _cmd(p)]
        assert len(servers) == 1
        server_pid = servers[0]

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
        flow_run = _api(f"{url}/api/flow_runs/{run['flow_run_id']}", auth)
        assert flow_run["auto_scheduled"] is True and flow_run["deployment_id"] == run["deployment_id"]
        deployment = _api(f"{url}/api/deployments/{run['deployment_id']}", auth)
        assert deployment["concurrency_limit"] == 1 or deployment["global_concurrency_limit"]["limit"] == 1
        assert deployment["parameters"]["curated"] == str(cur.resolve())
        assert (cur / "releases.parquet").exists()
        # ... and the run left its summary as a markdown artifact in the UI (written after its commit,
        # which is what the runs log records: wait for it).
        def artifacts_of_run():
            found = _api(f"{url}/api/artifacts/filter", auth, {"artifacts": {"key": {"any_": ["bodo-ingest"]}}})
            return [a for a in found if a["flow_run_id"] == run["flow_run_id"]]
        mine = _wait_for(artifacts_of_run, 30, "the run's summary artifact", proc, log)
        assert mine[0]["type"] == "markdown" and MOTIE in mine[0]["data"]
        assert "| releases | 1 | 0 | 0 |" in mine[0]["data"]

        # A run created with other directories than the served ones is refused before it touches a file.
        def finished(flow_run_id):
            state = _api(f"{url}/api/flow_runs/{flow_run_id}", auth)["state"]
            return state if state and state["type"] in ("FAILED", "CRASHED", "COMPLETED", "CANCELLED") else None
        assert _wait_for(lambda: finished(run["flow_run_id"]), 60, "the run ending", proc, log)["type"] == "COMPLETED"
        other = tmp_path / "elsewhere"
        forged = _api(f"{url}/api/deployments/{run['deployment_id']}/create_flow_run", auth,
                      {"parameters": {"raw": str(raw), "curated": str(other)}})
        assert _wait_for(lambda: finished(forged["id"]), 90, "the forged run ending", proc, log)["type"] == "FAILED"
        assert not other.exists()
        family = procs.descendants(proc.pid)
        names = {p: _cmd(p) for p in family}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(90)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code in (0, 130), log.read_text()[-3000:]
    assert "bodo serve: stopped" in log.read_text()
    assert not _alive(server_pid)
    # A flow run's multiprocessing resource tracker exits on its own once its pipe closes.
    deadline = time.monotonic() + 15
    while (left := {p: _cmd(p) for p in family if _alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == {}, f"processes left behind: {left} (at the time: {names})"
    assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline_has(p, f"--port {port}")]
    assert time.monotonic() - started < 240


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


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
    server = ApiServer(tmp_path, auth=new_auth())
    assert server.url.startswith("http://127.0.0.1:") and not server.healthy()
    server.stop()          # nothing started: nothing to do, no error


def test_the_server_alone_knows_the_auth_string_and_its_home_is_outside_curated(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://elsewhere/api")
    monkeypatch.setenv("PREFECT_API_AUTH_STRING", "someone:else")
    auth = new_auth()
    env = ApiServer(tmp_path, auth=auth).environment()
    assert env["PREFECT_SERVER_API_AUTH_STRING"] == auth and env["PREFECT_HOME"] == str(tmp_path)
    assert "PREFECT_API_URL" not in env and "PREFECT_API_AUTH_STRING" not in env
    assert new_auth() != auth
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    cur = tmp_path / "curated"
    home = prefect_home(cur)
    assert home.parent == tmp_path / "state" / "bodo" and home == prefect_home(cur) != prefect_home(tmp_path / "b")


def test_a_served_deployment_refuses_other_directories(tmp_path, monkeypatch):
    from bodopress.pipeline.flows import _check_served
    raw, cur = (tmp_path / "raw").resolve(), (tmp_path / "curated").resolve()
    monkeypatch.setenv(SERVED_RAW, str(raw))
    monkeypatch.setenv(SERVED_CURATED, str(cur))
    _check_served(raw, cur)
    with pytest.raises(PermissionError, match="refused"):
        _check_served(raw, tmp_path / "elsewhere")
    with pytest.raises(PermissionError, match="refused"):
        _check_served(Path("/"), cur)
