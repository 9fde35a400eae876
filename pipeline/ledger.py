r"""What `curated/` already holds, what a run must redo, and the history of every run that changed it.

The ledger (`curated/_ledger.parquet`) has one row per source file ever curated: its path
relative to raw/, sha256, size and mtime, the extractor version and code fingerprint that
produced its rows, and the run that did. A run plans from it: a file is processed when
it is new, its bytes changed, or the code that extracted it changed; a file that vanished
from raw/ keeps its rows and is marked `missing_since`.

Every run that changes the tables leaves a snapshot `curated/_history/<run_id>/` of the
tables as that run left them. The tables are only ever replaced by rename (a new inode),
so a snapshot is a set of hard links: an unchanged table costs no space.

>>> Version("0.1.0", "ab12", None).label
'0.1.0+ab12'
>>> import re; bool(re.fullmatch(r"\d{8}T\d{9}Z-[0-9a-f]{4}", new_run_id()))   # UTC to the ms, sortable
True
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bodopress.schemas import TABLES

LEDGER = "_ledger.parquet"
HISTORY = "_history"
STAGING = "_staging"
RUNS_LOG = "runs.jsonl"
LOCK = ".bodo.lock"
KEEP_HISTORY = 100   # snapshots kept by default; `bodo history --prune N` trims by hand

LEDGER_SCHEMA = pa.schema([
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("source_sha256", pa.string()),
    pa.field("size", pa.int64()),
    pa.field("mtime_ns", pa.int64()),
    pa.field("release_id", pa.string()),
    pa.field("status", pa.string(), nullable=False),          # ok | error
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
TRANSIENT_ERRORS = {"unreadable"}


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
    """UTC time to the microsecond plus a random tag: sorts by time, unique across processes."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")[:-4] + "Z-" + secrets.token_hex(2)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- the ledger file ---------------------------------------------------------------------

def read_ledger(curated: Path) -> dict[str, dict]:
    path = Path(curated) / LEDGER
    if not path.exists():
        return {}
    return {r["source_file"]: r for r in pq.read_table(path).to_pylist()}


def ledger_head(curated: Path) -> str | None:
    """Run id of the last run that changed the tables of `curated` (None before any)."""
    path = Path(curated) / LEDGER
    if not path.exists():
        return None
    meta = pq.read_schema(path).metadata or {}
    return meta.get(b"bodo.head", b"").decode() or None


def stage_ledger(curated: Path, entries: dict[str, dict], head: str | None) -> Path:
    """Write the ledger to a temporary file beside the final one; the caller renames it."""
    rows = sorted(entries.values(), key=lambda r: r["source_file"])
    schema = LEDGER_SCHEMA.with_metadata({"bodo.head": head or "", "bodo.table": "ledger"})
    data = pa.Table.from_pylist(rows, schema=schema)
    fd, name = tempfile.mkstemp(prefix=".ledger.", suffix=".parquet.tmp", dir=curated)
    os.close(fd)
    pq.write_table(data, name)
    os.chmod(name, 0o644)
    return Path(name)


def write_ledger(curated: Path, entries: dict[str, dict], head: str | None) -> None:
    tmp = stage_ledger(curated, entries, head)
    os.replace(tmp, Path(curated) / LEDGER)


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
    stats: dict[str, tuple[int, int, str]] = field(default_factory=dict)   # path -> size, mtime, sha

    def summary(self) -> dict:
        return {k: len(getattr(self, k)) for k in
                ("new", "changed", "outdated", "retried", "unchanged", "missing", "returned", "moved")}


def plan(raw: Path, files: list[Path], ledger: dict[str, dict], version: Version, force: bool = False) -> Plan:
    """Sort the files under raw/ into work and no work against the ledger.

    A file whose size and mtime match its ledger row is not re-hashed (as git's index does);
    any other file is hashed and compared by sha256.
    """
    p = Plan()
    seen: set[str] = set()
    for path in files:
        rel = path.relative_to(raw).as_posix()
        seen.add(rel)
        entry = ledger.get(rel)
        try:
            st = path.stat()
            if entry and entry["size"] == st.st_size and entry["mtime_ns"] == st.st_mtime_ns:
                sha = entry["source_sha256"]
            else:
                sha = sha256_file(path)
        except OSError:
            p.todo.append(path)          # process_file turns it into an `unreadable` error row
            (p.retried if entry else p.new).append(rel)
            continue
        p.stats[rel] = (st.st_size, st.st_mtime_ns, sha)
        if entry is None:
            p.new.append(rel)
        elif entry["source_sha256"] != sha:
            p.changed.append(rel)
        elif (entry["extractor_version"], entry["code_fingerprint"], entry["law_names_sha256"]) != (
                version.extractor_version, version.code_fingerprint, version.law_names_sha256):
            p.outdated.append(rel)
        elif entry["status"] == "error" and entry["error_type"] in TRANSIENT_ERRORS:
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
    new_by_sha = {p.stats[r][2]: r for r in p.new if r in p.stats}
    for rel in gone:
        target = new_by_sha.get(ledger[rel]["source_sha256"])
        if target is not None:
            p.moved[rel] = target      # same bytes under a new path: the old path's rows go
        else:
            p.missing.append(rel)
    return p


def updated_entries(ledger: dict[str, dict], plan_: Plan, results, version: Version, run_id: str) -> dict[str, dict]:
    """The ledger after this run: processed files re-recorded, missing ones marked, moved ones dropped."""
    now = datetime.now(timezone.utc)
    entries = {k: dict(v) for k, v in ledger.items() if k not in plan_.moved}
    for rel in plan_.missing:
        entries[rel]["missing_since"] = entries[rel].get("missing_since") or run_id
    for rel in plan_.unchanged:
        size, mtime, _ = plan_.stats[rel]
        entries[rel].update(size=size, mtime_ns=mtime, missing_since=None)
    for r in results:
        old = ledger.get(r.source_file) or {}
        size, mtime, _ = plan_.stats.get(r.source_file, (None, None, None))
        errors = r.rows.get("errors") or []
        releases = r.rows.get("releases") or []
        entries[r.source_file] = {
            "source_file": r.source_file, "source_sha256": r.source_sha256, "size": size, "mtime_ns": mtime,
            "release_id": releases[0]["release_id"] if releases else None,
            "status": "error" if errors else "ok", "error_type": errors[0]["error_type"] if errors else None,
            "extractor_version": version.extractor_version, "code_fingerprint": version.code_fingerprint,
            "law_names_sha256": version.law_names_sha256,
            "first_run": old.get("first_run") or run_id, "processed_run": run_id, "processed_at": now,
            "missing_since": None,
        }
    return entries


# --- locking ---------------------------------------------------------------------------------

@contextlib.contextmanager
def locked(curated: Path, on_wait=None):
    """One writer per curated directory: a scheduled run and a manual one queue, never interleave."""
    curated = Path(curated)
    curated.mkdir(parents=True, exist_ok=True)
    with open(curated / LOCK, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# --- history -------------------------------------------------------------------------------

def history_dir(curated: Path) -> Path:
    return Path(curated) / HISTORY


def snapshots(curated: Path) -> list[str]:
    """Run ids that have a snapshot, oldest first."""
    h = history_dir(curated)
    if not h.is_dir():
        return []
    return sorted(p.name for p in h.iterdir() if p.is_dir() and not p.name.startswith("."))


def snapshot(curated: Path, run_id: str, info: dict, extra: dict[str, str] | None = None) -> Path:
    """Keep the tables (and ledger) of `curated` as they are now under `_history/<run_id>/`.

    Hard links where the file system allows (the live files are only ever replaced by
    rename, so a link keeps the old version), a copy elsewhere. Published by renaming a
    finished directory, so a reader never sees half a snapshot.
    """
    curated = Path(curated)
    final = history_dir(curated) / run_id
    tmp = history_dir(curated) / f".{run_id}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in [f"{t}.parquet" for t in TABLES] + [LEDGER]:
        src = curated / name
        if src.exists():
            try:
                os.link(src, tmp / name)
            except OSError:
                shutil.copy2(src, tmp / name)
    (tmp / "run.json").write_text(json.dumps(info, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    for name, text in (extra or {}).items():
        (tmp / name).write_text(text, encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    return final


def prune(curated: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` snapshots; return the run ids removed."""
    if keep <= 0:
        return []
    old = snapshots(curated)[:-keep]
    for run_id in old:
        shutil.rmtree(history_dir(curated) / run_id, ignore_errors=True)
    return old


def log_run(curated: Path, info: dict) -> None:
    """Append one line per run (changed or not) to `_history/runs.jsonl`."""
    h = history_dir(curated)
    h.mkdir(parents=True, exist_ok=True)
    with open(h / RUNS_LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps(info, ensure_ascii=False, default=str) + "\n")


def runs(curated: Path) -> list[dict]:
    path = history_dir(curated) / RUNS_LOG
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


def resolve(ref: str, curated: Path) -> Path:
    """A directory, `staging`, or a run id (or a unique prefix of one) in `curated/_history`."""
    p = Path(ref)
    if p.is_dir():
        return p
    curated = Path(curated)
    if ref == "staging" and (curated / STAGING).is_dir():
        return curated / STAGING
    ids = snapshots(curated)
    hits = [i for i in ids if i == ref] or [i for i in ids if i.startswith(ref)]
    if len(hits) == 1:
        return history_dir(curated) / hits[0]
    if not hits:
        raise FileNotFoundError(f"{ref} is neither a directory nor a run id in {history_dir(curated)}; "
                                f"`bodo history --curated {curated}` lists the run ids.")
    raise FileNotFoundError(f"{ref} matches {len(hits)} run ids ({', '.join(hits[:3])} …); give more of it.")


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def ensure_baseline(curated: Path) -> str | None:
    """Before the first snapshot of a directory that already holds tables (curated by a bodo
    without history, or by hand), keep them as a run of their own, so the previous version
    of the first recorded run is readable too. Its id is the tables' own write time."""
    curated = Path(curated)
    releases = curated / "releases.parquet"
    if snapshots(curated) or not releases.exists():
        return None
    when = datetime.fromtimestamp(releases.stat().st_mtime, timezone.utc)
    run_id = when.strftime("%Y%m%dT%H%M%S%fZ")[:-4] + "Z-0000"
    snapshot(curated, run_id, {"run_id": run_id, "kind": "baseline", "finished_at": when.isoformat(),
                               "changed": True, "note": "tables found before the first recorded run"})
    return run_id


def table_files(curated: Path) -> list[str]:
    return [f"{t}.parquet" for t in TABLES if (Path(curated) / f"{t}.parquet").exists()]


# --- staging (bodo reextract) -----------------------------------------------------------------

def prepare_staging(curated: Path) -> Path:
    """A fresh `curated/_staging/` that starts as the current tables (hard links: the staged
    run replaces files by rename, so the live ones are never touched), so sources that are
    gone from raw/ keep their rows there as they do in curated/."""
    curated = Path(curated)
    staging = curated / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in table_files(curated) + ([LEDGER] if (curated / LEDGER).exists() else []):
        try:
            os.link(curated / name, staging / name)
        except OSError:
            shutil.copy2(curated / name, staging / name)
    (staging / "_base.json").write_text(json.dumps({"base": ledger_head(curated)}), encoding="utf-8")
    return staging


def staging_base(staging: Path) -> str | None:
    path = Path(staging) / "_base.json"
    return json.loads(path.read_text(encoding="utf-8"))["base"] if path.exists() else None


class StaleStaging(Exception):
    pass


def promote(curated: Path, info: dict, extra: dict[str, str] | None = None, keep: int = KEEP_HISTORY) -> Path:
    """Make `curated/_staging/` the live tables: tables renamed first, the ledger last, then
    the new state is snapshotted as its own run. Refused when curated/ changed since the
    staging was made (a scheduled run got there first): re-run `bodo reextract`."""
    curated = Path(curated)
    staging = curated / STAGING
    with locked(curated):
        base, head = staging_base(staging), ledger_head(curated)
        if base != head:
            raise StaleStaging(f"{curated} changed since the staging was made (run {head}, staging from "
                               f"{base}); run `bodo reextract` again.")
        ensure_baseline(curated)
        names = table_files(staging) + ([LEDGER] if (staging / LEDGER).exists() else [])
        for name in names:
            os.replace(staging / name, curated / name)
        run_id = ledger_head(curated) or new_run_id()
        info = dict(info, run_id=run_id, changed=True)
        snap = snapshot(curated, run_id, info, extra)
        log_run(curated, info)
        prune(curated, keep)
        shutil.rmtree(staging, ignore_errors=True)
    return snap
