"""Kiwi, built once per process on first use, and one analysis pass per release: sentences and tokens.

Kiwi's own splitter reads the apostrophe of `'25` as an opening quote and does not break
at line ends or bullets, so the layout is split first (bullets, blank lines, table rows)
and Kiwi reads each paragraph once, its line breaks and year apostrophes masked with
spaces (same length, so offsets hold). That one call yields both the paragraph's
sentences and its tokens; a paragraph is analysed only when an extractor asks for
either, and never twice.

>>> a = Analysis(text := "□ 우리 수출이 지난해보다 크게 늘었다. 정부는 올해도 지원을 계속한다.\\n○ '25년 실적")
>>> [text[s:e] for s, e in a.sentence_spans()]
['□ 우리 수출이 지난해보다 크게 늘었다.', '정부는 올해도 지원을 계속한다.', "○ '25년 실적"]
>>> [(t.form, t.tag) for t in a.tokens_in(0, 9)][:3]
[('□', 'SW'), ('우리', 'NP'), ('수출', 'NNG')]
"""
from __future__ import annotations

import bisect
import threading
from functools import lru_cache
from typing import NamedTuple

import regex

_lock = threading.RLock()
_kiwi = None

# A line that opens a new paragraph: a bullet, a numbered or bracketed heading.
BULLET = regex.compile(r"^\s*(?:[□■○●◦ㅇ◎◇◆▶▷►※*•·\-–—①-⑳❶-❿➀-➉]|\d+[.)]\s|[<〈【\[(]\s*\S)")
YEAR_QUOTE = regex.compile(r"['‘’`](?=\d)")
SHORT = 40   # a paragraph shorter than this is one sentence


class Token(NamedTuple):
    form: str
    tag: str
    start: int   # offset into the analysed text
    len: int

    @property
    def end(self) -> int:
        return self.start + self.len


def kiwi():
    """The process's Kiwi instance (≈1–2 s and ≈500 MB on first use)."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi
                # Edited government prose needs neither the typo model nor the multi-word
                # dictionary; without them Kiwi is ready in ≈1.5 s instead of ≈4.5 s.
                _kiwi = Kiwi(load_typo_dict=False, load_multi_dict=False)
    return _kiwi


@lru_cache(maxsize=4096)
def tokenize_word(word: str) -> tuple[Token, ...]:
    """Tokens of a short string read alone (a law name out of context)."""
    with _lock:
        return tuple(Token(t.form, t.tag, t.start, t.len) for t in kiwi().tokenize(word))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of layout paragraphs: table rows alone, wrapped lines joined."""
    spans: list[list[int]] = []
    pos = 0
    cur: list[int] | None = None
    for line in text.split("\n"):
        end = pos + len(line)
        if not line.strip():
            cur = None
        elif "\t" in line or BULLET.match(line) or cur is None:
            cur = [pos, end]
            spans.append(cur)
            if "\t" in line:
                cur = None
        else:
            cur[1] = end
        pos = end + 1
    return [(s, e) for s, e in spans]


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


class Analysis:
    """Kiwi's reading of one text, paragraph by paragraph, on demand."""

    def __init__(self, text: str):
        self.text = text
        self.paras = paragraphs(text)
        self.para_starts = [s for s, _ in self.paras]
        self._sents: dict[int, list[tuple[int, int]]] = {}
        self._toks: dict[int, list[Token]] = {}
        self._spans: list[tuple[int, int]] | None = None
        self._all: list[Token] | None = None

    def _analyse(self, i: int, want_tokens: bool) -> None:
        ps, pe = self.paras[i]
        para = self.text[ps:pe]
        short = "\t" in para or len(para) < SHORT
        if short and not want_tokens:
            self._sents[i] = [_trim(self.text, ps, pe)]
            return
        masked = YEAR_QUOTE.sub(" ", para.replace("\n", " "))
        with _lock:
            sents = kiwi().split_into_sents(masked, return_tokens=True)
        self._toks[i] = [Token(t.form, t.tag, ps + t.start, t.len) for s in sents for t in s.tokens]
        if i not in self._sents:
            self._sents[i] = [_trim(self.text, ps, pe)] if short else \
                [_trim(self.text, ps + s.start, ps + s.end) for s in sents]

    def sentence_spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            out = []
            for i in range(len(self.paras)):
                if i not in self._sents:
                    self._analyse(i, want_tokens=False)
                out += self._sents[i]
            self._spans = [s for s in out if s[1] > s[0]]
        return self._spans

    def paragraph_tokens(self, i: int) -> list[Token]:
        if i not in self._toks:
            self._analyse(i, want_tokens=True)
        return self._toks[i]

    def tokens_in(self, start: int, end: int) -> list[Token]:
        """Tokens of the paragraphs that overlap [start, end), in order."""
        i = max(bisect.bisect_right(self.para_starts, start) - 1, 0)
        out = []
        while i < len(self.paras) and self.paras[i][0] < end:
            if self.paras[i][1] >= start:
                out += self.paragraph_tokens(i)
            i += 1
        return out

    def tokens(self) -> list[Token]:
        if self._all is None:
            self._all = [t for i in range(len(self.paras)) for t in self.paragraph_tokens(i)]
        return self._all


class Sentences:
    """The sentence (or table row) around an offset, whitespace collapsed. A "sentence" longer than
    `MAX_SENTENCE` (a run-on text with no sentence end) is cut to the window around the offset,
    so that rows never carry the whole of a long text each."""

    MAX_SENTENCE = 1000

    def __init__(self, text: str, spans: list[tuple[int, int]]):
        self.text = text
        self.spans = spans
        self.starts = [s for s, _ in spans]
        self._cache: dict[tuple[int, int], str] = {}

    def _span(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and self.spans[i][0] <= offset < self.spans[i][1]:
            s, e = self.spans[i]
        else:
            s = self.text.rfind("\n", 0, offset) + 1
            e = self.text.find("\n", offset)
            e = len(self.text) if e < 0 else e
        if e - s > self.MAX_SENTENCE:
            half = self.MAX_SENTENCE // 2
            s, e = max(s, offset - half), min(e, offset + half)
        return s, e

    def at(self, offset: int) -> str:
        span = self._span(offset)
        if span not in self._cache:
            self._cache[span] = " ".join(self.text[span[0]:span[1]].split())
        return self._cache[span]
