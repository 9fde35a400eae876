"""Korean numbers: the value of a whole numeric expression, in any of the ways releases write it.

Arabic digits (with thousands commas, decimals, full-width forms), Sino-Korean numerals with
scale words, native numerals, and the mixtures press releases use (`1조 6,903억`, `15백만`),
with signs (`+`, `-`, `△`/`▲`/`▽` of budget tables, `마이너스`). The words are data
(`extractors/data/numbers.json`); the grammar is one positional parser.

>>> parse_number("1조 6,903억")
1690300000000.0
>>> parse_number("마흔일곱"), parse_number("일점오억"), parse_number("△2,471.5")
(47.0, 150000000.0, -2471.5)
>>> parse_number("세계") is None
True
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import regex

DATA = json.loads((Path(__file__).parent / "data" / "numbers.json").read_text(encoding="utf-8"))

SINO_DIGITS: dict[str, int] = DATA["sino_digits"]
SMALL_SCALES: dict[str, int] = DATA["small_scales"]
BIG_SCALES: dict[str, int] = DATA["big_scales"]
NATIVE_UNITS: dict[str, int] = DATA["native_units"]
NATIVE_TENS: dict[str, int] = DATA["native_tens"]
NATIVE_RANGES: dict[str, list[int]] = DATA["native_ranges"]
MINUS_SIGNS = "".join(DATA["minus_signs"])
PLUS_SIGNS = "".join(DATA["plus_signs"])


def _alt(words) -> str:
    """A regex alternation, longest first so that `스물` wins over `스`."""
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


# Named fragments, reused by extractors/quantities.py.
# Bounded and anchored at a digit run's start: no real amount has more than 24 digits or eight
# scale groups, and an unbounded run would make every search over a long run of digits quadratic.
ARABIC = r"(?<!\d)(?:\d{1,3}(?:,\d{3}){1,8}|\d{1,24})(?:\.\d{1,12})?"
SMALL = "[" + "".join(SMALL_SCALES) + "]"
BIG = "[" + "".join(BIG_SCALES) + "]"
SINO_DIGIT = "[" + "".join(SINO_DIGITS) + "]"
POINT = "[" + "".join(DATA["decimal_points"]) + "]"


def arabic_number(follow: str = r"(?![가-힣])", space: str = "[ ]") -> str:
    """Digits with scale words: `4천`, `15백만`, `7천억`, `360.5억`, `1조 6,903억`, `2억 4천 4백만`.

    Groups follow each other after a scale word, with a `space` only before a group that ends in
    one. A scale word may also stand one space after its digits (`2,000 만 원`, as the portal's
    text prints it) where `follow` holds after it, so that `10 만족도` keeps its `만` a word.
    `space` may admit a line break too (`22조` / `3,750억 원` wrapped in a PDF). Scale words
    may stand apart (`3 천 만 원`) and Hangul digits may follow Arabic ones (`5천오백만`), and the
    units under a 만 may follow it spaced (`63만 4,904명`).
    """
    scale = rf"(?:{SMALL}(?:{BIG}|[ ]{BIG}(?:{follow}))?|{BIG})"
    group = rf"(?:{ARABIC})(?:{scale}|{space}{scale}(?:{follow}))?"
    spaced = rf"(?:{ARABIC})[ ]?{scale}"
    sino = rf"(?:{SINO_DIGIT}?{SMALL})+{BIG}?|{SINO_DIGIT}{BIG}"
    # the units under 만 after it, spaced (`63만 4,904명`): four digits at most, and a plain four only
    # with its comma, so that `63만 2026년` stays two numbers
    rest = rf"(?:(?<=만)[ ](?:\d,\d{{3}}|\d{{1,3}})(?![\d,.]|[ ]?{SMALL}|[ ]?{BIG}))?"
    return rf"(?:{group})(?:(?<={SMALL}|{BIG})(?:(?:{ARABIC}){scale}?|{space}{spaced}|{sino})){{0,8}}{rest}"


ARABIC_GROUP = rf"(?:{ARABIC})(?:{SMALL}{BIG}?|{BIG})?"
ARABIC_NUMBER = arabic_number()
SINO_NUMBER = (rf"(?:{SINO_DIGIT}|{SMALL}|{BIG}){{1,24}}(?:(?<={BIG})[ ](?:{SINO_DIGIT}|{SMALL}|{BIG}){{0,24}}(?:{SMALL}|{BIG})){{0,8}}"
               rf"(?:{POINT}{SINO_DIGIT}+{BIG}?)?")
NATIVE_UNIT = _alt(NATIVE_UNITS)
NATIVE_TEN = _alt(NATIVE_TENS)
NATIVE_NUMBER = rf"(?:{_alt(NATIVE_RANGES)}|(?:{NATIVE_TEN})(?:{NATIVE_UNIT})?|(?:{NATIVE_UNIT}))"
MINUS_WORD = _alt(DATA["minus_words"])

_TOKEN = regex.compile(rf"({ARABIC})|({SINO_DIGIT})|({SMALL})|({BIG})|\s+")
_NATIVE_FULL = regex.compile(rf"(?P<ten>{NATIVE_TEN})?(?P<unit>{NATIVE_UNIT})?")
_SIGN = regex.compile(rf"^\s*(?:(?P<minus>{MINUS_WORD}|[{regex.escape(MINUS_SIGNS)}])|(?P<plus>[{regex.escape(PLUS_SIGNS)}]))\s*")
_FRACTION_SLASH = regex.compile(rf"^({ARABIC})\s*/\s*({ARABIC})$")
_FRACTION_WORD = regex.compile(rf"^(.+?)\s*{regex.escape(DATA['fraction_of'])}\s*(.+)$")
_DECIMAL_WORD = regex.compile(rf"^(.*?){POINT}({SINO_DIGIT}+)({BIG}*)$")

# Full-width digits, signs and punctuation (U+FF01..FF5E) map one-to-one onto ASCII.
FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def normalise(text: str) -> str:
    """Same-length normalisation: full-width ASCII to ASCII, so offsets do not move."""
    return text.translate(FULLWIDTH)


def parse_number(text: str) -> float | None:
    """The value of `text` when the whole of it is one numeric expression, else None."""
    if text is None:
        return None
    value = _parse(normalise(text).strip())
    return None if value is None else tidy(value)


def tidy(value: float) -> float:
    """A product of a decimal and a scale without binary noise: 41.2억 is 4120000000, not …0.0000005."""
    return float(f"{value:.15g}")


@lru_cache(maxsize=4096)
def _parse(s: str) -> float | None:
    if not s:
        return None
    sign = 1.0
    m = _SIGN.match(s)
    if m and m.end() < len(s):
        sign = -1.0 if m.group("minus") else 1.0
        s = s[m.end():]
    value = _unsigned(s)
    return None if value is None else sign * value


def _unsigned(s: str) -> float | None:
    m = _FRACTION_SLASH.match(s)
    if m:
        num, den = _plain(m.group(1)), _plain(m.group(2))
        return num / den if den else None
    m = _FRACTION_WORD.match(s)
    if m:  # 사분의삼: the denominator comes first
        den, num = _unsigned(m.group(1)), _unsigned(m.group(2))
        return num / den if den and num is not None else None
    value = _scaled(s)
    if value is not None:
        return value
    m = _DECIMAL_WORD.match(s)
    if m:  # 일점이삼, 일점오억: digits after 점 are read one by one; a scale word after them scales all
        whole = _scaled(m.group(1)) if m.group(1) else 0.0
        if whole is None:
            return None
        frac = float("0." + "".join(str(SINO_DIGITS[c]) for c in m.group(2)))
        scale = 1.0
        for c in m.group(3):
            scale *= BIG_SCALES[c]
        return (whole + frac) * scale
    return _native(s)


def _plain(s: str) -> float:
    return float(s.replace(",", ""))


def _scaled(s: str) -> float | None:
    """Positional Sino-Korean / Arabic-with-scale parse: 이천칠백삼십오만, 2억 4천 4백만, 1조 6,903억."""
    total = 0.0
    group = 0.0
    cur: float | None = None
    last_small = 10 ** 5
    last_big = 10 ** 20
    pos = 0
    prev = None  # kind of the previous token: 'num', 'small', 'big', 'space'
    seen = False
    for m in _TOKEN.finditer(s):
        if m.start() != pos:
            return None
        pos = m.end()
        if m.group(1) or m.group(2):
            if cur is not None or prev in ("num", "space_after_num"):
                return None
            if prev == "space" and not seen:
                return None
            cur = _plain(m.group(1)) if m.group(1) else float(SINO_DIGITS[m.group(2)])
            prev = "num"
        elif m.group(3):
            k = SMALL_SCALES[m.group(3)]
            if k >= last_small:
                return None
            group += (1.0 if cur is None else cur) * k
            cur, last_small, prev = None, k, "small"
        elif m.group(4):
            k = BIG_SCALES[m.group(4)]
            if k >= last_big:
                return None
            group += cur or 0.0
            total += (group or 1.0) * k
            group, cur, last_small, last_big, prev = 0.0, None, 10 ** 5, k, "big"
        else:
            # whitespace only after a scale word, or between digits and their scale word
            if prev not in ("small", "big", "num"):
                return None
            prev = "space_after_num" if prev == "num" else "space"
            continue
        seen = True
    if pos != len(s) or not seen or prev in ("space", "space_after_num"):
        return None
    return total + group + (cur or 0.0)


def _native(s: str) -> float | None:
    """Native numerals: 스물, 마흔일곱, 열한, 한; Sino tens with a native unit (십하나) too."""
    m = _NATIVE_FULL.fullmatch(s)
    if m and (m.group("ten") or m.group("unit")):
        return float(NATIVE_TENS.get(m.group("ten") or "", 0) + NATIVE_UNITS.get(m.group("unit") or "", 0))
    for unit, v in NATIVE_UNITS.items():
        if len(s) > len(unit) and s.endswith(unit):
            head = _scaled(s[: -len(unit)])
            if head is not None and head % 10 == 0:
                return head + v
    return None


def parse_range(text: str) -> tuple[float, float] | None:
    """Native approximate ranges: 두세 -> (2, 3), 서너 -> (3, 4)."""
    r = NATIVE_RANGES.get(text.strip())
    return (float(r[0]), float(r[1])) if r else None

