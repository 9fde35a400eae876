"""Plain functions the flow wraps in tasks: one source file in, validated rows out.

Nothing here raises for a bad input: every failure becomes one `errors` row with a
stable `error_type`, so the rest of the batch goes on.
"""
from __future__ import annotations

import hashlib
import json
import logging
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from bodopress.extractors import EXTRACTOR_VERSION
from bodopress.extractors.extract import extract
from bodopress.extractors.document import Document
from bodopress.extractors.loaders import LoadError, load
from bodopress.schemas import TABLES, Error

log = logging.getLogger("bodo")

FORMATS = {".txt", ".md", ".pdf", ".hwpx", ".hwp"}


@dataclass
class FileResult:
    source_file: str
    source_sha256: str | None
    rows: dict[str, list[dict]] = field(default_factory=dict)   # table -> validated rows

    @property
    def ok(self) -> bool:
        return not self.rows.get("errors")


def discover(raw: Path) -> list[Path]:
    """Release files under `raw`, in a stable order; hidden files and other suffixes are skipped."""
    return sorted(p for p in raw.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS
                  and not any(part.startswith(".") for part in p.relative_to(raw).parts))


SIDECAR = ".portal.json"   # beside a document fetched from the portal: <stem>.portal.json


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
    if not title:
        return release["release_id"]
    basis = "|".join([release.get("ministry") or "", title, when.date().isoformat() if when else ""])
    return "k" + hashlib.sha256(basis.encode()).hexdigest()[:15]


def _error(source: str, sha: str | None, stage: str, error_type: str, message: str) -> FileResult:
    row = Error(source_file=source, source_sha256=sha, stage=stage, error_type=error_type, message=message)
    return FileResult(source, sha, {"errors": [row.model_dump()]})


def process_file(path: Path, raw: Path, law_names=None) -> FileResult:
    source = path.relative_to(raw).as_posix() if path.is_relative_to(raw) else path.name
    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as e:
        return _error(source, None, "load", "unreadable", f"cannot read {source}: {e.strerror}; check its permissions.")
    try:
        doc = Document.from_source(load(path, source))
    except LoadError as e:
        return _error(source, sha, "load", e.error_type, e.message)
    except Exception as e:  # a loader bug must not stop the batch
        log.error("loading %s failed:\n%s", source, traceback.format_exc())
        return _error(source, sha, "load", "loader_crash", f"the loader failed on {source} "
                      f"({type(e).__name__}: {e}); report it with the file attached.")
    try:
        found = extract(doc, law_names=law_names)
    except Exception as e:
        log.error("extracting %s failed:\n%s", source, traceback.format_exc())
        return _error(source, sha, "extract", "extractor_crash", f"extraction failed on {source} "
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
        return _error(source, sha, "validate", "invalid_row", f"an extracted row of {source} breaks the contract "
                      f"at {'.'.join(map(str, first['loc']))}: {first['msg']}; report it with the file attached.")
    return FileResult(source, sha, rows)
