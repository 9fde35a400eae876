"""extractors.numbers: the case file, and the numeral suites of Duckling and NeMo read from ../shared."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bodopress.extractors.numbers import parse_number

HERE = Path(__file__).parent
PEERS = HERE.parents[1] / "shared" / "peers"


def close(got, want) -> bool:
    return got is not None and abs(got - want) <= 1e-9 * max(1.0, abs(want))


def _suite(name: str) -> list[dict]:
    path = PEERS / name
    if not path.exists():
        pytest.skip(f"{path} not found: the shared peer suites sit beside the repository")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.corpus
def test_duckling_numerals():
    cases = [c for c in _suite("duckling_ko.jsonl") if c.get("dimension") == "Numeral"]
    ok = sum(close(parse_number(c["text"]), c["expected"]["value"]) for c in cases)
    assert len(cases) > 50
    assert ok / len(cases) >= 0.95, f"{ok}/{len(cases)}"


# NeMo writes money as `₩5000`, `$ 200`, `KRW 1,230,000`, `₩30억`; the spoken side ends in the currency word.
WRITTEN_MONEY = re.compile(r"^(?:[A-Za-z]{2,3}\$?|US\$|HK\$|[₩$€£¥])\s*|원$")
SPOKEN_MONEY = re.compile(r"\s*(?:(?:홍콩|캐나다|뉴질랜드|미국)\s*)?(?:원|달러|불|유로|엔|위안|파운드|스위스 프랑|아랍에미리트 디르함)$")


def nemo_pairs() -> list[tuple[str, float]]:
    """(spoken, value) for NeMo's cardinal, decimal and money pairs whose written side is one number."""
    out = []
    for c in _suite("nemo_ko_tn_itn.jsonl"):
        if c.get("class") not in ("cardinal", "decimal", "money"):
            continue
        spoken, written = c["spoken"], c["written"]
        if c["class"] == "money":
            spoken, written = SPOKEN_MONEY.sub("", spoken), WRITTEN_MONEY.sub("", written)
        want = parse_number(written)   # `0 0 0` (digits read one by one) is not one number: left out
        if want is not None:
            out.append((spoken, want))
    return out


@pytest.mark.corpus
def test_nemo_cardinal_decimal_money():
    pairs = nemo_pairs()
    assert len(pairs) > 150
    fails = [(s, w, parse_number(s)) for s, w in pairs if not close(parse_number(s), w)]
    assert 1 - len(fails) / len(pairs) >= 0.90, fails[:10]
