"""Dev-set accuracy without Prefect: load, extract, write curated Parquet, run the scorer.

    python benchmarks/accuracy.py [CORPUS_DIR] [--gold GOLD_DIR] [--only pdf,txt] [--docs]

A report, not a test: it prints per-field P/R/F1 with support from shared/eval/score.py.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from pipeline.storage import write_tables  # noqa: E402
from pipeline.tasks import process_file  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=SHARED / "corpus" / "dev")
    ap.add_argument("--gold", type=Path, default=SHARED / "eval" / "gold-dev")
    ap.add_argument("--only", help="comma-separated formats (suffixes) to ingest, e.g. pdf,txt")
    ap.add_argument("--docs", action="store_true", help="per-release counts")
    args = ap.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    files = sorted(p for p in args.corpus.iterdir() if p.is_file() and (not only or p.suffix[1:] in only))
    results = [process_file(p, args.corpus) for p in files]
    with tempfile.TemporaryDirectory() as tmp:
        write_tables(Path(tmp), results)
        cmd = [sys.executable, str(SHARED / "eval" / "score.py"), str(args.gold), tmp] + (["--docs"] if args.docs else [])
        return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
