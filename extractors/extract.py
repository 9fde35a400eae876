"""Run every extractor over one document: the rows of each contract table, without release_id.

>>> rows = extract(Document.from_text("보도시점 2026. 5. 28.(목) 10:00\\n\\n수출이 7,093억 달러를 기록"))
>>> rows["release"]["embargo_at"].isoformat()
'2026-05-28T10:00:00+09:00'
"""
from __future__ import annotations

from datetime import date, datetime

from bodopress.extractors import contacts, dates, laws, metadata, quantities
from bodopress.extractors.document import Document
from bodopress.extractors.metadata import SEOUL


def reference_date(release: dict, doc: Document) -> date | None:
    """The release's own date: embargo, else distribution, else a date the file carries."""
    for key in ("embargo_at", "distributed_at"):
        if release.get(key) is not None:
            return release[key].date()
    return doc.created_at.date() if doc.created_at else None


def extract(doc: Document, ref: date | None = None, law_names=None) -> dict:
    release = metadata.extract(doc)
    ref_warning = None
    if ref is None:
        ref = reference_date(release, doc)
        if ref and release.get("embargo_at") is None and release.get("distributed_at") is None:
            ref_warning = f"no release date in the header: resolved against the file's date {ref.isoformat()}"
        elif ref is None and (found := dates.inferred_reference(doc.text, datetime.now(SEOUL).date())):
            ref, how = found
            ref_warning = f"no release date in the header: resolved against {ref.isoformat()}, {how}"
    date_rows = dates.extract(doc, ref, ref_warning)
    contact_rows = contacts.extract(doc)
    if not release.get("ministry"):
        release["ministry"] = (metadata.ministry_from_contacts(contact_rows)
                               or metadata.ministry_named(release.get("title"), doc.text))
    return {
        "release": release,
        "quantities": quantities.extract(doc),
        "dates": date_rows,
        "laws": laws.extract(doc, date_rows, law_names),
        "contacts": contact_rows,
    }
