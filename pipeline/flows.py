"""The Prefect flow `bodo-ingest`: discover → plan against the ledger → load+extract in batches → write.

Only files that are new, changed or extracted by other code are processed (the ledger,
`pipeline.ledger`); a run that changes the tables leaves a snapshot in `curated/_history/`
and ends with a markdown artifact of what it ingested and what changed (`pipeline.diff`).
Tasks run over batches of files, not one task per file or step: each task run costs the
API a few milliseconds and a run of thousands floods the ephemeral server, so the
orchestration overhead stays a small share of the run. Flows only wire tasks; the work
is in `pipeline.tasks`, `pipeline.storage`, `pipeline.ledger` and `pipeline.diff`.
"""
from __future__ import annotations

import hashlib
import json
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

from bodopress.extractors import EXTRACTOR_VERSION, code_fingerprint  # noqa: E402
from bodopress.pipeline import diff, ledger, storage  # noqa: E402
from bodopress.pipeline.tasks import FileResult, discover, process_file  # noqa: E402
from bodopress.schemas import TABLES  # noqa: E402

BATCH = 8
on_progress: Callable[[int], None] | None = None   # the CLI's progress bar hooks in here
on_plan: Callable[[int], None] | None = None       # ... and learns how many files the run will process


def batch_key(context, parameters) -> str:
    """Cache key of a batch: its files' bytes and paths and the extraction code."""
    h = hashlib.sha256(f"{EXTRACTOR_VERSION}:{code_fingerprint()}:{parameters.get('law_names')}".encode())
    if parameters.get("law_names"):    # the list's content, not only its path: an edited list re-extracts
        try:
            h.update(Path(parameters["law_names"]).read_bytes())
        except OSError:
            h.update(b"<unreadable law names>")
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


@task(name="plan", cache_policy=NO_CACHE)
def plan_run(raw: Path, curated: Path, files: list[Path], version: ledger.Version, force: bool) -> ledger.Plan:
    return ledger.plan(raw, files, ledger.read_ledger(curated), version, force)


@task(name="write-curated", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)   # IO: a retry
# starts again from the tables on disk, which only change by whole-file renames
def write_curated(curated: Path, results: list[FileResult], plan: ledger.Plan, version: ledger.Version,
                  run: dict, keep_history: int) -> tuple[dict, dict | None]:
    """Merge this run's rows, re-record the ledger, snapshot the new state; return (run info, diff)."""
    old_ledger = ledger.read_ledger(curated)
    entries = ledger.updated_entries(old_ledger, plan, results, version, run["run_id"])
    touched = {r.source_file for r in results} | set(plan.moved)
    report = None
    if touched:
        if keep_history:
            ledger.ensure_baseline(curated)
        before = diff.load_state(curated, "before this run")
        staged = ledger.stage_ledger(curated, entries, head=run["run_id"])
        counts = storage.write_tables(curated, results, drop_sources=plan.moved,
                                      extra=[(staged, curated / ledger.LEDGER)])
        report = diff.compare(before, diff.load_state(curated, f"run {run['run_id']}"), sources=touched,
                              raws=[Path(run["raw"])], max_loads=10)
    else:
        if entries != old_ledger:
            ledger.write_ledger(curated, entries, head=ledger.ledger_head(curated))
        counts = {t: storage.read_table(curated, t).num_rows for t in TABLES} if (curated / "releases.parquet").exists() else {}
    info = dict(run, finished_at=ledger.utc_now(), changed=bool(touched), rows=counts,
                processed=len(results), ok=sum(r.ok for r in results),
                errors=sum(not r.ok for r in results), plan=plan.summary(),
                new=plan.new, changed_files=plan.changed, outdated=plan.outdated, missing=plan.missing,
                moved=plan.moved, changes={t: {k: c[k] for k in ("added", "removed", "changed")}
                                           for t, c in (report or {}).get("summary", {}).items()})
    if keep_history:
        if touched:
            info["history"] = str(ledger.snapshot(curated, run["run_id"], info,
                                                  {"changes.md": diff.to_markdown(report)}))
            ledger.prune(curated, keep_history)
        ledger.log_run(curated, info)
    return info, report


@flow(name="bodo-ingest", task_runner=ThreadPoolTaskRunner(max_workers=2), log_prints=False)
def ingest(raw: Path = Path("raw"), curated: Path = Path("curated"), law_names: str | None = None,
           force: bool = False, keep_history: int = ledger.KEEP_HISTORY) -> dict:
    """Ingest the new, changed and outdated releases under `raw` into the curated tables under `curated`.

    `force` re-extracts every file (bodo reextract); `keep_history` is how many snapshots
    `curated/_history/` keeps (0: neither snapshots nor the run log, as for the staging area).
    """
    logger = get_run_logger()
    raw, curated = Path(raw).resolve(), Path(curated).resolve()
    run = {"run_id": ledger.new_run_id(), "kind": "reextract" if force else "ingest",
           "started_at": ledger.utc_now(), "raw": str(raw), "curated": str(curated), **_prefect_run()}
    version = ledger.current_version(law_names)
    run["extractor_version"] = version.label
    with ledger.locked(curated, on_wait=lambda: logger.warning("waiting for another bodo run on %s", curated)):
        files = discover_files(raw)
        plan = plan_run(raw, curated, files, version, force)
        if on_plan:
            on_plan(len(plan.todo))
        batches = [plan.todo[i:i + BATCH] for i in range(0, len(plan.todo), BATCH)]
        futures = [extract_batch.submit(b, raw, law_names) for b in batches]
        results: list[FileResult] = []
        for fut in futures:
            batch = fut.result()
            results.extend(batch)
            if on_progress:
                on_progress(len(batch))
        info, report = write_curated(curated, results, plan, version, run, keep_history)
    for rel in plan.missing:
        logger.warning("%s is gone from %s; its rows stay in %s", rel, raw, curated)
    summary = {"files": len(files), "ok": info["ok"],
               "errors": [e for r in results for e in r.rows.get("errors", [])], "rows": info["rows"],
               **{k: info[k] for k in ("run_id", "processed", "plan", "new", "changed_files", "outdated",
                                       "missing", "moved", "changes", "changed")},
               "unchanged": len(plan.unchanged), "history": info.get("history")}
    _publish(summary, report, raw, curated)
    return summary


def _prefect_run() -> dict:
    """Where this run came from: a deployment's schedule (auto_scheduled) or a direct call."""
    from prefect.context import FlowRunContext
    ctx = FlowRunContext.get()
    fr = ctx.flow_run if ctx else None
    if fr is None:
        return {}
    return {"flow_run_id": str(fr.id), "flow_run_name": fr.name, "auto_scheduled": bool(fr.auto_scheduled),
            "deployment_id": str(fr.deployment_id) if fr.deployment_id else None}


def summary_markdown(summary: dict, report: dict | None, raw: Path, curated: Path, max_changes: int = 200) -> str:
    """What a run ingested and what changed, for the Prefect UI (a markdown artifact)."""
    p = summary["plan"]
    lines = [f"# bodo ingest {summary['run_id']}", "",
             f"`{raw}` → `{curated}`", "",
             "| files | new | changed | outdated (other code) | unchanged | missing from raw | moved | errors |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
             f"| {summary['files']} | {p['new']} | {p['changed']} | {p['outdated']} | {p['unchanged']} | "
             f"{p['missing']} | {p['moved']} | {len(summary['errors'])} |", ""]
    if summary["missing"]:
        lines += ["**Gone from raw/, rows kept:** " + ", ".join(f"`{m}`" for m in summary["missing"]), ""]
    for e in summary["errors"][:20]:
        lines.append(f"- error `{e['error_type']}` in `{e['source_file']}`: {e['message']}")
    lines += ["", "Rows in curated: " + ", ".join(f"{t} {n}" for t, n in summary["rows"].items()), ""]
    if report is not None:
        lines.append(diff.to_markdown(report, max_changes=max_changes, heading="##"))
    else:
        lines.append("Nothing to re-process: the curated tables are unchanged.")
    return "\n".join(lines)


def _publish(summary: dict, report: dict | None, raw: Path, curated: Path) -> None:
    from prefect.artifacts import create_markdown_artifact
    try:
        create_markdown_artifact(markdown=summary_markdown(summary, report, raw, curated), key="bodo-ingest",
                                 description=f"bodo ingest {summary['run_id']}: "
                                             f"{summary['processed']} processed, {len(summary['missing'])} missing")
    except Exception as e:   # the summary is a courtesy: the tables are already written
        get_run_logger().warning("could not publish the run summary artifact: %s", e)


def _law_names(path: str | None):
    if not path:
        return None
    from bodopress.extractors.laws import LawNames
    return LawNames.from_file(Path(path))


def run_ingest(raw: Path, curated: Path, law_names: str | None = None, force: bool = False,
               keep_history: int = ledger.KEEP_HISTORY) -> dict:
    """Run the flow in this process against Prefect's ephemeral API, with no heartbeat thread.

    Heartbeats let a server mark a run whose process died as crashed; a local run has no
    one to tell and would pay a 1.1 s wait per flow call. Served runs (`bodo serve`) keep
    Prefect's default heartbeat: there the server outlives a crashed run.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return ingest(raw, curated, law_names, force, keep_history)


def reextract(raw: Path, curated: Path, law_names: str | None = None, accept: bool = False) -> dict:
    """Re-extract every source under `raw` with the current code into `curated/_staging/`,
    diff it against the live tables (`_staging/diff.{md,html,json}`), and with `accept`
    promote it. An `accept` after a plain `reextract` reuses the staging when nothing moved
    since (same base run, same code, same raw files); otherwise it is rebuilt first."""
    raw, curated = Path(raw).resolve(), Path(curated).resolve()
    staging = curated / ledger.STAGING
    version = ledger.current_version(law_names)
    reused = accept and _staging_is_current(raw, curated, staging, version)
    summary = None
    if not reused:
        ledger.prepare_staging(curated)
        summary = run_ingest(raw, staging, law_names, force=True, keep_history=0)
        (staging / "run.json").write_text(json.dumps(
            {"run_id": summary["run_id"], "kind": "reextract (staged)", "finished_at": ledger.utc_now(),
             "raw": str(raw), "extractor_version": version.label, "processed": summary["processed"],
             "missing": summary["missing"]}, ensure_ascii=False, indent=1), encoding="utf-8")
    report = diff.compare(diff.load_state(curated, f"curated (run {ledger.ledger_head(curated) or '–'})"),
                          diff.load_state(staging, f"staging: {version.label}"), raws=[raw])
    for fmt_name in ("md", "html", "json"):
        diff.write_report(report, staging / f"diff.{fmt_name}", fmt_name)
    out = {"staging": str(staging), "report": report, "reused": reused, "ingest": summary,
           "reports": {f: str(staging / f"diff.{f}") for f in ("md", "html", "json")}}
    if accept:
        info = {"kind": "reextract", "started_at": ledger.utc_now(), "finished_at": ledger.utc_now(),
                "raw": str(raw), "curated": str(curated), "extractor_version": version.label,
                "changes": {t: {k: c[k] for k in ("added", "removed", "changed")}
                            for t, c in report["summary"].items()}}
        snap = ledger.promote(curated, info, {"changes.md": diff.to_markdown(report)})
        out.update(accepted=True, history=str(snap), run_id=snap.name)
    return out


def _staging_is_current(raw: Path, curated: Path, staging: Path, version: ledger.Version) -> bool:
    if not (staging / ledger.LEDGER).exists() or ledger.staging_base(staging) != ledger.ledger_head(curated):
        return False
    p = ledger.plan(raw, discover(raw) if raw.is_dir() else [], ledger.read_ledger(staging), version)
    return not p.todo and not p.moved
