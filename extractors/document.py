"""The Document every extractor reads: a loaded `Source` plus what extractors share, each computed once.

- `norm`: the text folded for matching, one character for one character, so an offset
  into `norm` is an offset into `text` (the identity is the offset map): full-width
  ASCII to ASCII (NFKC of those forms), every tilde to `~`, dash to `-`, apostrophe and
  prime to `'`, middle dot to `·`. Expansions that NFKC would also make (`㎡` → `m2`,
  `①` → `1`) are left out on purpose: a circled number is a list marker, not a count.
- `analysis`: one Kiwi pass per paragraph, on demand (`extractors.kiwi.Analysis`):
  `sentences` (the sentence around any offset) and `tokens_in(start, end)`.
- `tables`: grids with the span of every cell and the caption line above them.

>>> doc = Document.from_text("보도시점 2026. 5. 28.(목) 10:00\\n구분\\t금액\\n계\\t１,２３４～")
>>> doc.norm.splitlines()[-1], doc.tables[0].rows[1]
('계\\t1,234~', ['계', '１,２３４～'])
>>> doc.sentences.at(3)
'보도시점 2026. 5. 28.(목) 10:00'
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from functools import cached_property

from bodopress.extractors import kiwi
from bodopress.extractors.numbers import FULLWIDTH
from bodopress.extractors.loaders.model import Source, clean
from bodopress.extractors.loaders.text import tables_in_text

# One character to one character: offsets into the folded text are offsets into the text.
FOLD = str.maketrans({
    **FULLWIDTH,                                                   # full-width ASCII (NFKC)
    **{c: "'" for c in "‘’´`′‛"}, **{c: "~" for c in "∼〜"},
    **{c: "-" for c in "–—"}, **{c: "·" for c in "ㆍ‧・∙"},
})


def fold(text: str) -> str:
    return text.translate(FOLD)


@dataclass
class Document(Source):
    @classmethod
    def from_source(cls, src: Source) -> "Document":
        return cls(**{f.name: getattr(src, f.name) for f in fields(Source)})

    @classmethod
    def from_text(cls, text: str, **kw) -> "Document":
        text = clean(text)
        kw.setdefault("source_sha256", hashlib.sha256(text.encode("utf-8")).hexdigest())
        return cls(text=text, pages=[(0, len(text))], tables=tables_in_text(text), **kw)

    @cached_property
    def norm(self) -> str:
        return fold(self.text)

    @cached_property
    def analysis(self) -> kiwi.Analysis:
        return kiwi.Analysis(self.text)

    @cached_property
    def sentences(self) -> kiwi.Sentences:
        return kiwi.Sentences(self.text, self.analysis.sentence_spans())

    def tokens_in(self, start: int, end: int) -> list[kiwi.Token]:
        return self.analysis.tokens_in(start, end)

    def line_at(self, offset: int) -> tuple[int, int]:
        """Span of the line holding `offset`."""
        s = self.text.rfind("\n", 0, offset) + 1
        e = self.text.find("\n", offset)
        return s, len(self.text) if e < 0 else e
