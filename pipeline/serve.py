"""`bodo serve`: the ingest flow as a scheduled Prefect deployment, with a server of its own when none is given.

Prefect's ephemeral server never schedules runs, so scheduling needs a real server. When
`PREFECT_API_URL` names one (environment or Prefect profile), that one is used. Otherwise
`bodo serve` starts `prefect server start` on a free loopback port (`pipeline.server`), its
`PREFECT_HOME` under the operator's state directory, protected by a basic-auth string that
is new each start and kept in `<home>/auth` (mode 0600) for the operator's UI and CLI;
without it the API refuses every request, so no other local process can create flow runs.
The server dies with `bodo serve`, which stops on SIGINT or SIGTERM whatever handlers it
inherited.

The deployment's parameters are fixed: the served runs read `BODO_SERVED_RAW` and
`BODO_SERVED_CURATED` from the runner's environment, and a flow run created with any
other `raw` or `curated` is refused before it touches a file (`pipeline.flows.ingest`).
Overlapping runs are prevented twice: the deployment's concurrency limit is 1 with
collision strategy CANCEL_NEW, and the runner itself runs at most one flow run at a time.

>>> schedule_text(cron="*/15 * * * *", interval=None)
'cron */15 * * * * (Asia/Seoul)'
>>> schedule_text(cron=None, interval=20)
'every 20 s'
"""
from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

from bodopress.pipeline.server import SERVED_CURATED, SERVED_RAW, ApiServer, configured_api_url, new_auth

TIMEZONE = "Asia/Seoul"


def schedule_text(cron: str | None, interval: float | None) -> str:
    return f"cron {cron} ({TIMEZONE})" if cron else f"every {interval:g} s"


def prefect_home(curated: Path) -> Path:
    """Where the served Prefect keeps its database: beside the operator's state, never in curated/."""
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "bodo"
    return base / f"prefect-{hashlib.sha256(str(curated).encode()).hexdigest()[:10]}"


def say(msg: str) -> None:
    print(f"bodo serve: {msg}", flush=True)


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM stop the service even when the parent set them to be ignored."""
    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def main(raw: Path, curated: Path, cron: str | None = None, interval: float | None = None,
         law_names: str | None = None, name: str = "scheduled", keep_history: int | None = None,
         fetch: bool = False) -> int:
    raw, curated = Path(raw).resolve(), Path(curated).resolve()
    _stop_on_signals()
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "true")   # served runs' logs belong in the UI
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ[SERVED_RAW], os.environ[SERVED_CURATED] = str(raw), str(curated)
    server = None
    try:
        api_url = configured_api_url()
        if api_url:
            say(f"using the Prefect server at {api_url} (PREFECT_API_URL)")
        else:
            home = prefect_home(curated)
            auth = new_auth()
            server = ApiServer(home, auth=auth)
            say(f"starting a Prefect server on {server.url} (home {home}; a new database migrates first) …")
            server.start()
            (home / "auth").write_text(auth + "\n")
            os.chmod(home / "auth", 0o600)
            os.environ["PREFECT_API_AUTH_STRING"] = auth
            os.environ["PREFECT_HOME"] = str(home)
            api_url = server.api_url
            say(f"Prefect UI: {server.url} (user and password: {home / 'auth'})")
        return _serve(raw, curated, cron, interval, law_names, name, keep_history, api_url, fetch)
    except KeyboardInterrupt:
        return 130
    finally:
        if server is not None:
            say("stopping the Prefect server …")
            server.stop()
            say("stopped")


def _serve(raw, curated, cron, interval, law_names, name, keep_history, api_url: str, fetch: bool) -> int:
    # Children (the runner's flow-run processes) read the environment; this process reads
    # the settings context, which was fixed when Prefect was first imported.
    os.environ["PREFECT_API_URL"] = api_url
    import prefect.settings as ps
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron, Interval
    from prefect.settings import temporary_settings
    from prefect.types.entrypoint import EntrypointType

    from bodopress.pipeline import flows
    from bodopress.pipeline.store import KEEP_HISTORY

    updates = {ps.PREFECT_API_URL: api_url}
    if os.environ.get("PREFECT_API_AUTH_STRING"):
        updates[ps.PREFECT_API_AUTH_STRING] = os.environ["PREFECT_API_AUTH_STRING"]
    if os.environ.get("PREFECT_HOME"):
        updates[ps.PREFECT_HOME] = os.environ["PREFECT_HOME"]
    schedule = Cron(cron, timezone=TIMEZONE) if cron else Interval(interval, timezone=TIMEZONE)
    params = {"raw": str(raw), "curated": str(curated), "law_names": law_names,
              "keep_history": KEEP_HISTORY if keep_history is None else keep_history}
    target = flows.scheduled if fetch else flows.ingest
    if fetch:
        params["fetch"] = True
    say(f"deployment {target.name}/{name}: {schedule_text(cron, interval)}, {'fetch, then ' if fetch else ''}"
        f"{raw} → {curated}; Ctrl-C stops it")
    with temporary_settings(updates=updates):
        target.serve(
            name=name, schedules=[schedule], parameters=params,
            global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
            limit=1, pause_on_shutdown=True, print_starting_message=False,
            entrypoint_type=EntrypointType.MODULE_PATH,
            description="bodo: ingest new, changed and outdated releases (docs/operations.md)")
    return 0


__all__ = ["ApiServer", "main", "prefect_home", "schedule_text"]
