"""Load an HWPX release (Hancom's zip + XML format) into a `Source`.

Sections are read in the order of the package's spine (`Contents/content.hpf`), else by
number. Each paragraph becomes one line; a line break inside it stays a newline, a tab
becomes a space (tabs in `Source.text` separate table cells). Tables are placed where
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
are not text of the release. Content nested past `MAX_DEPTH` elements (only a hostile file
nests so deep) is read as plain lines without recursion, so no depth exhausts the stack.

The package is opened defensively: at most `MAX_ENTRIES` entries, `MAX_TOTAL` bytes
uncompressed, no entry that inflates more than `MAX_RATIO` times, no `..` or absolute
entry names, no XML part over `MAX_XML` inflated, and no DTD or entity declaration (a part
that has one goes through defusedxml, which refuses it).

>>> doc = load_hwpx(make_hwpx(["보도시점 2026. 4. 13.(월) 16:00", "훈장의 가치 바로잡는다"]))
>>> doc.text.splitlines()[1]
'훈장의 가치 바로잡는다'
>>> load_hwpx(b"PK\\x03\\x04 not really a zip")
Traceback (most recent call last):
...
bodopress.extractors.loaders.errors.LoadError: <hwpx> is not a readable zip archive (File is not a zip file); re-download it.
"""
from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from datetime import datetime, timezone

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import ParseError

from bodopress.extractors.loaders.errors import LoadError
from bodopress.extractors.loaders.hancom import VISIBLE, Cell, Grid, emit, flatten
from bodopress.extractors.loaders.model import Builder, Source

MAX_ENTRIES = 2000
MAX_TOTAL = 200 * 1024 * 1024
MAX_RATIO = 200            # deflate tops out near 1000:1; real XML and BMPs stay under ~110:1
RATIO_FLOOR = 1024 * 1024  # tiny entries may have any ratio without being a threat
MIMETYPE = "application/hwp+zip"
MAX_XML = 64 * 1024 * 1024  # one XML part, inflated; real sections stay under ~10 MB
MAX_DEPTH = 200            # element levels read as structure; deeper content is read as flat text

# Elements whose content is not text of the release (local names, namespace-free).
SKIP = {"header", "footer", "hiddenComment", "shapeComment", "parameters", "secPr",
        "linesegarray", "memo", "subText", "script"}
NOTES = {"footNote", "endNote"}
SPACE_CHILDREN = {"tab", "nbSpace", "fwSpace"}


# -- the package ----------------------------------------------------------------------------

def load_hwpx(data: bytes, **meta) -> Source:
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
            reader = SectionReader(borders, bullets)
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
    size = zf.getinfo(entry).file_size
    if size > MAX_XML:
        raise LoadError("too_large", f"{name}: {entry} inflates to {size >> 20} MB, over the {MAX_XML >> 20} MB "
                        "limit for one XML part; it was not parsed.")
    raw = read_entry(zf, entry, name)
    try:
        if b"<!DOCTYPE" not in raw and raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
            # no DTD, so no entity can be declared: the C parser, several times faster than
            # defusedxml's Python-level one, reads it as safely
            return ET.fromstring(raw)
        return SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        raise LoadError("hwpx_unsafe", f"{name}: {entry} declares a DTD or entities ({type(e).__name__}), "
                        "which HWPX never needs; it was not parsed.") from None
    except (ParseError, ValueError) as e:
        raise LoadError("hwpx_broken", f"{name}: {entry} is not well-formed XML ({e}); re-download the file.") from None


@functools.lru_cache(maxsize=4096)     # a few hundred distinct tags, looked up for every element
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

class SectionReader:
    """Turns section XML into blocks: paragraph lines and Tables, in reading order."""

    def __init__(self, borders: dict[str, tuple], bullets: dict[str, str] | None = None):
        self.borders = borders
        self.bullets = bullets or {}
        self.fields: dict[str, str] = {}

    def blocks(self, el, depth: int = 0) -> list:
        if depth > MAX_DEPTH:
            return flat_text(el)
        out: list = []
        for child in el:
            tag = local(child.tag)
            if tag in SKIP or tag in NOTES:
                continue
            if tag == "p":
                out += self.paragraph(child, depth + 1)
            elif tag == "tbl":
                out.append(self.table(child, depth + 1))
            else:
                out += self.blocks(child, depth + 1)
        return out

    def paragraph(self, p, depth: int = 0) -> list:
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

        def walk(el, depth):
            if depth > MAX_DEPTH:
                flush()
                out.extend(flat_text(el))
                return
            for child in el:
                tag = local(child.tag)
                if tag == "t":
                    line.append(self.text(child))
                elif tag in NOTES:
                    notes.extend(self.blocks(child, depth + 1))
                elif tag in SKIP:
                    continue
                elif tag == "tbl":
                    flush()
                    out.append(self.table(child, depth + 1))
                elif tag == "p":          # a text box's paragraphs, anchored in this one
                    flush()
                    out.extend(self.paragraph(child, depth + 1))
                elif tag == "compose":
                    line.append(child.get("composeText", ""))
                else:
                    walk(child, depth + 1)
        walk(p, depth)
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

    def table(self, tbl, depth: int = 0) -> Grid:
        cells, caption = [], []
        for child in tbl:
            tag = local(child.tag)
            if tag == "caption":
                caption = self.blocks(child, depth + 1)
            elif tag == "tr":
                for tc in child:
                    if local(tc.tag) == "tc":
                        cells.append(self.cell(tc, depth + 2))
        return Grid(cells=cells, caption=caption)

    def cell(self, tc, depth: int = 0) -> Cell:
        addr = span = None
        blocks = []
        for child in tc:
            tag = local(child.tag)
            if tag == "cellAddr":
                addr = child
            elif tag == "cellSpan":
                span = child
            elif tag == "subList":
                blocks = self.blocks(child, depth + 1)
        name = tc.get("name")
        if name and name not in self.fields:   # the government template names its cells (제목명, 기관명, …)
            self.fields[name] = flatten(blocks)
        return Cell(row=_int(addr, "rowAddr"), col=_int(addr, "colAddr"),
                    rowspan=max(_int(span, "rowSpan", 1), 1), colspan=max(_int(span, "colSpan", 1), 1),
                    blocks=blocks, borders=self.borders.get(tc.get("borderFillIDRef"), VISIBLE))


def flat_text(el) -> list[str]:
    """Content nested past `MAX_DEPTH`, read without structure (and without recursion): the
    text of each paragraph inside it on a line of its own, in document order."""
    out = []
    for p in el.iter():
        if local(p.tag) == "p":
            text = "".join(SectionReader.text(t) for run in p if local(run.tag) == "run"
                           for t in run if local(t.tag) == "t")
            if text.strip():
                out.append(text)
    return out


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
