"""Kiwi, built once per process on first use, and sentence spans for the genre.

Kiwi's own splitter reads the apostrophe of `'25` as an opening quote and does not
break at line ends or bullets, so the layout is split first (bullets, blank lines,
table rows), and Kiwi only splits inside a paragraph whose line breaks and year
apostrophes are masked with spaces (same length, so offsets hold).

>>> [text[s:e] for s, e in sentence_spans(text := "□ 수출이 늘었다. 올해도 늘 것이다.\\n○ '25년 실적")]
['□ 수출이 늘었다.', '올해도 늘 것이다.', "○ '25년 실적"]
"""
from __future__ import annotations

import bisect
import threading
from functools import lru_cache

import regex

_lock = threading.RLock()   # re-entrant: tokenize() holds it while kiwi() builds
_kiwi = None

# A line that opens a new paragraph: a bullet, a numbered or bracketed heading.
BULLET = regex.compile(r"^\s*(?:[□■○●◦ㅇ◎◇◆▶▷►※*•·\-–—①-⑳❶-❿➀-➉]|\d+[.)]\s|[<〈【\[(]\s*\S)")
YEAR_QUOTE = regex.compile(r"['‘’`](?=\d)")


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


def tokenize(text: str):
    with _lock:
        return kiwi().tokenize(text)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of layout paragraphs: table rows alone, wrapped lines joined."""
    spans: list[tuple[int, int]] = []
    pos = 0
    cur: list[int] | None = None
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        if not stripped:
            cur = None
        elif "\t" in line or BULLET.match(line) or cur is None:
            cur = [pos, end]
            spans.append(cur)  # type: ignore[arg-type]
            if "\t" in line:
                cur = None
        else:
            cur[1] = end
        pos = end + 1
    return [(s, e) for s, e in spans]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for ps, pe in paragraphs(text):
        para = text[ps:pe]
        if "\t" in para or len(para) < 40:
            out.append(_trim(text, ps, pe))
            continue
        masked = YEAR_QUOTE.sub(" ", para.replace("\n", " "))
        with _lock:
            sents = kiwi().split_into_sents(masked)
        for s in sents:
            out.append(_trim(text, ps + s.start, ps + s.end))
    return [s for s in out if s[1] > s[0]]


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


class Sentences:
    """Look up the sentence around an offset."""

    def __init__(self, text: str):
        self.text = text
        self.spans = sentence_spans(text)
        self.starts = [s for s, _ in self.spans]

    def at(self, offset: int) -> str:
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0:
            s, e = self.spans[i]
            if s <= offset < e:
                return " ".join(self.text[s:e].split())
        line_start = self.text.rfind("\n", 0, offset) + 1
        line_end = self.text.find("\n", offset)
        return " ".join(self.text[line_start:None if line_end < 0 else line_end].split())


@lru_cache(maxsize=8)
def sentences(text: str) -> Sentences:
    return Sentences(text)
