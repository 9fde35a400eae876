"""Load an HWP 5 release (OLE compound file, zlib-compressed record streams) into a `Source`.

The body is `BodyText/Section0..N`; each stream is a run of records whose header packs a tag
id (10 bits), a nesting level (10 bits) and a size (12 bits, 0xFFF = a 4-byte size follows).
Records nest by level: a paragraph (PARA_HEADER 66) owns its text (PARA_TEXT 67) and its
controls (CTRL_HEADER 71); a table control owns TABLE (77) and, per cell, a LIST_HEADER (72)
followed by the cell's paragraphs at the same level. Paragraph text is UTF-16LE in which
the codes below 32 are controls: 10 is a line break, 13 the paragraph end, 24/30/31 a
hyphen and two kinds of space, and the others take eight code units (the control and
seven of parameters); 9 is a tab, read as a space. Extended controls (tables, text boxes,
footnotes, headers) are matched in order to the paragraph's CTRL_HEADER records.

The result goes through the same block model as HWPX (`loaders.hancom`): data tables as
grids, layout boxes (one row, one column or no visible border, border fills read from
DocInfo) as text lines, footnotes after the paragraph that cites them. Records nested past
`MAX_LEVEL` (only a hostile file nests tables a hundred deep) are read as plain lines
without recursion, so no nesting the format can state exhausts the stack.

>>> records(bytes.fromhex("42000001") + b"x" * 16)[0][:2]
(66, 0)
>>> para_text("보도자료\\r".encode("utf-16-le"))
['보도자료']
"""
from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import datetime, timezone

from bodopress.extractors.loaders.errors import LoadError
from bodopress.extractors.loaders.hancom import VISIBLE, Cell, Grid, emit, flatten
from bodopress.extractors.loaders.model import Builder, Source

SIGNATURE = b"HWP Document File"
PARA_HEADER, PARA_TEXT, CTRL_HEADER, LIST_HEADER, TABLE = 66, 67, 71, 72, 77
BORDER_FILL = 20
BULLET, PARA_SHAPE = 24, 25
MAX_STREAM = 200 * 1024 * 1024     # decompressed bytes per stream
MAX_RECORDS = 2_000_000
MAX_LEVEL = 120                    # record levels read as structure; deeper records are read as flat text

# UTF-16 control codes (HWP 5.0 spec, table 6): one code unit, or eight (code + 7 of parameters)
CHAR_CONTROLS = {0, 10, 13, 24, 25, 26, 27, 28, 29, 30, 31}
EXTENDED = {1, 2, 3, 11, 12, 14, 15, 16, 17, 18, 21, 22, 23}   # each owns a CTRL_HEADER
CONTROL_UNIT = re.compile(rb"(?=[\x00-\x1f]\x00)")                # where a code unit below 32 may start
SKIPPED_CONTROLS = {b"head", b"foot", b"tcmt"}                 # page header/footer, hidden comment
NOTE_CONTROLS = {b"fn  ", b"en  "}

FLAG_COMPRESSED, FLAG_PASSWORD, FLAG_DISTRIBUTION, FLAG_DRM = 1, 2, 4, 16


def load_hwp(data: bytes, **meta) -> Source:
    import olefile

    meta.setdefault("source_file", "<hwp>")
    name = meta["source_file"]
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as e:   # olefile raises OSError and assorted parse errors for bad containers
        raise LoadError("hwp_broken", f"{name} is not a readable OLE compound file ({e}); re-download it.") from None
    with ole:
        if not ole.exists("FileHeader"):
            raise LoadError("unsupported_ole", f"{name} is an OLE compound file but not an HWP document "
                            "(no FileHeader stream: a .doc or .xls?); convert it to PDF or HWPX.")
        header = ole.openstream("FileHeader").read()
        if not header.startswith(SIGNATURE) or len(header) < 40:
            raise LoadError("hwp_broken", f"{name} has no HWP 5 signature in its FileHeader; re-download it.")
        flags = struct.unpack_from("<I", header, 36)[0]
        if flags & (FLAG_PASSWORD | FLAG_DRM):
            raise LoadError("hwp_encrypted", f"{name} is password- or DRM-protected; ask the ministry "
                            "for an open copy or ingest the PDF rendering.")
        if flags & FLAG_DISTRIBUTION or (ole.exists("ViewText") and not ole.exists("BodyText")):
            raise LoadError("hwp_distribution_locked", f"{name} is an HWP distribution document (배포용 문서) "
                            "whose body is encrypted; ingest the PDF rendering instead.")
        compressed = bool(flags & FLAG_COMPRESSED)

        def stream(path: str) -> bytes:
            raw = ole.openstream(path).read()
            return inflate(raw, path, name) if compressed else raw

        docinfo = records(stream("DocInfo"), name) if ole.exists("DocInfo") else []
        borders, bullets = border_sides(docinfo), bullet_marks(docinfo)
        sections = sorted((e for e in ole.listdir() if len(e) == 2 and e[0] == "BodyText"
                           and e[1].startswith("Section") and e[1][7:].isdigit()), key=lambda e: int(e[1][7:]))
        if not sections:
            raise LoadError("hwp_broken", f"{name} has no BodyText/Section stream; the document body is missing.")
        b = Builder()
        fields: dict[str, str] = {}
        for entry in sections:
            tree = nest(records(stream("/".join(entry)), name))
            reader = RecordReader(borders, bullets)
            emit(reader.blocks(tree), b)
            fields = {**reader.fields, **fields}
            b.end_page()
        created = saved_at(ole)
    return b.build(source_format="hwp", created_at=created, fields=fields, **meta)


def inflate(raw: bytes, path: str, name: str) -> bytes:
    d = zlib.decompressobj(-15)
    try:
        out = d.decompress(raw, MAX_STREAM)
    except zlib.error as e:
        raise LoadError("hwp_broken", f"{name}: stream {path} does not decompress ({e}); re-download the file.") from None
    if d.unconsumed_tail:
        raise LoadError("hwp_unsafe", f"{name}: stream {path} inflates past {MAX_STREAM >> 20} MB; "
                        "it looks like a decompression bomb and was not read.")
    return out


def records(data: bytes, name: str = "<hwp>") -> list[tuple[int, int, bytes]]:
    """(tag, level, payload) of each record; a record cut short by the stream's end is dropped."""
    out, pos, n = [], 0, len(data)
    while pos + 4 <= n:
        head = struct.unpack_from("<I", data, pos)[0]
        pos += 4
        tag, level, size = head & 0x3FF, (head >> 10) & 0x3FF, head >> 20
        if size == 0xFFF:
            if pos + 4 > n:
                break
            size = struct.unpack_from("<I", data, pos)[0]
            pos += 4
        out.append((tag, level, data[pos:pos + size]))
        pos += size
        if len(out) > MAX_RECORDS:
            raise LoadError("hwp_unsafe", f"{name} has over {MAX_RECORDS} records in one stream; not read.")
    return out


class Node:
    __slots__ = ("tag", "level", "data", "children")

    def __init__(self, tag: int, level: int, data: bytes):
        self.tag, self.level, self.data, self.children = tag, level, data, []


def nest(recs: list[tuple[int, int, bytes]]) -> list[Node]:
    """Records as a tree: each record's children are the deeper records that follow it."""
    root: list[Node] = []
    stack: list[Node] = []
    for tag, level, data in recs:
        node = Node(tag, level, data)
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else root).append(node)
        stack.append(node)
    return root


def para_text(data: bytes) -> list:
    """A PARA_TEXT payload as text pieces; each extended control is a `bytes` ctrl id in between.
    The text between control codes is decoded a run at a time, found by a byte search."""
    data = data[:len(data) // 2 * 2]
    out: list = []
    run: list[str] = []
    start = skip_to = 0

    def flush():
        text = "".join(run)
        run.clear()
        if text:
            out.append(text)

    for m in CONTROL_UNIT.finditer(data):
        p = m.start()
        if p & 1 or p < skip_to:
            continue
        c = data[p]
        run.append(data[start:p].decode("utf-16-le", "replace"))
        if c in CHAR_CONTROLS:
            run.append("\n" if c == 10 else "-" if c == 24 else " " if c in (30, 31) else "")
            start = p + 2
            continue
        if c == 9:
            run.append(" ")
        elif c in EXTENDED:
            flush()
            out.append(data[p + 2:p + 6][::-1] if p + 6 <= len(data) else b"")
        start = skip_to = p + 16
    run.append(data[start:].decode("utf-16-le", "replace"))
    flush()
    return out


def border_sides(recs) -> dict[int, tuple]:
    """1-based DocInfo border-fill id -> which of (left, right, top, bottom) is drawn (line type != 0)."""
    out, index = {}, 0
    for tag, _, data in recs:
        if tag != BORDER_FILL:
            continue
        index += 1
        if len(data) >= 26:
            out[index] = tuple(data[2 + 6 * side] != 0 for side in range(4))
    return out


def bullet_marks(recs) -> dict[int, str]:
    """0-based paragraph-shape id -> the bullet Hancom draws before such a paragraph.

    A PARA_SHAPE whose heading type (bits 23-24 of its first word) is 3 names a 1-based
    BULLET record (UINT16 at offset 30), whose character is the WCHAR at offset 12.
    Releases type `- 부제목` items this way, so the mark is not in the text.
    """
    chars = [d[12:14].decode("utf-16-le", "replace") if len(d) >= 14 else "" for t, _, d in recs if t == BULLET]
    out, index = {}, -1
    for tag, _, data in recs:
        if tag != PARA_SHAPE:
            continue
        index += 1
        if len(data) >= 32 and (struct.unpack_from("<I", data, 0)[0] >> 23) & 3 == 3:
            ref = struct.unpack_from("<H", data, 30)[0]
            mark = chars[ref - 1] if 0 < ref <= len(chars) else ""
            if mark.isprintable() and not mark.isspace():
                out[index] = mark
    return out


class RecordReader:
    def __init__(self, borders: dict[int, tuple], bullets: dict[int, str] | None = None):
        self.borders = borders
        self.bullets = bullets or {}
        self.fields: dict[str, str] = {}

    def blocks(self, nodes: list[Node]) -> list:
        out: list = []
        for node in nodes:
            if node.level > MAX_LEVEL:
                out += flat_text(node)
            elif node.tag == PARA_HEADER:
                out += self.paragraph(node)
            elif node.tag == CTRL_HEADER:
                out += self.control(node, [])
            elif node.tag != LIST_HEADER:
                out += self.blocks(node.children)
        return out

    def paragraph(self, para: Node) -> list:
        text = next((c.data for c in para.children if c.tag == PARA_TEXT), b"")
        controls = [c for c in para.children if c.tag == CTRL_HEADER]
        out, notes, line = [], [], []
        for piece in para_text(text):
            if isinstance(piece, str):
                line.append(piece)
                continue
            ctrl = controls.pop(0) if controls else None
            if ctrl is None:
                continue
            if ctrl.data[:4] == b"spct":    # 글자 겹침: the composed characters stand in the line
                n = struct.unpack_from("<H", ctrl.data, 4)[0] if len(ctrl.data) >= 6 else 0
                line.append(ctrl.data[6:6 + 2 * n].decode("utf-16-le", "replace"))
                continue
            placed = self.control(ctrl, notes)
            if placed:
                if "".join(line).strip():
                    out.append("".join(line))
                line = []
                out += placed
        if "".join(line).strip():
            out.append("".join(line))
        for ctrl in controls:          # controls the text did not place (damaged files)
            out += self.control(ctrl, notes)
        shape = struct.unpack_from("<H", para.data, 8)[0] if len(para.data) >= 10 else -1
        if shape in self.bullets and out and isinstance(out[0], str):
            out[0] = f"{self.bullets[shape]} {out[0]}"
        return out + notes

    def control(self, ctrl: Node, notes: list) -> list:
        kind = ctrl.data[:4][::-1]
        if kind in SKIPPED_CONTROLS:
            return []
        if kind in NOTE_CONTROLS:
            notes += self.blocks(ctrl.children)
            return []
        if kind == b"tbl ":
            return [self.table(ctrl)]
        return self.blocks(ctrl.children)

    def table(self, ctrl: Node) -> Grid:
        cells: list[Cell] = []
        names: list[str | None] = []
        caption: list[Node] = []
        seen_table = False
        current: list[Node] | None = None
        for node in ctrl.children:
            if node.tag == TABLE:
                seen_table = True
            elif node.tag == LIST_HEADER and seen_table:
                cell = self.cell(node)
                cells.append(cell)
                names.append(cell_name(node.data))
                current = cell.blocks        # paragraphs that follow belong to this cell
            elif node.tag == LIST_HEADER:
                current = caption
            elif current is not None:
                current.append(node)
        for cell, name in zip(cells, names):
            cell.blocks = self.blocks(cell.blocks)
            if name and name not in self.fields:   # the government template names its cells
                self.fields[name] = flatten(cell.blocks)
        return Grid(cells=cells, caption=self.blocks(caption))

    def cell(self, lh: Node) -> Cell:
        d = lh.data
        if len(d) < 16:
            return Cell(row=0, col=0)
        col, row, colspan, rowspan = struct.unpack_from("<4H", d, 8)
        border = struct.unpack_from("<H", d, 32)[0] if len(d) >= 34 else 0
        return Cell(row=row, col=col, rowspan=max(rowspan, 1), colspan=max(colspan, 1),
                    borders=self.borders.get(border, VISIBLE))


def flat_text(node: Node) -> list[str]:
    """Records nested past `MAX_LEVEL`, read without structure (and without recursion): the
    text of each paragraph under `node` on a line of its own, in document order."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.tag == PARA_TEXT:
            text = "".join(x for x in para_text(n.data) if isinstance(x, str))
            if text.strip():
                out.append(text)
        stack.extend(reversed(n.children))
    return out


def cell_name(d: bytes) -> str | None:
    """A named cell's LIST_HEADER runs past the 47 bytes of an unnamed one: the name is a
    UINT16 length at offset 49 and that many UTF-16 units (제목명, 기관명, 보도일시, …)."""
    if len(d) <= 51:
        return None
    n = struct.unpack_from("<H", d, 49)[0]
    if not 0 < n <= 40 or 51 + 2 * n > len(d):
        return None
    name = d[51:51 + 2 * n].decode("utf-16-le", "replace")
    return name if name.isprintable() else None


def saved_at(ole) -> datetime | None:
    """Last-saved time from HwpSummaryInformation (the counterpart of a PDF's CreationDate)."""
    try:
        props = ole.getproperties("\x05HwpSummaryInformation", convert_time=True)
    except Exception:   # missing or malformed property set: the date is optional
        return None
    d = props.get(13) or props.get(12)
    if isinstance(d, datetime):
        return d if d.tzinfo else d.replace(tzinfo=timezone.utc)
    return None
