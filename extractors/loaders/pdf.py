"""PDF releases (Hancom's PDF export and others with a text layer).

Text outside tables line by line, each ruled table read as a grid at its place; a landscape
page printed two-up reads its left half first. A PDF whose glyphs carry no Unicode text
(scans, fonts without a ToUnicode map) is refused as `no_text_layer`.
"""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

from bodopress.extractors.loaders.errors import LoadError
from bodopress.extractors.loaders.model import Builder, Source

def load_pdf(data: bytes, **meta) -> Source:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect:
        raise LoadError("pdf_encrypted", f"{meta['source_file']} is password-protected; "
                        "ask the ministry for an open copy.") from None
    except (PDFSyntaxError, Exception) as e:
        if "password" in str(e).lower() or type(e).__name__.startswith("PDFEncrypt"):
            raise LoadError("pdf_encrypted", f"{meta['source_file']} is encrypted ({type(e).__name__}).") from None
        raise LoadError("pdf_broken", f"{meta['source_file']} is not a readable PDF "
                        f"({type(e).__name__}: {e}); re-download it.") from None
    with pdf:
        b = Builder()
        images = 0
        for number, page in enumerate(pdf.pages, 1):
            images += len(page.images)
            for column in _columns(page):
                _pdf_page(column, number, b)
            b.end_page()
        created = _pdf_date(pdf.metadata.get("CreationDate"))
    doc = b.build(source_format="pdf", created_at=created, **meta)
    visible = "".join(doc.text.split())
    letters = sum(ch.isalpha() for ch in visible)
    if letters < max(20, 0.1 * len(visible)):
        # Scanned pages, or fonts whose glyphs carry no Unicode mapping (digits survive, Hangul not).
        raise LoadError("no_text_layer", f"{meta['source_file']} has no readable text layer "
                        f"({letters} letters in {len(visible)} characters over {len(pdf.pages)} page(s)"
                        f"{', ' + str(images) + ' image(s)' if images else ''}); "
                        "OCR it or ingest the HWP/HWPX rendering of the release instead.")
    return doc


def _columns(page) -> list:
    """A landscape page printed two-up (two portrait pages side by side) reads left half first."""
    if page.width <= page.height * 1.1:
        return [page]
    words = page.extract_words()
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


def _pdf_page(page, number: int, b: Builder) -> None:
    """Text outside tables, line by line, with each table rendered at its place."""
    tables = []
    # Charts draw hundreds of curves; as table edges they only cost time (≈1 s a page).
    ruled = page.filter(lambda obj: obj.get("object_type") != "curve")
    for t in ruled.find_tables():
        rows = _table_rows(ruled, t)
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            tables.append((t.bbox, rows))

    def outside(obj) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for (x0, top, x1, bottom), _ in tables)

    plain = page.filter(outside) if tables else page
    blocks = [(line["top"], "text", line["text"]) for line in plain.extract_text_lines(x_tolerance=1.5)]
    blocks += [(bbox[1], "table", rows) for bbox, rows in tables]
    blocks.sort(key=lambda x: x[0])
    for _, kind, content in blocks:
        if kind == "text":
            b.add_text(content)
        else:
            b.add_table(content, page=number)


def _table_rows(page, table) -> list[list]:
    """The table's rows; where Hancom drew no outer side rules, the first and last columns
    fall outside every detected cell, so the table is read again with rules at its edges."""
    def covered(ch) -> bool:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in table.cells)

    region = page.crop(table.bbox, strict=False)
    if all(covered(ch) for ch in region.chars if ch["text"].strip()):
        return table.extract()
    again = region.find_tables({"explicit_vertical_lines": [table.bbox[0], table.bbox[2]]})
    return again[0].extract() if again else table.extract()


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
