"""The one document model every loader produces and every extractor reads.

A release is its text (NFC, tables rendered in place as one line per row with cells
joined by a tab), the character spans of its pages and tables, and its source hash.
Offsets in every curated row point into `Document.text`.

>>> doc = Document.from_text("보도시점 2026. 5. 28.(목) 10:00\\n담당부서\\t기획조정실\\t과 장\\t홍길동")
>>> doc.text.splitlines()[0]
'보도시점 2026. 5. 28.(목) 10:00'
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Table:
    """A table as a grid of cell texts; a cell covered by a merged neighbour is ''.

    Cell texts keep their own line breaks; the rendering in `Document.text` joins
    them with a space so that one row stays one line.
    """

    rows: list[list[str]]
    page: int | None = None
    char_start: int = 0
    char_end: int = 0


@dataclass
class Document:
    text: str
    source_file: str = "<text>"
    source_sha256: str = ""
    source_format: str = "txt"
    pages: list[tuple[int, int]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    created_at: datetime | None = None   # a date the file itself carries (PDF CreationDate)
    fields: dict[str, str] = field(default_factory=dict)   # named form cells (HWPX template: 제목명, 기관명)

    @property
    def release_id(self) -> str:
        return self.source_sha256[:16]

    @classmethod
    def from_text(cls, text: str, **kw) -> "Document":
        text = clean(text)
        kw.setdefault("source_sha256", hashlib.sha256(text.encode("utf-8")).hexdigest())
        return cls(text=text, pages=[(0, len(text))], tables=tables_in_text(text), **kw)


def clean(text: str) -> str:
    """NFC, unified line ends, no BOM or NUL; nothing else moves."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def cell_text(cell: str | None) -> str:
    return " ".join((cell or "").split())


def render_row(cells: list[str | None]) -> str:
    return "\t".join(cell_text(c) for c in cells)


def tables_in_text(text: str) -> list[Table]:
    """Runs of two or more tab-separated lines are tables (how text exports print them)."""
    tables, run, start = [], [], 0
    pos = 0
    for line in text.split("\n") + [""]:
        if "\t" in line:
            if not run:
                start = pos
            run.append(line)
        else:
            if len(run) >= 2:
                end = start + len("\n".join(run))
                tables.append(Table(rows=[r.split("\t") for r in run], char_start=start, char_end=end))
            run = []
        pos += len(line) + 1
    return tables


class Builder:
    """Accumulates text blocks and tables into a Document with exact offsets."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.tables: list[Table] = []
        self.pages: list[tuple[int, int]] = []
        self._page_start = 0

    def add_text(self, text: str) -> None:
        text = clean(text).strip("\n")
        if text:
            self._append(text)

    def add_table(self, rows: list[list[str | None]], page: int | None = None) -> None:
        rows = [[clean(c or "").strip() for c in row] for row in rows]
        rows = [r for r in rows if any(r)]
        if not rows:
            return
        rendered = "\n".join(render_row(r) for r in rows)
        start = self._append(rendered)
        self.tables.append(Table(rows=rows, page=page, char_start=start, char_end=start + len(rendered)))

    def end_page(self) -> None:
        self.pages.append((self._page_start, self.length))
        self._page_start = self.length

    def _append(self, text: str) -> int:
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start

    def build(self, **kw) -> Document:
        if self.length > self._page_start or not self.pages:
            self.end_page()
        return Document(text="".join(self.parts), pages=self.pages, tables=self.tables, **kw)
