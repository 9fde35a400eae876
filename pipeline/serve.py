"""`bodo serve`: the ingest flow as a scheduled Prefect deployment, with a server when none is given.

Prefect's ephemeral server registers a served deployment but never schedules its runs
("Cannot schedule flows on an ephemeral server"), so scheduling needs a real server. When
`PREFECT_API_URL` names one (environment or Prefect profile), that one is used. Otherwise
`bodo serve` starts `prefect server start` on a free loopback port with its own
`PREFECT_HOME` under `curated/_prefect/`, waits until it answers, serves the deployment,
and stops the server on exit (Ctrl-C, SIGTERM) — and if `bodo serve` itself is killed,
the kernel stops the server with it (PR_SET_PDEATHSIG).

Overlapping runs are prevented twice: the deployment's concurrency limit is 1 with
collision strategy CANCEL_NEW (a run that finds one in progress is cancelled, not queued
behind it), and the runner itself runs at most one flow run at a time.

>>> schedule_text(cron="*/15 * * * *", interval=None)
'cron */15 * * * * (Asia/Seoul)'
>>> schedule_text(cron=None, interval=20)
'every 20 s'
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

TIMEZONE = "Asia/Seoul"
HEALTH_TIMEOUT = 180.0     # a fresh database migrates first: 13–16 s here, more on a slow disk
PREFECT_DIR = "_prefect"


def schedule_text(cron: str | None, interval: float | None) -> str:
    return f"cron {cron} ({TIMEZONE})" if cron else f"every {interval:g} s"


def configured_api_url() -> str | None:
    """The API the operator configured (environment first, then the active Prefect profile)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    from prefect.settings import get_current_settings
    url = get_current_settings().api.url
    return str(url) if url else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:   # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


class LocalServer:
    """A `prefect server start` owned by this process: own home, own port, own session."""

    def __init__(self, home: Path, port: int | None = None):
        self.home = Path(home)
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def pid_file(self) -> Path:
        return self.home / "server.pid"

    def start(self, timeout: float = HEALTH_TIMEOUT) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(PREFECT_HOME=str(self.home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   PREFECT_SERVER_API_HOST="127.0.0.1", PREFECT_SERVER_API_PORT=str(self.port))
        # The scheduler wakes every 60 s by default: a new deployment would wait that long
        # for its first runs. This server serves one deployment, so wake it more often.
        env.setdefault("PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS", "10")
        log = open(self.home / "server.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,          # the terminal's Ctrl-C reaches us, not it: we stop it last
            preexec_fn=_die_with_parent)
        log.close()
        self.pid_file.write_text(str(self.proc.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Prefect server exited ({self.proc.returncode}) while starting; "
                                   f"see {self.home / 'server.log'}")
            if self.healthy():
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the Prefect server did not answer within {timeout:.0f} s; see {self.home / 'server.log'}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def stop(self, grace: float = 20.0) -> None:
        """SIGINT (uvicorn's graceful stop) to the server's process group, then SIGTERM, then SIGKILL."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if proc is not None:
            for pid in session_members(proc.pid):     # anything the server left in its session
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(FileNotFoundError):
            self.pid_file.unlink()


def session_members(sid: int) -> list[int]:
    """Processes of the session `sid` (the server was started as its leader), from /proc."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) == sid:      # state ppid pgrp session ...
                out.append(int(d.name))
    return out


def main(raw: Path, curated: Path, cron: str | None = None, interval: float | None = None,
         law_names: str | None = None, name: str = "scheduled", keep_history: int | None = None) -> int:
    raw, curated = Path(raw).resolve(), Path(curated).resolve()
    curated.mkdir(parents=True, exist_ok=True)
    # Served runs report to the server: their logs belong in its UI.
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "true")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    api_url = configured_api_url()
    server = None
    try:
        if api_url:
            say(f"using the Prefect server at {api_url} (PREFECT_API_URL)")
            return _serve(raw, curated, cron, interval, law_names, name, keep_history, api_url, None)
        server = LocalServer(curated / PREFECT_DIR)
        say(f"starting a Prefect server on {server.url} (home {server.home}; a new database migrates first) …")
        server.start()
        say(f"Prefect UI: {server.url}")
        return _serve(raw, curated, cron, interval, law_names, name, keep_history, server.api_url, server.home)
    except KeyboardInterrupt:
        return 130
    finally:
        if server is not None:
            say("stopping the Prefect server …")
            server.stop()
            say("stopped")


def say(msg: str) -> None:
    print(f"bodo serve: {msg}", flush=True)


def _serve(raw, curated, cron, interval, law_names, name, keep_history, api_url: str, home: Path | None) -> int:
    # Children (the runner's flow-run processes) read the environment; this process reads
    # the settings context, which was fixed when Prefect was first imported.
    os.environ["PREFECT_API_URL"] = api_url
    updates = {"PREFECT_API_URL": api_url}
    if home is not None:
        os.environ["PREFECT_HOME"] = str(home)
        updates["PREFECT_HOME"] = str(home)
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron, Interval
    from prefect.settings import temporary_settings
    from prefect.types.entrypoint import EntrypointType

    from bodopress.pipeline import flows, ledger

    schedule = Cron(cron, timezone=TIMEZONE) if cron else Interval(interval, timezone=TIMEZONE)
    params = {"raw": str(raw), "curated": str(curated), "law_names": law_names,
              "keep_history": ledger.KEEP_HISTORY if keep_history is None else keep_history}
    say(f"deployment bodo-ingest/{name}: {schedule_text(cron, interval)}, {raw} → {curated}; "
        f"Ctrl-C stops it")
    with temporary_settings(updates={_setting(k): v for k, v in updates.items()}):
        flows.ingest.serve(
            name=name, schedules=[schedule], parameters=params,
            global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
            limit=1, pause_on_shutdown=True, print_starting_message=False,
            entrypoint_type=EntrypointType.MODULE_PATH,
            description="bodo: ingest new, changed and outdated releases (docs/operations.md)")
    return 0


def _setting(name: str):
    import prefect.settings
    return getattr(prefect.settings, name)
