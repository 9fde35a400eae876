"""Calendar expressions of a release -> rows of the `dates` table (contract v1).

Each expression becomes the days it covers (start, end), its granularity and whether it
was resolved against the release's own date `ref` (never the clock). A range is one row.
The Korean words live in `extractors/data/` (relative_words.tsv, dates_*.txt/tsv; lunar holidays
as a table of solar dates per year). `RULES` names every pattern; a row's `rule` is that name, and
`debug(text)` prints which rule matched which span.

>>> [(r["text"], str(r["start"]), str(r["end"]), r["granularity"])
...  for r in extract(Document.from_text("작년 6월부터 10월까지 협상"), date(2026, 5, 28))]
[('작년 6월부터 10월까지', '2025-06-01', '2025-10-31', 'month')]
>>> parse_date("'26.3", None)["end"]
datetime.date(2026, 3, 31)
>>> extract(Document.from_text("4월 10일(목) 의결"), date(2026, 4, 11))[0]["warning"]
'weekday 목 does not match 2026-04-10 (금)'
"""
from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from bodopress.extractors.document import Document, fold
from bodopress.extractors.rules import Rule, run

DATA = Path(__file__).parent / "data"
WEEKDAYS = "월화수목금토일"   # date.weekday() order


def _lines(name: str) -> list[list[str]]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(line.split("\t"))
    return out


def _alt(words) -> str:
    """Longest first, a space in a word meaning an optional space."""
    return "|".join(re.escape(w).replace(r"\ ", "[ \t]?") for w in sorted(set(words), key=len, reverse=True))


RELATIVE = {w: (unit, int(off)) for w, unit, off in _lines("relative_words.tsv")}
RELATIVE_KEY = {w.replace(" ", ""): v for w, v in RELATIVE.items()}
DIRECTION = {w: d for w, d in _lines("relative_direction.tsv")}
HOLIDAYS = {name: (int(m), int(d)) for name, m, d in _lines("dates_holidays.tsv")}
LUNAR: dict[str, list[date]] = {}
for _name, _y, _m, _d in _lines("dates_lunar_holidays.tsv"):
    LUNAR.setdefault(_name, []).append(date(int(_y), int(_m), int(_d)))
HOLIDAY_NAMES = _alt(list(HOLIDAYS) + list(LUNAR))
NUMERALS = {w: (int(v), kind) for w, v, kind in _lines("dates_numerals.tsv")}
COLUMN_WORDS = [l[0] for l in _lines("dates_column_headers.txt")]
_ctx = _lines("dates_duration_context.tsv")


def _side(name: str) -> tuple[str, ...]:
    return tuple(sorted((w for side, w in _ctx if side == name), key=len, reverse=True))


AFTER_DURATION, AFTER_ATTACHED, AFTER_DAY = _side("after"), _side("after_attached"), _side("after_day")
BEFORE_DURATION = {w for side, w in _ctx if side == "before"}
BEFORE_YEARS = BEFORE_DURATION | {w for side, w in _ctx if side == "before_year"}
YEAR_PARTICLES = {l[0] for l in _lines("dates_year_particles.txt")}
FRACTION_WORDS = _alt(l[0] for l in _lines("dates_slash_fraction_words.txt"))
_context = _lines("dates_context_words.tsv")
UNIT_WORDS, DAY_FOLLOW, PARTICLES, RECURRING = (
    tuple(w for k, w in _context if k == kind) for kind in ("unit", "day_follow", "particle", "recurring"))

# -- named fragments ----------------------------------------------------------------------
S = r"[ \t]?"                      # an optional space (text exports space units apart: 2026 년)
SS = r"[ \t]*"
BR = r"[ ]*(?:\n|<br>)?[ ]*"      # a hard-wrapped line may split a date (4월 / 10일, ’25년<br>4 분기); a tab ends a cell
Y4 = r"(?:19|20)\d{2}"
YEAR_WORD = r"(?:학년도|회계연도|년도?)"       # 2027학년도 (a school year), 2026회계연도 (a fiscal year)
YEAR_WORD_AT = re.compile(rf"^{S}{YEAR_WORD}")
MM = r"(?:1[0-2]|0?[1-9])"
DD = r"(?:3[01]|[12]\d|0?[1-9])"
WDC = f"[{WEEKDAYS}]"
SINO = "[일이삼사오육칠팔구십백천]+"
NATIVE = _alt(w for w, (_, k) in NUMERALS.items() if k == "native")


def wd(p: str) -> str:
    """A weekday check after a day: (금), ( 금 ), 금요일, or 월) as in (4.13.월)."""
    return rf"(?:{BR}\({SS}(?P<{p}wd>{WDC}){SS}\)|{S}(?P<{p}wd2>{WDC})요일|(?P<{p}wd3>{WDC})(?=\)))"


TIME = (rf"(?:,?{SS}(?P<ampm>오전|오후|낮)?{SS}(?:(?P<hh>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)(?:{SS}[~-]{SS}\d{{1,2}}:\d{{2}})?"
        rf"|(?P<hh2>[01]?\d|2[0-3])시(?!간)(?:{S}(?P<mi2>[0-5]?\d)분|(?P<half>반))?))")
REL_YEARS = "|".join(                # 지 / 난해: a line may break inside the word
    r"(?:[ \t]*\n[ \t]*)?".join(re.escape(ch).replace(r"\ ", "[ \t]?") for ch in w)
    for w in sorted((w for w, (u, _) in RELATIVE.items() if u == "year"), key=len, reverse=True))
REL_OTHER = _alt(w for w, (u, _) in RELATIVE.items() if u != "year")
# 초, 말, 경 … end a date only as a word of their own or before a particle: not in `29일 경북`,
# `4월 말레이시아`, `10일 초등학교`, `올해 초1~6` (elementary grades 1 to 6)
EDGE_END = rf"(?=[^가-힣\d]|$|{_alt(l[0] for l in _lines('dates_edge_particles.txt'))})"
SUB = (rf"(?:[ ]?(?P<sub>[상하](?:[ \t]*\n[ \t]*)?반기|(?P<q>[1-4])(?:/4)?{S}분기|초순|상순|중순|하순|(?:초|말|경|께|쯤){EDGE_END}"
       rf"|중(?![가-힣])))")


@dataclass
class Atom:
    s: int
    e: int
    y: int | None = None
    m: int | None = None
    d: int | None = None
    sub: str | None = None        # h1, h2, q1..q4
    y_own: bool = False           # the year is written (or given by a relative year word)
    m_own: bool = False
    relative: bool = False
    wd: int | None = None
    time: str | None = None
    span: tuple | None = None     # (start, end, granularity) for weeks, multi-year spans ...
    warning: str | None = None
    near: date | None = None      # the release date, where a weekday may pick an implied year
    rule: str = ""                # the RULES name that found it (set by candidates)


@dataclass
class Ctx:
    text: str                     # folded doc.text
    ref: date | None
    table_spans: list


# -- small calendar helpers -----------------------------------------------------------------
def month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def two_digit_year(yy: int, ref: date | None) -> int:
    """'25 is 2025; only a year far past the release ('99 in 2026) is 19xx."""
    return 2000 + yy if 2000 + yy <= (ref.year if ref else 2026) + 30 else 1900 + yy


def written_year(g: dict, ref: date | None) -> int | None:
    """The year a match wrote: four digits (group Y), or two after an apostrophe (A) or bare (YY)."""
    if g.get("Y"):
        return int(g["Y"])
    yy = g.get("A") or g.get("YY")
    return two_digit_year(int(yy), ref) if yy else None


def korean_number(word: str) -> int | None:
    """이천십오 -> 2015, 삼 -> 3, 두 -> 2 (the spelled-out numbers dates use)."""
    if word in NUMERALS and NUMERALS[word][1] == "native":
        return NUMERALS[word][0]
    if word.isdigit():
        return int(word)
    total, digit = 0, None
    for ch in word:
        v, kind = NUMERALS.get(ch, (None, None))
        if kind == "digit":
            if digit is not None:
                return None
            digit = v
        elif kind == "scale":
            total += (digit or 1) * v
            digit = None
        else:
            return None
    return total + (digit or 0) or None


def before_word(text: str, s: int) -> str:
    """The word in front of offset s on the same line (attached or one space away)."""
    m = re.search(r"([가-힣]+)[ \t]?$", text[max(0, s - 12):s])
    return m.group(1) if m else ""


def after_text(text: str, e: int) -> str:
    return text[e:e + 8].lstrip(" \t")


def resolve(a: Atom):
    """(start, end, granularity, warning) of an atom, or None where the date is impossible."""
    if a.span:
        return (*a.span, None)
    try:
        if a.d is not None:
            day = date(a.y, a.m, a.d)
            warning = None
            if a.wd is not None and day.weekday() != a.wd:
                if not a.y_own and a.near:           # the year was implied: the weekday may pick it
                    for y in (a.y - 1, a.y + 1):
                        try:
                            alt = date(y, a.m, a.d)
                        except ValueError:
                            continue
                        if alt.weekday() == a.wd and abs((alt - a.near).days) <= 183:
                            day = alt
                            break
                if day.weekday() != a.wd:
                    warning = f"weekday {WEEKDAYS[a.wd]} does not match {day.isoformat()} ({WEEKDAYS[day.weekday()]})"
            return day, day, "day", warning
        if a.m is not None:
            return date(a.y, a.m, 1), month_end(a.y, a.m), "month", None
        if a.sub in ("h1", "h2"):
            m0 = 1 if a.sub == "h1" else 7
            return date(a.y, m0, 1), month_end(a.y, m0 + 5), "half", None
        if a.sub and a.sub.startswith("q"):
            m0 = 3 * int(a.sub[1]) - 2
            return date(a.y, m0, 1), month_end(a.y, m0 + 2), "quarter", None
        if a.y is not None:
            return date(a.y, 1, 1), date(a.y, 12, 31), "year", None
    except (ValueError, TypeError):
        return None
    return None


def clock(m: re.Match) -> str | None:
    g = m.groupdict()
    if g.get("hh") is not None:
        h, mi = int(g["hh"]), int(g["mi"])
    elif g.get("hh2") is not None:
        h, mi = int(g["hh2"]), 30 if g.get("half") else int(g.get("mi2") or 0)
    else:
        return None
    if g.get("ampm") == "오후" and h < 12:
        h += 12
    return f"{h:02d}:{mi:02d}"


def weekday_of(m: re.Match, p: str = "") -> int | None:
    for k in ("wd", "wd2", "wd3"):
        v = m.groupdict().get(p + k)
        if v:
            return WEEKDAYS.index(v)
    return None


def sub_of(m: re.Match) -> str | None:
    sub = m.group("sub")
    if not sub:
        return None
    sub = re.sub(r"\s", "", sub)    # 하⏎반기: a wrapped line
    if sub == "상반기":
        return "h1"
    if sub == "하반기":
        return "h2"
    if m.group("q"):
        return "q" + m.group("q")
    return "edge"                 # 초, 말, 경, 중 ... keep the granularity (contract)


def unit_follows(text: str, e: int) -> bool:
    return after_text(text, e).startswith(UNIT_WORDS)


def duration_follows(text: str, e: int, day: bool = False) -> bool:
    """N일간, 3일 연속, 30일여 (attached only: 30일 여론조사 is a date), and for a bare day 1일 최대 (a rate)."""
    spaced = after_text(text, e)
    return spaced.startswith(AFTER_DURATION) or text[e:].startswith(AFTER_ATTACHED) or (day and spaced.startswith(AFTER_DAY))


# -- rules: name, pattern, builder(match, ctx) -> Atom | None ------------------------------------
KO = re.compile(
    rf"(?=[\d'{''.join(sorted({w[0] for w in RELATIVE}))}올상하])"
    rf"(?:(?:(?P<Y>{Y4}|(?<![\d.,])1[0-8]\d\d){S}{YEAR_WORD}(?![가-힣]?\d)|'{S}(?P<A>\d{{2}}){S}{YEAR_WORD}|(?<![\d.,'])(?P<YY>\d{{2}}){S}{YEAR_WORD}"
    rf"|(?P<R>{REL_YEARS})|(?P<OL>올)(?={S}(?:상반기|하반기|[1-4]{S}분기|\d{{1,2}}{S}월)))(?P<ysep>(?:의(?={S}{MM}{S}월))?{BR}))?"   # 다음 연도의 2월
    rf"(?:(?<![\d.,])(?P<M>{MM})(?:{S}|[ \t]*\n[ \t]*(?=월{S}\d{{1,2}}{S}일))월(?P<msep>{BR}))?"   # 5⏎월 18일: a wrapped line
    rf"(?:(?<![\d.,])(?P<D>{DD})(?:{S}일|(?P<bare>(?=\({WDC}\))))(?:{wd('')})?{TIME}?)?"
    rf"{SUB}?")


def build_ko(m: re.Match, c: Ctx) -> Atom | None:
    g = m.groupdict()
    if not any(g[k] for k in ("Y", "A", "YY", "R", "OL", "M", "D", "sub")):
        return None
    s, e = m.start(), m.end()
    # trailing separators belong to nothing
    while e > s and c.text[e - 1] in " \t\n":
        e -= 1
    a = Atom(s, e, wd=weekday_of(m), time=clock(m) if g["D"] else None, near=c.ref)
    sub = sub_of(m)
    if sub and sub != "edge":
        a.sub = sub
    if g["sub"] and not any(g[k] for k in ("Y", "A", "YY", "R", "OL", "M", "D")) and sub == "edge":
        return None                                   # a lone 초/말/중 is not a date
    if g["Y"] or g["A"] or g["YY"]:
        a.y, a.y_own = written_year(g, c.ref), True
        if g["YY"] or a.y < 1900:
            last = not (g["M"] or g["D"] or g["sub"])
            # without an apostrophe only a year near the release reads as one (25년 in 2026; 20년 저장 is a span)
            lo, hi = ((c.ref.year - 5, c.ref.year + 5) if c.ref else (2020, 2035))
            if g["YY"] and not lo <= a.y <= hi or g["Y"] and a.y % 100 == 0:
                return None                           # 1500년 (of history) is a span, 1893년 a year
            if last:
                end = m.end("YY") if g["YY"] else m.end("Y")
                nxt = YEAR_WORD_AT.sub("", c.text[end:end + 12], count=1)
                if duration_follows(nxt, 0) or nxt[:1] in YEAR_PARTICLES:
                    return None                       # 25년간, 30년의 역사, 10년물, 1200년 동안
                if before_word(c.text, m.start()) in BEFORE_YEARS:
                    return None
    elif g["R"] or g["OL"]:
        if c.ref is None or re.search(r"\d[ ]?$", c.text[max(0, m.start() - 2):m.start()]):
            return None                               # 1차년도, 1 차년도: a programme's first year
        word = re.sub(r"\s", "", g["R"] or "올해")
        off = RELATIVE_KEY.get(word, ("year", 0))[1]
        if word == "지난해" and g["R"] and " " in g["R"] and not re.match(r"[\s\d,.)'~]|에|의|보다|와|까지|부터|도|는|말|초|동기|대비|$", c.text[m.end("R"):m.end("R") + 2]):
            return None                               # 지난 해양..., not 지난 해
        a.y, a.y_own, a.relative = c.ref.year + off, True, True
    if g["M"]:
        a.m, a.m_own = int(g["M"]), True
    if g["D"]:
        a.d = int(g["D"])
        if g["bare"] is not None and not g["M"]:
            return None                               # 24(금) needs its month in front
        if not (g["M"] or g["Y"] or g["A"] or g["YY"] or g["R"]):
            if c.ref is None:
                return None
            if before_word(c.text, m.start()) in BEFORE_DURATION or c.text[max(0, m.start() - 1)] == "제" \
                    or re.search(r"\d[ ]?박[ ]?$", c.text[max(0, m.start() - 4):m.start()]):
                return None                           # 제3일, 1박2일 (nights and days: a stay)
            il_end = c.text.index("일", m.end("D")) + 1
            if duration_follows(c.text, il_end, day=True) or after_text(c.text, il_end)[:1].isdigit():
                return None
            word = re.match(r"[가-힣]*", c.text[il_end:]).group()
            if word and (not word.startswith(DAY_FOLLOW) or word.startswith("자리")) or c.text[il_end:il_end + 1] in ("·", "‧", "ㆍ", "･"):
                return None                           # 3 일자리, 1일반, 4 일·생활: 일 starts a word
            if c.text[max(0, m.start() - 1):m.start()] == "/" or c.text[il_end:il_end + 1] == "/" or re.search(r"\d(?!일[과와])[가-힣]{1,2}[ \t]$", c.text[max(0, m.start() - 5):m.start()]):
                return None                           # /1일, 6일/품종, 1인 1일: a rate (not 14일과 15일)
            if re.match(r"\d", c.text[m.end():m.end() + 2].lstrip(" ")):
                return None
            if re.search(r"[\d.][ \t]*[(（][ \t]*$", c.text[max(0, m.start() - 4):m.start()]) and c.text[il_end:il_end + 1] in ")）":
                return None                           # 3.17.~3.31.(15일): the days a period counts
            a.y, a.m, a.relative = c.ref.year, c.ref.month, True
    if a.m is not None and a.y is None:
        if c.ref is None:
            return None
        a.y, a.relative = c.ref.year, True
    if a.y is None and a.sub:
        if c.ref is None:
            return None
        a.y, a.relative = c.ref.year, True
    if a.d is not None and a.m is None:               # 2026년 13일 is not a date
        return None
    return a


DOT = re.compile(
    rf"(?:(?P<Y>(?<![\d.,]){Y4})|'{S}(?P<A>\d{{2}})|(?P<YY>(?<![\d.,'])\d{{2}}))(?!\d){SS}\.{SS}(?P<M>{MM})(?!\d)"
    rf"(?:{SS}\.{SS}(?P<D>{DD})(?!\d|\.\d)(?P<dot>{S}\.(?!\d))?(?:{wd('')})?{TIME}?"
    rf"(?:{SS}~{SS}(?P<tail>{DD})(?:{S}\.(?!{S}\d)|(?={S}\({WDC}\)))(?:{S}\({WDC}\))?)?"   # ~10. or ~10(금)
    rf"|(?P<mw>{S}월)?{SUB}?(?P<mdot>\.(?![\d]))?(?:{SS}~{SS}(?P<mtail>{MM})\.(?![ \t]?\d)(?=[)\]\s,]|$))?)")   # ('26.4.~5.)


def build_dot(m: re.Match, c: Ctx) -> Atom | None:
    g = m.groupdict()
    a = Atom(m.start(), m.end(), m=int(g["M"]), y_own=True, m_own=True, wd=weekday_of(m))
    if re.match(r",\d{3}", c.text[m.end("M"):]) or (g["D"] and not g["dot"] and a.wd is None
                                                      and c.text[m.end("D"):m.end("D") + 1] not in " \t"
                                                      and unit_follows(c.text, m.end("D"))):
        return None                                   # ’25. 5,592교, ’20. 12.9명: a year's figure, no month or day
    if g["YY"] and not (g["D"] and (g["dot"] or a.wd is not None)) and not (g["mw"] and not g["D"]):
        return None                                   # 26.4.13. only as a full dotted day, or 26.3월
    if g["Y"] and not g["D"] and not (g["mw"] or g["mdot"]) and unit_follows(c.text, m.end()):
        return None
    a.y = written_year(g, c.ref)
    if g["D"] and not g["Y"] and c.ref and a.y > c.ref.year + 10:
        a.y -= 100                                    # ’55. 3. 25. in a history: no day is set decades ahead
    if g["YY"] and not g["D"] and not (c.ref and abs(a.y - c.ref.year) <= 5):
        return None                                   # 26.3월 near the release; 12.5월 is no year
    if g["D"]:
        a.d, a.time = int(g["D"]), clock(m)
        if g["tail"]:
            a.span = _tail_span(a, int(g["tail"]))
    else:
        spaced_off = g["mdot"] and c.text[m.end():m.end() + 1] in (" ", "\t")   # '24.9. 개교: a word, no counter
        if not g["mw"] and (unit_follows(c.text, m.end()) and not spaced_off or c.text[m.end():m.end() + 1].isalpha() and not g["sub"]
                            and not (g["mdot"] and c.text.startswith(("기준", "현재"), m.end()))):
            return None                               # '26.2.기준 is February 2026
        if g["sub"] and sub_of(m) != "edge":
            return None
        if g["mtail"] and g["mdot"] and a.y:
            y2 = a.y + (int(g["mtail"]) < a.m)       # ('25.11.~2.) runs into the next year
            a.span = (date(a.y, a.m, 1), date(y2, int(g["mtail"]), calendar.monthrange(y2, int(g["mtail"]))[1]), "month")
    return a


def _tail_span(a: Atom, d2: int):
    head = resolve(a)
    if head is None:
        return None
    try:
        end = date(head[0].year, head[0].month, d2)
    except ValueError:
        return None
    if end < head[0]:
        y, mo = add_months(head[0].year, head[0].month, 1)
        end = date(y, mo, min(d2, calendar.monthrange(y, mo)[1]))
    return head[0], end, "day"


MD = re.compile(
    rf"(?<![\d.'/:·])(?<!(?<![.)])-)(?P<M>{MM}){S}\.{S}(?P<D>{DD})(?![\d]|{S}\.[ ]?\d|{S}%)"
    rf"(?P<dot>{S}\.)?(?:(?P<il>{S}일)|{wd('')})?{TIME}?"
    rf"(?:{SS}~{BR}(?P<tail>{DD})(?:{S}\.(?!{S}\d)|{S}일|(?={S}\({WDC}\)))(?:{S}\({WDC}\))?|{SS}(?P<open>~)(?={SS}\)))?")


CITE_BEFORE = re.compile(r"\((?=[^()\n]*[가-힣A-Za-z])(?![^()\n]*\d\.\d)[^()\n]{1,24},[ \t]*$")


def cited(text: str, m: re.Match) -> bool:
    """`(한겨레, 5.20)`, `(부산MBC, 1.6)`: the date of the report an explanatory release answers."""
    return bool(CITE_BEFORE.search(text, max(0, m.start() - 28), m.start()) and re.match(r"[ \t]*[),]", text[m.end():]))


MD_RANGE = re.compile(rf"(?<![\d.])(?P<a>{MM})\.(?P<b>{DD})[ ]?~[ ]?(?P<c>{MM})\.(?P<d>{DD})(?![\d.%])")
LIST_DAY = re.compile(rf"(?:(?<![\d.])(?:{Y4}|'\d\d)\.[ ]?(?:{MM})\.[ ]?(?:{DD})\.?|(?<![\d.])(?:{MM})\.[ ]?(?:{DD})\.),[ ]?$")


SCHEDULE_LABEL = re.compile(r"^[^\w]*[(\[<]\s*(?:주요\s*)?(?:일정|일시|기간)\s*[)\]>]\s*$|^[^\w]*(?:주요\s*)?(?:일정|일시)\s*[:：]\s*$")
CHAIN_BEFORE = re.compile(rf"(?<![\d.])(?:{MM})\.(?:{DD})(?:[ ]?~[ ]?(?:{DD}))?[ \t][^→\n]{{1,60}}→[ \t]*$")


def scheduled(text: str, m: re.Match) -> bool:
    """An undotted M.D is a day as an end of a range of days (`1.28~3.17`, not `1.5~2.3` of a
    rate), alone in brackets on a line that schedules such a range (`서면평가(4.2)`), after a
    day in a list (`(’26.3.17, 3.25)`), or heading a line's items after a `(일정)` label or the
    day before it in an arrow chain (`(일정) 6.29 특강 → 6.30 연수`)."""
    ls, le = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.end())
    line = text[ls:le if le >= 0 else len(text)]
    ranges = [r for r in MD_RANGE.finditer(line) if (len(r["b"]) == 2 or len(r["d"]) == 2) and not unit_follows(line, r.end())]
    if any(r.start() <= m.start() - ls < r.end() for r in ranges):
        return True
    head = line[:m.start() - ls]
    if (SCHEDULE_LABEL.search(head) or CHAIN_BEFORE.search(head)) and re.match(r"[ \t]+[가-힣A-Za-z(]", text[m.end():]) \
            and not unit_follows(text, m.end()):
        return True                 # (일정) 6.29 특강 → 6.30 연수 → 7.1 체험: a schedule's days
    if text[m.end():m.end() + 1] not in (")", ","):
        return False
    if text[m.start() - 1:m.start()] == "(" and (ranges or re.match(r",[ ]?[가-힣]", text[m.end():m.end() + 3])):
        return True                 # 개최(4.28, 덕수궁 중명전): the day, then the place
    return bool(LIST_DAY.search(text, max(0, m.start() - 12), m.start()))


def build_md(m: re.Match, c: Ctx) -> Atom | None:
    g = m.groupdict()
    w = weekday_of(m)
    if not (g["dot"] or g["il"] or g["tail"] or g["open"] or w is not None or cited(c.text, m) or scheduled(c.text, m)) \
            or c.ref is None:
        return None
    if g["il"] and (before_word(c.text, m.start()) in BEFORE_DURATION or duration_follows(c.text, m.end())):
        return None                                   # 평균 7.5일, 7.5일 이상: a number of days, not 7월 5일
    if g["dot"] and w is None and not g["il"]:
        line_start = c.text.rfind("\n", 0, m.start()) + 1
        if not c.text[line_start:m.start()].strip(" \t-*·•○□ㅇ") and re.match(r"[ \t]+[가-힣A-Za-z]", c.text[m.end():]):
            return None                               # "1.2. 추진 배경": a section number
        if unit_follows(c.text, m.end()):
            return None
    a = Atom(m.start(), m.end(), y=c.ref.year, m=int(g["M"]), d=int(g["D"]), relative=True, m_own=True,
             wd=w, time=clock(m), near=c.ref)
    if g["tail"]:
        a.span = _tail_span(a, int(g["tail"]))
    return a


SPAN = re.compile(
    rf"(?:(?:(?P<Y>{Y4}){S}년(?:도)?|'{S}(?P<A>\d{{2}}){S}(?:년(?:도)?|\.)|(?P<R>{REL_YEARS}))(?P<sep>{BR}))?"
    rf"(?:(?P<pm>{MM}){S}월{SS})?(?<![\d.,'])(?:(?P<m1>{MM}){SS}[~-]{SS}(?P<m2>{MM}){S}월|(?P<d1>{DD}){SS}[~-]{SS}(?P<d2>{DD}){S}일(?!{S}간|{S}동안))")


def build_span(m: re.Match, c: Ctx) -> Atom | None:
    g = m.groupdict()
    a = Atom(m.start(), m.end())
    if g["Y"] or g["A"]:
        y, a.y_own = written_year(g, c.ref), True
    elif g["R"]:
        if c.ref is None:
            return None
        y = c.ref.year + RELATIVE_KEY.get(re.sub(r"\s", "", g["R"]), ("year", 0))[1]
        a.relative = True
    else:
        if c.ref is None:
            return None
        y, a.relative = c.ref.year, True
    if g["m1"]:
        if g["pm"]:
            return None
        m1, m2 = int(g["m1"]), int(g["m2"])
        y2 = y + 1 if m2 < m1 else y
        a.span = (date(y, m1, 1), month_end(y2, m2), "month")
    else:
        if duration_follows(c.text, m.end()):
            return None                               # 마감 2~3일 전: relative to the deadline
        mo = int(g["pm"]) if g["pm"] else (c.ref.month if c.ref else None)
        if mo is None:
            return None
        try:
            a.span = (date(y, mo, int(g["d1"])), date(y, mo, int(g["d2"])), "day")
        except ValueError:
            return None
        if a.span[1] < a.span[0]:
            return None
    a.y = y
    return a


YEAR_SPAN = re.compile(
    rf"(?<![\d.,])(?:(?P<y1>{Y4})|'{S}(?P<a1>\d{{2}}))(?:{S}년|\.(?!{S}\d))?(?:{SS}~{SS}|-(?={Y4}{S}학년도)|-(?={Y4}[)\]]))"
    rf"(?:(?P<y2>{Y4})|'{S}(?P<a2>\d{{2}}))(?!\d|{S}\.{S}\d)(?:{S}(?:학)?년(?:도)?|\.)?")   # 2026-2027학년도: a school year


def build_year_span(m: re.Match, c: Ctx) -> Atom | None:
    g = m.groupdict()
    y1 = int(g["y1"]) if g["y1"] else two_digit_year(int(g["a1"]), c.ref)
    y2 = int(g["y2"]) if g["y2"] else two_digit_year(int(g["a2"]), c.ref)
    if not y1 < y2 <= y1 + 100 or unit_follows(c.text, m.end()):
        return None
    if re.match(r"\d{4}-\d{4}$", m.group()) and c.text[m.start() - 1:m.start()] not in ("(", "["):
        return None                                   # (2027-2031): a plan's years in brackets, not 2027-2031 of a code
    if g["y1"] and g["y2"] and "년" not in m.group() and not (c.text[m.end():m.end() + 1] in ")]」 \t\n"
                                                            or re.match(r",\s", c.text[m.end():m.end() + 2])):
        return None
    return Atom(m.start(), m.end(), y=y1, y_own=True, span=(date(y1, 1, 1), date(y2, 12, 31), "year"))


APOS_YEAR = re.compile(   # ('21), ('26.하), (’27~), (’21→’24), ’26. 현재
    rf"(?<![\w'.])'{S}(?P<A>\d{{2}})(?:\.{S}(?P<mark>상반기|하반기|상|하|上|下|초|말|중)(?![가-힣])"
    rf"|(?<=[(\[,·→~]'..)(?=[)\],·~→])|(?<=[,·] '..)(?=[)\],·]|~(?!\d))|(?<=[(\[~]'..)\.(?=[)\]~])|\.?(?=[ ]?(?:현재|기준))"
    rf"|(?:(?<=→'..)|(?<=→ '..))\.?(?=[ ][가-힣])|(?<=[(\[]'..)(?=[ ][가-힣]{{1,8}}[ ]?→)"   # a timeline: ('26 시범→'27 표집평가)
    rf"|(?!\d)\.?(?=[ ]?\d[\d,.]*[ ]?(?:[조억만천백]|원|달러|%|명|건|개|곳|점|교|가구|→))"   # (’26. 90억원, ’24.372명: the year of an amount
    rf"|(?=본예산|추경|예산|결산|정부안|실적|목표|전망))")               # ’26추경, ’25결산: a budget's year
HALF_MARKS = {"상반기": "h1", "하반기": "h2", "상": "h1", "하": "h2", "上": "h1", "下": "h2"}   # ’26.上: the Hanja marks


def build_apos_year(m: re.Match, c: Ctx) -> Atom | None:
    """('21) is 2021; ('26.하) the second half of 2026; (’27.초) keeps year granularity, as 5월 초 keeps month."""
    return Atom(m.start(), m.end(), y=two_digit_year(int(m.group("A")), c.ref), y_own=True,
                sub=HALF_MARKS.get(m.group("mark")))


NUMERIC = re.compile(
    rf"(?<![\d/.\-])(?:(?P<Y>{Y4})(?P<sep>[-/])(?P<M>{MM})(?P=sep)(?P<D>{DD})|(?P<YY>\d{{2}})/(?P<M2>{MM})/(?P<D2>{DD}))(?![\d/.\-])")
COMPACT = re.compile(r"(?<![\w\-./])(?P<Y>(?:19|20)\d{2})(?P<M>1[0-2]|0[1-9])(?P<D>3[01]|[12]\d|0[1-9])(?![\w\-./,]|\)\S)")
SLASH = re.compile(rf"(?<![\w/.\-:])(?P<M>{MM})/(?P<D>{DD})(?![\d/.\-:%]|{S}(?:{FRACTION_WORDS}))(?P<after>{wd('')}|{TIME})?")


def build_numeric(m: re.Match, c: Ctx) -> Atom | None:
    g = m.groupdict()
    if g["Y"]:
        return Atom(m.start(), m.end(), y=int(g["Y"]), m=int(g["M"]), d=int(g["D"]), y_own=True)
    return Atom(m.start(), m.end(), y=two_digit_year(int(g["YY"]), c.ref), m=int(g["M2"]),
                d=int(g["D2"]), y_own=True)


def build_compact(m: re.Match, c: Ctx) -> Atom | None:
    """20261101: eight digits that make a day, outside tables and without a unit (not an amount or a code)."""
    if any(s <= m.start() < e for s, e in c.table_spans) or unit_follows(c.text, m.end()):
        return None
    return Atom(m.start(), m.end(), y=int(m.group("Y")), m=int(m.group("M")), d=int(m.group("D")), y_own=True)


def build_slash(m: re.Match, c: Ctx) -> Atom | None:
    """10/15, 3/10(화): a month/day only where a fraction cannot be meant (a day past 12 outside a table,
    or a weekday or clock time after it); 1/4 and 2/3 are fractions."""
    if c.ref is None or unit_follows(c.text, m.end("D")):
        return None
    if not m.group("after") and (int(m.group("D")) <= 12 or any(s <= m.start() < e for s, e in c.table_spans)):
        return None                                   # 2/26 in a table column of counts is a fraction
    return Atom(m.start(), m.end(), y=c.ref.year, m=int(m.group("M")), d=int(m.group("D")), relative=True, m_own=True,
                wd=weekday_of(m), time=clock(m), near=c.ref)


REL = re.compile(rf"(?<![가-힣])(?P<w>{REL_OTHER})(?:{S}(?P<W>{WDC})요일|(?<=[달월]){S}(?P<D>{DD}){S}일)?")


def build_rel(m: re.Match, c: Ctx) -> Atom | None:
    if c.ref is None:
        return None
    word = re.sub(r"\s", "", m.group("w"))
    unit, off = RELATIVE_KEY[word]
    nxt = re.match(r"[가-힣]*", c.text[m.end("w"):]).group()
    if nxt and not m.group("W") and not m.group("D") and not nxt.startswith(PARTICLES):
        return None                                   # 내일배움카드, 오늘날: a word, not a day
    if unit == "day" and off > 0 and re.search(r"[가-힣]의[ ]?$", c.text[max(0, m.start() - 3):m.start()]):
        return None                                   # 대한민국의 내일: a future, not tomorrow
    ref, a = c.ref, Atom(m.start(), m.end(), relative=True, y_own=True)
    if unit == "day":
        day = ref + timedelta(days=off)
        a.span = (day, day, "day")
    elif unit == "week":
        monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=off)
        if m.group("W"):
            day = monday + timedelta(days=WEEKDAYS.index(m.group("W")))
            a.span = (day, day, "day")
        else:
            a.span = (monday, monday + timedelta(days=6), "day")
    elif unit == "weekend":
        saturday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=off, days=5)
        a.span = (saturday, saturday + timedelta(days=1), "day")
    elif unit == "month":
        y, mo = add_months(ref.year, ref.month, off)
        if m.group("D"):
            try:
                day = date(y, mo, int(m.group("D")))
            except ValueError:
                return None
            a.span = (day, day, "day")
        else:
            a.span = (date(y, mo, 1), month_end(y, mo), "month")
    elif unit == "quarter":
        y, mo = add_months(ref.year, 3 * ((ref.month - 1) // 3) + 1, 3 * off)
        a.span = (date(y, mo, 1), month_end(y, mo + 2), "quarter")
    else:
        return None
    return a


DIR = re.compile(
    rf"(?<![가-힣])(?P<dir>{_alt(DIRECTION)}){S}(?:(?P<M>{MM}){S}월(?:{S}(?P<D>{DD}){S}일)?|(?P<D2>{DD}){S}일|(?P<wk>주{S})?(?P<W>{WDC})요일"
    rf"|(?P<H>{HOLIDAY_NAMES}))(?:{wd('')})?")


def build_dir(m: re.Match, c: Ctx) -> Atom | None:
    if c.ref is None:
        return None
    g, ref = m.groupdict(), c.ref
    way = DIRECTION[g["dir"]]
    a = Atom(m.start(), m.end(), relative=True, y_own=True, wd=weekday_of(m))
    if g["M"]:
        mo = int(g["M"])
        y = ref.year
        if way == "past" and mo > ref.month:
            y -= 1
        elif way == "future" and (mo < ref.month or (g["dir"] == "다음" and mo == ref.month)):
            y += 1
        a.y, a.m, a.d = y, mo, int(g["D"]) if g["D"] else None
        if way == "past" and a.d and date(y, mo, min(a.d, 28)) > ref:
            a.y -= 1
        return a
    if g["D2"]:
        d = int(g["D2"])
        if before_word(c.text, m.start()) in BEFORE_DURATION or duration_follows(c.text, m.end("D2") + 1):
            return None
        y, mo = ref.year, ref.month
        if way == "past" and d > ref.day:
            y, mo = add_months(y, mo, -1)
        elif way == "future" and d < ref.day:
            y, mo = add_months(y, mo, 1)
        a.y, a.m, a.d = y, mo, d
        return a
    if g["W"]:
        target = WEEKDAYS.index(g["W"])
        if way == "this" or g["wk"]:
            monday = ref - timedelta(days=ref.weekday())
            shift = {"past": -1, "future": 1, "this": 0}[way] if g["wk"] or way == "this" else 0
            day = monday + timedelta(weeks=shift, days=target)
        elif way == "past":
            day = ref - timedelta(days=(ref.weekday() - target) % 7 or 7)
        else:
            day = ref + timedelta(days=(target - ref.weekday()) % 7 or 7)
        a.span, a.wd = (day, day, "day"), None
        return a
    return _holiday(a, g["H"], way, ref)


def _holiday(a: Atom, name: str, way: str, ref: date, days_off: bool = False) -> Atom | None:
    """The next one on or after the release date (the last one before it after 지난); 연휴 adds the day
    before and after (설날, 추석)."""
    if name in LUNAR:
        days = LUNAR[name]
    else:
        mo, d = HOLIDAYS[name]
        days = [date(y, mo, d) for y in (ref.year - 1, ref.year, ref.year + 1)]
    days = [d for d in days if d < ref] if way == "past" else [d for d in days if d >= ref]
    if not days:
        return None                                   # beyond the lunar table's years
    day = max(days) if way == "past" else min(days)
    a.span = (day - timedelta(days=days_off), day + timedelta(days=days_off), "day")
    return a


HOLIDAY = re.compile(rf"(?<![가-힣])(?P<H>{HOLIDAY_NAMES})(?P<off>{S}연휴)?")


def build_holiday(m: re.Match, c: Ctx) -> Atom | None:
    nxt = re.match(r"[가-힣]*", c.text[m.end():]).group()
    if c.ref is None or (nxt and not nxt.startswith(PARTICLES) and not m.group("off")):
        return None                                   # 신정교 is a bridge
    if re.search(r"\d[.일]?[ \t]*[(（][ \t]*$", c.text[max(0, m.start() - 4):m.start()]):
        return None                                   # '23.10.2.(추석연휴 …): what that day was, no day of its own
    return _holiday(Atom(m.start(), m.end(), relative=True), m.group("H"), "future", c.ref,
                    bool(m.group("off")) and m.group("H") in LUNAR)


WEEKDAY = re.compile(rf"(?<![가-힣])(?P<W>{WDC})요일")


def build_weekday(m: re.Match, c: Ctx) -> Atom | None:
    """A lone 화요일 is the coming one; in a schedule (토요일·공휴일, 월~금요일은, 토요일 또는 관공서의
    공휴일) it recurs; `(월요일 조간)` names an edition, not a day."""
    if c.ref is None or before_word(c.text, m.start()) in BEFORE_DURATION | {"격주", "요일", "주", "번째", "째"}:
        return None
    around = c.text[max(0, m.start() - 4):m.start()] + "|" + c.text[m.end():m.end() + 4]
    if re.search(r"[·,~\-및]|공휴일|주말|평일|\|[ \t]*(은|는|마다|까지|부터|별)", around):
        return None
    if re.match(r"[ \t]*(?:조간|석간|또는[^\n]{0,8}휴일)", c.text[m.end():m.end() + 14]):
        return None
    target = WEEKDAYS.index(m.group("W"))
    day = c.ref + timedelta(days=(target - c.ref.weekday()) % 7 or 7)   # the coming one
    return Atom(m.start(), m.end(), relative=True, span=(day, day, "day"))


_ordinals = _lines("dates_ordinals.tsv")
ORDINALS = {w.replace(" ", ""): int(n) for w, n in _ordinals}
REL_MONTHS = _alt(w for w, (u, _) in RELATIVE.items() if u == "month")
NTH = re.compile(
    rf"(?:(?:(?P<Y>{Y4}){S}년{S})?(?<![\d.])(?P<M>{MM}){S}월|(?<![가-힣])(?P<RM>{REL_MONTHS})){S}"
    rf"(?P<n>{_alt(w for w, _ in _ordinals)}){S}(?:주{S})?(?:(?P<W>{WDC})요일|(?P<last>날))"
    rf"|(?:(?:(?P<Y2>{Y4}){S}년{S})?(?<![\d.])(?P<M2>{MM}){S}월|(?<![가-힣])(?P<RM2>{REL_MONTHS})){S}"
    rf"(?P<n2>{_alt(w for w, _ in _ordinals)}){S}주(?:차)?(?=[^가-힣]|$|{_alt(PARTICLES)})(?!{S}{WDC}요일)")


def build_nth(m: re.Match, c: Ctx) -> Atom | None:
    """3월 셋째 주 토요일, 다음 달 마지막 날; and a week of a month (10월 첫째 주): the Monday-to-
    Sunday week holding the month's n-th Thursday, the last one the week of its last Thursday
    (KS X ISO 8601: a week belongs to the month that holds four or more of its days)."""
    g = m.groupdict()
    week = g["n2"] is not None
    if week:
        g.update(Y=g["Y2"], M=g["M2"], RM=g["RM2"], n=g["n2"], W=None, last=None)
    if not g["Y"] and c.ref is None:
        return None
    if g["RM"]:                                       # 다음 달 셋째 주 토요일
        y, mo = add_months(c.ref.year, c.ref.month, RELATIVE_KEY[re.sub(r"\s", "", g["RM"])][1])
    else:
        y, mo = int(g["Y"]) if g["Y"] else c.ref.year, int(g["M"])
    n = ORDINALS[re.sub(r"\s", "", g["n"])]
    if week:
        if n == -1:
            last = month_end(y, mo)
            anchor = last - timedelta(days=(last.weekday() - 3) % 7)
        else:
            first = date(y, mo, 1)
            anchor = first + timedelta(days=(3 - first.weekday()) % 7 + 7 * (n - 1))
        if anchor.month != mo:
            return None
        monday = anchor - timedelta(days=anchor.weekday())
        return Atom(m.start(), m.end(), relative=not g["Y"], y_own=bool(g["Y"]),
                    span=(monday, monday + timedelta(days=6), "day"))
    if g["last"]:
        day = month_end(y, mo) if n == -1 else (date(y, mo, n) if n > 0 else None)
    else:
        target = WEEKDAYS.index(g["W"])
        if n == -1:
            last = month_end(y, mo)
            day = last - timedelta(days=(last.weekday() - target) % 7)
        else:
            first = date(y, mo, 1)
            day = first + timedelta(days=(target - first.weekday()) % 7 + 7 * (n - 1))
            if day.month != mo:
                return None
    return Atom(m.start(), m.end(), relative=not g["Y"], y_own=bool(g["Y"]), span=(day, day, "day"))


SINO_DATE = re.compile(rf"(?<![가-힣])(?:(?P<Y>{SINO})년{S})?(?P<M>{SINO})월{S}(?P<D>{SINO})일(?![가-힣])"
                       rf"|(?<![가-힣])(?P<Q>[일이삼사])분기")


def build_sino(m: re.Match, c: Ctx) -> Atom | None:
    g = m.groupdict()
    if g["Q"]:
        if c.ref is None:
            return None
        return Atom(m.start(), m.end(), y=c.ref.year, sub="q" + str(korean_number(g["Q"])), relative=True)
    y = korean_number(g["Y"]) if g["Y"] else (c.ref.year if c.ref else None)
    mo, d = korean_number(g["M"]), korean_number(g["D"])
    if y is None or not mo or not d or mo > 12:
        return None
    return Atom(m.start(), m.end(), y=y, m=mo, d=d, y_own=bool(g["Y"]), relative=not g["Y"])


# a count starts where a number starts and is short: an unanchored \d+ is quadratic on digit runs
NUM = rf"(?:(?<!\d)\d{{1,4}}|{NATIVE}|(?<![일이삼사오육칠팔구십])[일이삼사오육칠팔구십]{{1,6}})"
OFFSET = re.compile(rf"(?P<n>{NUM}){S}(?P<u>주일|주|개월|달|년|일){S}(?P<dir>이전|전|이후|후|뒤)(?![가-힣])")
NEXT_N = re.compile(rf"(?<![가-힣])다음{S}(?P<n>{NUM}){S}(?P<u>년|달|개월|주)(?!간|{S}동안)")


def build_offset(m: re.Match, c: Ctx) -> Atom | None:
    """3주 전, 2년 전, 3일 뒤: only where nothing else anchors it (마감 3일 전 is relative to the deadline).
    A later offset stands at the start of a line only: (11개월 후) in a table title is a measuring point."""
    if c.ref is None:
        return None
    head = c.text[max(0, m.start() - 10):m.start()]
    anchor = r"(^|\n|[(\[,:]|불과|지금부터|지금으로부터)" if m.group("dir").endswith("전") else r"(^|\n|지금부터|지금으로부터)"
    if not (re.search(anchor + r"[ \t]*$", head) or m.start() == 0):
        return None
    n, u, ref = korean_number(m.group("n")), m.group("u"), c.ref
    if not n or n >= 100:
        return None         # 2015년 이전 is the year 2015 and what came before it, not 2,015 years back
    n = -n if m.group("dir").endswith("전") else n
    if u == "년":
        y = ref.year + n
        return Atom(m.start(), m.end(), relative=True, span=(date(y, ref.month, 1), month_end(y, ref.month), "month"))
    days = {"주": 7, "주일": 7, "일": 1}.get(u)
    if days:
        day = ref + timedelta(days=days * n)
    else:
        y, mo = add_months(ref.year, ref.month, n)
        day = date(y, mo, min(ref.day, calendar.monthrange(y, mo)[1]))
    return Atom(m.start(), m.end(), relative=True, span=(day, day, "day"))


def build_next_n(m: re.Match, c: Ctx) -> Atom | None:
    if c.ref is None:
        return None
    n, u, ref = korean_number(m.group("n")), m.group("u"), c.ref
    if not n:
        return None
    a = Atom(m.start(), m.end(), relative=True)
    if u == "년":
        a.span = (date(ref.year + 1, 1, 1), date(ref.year + n, 12, 31), "year")
    elif u == "주":
        monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=1)
        a.span = (monday, monday + timedelta(days=7 * n - 1), "day")
    else:
        y1, m1 = add_months(ref.year, ref.month, 1)
        y2, m2 = add_months(ref.year, ref.month, n)
        a.span = (date(y1, m1, 1), month_end(y2, m2), "month")
    return a


QUARTER = re.compile(
    rf"(?<![\d.,'/])(?:(?:(?P<Y>{Y4})|'{S}(?P<A>\d{{2}})|(?P<YY>\d{{2}})(?={S}년|{SS}\.))"
    rf"(?:{S}년(?:도)?{S}|{SS}\.{SS}|[ \t]))?"
    rf"(?P<q>[1-4])(?:{S}[~-]{S}(?P<q2>[1-4]))?(?P<unit>(?:/4)?{S}분기|Q(?![A-Za-z\d]))"
    rf"|(?<![A-Za-z\d])Q(?P<qe>[1-4])[ \t](?P<Ye>{Y4})(?!\d)")


def build_quarter(m: re.Match, c: Ctx) -> Atom | None:
    """Quarters as statistics print them: '24.2Q, 2024.2/4분기, '24.1분기, 1~3분기, Q3 2025."""
    g = m.groupdict()
    if g["qe"]:
        y, q1 = int(g["Ye"]), int(g["qe"])
        q2 = q1
    else:
        q1, q2 = int(g["q"]), int(g["q2"] or g["q"])
        y = written_year(g, c.ref)
        if y is None and (g["unit"] == "Q" or c.ref is None):
            return None                               # a bare 2Q names no year
    if q2 < q1:
        return None
    own = y is not None
    y = y if own else c.ref.year
    return Atom(m.start(), m.end(), y=y, y_own=own, relative=not own,
                span=(date(y, 3 * q1 - 2, 1), month_end(y, 3 * q2), "quarter"))


BARE_YEAR = re.compile(r"(?<![\d.,'/:\-A-Za-z])(?P<Y>19[5-9]\d|20\d{2})(?![\d.,%/:\-]|[ \t]?[가-힣A-Za-z]*\d)")


def build_bare_year(m: re.Match, c: Ctx) -> Atom | None:
    """2030 in 「제조 AI 2030 전략」: a year only where nothing makes it an amount."""
    nxt = c.text[m.end():m.end() + 1]
    if re.match(r"[가-힣A-Za-z]", nxt) or unit_follows(c.text, m.end()) or before_word(c.text, m.start()) == "제":
        return None
    if any(s <= m.start() < e for s, e in c.table_spans):
        return None
    y = int(m.group("Y"))
    return Atom(m.start(), m.end(), y=y, y_own=True)


COORD = re.compile(
    rf"(?<![\d가-힣.,'])(?:(?P<h>상)|(?P<q>[1-4])|(?P<m>{MM}))(?=(?:[·ㆍ‧,][ ]?(?(h)(?!)|(?(q)[1-4]|{MM})))*[·ㆍ‧,][ ]?(?(h)하반기|(?(q)[1-4]{S}분기|{MM}{S}월)))")


def build_coord(m: re.Match, c: Ctx) -> Atom | None:
    """The first member of `상‧하반기`, `1‧2분기`, `3·4월`: the period the shared word gives it; its
    year comes from the member after it (coordinate)."""
    if c.ref is None:
        return None
    a = Atom(m.start(), m.end(), y=c.ref.year, relative=True)
    if m.group("h"):
        a.sub = "h1"
    elif m.group("q"):
        a.sub = "q" + m.group("q")
    else:
        a.m, a.m_own = int(m.group("m")), True
    return a


def coordinate(atoms: list[Atom], text: str) -> list[Atom]:
    """`2025년 상‧하반기`, `3, 4, 5월`: every member takes the year written before the first (one row
    each), or else the year of the last member."""
    out: list[Atom] = []
    i = 0
    while i < len(atoms):
        j = i
        while atoms[j].rule == "coordinated" and j + 1 < len(atoms) and atoms[j + 1].s - atoms[j].e <= 2:
            j += 1
        if atoms[i].rule != "coordinated" or j == i or atoms[j].span is not None:
            if atoms[i].rule != "coordinated":
                out.append(atoms[i])   # a member whose period was taken by a longer reading goes
            i += 1
            continue
        src, p = atoms[j], out[-1] if out else None
        if (p and p.rule == "ko_date" and p.y_own and p.m is None and p.sub is None and p.d is None
                and re.fullmatch(r"[ \t]?", text[p.e:atoms[i].s])):
            out.pop()
            atoms[i].s, src = p.s, p
        for a in atoms[i:j + 1]:
            a.y, a.y_own, a.relative = src.y, src.y_own, src.relative
        out.extend(atoms[i:j + 1])
        i = j + 1
    return out


RULES = (
    Rule("ko_date", KO, build_ko),
    Rule("dot_date", DOT, build_dot),
    Rule("dot_month_day", MD, build_md),
    Rule("range", SPAN, build_span),
    Rule("year_range", YEAR_SPAN, build_year_span),
    Rule("apostrophe_year", APOS_YEAR, build_apos_year),
    Rule("numeric_date", NUMERIC, build_numeric),
    Rule("compact_date", COMPACT, build_compact),
    Rule("slash_date", SLASH, build_slash),
    Rule("relative", REL, build_rel),
    Rule("direction", DIR, build_dir),
    Rule("holiday", HOLIDAY, build_holiday),
    Rule("weekday", WEEKDAY, build_weekday),
    Rule("nth_weekday", NTH, build_nth),
    Rule("spelled_date", SINO_DATE, build_sino),
    Rule("offset", OFFSET, build_offset),
    Rule("next_n", NEXT_N, build_next_n),
    Rule("quarter", QUARTER, build_quarter),
    Rule("bare_year", BARE_YEAR, build_bare_year),
    Rule("coordinated", COORD, build_coord),
)

PAGE_BR = r"[ \t]*(?:\n[ \t]*(?:-[ \t]*\d{1,3}[ \t]*-[ \t]*\n[ \t]*)?)?"   # a line or page break (- 3 -)
CONNECTOR = re.compile(rf"{PAGE_BR}(?:~|-|부터){PAGE_BR}")
LIST_SEP = re.compile(r"[ \t]*[,·/|][ \t]*|[ \t]+")   # a Markdown table row: | '25.11월 | 12월 |
UNTIL = re.compile(rf"{S}까지")


# -- table context --------------------------------------------------------------------------
CELL = re.compile(r"'?(?P<Y>\d{2})\.(?P<M>1[0-2]|0?[1-9])(?:\.(?P<D>3[01]|[12]\d|0?[1-9]))?\.?(?P<mw>월)?")


HEADER_YEAR = re.compile(r"(?:(?P<Y>(?:19|20)\d{2})|[’'‘`](?P<A>\d{2}))(?:[ ]?년도?)?")
HEADER_QUARTER = re.compile(r"(?P<q>[1-4])[ ]?/[ ]?4")
NUMERIC_CELL = re.compile(r"[-+△▲▽Δ(]*[\d,.]+[)%]*")


def header_cells(doc: Document, c: Ctx) -> list[Atom]:
    """The header rows of a statistics table label its columns with bare years (`2024`, `’22`) and
    quarters (`1/4`), two or more to a row: dates there, as the same words are in a sentence.
    Below them a bare number is an amount, or a row's label (row_label_years)."""
    out = []
    for t in doc.tables:
        body = next((i for i, row in enumerate(t.cells)
                     if any(NUMERIC_CELL.fullmatch(doc.text[s:e].strip()) and not HEADER_YEAR.fullmatch(doc.text[s:e].strip())
                            for s, e in row[1:])), len(t.cells))
        for row in t.cells[:body]:
            if sum(bool(HEADER_YEAR.fullmatch(doc.text[s:e]) or HEADER_QUARTER.fullmatch(doc.text[s:e])) for s, e in row) < 2:
                continue        # a row of periods labels columns; one `’15` in a schedule is minutes
            for cs, ce in row:
                core = doc.text[cs:ce]
                if m := HEADER_YEAR.fullmatch(core):
                    y = written_year(m.groupdict(), c.ref)
                    out.append(Atom(cs, ce, rule="table_header", y=y, y_own=True))
                elif c.ref is not None and (m := HEADER_QUARTER.fullmatch(core)):
                    out.append(Atom(cs, ce, rule="table_header", y=c.ref.year, sub="q" + m.group("q"), relative=True))
        if 0 < body < len(t.cells):     # only a table with a header above its figures has row labels
            over = [r for r in t.cells[:body] if any(doc.text[s:e].strip() for s, e in r[1:])]   # not a caption row
            heads = [" ".join(doc.text[r[j][0]:r[j][1]] for r in over if j < len(r)) for j in range(max(map(len, t.cells)))]
            out += row_label_years(doc, t.cells[body:], heads, c)
    return out


LABEL_HEAD = re.compile(r"\s*(?:구\s?분|연\s?도|년\s?도|연월|기간|시기)?\s*")


def row_label_years(doc: Document, rows: list, heads: list[str], c: Ctx) -> list[Atom]:
    """A body row's label cells (those before its first figure) that are a year label the row with
    it: dates, as the same word is in a header. `’24` is a year wherever it stands; a bare `2024`
    only in a column whose header names no measure (empty, `구분`, `연도`), else it is a figure."""
    out = []
    for row in rows:
        for j, (cs, ce) in enumerate(row):
            core = doc.text[cs:ce].strip()
            m = HEADER_YEAR.fullmatch(core)
            if m and (m["A"] or "년" in core or LABEL_HEAD.fullmatch(heads[j] if j < len(heads) else "")):
                out.append(Atom(cs, ce, rule="table_row_label", y=written_year(m.groupdict(), c.ref), y_own=True))
            elif NUMERIC_CELL.fullmatch(core):
                break
    return out


def table_atoms(doc: Document, c: Ctx) -> list[Atom]:
    """26.1 in a column headed 국회 통과 / 시행일 / 일정 ... is January 2026."""
    out = header_cells(doc, c)
    for t in doc.tables:
        if len(t.cells) < 2:
            continue
        header = [doc.text[s:e] for s, e in t.cells[0]]
        cols = {j for j, h in enumerate(header) if any(w.replace(" ", "") in h.replace(" ", "") for w in COLUMN_WORDS)}
        for row in t.cells[1:] if cols else ():
            for j, (cs, ce) in enumerate(row):
                cell = doc.text[cs:ce]
                core = cell.strip()
                m = CELL.fullmatch(fold(core)) if j in cols and core else None
                s = cs + cell.index(core) if core else cs
                if m:
                    y = two_digit_year(int(m.group("Y")), c.ref)
                    out.append(Atom(s, s + len(core), rule="table_date_column", y=y, m=int(m.group("M")), y_own=True,
                                    d=int(m.group("D")) if m.group("D") else None))
                elif j in cols and c.ref and (m := MD_CELL.fullmatch(core)) and (a := _md_cell(m, s, c.ref)):
                    out.append(a)
    return out


# A cell of a date column that is a day or a span of days without a year: 4.20, 4.8~9, 4.8.~4.9.(목)
MD_CELL = re.compile(rf"(?P<M>{MM})\.[ ]?(?P<D>{DD})\.?(?:[ ]?\({WDC}\))?"
                     rf"(?:[ ]?[~∼][ ]?(?:(?P<M2>{MM})\.[ ]?)?(?P<D2>{DD})\.?(?:[ ]?\({WDC}\))?)?")


def _md_cell(m: re.Match, s: int, ref: date) -> Atom | None:
    a = Atom(s, s + len(m.group(0)), rule="table_date_column", y=ref.year, m=int(m["M"]), d=int(m["D"]),
             relative=True, m_own=True, near=ref)
    if m["M2"]:
        try:
            start, end = date(a.y, a.m, a.d), date(a.y, int(m["M2"]), int(m["D2"]))
        except ValueError:
            return None
        if end < start:
            end = date(a.y + 1, end.month, end.day)
        a.span = (start, end, "day")
    elif m["D2"]:
        a.span = _tail_span(a, int(m["D2"]))
        if a.span is None:
            return None
    return a


# -- assembly -------------------------------------------------------------------------------
def candidates(text: str, c: Ctx) -> list[Atom]:
    found = []
    for rule, a in run(RULES, text, c):              # an impossible date (2월 30일) is no date
        if a.e > a.s:
            a.rule = rule.name
            found.append(a)
    return found


def choose(atoms: list[Atom]) -> list[Atom]:
    """Leftmost, then longest: overlapping readings of one span keep the fullest."""
    atoms.sort(key=lambda a: (a.s, -(a.e - a.s)))
    kept, end = [], -1
    for a in atoms:
        if a.s >= end:
            kept.append(a)
            end = a.e
    return kept


def inherit(head: Atom, tail: Atom, head_start: date) -> Atom:
    """The tail of a range takes the year (and month) it leaves out from the head."""
    t = replace(tail)
    if t.span is None:
        if t.d is not None and not t.m_own:
            t.m = head_start.month
        if not t.y_own:
            t.y = head_start.year
            t.relative = head.relative
    return t


def merge_glosses(atoms: list[Atom], text: str) -> list[Atom]:
    """오늘(4.12.), 오늘(13일): one mention, the word and the date it glosses."""
    out: list[Atom] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        b = atoms[i + 1] if i + 1 < len(atoms) else None
        if (b and a.span and a.rule == "relative" and a.span[2] == "day" and re.fullmatch(r"[ \t]?\(", text[a.e:b.s])
                and text[b.e:b.e + 1] == ")" and resolve(a) and resolve(b) and resolve(b)[:2] == resolve(a)[:2]):
            out.append(replace(b, s=a.s, e=b.e + 1))
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def merge_ranges(atoms: list[Atom], text: str, c: Ctx) -> list[Atom]:
    out: list[Atom] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        if i + 1 < len(atoms):
            b = atoms[i + 1]
            gap = text[a.e:b.s]
            ra = resolve(a)
            if ra and (CONNECTOR.fullmatch(gap) or (re.fullmatch(r"[ \t]?에서[ \t]?", gap) and UNTIL.match(text, b.e))):
                tb = inherit(a, b, ra[0])
                rb = resolve(tb)
                if rb and rb[1] < ra[0] and tb.span is None and not tb.y_own:
                    tb.y += 1                         # 12월 30일부터 1월 2일까지 runs over the year's end
                    rb = resolve(tb)
                coarser = rb and GRAIN_ORDER.index(rb[2]) > GRAIN_ORDER.index(ra[2])
                coarser_whole = coarser and (rb[0] <= ra[0] or ("부터" in gap and not UNTIL.match(text, b.e)))
                if rb and rb[1] >= ra[0] and not coarser_whole:   # 4월 14일부터 2026년 (사업), 12월부터 2026학년도 운영: no range
                    e = b.e
                    u = UNTIL.match(text, e)
                    if u:
                        e = u.end()
                    gran = coarsest(ra[2], rb[2])
                    merged = replace(a, e=e, rule=a.rule if a.rule == b.rule else a.rule + "+" + b.rule,
                                     span=(ra[0], rb[1], gran), relative=a.relative or tb.relative)
                    merged.warning = ra[3] or rb[3]
                    out.append(merged)
                    i += 2
                    continue
        out.append(a)
        i += 1
    return out


GRAIN_ORDER = ["day", "month", "quarter", "half", "year"]


def coarsest(g1: str, g2: str) -> str:
    return max(g1, g2, key=GRAIN_ORDER.index)


def join_years(atoms: list[Atom], text: str) -> list[Atom]:
    """금년 4.13., 2026년 4.13.(월), 올해 1~3분기: a year word in front of a yearless dotted day or
    quarter range gives it its year."""
    out: list[Atom] = []
    for a in atoms:
        p = out[-1] if out else None
        if (p and (a.rule == "dot_month_day" or (a.rule == "quarter" and not a.y_own)) and p.rule == "ko_date"
                and p.m is None and p.sub is None and p.y and re.fullmatch(r"[ \t]?", text[p.e:a.s])):
            j = replace(a, s=p.s, y=p.y, y_own=True, relative=p.relative, rule=f"ko_date+{a.rule}")
            if a.span:
                shift = p.y - a.span[0].year
                j.span = (a.span[0].replace(year=p.y), a.span[1].replace(year=a.span[1].year + shift), a.span[2])
            out[-1] = j
            continue
        out.append(a)
    return out


def column_years(atoms: list[Atom], doc: Document) -> None:
    """A year cell spanning columns of a header row (`2023년 | | | 2024년 …`) gives its year to
    the yearless quarters, halves and months in the cells below it (`1분기 | 2분기 …`); a stack
    of such cells in one column (`2025년` / `1분기` / `2분기`) takes the year above it."""
    starts = [a.s for a in atoms]

    def only_atom(cs: int, ce: int) -> Atom | None:
        k = bisect.bisect_left(starts, cs)
        inside = atoms[k:bisect.bisect_left(starts, ce)] if ce > cs else []
        return inside[0] if len(inside) == 1 else None

    def year_above(grid, i: int, j: int) -> Atom | None:
        for up in range(i - 1, max(-1, i - 4), -1):
            row = grid[up]
            k = min(j, len(row) - 1)
            while k > 0 and row[k][1] <= row[k][0]:      # an empty cell: the spanning cell is to its left
                k -= 1
            x = only_atom(*row[k]) if row else None
            if x is None or x.d is not None or x.span is not None:
                return None
            if x.y_own:
                return x                                  # 2025년, or a period that took its year
            if not (x.m or x.sub):
                return None
        return None

    for t in doc.tables:
        for i, row in enumerate(t.cells[1:], 1):
            for j, (cs, ce) in enumerate(row):
                a = only_atom(cs, ce)
                if a is None or a.y_own or a.span is not None or not (a.m or a.sub) or a.d is not None:
                    continue
                y = year_above(t.cells, i, j)
                if y is not None:
                    a.y, a.y_own, a.relative = y.y, True, y.relative


def bracketed_days(atoms: list[Atom], text: str) -> None:
    """`’23.10.2.(9.5. 지정)`: a yearless day in brackets right after a dated day is in its year."""
    for prev, a in zip(atoms, atoms[1:]):
        if (a.rule == "dot_month_day" and not a.y_own and a.span is None and prev.y_own and prev.d is not None
                and prev.span is None and re.fullmatch(r"[ \t]?\([ \t]?", text[prev.e:a.s])):
            a.y, a.y_own, a.relative = prev.y, True, prev.relative


def continue_months(atoms: list[Atom], text: str) -> None:
    """`5월 14일과 15일`, `4월 1일, 8일`: a bare day joined to a day whose month is written is in
    that month."""
    for prev, a in zip(atoms, atoms[1:]):
        if (a.rule == "ko_date" and a.d is not None and not a.m_own and a.span is None
                and prev.d is not None and prev.m is not None and prev.span is None
                and COORDINATED.fullmatch(text[prev.e:a.s])):
            a.y, a.m, a.m_own, a.relative = prev.y, prev.m, True, prev.relative
            a.y_own = prev.y_own


def continue_years(atoms: list[Atom], doc: Document, text: str) -> None:
    """'25.11월 | 12월 | '26.1월: a yearless month in a header row or a running list takes the written year
    of the period before it (a month lower than that one starts the next year)."""
    rows = [(r[0][0], r[-1][1]) for t in doc.tables for r in t.cells if r]
    row_of = {}
    for a in atoms:
        row_of[id(a)] = next((i for i, (s, e) in enumerate(rows) if s <= a.s < e), None)
    prev = None
    for a in atoms:
        if prev is not None:
            linked = (row_of[id(a)] is not None and row_of[id(a)] == row_of[id(prev)]) or LIST_SEP.fullmatch(text[prev.e:a.s])
            if linked and a.rule == "ko_date" and a.m_own and not a.y_own and a.span is None:
                a.y, a.y_own, a.relative = prev.y + (a.m < prev.m), True, prev.relative
        prev = a if a.m is not None and a.y_own and a.span is None else None


def _label_cell(text: str, pos: int) -> tuple[int, int] | None:
    """(line start, first cell's end) of the Markdown `| … |` row holding `pos`, or None."""
    ls = text.rfind("\n", 0, pos) + 1
    le = text.find("\n", pos)
    line = text[ls:le if le >= 0 else len(text)]
    if not line.lstrip().startswith("|"):
        return None
    bar = line.index("|")
    nxt = line.find("|", bar + 1)
    return (ls, ls + nxt) if nxt > 0 else None


def label_years(atoms: list[Atom], text: str) -> None:
    """| 2024년 | … | over | 1/4 분기 | … | 상반기 | … |: a yearless period labelling a Markdown row
    takes the year of the row label above it (a running list, downward). Pipe rows are no tables
    (README), so column_years, which does this for a table's cells, never sees them."""
    year, last = None, None
    for a in atoms:
        cell = _label_cell(text, a.s)
        if cell is None or a.e > cell[1] or text[cell[0]:a.s].strip(" \t|"):
            continue
        if last is None or not all(ln.lstrip().startswith("|") for ln in text[last:cell[0]].split("\n")[:-1]):
            year = None               # another table, or prose between
        if a.y_own and a.m is None and a.sub is None and a.span is None:
            year = a.y
        elif year is not None and not a.y_own and a.span is None and (a.m_own or a.sub):
            a.y, a.y_own, a.relative = year, True, False
        last = cell[0]


STACKED = re.compile(r"(?m)^(?P<days>[ \t]*(?:(?:1[0-2]|0?[1-9])\.(?:3[01]|[12]\d|0?[1-9])[ \t]+)+[^\n]*)\n(?P<wds>[^\n]*)$")
STACKED_DAY = re.compile(r"(?<![\d.])(?P<M>1[0-2]|0?[1-9])\.(?P<D>3[01]|[12]\d|0?[1-9])(?![\d.])")
STACKED_WD = re.compile(rf"\({SS}({WDC}){SS}\)")


def stacked_days(c: Ctx) -> list[Atom]:
    """A PDF row of days whose weekdays stand on the line below (2.9 3.16 ... / (월) (월) ...), one weekday each."""
    out = []
    if c.ref is None:
        return out
    for m in STACKED.finditer(c.text):
        days = list(STACKED_DAY.finditer(m.group("days")))
        wds = STACKED_WD.findall(m.group("wds"))
        if len(days) < 2 or len(days) != len(wds) or not re.fullmatch(r"[\s가-힣]*", STACKED_WD.sub("", m.group("wds"))):
            continue
        for d, w in zip(days, wds):
            s = m.start("days") + d.start()
            out.append(Atom(s, s + len(d.group()), rule="stacked_weekday", y=c.ref.year, m=int(d.group("M")),
                            d=int(d.group("D")), relative=True, m_own=True, wd=WEEKDAYS.index(w), near=c.ref))
    return out


COORDINATED = re.compile(r"[ \t]*(?:과|와|및|,|·|ㆍ|‧)[ \t]*(?:및[ \t]*)?")   # what joins two dates of one list


def extract(doc: Document, ref: date | None, ref_warning: str | None = None) -> list[dict]:
    """The rows of `doc`; `ref_warning` (the release date was not printed, `ref` is a guess) goes on every
    row resolved against `ref`."""
    text = doc.norm
    c = Ctx(text, ref, [(t.char_start, t.char_end) for t in doc.tables])
    atoms = choose(candidates(text, c) + table_atoms(doc, c) + stacked_days(c))
    atoms = join_years(coordinate(atoms, text), text)
    column_years(atoms, doc)
    continue_months(atoms, text)
    bracketed_days(atoms, text)
    continue_years(atoms, doc, text)
    label_years(atoms, text)
    atoms = merge_ranges(merge_glosses(atoms, text), text, c)
    rows = []
    recurring_end = None          # where the last recurring date ended: 매년 3~5월과 7~9월 recur both
    for a in atoms:
        r = resolve(a)
        if r is None:
            continue
        if not a.y_own and (before_word(text, a.s) in RECURRING or (
                recurring_end is not None and COORDINATED.fullmatch(text[recurring_end:a.s]))):
            recurring_end = a.e
            continue                                  # 매년 3~5월 recurs; it is no one date
        recurring_end = None
        start, end, gran, warning = r
        rows.append({
            "text": doc.text[a.s:a.e], "start": start, "end": end, "granularity": gran,
            "relative": bool(a.relative), "time": a.time if gran == "day" else None,
            "char_start": a.s, "char_end": a.e, "sentence": doc.sentences.at(a.s), "rule": a.rule,
            "warning": a.warning or warning or (ref_warning if a.relative else None),
        })
    return rows


# A day printed with its weekday and no year of its own (`2월 26일(목)`, `1.15.(목)`, the end of
# `2026. 6. 4.(목)~6. 7.(일)`), and the years a text names (`2026년`, `2027학년도`, `’26.`).
WEEKDAY_DAY = re.compile(r"(?<![\d.'])(?<![\d.'][ \t])(?<!년[ \t])(?<!년)(?P<M>1[0-2]|0?[1-9])[ \t]*(?:월|\.)[ \t]*"
                         r"(?P<D>3[01]|[12]\d|0?[1-9])[ \t]*(?:일|\.)?[ \t]*[(（][ \t]*(?P<W>[월화수목금토일])[ \t]*[)）]")
NAMED_YEAR = re.compile(r"(?<!\d)(?:(?P<Y>(?:19|20)\d\d)[ \t]*(?:년|학년도|회계연도|\.)|'(?P<YY>\d\d)(?=[ \t]*(?:년|\.|~)))")
FULL_DAY = re.compile(r"(?<!\d)(?:(?P<Y>20\d\d)|'(?P<YY>\d\d))[ \t]*[.년][ \t]*(?P<M>1[0-2]|0?[1-9])[ \t]*[.월][ \t]*(?P<D>3[01]|[12]\d|0?[1-9])(?!\d)")
TARGET_AFTER = re.compile(r"[ \t]*(?:년도?)?[ \t]*(?:까지|목표|[~∼-])")
TARGET_BEFORE = re.compile(r"[~∼-][ \t]?$")


def inferred_reference(text: str, today: date | None = None) -> tuple[date, str] | None:
    """For a release that prints no date of its own, a reference day and how it was found:
    - the first weekday-marked day (`2월 26일(목)`) in the year, among those next to the years its
      text names, whose calendar fits the most of its weekdays (ties: the year of the most full dates
      it prints, `'26.4.15.`, then the one nearest the latest year it tells of, the later of two);
    - naming no year, in the year nearest `today` whose calendar fits (a release is read after it
      is out, and a weekday's calendar comes back only every 5 to 11 years);
    - else the latest full date it prints (`2026.4.28.~5.18.`: a release's schedule is its own).
    None with none of these to go on."""
    text = fold(text)     # ’26 as '26
    days = [(int(m["M"]), int(m["D"]), WEEKDAYS.index(m["W"])) for m in WEEKDAY_DAY.finditer(text)]

    def named(m: re.Match) -> int:     # '99 in a career line is 1999
        return int(m["Y"]) if m["Y"] else two_digit_year(int(m["YY"]), today)

    found = [(named(m), m) for m in NAMED_YEAR.finditer(text)]
    full = [(named(m), int(m["M"]), int(m["D"])) for m in FULL_DAY.finditer(text)]

    def fits(y: int) -> list[tuple[int, int]]:
        out = []
        for mo, d, wd in days:
            try:
                if date(y, mo, d).weekday() == wd:
                    out.append((mo, d))
            except ValueError:
                pass
        return out

    year = None
    if days and found:
        # the latest year the text tells of (`2023년부터`, `2026년 현재`): a year in a range or a target
        # (`2023~2027년`, `2030년까지`) may lie ahead of the release, one it tells of does not, nor
        # does one after today
        told = [y for y, m in found if not (TARGET_AFTER.match(text, m.end()) or TARGET_BEFORE.search(text[max(0, m.start() - 2):m.start()]))
                and (today is None or y <= today.year)]
        latest = max(told or [y for y, _ in found])
        years = [f[0] for f in full]
        year, how = max(sorted({y + k for y, _ in found for k in (-1, 0, 1)}),
                        key=lambda y: (len(fits(y)), years.count(y), -abs(y - latest), y)), "the year its weekdays fit"
    elif days and today:
        year, how = max(range(today.year - 11, today.year + 2),
                        key=lambda y: (len(fits(y)), -abs(y - today.year))), "the year nearest today its weekdays fit"
    hits = fits(year) if year else []
    if hits and 2 * len(hits) >= len(days):
        return date(year, *hits[0]), how
    valid = []
    for y, mo, d in full:
        try:
            valid.append(date(y, mo, d))
        except ValueError:
            pass
    return (max(valid), "the latest full date it prints") if valid else None


def parse_date(text: str, ref: date | None) -> dict | None:
    """One short expression ('26.3, 25.12, 2026. 5. 28.) -> its row, or None.

    A bare `25.12` is read as a date (two-digit year . month), as in a date column.
    """
    core = text.strip().strip("()[]")
    doc = Document.from_text(core)
    rows = [r for r in extract(doc, ref) if r["char_start"] == 0]
    if rows:
        return max(rows, key=lambda r: r["char_end"])
    m = CELL.fullmatch(fold(core))
    if m:
        y = two_digit_year(int(m.group("Y")), ref)
        a = Atom(0, len(core), rule="table_date_column", y=y, m=int(m.group("M")), y_own=True,
                 d=int(m.group("D")) if m.group("D") else None)
        r = resolve(a)
        if r:
            return {"text": core, "start": r[0], "end": r[1], "granularity": r[2], "relative": False, "time": None,
                    "char_start": 0, "char_end": len(core), "rule": a.rule, "warning": r[3]}
    return None


def debug(text: str, ref: date | None = None) -> None:
    """Print which rule matched which span."""
    for r in extract(Document.from_text(text), ref):
        print(f"{r['char_start']:>5}-{r['char_end']:<5} {r['rule']:<24} {r['text']!r} -> {r['start']}..{r['end']} "
              f"{r['granularity']}{' rel' if r['relative'] else ''}{' ' + r['time'] if r['time'] else ''}"
              f"{' ! ' + r['warning'] if r['warning'] else ''}")
