"""The Prefect API a run talks to, owned by the process that needs it and dying with it.

A local run (`bodo ingest`, `bodo fetch`) serves Prefect's API app
(`prefect.server.api.server:create_app`, ephemeral: no UI, no scheduler) from a thread of its
own process, on a loopback socket it binds itself: nothing is left running however the run
ends, and nothing is imported or started twice. Prefect's own ephemeral mode starts a uvicorn
subprocess instead, which costs a second interpreter importing Prefect (several seconds of a
core here), and outlives a process killed with SIGKILL.

`bodo serve` starts a full `prefect server start` (UI, scheduler) as a process of its own
session with a parent-death signal, protected by a basic-auth string only the operator knows
(`PREFECT_SERVER_API_AUTH_STRING` on the server, `PREFECT_API_AUTH_STRING` for its clients),
so no other local process can create flow runs.

>>> ApiServer(Path("/tmp/x")).url.startswith("http://127.0.0.1:")
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
import threading
import time
import urllib.request
from pathlib import Path

# A served deployment's runs work on these directories and no others (pipeline.serve sets them).
SERVED_RAW, SERVED_CURATED = "BODO_SERVED_RAW", "BODO_SERVED_CURATED"
HEALTH_TIMEOUT = 180.0     # a fresh database migrates first: 13–16 s here, more on a slow disk
_local: "LocalApi | None" = None   # started early by prestart(), adopted by api()


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

    def __init__(self, home: Path | None, auth: str | None = None, port: int | None = None):
        self.home = Path(home) if home else None
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
        return [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port)]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
        env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_SERVER_API_HOST="127.0.0.1",
                   PREFECT_SERVER_API_PORT=str(self.port), DO_NOT_TRACK="1")
        if self.home:
            env["PREFECT_HOME"] = str(self.home)
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


class LocalApi:
    """Prefect's API app (ephemeral: no UI; only the services that record runs) served by
    uvicorn from a daemon thread of this process, on a loopback socket bound here (no port
    race). The thread imports the server while the caller imports the rest, so start it first."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.api_url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/api"
        self.server = None
        self.stopped = False
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._serve, name="prefect-api", daemon=True)

    def start(self) -> "LocalApi":
        self.thread.start()
        return self

    def _serve(self) -> None:
        try:
            import uvicorn
            from prefect.server.api.server import create_app
            from prefect.settings import temporary_settings
            # Automations (the triggers and actions services) belong to a real server; reading
            # them at start is most of a local API's start-up (2.0 s against 0.6 s here). So do
            # block types: registering them imports every installed Prefect collection (prefect-dask
            # brings Dask: 0.6 s), and a run uses none.
            with temporary_settings({"server.services.triggers.enabled": False,
                                     "server.register_blocks_on_start": False,
                                     "server.memoize_block_auto_registration": False}):
                config = uvicorn.Config(create_app(ephemeral=True, final=True), log_level="error", lifespan="on")
                self.server = uvicorn.Server(config)   # signals stay with the main thread (uvicorn's rule)
                self.server.should_exit = self.stopped   # stopped while it was importing: start and end
                self.server.run(sockets=[self.socket])
        except BaseException as e:   # uvicorn exits with SystemExit on a failed start
            self.failure = e

    def wait(self, timeout: float = HEALTH_TIMEOUT) -> "LocalApi":
        deadline = time.monotonic() + timeout
        while not (self.server is not None and self.server.started):
            if not self.thread.is_alive():
                raise RuntimeError(f"the Prefect API did not start: {self.failure!r}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Prefect API did not start within {timeout:.0f} s")
            time.sleep(0.05)
        return self

    def stop(self, grace: float = 10.0) -> None:
        self.stopped = True
        if self.server is not None:
            self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(grace)
        self.socket.close()


def local_defaults() -> None:
    """Local runs: no telemetry, no log shipping to the API, quiet INFO, no persisted results.
    Set before Prefect is imported (its settings are read then); an operator's own environment wins."""
    for key, value in {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    }.items():
        os.environ.setdefault(key, value)


def prestart() -> None:
    """Start the local API now, before the caller imports Prefect, unless the environment
    names a server (a profile's server is found, and this one stopped, by api())."""
    global _local
    local_defaults()
    if _local is not None or os.environ.get("PREFECT_API_URL"):
        return
    if "prefect.settings" in sys.modules and configured_api_url():   # inside api(), or a profile's
        return
    _local = LocalApi().start()


@contextlib.contextmanager
def api():
    """The settings a flow run needs: the operator's server where one is configured, else a
    local API in this process for as long as the block runs."""
    global _local
    local, _local = _local, None
    from prefect.settings import PREFECT_API_URL, temporary_settings
    if configured_api_url():
        if local is not None:
            local.stop()
        yield None
        return
    local = local or LocalApi().start()
    try:
        local.wait()
        with temporary_settings({PREFECT_API_URL: local.api_url}):
            try:
                yield local
            finally:
                _drain_events()
    finally:
        local.stop()


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
