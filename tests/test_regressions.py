"""Real releases kept in tests/regressions/: every rendering loads, and its metadata, contacts and
laws match its public gold; its quantities and dates are found with the gold's recall. These run
in a clone without ../shared."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bodopress.extractors.document import Document
from bodopress.extractors.extract import extract
from bodopress.extractors.loaders import load

HERE = Path(__file__).parent / "regressions"
DOCS = sorted(p for p in HERE.iterdir() if p.suffix in (".pdf", ".hwpx", ".hwp", ".txt"))


def gold_of(path: Path) -> dict:
    return json.loads((HERE / f"{path.stem}.gold.json").read_text(encoding="utf-8"))


def words(s) -> str:
    return "".join(ch for ch in (s or "") if ch.isalnum())


@pytest.fixture(scope="module", params=DOCS, ids=lambda p: p.name)
def found(request):
    path = request.param
    doc = Document.from_source(load(path, path.name))
    return path, doc, extract(doc)


def test_there_are_at_least_five_real_documents():
    assert len(DOCS) >= 5 and {p.suffix for p in DOCS} >= {".pdf", ".hwpx", ".hwp"}


def test_metadata_matches_gold(found):
    path, _, rows = found
    for field, want in gold_of(path).get("release", {}).items():
        got = rows["release"].get(field)
        if field.endswith("_at"):
            got = got.isoformat(timespec="minutes") if got else None
            want = want[:16] if want else None
            assert (got or "")[:16] == (want or ""), (path.name, field)
        elif field in ("title", "subtitle"):
            assert words(got) == words(want), (path.name, field)
        else:
            assert "".join((got or "").split()) == "".join((want or "").split()), (path.name, field)


def test_contacts_match_gold(found):
    path, _, rows = found
    gold = gold_of(path).get("contacts", [])
    got = {(c["name"], c["phone"]): c for c in rows["contacts"]}
    for want in gold:
        c = got.get((want["name"], want.get("phone")))
        assert c is not None, (path.name, want["name"])
        assert all("".join(str(c[k]).split()) == "".join(str(v).split()) for k, v in want.items()), (path.name, want)
    assert len(rows["contacts"]) == len(gold), path.name


def test_laws_and_recall_of_quantities_and_dates(found):
    path, doc, rows = found
    gold = gold_of(path)
    names = {"".join(r["name"].split()) for r in rows["laws"]}
    assert {"".join(g["name"].split()) for g in gold.get("laws", []) if not g.get("optional")} <= names
    values = [(f"{r['value']:.6g}", r["unit"]) for r in rows["quantities"]]
    want = [(f"{g['value']:.6g}", g.get("unit")) for g in gold.get("quantities", []) if not g.get("optional")]
    hits = sum(min(values.count(k), want.count(k)) for k in set(want))
    assert hits >= math.floor(0.95 * len(want)), (path.name, hits, len(want))
    spans = [(str(r["start"]), str(r["end"])) for r in rows["dates"]]
    want = [(g["start"], g["end"]) for g in gold.get("dates", []) if not g.get("optional")]
    hits = sum(min(spans.count(k), want.count(k)) for k in set(want))
    assert hits >= math.floor(0.9 * len(want)), (path.name, hits, len(want))
    for table in ("quantities", "dates", "laws"):
        for r in rows[table]:
            assert doc.text[r["char_start"]:r["char_end"]] == r["text"], (path.name, table, r["text"])
