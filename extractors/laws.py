"""Statute, decree and bill mentions of a release -> rows of the `laws` table (contract v1).

Two rules find names: `bracketed` (「」 『』 ｢｣ ‘’ '' "" and mismatched pairs such as ｢…」, the
name may wrap over a line or page break) and `bare` (a word ending in 법, 법률, 특별법, 시행령,
시행규칙 or 조례 whose start Kiwi finds; `bare_joined` when a short name takes the noun before
it, `bare_titled` when it runs back over `…에 관한 / …을 위한`, `bare_as_bracketed` when it is
the tail of a name the release bracketed, `bare_official` when the official list gives its
start, so the name keeps all its words: `사립학교 교직원 연금법`; `bare_coordinated` for the
first of two laws sharing a last word, `국가‧지방 공무원법`; `bare_decree` for `동법
시행령` and `및 시행령` after a law). The words around a name give `provisional` (가칭),
`action` and `action_date` (a row of the `dates` extractor in the parentheses after the
action, or the cell of a law table's action column); the action after a list of names
(`관련 법(전기사업법, 분산에너지특별법) 개정`) is every member's. `official_name` comes from the
official list shipped in `data/laws_official_names.tsv` (law.go.kr titles, MIT index) and the
short names of `data/laws_abbreviations.tsv`, plus a user's list. A name ending in 규정 (a 대통령령 such as ｢…에 관한 규정｣) is not a
law: the contract's endings leave it out, and 규정 is far more often a provision (행위제한규정).
The Korean words live in `extractors/data/laws_*`.

>>> [(r["name"], r["action"]) for r in extract(Document.from_text("개정 노조법과 관련하여"), [])]
[('노조법', '개정')]
>>> [(r["text"], r["name"]) for r in extract(Document.from_text("아울러 「석유\\n\\n화학특별법」 제정"), [])]
[('「석유\\n\\n화학특별법」', '석유화학특별법')]
>>> [r["name"] for r in extract(Document.from_text("해결 방법을 찾고 「제조 AI 2030 전략」을 수립"), [])]
[]
>>> [(r["name"], r["official_name"]) for r in extract(Document.from_text("국가‧지방 공무원법과 공정거래법"), [])]
[('국가공무원법', '국가공무원법'), ('지방 공무원법', '지방공무원법'), ('공정거래법', '독점규제 및 공정거래에 관한 법률')]
"""
from __future__ import annotations

import bisect

import unicodedata
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Iterator

import regex

from bodopress.extractors.document import Document
from bodopress.extractors.kiwi import tokenize_word
from bodopress.extractors.rules import Rule, run

DATA = Path(__file__).parent / "data"


def _words(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


SUFFIXES = sorted(_words("laws_suffixes.txt"), key=len, reverse=True)
GENERIC = set(_words("laws_generic.txt"))
NOT_LAW_WORDS = set(_words("laws_not_law_words.txt"))
NOT_LAW_ENDINGS = tuple(_words("laws_not_law_endings.txt"))
METHOD_ENDINGS = tuple(_words("laws_method_endings.txt"))
MODIFIERS = set(_words("laws_modifiers.txt"))
JOINABLE = set(_words("laws_joinable.txt"))
NEGATING_PREFIXES = set(_words("laws_negating_prefixes.txt"))
JOIN_WITH_SPACE = set(_words("laws_join_with_space.txt"))
ACTIONS = dict(ln.split("\t") for ln in _words("laws_actions.tsv"))

# --- named fragments -------------------------------------------------------------------
ENDS_LAW = regex.compile("(?:" + "|".join(map(regex.escape, SUFFIXES)) + r")$")
FOOTER_LINE = regex.compile(r"^\s*(?:-\s*\d+\s*-|\d+\s*/\s*\d+)?\s*$")  # blank or `- 2 -` between halves
TRAILING_NOTE = regex.compile(r"\s*\((?P<note>[^()]{1,12})\)$")      # 「…규정(대통령령)」, 「…법(가칭)」
PROVISIONAL_INSIDE = regex.compile(r"^\s*\(?가칭\)?\s*")
PROVISIONAL_BEFORE = regex.compile(r"(?:가칭|\(가칭\))\s*$")
PROVISIONAL_AFTER = regex.compile(r"^\s*\(가칭\)")
MIDDLE_DOTS = regex.compile(r"[·ㆍ‧・∙•]")

# Bracket pairs: any corner bracket closes any corner bracket (releases mix ｢…」); quotes
# close quotes. An apostrophe before a digit is a year ('26.3), never an opening quote.
CORNER_OPEN, CORNER_CLOSE = "「『｢", "」』｣"
QUOTE_OPEN, QUOTE_CLOSE = "‘'\"“", "’'\"”"
BRACKETED = regex.compile(
    rf"(?P<open>[{CORNER_OPEN}])(?P<body>[^{CORNER_OPEN}{CORNER_CLOSE}]{{1,160}}?)(?P<close>[{CORNER_CLOSE}])"
    rf"|(?P<open>[{QUOTE_OPEN}])(?!\d)(?P<body>[^{QUOTE_OPEN}{QUOTE_CLOSE}{CORNER_OPEN}{CORNER_CLOSE}]{{1,100}}?)"
    rf"(?P<close>[{QUOTE_CLOSE}])")
BILL = regex.compile(r"\s*(?:일부|전부)?\s*개정\s*(?:법률|령)?안$|(?<=법|법률|령|규칙)안$")
MAX_BREAKS = 4   # a wrapped name spans a few lines at most
FOOTNOTE_MARK = regex.compile(r"\s*(?:[*※]+|\d\))$")          # 「가칭시민참여기본법*」
ACT_NUMBER = regex.compile(r"^제?\d+(?:호|조|항)?$")
LIST_MARKER = regex.compile(r"^(?:#+\s*)?(?:\d{1,2}[.)]|[<(]\d{1,2}[>)]|[oㅇ○●□■◦▪\-*•])\s+")

_ACT = "|".join(regex.escape(a).replace(r"\ ", r"\s*") for a in sorted(ACTIONS, key=len, reverse=True))
ACTION_WORD = regex.compile(    # 개정, 일부개정령안, 전부개정법률안이
    r"(?:일부|전부)?(?P<act>" + _ACT
    + r")(?P<tail>법률안|령안|안)?(?=$|[^가-힣]|[을를이가은는에과와도로으하한했된됐되할될함후전중일및시])")
CHAINED_ACTIONS = regex.compile(r"(?:[·ㆍ‧・]\s*(?:" + _ACT + r"))*\*?")   # 개정‧시행*('23.3)
ACTION_NOTE = regex.compile(   # (시행: 2027년 1월 1일); (’25.1.17. 시행), (’25.12.30. 제정, ‘26.12.31. 시행 예정); 제20조의4(2012.6.29. 시행)
    r"(?:\s*제\d+조(?:의\d+)?(?:\s*제\d+항)?(?:\s*[·ㆍ‧,]\s*제\d+조(?:의\d+)?(?:\s*제\d+항)?)*)?"
    r"\s*\(\s*(?:(?P<act>" + _ACT + r")\s*[:：]\s*(?P<when>[^()]{1,30})"
    r"|(?P<when2>['’‘]?\d{2,4}\.\s?\d{1,2}\.(?:\s?\d{1,2}\.)?)\s*(?P<act2>" + _ACT + r"))[,)\s]")
# What may stand between a name and its action word: particles, 국회/본회의, a parenthetical
# such as (이하 ‘공정거래법’), a table superscript `^{`, date rows (removed beforehand), article
# numbers (`노조법 2·3조 개정`) and the amending formula `… 일부를 다음과 같이 개정한다`.
ACTION_GAP = regex.compile(r"(?:\s|(?:일부|전부)를\s*다음과\s*같이|제?\d+(?:\s*[·ㆍ‧,]\s*제?\d+)*\s*조(?:의\d+)?|안|상|등|을|를|이|가|은|는|도|의|에서|에|만|과|와|으로|로|국회|본회의|대표|\^\{|\d+\s*(?:건|개)(?:\s*(?:법안|법률안))?\s*,?"
                        r"|\([^()]{0,40}\))*")
PREDICATE = regex.compile(r"(?P<act>통과|발의|공포)(?:했|하였|됐|되었|된|한)")   # what befell a bill, in the past
ACTION_BEFORE = regex.compile(
    r"(?P<act>" + "|".join(regex.escape(a) for a in sorted(ACTIONS, key=len, reverse=True))
    + r")(?:된|한|될|할|되는|하는|중인)?\s+$")
ACTION_WINDOW = 40
LIST_JOINER = regex.compile(r"\s*(?:,|및|과|와|[·ㆍ‧])\s*")   # 「A법」, B법 및 C법
LIST_CLOSE = regex.compile(r"\s*(?:등)?\s*\)")

# Inside one word every token before the law word is part of the name, whatever Kiwi calls it
# (통상/MAG 변화 대응 법): only particles, endings, verbs and brackets end the run.
CHAIN_TAGS = {"NNG", "NNP", "NNB", "NR", "NP", "SL", "SN", "SH", "XSN", "XPN", "MAG", "MM"}
NOUN_TAGS = {"NNG", "NNP", "SL", "SN", "SH", "XSN"}
STOP_FOLLOWERS = {"NNG", "NNP", "NNB", "NR", "SL", "SN", "SH", "XSN"}   # 위법행위, 적용법조, 법적
TITLE_PARTICLES = {"JKB", "JKO", "JKG", "JC"}   # 에, 을/를, 의, 과/와 inside a title
TITLE_VERBS = {"관하", "위하", "대하"}   # …에 관한 법률, …을 위한 특별법
INNER_TITLE_VERBS = TITLE_VERBS | {"따르", "의하"}   # 공공기관 지방이전에 따른 혁신도시 … 특별법
TITLED_HEADS = ("법률", "특별법", "특례법", "조치법", "기본법", "조례")   # …에 관한 법률; `…을 위한 학원법` is a phrase and a
# name, unless the official list has the whole (장애인 등에 대한 특수교육법)
TITLED_ONLY = ("조례",)   # bare 주민조례, 참고조례 are kinds of ordinance; a named one is titled or bracketed
ANAPHOR = "|".join(regex.escape(w).replace(r"\ ", r"\s*") for w in _words("laws_anaphors.txt"))
DECREE_WORD = regex.compile(r"(?:(?<![가-힣])(?P<same>" + ANAPHOR + r")\s*|(?<![가-힣]))(?P<decree>시행령|시행규칙)(?![가-힣]{2})")
DECREE_LINK = regex.compile(r"^[^.。]{0,40}?(?:\s및|[과와]|,)\s*$")
SHORT_NAME = 3   # 활력법, 노조법: too short to stand alone when a plain noun precedes them


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str
    rule: str
    provisional: bool = False


# --- helpers ---------------------------------------------------------------------------
def _squash(s: str) -> str:
    return "".join(s.split())


def join_lines(s: str) -> str:
    """A name's text with its line/page breaks closed up: no space inside a word, one after 및/관한."""
    lines = s.split("\n")
    parts = [lines[0]] + [ln for ln in lines[1:-1] if not FOOTER_LINE.match(ln)] + ([lines[-1]] if len(lines) > 1 else [])
    out = parts[0].rstrip()
    for nxt in parts[1:]:
        nxt = nxt.strip()
        if not nxt:
            continue
        last = out.split()[-1] if out.split() else ""
        spaced = (last in JOIN_WITH_SPACE or last.endswith("에") or not out
                  or not ("가" <= out[-1] <= "힣" and "가" <= nxt[0] <= "힣"))
        out = out + (" " if spaced and out else "") + nxt
    return " ".join(out.split())


def law_key(name: str) -> str:
    """Comparison key for official names: NFC, one middle dot, no spaces."""
    return _squash(MIDDLE_DOTS.sub("ㆍ", unicodedata.normalize("NFC", name)))


class LawNames:
    """Official law names, so that a row's `official_name` is filled and a bare name's start is known.

    `LawNames.official()` is the list shipped in `data/laws_official_names.tsv` (law.go.kr titles,
    MIT index) with the short names of `data/laws_abbreviations.tsv`; `bodo ingest --law-names FILE`
    adds a user's list to it (`plus`). One name a line ('#' comments skipped); a TSV's first column
    is the name.
    >>> LawNames(["독점규제 및 공정거래에 관한 법률"]).match("독점규제 및 공정거래에 관한  법률")
    '독점규제 및 공정거래에 관한 법률'
    >>> LawNames.official().match("공정거래법")
    '독점규제 및 공정거래에 관한 법률'
    """

    def __init__(self, names, abbreviations=()):
        self._by_key: dict[str, str] = {}
        for n in names:
            self._by_key.setdefault(law_key(n), n.strip())
        self._short = {law_key(a): full for a, full in abbreviations}
        self._by_tail: dict[str, list[tuple[str, str]]] = {}   # last two letters -> (key, name), longest first
        for key, name in sorted(self._by_key.items(), key=lambda kv: -len(kv[0])):
            self._by_tail.setdefault(key[-2:], []).append((key, name))
        self._ending: dict[str, list[str]] = {}

    @staticmethod
    def _read(path) -> list[str]:
        names = []
        for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
            name = line.split("\t")[0].strip()
            if name and not name.startswith("#") and name != "name":
                names.append(name)
        return names

    @classmethod
    def from_file(cls, path) -> "LawNames":
        return cls(cls._read(path))

    @classmethod
    @cache
    def official(cls) -> "LawNames":
        short = [ln.split("\t") for ln in _words("laws_abbreviations.tsv")]
        return cls(cls._read(DATA / "laws_official_names.tsv"), short)

    def plus(self, other: "LawNames | None") -> "LawNames":
        if other is None:
            return self
        return LawNames(self.names() + other.names(), list(self._short.items()) + list(other._short.items()))

    def __len__(self) -> int:
        return len(self._by_key)

    def names(self) -> list[str]:
        return list(self._by_key.values())

    def ending_with(self, name: str) -> list[str]:
        """Official names longer than `name` that end with it, longest first (교직원 연금법 ->
        사립학교교직원 연금법)."""
        key = law_key(name)
        if key not in self._ending:
            self._ending[key] = [n for k, n in self._by_tail.get(key[-2:], ()) if len(k) > len(key) and k.endswith(key)]
        return self._ending[key]

    def match(self, name: str) -> str | None:
        for key in (law_key(name), law_key(TRAILING_NOTE.sub("", name))):
            found = self._by_key.get(key) or self._by_key.get(self._short.get(key, "") and law_key(self._short[key]))
            if found:
                return found
        return None


LAW_HINT = regex.compile(r"법|시행령|시행규칙|조례")


class Tokens:
    """The release's Kiwi tokens (its one analysis pass), searchable by offset."""

    def __init__(self, doc: Document):
        self.text = doc.text
        self.toks = doc.analysis.tokens()

    def __len__(self):
        return len(self.toks)

    def __getitem__(self, i):
        return self.toks[i]

    def end(self, i: int) -> int:
        return self.toks[i].end

    def contiguous(self, i: int, j: int) -> bool:
        return 0 <= i < len(self.toks) and 0 <= j < len(self.toks) and self.end(i) == self.toks[j].start

    def gap(self, i: int, j: int) -> str:
        return self.text[self.end(i):self.toks[j].start]


def _last_token(name: str) -> str:
    toks = [t for t in tokenize_word(name) if t.tag.startswith(("NN", "XPN", "XSN", "SL", "SN", "SH"))]
    return toks[-1].form if toks else name


def is_law_name(name: str, last_token: str | None = None) -> bool:
    """Ends like a law, is not a word about laws, and its 법 is not a method (방법, 해법)."""
    flat = _squash(name)
    if not ENDS_LAW.search(flat) or len(flat) < 2 or flat.endswith(NOT_LAW_ENDINGS):
        return False
    if flat in GENERIC or MIDDLE_DOTS.split(flat)[-1] in GENERIC:   # 수사·법률 (지원)
        return False
    # A method word after a noun phrase (얼룩 제거법, 전문가대체법) is one whatever Kiwi splits off;
    # an official name ending like one (우편법) stays a law.
    if flat.endswith(METHOD_ENDINGS) and LawNames.official().match(name) is None:
        return False
    # Kiwi reads a word differently alone and in context (접속방/법 vs 접속/방법): ask both.
    return last_token not in NOT_LAW_WORDS and _last_token(name) not in NOT_LAW_WORDS


# --- rules -----------------------------------------------------------------------------
def find_bracketed(doc: Document, toks: Tokens) -> Iterator[Mention]:
    """「대미투자특별법」, ‘반도체특별법’, ｢석유\\n화학…규정」: the name is the whole inside."""
    text, pos = doc.text, 0
    while (m := BRACKETED.search(text, pos)) is not None:
        pos = m.start() + 1              # overlapping search: a failed ' may open nothing
        body = m.group("body")
        if body.count("\n") > MAX_BREAKS or "\t" in body:
            continue
        name = FOOTNOTE_MARK.sub("", join_lines(body))
        provisional = bool(PROVISIONAL_INSIDE.match(name) and "가칭" in name[:4])
        name = PROVISIONAL_INSIDE.sub("", name) if provisional else name
        note = TRAILING_NOTE.search(name)
        if note and note.group("note").strip() == "가칭":
            provisional, name = True, name[:note.start()]
        core = name[:note.start()] if note else name
        if not (is_law_name(core) or (note and is_law_name(name))):
            bill = BILL.sub("", core)         # 「…발전법안」, 「해운법 일부개정법률안」: the bill of that law
            if bill == core or not is_law_name(bill):
                continue
            name = bill
        yield Mention(m.start(), m.end(), name, "bracketed", provisional)
        pos = m.end()


def _chain_start(toks: Tokens, i: int) -> int:
    """First token of the unbroken run of nouns that ends at token i (대미+투자+특별법, 고용·산재
    보험법); a law before a middle dot is a list's member of its own (근로기준법·최저임금법)."""
    j = i
    while j > 0 and toks.contiguous(j - 1, j) and (
            toks[j - 1].tag in CHAIN_TAGS or (toks[j - 1].tag in ("SP", "SO", "SW") and toks[j - 1].form in "·ㆍ‧-.")):
        if toks[j - 1].tag in ("SP", "SO", "SW") and j > 1 and ENDS_LAW.search(toks[j - 2].form):
            break
        j -= 1
    while j < i and toks[j].tag in ("SP", "SO", "SW"):
        j += 1
    return j


def _word_before(toks: Tokens, j: int) -> tuple[int, int] | None:
    """Token range (a, b) of the plain-noun word right before token j, across one space or wrap."""
    b = j - 1
    if b < 0:
        return None
    gap = toks.gap(b, j)
    if not gap or gap.strip() or "\t" in gap or gap.count("\n") > 1:
        return None
    a = _chain_start(toks, b)
    if any(toks[k].tag not in NOUN_TAGS for k in range(a, b + 1)) or toks.end(b) - toks[a].start < 2:
        return None   # only a plain noun of two letters or more (not the bullet `o`)
    return a, b


def _titled_start(toks: Tokens, j: int) -> int | None:
    """Start token of `X 및 Y 등에 관한` before token j, or None when j is not preceded by one."""
    def title_verb(k: int, verbs=INNER_TITLE_VERBS) -> bool:     # 관한, 위한 (Kiwi: 관하/VV + ᆫ/ETM)
        return k >= 1 and toks[k].tag == "ETM" and toks[k - 1].tag == "VV" and toks[k - 1].form in verbs

    if not title_verb(j - 1, TITLE_VERBS):
        return None
    start, k = None, j - 3
    while k >= 0:
        gap = toks.gap(k, k + 1)
        tag, form = toks[k].tag, toks[k].form
        if "\t" in gap or gap.count("\n") > 1 or ("\n" in gap and tag not in TITLE_PARTICLES | {"MAG", "NNB"}):
            break   # a line ending in a noun is a heading or a cell (제정안 / 지방대학 …), not a wrap
        if title_verb(k):
            k -= 2
        elif tag in ("NNB", "NR"):   # 등
            k -= 1
        elif tag in NOUN_TAGS:
            a = _chain_start(toks, k)
            word = _squash(toks.text[toks[a].start:toks.end(k)])
            if word in MODIFIERS or word in GENERIC or ACT_NUMBER.match(word):   # 법률 제21446호
                break
            start, k = a, a - 1
        elif tag in TITLE_PARTICLES or (tag == "MAG" and form == "및") or form in "·ㆍ‧":
            k -= 1
        else:
            break
    return start


def find_bare(doc: Document, toks: Tokens) -> Iterator[Mention]:
    """공정거래법상, 개정 노조법, 기업 활력법, 화학물질 등록 및 평가 등에 관한 법률: Kiwi finds the start."""
    text = doc.text
    for i in range(len(toks)):
        t = toks[i]
        if t.tag not in ("NNG", "NNP"):
            continue
        end = toks.end(i)
        bill = t.form.endswith("법안")
        if bill:          # 반도체특별법안 -> 반도체특별법 (the bill of that law)
            end -= 1
        elif not ENDS_LAW.search(text[max(0, end - 4):end]):
            continue
        if toks.contiguous(i, i + 1) and toks[i + 1].tag in STOP_FOLLOWERS and toks[i + 1].form not in ("상",):
            continue
        j = _chain_start(toks, i)
        if bill and j == i:
            continue
        if toks[j].tag == "XPN" and toks[j].form in NEGATING_PREFIXES:
            continue      # 반헌법 행위
        provisional = toks[j].form == "가칭" and j < i     # 가칭시민참여기본법
        if provisional:
            j += 1
        start, rule = toks[j].start, "bare"
        word = _squash(text[start:end])
        last = t.form[:-1] if bill else t.form
        if last in NOT_LAW_WORDS:
            continue
        if (ts := _titled_start(toks, j)) is not None and (
                word.endswith(TITLED_HEADS) or LawNames.official().match(text[toks[ts].start:end])):
            start, rule = toks[ts].start, "bare_titled"
        elif word in JOINABLE or (word not in GENERIC and sum("가" <= c <= "힣" for c in word) <= SHORT_NAME):
            before = _word_before(toks, j)
            if before and _squash(text[toks[before[0]].start:toks.end(before[1])]) not in MODIFIERS:
                start, rule = toks[before[0]].start, "bare_joined"
        if marker := LIST_MARKER.match(text[start:end]):
            start += marker.end()
        name = join_lines(text[start:end])
        if not is_law_name(name, last) or (name.endswith(TITLED_ONLY) and rule != "bare_titled"):
            continue
        if last == "사법" and not LawNames.official().match(name):
            continue      # 소년사법, 형사사법: the judiciary (국제사법, 관세사법 are on the official list)
        yield Mention(start, end, name, rule, provisional)


# Rules that find their own matches (Kiwi's tokens decide a bare name's start): each is run
# with (doc, tokens); a mention's `rule` is its finder's finer name (bare_joined, bare_titled …).
RULES = (
    Rule("bracketed", None, lambda ctx: find_bracketed(*ctx)),
    Rule("bare", None, lambda ctx: find_bare(*ctx)),
)


# --- attributes ------------------------------------------------------------------------
def _dates_in(dates: list[dict], start: int, end: int) -> list[dict]:
    return [d for d in dates if start <= d["char_start"] and d["char_end"] <= end]


def _mask_dates(text: str, dates: list[dict], offset: int) -> str:
    """The window with date rows blanked out, so `국회 통과('25.12)` and `'25.12월 제정` read alike."""
    chars = list(text)
    for d in dates:
        for k in range(max(d["char_start"], offset), min(d["char_end"], offset + len(text))):
            chars[k - offset] = " "
    return "".join(chars)


def list_end(doc: Document, found: list[Mention], k: int) -> int:
    """Where the list holding mention k ends: `A법, B법 개정` -> after B법; `관련 법(A법, B법)
    개정` -> after the `)`. The action after a list is every member's."""
    text, i, j = doc.text, k, k
    while j + 1 < len(found) and LIST_JOINER.fullmatch(text[found[j].end:found[j + 1].start]):
        j += 1
    while i > 0 and LIST_JOINER.fullmatch(text[found[i - 1].end:found[i].start]):
        i -= 1
    close = LIST_CLOSE.match(text, found[j].end, found[j].end + 8)   # endpos: `regex` scans to it
    if close and regex.search(r"\(\s*$", text[max(0, found[i].start - 4):found[i].start]):
        return close.end()
    return found[j].end


def _wrapped(doc: Document, start: int, nl: int) -> bool:
    """The line break at `nl`, after a name at `start`, wraps a sentence of running text: words
    stand before the name on its line (not a heading), the line after starts no item (bullet,
    number, note mark) and neither line is a table row."""
    nxt = doc.text[nl + 1:nl + 40]
    line_start = doc.text.rfind("\n", 0, nl) + 1
    return bool(doc.text[line_start:start].strip()) and bool(nxt.strip()) and not nxt[:1].isspace() and not LIST_MARKER.match(nxt) and nxt[:1] not in "※*<[(【" \
        and "\t" not in doc.text[line_start:nl] and "\t" not in nxt.split("\n")[0] \
        and not any(t.char_start <= nl < t.char_end for t in doc.tables)


def action_after(doc: Document, m: Mention, dates: list[dict], end: int | None = None):
    """`「X법」을 제정('26.3)`, `X법 국회 통과`, `X법이 국회 본회의를 통과`, `반도체특별법 ^{제정}`;
    `end` is where the list holding the name ends, when it stands in one."""
    m = replace(m, end=end or m.end)
    stop = doc.text.find("\n", m.end)
    if stop >= 0 and _wrapped(doc, m.start, stop):     # `… 아동수당법\n개정*에 따른`: the sentence goes on
        stop = doc.text.find("\n", stop + 1)
    stop = min(m.end + ACTION_WINDOW, len(doc.text) if stop < 0 else stop)
    note = ACTION_NOTE.match(doc.text, m.end, m.end + 48)
    if note:
        k = "" if note.group("act") else "2"
        when = _dates_in(dates, note.start("when" + k), note.end("when" + k))
        return ACTIONS[" ".join(note.group("act" + k).split())], (when[0]["start"] if when else None)
    window = _mask_dates(doc.text[m.end:stop], dates, m.end)
    gap = ACTION_GAP.match(window)
    act = ACTION_WORD.match(window, gap.end())
    if act is None:
        return None
    action = ACTIONS[" ".join(act.group("act").split())]
    a_end = m.end + act.end()
    if act.group("tail"):       # `2개 제정법률안과 … 국회 본회의를 통과했다`: the bill's kind, then what befell it
        stop = doc.text.find("\n", a_end)
        done = PREDICATE.search(doc.text, a_end, min(a_end + 120, len(doc.text) if stop < 0 else stop))
        if done:
            when = _dates_in(dates, a_end, done.start())
            return ACTIONS[done.group("act")], (when[-1]["start"] if when else None)
        gap = regex.match(r"\s*(?:\([^()]{0,40}\))?\s*(?:[을를이가]\s+)?", doc.text[a_end:a_end + 48])
        then = ACTION_WORD.match(doc.text, a_end + gap.end())
        if then and not then.group("tail"):   # 일부개정법률안(제21580호) 시행을 앞두고: what befalls the bill
            b_end = then.end()
            after = regex.match(r"\s*\([^()]{1,60}\)", doc.text[b_end:b_end + 64])
            when = _dates_in(dates, b_end, b_end + after.end()) if after else []
            return ACTIONS[" ".join(then.group("act").split())], (when[0]["start"] if when else None)
    a_end = CHAINED_ACTIONS.match(doc.text, a_end, a_end + 24).end()
    when = _dates_in(dates, m.end, m.end + act.start())          # '26.3월 제정
    after = regex.match(r"\s*\([^()]{1,60}\)", doc.text[a_end:a_end + 64])   # (법률 제21075호, 2025. 11. 11. 공포, …)
    if after:
        when = _dates_in(dates, a_end, a_end + after.end()) or when   # 제정('26.3)
    if not when:                # 2024년 2월 「고등교육법 시행령」 개정으로: the date just before the name
        when = [d for d in dates if d["char_end"] <= m.start and not doc.text[d["char_end"]:m.start].strip(" \t")]
    return action, (when[0]["start"] if when else None)


def action_before(doc: Document, m: Mention, dates: list[dict]):
    """`개정 노조법`, `국회를 통과한 X법`, `공포된 X법`."""
    head = doc.text[max(0, m.start - 12):m.start]
    if "\n" in head:
        head = head[head.rfind("\n") + 1:]
    if PROVISIONAL_BEFORE.search(head):
        head = PROVISIONAL_BEFORE.sub("", head)
    b = ACTION_BEFORE.search(head)
    if b is None:
        return None
    action = ACTIONS[b.group("act")]
    a_start = m.start - len(head) + b.start()
    when = [d for d in dates if a_start - 4 <= d["char_end"] <= a_start]
    return action, (when[-1]["start"] if when else None)


def action_from_table(doc: Document, m: Mention, dates: list[dict]):
    """A law table (`법안명 | 주요내용 | 국회 통과`): the action column's date in the law's row."""
    for t in doc.tables:
        if not (t.char_start <= m.start < t.char_end) or not t.cells:
            continue
        header = [doc.text[s:e] for s, e in t.cells[0]]
        cols = [(k, ACTIONS.get(" ".join(h.split()).removesuffix("일").strip())) for k, h in enumerate(header)]
        cols = [(k, a) for k, a in cols if a]
        for spans in t.cells if cols else ():
            if not spans[0][0] <= m.start <= spans[-1][1]:
                continue
            for k, action in cols:
                if k < len(spans) and not (spans[k][0] <= m.start < spans[k][1]):
                    when = _dates_in(dates, *spans[k])
                    if when:
                        return action, when[0]["start"]
            return None
        return None
    return None


def _provisional(doc: Document, m: Mention) -> bool:
    head = doc.text[max(0, m.start - 8):m.start]
    return m.provisional or bool(PROVISIONAL_BEFORE.search(head) or PROVISIONAL_AFTER.match(doc.text[m.end:m.end + 8]))


# --- the extractor ---------------------------------------------------------------------
def mentions(doc: Document, law_names: "LawNames | None" = None) -> list[Mention]:
    """Every law mention, bracketed ones first claiming their span, in text order."""
    if not LAW_HINT.search(doc.text):     # every law name ends in one of these: no Kiwi needed
        return []
    toks = Tokens(doc)
    found: list[Mention] = []
    claimed: list[tuple[int, int]] = []          # disjoint spans, sorted: one bisect per mention
    for _rule, m in run(RULES, doc.text, (doc, toks)):
        i = bisect.bisect_left(claimed, (m.end, -1))
        if i and claimed[i - 1][1] > m.start:
            continue
        found.append(m)
        bisect.insort(claimed, (m.start, m.end))
    found.sort(key=lambda m: m.start)
    found = _with_decrees(doc, _coordinated(doc, _with_full_names(doc, found, law_names), law_names), toks)
    return sorted(found + list(_decrees_of_named(doc, found)), key=lambda m: m.start)


def _match_back(text: str, pos: int, prefix: str) -> int | None:
    """Start of `prefix` written (with any spacing) right before `pos`, or None."""
    i = pos
    for ch in reversed(prefix):
        while i > 0 and text[i - 1] in " \n":
            i -= 1
        if i == 0 or MIDDLE_DOTS.sub("ㆍ", text[i - 1]) != MIDDLE_DOTS.sub("ㆍ", ch):
            return None
        i -= 1
    return i


def _ends_with_words(full: str, part: str) -> bool:
    """`상환 특별법` is the last words of `취업 후 학자금 상환 특별법`; `거래법` is not of `공정거래법`."""
    words = full.split()
    return any(_squash(" ".join(words[k:])) == _squash(part) for k in range(1, len(words)))


def _with_full_names(doc: Document, found: list[Mention], law_names: "LawNames | None") -> list[Mention]:
    """`학자금 상환 특별법` after 「취업 후 학자금 상환 특별법」: a bare name that is the last words
    of a name the release bracketed is that law; a bare name whose whole official name (in the
    user's list) stands written before it takes that start. Kiwi alone cannot tell where an
    unbracketed `어린이놀이시설 안전관리법` starts."""
    bracketed = {_squash(m.name): m.name for m in found if m.rule == "bracketed"}
    out = []
    for m in found:
        flat = _squash(m.name)
        if m.rule.startswith("bare") and flat not in bracketed:
            for key, name in sorted(bracketed.items(), key=lambda kv: -len(kv[0])):
                rest = key[:len(key) - len(flat)]
                if not rest or not key.endswith(flat):
                    continue
                whole = _match_back(doc.text, m.start, rest)                 # 한국교직원\n공제회법
                if whole is None and not _ends_with_words(name, m.name):    # 공정거래법 is not 거래법
                    continue
                starts = (_match_back(doc.text, m.start, rest[-n:]) for n in range(len(rest), 0, -1))
                start = whole if whole is not None else next((b for b in starts if b is not None), m.start)
                m = replace(m, start=start, name=name, rule="bare_as_bracketed")
                break
            else:   # the name keeps the words as written: 국가‧지방 공무원법 -> `지방 공무원법`
                for name in law_names.ending_with(m.name) if law_names else ():
                    key = law_key(name)
                    start = _match_back(doc.text, m.start, key[:len(key) - len(law_key(m.name))])
                    if start is not None and not (start and doc.text[start - 1].isalnum()):
                        m = replace(m, start=start, name=join_lines(doc.text[start:m.end]), rule="bare_official")
                        break
        out.append(m)
    return out


COORDINATED = regex.compile(r"(?<![가-힣A-Za-z0-9])(?P<first>[가-힣]{1,8})[·ㆍ‧・]\s?$")


def _coordinated(doc: Document, found: list[Mention], law_names: "LawNames | None") -> list[Mention]:
    """`국가‧지방 공무원법` names two laws that share their last word: 국가공무원법 (its row spans the
    whole phrase) and 지방공무원법 (the words as written). A member that is a law name of its own
    (`근로기준법·최저임금법`) makes a list, not a coordination; a glued `고용·산재보험법`, where
    nothing says which letters are shared, stays one name."""
    out = []
    for m in found:
        c = COORDINATED.search(doc.text, max(0, m.start - 10), m.start) if m.rule.startswith("bare") else None
        words = m.name.split()
        if c and len(words) > 1 and not ENDS_LAW.search(c.group("first")):
            first = " ".join([c.group("first")] + words[1:])
            official = law_names.match(first) if law_names else None
            out.append(replace(m, start=c.start(), name=official or first, rule="bare_coordinated"))
        out.append(m)
    return out


def _with_decrees(doc: Document, found: list[Mention], toks: Tokens) -> list[Mention]:
    """`국가재정법 시행령`, `「근로기준법」 시행규칙`: the decree of the law just named is one name."""
    out: list[Mention] = []
    for m in found:
        tail = regex.match(r"[ \t]?(시행령|시행규칙)(?![가-힣]{2})", doc.text[m.end:m.end + 6])
        if tail and not any(o.start >= m.end and o.start < m.end + tail.end() for o in found):
            m = replace(m, end=m.end + tail.end(), name=f"{m.name} {tail.group(1)}")
        out.append(m)
    return out


def _decrees_of_named(doc: Document, found: list[Mention]) -> Iterator[Mention]:
    """`석유화학특별법 국회 통과('25.12) 및 시행령 제정('26.4)`: a bare 시행령 joined by 및/과/,
    to the law named just before it on the same line is that law's decree; `동법 시행령` is the
    decree of the last law named before it, wherever that stands."""
    for d in DECREE_WORD.finditer(doc.text):
        if any(m.start <= d.start("decree") < m.end for m in found):
            continue
        before = [m for m in found if m.end <= d.start()]
        laws = [m for m in before if not m.name.endswith(("시행령", "시행규칙"))]
        if not laws:
            continue
        gap = doc.text[before[-1].end:d.start()]
        if d.group("same") or (before[-1] is laws[-1] and "\n" not in gap
                               and DECREE_LINK.search(regex.sub(r"\([^()]*\)", "", gap))):
            yield Mention(d.start(), d.end(), f"{laws[-1].name} {d.group('decree')}", "bare_decree")


@lru_cache(maxsize=4)
def _with_official(user: LawNames | None) -> LawNames:
    """The shipped list plus the user's, built once per user list (a run extracts many releases)."""
    return LawNames.official().plus(user)


def extract(doc: Document, dates: list[dict], law_names: LawNames | None = None) -> list[dict]:
    """Rows of the `laws` table; `law_names` (the user's list) adds to the shipped official list."""
    law_names = _with_official(law_names)
    rows = []
    found_all = mentions(doc, law_names)
    for k, m in enumerate(found_all):
        found = (action_from_table(doc, m, dates) or action_after(doc, m, dates, list_end(doc, found_all, k))
                 or action_before(doc, m, dates))
        action, when = found if found else (None, None)
        rows.append({
            "text": doc.text[m.start:m.end],
            "name": m.name,
            "provisional": _provisional(doc, m),
            "action": action,
            "action_date": when,
            "official_name": law_names.match(m.name),
            "char_start": m.start,
            "char_end": m.end,
            "sentence": doc.sentences.at(m.start),
            "rule": m.rule,
        })
    return rows


def debug(text: str) -> list[tuple[str, str, str, str | None]]:
    """(rule, text, name, action) of each mention in a loose string, for a person to read."""
    return [(r["rule"], r["text"], r["name"], r["action"]) for r in extract(Document.from_text(text), [])]
