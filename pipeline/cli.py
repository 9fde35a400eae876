"""`bodo`: ingest releases into curated Parquet, or print one text's extractions as JSON.

    bodo ingest [RAW_DIR] [--curated OUT_DIR] [--law-names FILE]
    bodo extract [FILE|-] [--reference-date YYYY-MM-DD] [--lines]

`extract` calls the extractors directly (no Prefect, no server) so it answers at once;
`ingest` runs the Prefect flow in this process against Prefect's ephemeral API.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime
from pathlib import Path


def _json_default(v):
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    raise TypeError(type(v).__name__)


def cmd_extract(args) -> int:
    from bodopress.extractors.document import Document
    from bodopress.extractors.extract import extract
    from bodopress.extractors.loaders import LoadError, load

    ref = date.fromisoformat(args.reference_date) if args.reference_date else None
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
    try:
        doc = Document.from_source(load(Path(args.file)))
    except LoadError as e:
        print(f"bodo extract: {e.message} [{e.error_type}]", file=sys.stderr)
        return 2
    if args.lines:
        for line in doc.text.split("\n"):
            print(dump(Document.from_text(line)))
    else:
        print(dump(doc))
    return 0


def cmd_ingest(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from bodopress.pipeline.tasks import discover

    console = Console(stderr=True)
    raw, curated = Path(args.raw), Path(args.curated)
    if not raw.is_dir():
        console.print(f"[red]bodo ingest: {raw} is not a directory[/red]")
        return 2
    total = len(discover(raw))
    started = time.perf_counter()
    with Progress(TextColumn("[bold]ingest[/bold]"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        bar = progress.add_task("files", total=total)
        console.print(f"starting Prefect (ephemeral) for {total} file(s) in {raw} …")
        from bodopress.pipeline import flows
        flows.on_progress = lambda n: progress.advance(bar, n)
        flows.on_plan = lambda n: progress.update(bar, total=n)   # unchanged files are skipped
        summary = flows.run_ingest(raw, curated, args.law_names)
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
        console.print(f"  [yellow]{e['error_type']}[/yellow] {e['source_file']}: {e['message']}")
    if len(summary["errors"]) > 20:
        console.print(f"  … and {len(summary['errors']) - 20} more in {curated / 'errors.parquet'}")
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
        print(f"bodo serve: {args.raw} is not a directory", file=sys.stderr)
        return 2
    return serve.main(Path(args.raw), Path(args.curated), cron=args.cron, interval=args.interval,
                      law_names=args.law_names, name=args.name, keep_history=args.keep_history)


def cmd_diff(args) -> int:
    from bodopress.pipeline import diff, ledger
    try:
        old = ledger.resolve(args.old, Path(args.curated))
        new = ledger.resolve(args.new, Path(args.curated))
    except FileNotFoundError as e:
        print(f"bodo diff: {e}", file=sys.stderr)
        return 2
    raws = [Path(args.raw)] if args.raw else None
    report = diff.compare(diff.load_state(old), diff.load_state(new), raws=raws)
    if args.out:
        fmt = diff.write_report(report, Path(args.out), args.format)
        print(f"bodo diff: {len(report['changes'])} change(s), {fmt} report in {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(diff.render(report, args.format or "md"))
    return 0


def cmd_reextract(args) -> int:
    from bodopress.pipeline import diff, flows, ledger
    raw, curated = Path(args.raw), Path(args.curated)
    if not raw.is_dir():
        print(f"bodo reextract: {raw} is not a directory", file=sys.stderr)
        return 2
    try:
        out = flows.reextract(raw, curated, args.law_names, accept=args.accept)
    except ledger.StaleStaging as e:
        print(f"bodo reextract: {e}", file=sys.stderr)
        return 1
    report = out["report"]
    if args.out:
        diff.write_report(report, Path(args.out), args.format)
    print(diff.to_markdown(report, max_changes=50))
    where = ", ".join(out["reports"].values())
    if out.get("accepted"):
        print(f"accepted: re-extracted tables are live in {curated} (run {out['run_id']}); "
              f"the previous version stays in {curated / ledger.HISTORY}", file=sys.stderr)
    else:
        print(f"staged in {out['staging']}; reports: {where}\n"
              f"promote with: bodo reextract {raw} --curated {curated} --accept", file=sys.stderr)
    return 0


def cmd_history(args) -> int:
    from bodopress.pipeline import ledger
    curated = Path(args.curated)
    if args.prune is not None:
        gone = ledger.prune(curated, args.prune)
        print(f"removed {len(gone)} snapshot(s), kept {len(ledger.snapshots(curated))}")
        return 0
    kept = set(ledger.snapshots(curated))
    print(f"{'run id':<28} {'kind':<10} {'finished':<26} {'processed':>9} {'missing':>7}  snapshot")
    for r in ledger.runs(curated):
        print(f"{r.get('run_id', '?'):<28} {r.get('kind', ''):<10} {str(r.get('finished_at', '')):<26} "
              f"{r.get('processed', '-'):>9} {len(r.get('missing') or []):>7}  "
              f"{'yes' if r.get('run_id') in kept else '-'}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="bodo", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="ingest release files into curated Parquet tables")
    p.add_argument("raw", nargs="?", default="raw", help="directory of release files (default raw/)")
    p.add_argument("--curated", default="curated", help="output directory (default curated/)")
    p.add_argument("--law-names", help="text file of official law names, one per line")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("extract", help="print one file's or text's extractions as JSON")
    p.add_argument("file", nargs="?", help="a release file, or - (default) for standard input")
    p.add_argument("--reference-date", help="YYYY-MM-DD that relative dates resolve against")
    p.add_argument("--lines", action="store_true", help="every input line is its own text; one JSON per line")
    p.add_argument("--law-names", help="text file of official law names, one per line")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("serve", help="ingest on a schedule: a Prefect deployment and its runner")
    p.add_argument("raw", nargs="?", default="raw", help="directory of release files (default raw/)")
    p.add_argument("--curated", default="curated", help="output directory (default curated/)")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help='cron schedule, e.g. "*/15 * * * *" (Asia/Seoul)')
    when.add_argument("--interval", type=float, help="seconds between runs")
    p.add_argument("--law-names", help="text file of official law names, one per line")
    p.add_argument("--name", default="scheduled", help="deployment name (default scheduled)")
    p.add_argument("--keep-history", type=int, default=None, help="snapshots to keep in curated/_history")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("diff", help="report the values that changed between two curated states")
    p.add_argument("old", help="curated directory, run id (or a prefix), or `staging`")
    p.add_argument("new", help="curated directory, run id (or a prefix), or `staging`")
    p.add_argument("--curated", default="curated", help="where run ids are looked up (default curated/)")
    p.add_argument("--out", help="write the report here; .md, .html or .json picks the format")
    p.add_argument("--format", choices=["md", "html", "json"], help="report format (default: from --out, else md)")
    p.add_argument("--raw", help="raw directory to quote date and law sentences from (default: the runs' own)")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("reextract", help="re-extract every source with the current code into a staging area")
    p.add_argument("raw", nargs="?", default="raw", help="directory of release files (default raw/)")
    p.add_argument("--curated", default="curated", help="curated directory (default curated/)")
    p.add_argument("--accept", action="store_true", help="promote the staged tables to curated/")
    p.add_argument("--law-names", help="text file of official law names, one per line")
    p.add_argument("--out", help="also write the diff report here (.md, .html or .json)")
    p.add_argument("--format", choices=["md", "html", "json"], help="format of --out")
    p.set_defaults(func=cmd_reextract)

    p = sub.add_parser("history", help="list the runs kept in curated/_history, or prune them")
    p.add_argument("--curated", default="curated", help="curated directory (default curated/)")
    p.add_argument("--prune", type=int, metavar="KEEP", help="delete all but the newest KEEP snapshots")
    p.set_defaults(func=cmd_history)

    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
