"""Quantities: every number with a unit, a counter, a scale word or a percent sign.

Each row carries the fully scaled value, the unit code of the contract, the counter word of a
count, the qualifier (여/약/이상/초과/이하/미만/수준/최대 …), and the rule that found it.
Units, counters, qualifiers and the words that may follow a unit are data files under
`extractors/data/` (units*.tsv, counters*.txt, qualifiers.tsv); the numbers come from
`extractors.numbers`. Table cells take the unit of their column: its header's `(천명)`, or the
caption's unit that the header names (`(단위: 억달러, %)` over `수출액 | 증감률`); row numbers,
time labels and ratio columns yield none, and no number takes a unit from outside its cell.

>>> [(q["value"], q["unit"], q["qualifier"]) for q in extract_text("1,500여 개 기업, 7천억불 돌파")]
[(1500.0, 'count', 'approx'), (700000000000.0, 'USD', None)]
>>> [(q["value"], q["value_max"], q["unit"]) for q in extract_text("25000원 - 30000원")]
[(25000.0, 30000.0, 'KRW')]
>>> extract_text("제2차 회의, 6번째, 1호 프로젝트, 044-203-5520")
[]
"""
from __future__ import annotations

import bisect
import itertools
import math

from dataclasses import dataclass, field, replace
from pathlib import Path

import regex

from bodopress.extractors import numbers as N
from bodopress.extractors.document import Document

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[list[str]]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(line.split("\t"))
    return out


UNITS = [(r[0], r[1], r[2]) for r in _rows("units.tsv")]
SUFFIX_UNITS = {s: code for s, code, pos in UNITS if pos in ("suffix", "both")}
PREFIX_UNITS = {s: code for s, code, pos in UNITS if pos in ("prefix", "both")}
COUNTERS = [r[0] for r in _rows("counters.txt")]
NATIVE_COUNTERS = [r[0] for r in _rows("counters_native.txt")]
QUALIFIERS = {(r[0], r[2]): r[1] for r in _rows("qualifiers.tsv")}
NAME_TITLES = {r[0] for r in _rows("name_titles.txt")} | {r[0] for r in _rows("positions.txt")}
FOLLOW = {r[0] for r in _rows("units_follow.txt")}
NOT_WORDS = {r[0] for r in _rows("units_not_words.txt")}
DURATION_AFTER = [r[0] for r in _rows("units_duration.tsv") if r[1] == "after"]
DURATION_BEFORE = [r[0] for r in _rows("units_duration.tsv") if r[1] == "before"]

CURRENCY_CODES = {code for _, code, _ in UNITS if code.isupper() and len(code) == 3} | {"cent"}
# Hangul units of one syllable that also end ordinary words (사원, 이불, 일원): a Hangul
# number of one syllable is taken before them only when it is a scale word (만원, 십불).
SINGLE_SCALE_WORDS = set("십백천만")
SINGLE_DIGIT_UNITS = {r[0] for r in _rows("units_single_digit.txt")}
SPACED_LETTERS = {r[0] for r in _rows("units_spaced_letters.txt")}
GLUED_COUNTERS = {r[0] for r in _rows("counters_glued.txt")}
LABEL_AFTER: dict[str, tuple[str, ...]] = {}
for _counter, _word in _rows("counters_label_after.tsv"):
    LABEL_AFTER[_counter] = LABEL_AFTER.get(_counter, ()) + (_word,)
FOLLOW_NOUNS = {w for w, pos in QUALIFIERS if pos in ("suffix", "noun")} | {r[0] for r in _rows("units_follow_nouns.txt")}
UNIT_WORDS = {**SUFFIX_UNITS, **{c: "count" for c in COUNTERS}}

HANGUL = r"[가-힣]"
ALT = N._alt
_SUFFIX_UNIT = regex.compile(rf"(?P<sp>[ \u00a0]?|\n)(?P<unit>{ALT(UNIT_WORDS)})")
_NATIVE_COUNTER = regex.compile(rf"(?P<sp>[ ]?)(?P<unit>{ALT(NATIVE_COUNTERS)})")
_PREFIX_UNIT = regex.compile(rf"(?:^|(?<=[^A-Za-z]))(?P<unit>{ALT(PREFIX_UNITS)})[ ]?$")
_PREFIX_QUAL = regex.compile(   # 최대\n200억 원; a sign (비율≥50%) may stand glued to its word
    rf"(?:(?<!{HANGUL})(?P<q>{ALT(w for w, p in QUALIFIERS if p == 'prefix' and w.isalpha())})"
    rf"|(?P<q>{ALT(w for w, p in QUALIFIERS if p == 'prefix' and not w.isalpha())}))\s?\Z")
_SUFFIX_QUAL = regex.compile(
    rf"(?:[ ]?\([^()\n]{{0,60}}\)|\))?[ \n]?(?P<q>{ALT(w for w, p in QUALIFIERS if p == 'suffix' and w not in ('여', '내'))}"
    rf"|내(?=[에로의]|$|[^가-힣]))"
    rf"|[ ]?(?:이|가|을|를)?[ ]?(?P<q>넘는|넘게|넘은|넘어|초과)"
    rf"|[ ](?P<spaced>미[ ]만|이[ ]상|이[ ]하|이[ ]내|초[ ]과)(?![가-힣])")   # a letter-spaced PDF line: 20만원 미 만
_INFIX_APPROX = regex.compile(rf"[ ]?여(?=[ ]?(?:{ALT(UNIT_WORDS)}))|여(?!{HANGUL})")
_APPROX_SUFFIX = regex.compile(r"여(?!" + HANGUL + r")|여(?=간|만)")
_DURATION_AFTER = regex.compile(rf"[ ]?(?:{ALT(DURATION_AFTER)})")
_DURATION_BEFORE = regex.compile(rf"(?<!{HANGUL})(?:{ALT(DURATION_BEFORE)})[ ]?$")
# a scale word spaced off its digits (`2,000 만 원`) stays a scale word only before a unit or a non-word
_SPACED_SCALE_FOLLOW = rf"(?![가-힣])|(?=여|{N.SMALL}|{N.BIG}|{ALT(w for w in UNIT_WORDS if regex.match(HANGUL, w))})"
_WRAP = r"(?:[ ]|[ ]?\n)"   # a space, or the line break of a wrapped line, inside one amount
# Hangul digits before Arabic ones: `삼천 5백만 원`
_SINO_THEN_ARABIC = rf"(?:(?<=(?:{N.SINO_DIGIT}|{N.SMALL}|{N.BIG})(?:{N.SMALL}|{N.BIG}))[ ]?(?:{N.ARABIC})(?:{N.SMALL}{N.BIG}?|{N.BIG}))?"
_NUMBER = regex.compile(rf"(?P<ar>{N.arabic_number(_SPACED_SCALE_FOLLOW, space=_WRAP)})"
                        rf"|(?<!{HANGUL})(?P<sino>{N.SINO_NUMBER}{_SINO_THEN_ARABIC})")
_ARABIC_GROUP = regex.compile(N.ARABIC_GROUP)
_NATIVE = regex.compile(rf"(?<!{HANGUL})(?:{N.NATIVE_NUMBER})")
NEGATIVE = "-−△▲▽Δ∆"   # budget and statistics tables print △ (or the Greek Δ) for minus
SIGN = "[+" + regex.escape(NEGATIVE) + "]"
_SIGN = regex.compile(rf"(?:^|(?<=[\s(\[<:])){SIGN}$")
_RANGE_SEP = regex.compile(r"[ ]*[~∼〜\-–][ ]*")
_TRANSITION = regex.compile(r"[ ]*(?:→|->|⇒|에서)[ ]*")
_CENTS = regex.compile(rf"[ ]?(?P<num>{N.ARABIC}|{N.SINO_NUMBER})센트")
_PAGE_NUMBER_LINE = regex.compile(r"^\s*-\s*\d+\s*-\s*$")
_ORDINAL_BEFORE = regex.compile(rf"(?<!{HANGUL})제[ ]?$|(?<=[편장절관조항])제$")   # 제2차; 제2편제25장
_CLOCK_BEFORE = regex.compile(r"\d[ ]?시[ ]?$")
_CAPTION_BEFORE = regex.compile(r"단위[ ]?[:：][^)\]\n]*$")
_TOTAL_BEFORE = regex.compile(rf"(?<!{HANGUL})총[ ]?$")
_NOUN_QUAL = regex.compile(rf"[ ](?P<noun>{HANGUL}{{1,5}})[ ]?(?P<q>{ALT(w for w, p in QUALIFIERS if p == 'noun')})"
                           rf"(?:(?!{HANGUL})|(?=[을를이가의에은는도로]))")
_TITLE_AFTER = regex.compile(rf"[ ]?(?:{ALT(NAME_TITLES)})(?:(?!{HANGUL})|(?=[은는이가을를의과와도께에]))")
_TITLE_BEFORE = regex.compile(rf"(?<!{HANGUL})(?:{ALT(NAME_TITLES)})[ ]$")
_ORDINAL_AFTER = regex.compile(r"[ ]차(?![가-힣])|[ ]차(?=에|의|인|를|로|부터)")
_PER_UNIT = regex.compile(r"[ ]?당")
_URL = regex.compile(r"(?:https?://|www\.)\S+", regex.I)
_HANGUL = regex.compile(HANGUL)
_HANGUL2 = regex.compile(HANGUL * 2)
_TWO_DIGITS = regex.compile(r"\d\d")
_TRAILING_SCALE = regex.compile(rf"(?:{N.SMALL}|{N.BIG})+$")
_TRAILING_BIG = regex.compile(rf"{N.BIG}+$")
_DOTTED_BEFORE = regex.compile(r"\d[.\-/]$")
_DOTTED_AFTER = regex.compile(r"[.:/\-]\d")
_DASH_AMOUNT = regex.compile(r"-\d[\d,.]*\s?[^\d\s,.\-]")
_SPACED_POINT = regex.compile(r"(?<![\d.,])(\d{1,3})\.[ ]$")
_PERCENT_AFTER = regex.compile(r"[ ]?%")
_UNIT_AFTER_NOTE = regex.compile(rf"\([^()\n]{{1,16}}\)(?P<unit>{ALT(UNIT_WORDS)})")
_CODE = regex.compile(r"0\d+")   # a classification code cell (01, 07), not an amount
_QUOTED_RANGE = regex.compile(r"[ ]?[~∼-][ ]?\d[\d,.]*[ ]?(?!년)[가-힣%]")
_LABEL_AFTER = regex.compile(r"[ ]?(?::|\d+\))")
_ARTICLE = regex.compile(r"\d+[ ]?조")
_SPAN_AFTER = regex.compile(r"[ ]?(?:간|동안)")
_MONTH_BEFORE = regex.compile(r"월[ ]?$")
_YEAR_AFTER = regex.compile(r"[ ]?(?:\d|상반기|하반기|\d?분기|말|초|도|대비)")
_SCALE_CHARS = set(N.SMALL_SCALES) | set(N.BIG_SCALES)


@dataclass
class Q:
    start: int
    end: int
    value: float
    unit: str | None
    counter: str | None = None
    qualifier: str | None = None
    value_max: float | None = None
    rule: str = "scaled_number"
    sentence: str | None = None


# -- one number followed by its unit -----------------------------------------------------

@dataclass
class _Num:
    start: int          # where the surface starts (sign, prefix currency, prefix qualifier)
    num_start: int
    num_end: int
    value: float
    scaled: bool        # carries a scale word (천, 만, 억, ...)
    hangul: bool
    end: int = 0        # after the unit / qualifier
    unit: str | None = None
    counter: str | None = None
    qualifier: str | None = None
    unit_surface: str = ""
    trailing_scale: float = 1.0
    flags: set = field(default_factory=set)


_YEAR_HEAD = regex.compile(r"\d\d\.(?=\d)")               # ’24.372명: a two-digit year glued to a count
_APOS_YEAR_HEAD = regex.compile(r"['‘’`]\d\d\.(?=\d)")
_COUNT_AFTER = regex.compile(r"[ ]?(?:명|건|개|곳|회)|[ ]?(?:→|->)")


def _number_at(text: str, m) -> _Num | None:
    """Parse the number candidate `m`, falling back to its first group when the run does not parse."""
    s, e = m.span()
    surface = m.group()
    value = N.parse_number(surface)
    if value is None and m.group("ar"):
        g = _ARABIC_GROUP.match(text, s)
        s, e = g.span()
        surface = g.group()
        value = N.parse_number(surface)
    if value is None:
        return None
    hangul = bool(m.group("sino"))
    head = _SPACED_POINT.search(text, max(0, s - 5), s)
    if head and surface.isdigit() and len(surface) <= 2 and _PERCENT_AFTER.match(text, e) \
            and text[text.rfind("\n", 0, head.start()) + 1:head.start()].strip(" \t-*·•○□ㅇ"):
        s, value = head.start(), float(f"{head.group(1)}.{surface}")   # `0. 58%`: a converter's space after the point
    year = _YEAR_HEAD.match(surface) if text[s - 1:s] in "'’‘`" and s else None
    if year and _COUNT_AFTER.match(text, e):
        s, surface = s + year.end(), surface[year.end():]    # ’24.372명: the year 2024, then 372명
        value = N.parse_number(surface)
        if value is None:
            return None
    scaled = any(c in _SCALE_CHARS for c in surface)
    num = _Num(start=s, num_start=s, num_end=e, value=value, scaled=scaled, hangul=hangul, end=e)
    tail = _TRAILING_SCALE.search(surface)
    if tail and not hangul:
        num.trailing_scale = N.parse_number(tail.group()) or 1.0
    return num


def _excluded_before(text: str, s: int, e: int) -> bool:
    """Ordinals (제2차), codes (K64919, C20), years ('25), clock and phone pieces, dotted dates, page numbers."""
    before = text[max(0, s - 3):s]
    if _ORDINAL_BEFORE.search(before) or _CAPTION_BEFORE.search(text[max(0, s - 30):s]):
        return True
    prev = text[s - 1] if s else ""
    if prev in "'‘’`" and (not _TWO_DIGITS.fullmatch(text[s:e]) or _QUOTED_RANGE.match(text, e)):
        prev = ""   # '25년 is a year; '2 m', '1.5 L' and ‘10~29명’ are quoted quantities
    if prev == ":" and not text[max(0, s - 2):s - 1].isdigit():
        prev = ""   # 14:30 is a clock; 반도체:41.2억 달러 a label and its amount
    if prev and (prev.isascii() and prev.isalpha() or prev in "'‘’`:#_"):
        if not _PREFIX_UNIT.search(text[max(0, s - 6):s]):   # EUR29.99 is money, K64919 a code
            return True
    if _DOTTED_BEFORE.search(text[max(0, s - 2):s]) and not _APOS_YEAR_HEAD.match(text, max(0, s - 4), s + 1):
        return True   # 3.25, but ’24.372명 is 372명 of 2024
    nxt = text[e:e + 2]
    if _DOTTED_AFTER.match(nxt) and not _DASH_AMOUNT.match(text[e:e + 30]):
        return True
    # a page number stands on a short line of its own (`- 3 -`): look no further than such a line
    lo, hi = text.rfind("\n", max(0, s - 12), s), text.find("\n", e, e + 12)
    if (lo < 0 and s > 12) or (hi < 0 and len(text) - e > 12):
        return False
    return bool(_PAGE_NUMBER_LINE.match(text[lo + 1:hi if hi >= 0 else len(text)]))


def _follow_ok(text: str, pos: int, surface: str) -> bool:
    """A unit word must end a word: 원을/원 규모 yes, 원유/원전 no; ASCII units are not glued to letters."""
    nxt = text[pos:pos + 1]
    if not nxt:
        return True
    if surface[-1:].isascii() and surface[-1:].isalpha():
        return not (nxt.isascii() and nxt.isalnum())
    if _HANGUL.match(surface[-1:]):
        if surface[-1] + nxt in NOT_WORDS:
            return False
        if nxt == "다" and not _HANGUL.match(text[pos + 1:pos + 2]):
            return True   # 총 11개교다.: the copula after a vowel
        return not _HANGUL.match(nxt) or nxt in FOLLOW
    return True


def _unit_here(doc: Document, text: str, m, surface: str) -> bool:
    """The unit word `m` belongs to the number before it. A one-letter symbol stands after a space
    only where it reads as a symbol (`2 m`, `1.5 L`, `500 g`); a word spaced off and followed by a
    colon or a note number is a label (`주:`, `주1)` notes); a syllable Kiwi reads as the copula
    is none (`9인 경우`); a word glued to more Hangul is a unit only where Kiwi reads it as a word
    of its own before a particle or copula (`15억원인`), or is a counter that may be glued to its
    noun (`4개지역`; counters_glued.txt)."""
    sp, end = m.group("sp"), m.end()
    if any(t.start == m.start("unit") and t.tag == "VCP" for t in doc.tokens_in(m.start("unit"), end)):
        return False   # 9인 경우: the copula, not the counter 인
    if sp and len(surface) == 1 and surface.isascii() and surface not in SPACED_LETTERS:
        return False
    if sp and _LABEL_AFTER.match(text[end:end + 4]):
        return False
    if sp == "\n" and (text[end:end + 1] in ")）:：" or "\t" in text[text.rfind("\n", 0, m.start()) + 1:m.start()]):
        return False   # a note line (`주)`) or the next line under a table row is no unit of the row's number
    if _follow_ok(text, end, surface):
        return not _counter_compound(doc, text, end, surface)
    if not (_HANGUL.match(surface[-1:]) and _HANGUL.match(text[end:end + 1])):
        return False
    toks = doc.tokens_in(m.start("unit"), end + 1)
    nxt = [t for t in toks if t.start == end]
    return any(t.start == m.start("unit") and t.end == end and t.tag in ("NNB", "NNG") for t in toks) \
        and any(t.tag == "VCP" or t.tag.startswith("J") or (t.tag in ("NNG", "NNP") and surface in GLUED_COUNTERS
                                                             and (sp != " " or t.len > 1))   # `2019 개정` begins a word
                for t in nxt)


def _counter_compound(doc: Document, text: str, end: int, surface: str) -> bool:
    """A counter glued to a noun that only begins like a particle names a kind, not a count:
    `1인가구` (인 + 가구, not 인 + 가), against `3명이상` and `200명규모`; a counter that Kiwi
    reads as the first syllable of a longer noun is none (`5.1 인수공통감염병`)."""
    if UNIT_WORDS.get(surface) != "count" or surface in GLUED_COUNTERS or not _HANGUL.match(text[end:end + 1]):
        return False
    if any(t.start == end - len(surface) and t.end > end and t.tag in ("NNG", "NNP")
           for t in doc.tokens_in(end - len(surface), end)):
        return True
    return bool(_HANGUL2.match(text[end:end + 2])) and any(
        t.start == end and t.len > 1 and t.tag in ("NNG", "NNP") and t.form not in FOLLOW_NOUNS
        for t in doc.tokens_in(end, end + 1))


def _attach_unit(doc: Document, text: str, num: _Num) -> None:
    """Prefix currency/sign/qualifier before the number; 여, unit and qualifier after it."""
    s = num.num_start
    # sign glued to the number
    if s and _SIGN.search(text[max(0, s - 2):s]):
        sign = text[s - 1]
        if sign in NEGATIVE:
            num.value = -num.value
        s -= 1
    m = _PREFIX_UNIT.search(text[max(0, s - 6):s])
    if m:
        num.unit = PREFIX_UNITS[m.group("unit")]
        num.unit_surface = m.group("unit")
        s -= len(m.group())
    m = _PREFIX_QUAL.search(text[max(0, s - 4):s])
    if m:
        num.qualifier = QUALIFIERS[(m.group("q"), "prefix")]
        s -= len(m.group())
    num.start = s

    pos = num.num_end
    if text.startswith("+", pos) and not text[pos + 1:pos + 2].isdigit():
        num.qualifier = QUALIFIERS[("+", "mark")]
        pos += 1
    m = _INFIX_APPROX.match(text, pos)
    if m and not num.hangul:
        num.qualifier = QUALIFIERS[("여", "infix")]
        pos = m.end()
        num.flags.add("infix")
    if num.unit is None:
        m = _SUFFIX_UNIT.match(text, pos)
        surface = m.group("unit") if m else ""
        # one-letter units (t, m, L) only glued to the digits; a unit word glued to a word is no unit
        if m and _unit_here(doc, text, m, surface):
            num.unit, num.unit_surface = UNIT_WORDS[surface], surface
            if num.unit == "count":
                num.counter = surface
            pos = m.end()
    if num.unit is None and (m := _UNIT_AFTER_NOTE.match(text, pos, pos + 24)) \
            and UNIT_WORDS[m.group("unit")] == "count" and _follow_ok(text, m.end(), m.group("unit")):
        num.unit, num.unit_surface, num.counter = "count", m.group("unit"), m.group("unit")   # 12,742(71.3%)명
    if "infix" in num.flags and num.unit is None and not num.scaled:
        num.qualifier = None
        pos = num.num_end
    # 8개월여, 1년여 만에
    if num.unit and not num.qualifier:
        m = _APPROX_SUFFIX.match(text, pos)
        if m:
            num.qualifier = QUALIFIERS[("여", "suffix")]
            pos += 1
    num.end = pos


def _attach_suffix_qualifier(text: str, num: _Num) -> None:
    m = _SUFFIX_QUAL.match(text, num.end)
    if m:
        q = m.group("q") or m.group("spaced").replace(" ", "")
        num.qualifier = QUALIFIERS[(q, "suffix")]
        if "(" not in m.group() and ")" not in m.group():
            num.end = m.end()   # a qualifier beyond a parenthesis binds but stays outside the surface
        return
    m = _NOUN_QUAL.match(text, num.end)
    if m and num.unit == "count" and not num.qualifier:
        num.qualifier = QUALIFIERS[(m.group("q"), "noun")]   # 30개 기관 내외: binds, stays outside


_SLOGAN = regex.compile(r"['‘\"“][^'’\"”\n]{1,24}기['’\"”]")   # a quoted phrase ending in the nominaliser -기


def _named(doc: Document, text: str, num: _Num) -> bool:
    """A Hangul numeral that is a person's name: tagged as one by Kiwi, or beside a title
    (`위원장 이억배`, `이만원 씨`, `(장관 조원)`)."""
    if any(t.tag == "NNP" and t.start < num.end and t.end > num.num_start for t in doc.tokens_in(num.num_start, num.end)):
        return True
    return bool(_TITLE_AFTER.match(text, num.end) or _TITLE_BEFORE.search(text[max(0, num.start - 8):num.start]))


def _valid(doc: Document, text: str, num: _Num) -> bool:
    """Contract exclusions and unit-specific readings (durations, ordinals 호, ages 대)."""
    u, w = num.unit, num.unit_surface
    if num.hangul:
        if u is None:
            return False
        if u not in CURRENCY_CODES and not _kiwi_confirms(doc, num.num_start, num.num_end, num.end - len(w)):
            return False   # 이억배 (a name), 조사대상, 경영권
        digits = text[num.num_start:num.num_end]
        if _named(doc, text, num):
            return False
        if all(c in _SCALE_CHARS for c in digits) and text[num.end:num.end + 1] in ("", ")", ",", "/", "·") \
                and (text[num.start - 1:num.start] == "(" or _CAPTION_BEFORE.search(text[max(0, num.start - 30):num.start])):
            return False   # (억달러), (단위: 백만원): a caption naming the unit, not 1억 달러
        if len(digits) == 1:
            if not (digits in SINGLE_SCALE_WORDS and u in CURRENCY_CODES) and w not in SINGLE_DIGIT_UNITS:
                return False
    if u is None:
        surface = text[num.num_start:num.num_end]
        if _ARTICLE.fullmatch(surface):
            return False   # 무역법 301조, 13조: an article, not 13 trillion (money says 조원, 조 달러)
        nxt = text[num.num_end:num.num_end + 2]
        if (regex.search(r"\d[ ]\D$", surface) and _HANGUL.match(nxt) and nxt[0] != "여"
                or surface.endswith("백") and nxt in ("분위", "분율")):
            return False   # `2026 천명지킴`: a spaced scale word begins a word; `95백분위수`: 백분 is per hundred
        return num.scaled
    after = text[num.end:num.end + 6]
    before = text[max(0, num.start - 6):num.start]
    if before[-1:].isalpha() and _HANGUL2.match(after) and any(
            t.start == num.end and t.tag in ("NNG", "NNP", "VV") and t.form not in FOLLOW_NOUNS
            for t in doc.tokens_in(num.end, num.end + 1)):
        return False   # 포스코1%나눔재단: glued to words on both sides, a number in a name
    if any(m.start() < num.start and num.end < m.end() for m in _SLOGAN.finditer(text, max(0, num.start - 28), num.end + 28)):
        return False   # '서울대 10개 만들기': a campaign's name
    if _ORDINAL_AFTER.match(after):
        return False   # 2년 차, 3개월 차: an ordinal
    if u == "count" and num.value == 1 and not num.qualifier and _PER_UNIT.match(after):
        return False   # 1인당, 1건당: the denominator of a rate
    if u == "years" and 1900 <= num.value <= 2100 and regex.search(r"(?:19|20)\d\d\s*[~∼-]\s*$", before):
        return False   # 2026~2028년간: the end of a range of years, a date row
    if w in ("년", "일") and 1900 <= num.value <= 2100 and not _SPAN_AFTER.match(after):
        return False   # 지난 2015년: a year
    if w == "년" and regex.fullmatch(r"(?:19|20)\d\d", text[num.num_start:num.num_end]) and not num.qualifier:
        return False   # 2025년 동안: during a year (a span of years is written 2,000년, 약 2000년)
    if w in ("년", "일"):
        if w == "일" and _MONTH_BEFORE.search(text[max(0, num.num_start - 2):num.num_start]):
            return False
        ok = bool(_DURATION_AFTER.match(after)) or num.qualifier is not None
        if w == "년" and not ok:
            integer = num.value == int(num.value) and "." not in text[num.num_start:num.num_end]
            ok = bool(_DURATION_BEFORE.search(before)) or (
                integer and 0 < num.value < 10 and not _YEAR_AFTER.match(after))
        return ok
    if w == "분":
        if _CLOCK_BEFORE.search(text[max(0, num.num_start - 4):num.num_start]) or after.startswith("의"):
            return False
    if (w.isascii() and w.isalpha() and num.start == num.num_start and num.end - len(w) > num.num_end
            and 1900 <= num.value <= 2100 and regex.fullmatch(r"\d{4}", text[num.num_start:num.num_end])):
        return False   # 2026 USD/KRW: a year before a currency's code, not 2,026 dollars
    if w in ("번", "부") and regex.match(r"\s*['‘\"“「『]", after):
        return False   # 국정과제 101번 '교육격차 해소…', 1부 ‘학문교류’: the number of a named item or part
    if w == "부" and num.value.is_integer() and (
            regex.match(rf"[^,.\n]{{1,30}},\s*{num.value + 1:.0f}부\s", text[num.end:num.end + 40])
            or regex.search(rf"(?<!\d){num.value - 1:.0f}부\s[^,.\n]{{1,30}},\s*$", text[max(0, num.start - 40):num.start])):
        return False   # 1부 학문교류(워크숍), 2부 문화교류: a programme's parts in a list
    if w == "호" and num.value < 100 and num.qualifier is None:
        return False   # 1호 프로젝트: an ordinal
    if w == "대" and num.value in (10, 20, 30, 40, 50, 60, 70, 80, 90) and num.qualifier is None \
            and not _TOTAL_BEFORE.search(before):
        return False   # 20대 청년, 40 대(+8 천명): an age band, unless counted (총 20대, 약 30대)
    if w in LABEL_AFTER and num.qualifier is None and (
            text[num.end:num.end + 12].lstrip().startswith(LABEL_AFTER[w])
            or w == "부" and regex.match(r"\(\s*\d+\s*(?:분|시간)", text[num.end:num.end + 8])):
        return False   # 1부에서는, 1부(20분, 공개), 520호 대회의실: a part or a room numbered, not counted
    if w == "층" and num.value < 10 and num.qualifier is None and not _TOTAL_BEFORE.search(before):
        return False   # 상가 1층에서: a floor, not a height (30층 이상, 지상 43층)
    if w == "세대" and num.value < 10 and not num.scaled and num.qualifier is None and not _TOTAL_BEFORE.search(before):
        return False   # 5세대 이동통신, 1세대 1주택: a generation or a rule's unit, not households counted
    if w == "주" and num.value < 100 and "," not in text[num.num_start:num.num_end]:
        num.unit, num.counter = "weeks", None   # 2주 휴전; 60,000주 stays a count of shares
    return True


def _bounded(doc: Document) -> str:
    """`doc.norm` with the gaps between table cells made tabs: a number in a cell never takes
    its unit, range end or qualifier from the next cell or row (`4,683 대` + `도시`, `80` + `주:`)."""
    chars = list(doc.norm)
    for t in doc.tables:
        spans = sorted(span for row in t.cells for span in row if span[1] > span[0])
        pos = t.char_start
        for a, e in spans + [(t.char_end, t.char_end)]:
            for i in range(pos, min(a, len(chars))):
                if chars[i] in " \n":
                    chars[i] = "\t"
            pos = max(pos, e)
    return "".join(chars)


def _scan_numbers(doc: Document, text: str) -> list[Q]:
    out: list[Q] = []
    urls = [u.span() for u in _URL.finditer(text)]   # %20, 50%25 inside an address are no percents
    pos = 0
    while True:
        m = _NUMBER.search(text, pos)
        if not m:
            break
        if any(a <= m.start() < b for a, b in urls):
            pos = m.end()
            continue
        num = _number_at(text, m)
        if num is None or _excluded_before(text, num.num_start, num.num_end):
            pos = m.end()
            continue
        _attach_unit(doc, text, num)
        rows = _range_or_transition(doc, text, num)
        if rows:
            out.extend(rows)
            pos = rows[-1].end
            continue
        _attach_suffix_qualifier(text, num)
        if _valid(doc, text, num) or (num.unit == "USD" and _CENTS.match(text, num.end)):   # 이불이십삼센트
            q = Q(num.start, num.end, num.value, num.unit, num.counter, num.qualifier,
                  rule="sino_number" if num.hangul else "scaled_number")
            q = _money_compound(text, q)
            out.append(q)
            pos = max(q.end, num.num_end)
        else:
            pos = num.num_end
    return out


def _next_number(doc: Document, text: str, pos: int) -> _Num | None:
    m = _NUMBER.match(text, pos)
    if not m:
        return None
    num = _number_at(text, m)
    if num is None:
        return None
    _attach_unit(doc, text, num)
    return num


def _range_or_transition(doc: Document, text: str, a: _Num) -> list[Q] | None:
    """`10~20개`, `25000원 - 30000원` (one row, value_max); `22.6→23.6%`, `70에서 50%` (two rows)."""
    sep = _RANGE_SEP.match(text, a.end)
    if sep and _range_separator(sep.group()):
        b = _next_number(doc, text, sep.end())
        descending = b and a.unit is not None and a.unit == b.unit and 0 <= b.value < a.value
        if b and b.unit and a.unit in (None, b.unit) and (b.value >= a.value or descending) and b.start == sep.end():
            lo = _carried_scale(text, a, b)
            _attach_suffix_qualifier(text, b)
            if not _valid(doc, text, b):
                return None
            qual = b.qualifier or a.qualifier
            lo, hi = min(lo, b.value), max(lo, b.value)   # 90점~80점 is the range 80..90
            if b.unit == "years" and 1900 <= lo and hi <= 2100:
                return None                                # 2026~2028년간: years, a date row (_valid)
            return [Q(a.start, b.end, lo, b.unit, b.counter, qual, value_max=hi, rule="range")]
    if a.unit is None:
        tr = _TRANSITION.match(text, a.end)
        if tr:
            head = _APOS_YEAR_HEAD.match(text, tr.end(), tr.end() + 5)   # ’21.338 → ’24.372명
            b = _next_number(doc, text, head.end() if head else tr.end())
            if b and b.unit and not b.hangul:
                _attach_suffix_qualifier(text, b)
                if _valid(doc, text, b):
                    return [Q(a.start, a.end, _carried_scale(text, a, b), b.unit, b.counter, a.qualifier, rule="transition"),
                            Q(b.start, b.end, b.value, b.unit, b.counter, b.qualifier, rule="transition")]
    return None


def _carried_scale(text: str, a: _Num, b: _Num) -> float:
    """The first number of `10~20만원` or `20→30만원` takes the scale word written after the second."""
    if a.unit is None and not a.scaled:
        return a.value * b.trailing_scale
    if a.unit is None and not any(c in N.BIG_SCALES for c in text[a.num_start:a.num_end]):
        big = _TRAILING_BIG.search(text[b.num_start:b.num_end])
        return a.value * (N.parse_number(big.group()) if big else 1.0)
    return a.value


def _range_separator(sep: str) -> bool:
    """A hyphen joins a range only spaced on both sides or on neither (`-30%` after a space is a sign)."""
    if sep.strip() not in ("-", "–"):
        return True
    return sep == sep.strip() or (sep.startswith(" ") and sep.endswith(" "))


def _money_compound(text: str, q: Q) -> Q:
    """2달러 23센트 / 이달러이십삼센트: the cents belong to the dollar amount."""
    if q.unit != "USD":
        return q
    m = _CENTS.match(text, q.end)
    if not m:
        return q
    cents = N.parse_number(m.group("num"))
    if cents is None:
        return q
    return replace(q, end=m.end(), value=q.value + cents / 100, rule="money_compound")


# -- native numerals: 세 차례, 두 배, 한 달 (Kiwi decides) -----------------------------------

def _scan_native(doc: Document, text: str, taken: "_Spans") -> list[Q]:
    out = []
    for m in _NATIVE.finditer(text):
        s, e = m.span()
        c = _NATIVE_COUNTER.match(text, e)
        if not c or not _follow_ok(text, c.end(), c.group("unit")):
            continue
        if taken.overlaps(s, c.end()):
            continue
        if not _kiwi_confirms(doc, s, e, c.start("unit")):
            continue
        one = text[s:c.end()]
        if text.startswith(" " + one, c.end()) or text.endswith(one + " ", 0, s):
            continue       # 학생 한 명 한 명의, 하나 하나: each and every one, no count
        word = m.group()
        rng = N.parse_range(word)
        value = rng[0] if rng else N.parse_number(word)
        if value is None:
            continue
        counter = c.group("unit")
        unit = UNIT_WORDS.get(counter, "count")
        if counter == "달":
            unit = "months"
        if counter == "주":
            unit = "weeks"
        if counter == "분":
            unit = "count"      # 두 분: people (native numerals never count minutes)
        q = Q(s, c.end(), value, unit, counter if unit == "count" else None, None,
              value_max=rng[1] if rng else None, rule="native_count")
        if rng:
            q.qualifier = None
        end = c.end() + (1 if unit in ("months", "weeks", "hours") and text.startswith("간", c.end()) else 0)
        num = _Num(start=s, num_start=s, num_end=e, value=value, scaled=False, hangul=True, end=end)
        pre = _PREFIX_QUAL.search(text[max(0, s - 4):s])
        if pre:
            num.qualifier = QUALIFIERS[(pre.group("q"), "prefix")]
            q.start = s - len(pre.group())
        _attach_suffix_qualifier(text, num)
        q.qualifier, q.end = num.qualifier, num.end
        out.append(q)
    return out


def _kiwi_confirms(doc: Document, s: int, e: int, counter_start: int) -> bool:
    """The words at [s, e) are numeral tokens (NR/MM) and a noun starts at the counter."""
    toks = doc.tokens_in(s, e)
    covering = [t for t in toks if t.start < e and t.end > s]
    if not covering or covering[0].start != s or covering[-1].end != e:
        return False
    if not all(t.tag in ("NR", "MM") for t in covering):
        return False
    return any(t.start == counter_start and t.tag.startswith("NN") for t in toks)


# -- tables: cells under a unit caption or header ------------------------------------------

_CAPTION = regex.compile(r"단위\s*[:：]?\s*([^)\]\n>]+)")
_PAREN_END = regex.compile(r"\(([^()]{1,20})\)\s*$")
_CELL = regex.compile(rf"^(?P<sign>{SIGN})?[ ]?(?P<num>{N.ARABIC})(?P<plus>\+)?\*?(?:[ ]?\([^()\d]{{0,3}}\d[\d,.]*[ ]?(?:%|[가-힣]{{1,3}})\))?$")   # 413,685(82.2%): a share with its unit
_YEAR = regex.compile(r"^(?:19|20)\d\d$")
_YEAR_MONTH = regex.compile(r"^(?:19|20)\d\d[ ]?[.\-/][ ]?\d{1,2}\.?$")
LABEL_HEADERS = [r[0].lower() for r in _rows("table_label_headers.txt")]
HEADER_WORDS = [(r[0], r[1]) for r in _rows("table_header_words.tsv")]
DIFFERENCE_WORDS = tuple(r[0] for r in _rows("table_difference_words.txt"))


def _core(cell: str) -> str:
    """A cell's number without the bracket after it (`413,685(82.2%)` -> 413,685), a dotted month as
    it stands, else ''."""
    m = _CELL.match(cell)
    if m:
        return cell[:m.end("plus" if m.group("plus") else "num")]
    return cell if _YEAR_MONTH.match(cell) else ""


def unit_spec(spec: str) -> tuple[float, str, str | None] | None:
    """`억원` -> (1e8, KRW, None); `백만 원` -> (1e6, KRW, None); `개` -> (1, count, 개); `%` -> (1, percent, None)."""
    s = "".join(spec.split())
    for word in sorted(UNIT_WORDS, key=len, reverse=True):
        w = "".join(word.split())
        if s.endswith(w):
            head = s[: -len(w)]
            scale = 1.0 if not head else N.parse_number(head)
            if scale is None or (head and not all(c in _SCALE_CHARS for c in head)
                                 and not regex.fullmatch(r"10*[십백천만억조]*", head)):
                continue   # 천명, 1000원, 10억원: a scale; 28개, 192개교 are counts, never a table's unit
            code = UNIT_WORDS[word]
            if code in ("years", "days") :
                continue
            return scale, code, word if code == "count" else None
    return None


def _units_in(text: str) -> list[tuple[float, str, str | None]]:
    m = _CAPTION.search(text)
    parts = []
    if m:
        parts = regex.split(r"[,，/·]", m.group(1))
    else:
        p = _PAREN_END.search(text)
        if p and len(text.strip()) <= 40:
            parts = regex.split(r"[,，/·]", p.group(1))
    return [u for u in (unit_spec(x) for x in parts if x.strip()) if u]


def _caption_units(doc: Document, t, prev_end: int) -> list:
    before = doc.text[prev_end:t.char_start]
    lines = [ln for ln in before.split("\n") if ln.strip()][-3:]
    for ln in reversed(lines):
        units = _units_in(ln)
        if units:
            return units
    return []


def _measure(heads: list[str]) -> str | None:
    """What a column's header cells (top to bottom) say it measures (table_header_words.tsv): a change
    (`증감` lowest: "difference" under a rate or nothing, else the measure above it), a rate word
    anywhere (`증감률` over the `취득자수` below it), then a ratio word (`구인배수`), else the word
    that ends the lowest cell ending in one (`과제 수`, `지급건수당 지급액`; not the `수` of `수출`)."""
    if _difference(heads):          # a change column: of a rate (or of nothing said) in %p, else in its unit
        base = _measure(heads[:-1])
        return "difference" if base in (None, "percent") else base
    whole = " ".join(heads)
    for kind in ("percent", "ratio"):
        if any(what == kind and w in whole for w, what in HEADER_WORDS):
            return kind
    for cell in reversed(heads):
        cell = regex.sub(r"\s*\([^()]*\)\s*$", "", cell)
        ends = [(len(w), what) for w, what in HEADER_WORDS if cell.endswith(w)]
        if ends:
            return max(ends)[1]
    return None


def _difference(heads: list[str]) -> bool:
    """The lowest header cell names a change (`증감`, `차이`, `전년대비`), not a rate (`증감률`):
    under a rate it is in percentage points."""
    cell = regex.sub(r"\s*\([^()]*\)\s*$", "", heads[-1]) if heads else ""
    return cell.replace(" ", "").endswith(DIFFERENCE_WORDS)


def _own_units(heads: list[str]) -> list:
    """Units a column's own header cells print (`‘26.3월 (천명)`, `증감(천명)` over its months)."""
    for cell in reversed(heads):
        if _PAREN_END.search(cell):
            units = _units_in(cell)
            if units:
                return units
    return []


def _column_heads(headers: list[list[tuple[str, int]]], ncols: int) -> list[list[str]]:
    """Each column's header cells, top to bottom. A row with one text only is the table's title,
    not a column's; an empty cell under a group header (merged across its sub-headers) takes it."""
    rows = [[c for c, _ in row] + [""] * (ncols - len(row)) for row in headers]
    rows = [r for r in rows if ncols <= 2 or sum(1 for c in r if c) > 1]
    heads = [[] for _ in range(ncols)]
    for i, r in enumerate(rows):
        last = ""
        for j, c in enumerate(r):
            if c:
                last = c
            elif last and any(b[j] for b in rows[i + 1:]):
                c = last
            if c and "단위" not in c:
                heads[j].append(c)
    return heads


def _fits(what: str, unit) -> bool:
    if what == "currency":
        return unit[1] in CURRENCY_CODES
    if what.startswith("count:"):
        return unit[1] == "count" and unit[2] == what[6:]
    return unit[1] == what


def _column_units(heads: list[list[str]], data_cols: list[int], table_units: list) -> dict[int, tuple]:
    """The unit of each data column: its own header's `(천명)`, else the caption's units matched to
    what the header measures, else (several units, no header saying which) the units in listed order."""
    out, pending = {}, {}
    for j in data_cols:
        own = _own_units(heads[j])
        if own:
            out[j] = own[0]
            continue
        what = _measure(heads[j])
        if what == "ratio" or not table_units:
            continue
        # a column that names no measure takes the caption's plain unit: not %, and %p only for a change
        plain = ([u for u in table_units if u[1] not in ("percent", "percent_point")]
                 or [u for u in table_units if u[1] == "percent"] or table_units)
        if what == "difference":
            fit = [u for u in table_units if u[1] == "percent_point"] or plain
        elif what:
            fit = [u for u in table_units if _fits(what, u)]
        else:
            fit = plain
        if len(fit) == 1:
            out[j] = fit[0]
        elif fit:
            pending.setdefault(tuple(fit), []).append(j)
    for fit, cols in pending.items():
        if len(fit) == len(cols):
            out.update(zip(cols, fit))
    if not out and len(table_units) > 1 and len(table_units) == len(data_cols) and not any(map(_measure, heads)):
        out = dict(zip(data_cols, table_units))
    return out


def _label_column(cells: list[str], heads: list[str]) -> bool:
    """Row numbers (`연번`, a column counting 1, 2, 3) and time labels (2019, `2021. 3`, months 1-12)."""
    h = "".join("".join(heads).split()).lower()
    if any(w == h or (len(w) > 1 and w in h) for w in LABEL_HEADERS):
        return True
    nums = [c for c in cells if c]
    if len(nums) > 1 and [c.isdigit() and int(c) for c in nums] == list(range(1, len(nums) + 1)):
        return True
    stamps = [c for c in nums if _YEAR.match(c) or _YEAR_MONTH.match(c)]
    return bool(stamps) and all(c in stamps or (c.isdigit() and 1 <= int(c) <= 12) for c in nums)


def _row_unit(row: list[tuple[str, int]], table_units: list) -> tuple | str | None:
    """A row label that names its own measure overrides the columns: `증감률(%)` or `비중` rows are
    percents (none where the caption has no `%`), a `구인배수` row has no unit (`()`), a `증감` row
    is a change ("difference": its rate columns' cells are %p where the caption lists %p)."""
    label = row[0][0] if row and not _CELL.match(row[0][0]) else ""
    own = _own_units([label]) if label else []
    if own:
        return own[0]
    what = _measure([label]) if label else None
    if what == "ratio":
        return ()
    if what == "percent":
        return next((u for u in table_units if u[1] == "percent"), ())
    if what and what.startswith("count:") and (fit := [u for u in table_units if _fits(what, u)]):
        return fit[0]                 # (단위: 교, 명) over a `학교 수` row and a `학생 수` row
    if label and _difference([label]):
        return "difference"
    return None


def _scan_tables(doc: Document, taken: "_Spans") -> list[Q]:
    text, out = doc.norm, []
    prev_end = 0
    for t in doc.tables:
        table_units = _caption_units(doc, t, prev_end)
        prev_end = t.char_end
        grid = [[(text[a:e].strip(), a + len(text[a:e]) - len(text[a:e].lstrip())) for a, e in row] for row in t.cells]
        # header rows: before the first row with a numeric cell that is not a year
        first_data = next((i for i, row in enumerate(grid)
                           if any(_CELL.match(c) and not _YEAR.match(_core(c)) for c, _ in row)), len(grid))
        headers, body = grid[:first_data], grid[first_data:]
        # a caption printed inside the table's first rows (HWPX: a row `\t\t\t\t(단위: 억원)`)
        inner = [u for row in headers for c, _ in row if "단위" in c for u in _units_in(c)]
        table_units = inner or table_units
        if headers and headers[0] and _PAREN_END.search(headers[0][0][0]):
            table_units = _units_in(headers[0][0][0]) or table_units
        ncols = max((len(r) for r in grid), default=0)
        heads = _column_heads(headers, ncols)
        columns = [[_core(row[j][0]) if j < len(row) else "" for row in body] for j in range(ncols)]
        data_cols = [j for j in range(ncols) if any(columns[j]) and not _label_column(columns[j], heads[j])]
        units = _column_units(heads, data_cols, table_units)
        row_units = [_row_unit(row, table_units) for row in body]
        if (not units and len(table_units) > 1 and len(body) == len(table_units) and not any(row_units)
                and all(row and row[0][0] and not _CELL.match(row[0][0]) for row in body)):
            row_units = table_units      # (단위: 개, 교, 명) over rows 국가, 학교, 학생: the units in listed order
        for row, row_unit in zip(body, row_units):
            for j, (cell, cs) in enumerate(row):
                m = _CELL.match(cell)
                if not m or not (j in units or isinstance(row_unit, tuple) and j in data_cols) or row_unit == () \
                        or _CODE.fullmatch(cell):
                    continue
                ce = cs + len(_core(cell))   # a bracket's share after the number has its own unit
                if taken.overlaps(cs, ce):
                    continue
                unit = units.get(j) if row_unit in (None, "difference") else row_unit
                if row_unit == "difference" and unit[1] == "percent":   # the change of a rate: %p
                    unit = next((u for u in table_units if u[1] == "percent_point"), unit)
                if unit[1] == "count" and unit[0] == 1 and "." in m.group("num"):
                    continue   # 명, 개 count whole things: `1.2` under `358,499` is an unlabelled share row
                value = N.parse_number(m.group("num")) * unit[0]
                if m.group("sign") and m.group("sign") in NEGATIVE:
                    value = -value
                qual = QUALIFIERS[("+", "mark")] if m.group("plus") else None
                own = _own_units(heads[j])
                out.append(Q(cs, ce, value, unit[1], unit[2], qual,
                             rule="table_header_unit" if own else "table_caption_unit"))
    return out


class _Spans:
    """The spans of rows already found: does [s, e) overlap one? (a bisect, not a scan per cell)"""

    def __init__(self, rows: list[Q]):
        spans = sorted((q.start, q.end) for q in rows)
        self.starts = [a for a, _ in spans]
        self.reach = list(itertools.accumulate((b for _, b in spans), max))   # furthest end so far

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect.bisect_left(self.starts, e)      # the spans that start before e
        return i > 0 and self.reach[i - 1] > s


# -- entry points ----------------------------------------------------------------------------

_LABEL_UNIT = regex.compile(r"(?<=[가-힣])\((?P<unit>[^()\n]{1,6})\)[ ]?[:：][ ]?")
_BARE = regex.compile(rf"(?<![\d.,'’‘(\-])(?P<sign>{SIGN})?(?P<num>{N.ARABIC})(?!\d|[.,]\d|[ ]?[%가-힣A-Za-z)~∼])")   # not 1~11월


def _scan_labelled(doc: Document, text: str, rows: list[Q]) -> list[Q]:
    """`부족률(%): 반도체 1.6, 전자 2.6`, `인력(명): 3.9만(수도권), 3.6천(강원)`: a unit in brackets
    before a colon is the unit of the bare numbers in the rest of its line."""
    out = []
    labels = list(_LABEL_UNIT.finditer(text))
    taken = _Spans(rows) if labels else None
    for k, lab in enumerate(labels):
        unit = unit_spec(lab.group("unit"))
        if unit is None or any(t.char_start <= lab.start() < t.char_end for t in doc.tables):
            continue
        end = text.find("\n", lab.end())
        end = len(text) if end < 0 else end
        if k + 1 < len(labels):
            end = min(end, labels[k + 1].start())     # the next label on the line takes over
        for q in rows:
            if lab.end() <= q.start < end and q.unit is None:
                q.value, q.unit, q.counter, q.rule = q.value * unit[0], unit[1], unit[2], "label_unit"
        for m in _BARE.finditer(text, lab.end(), end):
            s, e = m.span()
            if taken.overlaps(s, e):
                continue
            value = N.parse_number(m.group("num")) * unit[0]
            negative = bool(m.group("sign")) and m.group("sign") in NEGATIVE
            out.append(Q(s, e, -value if negative else value, unit[1], unit[2], rule="label_unit"))
    return out


def _find(doc: Document) -> list[Q]:
    text = _bounded(doc)
    rows = _scan_numbers(doc, text)
    rows += _scan_native(doc, text, _Spans(rows))
    rows += _scan_tables(doc, _Spans(rows))
    rows += _scan_labelled(doc, text, rows)
    rows.sort(key=lambda q: (q.start, q.end))
    return rows


def extract(doc: Document) -> list[dict]:
    return [{
        "text": doc.text[q.start:q.end],
        "value": N.tidy(q.value),
        "value_max": None if q.value_max is None else N.tidy(q.value_max),
        "unit": q.unit,
        "counter": q.counter,
        "qualifier": q.qualifier,
        "char_start": q.start,
        "char_end": q.end,
        "sentence": doc.sentences.at(q.start),
        "rule": q.rule,
    } for q in _find(doc) if math.isfinite(q.value) and (q.value_max is None or math.isfinite(q.value_max))]


def extract_text(text: str) -> list[dict]:
    """Quantities of a loose string (one line of `bodo extract --lines`)."""
    return extract(Document.from_text(text))


def debug(text: str) -> None:
    """Print which rule matched which span."""
    for q in _find(Document.from_text(text)):
        print(f"{q.rule:<20} {text[q.start:q.end]!r:<28} {q.value:g} {q.value_max} {q.unit} {q.counter} {q.qualifier}")
