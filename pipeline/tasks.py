"""Plain functions the flow runs: find the release files under raw/, and one file in, validated rows out.

Nothing here raises for a bad input: every failure becomes one `errors` row with a stable
`error_type`, so the rest of the batch goes on. Discovery stays inside raw/: a symlink, or
an entry on another file system (a bind mount), that leads outside it is refused as
`outside_raw`; symlinked directories are not descended (so a loop cannot hang it). Any
file name is accepted: bytes that are not UTF-8 are kept as `\\xNN` escapes in `source_file`.

>>> display_name(b"r\\xff\\xfe.txt".decode("utf-8", "surrogateescape"))
'r\\\\xff\\\\xfe.txt'
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from bodopress.extractors import EXTRACTOR_VERSION
from bodopress.extractors.document import Document
from bodopress.extractors.extract import extract
from bodopress.extractors.loaders import LoadError, load
from bodopress.schemas import TABLES, Error

log = logging.getLogger("bodo")

FORMATS = {".txt", ".md", ".pdf", ".hwpx", ".hwp"}
SIDECAR = ".portal.json"   # beside a document fetched from the portal: <stem>.portal.json


@dataclass
class FileResult:
    source_file: str
    source_sha256: str | None
    rows: dict[str, list[dict]] = field(default_factory=dict)   # table -> validated rows

    @property
    def ok(self) -> bool:
        return not self.rows.get("errors")


def display_name(rel: str) -> str:
    """A path as text that is valid UTF-8: undecodable bytes become `\\xNN`."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover(raw: Path) -> tuple[list[tuple[str, Path]], list[FileResult]]:
    """(relative name, path) of each release file under `raw`, in a stable order, and an error
    row for each entry that leads outside it. Hidden entries and other suffixes are skipped."""
    raw = Path(raw)
    root = raw.resolve()
    device = root.stat().st_dev
    files, refused = [], []
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            path = Path(e.path)
            rel = display_name(path.relative_to(root).as_posix())
            try:
                if e.is_symlink():
                    try:
                        target = path.resolve(strict=True)
                    except (OSError, RuntimeError):       # dangling, or a loop
                        if path.suffix.lower() in FORMATS:
                            refused.append(error_result(rel, None, "load", "broken_link",
                                                        f"{rel} is a link that leads nowhere (missing target or a "
                                                        "loop); remove it or point it at a release inside raw/."))
                        continue
                    if not target.is_relative_to(root):
                        if path.suffix.lower() in FORMATS or target.is_dir():
                            refused.append(error_result(rel, None, "load", "outside_raw",
                                                        f"{rel} is a link to {target}, outside {raw}; "
                                                        "copy the file into raw/ instead."))
                        continue
                    if target.is_dir():
                        continue
                elif e.is_dir(follow_symlinks=False):
                    if e.stat(follow_symlinks=False).st_dev != device:
                        refused.append(error_result(rel, None, "load", "outside_raw",
                                                    f"{rel} is another file system mounted inside {raw}; "
                                                    "copy its releases into raw/ instead."))
                    else:
                        stack.append(path)
                    continue
                if path.suffix.lower() in FORMATS and path.is_file():
                    files.append((rel, path))
            except OSError:
                continue
    files.sort()
    return files, refused


def error_result(source: str, sha: str | None, stage: str, error_type: str, message: str) -> FileResult:
    row = Error(source_file=source, source_sha256=sha, stage=stage, error_type=error_type, message=message)
    return FileResult(source, sha, {"errors": [row.model_dump()]})


def sha_of(path: Path) -> str | None:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def law_names_from(path: str | None):
    """The official law-name list the extractors link to (the user's `--law-names` file, if any)."""
    if not path:
        return None
    from bodopress.extractors.laws import LawNames
    return LawNames.from_file(Path(path))


def portal_fields(path: Path) -> dict:
    """`portal_id`, `portal_url`, `approved_at` from the fetcher's sidecar beside `path`, where there is one."""
    sidecar = path.with_name(path.stem + SIDECAR)
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    approved = meta.get("approved_at")
    try:
        approved = datetime.fromisoformat(approved) if approved else None
    except (TypeError, ValueError):
        approved = None
    return {"portal_id": str(meta["portal_id"]) if meta.get("portal_id") else None,
            "portal_url": meta.get("portal_url"), "approved_at": approved}


def document_key(release: dict) -> str:
    """A key every rendering of one release shares: its ministry, headline letters and date."""
    when = release.get("embargo_at") or release.get("distributed_at")
    title = "".join(ch for ch in release.get("title") or "" if ch.isalnum())
    if not title or not (when or release.get("ministry")):
        return release["release_id"]     # a headline alone (`(붙임 1) 홍보물`) is no release's identity
    basis = "|".join([release.get("ministry") or "", title, when.date().isoformat() if when else ""])
    return "k" + hashlib.sha256(basis.encode()).hexdigest()[:15]


def process_file(path: Path, source: str, law_names=None) -> FileResult:
    sha = sha_of(path)
    if sha is None:
        try:
            path.stat()
            reason = "permission denied"
        except OSError as e:
            reason = e.strerror or type(e).__name__
        return error_result(source, None, "load", "unreadable", f"cannot read {source}: {reason}; check its permissions.")
    try:
        doc = Document.from_source(load(path, source))
    except LoadError as e:
        return error_result(source, sha, "load", e.error_type, e.message)
    except RecursionError:
        return error_result(source, sha, "load", "too_deep", f"{source} nests its content too deeply to read; "
                            "re-save it or ingest another rendering.")
    except Exception as e:  # a loader bug must not stop the batch
        log.error("loading %s failed:\n%s", source, traceback.format_exc())
        return error_result(source, sha, "load", "loader_crash", f"the loader failed on {source} "
                            f"({type(e).__name__}: {e}); report it with the file attached.")
    try:
        found = extract(doc, law_names=law_names)
    except Exception as e:
        log.error("extracting %s failed:\n%s", source, traceback.format_exc())
        return error_result(source, sha, "extract", "extractor_crash", f"extraction failed on {source} "
                            f"({type(e).__name__}: {e}); report it with the file attached.")
    release = dict(found["release"], release_id=doc.release_id, source_file=source,
                   source_sha256=doc.source_sha256, source_format=doc.source_format,
                   n_chars=len(doc.text), extractor_version=EXTRACTOR_VERSION, **portal_fields(path))
    release["document_key"] = release.get("portal_id") or document_key(release)
    raw_rows = {"releases": [release], "texts": [{"release_id": doc.release_id, "text": doc.text}]}
    for table in ("quantities", "dates", "laws", "contacts"):
        raw_rows[table] = [dict(r, release_id=doc.release_id) for r in found[table]]
    try:
        rows = {t: [TABLES[t](**r).model_dump() for r in rs] for t, rs in raw_rows.items()}
    except ValidationError as e:
        first = e.errors()[0]
        return error_result(source, sha, "validate", "invalid_row", f"an extracted row of {source} breaks the contract "
                            f"at {'.'.join(map(str, first['loc']))}: {first['msg']}; report it with the file attached.")
    return FileResult(source, sha, rows)
