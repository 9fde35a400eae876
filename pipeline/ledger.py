r"""The ledger: what `curated/` holds for each source path, and the plan of a run against it.

One row per source path ever curated (`curated/_ledger.parquet`, written only by
`pipeline.store`): its sha256, size, mtime, ctime and inode, the release whose rows it
provides, ok / error / stale, the code version that produced its rows, the runs that
did. A file is processed when it is new, its bytes changed, or the code that extracted
it changed. Change detection: a file whose size, mtime, ctime and inode all match its row
is not re-read; any other is hashed. ctime cannot be set by a user, so an edit that keeps
the size and restores the mtime is still seen.

A path that turns broken keeps its last good release (`stale`, with an error row) until
it is fixed or forgotten; a path gone from raw/ keeps its rows (`missing_since`); a path
moved with the same bytes keeps its release under the new path.

>>> Version("0.1.0", "ab12", None).label
'0.1.0+ab12'
>>> import re; bool(re.fullmatch(r"\d{8}T\d{9}Z-[0-9a-f]{4}", new_run_id()))   # UTC to the ms, sortable
True
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

LEDGER = "_ledger.parquet"

SCHEMA = pa.schema([
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("source_sha256", pa.string()),
    pa.field("size", pa.int64()),
    pa.field("mtime_ns", pa.int64()),
    pa.field("ctime_ns", pa.int64()),
    pa.field("inode", pa.int64()),
    pa.field("release_id", pa.string()),                     # the release whose rows this path provides
    pa.field("status", pa.string(), nullable=False),          # ok | error | stale
    pa.field("error_type", pa.string()),
    pa.field("extractor_version", pa.string(), nullable=False),
    pa.field("code_fingerprint", pa.string(), nullable=False),
    pa.field("law_names_sha256", pa.string()),
    pa.field("first_run", pa.string(), nullable=False),
    pa.field("processed_run", pa.string(), nullable=False),
    pa.field("processed_at", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("missing_since", pa.string()),                   # run id that first missed the file
])

# Errors worth another try on the next run even though the bytes did not change.
TRANSIENT_ERRORS = {"unreadable", "timeout", "worker_crash"}


@dataclass(frozen=True)
class Version:
    extractor_version: str
    code_fingerprint: str
    law_names_sha256: str | None

    @property
    def label(self) -> str:
        return f"{self.extractor_version}+{self.code_fingerprint}"


def current_version(law_names: str | None = None) -> Version:
    """The code (and law-name list) a run extracts with: a change to either is a new version."""
    from bodopress.extractors import EXTRACTOR_VERSION, code_fingerprint
    names = sha256_file(Path(law_names)) if law_names else None
    return Version(EXTRACTOR_VERSION, code_fingerprint(), names)


def new_run_id() -> str:
    """UTC time to the millisecond plus a random tag: sorts by time, unique across processes."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")[:-4] + "Z-" + secrets.token_hex(2)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read(path: Path) -> dict[str, dict]:
    if not Path(path).exists():
        return {}
    t = pq.read_table(path)
    rows = t.to_pylist()
    for r in rows:
        for f in SCHEMA.names:
            r.setdefault(f, None)
    return {r["source_file"]: r for r in rows}


def head(path: Path) -> str | None:
    """Run id of the last run that changed the tables (None before any)."""
    if not Path(path).exists():
        return None
    meta = pq.read_schema(path).metadata or {}
    return meta.get(b"bodo.head", b"").decode() or None


def to_table(entries: dict[str, dict], head: str | None) -> pa.Table:
    rows = [{f: e.get(f) for f in SCHEMA.names} for _, e in sorted(entries.items())]
    schema = SCHEMA.with_metadata({"bodo.head": head or "", "bodo.table": "ledger"})
    return pa.Table.from_pylist(rows, schema=schema)


# --- planning a run ------------------------------------------------------------------------

@dataclass
class Plan:
    todo: list[Path] = field(default_factory=list)           # files to extract this run
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)          # bytes differ from the ledger
    outdated: list[str] = field(default_factory=list)         # extracted by other code
    retried: list[str] = field(default_factory=list)          # a transient error last time
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)          # in the ledger, gone from raw/
    returned: list[str] = field(default_factory=list)         # was missing, is back unchanged
    moved: dict[str, str] = field(default_factory=dict)       # old path -> new path, same bytes
    forgotten: list[str] = field(default_factory=list)        # paths `bodo forget` removes
    stats: dict[str, tuple] = field(default_factory=dict)     # path -> size, mtime, ctime, inode, sha

    def summary(self) -> dict:
        return {k: len(getattr(self, k)) for k in
                ("new", "changed", "outdated", "retried", "unchanged", "missing", "returned", "moved")}


def _stat_key(st) -> tuple[int, int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def plan(raw: Path, files: list[tuple[str, Path]], ledger: dict[str, dict], version: Version,
         force: bool = False) -> Plan:
    """Sort the files under raw/ (relative path, path) into work and no work against the ledger."""
    p = Plan()
    seen: set[str] = set()
    for rel, path in files:
        seen.add(rel)
        entry = ledger.get(rel)
        try:
            st = path.stat()
            key = _stat_key(st)
            if entry and (entry["size"], entry["mtime_ns"], entry.get("ctime_ns"), entry.get("inode")) == key:
                sha = entry["source_sha256"]
            else:
                sha = sha256_file(path)
        except OSError:
            p.todo.append(path)          # process_file turns it into an `unreadable` error row
            (p.retried if entry else p.new).append(rel)
            continue
        p.stats[rel] = (*key, sha)
        if entry is None:
            p.new.append(rel)
        elif entry["source_sha256"] != sha:
            p.changed.append(rel)
        elif (entry["extractor_version"], entry["code_fingerprint"], entry["law_names_sha256"]) != (
                version.extractor_version, version.code_fingerprint, version.law_names_sha256):
            p.outdated.append(rel)
        elif entry["status"] != "ok" and entry["error_type"] in TRANSIENT_ERRORS:
            p.retried.append(rel)
        elif force:
            p.outdated.append(rel)
        else:
            p.unchanged.append(rel)
            if entry.get("missing_since"):
                p.returned.append(rel)
            continue
        p.todo.append(path)
    gone = sorted(set(ledger) - seen)
    new_by_sha = {p.stats[r][-1]: r for r in p.new if r in p.stats}
    for rel in gone:
        target = new_by_sha.get(ledger[rel]["source_sha256"])
        if target is not None:
            p.moved[rel] = target      # same bytes under a new path: the old path goes
        else:
            p.missing.append(rel)
    return p


def todo_jobs(files: list[tuple[str, Path]], plan_: Plan) -> list[tuple[str, Path]]:
    """(relative name, path) of the files the plan processes, in discovery order."""
    todo = set(plan_.todo)
    return [(rel, path) for rel, path in files if path in todo]


def updated_entries(ledger: dict[str, dict], plan_: Plan, results, version: Version, run_id: str) -> dict[str, dict]:
    """The ledger after this run: processed files re-recorded, missing ones marked, moved and
    forgotten ones dropped. A processed file that failed keeps the release it provided before
    (status `stale`), so its last good rows stay until it is fixed or forgotten."""
    now = datetime.now(timezone.utc)
    gone = set(plan_.moved) | set(plan_.forgotten)
    entries = {k: dict(v) for k, v in ledger.items() if k not in gone}
    for rel in plan_.missing:
        if rel in entries:
            entries[rel]["missing_since"] = entries[rel].get("missing_since") or run_id
    for rel in plan_.unchanged:
        size, mtime, ctime, ino, _ = plan_.stats[rel]
        entries[rel].update(size=size, mtime_ns=mtime, ctime_ns=ctime, inode=ino, missing_since=None)
    for r in results:
        old = ledger.get(r.source_file) or {}
        size, mtime, ctime, ino, _ = plan_.stats.get(r.source_file, (None,) * 5)
        errors = r.rows.get("errors") or []
        releases = r.rows.get("releases") or []
        if releases:
            status, release_id = "ok", releases[0]["release_id"]
        elif old.get("release_id"):
            status, release_id = "stale", old["release_id"]
        else:
            status, release_id = "error", None
        entries[r.source_file] = {
            "source_file": r.source_file, "source_sha256": r.source_sha256, "size": size, "mtime_ns": mtime,
            "ctime_ns": ctime, "inode": ino, "release_id": release_id, "status": status,
            "error_type": errors[0]["error_type"] if errors else None,
            "extractor_version": version.extractor_version, "code_fingerprint": version.code_fingerprint,
            "law_names_sha256": version.law_names_sha256,
            "first_run": old.get("first_run") or run_id, "processed_run": run_id, "processed_at": now,
            "missing_since": None,
        }
    return entries
