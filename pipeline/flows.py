"""The Prefect flow `bodo-ingest`: discover → load+extract in batches → write curated tables.

Tasks run over batches of files, not one task per file or step: each task run costs the
API a few milliseconds and a run of thousands floods the ephemeral server, so the
orchestration overhead stays a small share of the run. Flows only wire tasks; the work
is in `pipeline.tasks` and `pipeline.storage`.
"""
from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from pathlib import Path
from typing import Callable

# Local runs: no telemetry, no log shipping to the API, quiet INFO. Set before Prefect
# is imported; an operator's own environment wins.
for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",   # a fresh database migrates first
}.items():
    os.environ.setdefault(_key, _value)

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from extractors import EXTRACTOR_VERSION, code_fingerprint  # noqa: E402
from pipeline import storage  # noqa: E402
from pipeline.tasks import FileResult, discover, process_file  # noqa: E402

BATCH = 8
on_progress: Callable[[int], None] | None = None   # the CLI's progress bar hooks in here


def batch_key(context, parameters) -> str:
    """Cache key of a batch: its files' bytes and paths and the extraction code."""
    h = hashlib.sha256(f"{EXTRACTOR_VERSION}:{code_fingerprint()}:{parameters.get('law_names')}".encode())
    raw = Path(parameters["raw"])
    for p in parameters["paths"]:
        h.update(str(Path(p).relative_to(raw) if Path(p).is_relative_to(raw) else p).encode())
        try:
            h.update(Path(p).read_bytes())
        except OSError:
            h.update(b"<unreadable>")
    return h.hexdigest()


@task(name="discover", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def discover_files(raw: Path) -> list[Path]:
    return discover(raw)


@task(name="extract-batch", cache_key_fn=batch_key, cache_expiration=timedelta(days=7),
      persist_result=True)
def extract_batch(paths: list[Path], raw: Path, law_names: str | None = None) -> list[FileResult]:
    logger = get_run_logger()
    names = _law_names(law_names)
    results = []
    for p in paths:
        r = process_file(Path(p), raw, names)
        for e in r.rows.get("errors", []):
            logger.warning("%s: %s (%s)", e["source_file"], e["message"], e["error_type"])
        results.append(r)
    return results


@task(name="write-curated", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def write_curated(curated: Path, results: list[FileResult]) -> dict[str, int]:
    return storage.write_tables(curated, results)


@flow(name="bodo-ingest", task_runner=ThreadPoolTaskRunner(max_workers=2), log_prints=False)
def ingest(raw: Path = Path("raw"), curated: Path = Path("curated"), law_names: str | None = None) -> dict:
    """Ingest every release under `raw` into the curated Parquet tables under `curated`."""
    raw, curated = Path(raw).resolve(), Path(curated).resolve()
    files = discover_files(raw)
    batches = [files[i:i + BATCH] for i in range(0, len(files), BATCH)]
    futures = [extract_batch.submit(b, raw, law_names) for b in batches]
    results: list[FileResult] = []
    for fut in futures:
        batch = fut.result()
        results.extend(batch)
        if on_progress:
            on_progress(len(batch))
    counts = write_curated(curated, results) if results else {}
    return {"files": len(files), "ok": sum(r.ok for r in results),
            "errors": [e for r in results for e in r.rows.get("errors", [])], "rows": counts}


def _law_names(path: str | None):
    if not path:
        return None
    from extractors.laws import LawNames
    return LawNames.from_file(Path(path))


def run_ingest(raw: Path, curated: Path, law_names: str | None = None) -> dict:
    """Run the flow in this process against Prefect's ephemeral API, with no heartbeat thread."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return ingest(raw, curated, law_names)
