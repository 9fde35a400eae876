"""The block model HWPX and HWP share: paragraphs as lines, tables as `Grid`s of `Cell`s with spans and borders.

`emit` turns blocks into a `Source` the way a reader sees the page: a data table (two rows
and two columns at least, some border drawn) becomes a grid; a layout box (one row, one
column or no border: the 보도시점 header, the title box) is read as text, row by row.
Cells stacked with no rule between them become one cell, unruled alignment columns one column.

>>> g = Grid(cells=[Cell(0, 0, blocks=["구분"]), Cell(0, 1, blocks=["금액"]), Cell(1, 0, blocks=["계"]), Cell(1, 1, blocks=["1,234"])])
>>> g.is_layout(), g.grid()
(False, [['구분', '금액'], ['계', '1,234']])
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bodopress.extractors.loaders.model import Builder

VISIBLE = (True, True, True, True)
NUMBER = re.compile(r"[-+△▲▽∆(]*[’']?[\d.,%]+[)p%]*|-|–|―")


@dataclass
class Cell:
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    blocks: list = field(default_factory=list)   # str lines and nested Tables
    borders: tuple = VISIBLE                      # (left, right, top, bottom) drawn or not


@dataclass
class Grid:
    cells: list[Cell]
    caption: list = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        rows = max((c.row + max(c.rowspan, 1) for c in self.cells), default=0)
        cols = max((c.col + max(c.colspan, 1) for c in self.cells), default=0)
        return rows, cols

    def is_layout(self) -> bool:
        """One row, one column or no visible border: a box that arranges text, not data."""
        rows, cols = self.shape
        return rows < 2 or cols < 2 or not any(any(c.borders) for c in self.cells)

    def grid(self) -> list[list[str]]:
        rows, cols = self.shape
        grid = [[""] * cols for _ in range(rows)]
        for c in self.cells:
            if 0 <= c.row < rows and 0 <= c.col < cols:
                grid[c.row][c.col] = flatten(c.blocks)
        for (r, c), (r2, c2) in self.stacked():
            if grid[r2][c2]:
                grid[r][c] = "\n".join(x for x in (grid[r][c], grid[r2][c2]) if x)
                grid[r2][c2] = ""
        unruled = self.unruled_columns()
        if unruled:
            groups: list[list[int]] = []
            for x in range(cols):
                if x in unruled and groups:
                    groups[-1].append(x)
                else:
                    groups.append([x])
            grid = [[" ".join(row[x] for x in g if row[x]) for g in groups] for row in grid]
        return grid

    def unruled_columns(self) -> set[int]:
        """Column boundaries (x = between columns x-1 and x) that no row draws, in a table
        that does draw some column boundaries: alignment columns, such as the `과 장` |
        `신기동` | `(02-2100-4090)` of a contact table, which a reader (and the PDF) sees
        as one cell. A table with no vertical rules at all keeps its columns."""
        _, cols = self.shape
        text = {id(c): flatten(c.blocks).strip() for c in self.cells}
        by_col: dict[int, list[Cell]] = {}
        for c in self.cells:
            by_col.setdefault(c.col, []).append(c)
        ruled, seen = set(), set()
        for a in self.cells:
            x = a.col + a.colspan
            for b in by_col.get(x, ()):
                if b.row < a.row + a.rowspan and a.row < b.row + b.rowspan:
                    seen.add(x)
                    # figures side by side are data columns even unruled (statistics tables
                    # often rule only their column groups)
                    if a.borders[1] or b.borders[0] or (NUMBER.fullmatch(text[id(a)]) and NUMBER.fullmatch(text[id(b)])):
                        ruled.add(x)
        if not any(a.borders[1] for a in self.cells if 0 < a.col + a.colspan < cols):
            return set()
        return {x for x in range(1, cols) if x not in ruled and x in seen}

    def stacked(self) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Cells drawn as one: the same columns, no line between them, while the rows they
        belong to are ruled apart elsewhere (or at least half the columns span across that
        boundary, so it exists only for a few columns). Authors stack a two-line department
        name (`의정관` / `상훈담당관`) this way; a reader, and the PDF, see one cell. A table
        whose body rows carry no rules at all is left alone: no row boundary qualifies.
        Returns (upper anchor, lower cell) pairs, top to bottom, chained onto the first anchor."""
        starts = {(c.row, c.col): c for c in self.cells}
        _, cols = self.shape
        spanned: dict[int, int] = {}
        for c in self.cells:
            for y in range(c.row + 1, c.row + c.rowspan):
                spanned[y] = spanned.get(y, 0) + c.colspan
        ruled = {y for y, n in spanned.items() if 2 * n >= cols}
        by_row: dict[int, list[Cell]] = {}
        for c in self.cells:
            by_row.setdefault(c.row, []).append(c)
        for a in self.cells:
            for b in by_row.get(a.row + a.rowspan, ()):
                if b.col < a.col + a.colspan and a.col < b.col + b.colspan and (a.borders[3] or b.borders[2]):
                    ruled.add(b.row)
        text = {(c.row, c.col): flatten(c.blocks) for c in self.cells}

        def chain(restart: set[int]) -> list:
            pairs, anchor_of = [], {}
            for a in sorted(self.cells, key=lambda c: (c.row, c.col)):
                b = starts.get((a.row + a.rowspan, a.col))
                if b is None or b.colspan != a.colspan or b.row not in ruled or b.row in restart \
                        or a.borders[3] or b.borders[2]:
                    continue
                anchor_of[(b.row, b.col)] = anchor_of.get((a.row, a.col), (a.row, a.col))
                pairs.append((anchor_of[(b.row, b.col)], (b.row, b.col)))
            return pairs

        # a row that repeats its group's label (a second `담당 부서` block) starts a new group
        restart = {b[0] for anchor, b in chain(set()) if text[b] and text[b] == text[anchor]}
        return chain(restart)


def flatten(blocks: list) -> str:
    """A cell's blocks as one string: lines by newline, a nested table row by row."""
    out = []
    for b in blocks:
        if isinstance(b, Grid):
            out += [" ".join(x for x in row if x) for row in b.grid()]
        else:
            out.append(tidy(b))
    return "\n".join(x for x in out if x.strip())


def tidy(text: str) -> str:
    """Alignment spaces out: runs of spaces become one, lines lose their indents."""
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def emit(blocks: list, b: Builder) -> None:
    for block in blocks:
        if not isinstance(block, Grid):
            b.add_text(tidy(block))
            continue
        emit(block.caption, b)
        if not block.is_layout():
            b.add_table(block.grid())
            continue
        by_row: dict[int, list[Cell]] = {}
        for c in block.cells:
            by_row.setdefault(c.row, []).append(c)
        for r in sorted(by_row):
            cells = sorted(by_row[r], key=lambda c: c.col)
            if all(isinstance(x, str) for c in cells for x in c.blocks):
                b.add_text(tidy(" ".join("\n".join(c.blocks) for c in cells)))
            else:
                for c in cells:
                    emit(c.blocks, b)
