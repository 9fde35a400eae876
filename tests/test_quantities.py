"""extractors.quantities: the case file, Duckling's money suite, NeMo's money pairs, one real release."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bodopress.extractors import quantities
from bodopress.extractors.document import Document
from bodopress.extractors.quantities import extract, extract_text

HERE = Path(__file__).parent
SHARED = HERE.parents[1] / "shared"
MONEY_UNITS = {"Dollar": "USD", "KRW": "KRW", "EUR": "EUR", "Won": "KRW", "JPY": "JPY", "CNY": "CNY",
               "Cent": "cent", "Pound": "GBP", "GBP": "GBP", "USD": "USD"}


def test_rows_have_contract_types_and_offsets():
    text = "□ 지난해 우리 수출은 사상 처음 7천억불을 돌파했다. 올해는 기업 1,500여 개가 참여한다."
    rows = extract_text(text)
    assert [r["text"] for r in rows] == ["7천억불", "1,500여 개"]
    for r in rows:
        assert set(r) == {"text", "value", "value_max", "unit", "counter", "qualifier",
                          "char_start", "char_end", "sentence", "rule"}
        assert isinstance(r["value"], float)
        assert text[r["char_start"]:r["char_end"]] == r["text"]
    assert rows[1]["sentence"] == "올해는 기업 1,500여 개가 참여한다."


def test_table_cell_offsets_and_row_sentence():
    doc = Document.from_text("(단위: 억원)\n구분\t정부안\t증감\n계\t19,374.5\t△2,471.5")
    rows = extract(doc)
    assert [(doc.text[r["char_start"]:r["char_end"]], r["value"]) for r in rows] == [
        ("19,374.5", 1937450000000.0), ("△2,471.5", -247150000000.0)]
    assert rows[0]["sentence"] == "계 19,374.5 △2,471.5"


def _suite(name: str) -> list[dict]:
    path = SHARED / "peers" / name
    if not path.exists():
        pytest.skip(f"{path} not found: the shared peer suites sit beside the repository")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.corpus
def test_duckling_amount_of_money():
    cases = [c for c in _suite("duckling_ko.jsonl") if c.get("dimension") == "AmountOfMoney"]
    ok = 0
    for c in cases:
        exp = c["expected"]
        unit = MONEY_UNITS.get(exp.get("unit"), exp.get("unit"))
        want = exp.get("value", exp.get("from", exp.get("to")))
        ok += any(q["unit"] == unit and want in (q["value"], q["value_max"]) for q in extract_text(c["text"]))
    assert ok / len(cases) >= 0.95, f"{ok}/{len(cases)}"


NEMO_CODES = {"₩": "KRW", "KRW": "KRW", "krw": "KRW", "$": "USD", "US$": "USD", "€": "EUR", "EUR": "EUR",
              "¥": None, "JPY": "JPY", "£": "GBP", "HK$": "HKD", "CAD": "CAD", "NZD": "NZD", "CHF": "CHF"}


@pytest.mark.corpus
def test_nemo_money_through_extract():
    """Spoken money (`삼조오천억 원`) gives the written amount (`₩3500000000000`) in the right currency."""
    total = ok = 0
    for c in _suite("nemo_ko_tn_itn.jsonl"):
        if c.get("class") != "money":
            continue
        m = re.match(r"^(US\$|HK\$|[A-Za-z]{3}|[₩$€£¥])?\s*([\d,.]+[만억조]?)(원)?$", c["written"])
        if not m:
            continue
        code = NEMO_CODES.get(m.group(1) or "₩", "?") if m.group(1) else "KRW"
        want = quantities.N.parse_number(m.group(2))
        total += 1
        rows = extract_text(c["spoken"])
        ok += any(abs(r["value"] - want) < 1e-6 * max(1, want) and (code is None or r["unit"] == code) for r in rows)
    assert total > 50
    assert ok / total >= 0.90, f"{ok}/{total}"


def test_real_release_first_year():
    """The dev release motie-2026-05-28-first-year: body amounts, qualifiers, the caption-unit chart."""
    path = HERE / "regressions" / "motie-2026-05-28-first-year.txt"
    rows = extract(Document.from_text(path.read_text(encoding="utf-8")))
    got = [(r["text"], r["value"], r["unit"], r["qualifier"]) for r in rows]
    for want in [("7천억불", 7e11, "USD", None), ("30여차례", 30.0, "count", "approx"),
                 ("2.1조원 이상", 2.1e12, "KRW", "at_least"), ("110만톤", 1.1e6, "ton", None),
                 ("1.2%p 수준", 1.2, "percent_point", "approx"), ("200+", 200.0, "count", "at_least")]:
        assert want in got
    texts = [r["text"] for r in rows]
    for absent in ("6번째", "5강", "1호", "500", "1주년", "2년차"):
        assert not any(t.startswith(absent) for t in texts), absent
