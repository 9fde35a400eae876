"""Load an HWPX release (Hancom's zip + XML format) into a Document.

Sections are read in the order of the package's spine (`Contents/content.hpf`), else by
number. Each paragraph becomes one line; a line break inside it stays a newline, a tab
becomes a space (tabs in `Document.text` separate table cells). Tables are placed where
they stand in the text:

- a *data table* (at least two rows and two columns, some cell with a visible border)
  goes through `Builder.add_table` as a grid, a merged cell's covered positions ''.
- a *layout box* (one row, one column, or no visible border at all: the 보도시점/배포
  header, the title box, a 참고 frame) is read as text, row by row, its cells joined by
  a space, so that `보도시점 | (온라인) 2026. 4. 13.(월) 16:00` reads as one line the way
  the PDF and text renderings print it. Tables inside a layout box keep their own kind.
- a table nested in a data table's cell is flattened into that cell: its rows on separate
  lines, its cells joined by a space (the cell is one string in the parent's grid).
- the grid is the one a reader sees: two cells stacked with no line between them (a
  department name typed over two rows) become one cell, and unruled alignment columns
  (`과 장` | `신기동` | `(02-2100-4090)`) one column, as in the PDF rendering; figures
  side by side always keep their columns.

Footnotes and endnotes follow the paragraph that cites them, one line each, which keeps
them beside the sentence they qualify (the PDF prints them at the foot of that page).
Text boxes (`hp:drawText`) are read where their anchor stands. Page headers and footers,
hidden comments, picture captions added by Hancom ("그림입니다.") and field parameters
are not text of the release.

The package is opened defensively: at most `MAX_ENTRIES` entries, `MAX_TOTAL` bytes
uncompressed, no entry that inflates more than `MAX_RATIO` times, no `..` or absolute
entry names, and XML through defusedxml with DTDs and entities refused.

>>> doc = load_hwpx(make_hwpx(["보도시점 2026. 4. 13.(월) 16:00", "훈장의 가치 바로잡는다"]))
>>> doc.text.splitlines()[1]
'훈장의 가치 바로잡는다'
>>> load_hwpx(b"PK\\x03\\x04 not really a zip")
Traceback (most recent call last):
...
extractors.loaders.LoadError: <hwpx> is not a readable zip archive (File is not a zip file); re-download it.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from xml.etree.ElementTree import ParseError

from extractors.document import Builder, Document
from extractors.loaders import LoadError

MAX_ENTRIES = 2000
MAX_TOTAL = 200 * 1024 * 1024
MAX_RATIO = 200            # deflate tops out near 1000:1; real XML and BMPs stay under ~110:1
RATIO_FLOOR = 1024 * 1024  # tiny entries may have any ratio without being a threat
MIMETYPE = "application/hwp+zip"

# Elements whose content is not text of the release (local names, namespace-free).
SKIP = {"header", "footer", "hiddenComment", "shapeComment", "parameters", "secPr",
        "linesegarray", "memo", "subText", "script"}
NOTES = {"footNote", "endNote"}
SPACE_CHILDREN = {"tab", "nbSpace", "fwSpace"}


# -- the block model shared with extractors.hwp -------------------------------------------

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
class Table:
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
        if isinstance(b, Table):
            out += [" ".join(x for x in row if x) for row in b.grid()]
        else:
            out.append(tidy(b))
    return "\n".join(x for x in out if x.strip())


def tidy(text: str) -> str:
    """Alignment spaces out: runs of spaces become one, lines lose their indents."""
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def emit(blocks: list, b: Builder) -> None:
    for block in blocks:
        if not isinstance(block, Table):
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


# -- the package ----------------------------------------------------------------------------

def load_hwpx(data: bytes, **meta) -> Document:
    meta.setdefault("source_file", "<hwpx>")
    name = meta["source_file"]
    zf = open_package(data, name)
    with zf:
        sections = section_names(zf, name)
        header = read_xml(zf, "Contents/header.xml", name) if "Contents/header.xml" in zf.namelist() else None
        borders = border_sides(header) if header is not None else {}
        bullets = bullet_marks(header) if header is not None else {}
        b = Builder()
        fields: dict[str, str] = {}
        for section in sections:
            root = read_xml(zf, section, name)
            reader = Reader(borders, bullets)
            emit(reader.blocks(root), b)
            fields = {**reader.fields, **fields}
            b.end_page()
        created = package_date(zf, name)
    return b.build(source_format="hwpx", created_at=created, fields=fields, **meta)


def open_package(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise LoadError("hwpx_broken", f"{name} is not a readable zip archive ({e}); re-download it.") from None
    if len(infos) > MAX_ENTRIES:
        raise LoadError("hwpx_unsafe", f"{name} holds {len(infos)} zip entries (limit {MAX_ENTRIES}); "
                        "it is not a normal HWPX file and was not opened.")
    total = 0
    for info in infos:
        entry = info.filename
        if entry.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", entry) \
                or ".." in re.split(r"[/\\]", entry):
            raise LoadError("hwpx_unsafe", f"{name} has an entry named {entry!r} that points outside the "
                            "archive; it was not opened. Ask the ministry for a clean copy.")
        total += info.file_size
    if total > MAX_TOTAL:
        raise LoadError("hwpx_unsafe", f"{name} would unpack to {total >> 20} MB (limit {MAX_TOTAL >> 20} MB); "
                        "it looks like a zip bomb and was not opened.")
    names = set(zf.namelist())
    has_section = any(re.fullmatch(r"Contents/section\d+\.xml", n) for n in names)
    mimetype = read_entry(zf, "mimetype", name).strip() if "mimetype" in names else b""
    if mimetype != MIMETYPE.encode() and not has_section:
        raise LoadError("unsupported_zip", f"{name} is a zip archive but not an HWPX document "
                        f"(no {MIMETYPE} mimetype, no Contents/section*.xml); convert it to PDF or HWPX.")
    return zf


def read_entry(zf: zipfile.ZipFile, entry: str, name: str) -> bytes:
    info = zf.getinfo(entry)
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise LoadError("hwpx_unsafe", f"{name}: entry {entry} inflates {info.file_size // max(info.compress_size, 1)} "
                        "times; it looks like a zip bomb and was not read.")
    try:
        # zipfile stops at the declared size and checks the CRC, so a lying header cannot grow it
        with zf.open(info) as f:
            return f.read(info.file_size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError,
            RuntimeError) as e:
        raise LoadError("hwpx_broken", f"{name}: entry {entry} cannot be read ({e}); re-download the file.") from None


def read_xml(zf: zipfile.ZipFile, entry: str, name: str):
    raw = read_entry(zf, entry, name)
    try:
        return SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        raise LoadError("hwpx_unsafe", f"{name}: {entry} declares a DTD or entities ({type(e).__name__}), "
                        "which HWPX never needs; it was not parsed.") from None
    except (ParseError, ValueError) as e:
        raise LoadError("hwpx_broken", f"{name}: {entry} is not well-formed XML ({e}); re-download the file.") from None


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def section_names(zf: zipfile.ZipFile, name: str) -> list[str]:
    names = set(zf.namelist())
    ordered = []
    if "Contents/content.hpf" in names:
        root = read_xml(zf, "Contents/content.hpf", name)
        hrefs = {item.get("id"): item.get("href", "") for item in root.iter() if local(item.tag) == "item"}
        for ref in root.iter():
            if local(ref.tag) == "itemref":
                href = posixpath.normpath(hrefs.get(ref.get("idref"), "")).lstrip("/")
                if re.fullmatch(r"Contents/section\d+\.xml", href) and href in names and href not in ordered:
                    ordered.append(href)
    if not ordered:
        ordered = sorted((n for n in names if re.fullmatch(r"Contents/section\d+\.xml", n)),
                         key=lambda n: int(re.search(r"\d+", n.rsplit("/", 1)[1]).group()))
    if not ordered:
        raise LoadError("hwpx_broken", f"{name} has no Contents/section*.xml; the document body is missing.")
    return ordered


def border_sides(header) -> dict[str, tuple]:
    """borderFill id -> which of (left, right, top, bottom) is drawn."""
    out = {}
    for bf in header.iter():
        if local(bf.tag) != "borderFill":
            continue
        types = {local(el.tag): el.get("type", "NONE") for el in bf}
        out[bf.get("id")] = tuple(types.get(side, "NONE") != "NONE"
                                  for side in ("leftBorder", "rightBorder", "topBorder", "bottomBorder"))
    return out


def bullet_marks(header) -> dict[str, str]:
    """paraPr id -> the bullet character Hancom draws before such a paragraph.

    Releases type their `- 부제목` and `○` items as bulleted paragraph styles, so the mark
    is not in the text; without it a subtitle reads like body text.
    """
    chars = {el.get("id"): el.get("char", "") for el in header.iter() if local(el.tag) == "bullet"}
    out = {}
    for pp in header.iter():
        if local(pp.tag) != "paraPr":
            continue
        for h in pp.iter():
            if local(h.tag) == "heading" and h.get("type") == "BULLET" and chars.get(h.get("idRef")):
                out[pp.get("id")] = chars[h.get("idRef")]
                break
    return out


def package_date(zf: zipfile.ZipFile, name: str) -> datetime | None:
    """The last-saved time the package records (the HWPX counterpart of a PDF's CreationDate)."""
    if "Contents/content.hpf" not in zf.namelist():
        return None
    for el in read_xml(zf, "Contents/content.hpf", name).iter():
        if local(el.tag) == "meta" and el.get("name") == "ModifiedDate" and el.text:
            try:
                d = datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
            except ValueError:
                return None
            return d if d.tzinfo else d.replace(tzinfo=timezone.utc)
    return None


# -- sections -------------------------------------------------------------------------------

class Reader:
    """Turns section XML into blocks: paragraph lines and Tables, in reading order."""

    def __init__(self, borders: dict[str, tuple], bullets: dict[str, str] | None = None):
        self.borders = borders
        self.bullets = bullets or {}
        self.fields: dict[str, str] = {}

    def blocks(self, el) -> list:
        out: list = []
        for child in el:
            tag = local(child.tag)
            if tag in SKIP or tag in NOTES:
                continue
            if tag == "p":
                out += self.paragraph(child)
            elif tag == "tbl":
                out.append(self.table(child))
            else:
                out += self.blocks(child)
        return out

    def paragraph(self, p) -> list:
        out: list = []
        notes: list = []
        line: list[str] = []

        mark = self.bullets.get(p.get("paraPrIDRef"), "")
        mark = mark + " " if mark.isprintable() and not mark.isspace() else ""

        def flush():
            nonlocal mark
            text = "".join(line)
            line.clear()
            if text.strip():
                out.append(mark + text)
                mark = ""

        def walk(el):
            for child in el:
                tag = local(child.tag)
                if tag == "t":
                    line.append(self.text(child))
                elif tag in NOTES:
                    notes.extend(self.blocks(child))
                elif tag in SKIP:
                    continue
                elif tag == "tbl":
                    flush()
                    out.append(self.table(child))
                elif tag == "p":          # a text box's paragraphs, anchored in this one
                    flush()
                    out.extend(self.paragraph(child))
                elif tag == "compose":
                    line.append(child.get("composeText", ""))
                else:
                    walk(child)
        walk(p)
        flush()
        return out + notes

    @staticmethod
    def text(t) -> str:
        parts = [t.text or ""]
        for child in t:
            tag = local(child.tag)
            if tag == "lineBreak":
                parts.append("\n")
            elif tag in SPACE_CHILDREN:
                parts.append(" ")
            elif tag == "hyphen":
                parts.append("-")
            parts.append(child.tail or "")   # other children (markpen, titleMark, ...) are markers
        return "".join(parts)

    def table(self, tbl) -> Table:
        cells, caption = [], []
        for child in tbl:
            tag = local(child.tag)
            if tag == "caption":
                caption = self.blocks(child)
            elif tag == "tr":
                for tc in child:
                    if local(tc.tag) == "tc":
                        cells.append(self.cell(tc, len(cells)))
        return Table(cells=cells, caption=caption)

    def cell(self, tc, index: int) -> Cell:
        addr = span = None
        blocks = []
        for child in tc:
            tag = local(child.tag)
            if tag == "cellAddr":
                addr = child
            elif tag == "cellSpan":
                span = child
            elif tag == "subList":
                blocks = self.blocks(child)
        name = tc.get("name")
        if name and name not in self.fields:   # the government template names its cells (제목명, 기관명, …)
            self.fields[name] = flatten(blocks)
        return Cell(row=_int(addr, "rowAddr"), col=_int(addr, "colAddr"),
                    rowspan=max(_int(span, "rowSpan", 1), 1), colspan=max(_int(span, "colSpan", 1), 1),
                    blocks=blocks, borders=self.borders.get(tc.get("borderFillIDRef"), VISIBLE))


def _int(el, attr: str, default: int = 0) -> int:
    try:
        return int(el.get(attr)) if el is not None else default
    except (TypeError, ValueError):
        return default


# -- a tiny builder, for doctests and tests -------------------------------------------------

def make_hwpx(paragraphs: list[str], extra: dict[str, bytes] | None = None) -> bytes:
    """An HWPX package holding one section with these paragraphs (for tests)."""
    ns = 'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph" ' \
         'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section"'
    body = "".join(f"<hp:p><hp:run><hp:t>{p}</hp:t></hp:run></hp:p>" if not p.startswith("<") else p
                   for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE)
        zf.writestr("Contents/section0.xml", f'<?xml version="1.0" encoding="UTF-8"?><hs:sec {ns}>{body}</hs:sec>')
        for entry, content in (extra or {}).items():
            zf.writestr(entry, content)
    return buf.getvalue()
