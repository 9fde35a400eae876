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
    from extractors.document import Document
    from extractors.extract import extract
    from extractors.loaders import LoadError, load

    ref = date.fromisoformat(args.reference_date) if args.reference_date else None
    names = None
    if args.law_names:
        from extractors.laws import LawNames
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
        doc = load(Path(args.file))
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

    from pipeline.tasks import discover

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
        from pipeline import flows
        flows.on_progress = lambda n: progress.advance(bar, n)
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
    for e in summary["errors"][:20]:
        console.print(f"  [yellow]{e['error_type']}[/yellow] {e['source_file']}: {e['message']}")
    if len(summary["errors"]) > 20:
        console.print(f"  … and {len(summary['errors']) - 20} more in {curated / 'errors.parquet'}")
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

    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
