"""The Prefect API a run talks to, owned by the process that needs it and dying with it.

Prefect's own ephemeral mode starts a uvicorn subprocess that outlives a process killed
with SIGKILL. Here the same app (`prefect.server.api.server:create_app`, the UI off) is
started by us, on a free loopback port, in its own session, with a parent-death signal,
and stopped on exit: nothing is left running however the run ends. `bodo serve` starts a
full `prefect server start` the same way, protected by a basic-auth string only the
operator knows (`PREFECT_SERVER_API_AUTH_STRING` on the server, `PREFECT_API_AUTH_STRING`
for its clients), so no other local process can create flow runs.

>>> ApiServer(Path("/tmp/x"), ephemeral=True).url.startswith("http://127.0.0.1:")
True
"""
from __future__ import annotations

import base64
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# A served deployment's runs work on these directories and no others (pipeline.serve sets them).
SERVED_RAW, SERVED_CURATED = "BODO_SERVED_RAW", "BODO_SERVED_CURATED"
HEALTH_TIMEOUT = 180.0     # a fresh database migrates first: 13–16 s here, more on a slow disk


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:   # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG


class ApiServer:
    """A Prefect API server process of our own: own port, own session, dies with us."""

    def __init__(self, home: Path | None, ephemeral: bool = False, auth: str | None = None, port: int | None = None):
        self.home = Path(home) if home else None
        self.ephemeral = ephemeral
        self.auth = auth
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def command(self) -> list[str]:
        if self.ephemeral:
            import prefect
            return [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(prefect.__file__).parent.parent),
                    "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
                    "--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        return [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port)]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
        env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_SERVER_API_HOST="127.0.0.1",
                   PREFECT_SERVER_API_PORT=str(self.port), DO_NOT_TRACK="1")
        if self.home:
            env["PREFECT_HOME"] = str(self.home)
        if self.ephemeral:
            env.update(PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1")
        else:
            # The scheduler wakes every 60 s by default: a new deployment would wait that long.
            env.setdefault("PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS", "10")
        if self.auth:
            env["PREFECT_SERVER_API_AUTH_STRING"] = self.auth
        return env

    def start(self, timeout: float = HEALTH_TIMEOUT) -> "ApiServer":
        log_path = (self.home / "server.log") if self.home else None
        if self.home:
            self.home.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(self.command(), env=self.environment(), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_die_with_parent)
        finally:
            if log_path:
                log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Prefect server exited ({self.proc.returncode}) while starting"
                                   + (f"; see {log_path}" if log_path else ""))
            if self.healthy():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the Prefect server did not answer within {timeout:.0f} s"
                           + (f"; see {log_path}" if log_path else ""))

    def healthy(self) -> bool:
        req = urllib.request.Request(f"{self.api_url}/health")
        if self.auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(self.auth.encode()).decode())
        try:
            with urllib.request.urlopen(req, timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def stop(self, grace: float = 10.0) -> None:
        """SIGINT (uvicorn's graceful stop) to the server's process group, then SIGTERM, then SIGKILL."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)     # anything the server left in its group

    def __enter__(self) -> "ApiServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def new_auth() -> str:
    return f"bodo:{secrets.token_urlsafe(24)}"


@contextlib.contextmanager
def api(home: Path | None = None):
    """The settings a flow run needs: the operator's server where one is configured, else an
    ephemeral one of ours for as long as the block runs."""
    from prefect.settings import PREFECT_API_URL, temporary_settings
    if configured_api_url():
        yield None
        return
    with ApiServer(home, ephemeral=True) as server, temporary_settings({PREFECT_API_URL: server.api_url}):
        try:
            yield server
        finally:
            _drain_events()


def _drain_events(timeout: float = 10.0) -> None:
    """Let Prefect's background clients send what they hold before their server stops."""
    with contextlib.suppress(Exception):
        from prefect.events.worker import EventsWorker
        EventsWorker.drain_all(timeout=timeout, at_exit=False)
    with contextlib.suppress(Exception):
        from prefect.logging.handlers import APILogWorker
        APILogWorker.drain_all(timeout=timeout, at_exit=False)


def configured_api_url() -> str | None:
    """The API the operator configured (environment first, then the active Prefect profile)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    from prefect.settings import get_current_settings
    url = get_current_settings().api.url
    return str(url) if url else None
