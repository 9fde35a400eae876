"""Extractors on hostile text: linear time, finite values, offsets inside the text.

Hypothesis runs with a fixed example budget and a fixed seed (derandomize), so CI sees the
same inputs every time; the timing test grows pathological inputs (digit runs, scale-word
runs, `법률 제` runs, brackets) from 10³ to 10⁵ characters and allows twice linear growth.
"""
from __future__ import annotations

import math
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bodopress.extractors import dates, laws, quantities
from bodopress.extractors.document import Document

REF = date(2026, 5, 28)
ALPHABET = "0123456789,.'~-%()「」『』‘’ \n\t억만천조원달러년월일법률제호개명시행령의및에관한특별법「」·"
EXTRACT = {"quantities": lambda d: quantities.extract(d), "dates": lambda d: dates.extract(d, REF),
           "laws": lambda d: laws.extract(d, [])}


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=300))
def test_rows_are_finite_and_point_into_the_text(text):
    doc = Document.from_text(text)
    for name, fn in EXTRACT.items():
        for r in fn(doc):
            assert 0 <= r["char_start"] <= r["char_end"] <= len(doc.text), name
            assert doc.text[r["char_start"]:r["char_end"]] == r["text"], name
            for k in ("value", "value_max"):
                if r.get(k) is not None:
                    assert math.isfinite(r[k]), (name, r)


PATHOLOGICAL = {
    "digits": lambda n: "1" * n,
    "scale words": lambda n: "9억" * (n // 2),
    "law numbers": lambda n: "법률 제" * (n // 4),
    "brackets": lambda n: "「" * (n // 2) + "」" * (n // 2),
    "nines before a unit": lambda n: "9" * (n - 3) + "억 원",
}


def _seconds(fn, text: str) -> float:
    doc = Document.from_text(text)
    doc.sentences, doc.analysis.tokens()        # Kiwi's pass is its own cost, linear in the text
    best = math.inf
    for _ in range(2):
        start = time.perf_counter()
        fn(doc)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("shape", PATHOLOGICAL)
@pytest.mark.parametrize("extractor", EXTRACT)
def test_time_grows_linearly(shape, extractor):
    small = max(_seconds(EXTRACT[extractor], PATHOLOGICAL[shape](1_000)), 2e-3)
    large = _seconds(EXTRACT[extractor], PATHOLOGICAL[shape](100_000))
    assert large <= 2 * 100 * small, f"{extractor} on {shape}: {small:.4f} s at 10^3, {large:.2f} s at 10^5"


def test_a_number_too_large_for_a_float_is_no_row():
    assert quantities.extract(Document.from_text("9" * 400 + "억 원")) == []
