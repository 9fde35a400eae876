"""The one seam that writes `curated/`: Parquet per table, merged by source, written atomically.

A run replaces the rows of the sources it processed (by source path, so a corrected
file's old rows go) and keeps every other row already curated. Each table is written
to a temporary file, read back and checked, and only then renamed over the old one;
all tables are staged before any is renamed.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bodopress.schemas import CONTRACT_VERSION, TABLES, arrow_schema

SORT_KEYS = {
    "releases": ["source_file"],
    "errors": ["source_file"],
    "quantities": ["release_id", "char_start", "char_end"],
    "dates": ["release_id", "char_start", "char_end"],
    "laws": ["release_id", "char_start", "char_end"],
    "contacts": ["release_id"],
}


class ContractMismatch(Exception):
    pass


def table_path(curated: Path, table: str) -> Path:
    return curated / f"{table}.parquet"


def read_table(curated: Path, table: str) -> pa.Table:
    path = table_path(curated, table)
    schema = arrow_schema(table)
    if not path.exists():
        return schema.empty_table()
    t = pq.read_table(path)
    version = (t.schema.metadata or {}).get(b"bodo.contract", b"").decode()
    if version != CONTRACT_VERSION:
        raise ContractMismatch(f"{path} was written under contract {version or '?'}, this bodo writes "
                               f"{CONTRACT_VERSION}; move it aside or re-ingest into a new directory.")
    return t.select(schema.names).cast(schema)


def write_tables(curated: Path, results, drop_sources=(), extra=()) -> dict[str, int]:
    """Merge `results` (FileResult) into the curated tables; return the row count per table.

    `drop_sources` are paths whose rows go without replacement (a file moved to a new
    path); `extra` are (staged file, final path) pairs renamed after the tables, so the
    ledger that describes the tables is never ahead of them.
    """
    curated.mkdir(parents=True, exist_ok=True)
    sources = {r.source_file for r in results} | set(drop_sources)
    old_releases = read_table(curated, "releases").to_pylist()
    replaced_ids = {r["release_id"] for r in old_releases if r["source_file"] in sources}
    new_ids = {row["release_id"] for r in results for row in r.rows.get("releases", [])}
    staged, counts = [], {}
    try:
        for table in TABLES:
            keep_by = "source_file" if table in ("releases", "errors") else "release_id"
            drop = sources if keep_by == "source_file" else replaced_ids | new_ids
            old = [row for row in read_table(curated, table).to_pylist() if row[keep_by] not in drop]
            new = [row for r in results for row in r.rows.get(table, [])]
            rows = sorted(old + new, key=lambda row: tuple(_sortable(row[k]) for k in SORT_KEYS[table]))
            data = pa.Table.from_pylist(rows, schema=arrow_schema(table))
            staged.append((_stage(curated, table, data), table_path(curated, table)))
            counts[table] = data.num_rows
        staged += [(Path(tmp), Path(final)) for tmp, final in extra]
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged + [(Path(t), f) for t, f in extra]:
            if tmp.exists():
                tmp.unlink()
    return counts


def _sortable(v):
    return (v is None, v if v is not None else 0)


def _stage(curated: Path, table: str, data: pa.Table) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{table}.", suffix=".parquet.tmp", dir=curated)
    os.close(fd)
    tmp = Path(name)
    try:
        pq.write_table(data, tmp)
        back = pq.read_table(tmp)
        if back.num_rows != data.num_rows or not back.schema.equals(data.schema, check_metadata=False):
            raise OSError(f"{tmp} did not read back as written")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp
