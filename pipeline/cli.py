"""`bodo`: ingest releases into curated Parquet, or print one text's extractions as JSON.

    bodo ingest [RAW_DIR] [--curated OUT_DIR] [--law-names FILE]
    bodo extract [FILE|-] [--reference-date YYYY-MM-DD] [--lines]
    bodo fetch [--since DATE] [--until DATE] [--raw DIR] [--api-url URL] [--with-appendices]

`extract` calls the extractors directly (no Prefect, no server) so it answers at once;
`ingest` runs the Prefect flow in this process against a local Prefect API served from a
thread of the same process (no server to start, nothing left running).

A mistake of the user's (a missing file, a bad date or cron) is one line on stderr saying
what to do, exit 2; a bug is one line too, exit 1, and `--debug` shows its traceback.
"""
from __future__ import annotations

import argparse
import atexit
import json
import logging
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path

RELEASE_SUFFIXES = (".hwpx", ".hwp", ".pdf", ".txt", ".md")
CRON_NICKNAMES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):   # argparse's usage block + message becomes one line
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def iso_date(s: str) -> date:
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a date: give YYYY-MM-DD, e.g. 2026-05-28") from None


def existing_file(s: str) -> str:
    if not Path(s).is_file():
        raise argparse.ArgumentTypeError(f"no file {s}: give a text file of official law names, one per line")
    return s


def cron_expr(s: str) -> str:
    """Checked before a server starts: five standard fields (read by cronsim) or a nickname like @hourly."""
    from cronsim import CronSim, CronSimError
    if s.strip() in CRON_NICKNAMES:
        return s
    try:
        CronSim(s, datetime.now())
    except CronSimError as e:
        raise argparse.ArgumentTypeError(f"{s!r} is not a cron schedule ({e}): give five fields "
                                         "MIN HOUR DAY MONTH WEEKDAY, e.g. \"*/15 * * * *\"") from None
    return s


def release_dir(raw: Path) -> Path:
    """`raw` when it holds release files; else the UserError that says where bodo looked."""
    if not raw.is_dir():
        raise UserError(f"no release files under {raw}/: there is no such directory "
                        f"(name the directory of {' '.join(RELEASE_SUFFIXES)} files, e.g. bodo ingest raw/)")
    if not any(p.suffix.lower() in RELEASE_SUFFIXES and p.is_file() for p in raw.rglob("*")):
        raise UserError(f"no release files under {raw}/ (looked for {' '.join(RELEASE_SUFFIXES)})")
    return raw


def _json_default(v):
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    raise TypeError(type(v).__name__)


def cmd_extract(args) -> int:
    from bodopress.extractors.document import Document
    from bodopress.extractors.extract import extract
    from bodopress.extractors.loaders import LoadError, load

    ref = args.reference_date
    names = None
    if args.law_names:
        from bodopress.extractors.laws import LawNames
        names = LawNames.from_file(Path(args.law_names))

    def dump(doc: Document) -> str:
        found = extract(doc, ref, names)
        return json.dumps(found, ensure_ascii=False, default=_json_default)

    if args.file in (None, "-"):
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        if args.lines:
            for line in text.splitlines():
                print(dump(Document.from_text(line)), flush=False)
        else:
            print(dump(Document.from_text(text)))
        return 0
    path = Path(args.file)
    if path.is_dir():
        raise UserError(f"{path} is a directory: give one release file (bodo ingest {path} ingests a directory)")
    if not path.exists():
        raise UserError(f"no file {path}: give a release file ({' '.join(RELEASE_SUFFIXES)}) or - for standard input")
    try:
        doc = Document.from_source(load(path))
    except LoadError as e:
        raise UserError(f"{e.message} [{e.error_type}]") from None
    if args.lines:
        for line in doc.text.split("\n"):
            print(dump(Document.from_text(line)))
    else:
        print(dump(doc))
    return 0


class FileProgress:
    """One step per file as the flow finishes it: on a terminal a bar with the file's name, the
    counts and an ETA; elsewhere (a log, a pipe) one plain line per file."""

    def __init__(self, console, quiet: bool = False):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        self.console, self.total, self.quiet = console, 0, quiet
        self.done = self.errors = 0
        self.started = time.monotonic()
        self.bar = None
        if console.is_terminal and not quiet:
            self.bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[errors]} error(s)"), TimeRemainingColumn(),
                                console=console, transient=True)
            self.task = self.bar.add_task("starting Prefect …", total=None, errors=0)

    def __enter__(self):
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()

    def plan(self, n_files: int) -> None:
        """The flow's own count: unchanged files are skipped. The ETA starts here, after Prefect's startup."""
        self.total, self.started = n_files, time.monotonic()
        if self.bar:
            self.bar.reset(self.task, total=n_files, description="extracting …")

    def file_done(self, source_file: str, ok: bool) -> None:
        self.done += 1
        self.errors += not ok
        if self.bar:
            last = self.done == self.total
            self.bar.update(self.task, advance=1, description="writing curated/ …" if last else source_file,
                            errors=self.errors)
        elif not self.quiet:
            left = (time.monotonic() - self.started) / self.done * max(self.total - self.done, 0)
            print(f"[{self.done}/{self.total}] {'ok   ' if ok else 'error'} {source_file} "
                  f"({self.errors} error(s), ~{left:.0f} s left)", file=sys.stderr, flush=True)


def _run_options(args) -> dict:
    return {"n_workers": args.workers, "timeout": args.timeout, "max_memory_mb": args.max_memory,
            "task_runner": args.task_runner, "dask_address": args.dask_address}


def cmd_forget(args) -> int:
    """Remove releases (withdrawn, or gone for good) from curated/ in one commit, like any run."""
    from bodopress.pipeline import flows, server
    from bodopress.pipeline.store import Store
    curated = Path(args.curated)
    known = Store(curated).ledger()
    paths = sorted({p for p, e in known.items() if e.get("missing_since")} if args.missing else set(args.paths))
    unknown = [p for p in paths if p not in known]
    if unknown:
        raise UserError(f"{unknown[0]} is not a source in {curated}/ (paths are relative to raw/, as in releases.source_file)")
    if not paths:
        raise UserError("nothing to forget: name source paths (as in releases.source_file) or use --missing")
    server.prestart()
    summary = flows.run_ingest(Path(args.raw), curated, forget=paths, n_workers=1)
    print(f"bodo forget: removed {len(summary['forgotten'])} source(s) from {curated}; run {summary['run_id']}",
          file=sys.stderr)
    return 0


def cmd_ingest(args) -> int:
    from bodopress.pipeline import server, workers
    raw, curated = release_dir(Path(args.raw)), Path(args.curated)
    server.prestart()       # Prefect's API imports and starts in a thread while the rest imports,
    if args.task_runner != "dask":       # and the workers build Kiwi, then extract, on the other core
        workers.prestart(*workers.settings(args.law_names, **_run_options(args)))
        workers.ahead(lambda: workers.likely_jobs(raw, curated, args.law_names))
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(stderr=True)
    started = time.perf_counter()
    if not args.quiet:
        console.print(f"starting Prefect (a local API in this process) for {raw} …", markup=False, highlight=False)
    with FileProgress(console, quiet=args.quiet) as progress:
        from bodopress.pipeline import flows
        flows.on_plan = progress.plan
        flows.on_progress = progress.file_done
        summary = flows.run_ingest(raw, curated, args.law_names, **_run_options(args))
    elapsed = time.perf_counter() - started

    table = Table(title=f"bodo ingest → {curated}", show_header=True)
    table.add_column("table")
    table.add_column("rows in curated", justify="right")
    for name, n in summary["rows"].items():
        table.add_row(name, str(n))
    console.print(table)
    console.print(f"files {summary['files']}, releases ingested {summary['ok']}, "
                  f"errors {len(summary['errors'])}, {elapsed:.1f} s")
    _print_run(console, summary, curated)
    for e in summary["errors"][:20]:
        console.print(f"  [yellow]{e['error_type']}[/yellow] {escape(e['source_file'])}: {escape(e['message'])}")
    if len(summary["errors"]) > 20:
        console.print(f"  … and {len(summary['errors']) - 20} more in {curated / 'errors.parquet'}")
    if summary["errors"] and not args.allow_errors:
        print(f"bodo ingest: {len(summary['errors'])} of {summary['files']} file(s) became error rows "
              f"in {curated / 'errors.parquet'}; exit 1 (--allow-errors exits 0)", file=sys.stderr)
        return 1
    return 0


def _print_run(console, summary: dict, curated: Path) -> None:
    """The incremental part of a run: what was (not) re-processed, what vanished, what changed."""
    p = summary.get("plan")
    if not p:
        return
    console.print(f"run {summary['run_id']}: processed {summary['processed']} (new {p['new']}, changed "
                  f"{p['changed']}, outdated {p['outdated']}, retried {p['retried']}), unchanged {p['unchanged']}")
    for old, new in summary["moved"].items():
        console.print(f"  moved: {old} → {new}")
    if summary["missing"]:
        console.print(f"[yellow]{len(summary['missing'])} file(s) gone from raw/; their rows stay in {curated}:[/yellow]")
        for m in summary["missing"][:20]:
            console.print(f"  [yellow]missing[/yellow] {m}")
    changes = {t: c for t, c in summary["changes"].items() if any(c.values())}
    if changes:
        console.print("changes: " + "; ".join(f"{t} +{c['added']} -{c['removed']} ~{c['changed']}"
                                             for t, c in changes.items()))
    if summary.get("history"):
        console.print(f"snapshot of this run (compare runs with `bodo diff`): {summary['history']}")


def cmd_serve(args) -> int:
    from bodopress.pipeline import serve
    if not Path(args.raw).is_dir():
        raise UserError(f"{args.raw}/ is not a directory: create it or name the directory of release files")
    return serve.main(Path(args.raw), Path(args.curated), cron=args.cron, interval=args.interval,
                      law_names=args.law_names, name=args.name, keep_history=args.keep_history, fetch=args.fetch)


def cmd_fetch(args) -> int:
    from bodopress.pipeline import fetch
    try:
        summary = fetch.run_fetch(Path(args.raw), args.since, args.until, args.api_url, args.with_appendices,
                                  min_interval=args.min_interval)
    except fetch.FetchError as e:   # no or a refused key, a bad span: one line, exit 2
        raise UserError(str(e)) from None
    print(f"bodo fetch: {summary['since']}..{summary['until']} in {summary['windows']} window(s): "
          f"{summary['listed']} release(s) listed, {len(summary['fetched'])} new, "
          f"{len(summary['replaced'])} replaced, {summary['unchanged']} unchanged → {args.raw}", file=sys.stderr)
    for problem in summary["errors"] + list(summary["failed"].values()):
        print(f"  {problem} (asked for again on the next fetch)", file=sys.stderr)
    return 1 if summary["errors"] or summary["failed"] else 0


def cmd_diff(args) -> int:
    from bodopress.pipeline import review
    from bodopress.pipeline.store import Store
    store = Store(Path(args.curated))
    try:
        old, new = store.resolve(args.old), store.resolve(args.new)
    except FileNotFoundError as e:
        raise UserError(str(e)) from None
    report = review.compare(review.State.load(old), review.State.load(new))
    if args.out:
        fmt = review.write_report(report, Path(args.out), args.format)
        print(f"bodo diff: {len(report['changes'])} change(s), {fmt} report in {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(review.render(report, args.format or "md"))
    return 0


def cmd_reextract(args) -> int:
    from bodopress.pipeline import server
    raw, curated = release_dir(Path(args.raw)), Path(args.curated)
    server.prestart()
    from bodopress.pipeline import flows, review
    from bodopress.pipeline.store import StaleStaging
    try:
        out = flows.reextract(raw, curated, args.law_names, accept=args.accept)
    except StaleStaging as e:
        print(f"bodo reextract: {e}", file=sys.stderr)
        return 1
    report = out["report"]
    if args.out:
        review.write_report(report, Path(args.out), args.format)
    print(review.to_markdown(report, max_changes=50))
    where = ", ".join(out["reports"].values())
    if out.get("accepted"):
        print(f"accepted: re-extracted tables are live in {curated} (run {out['run_id']}); "
              f"the previous version stays in {curated / '_history'}", file=sys.stderr)
    else:
        print(f"staged in {out['staging']}; reports: {where}\n"
              f"promote with: bodo reextract {raw} --curated {curated} --accept", file=sys.stderr)
    return 0


def cmd_history(args) -> int:
    from bodopress.pipeline.store import Store
    store = Store(Path(args.curated))
    if args.prune is not None:
        with store.locked():
            gone = store.prune(args.prune)
        print(f"removed {len(gone)} snapshot(s), kept {len(store.snapshots())}")
        return 0
    kept = set(store.snapshots())
    print(f"{'run id':<28} {'kind':<10} {'finished':<26} {'processed':>9} {'missing':>7}  snapshot")
    for r in store.runs():
        print(f"{r.get('run_id', '?'):<28} {r.get('kind', ''):<10} {str(r.get('finished_at', '')):<26} "
              f"{r.get('processed', '-'):>9} {len(r.get('missing') or []):>7}  "
              f"{'yes' if r.get('run_id') in kept else '-'}")
    return 0


def cmd_schema(args) -> int:
    from bodopress.schemas import CONTRACT_VERSION, TABLES, arrow_schema
    if args.table and args.table not in TABLES:
        raise UserError(f"no table {args.table!r}: one of {', '.join(TABLES)}")
    for n, table in enumerate([args.table] if args.table else TABLES):
        schema = arrow_schema(table)
        print(("\n" if n else "") + f"{table} (contract v{CONTRACT_VERSION}, docs/contract.md)")
        for f in schema:
            typ = f"{f.type}{'?' if f.nullable else ''}"
            print(f"  {f.name:<18} {typ:<30} {f.metadata[b'description'].decode()}")
    return 0


def cmd_report(args) -> int:
    from bodopress.pipeline import report
    curated = Path(args.curated)
    if report.table_path(curated, "releases") is None and report.table_path(curated, "errors") is None:
        raise UserError(f"no curated tables under {curated}/: run bodo ingest first, "
                        "or name the directory with --curated")
    summary, out = report.write(curated, Path(args.out) if args.out else None)
    print(f"bodo report: {summary['n_releases']} release(s), {summary['n_errors']} error(s) → {out}", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    for key, value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}.items():
        os.environ.setdefault(key, value)   # before Prefect is imported; an operator's own setting wins
    ap = Parser(prog="bodo", description=__doc__.splitlines()[0])
    ap.add_argument("--version", action="version", version=f"bodo {_version()}")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="ingest release files into curated Parquet tables")
    p.add_argument("raw", nargs="?", default="raw", help="directory of release files (default raw/)")
    p.add_argument("--curated", default="curated", help="output directory (default curated/)")
    p.add_argument("--law-names", type=existing_file, help="text file of official law names, one per line")
    p.add_argument("--allow-errors", action="store_true",
                   help="exit 0 even when some files became error rows (for schedulers that alert on crashes only)")
    p.add_argument("--workers", type=int, default=2, help="extraction worker processes (default 2)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds a file may take (default 120)")
    p.add_argument("--max-memory", type=int, default=384, metavar="MB",
                   help="memory a file may take in its worker beyond Kiwi's, MB (default 384)")
    p.add_argument("--task-runner", choices=["process", "dask"], default="process",
                   help="process: a local worker pool (default); dask: a Dask cluster via prefect-dask")
    p.add_argument("--dask-address", metavar="tcp://HOST:PORT", help="scheduler of an existing Dask cluster "
                   "(default: a local cluster)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("forget", help="remove withdrawn releases (by source path) from curated/ in one commit")
    p.add_argument("paths", nargs="*", help="source paths as in releases.source_file")
    p.add_argument("--missing", action="store_true", help="every source gone from raw/ (missing in the ledger)")
    p.add_argument("--raw", default="raw", help="raw directory (default raw/)")
    p.add_argument("--curated", default="curated", help="curated directory (default curated/)")
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser("extract", help="print one file's or text's extractions as JSON")
    p.add_argument("file", nargs="?", help="a release file, or - (default) for standard input")
    p.add_argument("--reference-date", type=iso_date, help="YYYY-MM-DD that relative dates resolve against")
    p.add_argument("--lines", action="store_true", help="every input line is its own text; one JSON per line")
    p.add_argument("--law-names", type=existing_file, help="text file of official law names, one per line")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("serve", help="ingest on a schedule: a Prefect deployment and its runner")
    p.add_argument("raw", nargs="?", default="raw", help="directory of release files (default raw/)")
    p.add_argument("--curated", default="curated", help="output directory (default curated/)")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", type=cron_expr, help='cron schedule, e.g. "*/15 * * * *" (Asia/Seoul)')
    when.add_argument("--interval", type=float, help="seconds between runs")
    p.add_argument("--law-names", type=existing_file, help="text file of official law names, one per line")
    p.add_argument("--name", default="scheduled", help="deployment name (default scheduled)")
    p.add_argument("--keep-history", type=int, default=None, help="snapshots to keep in curated/_history")
    p.add_argument("--fetch", action="store_true", help="fetch new releases from the portal (BODO_PORTAL_KEY) "
                   "before each ingest")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("fetch", help="download new releases from the 정책브리핑 portal's OpenAPI into raw/")
    p.add_argument("--since", type=iso_date, metavar="DATE", help="first day (default: the last day fetched in full)")
    p.add_argument("--until", type=iso_date, metavar="DATE", help="last day (default: today, Korea time)")
    p.add_argument("--raw", default="raw", metavar="DIR", help="directory the releases land in (default raw/)")
    p.add_argument("--api-url", metavar="URL", default="https://apis.data.go.kr/1371000/pressReleaseService/pressReleaseList",
                   help="the press-release list operation (default: the public data portal's)")
    p.add_argument("--with-appendices", action="store_true", help="also land appendices as <NewsItemId>-<n>.<ext>")
    p.add_argument("--min-interval", type=float, default=0.5, metavar="SECONDS",
                   help="seconds between two requests to the portal (default 0.5)")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("diff", help="report the values that changed between two curated states")
    p.add_argument("old", help="curated directory, run id (or a prefix), or `staging`")
    p.add_argument("new", help="curated directory, run id (or a prefix), or `staging`")
    p.add_argument("--curated", default="curated", help="where run ids are looked up (default curated/)")
    p.add_argument("--out", help="write the report here; .md, .html or .json picks the format")
    p.add_argument("--format", choices=["md", "html", "json"], help="report format (default: from --out, else md)")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("reextract", help="re-extract every source with the current code into a staging area")
    p.add_argument("raw", nargs="?", default="raw", help="directory of release files (default raw/)")
    p.add_argument("--curated", default="curated", help="curated directory (default curated/)")
    p.add_argument("--accept", action="store_true", help="promote the staged tables to curated/")
    p.add_argument("--law-names", type=existing_file, help="text file of official law names, one per line")
    p.add_argument("--out", help="also write the diff report here (.md, .html or .json)")
    p.add_argument("--format", choices=["md", "html", "json"], help="format of --out")
    p.set_defaults(func=cmd_reextract)

    p = sub.add_parser("history", help="list the runs kept in curated/_history, or prune them")
    p.add_argument("--curated", default="curated", help="curated directory (default curated/)")
    p.add_argument("--prune", type=int, metavar="KEEP", help="delete all but the newest KEEP snapshots")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("schema", help="print the curated tables' columns, types and descriptions")
    p.add_argument("table", nargs="?", help="one table (default: all)")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("report", help="write one static HTML page over curated/ (releases, rows, errors, amounts)")
    p.add_argument("--curated", default="curated", help="curated directory (default curated/)")
    p.add_argument("--out", help="the HTML file to write (default CURATED/report.html)")
    p.set_defaults(func=cmd_report)

    for p in [ap, *sub.choices.values()]:   # global flags, before or after the command
        default = False if p is ap else argparse.SUPPRESS   # a command's default must not undo `bodo -q CMD`
        p.add_argument("--debug", action="store_true", default=default, help="show the traceback of an error")
        loud = p.add_mutually_exclusive_group()
        loud.add_argument("-v", "--verbose", action="store_true", default=default, help="log more (INFO)")
        loud.add_argument("-q", "--quiet", action="store_true", default=default,
                          help="no progress; only errors and the result")
    args = ap.parse_args(argv)
    _logging(args)
    try:
        return args.func(args)
    except UserError as e:
        print(f"bodo {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        if args.debug:
            raise
        what = " ".join(f"{type(e).__name__}: {e}".split())
        print(f"bodo: internal error: {what} (run with --debug for the traceback)", file=sys.stderr)
        return 1


def run() -> None:
    """The console script: `main()`, then every exit handler, then the process ends without
    the interpreter's module teardown, which takes ≈2.5 s once Prefect's server is imported."""
    code = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _version() -> str:
    from importlib.metadata import version
    return version("bodopress")


class OneLineFormatter(logging.Formatter):
    """A logged exception (Prefect logs a failed task's) without its traceback: that is --debug's.
    The record is shared with other handlers, which may have formatted the traceback already."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def _logging(args) -> None:
    """-v and -q set Python's and Prefect's log level; without either, Prefect's own default applies."""
    level = "INFO" if args.verbose else "ERROR" if args.quiet else None
    handler = logging.StreamHandler()
    fmt = "%(levelname)s %(name)s: %(message)s"
    handler.setFormatter(logging.Formatter(fmt) if args.debug else OneLineFormatter(fmt))
    logging.basicConfig(level=level or "WARNING", handlers=[handler])
    if level:
        os.environ["PREFECT_LOGGING_LEVEL"] = level


if __name__ == "__main__":
    run()
