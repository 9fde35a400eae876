r"""The one module that writes `curated/`: the tables, the ledger, history, staging and the lock.

A run's tables, ledger and history entry become visible together or not at all. `commit`
stages every new file in `curated/.commit/` (each written, fsynced and read back), then
writes `.commit/MANIFEST.json` (the commit point, itself renamed into place), renames the
files over the live ones, snapshots the new state into `_history/<run_id>/`, appends the
run to `_history/runs.jsonl` and removes `.commit/`. `recover`, run under the lock before
anything else, rolls a commit that has a manifest forward and throws away one without, so
a kill -9 at any point leaves curated/ as before or as after that run, with no temporary
file left once the next run starts.

Rows are keyed by `release_id`; the ledger maps every source path to the release whose rows
it provides. A release's rows stay while any path still provides it (identical bytes at two
paths are one release; a file that turns broken keeps its last good rows, flagged `stale`),
and go when no path does. Merges run in Arrow (filter by release id, concat, sort).

Snapshots are never hard links of live files (a tool that writes a live table in place must
not rewrite history): a table the run rewrote is copied, an unchanged one is linked to the
previous snapshot's copy, and snapshot files are read-only.

>>> Store(Path("curated")).table_path("quantities").name
'quantities.parquet'
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bodopress.pipeline import ledger as L
from bodopress.schemas import CONTRACT_VERSION, TABLES, arrow_schema

COMMIT = ".commit"
MANIFEST = "MANIFEST.json"
HISTORY = "_history"
STAGING = "_staging"
RUNS_LOG = "runs.jsonl"
LOCK = ".bodo.lock"
KEEP_HISTORY = 100
SORT_KEYS = {
    "releases": ["source_file"],
    "errors": ["source_file"],
    "quantities": ["release_id", "char_start", "char_end"],
    "dates": ["release_id", "char_start", "char_end"],
    "laws": ["release_id", "char_start", "char_end"],
    "contacts": ["release_id"],
    "texts": ["release_id"],
}
FORMAT_RANK = {"hwpx": 0, "hwp": 1, "pdf": 2}   # the rendering analysts count; text and md after


class StoreError(Exception):
    """curated/ cannot be used as it is; the message names the file and what to do."""


class ContractMismatch(StoreError):
    pass


class StaleStaging(StoreError):
    pass


@dataclass
class Change:
    """What one commit does: rows of processed releases in, releases no path provides out."""
    results: list            # pipeline.tasks.FileResult of the files processed this run
    entries: dict            # the ledger after this run (path -> entry)
    run: dict                # the run record (run.json)
    extra: dict | None = None   # more files for the snapshot: name -> text (changes.md)


def crash_point(step: str) -> None:
    """The crash tests kill the process at each write step (BODO_TEST_KILL_AT=step); a no-op otherwise."""
    if os.environ.get("BODO_TEST_KILL_AT") == step:
        os.kill(os.getpid(), 9)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask_mode() -> int:
    """0o666 less the process's umask, read without changing it (os.umask would race with threads)."""
    try:
        with open("/proc/self/status") as f:
            mask = next(int(line.split()[1], 8) for line in f if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        mask = 0o022
    return 0o666 & ~mask


def write_parquet(data: pa.Table, path: Path) -> None:
    """Write, fsync and read back; the file gets the umask's mode like any other output."""
    pq.write_table(data, path)
    with open(path, "rb+") as f:
        os.fsync(f.fileno())
    os.chmod(path, _umask_mode())
    back = pq.read_metadata(path)
    if back.num_rows != data.num_rows:
        raise OSError(f"{path} did not read back as written")


def write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, _umask_mode())
    os.replace(tmp, path)


def read_parquet(path: Path, table: str) -> pa.Table:
    """A table file as the current schema: columns added since it was written come back null."""
    schema = arrow_schema(table)
    if not path.exists():
        return schema.empty_table()
    t = pq.read_table(path)
    version = (t.schema.metadata or {}).get(b"bodo.contract", b"").decode()
    if version != CONTRACT_VERSION:
        raise ContractMismatch(f"{path} was written under contract {version or '?'}, this bodo writes "
                               f"{CONTRACT_VERSION}; move it aside or re-ingest into a new directory.")
    cols = [t.column(f.name) if f.name in t.column_names else pa.nulls(t.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


class Store:
    def __init__(self, root: Path):
        self.root = Path(root)

    # --- paths ------------------------------------------------------------------------------
    def table_path(self, table: str) -> Path:
        return self.root / f"{table}.parquet"

    @property
    def ledger_path(self) -> Path:
        return self.root / L.LEDGER

    @property
    def history(self) -> Path:
        return self.root / HISTORY

    @property
    def staging(self) -> Path:
        return self.root / STAGING

    def files(self) -> list[str]:
        return [f"{t}.parquet" for t in TABLES] + [L.LEDGER]

    # --- lock and recovery ------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self, on_wait=None, wait: bool = True):
        """One writer per curated directory: runs queue (or, with wait=False, the second is refused)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise StoreError(f"another bodo run holds {self.root / LOCK}; try again when it ends.") from None
                if on_wait:
                    on_wait()
                fcntl.flock(f, fcntl.LOCK_EX)
            try:
                self.recover()
                yield self
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def recover(self) -> list[str]:
        """Finish or undo a commit a killed run left behind, clear temporary files, check the tables.
        Returns what was done, for the log."""
        done = []
        commit = self.root / COMMIT
        if (commit / MANIFEST).exists():
            manifest = json.loads((commit / MANIFEST).read_text(encoding="utf-8"))
            self._apply(manifest)
            done.append(f"rolled forward run {manifest['run']['run_id']}")
        elif commit.exists():
            shutil.rmtree(commit)
            done.append("rolled back an unfinished commit")
        for tmp in list(self.root.glob(".*.tmp")) + (list(self.history.glob(".*.tmp")) if self.history.is_dir() else []):
            shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)
        self._check()
        return done

    def _check(self) -> None:
        """A table or ledger that does not read is restored from the newest snapshot that does."""
        bad = [name for name in self.files() if (self.root / name).exists() and not _readable(self.root / name)]
        if not bad:
            return
        for run_id in reversed(self.snapshots()):
            snap = self.history / run_id
            if all(_readable(snap / n) for n in self.files() if (snap / n).exists()):
                for n in self.files():
                    if (snap / n).exists():
                        tmp = self.root / f".{n}.tmp"
                        shutil.copyfile(snap / n, tmp)
                        os.chmod(tmp, _umask_mode())
                        os.replace(tmp, self.root / n)
                    else:
                        (self.root / n).unlink(missing_ok=True)
                _fsync_dir(self.root)
                return
        raise StoreError(f"{self.root / bad[0]} is corrupt and no snapshot in {self.history} can restore it; "
                         f"move {self.root} aside and run `bodo ingest` into a new directory.")

    # --- reading ------------------------------------------------------------------------------
    def read(self, table: str, release_ids=None) -> pa.Table:
        t = read_parquet(self.table_path(table), table)
        if release_ids is not None and table != "errors":
            t = t.filter(pc.is_in(t["release_id"], value_set=pa.array(sorted(release_ids), pa.string())))
        return t

    def counts(self) -> dict[str, int]:
        return {t: pq.read_metadata(self.table_path(t)).num_rows for t in TABLES if self.table_path(t).exists()}

    def ledger(self) -> dict[str, dict]:
        return L.read(self.ledger_path)

    def head(self) -> str | None:
        return L.head(self.ledger_path)

    # --- the commit -------------------------------------------------------------------------
    def commit(self, change: Change, keep_history: int = KEEP_HISTORY) -> dict[str, int]:
        """Merge a run into the tables and make it visible at once; return the row count per table."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.recover()                  # a retried commit first finishes the one it interrupted
        commit = self.root / COMMIT
        commit.mkdir()
        tables, counts = self._merged(change)
        for name, data in tables.items():     # only tables whose rows changed are rewritten
            write_parquet(data, commit / f"{name}.parquet")
            crash_point(f"staged:{name}")
        ledger = L.to_table(change.entries, head=change.run["run_id"])
        write_parquet(ledger, commit / L.LEDGER)
        crash_point("staged")
        files = [f"{n}.parquet" for n in tables] + [L.LEDGER]
        run = dict(change.run, rows=counts)
        manifest = {"run": run, "files": files, "keep_history": keep_history, "extra": change.extra or {}}
        write_text(commit / MANIFEST, json.dumps(manifest, ensure_ascii=False, default=str))
        _fsync_dir(commit)
        crash_point("manifest")
        self._apply(manifest)
        return counts

    def _merged(self, change: Change) -> tuple[dict[str, pa.Table], dict[str, int]]:
        entries = change.entries
        live = {e["release_id"] for e in entries.values() if e.get("release_id")}
        paths: dict[str, str] = {}
        for path, e in sorted(entries.items()):
            if e.get("release_id"):
                paths.setdefault(e["release_id"], path)
        fresh: dict[str, dict[str, list]] = {}     # release_id -> table -> rows (first path wins)
        errors, processed = [], set()
        for r in sorted(change.results, key=lambda r: r.source_file):
            processed.add(r.source_file)
            errors += r.rows.get("errors", [])
            releases = r.rows.get("releases") or []
            if releases and releases[0]["release_id"] not in fresh:
                fresh[releases[0]["release_id"]] = r.rows
        out, counts = {}, {}
        for table in TABLES:
            old = self.read(table)
            if table == "errors":
                keep = pc.invert(pc.is_in(old["source_file"], value_set=pa.array(sorted(processed), pa.string())))
                keep = pc.and_(keep, pc.is_in(old["source_file"], value_set=pa.array(sorted(entries), pa.string())))
                new_rows = errors
            else:
                keep = pc.and_(pc.is_in(old["release_id"], value_set=pa.array(sorted(live), pa.string())),
                               pc.invert(pc.is_in(old["release_id"], value_set=pa.array(sorted(fresh), pa.string()))))
                new_rows = [row for rid, rows in fresh.items() if rid in live for row in rows.get(table, [])]
            merged = pa.concat_tables([old.filter(keep), pa.Table.from_pylist(new_rows, schema=arrow_schema(table))])
            if table == "releases":
                merged = _releases_view(merged, paths)
            merged = merged.sort_by([(k, "ascending") for k in SORT_KEYS[table]])
            merged = merged.replace_schema_metadata(arrow_schema(table).metadata)
            counts[table] = merged.num_rows
            if not self.table_path(table).exists() or not merged.equals(old):
                out[table] = merged
        return out, counts

    def _apply(self, manifest: dict) -> None:
        """Rename the staged files into place, snapshot, log the run, clear the commit (idempotent)."""
        commit = self.root / COMMIT
        for name in manifest["files"]:
            if (commit / name).exists():
                os.replace(commit / name, self.root / name)
                crash_point(f"renamed:{name}")
        _fsync_dir(self.root)
        run = manifest["run"]
        keep = manifest.get("keep_history", KEEP_HISTORY)
        if keep:
            self._snapshot(run, manifest["files"], manifest.get("extra") or {})
            crash_point("snapshot")
            self.log_run(run)
            crash_point("logged")
            self.prune(keep)
        shutil.rmtree(commit, ignore_errors=True)
        _fsync_dir(self.root)

    # --- history ----------------------------------------------------------------------------
    def snapshots(self) -> list[str]:
        """Run ids that have a snapshot, oldest first."""
        if not self.history.is_dir():
            return []
        return sorted(p.name for p in self.history.iterdir() if p.is_dir() and not p.name.startswith("."))

    def _snapshot(self, run: dict, changed: list[str], extra: dict[str, str]) -> Path:
        final = self.history / run["run_id"]
        if final.exists():
            return final
        previous = self.snapshots()
        prev = self.history / previous[-1] if previous else None
        tmp = self.history / f".{run['run_id']}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name in self.files():
            src = self.root / name
            if not src.exists():
                continue
            if name not in changed and prev is not None and (prev / name).exists():
                os.link(prev / name, tmp / name)          # a snapshot's own read-only copy
            else:
                shutil.copyfile(src, tmp / name)
                os.chmod(tmp / name, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        (tmp / "run.json").write_text(json.dumps(run, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        for name, text in extra.items():
            (tmp / name).write_text(text, encoding="utf-8")
        os.replace(tmp, final)
        _fsync_dir(self.history)
        return final

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest `keep` snapshots; return the run ids removed."""
        if keep <= 0:
            return []
        old = self.snapshots()[:-keep]
        for run_id in old:
            _rmtree_readonly(self.history / run_id)
        return old

    def log_run(self, info: dict) -> None:
        """One line per run in `_history/runs.jsonl` (a rolled-forward run is not logged twice)."""
        self.history.mkdir(parents=True, exist_ok=True)
        if info.get("run_id") and any(r.get("run_id") == info["run_id"] for r in self.runs()[-5:]):
            return
        with open(self.history / RUNS_LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps(info, ensure_ascii=False, default=str) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def runs(self) -> list[dict]:
        path = self.history / RUNS_LOG
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                out.append(json.loads(line))
        return out

    def resolve(self, ref: str) -> Path:
        """A directory, `staging`, or a run id (or a unique prefix of one) in `_history`."""
        p = Path(ref)
        if p.is_dir():
            return p
        if ref == "staging" and self.staging.is_dir():
            return self.staging
        ids = self.snapshots()
        hits = [i for i in ids if i == ref] or [i for i in ids if i.startswith(ref)]
        if len(hits) == 1:
            return self.history / hits[0]
        if not hits:
            raise FileNotFoundError(f"{ref} is neither a directory nor a run id in {self.history}; "
                                    f"`bodo history --curated {self.root}` lists the run ids.")
        raise FileNotFoundError(f"{ref} matches {len(hits)} run ids ({', '.join(hits[:3])} …); give more of it.")

    # --- staging (bodo reextract) -----------------------------------------------------------
    def prepare_staging(self) -> "Store":
        """A fresh `_staging/` holding copies of the current tables and ledger (a re-extraction
        starts from them, so sources gone from raw/ keep their rows there as here)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)
        for name in self.files():
            if (self.root / name).exists():
                shutil.copyfile(self.root / name, self.staging / name)
        write_text(self.staging / "_base.json", json.dumps({"base": self.head()}))
        return Store(self.staging)

    def staging_base(self) -> str | None:
        path = self.staging / "_base.json"
        return json.loads(path.read_text(encoding="utf-8"))["base"] if path.exists() else None

    def write_output(self, name: str, text: str) -> Path:
        """A page a person reads (bodo report) beside the tables, written atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        write_text(self.root / name, text)
        return self.root / name

    def write_staging_file(self, name: str, text: str) -> Path:
        path = self.staging / name
        write_text(path, text)
        return path

    def promote(self, run: dict, extra: dict[str, str] | None = None, keep_history: int = KEEP_HISTORY) -> Path:
        """Make `_staging/` the live tables in one commit; refused when curated/ moved on since."""
        base, head = self.staging_base(), self.head()
        if base != head:
            raise StaleStaging(f"{self.root} changed since the staging was made (run {head}, staging from "
                               f"{base}); run `bodo reextract` again.")
        commit = self.root / COMMIT
        shutil.rmtree(commit, ignore_errors=True)
        commit.mkdir()
        files = [n for n in self.files() if (self.staging / n).exists()]
        for name in files:
            shutil.copyfile(self.staging / name, commit / name)
            os.chmod(commit / name, _umask_mode())
        run = dict(run, run_id=L.head(self.staging / L.LEDGER) or L.new_run_id(), changed=True)
        manifest = {"run": run, "files": files, "keep_history": keep_history, "extra": extra or {}}
        write_text(commit / MANIFEST, json.dumps(manifest, ensure_ascii=False, default=str))
        self._apply(manifest)
        shutil.rmtree(self.staging, ignore_errors=True)
        return self.history / run["run_id"]

    def log_unchanged(self, info: dict, entries: dict | None = None) -> None:
        """A run that changed no table: the ledger's stats may still move (a touched mtime)."""
        if entries is not None and entries != self.ledger():
            tmp = self.root / f".{L.LEDGER}.tmp"
            write_parquet(L.to_table(entries, head=self.head()), tmp)
            os.replace(tmp, self.ledger_path)
            _fsync_dir(self.root)
        self.log_run(info)


def _link_undated(rows: dict) -> None:
    """A rendering that prints no release date (the portal's Markdown: body only) cannot hash the
    date into its key; it takes the key of the dated renderings with its headline's letters, where
    exactly one such key exists (a recurring headline stays apart)."""
    def letters(t):   # without the portal's tags: `(참고)`, `[보도자료]`, `(동정)`, a closing `보도자료` or `(4.13.월)`
        t = re.sub(r"^\s*[\[(【<][^\])】>]{1,8}[\])】>]\s*|\s*보도\s*자료\s*$|\s*\([\d.\s]+[월화수목금토일]?\)\s*$",
                   "", t or "")
        return "".join(ch for ch in t if ch.isalnum())
    dated: dict[str, set] = {}
    for key, title, emb, dist in zip(rows["document_key"], rows["title"], rows["embargo_at"], rows["distributed_at"]):
        if (emb or dist) and letters(title):
            dated.setdefault(letters(title), set()).add(key)
    for i, (title, emb, dist, pid) in enumerate(zip(rows["title"], rows["embargo_at"], rows["distributed_at"],
                                                    rows["portal_id"])):
        keys = dated.get(letters(title), ()) if not (emb or dist or pid) else ()
        if len(keys) == 1:
            rows["document_key"][i] = next(iter(keys))


def _releases_view(releases: pa.Table, paths: dict[str, str]) -> pa.Table:
    """`source_file` is the first path that provides the release; `preferred` marks one rendering
    per `document_key`: HWPX, else HWP, else PDF, else text, then the first path."""
    rows = releases.to_pydict()
    ids = rows["release_id"]
    rows["source_file"] = [paths.get(i, s) for i, s in zip(ids, rows["source_file"])]
    _link_undated(rows)
    best: dict[str, tuple] = {}
    for i, (key, fmt, src) in enumerate(zip(rows["document_key"], rows["source_format"], rows["source_file"])):
        rank = (FORMAT_RANK.get(fmt, 3), src)
        k = key or ids[i]
        if k not in best or rank < best[k][0]:
            best[k] = (rank, i)
    chosen = {i for _, i in best.values()}
    rows["preferred"] = [i in chosen for i in range(len(ids))]
    rows["document_key"] = [k or i for k, i in zip(rows["document_key"], ids)]
    return pa.Table.from_pydict(rows, schema=releases.schema)


def _readable(path: Path) -> bool:
    """The Parquet magic at both ends and a footer that parses (a truncated or overwritten file fails)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
            f.seek(-4, os.SEEK_END)
            tail = f.read(4)
        pq.read_metadata(path)
        return head == tail == b"PAR1"
    except Exception:   # any parse failure means the file cannot be used
        return False


def _rmtree_readonly(path: Path) -> None:
    def onerror(func, p, _exc):
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(p), 0o755)
            os.chmod(p, 0o644)
            func(p)
    shutil.rmtree(path, onerror=onerror)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
