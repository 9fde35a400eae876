"""PDF releases (Hancom's PDF export and others with a text layer), read with PDFium.

PDFium (pypdfium2) gives each page's characters with their boxes and its drawn paths;
lines are grouped from the character boxes the way pdfplumber groups them, and
pdfplumber's table finder runs on the ruling lines and rectangles of the pages that draw
some, each ruled table read as a grid at its place. pdfminer's layout (a Python object
for every character of every page) never runs. A landscape page printed two-up reads its
left half first. A PDF whose glyphs carry no Unicode text (scans, fonts without a
ToUnicode map) is refused as `no_text_layer`, one that needs a password as `pdf_encrypted`.

>>> chars = [{"text": t, "x0": 10.0 * i, "x1": 10.0 * i + 10, "top": 0.0, "bottom": 10.0} for i, t in enumerate("보도 자료")]
>>> _lines(chars + [dict(chars[0], text="붙", top=20.0, bottom=30.0)], 1.5)
[(0.0, '보도 자료'), (20.0, '붙')]
>>> load_pdf("%PDF-1.4 보도자료".encode(), source_file="보도자료.pdf")
Traceback (most recent call last):
...
bodopress.extractors.loaders.errors.LoadError: 보도자료.pdf is not a readable PDF (Failed to load document (PDFium: Data format error).); re-download it.
"""
from __future__ import annotations

import ctypes
import math
import re
from datetime import datetime, timedelta, timezone

from bodopress.extractors.loaders.errors import LoadError
from bodopress.extractors.loaders.model import Builder, Source

LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


def load_pdf(data: bytes, **meta) -> Source:
    import pypdfium2 as pdfium

    name = meta.get("source_file", "<pdf>")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():     # RC4 and AES alike, when the empty user password fails
            raise LoadError("pdf_encrypted", f"{name} is password-protected; "
                            "ask the ministry for an open copy.") from None
        if "security" in str(e).lower():     # a DRM or certificate handler instead of a password
            raise LoadError("pdf_encrypted", f"{name} is encrypted with a security handler PDFium cannot "
                            "open (DRM or certificate); ask the ministry for an open copy.") from None
        raise LoadError("pdf_broken", f"{name} is not a readable PDF ({e}); re-download it.") from None
    try:
        b = Builder()
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            for column in _columns(_page_content(page)):
                _pdf_page(column, number, b)
            b.end_page()
            page.close()
        created = _pdf_date(pdf.get_metadata_dict().get("CreationDate"))
        doc = b.build(source_format="pdf", created_at=created, **meta)
        visible = "".join(doc.text.split())
        letters = sum(ch.isalpha() for ch in visible)
        if letters < max(20, 0.1 * len(visible)):
            # Scanned pages, or fonts whose glyphs carry no Unicode mapping (digits survive, Hangul not).
            images = sum(1 for page in pdf for _ in page.get_objects([pdfium.raw.FPDF_PAGEOBJ_IMAGE]))
            raise LoadError("no_text_layer", f"{name} has no readable text layer "
                            f"({letters} letters in {len(visible)} characters over {len(pdf)} page(s)"
                            f"{', ' + str(images) + ' image(s)' if images else ''}); "
                            "OCR it or ingest the HWP/HWPX rendering of the release instead.")
    finally:
        pdf.close()
    return doc


class Region:
    """A page, or part of one, as pdfplumber's table finder and text grouping expect it:
    `chars` and `edges` as pdfplumber-style dicts (top measured from the page's top)."""

    def __init__(self, bbox: tuple, chars: list[dict], edges: list[dict]):
        self.bbox, self.chars, self.edges = bbox, chars, edges
        self.width, self.height = bbox[2] - bbox[0], bbox[3] - bbox[1]

    def crop(self, bbox: tuple) -> "Region":
        x0, top, x1, bottom = bbox
        chars = [c for c in self.chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
                 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
        edges = []
        for e in self.edges:     # an edge on the border belongs in, whatever the last bit says
            if e["x1"] < x0 - 0.01 or e["x0"] > x1 + 0.01 or e["bottom"] < top - 0.01 or e["top"] > bottom + 0.01:
                continue
            e = dict(e, x0=max(e["x0"], x0), x1=min(e["x1"], x1), top=max(e["top"], top),
                     bottom=min(e["bottom"], bottom))
            e["width"], e["height"] = e["x1"] - e["x0"], e["bottom"] - e["top"]
            edges.append(e)
        return Region(bbox, chars, edges)

    def find_tables(self, settings: dict | None = None) -> list:
        from pdfplumber.table import TableFinder
        return TableFinder(self, settings).tables if self.edges else []


def _page_content(page) -> Region:
    left, bottom, right, top = page.get_mediabox()
    textpage = page.get_textpage()
    try:
        chars = _chars(textpage, left, top)
    finally:
        textpage.close()
    edges = _edges(page, left, top)
    return Region((0, 0, right - left, top - bottom), chars, edges)


def _chars(textpage, left: float, top: float) -> list[dict]:
    """The page's characters as typed (none of the spaces and line ends PDFium infers), boxed
    as pdfminer boxes them: from the font's descent below the baseline up one font size, one
    advance wide. PDFium's loose box reaches the font's ascent instead (lines of mixed fonts
    would not line up), and boxes a Type 3 glyph in its whole em square, wider than the comma
    it may draw; a Type 3 glyph's advance comes from the font's widths."""
    import pypdfium2.raw as raw

    tp = textpage.raw
    box, width = raw.FS_RECTF(), ctypes.c_float()
    fonts: dict[int, tuple | None] = {}      # text object -> (font, size, x scale, y scale, Type 3)
    out: list[dict] = []
    for i in range(raw.FPDFText_CountChars(tp)):
        code = raw.FPDFText_GetUnicode(tp, i)
        if code in (10, 13, 0xFFFE, 0xFFFF) or (code == 32 and raw.FPDFText_IsGenerated(tp, i)):
            continue
        if not raw.FPDFText_GetLooseCharBox(tp, i, box):
            continue
        x0, x1, t, b = box.left - left, box.right - left, top - box.top, top - box.bottom
        obj = raw.FPDFText_GetTextObject(tp, i)
        key = ctypes.cast(obj, ctypes.c_void_p).value
        if key not in fonts:
            fonts[key] = _font(raw, tp, i, obj)
        if fonts[key]:
            font, size, sx, sy, type3 = fonts[key]
            t = b - size * sy
            if type3 and raw.FPDFFont_GetGlyphWidth(font, code, size, width):
                x1 = x0 + width.value * sx
        out.append({"text": chr(code) if code < 0x110000 else "\ufffd", "x0": x0, "x1": x1,
                    "top": t, "bottom": b})
    return out


def _font(raw, tp, index: int, obj) -> tuple | None:
    """(font, size, x scale, y scale, Type 3 or not) of a text object; Type 3 fonts have no base font name."""
    font = raw.FPDFTextObj_GetFont(obj) if obj else None
    size, m = ctypes.c_float(), raw.FS_MATRIX()
    if not font or not raw.FPDFTextObj_GetFontSize(obj, size) or not raw.FPDFText_GetMatrix(tp, index, m):
        return None
    return (font, size.value, math.hypot(m.a, m.b), math.hypot(m.c, m.d),
            raw.FPDFFont_GetBaseFontName(font, None, 0) <= 1)


def _edges(page, left: float, top: float) -> list[dict]:
    """Ruling lines and rectangles (pdfplumber's `lines` and `rects`) as edges; a path
    holding a curve is a chart or a rounded box, not a table rule, and is left out."""
    import pypdfium2.raw as raw

    out: list[dict] = []
    matrix = raw.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    count_segments, get_segment, segment_type, get_point = (raw.FPDFPath_CountSegments, raw.FPDFPath_GetPathSegment,
                                                            raw.FPDFPathSegment_GetType, raw.FPDFPathSegment_GetPoint)
    moveto, bezierto = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_BEZIERTO
    stack = [(page.raw, None, (1, 0, 0, 1, 0, 0))]
    while stack:
        holder, form, outer = stack.pop()
        count = raw.FPDFPage_CountObjects(holder) if form is None else raw.FPDFFormObj_CountObjects(holder)
        for i in range(count):
            obj = raw.FPDFPage_GetObject(holder, i) if form is None else raw.FPDFFormObj_GetObject(holder, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
                continue
            raw.FPDFPageObj_GetMatrix(obj, matrix)
            m = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
            if kind == raw.FPDF_PAGEOBJ_FORM:
                stack.append((obj, True, m))
                continue
            a, b, c, d, e, f = m
            points: list[tuple[float, float]] = []
            curve = False
            for n in range(count_segments(obj)):
                seg = get_segment(obj, n)
                step = segment_type(seg)
                if step == moveto and points:
                    if not curve:
                        out += _subpath_edges(points, left, top)
                    points, curve = [], False
                curve = curve or step == bezierto
                get_point(seg, x, y)
                points.append((a * x.value + c * y.value + e, b * x.value + d * y.value + f))
            if points and not curve:
                out += _subpath_edges(points, left, top)
    return out


def _compose(m, outer) -> tuple:
    """m applied first, then outer (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _subpath_edges(points: list[tuple[float, float]], left: float, top: float) -> list[dict]:
    """A straight segment is a line, four axis-parallel corners a rectangle (as pdfminer
    classifies paths); anything else draws no table rule."""
    if len(points) == 5 and _near(points[0], points[4]):
        points = points[:4]
    pts = [(px - left, top - py) for px, py in points]
    if len(pts) == 2:
        (x0, y0), (x1, y1) = pts
        if abs(y0 - y1) < 0.01:
            return [_edge(min(x0, x1), max(x0, x1), y0, y0, "h")]
        if abs(x0 - x1) < 0.01:
            return [_edge(x0, x0, min(y0, y1), max(y0, y1), "v")]
        return []
    if len(pts) == 4:
        xs, ys = sorted({round(p[0], 2) for p in pts}), sorted({round(p[1], 2) for p in pts})
        (p0, p1, p2, p3) = pts
        aligned = (_same(p0[0], p1[0]) and _same(p1[1], p2[1]) and _same(p2[0], p3[0]) and _same(p3[1], p0[1])) or \
                  (_same(p0[1], p1[1]) and _same(p1[0], p2[0]) and _same(p2[1], p3[1]) and _same(p3[0], p0[0]))
        if aligned and len(xs) <= 2 and len(ys) <= 2:
            return _rect_edges(min(p[0] for p in pts), min(p[1] for p in pts),
                               max(p[0] for p in pts), max(p[1] for p in pts))
    return []


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 0.01


def _near(p, q) -> bool:
    return _same(p[0], q[0]) and _same(p[1], q[1])


def _edge(x0, x1, top, bottom, orientation) -> dict:
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": orientation, "object_type": "rect_edge"}


def _rect_edges(x0, top, x1, bottom) -> list[dict]:
    return [_edge(x0, x1, top, top, "h"), _edge(x0, x1, bottom, bottom, "h"),
            _edge(x0, x0, top, bottom, "v"), _edge(x1, x1, top, bottom, "v")]


def _columns(page: Region) -> list[Region]:
    """A landscape page printed two-up (two portrait pages side by side) reads left half first."""
    if page.width <= page.height * 1.1:
        return [page]
    words = _words(page.chars, 3)
    if len(words) < 20:
        return [page]
    mid = page.width / 2
    for x in sorted(range(int(page.width * 0.35), int(page.width * 0.65)), key=lambda x: abs(x - mid)):
        if any(w["x0"] < x < w["x1"] for w in words):
            continue
        left = sum(w["x1"] <= x for w in words)
        if min(left, len(words) - left) > 0.2 * len(words):
            return [page.crop((0, 0, x, page.height)), page.crop((x, 0, page.width, page.height))]
        break
    return [page]


def _pdf_page(page: Region, number: int, b: Builder) -> None:
    """Text outside tables, line by line, with each table rendered at its place."""
    tables = []
    for t in page.find_tables():
        rows = _table_rows(page, t)
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            tables.append((t.bbox, rows))

    def outside(ch) -> bool:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for (x0, top, x1, bottom), _ in tables)

    plain = [ch for ch in page.chars if outside(ch)] if tables else page.chars
    blocks = [(top, "text", text) for top, text in _lines(plain, 1.5)]
    blocks += [(bbox[1], "table", rows) for bbox, rows in tables]
    blocks.sort(key=lambda x: x[0])
    for _, kind, content in blocks:
        if kind == "text":
            b.add_text(content)
        else:
            b.add_table(content, page=number)


def _table_rows(page: Region, table) -> list[list]:
    """The table's rows; where Hancom drew no outer side rules, the first and last columns
    fall outside every detected cell, so the table is read again with rules at its edges."""
    def covered(ch) -> bool:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in table.cells)

    region = page.crop(table.bbox)
    if not all(covered(ch) for ch in region.chars if ch["text"].strip()):
        again = region.find_tables({"explicit_vertical_lines": [table.bbox[0], table.bbox[2]]})
        table = again[0] if again else table
    chars = page.crop(table.bbox).chars
    out = []
    for row in table.rows:
        in_row = _inside(chars, row.bbox)
        out.append([None if cell is None else "\n".join(text for _, text in _lines(_inside(in_row, cell), 3, False))
                    for cell in row.cells])
    return out


def _inside(chars: list[dict], bbox: tuple) -> list[dict]:
    """The characters whose middle lies in the box, left and top edges in (as pdfplumber's `Table.extract`)."""
    x0, top, x1, bottom = bbox
    return [c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom]


def _cluster(values, tolerance: float) -> dict[float, int]:
    """Each value's cluster: sorted values chained while each is within `tolerance` of the last."""
    out, index, last = {}, -1, None
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            index += 1
        out[v] = index
        last = v
    return out


def _words(chars: list[dict], x_tolerance: float) -> list[dict]:
    """pdfplumber's word grouping: characters clustered into lines by their top (3 pt),
    each line left to right, a word broken at a space, a gap over `x_tolerance`, a step
    back, or a jump of line."""
    ids = _cluster((c["top"] for c in chars), 3)
    words: list[dict] = []
    word: list[dict] = []

    def flush():
        if word:
            words.append({"text": "".join(LIGATURES.get(c["text"], c["text"]) for c in word),
                          "x0": min(c["x0"] for c in word), "x1": max(c["x1"] for c in word),
                          "top": min(c["top"] for c in word)})
            word.clear()

    for c in sorted(sorted(chars, key=lambda c: ids[c["top"]]), key=lambda c: (ids[c["top"]], c["x0"])):
        if c["text"].isspace():
            flush()
            continue
        if word:
            p = word[-1]
            if c["x0"] < p["x0"] or c["x0"] > p["x1"] + x_tolerance or abs(c["top"] - p["top"]) > 3 \
                    or ids[c["top"]] != ids[p["top"]]:
                flush()
        word.append(c)
    flush()
    return words


def _lines(chars: list[dict], x_tolerance: float, consecutive: bool = True) -> list[tuple[float, str]]:
    """(top, text) of each line as pdfplumber prints it: words clustered by their top,
    joined by one space; `consecutive` keeps the words' order and starts a line wherever
    the cluster changes (`extract_text_lines`), else lines go top to bottom (`extract_text`)."""
    words = _words(chars, x_tolerance)
    if not words:
        return []
    ids = _cluster((w["top"] for w in words), 3)
    if not consecutive:
        words = sorted(words, key=lambda w: ids[w["top"]])
    lines: list[list[dict]] = []
    for w in words:
        if lines and ids[lines[-1][-1]["top"]] == ids[w["top"]]:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [(min(w["top"] for w in line), " ".join(w["text"] for w in line)) for line in lines]


def _pdf_date(raw) -> datetime | None:
    if isinstance(raw, bytes):
        raw = raw.decode("latin-1", "ignore")
    m = re.match(r"D:(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:([+-])(\d{2})'?(\d{2})?)?", raw or "")
    if not m:
        return None
    y, mo, d, h, mi, s, sign, th, tm = m.groups()
    tz = timezone.utc
    if sign:
        off = timedelta(hours=int(th), minutes=int(tm or 0))
        tz = timezone(off if sign == "+" else -off)
    try:
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), tzinfo=tz)
    except ValueError:
        return None
