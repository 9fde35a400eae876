"""Golden tokenisation cases: kiwipiepy is pinned to a minor version, and an upgrade that would shift
spans or tags (which the quantities, laws and metadata rules read) fails here first."""
from __future__ import annotations

import doctest

import pytest

from bodopress.extractors import kiwi
from bodopress.extractors.kiwi import Analysis

GOLDEN = [
    ("산업통상부는 수출 7천억불을 돌파했다.",
     [("산업", "NNG", 0), ("통상부", "NNG", 2), ("는", "JX", 5), ("수출", "NNG", 7), ("7", "SN", 10),
      ("천억", "NR", 11), ("불", "NNB", 13), ("을", "JKO", 14), ("돌파", "NNG", 16), ("하", "XSV", 18),
      ("었", "EP", 18), ("다", "EF", 19), (".", "SF", 20)]),
    ("세 차례 회의를 거쳐 「대미투자특별법」을 제정하였다.",
     [("세", "MM", 0), ("차례", "NNG", 2), ("회의", "NNG", 5), ("를", "JKO", 7), ("거치", "VV", 9), ("어", "EC", 10),
      ("「", "SSO", 12), ("대미", "NNG", 13), ("투자", "NNG", 15), ("특별법", "NNG", 17), ("」", "SSC", 20),
      ("을", "JKO", 21), ("제정", "NNG", 23), ("하", "XSV", 25), ("었", "EP", 26), ("다", "EF", 27), (".", "SF", 28)]),
    ("위원장 이억배는 40여명과 만났다.",
     [("위원장", "NNG", 0), ("이억배", "NNP", 4), ("는", "JX", 7), ("40", "SN", 9), ("여", "XSN", 11),
      ("명", "NNB", 12), ("과", "JKB", 13), ("만나", "VV", 15), ("었", "EP", 16), ("다", "EF", 17), (".", "SF", 18)]),
    ("'25년 실적은 1조 6,903억원이다.",      # the year's apostrophe is masked: '25 is not a quote
     [("25", "SN", 1), ("년", "NNB", 3), ("실적", "NNG", 5), ("은", "JX", 7), ("1", "SN", 9), ("조", "NR", 10),
      ("6,903", "SN", 12), ("억", "NR", 17), ("원", "NNB", 18), ("이", "VCP", 19), ("다", "EF", 20), (".", "SF", 21)]),
]


@pytest.mark.parametrize("text,tokens", GOLDEN, ids=[t for t, _ in GOLDEN])
def test_golden_tokens(text, tokens):
    assert [(t.form, t.tag, t.start) for t in Analysis(text).tokens()] == tokens


def test_one_pass_gives_sentences_and_tokens_and_no_paragraph_twice(monkeypatch):
    text = "□ 우리 수출이 지난해보다 크게 늘었다. 정부는 올해도 지원을 계속할 것이다.\n○ 올해도 늘 것이다, 전망이 밝다."
    calls = []
    real = kiwi.kiwi()
    monkeypatch.setattr(kiwi, "_kiwi", type("Counting", (), {
        "split_into_sents": lambda self, t, **kw: calls.append(t) or real.split_into_sents(t, **kw)})())
    a = Analysis(text)
    assert [text[s:e] for s, e in a.sentence_spans()] == [
        "□ 우리 수출이 지난해보다 크게 늘었다.", "정부는 올해도 지원을 계속할 것이다.", "○ 올해도 늘 것이다, 전망이 밝다."]
    assert [t.form for t in a.tokens_in(0, 5)][:3] == ["□", "우리", "수출"]
    a.tokens()
    assert len(calls) == 2          # one Kiwi call per paragraph, shared by sentences and tokens


def test_doctests():
    assert doctest.testmod(kiwi).failed == 0
