"""Every case file in tests/cases/ through one runner and one matching rule.

A case is `{"text": ..., "expect": ...}` (plus `ref_date`, `law_names`, `format`, `fields` where
its extractor reads them); `"xfail": "reason"` marks a known gap, run strictly. The rule: an
expected list matches rows one for one, in order; an expected row or record matches when every
key it names, and every key of its extractor's defaults it leaves out, has that value (numbers
to 1e-6, dates and times as ISO text to the minute); an expected scalar is the value itself.
Every row also points at its own surface text (`text[char_start:char_end]`) and names its rule.
"""
from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path

import pytest

from bodopress.extractors import contacts, dates, laws, metadata, quantities
from bodopress.extractors.document import Document
from bodopress.extractors.numbers import parse_number

CASES = Path(__file__).parent / "cases"


def _ref(case):
    return date.fromisoformat(case["ref_date"]) if case.get("ref_date") else None


def _laws(case):
    doc = Document.from_text(case["text"])
    names = laws.LawNames.official() if case.get("law_names") else None
    return doc, laws.extract(doc, dates.extract(doc, _ref(case)) if case.get("ref_date") else [], names)


def _metadata(case):
    doc = Document.from_text(case["text"], source_format=case.get("format", "txt"))
    doc.fields = case.get("fields", {})
    return doc, metadata.extract(doc)


def _doc(fn):
    def run(case):
        doc = Document.from_text(case["text"])
        return doc, fn(doc, case)
    return run


# case file -> (what it runs, the values a row has when the case leaves them out)
EXTRACTORS = {
    "quantities": (_doc(lambda d, c: quantities.extract(d)), {"counter": None, "qualifier": None, "value_max": None}),
    "dates": (_doc(lambda d, c: dates.extract(d, _ref(c))), {"time": None, "warning": None}),
    "laws": (_laws, {"action": None, "action_date": None}),
    "contacts": (_doc(lambda d, c: contacts.extract(d)), {}),
    "metadata": (_metadata, {}),
    "numbers": (lambda c: (None, parse_number(c["text"])), {}),
}


def _value(v):
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%dT%H:%M")
    if isinstance(v, date):
        return v.isoformat()
    return v


def same(got, want) -> bool:
    got = _value(got)
    if isinstance(want, float) or (isinstance(want, int) and not isinstance(want, bool) and isinstance(got, float)):
        return isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(want, str) and isinstance(got, str) and len(want) == 16 and want[10:11] == "T":
        return got[:16] == want
    return got == want


def matches(got, want, defaults: dict) -> bool:
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(matches(g, w, defaults) for g, w in zip(got, want))
    if isinstance(want, dict):
        return all(same(got.get(k), want.get(k, defaults.get(k))) for k in {**defaults, **want})
    return same(got, want)


def _load():
    out = []
    for path in sorted(CASES.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                case = json.loads(line)
                ident = f"{path.stem}:{n}:{(case.get('name') or case['text']).replace(chr(10), '⏎')[:30]}"
                marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
                out.append(pytest.param(path.stem, case, id=ident, marks=marks))
    return out


def test_every_case_file_has_an_extractor():
    assert {p.stem for p in CASES.glob("*.jsonl")} == set(EXTRACTORS)


@pytest.mark.parametrize("extractor,case", _load())
def test_case(extractor, case):
    run, defaults = EXTRACTORS[extractor]
    doc, got = run(case)
    shown = [{k: _value(v) for k, v in r.items() if k != "sentence"} for r in got] if isinstance(got, list) else got
    assert matches(got, case["expect"], defaults), shown
    for r in got if isinstance(got, list) else ():
        if "char_start" in r:
            assert doc.text[r["char_start"]:r["char_end"]] == r["text"]
            assert r["rule"]
