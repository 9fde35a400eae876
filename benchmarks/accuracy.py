"""Dev-set accuracy without Prefect or the store: load, extract, write plain Parquet, run the scorer.

    python benchmarks/accuracy.py [CORPUS_DIR] [--gold GOLD_DIR] [--only pdf,hwpx] [--docs] [--cache DIR]

A report, not a test: per-field P/R/F1 with support from shared/eval/score.py. `--cache`
keeps each file's loaded `Source` (keyed by the file's bytes and the loaders' code), so
re-scoring after an extractor change skips the PDF/HWPX parsing.
"""
from __future__ import annotations

import argparse
import hashlib
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bodopress.extractors import loaders
from bodopress.extractors.document import Document
from bodopress.pipeline import tasks
from bodopress.schemas import TABLES, arrow_schema

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _loaders_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(Path(loaders.__file__).parent.glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def cached_load(cache: Path | None, path: Path, source: str):
    if cache is None:
        return loaders.load(path, source)
    key = hashlib.sha256(path.read_bytes()).hexdigest()[:24] + "-" + _loaders_hash()
    hit = cache / f"{key}.pickle"
    if hit.exists():
        return pickle.loads(hit.read_bytes())
    src = loaders.load(path, source)
    cache.mkdir(parents=True, exist_ok=True)
    hit.write_bytes(pickle.dumps(src))
    return src


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=SHARED / "corpus" / "dev")
    ap.add_argument("--gold", type=Path, default=SHARED / "eval" / "gold-dev")
    ap.add_argument("--only", help="comma-separated formats (suffixes) to ingest, e.g. pdf,txt")
    ap.add_argument("--docs", action="store_true", help="per-release counts")
    ap.add_argument("--cache", type=Path, help="directory to keep loaded sources in between runs")
    ap.add_argument("--out", type=Path, help="keep the curated tables here (default: a temporary directory)")
    args = ap.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    files = sorted(p for p in args.corpus.iterdir() if p.is_file() and p.suffix.lower() in tasks.FORMATS
                   and (not only or p.suffix[1:] in only))
    rows = {t: [] for t in TABLES}
    real_load = tasks.load
    tasks.load = lambda path, source: cached_load(args.cache, Path(path), source)
    try:
        for p in files:
            for table, rs in tasks.process_file(p, p.name).rows.items():
                rows[table] += rs
    finally:
        tasks.load = real_load
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for table, rs in rows.items():
            pq.write_table(pa.Table.from_pylist(rs, schema=arrow_schema(table)), out / f"{table}.parquet")
        cmd = [sys.executable, str(SHARED / "eval" / "score.py"), str(args.gold), str(out)] + (["--docs"] if args.docs else [])
        return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
