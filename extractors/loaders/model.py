"""What every loader produces: a `Source` — the release's text with its pages and tables placed in it.

The text is NFC with `\\n` line ends; a table stands in it as one line per row, its cells
joined by a tab, and `Table.cells` holds each cell's span in that text, so an extractor
reads a cell by offset and never splits the rendering again. Offsets in every curated
row point into `Source.text`.

>>> b = Builder(); b.add_text("(단위: 억원)"); b.add_table([["구분", "금액"], ["계", "1,234"]])
>>> s = b.build(source_file="x.txt"); t = s.tables[0]
>>> [s.text[a:e] for a, e in t.cells[1]], t.caption
(['계', '1,234'], '(단위: 억원)')
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Table:
    """A table as a grid of cell texts (a cell covered by a merged neighbour is ''), the span of
    each cell in the text, and the line printed just above it (where captions stand)."""

    rows: list[list[str]]
    page: int | None = None
    char_start: int = 0
    char_end: int = 0
    cells: list[list[tuple[int, int]]] = field(default_factory=list)
    caption: str = ""

    def cell_at(self, offset: int) -> tuple[int, int] | None:
        """(row, column) of the cell whose span holds `offset`."""
        for i, row in enumerate(self.cells):
            for j, (s, e) in enumerate(row):
                if s <= offset <= e:
                    return i, j
        return None


@dataclass
class Source:
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


def clean(text: str) -> str:
    """NFC, unified line ends, no BOM or NUL; nothing else moves."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def cell_text(cell: str | None) -> str:
    return " ".join((cell or "").split())


def render_row(cells: list[str | None]) -> str:
    return "\t".join(cell_text(c) for c in cells)


def place_cells(text: str, start: int, end: int) -> list[list[tuple[int, int]]]:
    """Spans of the tab-separated cells of each line of text[start:end]."""
    out, pos = [], start
    for line in text[start:end].split("\n"):
        row, cpos = [], pos
        for cell in line.split("\t"):
            row.append((cpos, cpos + len(cell)))
            cpos += len(cell) + 1
        out.append(row)
        pos += len(line) + 1
    return out


def last_line(text: str, end: int) -> str:
    """The last non-blank line of text[:end] (a table's caption, where it has one)."""
    for line in reversed(text[max(0, end - 400):end].split("\n")):
        if line.strip():
            return line.strip()
    return ""


class Builder:
    """Accumulates text blocks and tables into a Source with exact offsets."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.tables: list[Table] = []
        self.pages: list[tuple[int, int]] = []
        self._page_start = 0
        self._last_text = ""

    def add_text(self, text: str) -> None:
        text = clean(text).strip("\n")
        if text:
            self._append(text)
            self._last_text = text

    def add_table(self, rows: list[list[str | None]], page: int | None = None) -> None:
        rows = [[clean(c or "").strip() for c in row] for row in rows]
        rows = [r for r in rows if any(r)]
        if not rows:
            return
        rendered = "\n".join(render_row(r) for r in rows)
        start = self._append(rendered)
        end = start + len(rendered)
        caption = last_line(self._last_text, len(self._last_text))
        self.tables.append(Table(rows=rows, page=page, char_start=start, char_end=end,
                                 cells=place_cells(rendered, 0, len(rendered)), caption=caption))
        t = self.tables[-1]
        t.cells = [[(s + start, e + start) for s, e in row] for row in t.cells]
        self._last_text = ""

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

    def build(self, **kw) -> Source:
        if self.length > self._page_start or not self.pages:
            self.end_page()
        return Source(text="".join(self.parts), pages=self.pages, tables=self.tables, **kw)
