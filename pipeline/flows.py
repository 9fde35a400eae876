"""The Prefect flow `bodo-ingest`: discover → plan against the ledger → extract in bounded workers → commit.

Only files that are new, changed or extracted by other code are processed (`pipeline.ledger`);
the extraction runs in worker processes, each file under a time and memory limit
(`pipeline.workers`), or on a Dask cluster (`task_runner="dask"`); the store commits every
table, the ledger and the run's snapshot at once (`pipeline.store`), and the run ends with a
markdown artifact of what changed (`pipeline.review`). A run is a handful of tasks, not one
per file: each task run costs the API a few milliseconds. The ledger is the one incremental
mechanism: no task result is cached or persisted by Prefect.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from bodopress.pipeline import server  # stdlib only, so this runs before Prefect is imported

server.local_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from bodopress.pipeline import ledger as L  # noqa: E402
from bodopress.pipeline import review, workers  # noqa: E402
from bodopress.pipeline.store import KEEP_HISTORY, Change, Store  # noqa: E402
from bodopress.pipeline.tasks import FileResult, discover, process_file  # noqa: E402

DASK_BATCH = 16
on_progress: Callable[[str, bool], None] | None = None   # the CLI's progress display: (file, ok) per file
on_plan: Callable[[int], None] | None = None             # ... and how many files the run will process


@task(name="discover", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def discover_files(raw: Path):
    return discover(raw)


@task(name="plan", cache_policy=NO_CACHE)
def plan_run(raw: Path, files, ledger: dict, version: L.Version, force: bool) -> L.Plan:
    return L.plan(raw, files, ledger, version, force)


@task(name="extract", cache_policy=NO_CACHE)
def extract_files(jobs: list[tuple[str, Path]], law_names: str | None, n_workers: int,
                  limits: workers.Limits) -> list[FileResult]:
    """All of a run's files through the bounded worker pool, in completion order."""
    logger = get_run_logger()
    results = []
    with workers.pool(n_workers, limits, law_names) as pool:
        for r in pool.map(jobs):
            for e in r.rows.get("errors", []):
                logger.warning("%s: %s (%s)", e["source_file"], e["message"], e["error_type"])
            results.append(r)
            if on_progress:
                on_progress(r.source_file, r.ok)
    return results


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(jobs: list[tuple[str, str]], law_names: str | None, limits: workers.Limits) -> list[FileResult]:
    """One batch on a Dask worker: a one-process pool where the worker may have children, else inline."""
    try:
        with workers.Pool(1, limits, law_names) as pool:
            return list(pool.map([(rel, Path(p)) for rel, p in jobs]))
    except AssertionError:      # a daemonic worker process may not start children
        from bodopress.pipeline.tasks import law_names_from
        names = law_names_from(law_names)
        return [process_file(Path(p), rel, names) for rel, p in jobs]


@task(name="commit", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)   # a retry starts
# again from the tables on disk, which only change by whole-file renames
def commit_run(store: Store, results: list[FileResult], plan: L.Plan, version: L.Version, run: dict,
               keep_history: int) -> tuple[dict, dict | None]:
    """Merge this run's rows, re-record the ledger, snapshot the new state; return (run info, diff)."""
    old_ledger = store.ledger()
    entries = L.updated_entries(old_ledger, plan, results, version, run["run_id"])
    touched = {r.source_file for r in results} | set(plan.moved) | set(plan.forgotten)
    info = dict(run, finished_at=L.utc_now(), processed=len(results), ok=sum(r.ok for r in results),
                errors=sum(not r.ok for r in results), plan=plan.summary(), new=plan.new,
                changed_files=plan.changed, outdated=plan.outdated, missing=plan.missing,
                moved=plan.moved, forgotten=plan.forgotten)
    if not touched:
        info.update(changed=False, changes={}, rows=store.counts())
        if keep_history:
            store.log_unchanged(info, entries)
        return info, None
    ids = {e["release_id"] for k, e in old_ledger.items() if k in touched and e.get("release_id")}
    ids |= {row["release_id"] for r in results for row in r.rows.get("releases", [])}
    before = review.State.of(store, ids, sources=touched, label="before this run")
    report = review.compare(before, review.State.from_results(results, entries, ids, store, touched,
                                                               label=f"run {run['run_id']}"), sources=touched)
    info.update(changed=True, changes=review.counts(report))
    counts = store.commit(Change(results, entries, info, {"changes.md": review.to_markdown(report)}), keep_history)
    info["rows"] = counts
    if keep_history:
        info["history"] = str(store.history / run["run_id"])
    return info, report


@flow(name="bodo-ingest", log_prints=False)
def ingest(raw: Path = Path("raw"), curated: Path = Path("curated"), law_names: str | None = None,
           force: bool = False, keep_history: int = KEEP_HISTORY, n_workers: int = 2,
           timeout: float = workers.Limits.timeout, max_memory_mb: int = workers.Limits.memory >> 20,
           use_dask: bool = False, forget: list[str] | None = None) -> dict:
    """Ingest the new, changed and outdated releases under `raw` into the curated tables under `curated`.

    `force` re-extracts every file (bodo reextract); `keep_history` is how many snapshots
    `curated/_history/` keeps (0: neither snapshots nor the run log, as for the staging area);
    `forget` are source paths whose rows and ledger entries go (bodo forget).
    """
    logger = get_run_logger()
    raw, curated = Path(raw).resolve(), Path(curated).resolve()
    _check_served(raw, curated)
    store = Store(curated)
    run = {"run_id": L.new_run_id(), "kind": "forget" if forget else "reextract" if force else "ingest",
           "started_at": L.utc_now(), "raw": str(raw), "curated": str(curated), **_prefect_run()}
    version = L.current_version(law_names)
    run["extractor_version"] = version.label
    limits = workers.Limits(timeout=timeout, memory=max_memory_mb << 20)
    with store.locked(on_wait=lambda: logger.warning("waiting for another bodo run on %s", curated)):
        if forget:                       # bodo forget: no file is read, the named sources go
            files, refused = [], []
            plan = L.Plan(forgotten=[f for f in forget if f in store.ledger()])
        else:
            files, refused = discover_files(raw) if raw.is_dir() else ([], [])
            plan = plan_run(raw, quote(files), quote(store.ledger()), version, force)
        jobs = L.todo_jobs(files, plan)
        if on_plan:
            on_plan(len(jobs))
        if use_dask:
            results = _on_dask(jobs, law_names, limits)
        else:
            results = extract_files(quote(jobs), law_names, n_workers, limits)
        known = store.ledger()
        plan.missing = [m for m in plan.missing if m not in {r.source_file for r in refused}]
        refused = [r for r in refused if force or known.get(r.source_file, {}).get("error_type")
                   != r.rows["errors"][0]["error_type"]]
        # quote(): Prefect would otherwise walk every row of every result to look for futures
        info, report = commit_run(store, quote(results + refused), quote(plan), version, run, keep_history)
    for rel in plan.missing:
        logger.warning("%s is gone from %s; its rows stay in %s", rel, raw, curated)
    summary = {"files": len(files) + len(refused), "ok": info["ok"],
               "errors": [e for r in results + refused for e in r.rows.get("errors", [])], "rows": info["rows"],
               **{k: info[k] for k in ("run_id", "processed", "plan", "new", "changed_files", "outdated",
                                       "missing", "moved", "changes", "changed", "forgotten")},
               "unchanged": len(plan.unchanged), "history": info.get("history")}
    _publish(summary, report, raw, curated)
    for r in results:                     # one line per release (bodo serve logs INFO; a local run WARNING)
        if r.ok:
            logger.info("curated %s", r.source_file)
    return summary


def _check_served(raw: Path, curated: Path) -> None:
    """A served deployment's runs work on the directories `bodo serve` was started with, and no others."""
    for name, got in ((server.SERVED_RAW, raw), (server.SERVED_CURATED, curated)):
        fixed = os.environ.get(name)
        if fixed and Path(fixed).resolve() != got:
            raise PermissionError(f"this deployment works on {fixed}; a run asked for {got} and was refused")


@flow(name="bodo-scheduled", log_prints=False)
def scheduled(raw: Path = Path("raw"), curated: Path = Path("curated"), law_names: str | None = None,
              keep_history: int = KEEP_HISTORY, fetch: bool = True) -> dict:
    """`bodo serve --fetch`: new releases from the portal into raw/, then ingest."""
    if fetch:
        from bodopress.pipeline.fetch import fetch_flow
        fetch_flow(raw=Path(raw))
    return ingest(raw, curated, law_names, keep_history=keep_history)


def _on_dask(jobs, law_names, limits):
    """The run's files in batches on the flow's Dask task runner; results as the batches finish."""
    batches = [[(rel, str(p)) for rel, p in jobs[i:i + DASK_BATCH]] for i in range(0, len(jobs), DASK_BATCH)]
    results: list[FileResult] = []
    for fut in [extract_batch.submit(b, law_names, limits) for b in batches]:
        for r in fut.result():
            results.append(r)
            if on_progress:
                on_progress(r.source_file, r.ok)
    return results


def dask_runner(address: str | None = None):
    """prefect-dask's runner: the cluster at `address`, else a local one (one process per core)."""
    from prefect_dask import DaskTaskRunner
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": os.cpu_count() or 2, "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None})


def _prefect_run() -> dict:
    """Where this run came from: a deployment's schedule (auto_scheduled) or a direct call."""
    from prefect.context import FlowRunContext
    ctx = FlowRunContext.get()
    fr = ctx.flow_run if ctx else None
    if fr is None:
        return {}
    return {"flow_run_id": str(fr.id), "flow_run_name": fr.name, "auto_scheduled": bool(fr.auto_scheduled),
            "deployment_id": str(fr.deployment_id) if fr.deployment_id else None}


def _publish(summary: dict, report: dict | None, raw: Path, curated: Path) -> None:
    from prefect.artifacts import create_markdown_artifact
    try:
        create_markdown_artifact(markdown=review.summary_markdown(summary, report, raw, curated), key="bodo-ingest",
                                 description=f"bodo ingest {summary['run_id']}: "
                                             f"{summary['processed']} processed, {len(summary['missing'])} missing")
    except Exception as e:   # the summary is a courtesy: the tables are already written
        get_run_logger().warning("could not publish the run summary artifact: %s", e)


def run_ingest(raw: Path, curated: Path, law_names: str | None = None, force: bool = False,
               keep_history: int = KEEP_HISTORY, **options) -> dict:
    """Run the flow in this process against an API server that dies with it, with no heartbeat.

    Heartbeats let a server mark a run whose process died as crashed; a local run has no one
    to tell and would pay a 1.1 s wait per flow call.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    flow_ = ingest
    if options.pop("task_runner", None) == "dask":
        flow_ = ingest.with_options(task_runner=dask_runner(options.pop("dask_address", None)))
        options["use_dask"] = True
    options.pop("dask_address", None)
    server.prestart()
    if not options.get("use_dask") and not options.get("forget"):   # Kiwi builds while the server starts,
        workers.prestart(*workers.settings(law_names, **options))  # then the likely files are extracted
        workers.ahead(lambda: workers.likely_jobs(raw, curated, law_names, force))
    try:
        with server.api(), temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            return flow_(raw, curated, law_names, force, keep_history, **options)
    finally:
        workers.discard()


def reextract(raw: Path, curated: Path, law_names: str | None = None, accept: bool = False, **options) -> dict:
    """Re-extract every source under `raw` with the current code into `curated/_staging/`,
    diff it against the live tables (`_staging/diff.{md,html,json}`), and with `accept`
    promote it. An `accept` after a plain `reextract` reuses the staging when nothing moved
    since (same base run, same code, same raw files); otherwise it is rebuilt first."""
    import json
    raw, curated = Path(raw).resolve(), Path(curated).resolve()
    store = Store(curated)
    version = L.current_version(law_names)
    with store.locked():
        reused = accept and _staging_is_current(raw, store, version)
        if not reused:
            store.prepare_staging()
    summary = None
    if not reused:
        summary = run_ingest(raw, store.staging, law_names, force=True, keep_history=0, **options)
        store.write_staging_file("run.json", json.dumps(
            {"run_id": summary["run_id"], "kind": "reextract (staged)", "finished_at": L.utc_now(),
             "raw": str(raw), "extractor_version": version.label, "processed": summary["processed"],
             "missing": summary["missing"]}, ensure_ascii=False, indent=1))
    report = review.compare(review.State.load(curated, f"curated (run {store.head() or '–'})"),
                            review.State.load(store.staging, f"staging: {version.label}"))
    for fmt in ("md", "html", "json"):
        store.write_staging_file(f"diff.{fmt}", review.render(report, fmt))
    out = {"staging": str(store.staging), "report": report, "reused": reused, "ingest": summary,
           "reports": {f: str(store.staging / f"diff.{f}") for f in ("md", "html", "json")}}
    if accept:
        info = {"kind": "reextract", "started_at": L.utc_now(), "finished_at": L.utc_now(), "raw": str(raw),
                "curated": str(curated), "extractor_version": version.label, "changes": review.counts(report)}
        with store.locked():
            snap = store.promote(info, {"changes.md": review.to_markdown(report)})
        out.update(accepted=True, history=str(snap), run_id=snap.name)
    return out


def _staging_is_current(raw: Path, store: Store, version: L.Version) -> bool:
    staged = Store(store.staging)
    if not staged.ledger_path.exists() or store.staging_base() != store.head():
        return False
    files, _ = discover(raw) if raw.is_dir() else ([], [])
    p = L.plan(raw, files, staged.ledger(), version)
    return not p.todo and not p.moved
