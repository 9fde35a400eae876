"""Plain-text and Markdown releases.

Decoded as UTF-8 (with or without BOM), UTF-16 (BOM, or NUL-interleaved ASCII) or
CP949/EUC-KR, each strictly: bytes that none of them decodes, or that decode to text
with no Korean in it, are refused as `undecodable` rather than guessed. Runs of two or
more tab-separated lines are tables (how text exports print them); an HTML `<table>` in
Markdown (as converters write merged cells) becomes such lines first, a spanned cell `''`, and
so does a pipe table (`| 구분 | 금액 |`, its `| --- |` rule line dropped).

>>> load_text("보도자료\\n구분\\t금액\\n계\\t1,234".encode()).tables[0].rows
[['구분', '금액'], ['계', '1,234']]
"""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

from bodopress.extractors.loaders.errors import LoadError
from bodopress.extractors.loaders.model import Source, Table, clean, last_line, place_cells

# The portal's own export heads its text with the time it posted the release
# (`- 게시 시각: 04/13/2026 13:25:12`): the date that text carries, as a PDF its CreationDate.
POSTED = re.compile(r"^[-*\s]*(?:게시\s*(?:시각|일시|일)|등록\s*일(?:시)?)\s*[:：]\s*(?:(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"
                    r"|(?P<y2>\d{4})[-./]\s*(?P<m2>\d{1,2})[-./]\s*(?P<d2>\d{1,2}))(?:\.?\s+(?P<h>\d{1,2}):(?P<mi>\d{2}))?", re.M)
SEOUL = timezone(timedelta(hours=9))


def posted_at(text: str) -> datetime | None:
    """`게시 시각: 04/13/2026 13:25:12` among a text's first lines, in Seoul time.

    >>> posted_at("# 제목\\n- 게시 시각: 04/13/2026 13:25:12\\n본문").isoformat()
    '2026-04-13T13:25:00+09:00'
    """
    m = POSTED.search("\n".join(text.split("\n", 15)[:15]))
    if not m:
        return None
    y, mo, d = (m["y"], m["m"], m["d"]) if m["y"] else (m["y2"], m["m2"], m["d2"])
    try:
        return datetime(int(y), int(mo), int(d), int(m["h"] or 0), int(m["mi"] or 0), tzinfo=SEOUL)
    except ValueError:
        return None


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
        if not _looks_like_text(text):
            raise UnicodeDecodeError("utf-16", data[:1], 0, 1, "decodes to no Korean text")
        return text
    if data[:200].count(b"\x00") > 20:   # UTF-16 without a BOM: every other byte of ASCII is NUL
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _looks_like_text(text):
                return text
        raise UnicodeDecodeError("utf-16", data[:1], 0, 1, "NUL bytes but not UTF-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp949")   # raises on bytes CP949 cannot map
    if not _looks_like_text(text):
        raise UnicodeDecodeError("cp949", data[:1], 0, 1, "decodes to no Korean text")
    return text


def _looks_like_text(text: str) -> bool:
    letters = sum(ch.isalnum() for ch in text)
    hangul = sum("가" <= ch <= "힣" for ch in text)
    controls = sum(ord(ch) < 32 and ch not in "\t\n\r\f" for ch in text)
    return hangul > 0 and controls < 0.01 * len(text) and letters > 0.3 * len(text.replace(" ", ""))


def load_text(data: bytes, fmt: str = "txt", **meta) -> Source:
    try:
        text = clean(decode(data))
    except (UnicodeDecodeError, UnicodeError) as e:
        raise LoadError("undecodable", f"{meta.get('source_file')} is not UTF-8, UTF-16 or CP949 text "
                        f"({e.reason}); convert it to UTF-8.") from None
    if fmt == "md":
        text = PIPE_TABLE.sub(_pipe_rows, HTML_TABLE.sub(_html_rows, text))
    meta.setdefault("created_at", posted_at(text))
    return Source(text=text, source_format=fmt, pages=[(0, len(text))], tables=tables_in_text(text), **meta)




# A Markdown pipe table: a `| a | b |` row, its `| --- | --- |` rule, then rows.
PIPE_TABLE = re.compile(r"^[ \t]*\|.*\|[ \t]*\n[ \t]*\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*(?:\n[ \t]*\|.*\|[ \t]*(?=\n|$))*", re.M)
PIPE_CELL = re.compile(r"(?<!\\)\|")


def _pipe_rows(m: re.Match) -> str:
    """A pipe table as tab-separated lines, without its rule line; `<br>` in a cell is a space.
    Only a regular one: a row under its header, none wider than the header (a converter that
    shifted a row's cells, or printed a chart's caption as a header, leaves the text as it is)."""
    rows = []
    for i, line in enumerate(m.group(0).split("\n")):
        if i != 1:
            cells = [" ".join(HTML_TAG.sub(" ", c).replace("\\|", "|").split()) for c in PIPE_CELL.split(line.strip())[1:-1]]
            while cells and not cells[-1]:
                cells.pop()
            rows.append(cells)
    if len(rows) < 2 or len(rows[0]) < 2 or any(len(r) > len(rows[0]) for r in rows):
        return m.group(0)
    return "\n".join("\t".join(r) for r in rows)


HTML_TABLE = re.compile(r"<table\b[^>]*>(.*?)</table>", re.S | re.I)
HTML_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
HTML_CELL = re.compile(r"<t([dh])\b([^>]*)>(.*?)</t\1>", re.S | re.I)
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")    # not `<특수교육법>`, a label in brackets


def _span(attrs: str, name: str) -> int:
    m = re.search(rf"{name}\s*=\s*[\"']?(\d+)", attrs, re.I)
    return max(1, min(int(m.group(1)), 100)) if m else 1


def _html_rows(m: re.Match) -> str:
    """`<tr><th rowspan="2">담당 부서</th>…` as tab-separated lines: a cell a span covers is ''."""
    lines, below = [], {}                 # column -> rows a rowspan still covers
    for row in HTML_ROW.finditer(m.group(1)):
        cells, col = [], 0
        for c in HTML_CELL.finditer(row.group(1)):
            while below.get(col):
                cells.append("")
                below[col] -= 1
                col += 1
            text = " ".join(html.unescape(HTML_TAG.sub(" ", c.group(3))).split())
            wide, tall = _span(c.group(2), "colspan"), _span(c.group(2), "rowspan")
            cells += [text] + [""] * (wide - 1)
            for k in range(col, col + wide):
                if tall > 1:
                    below[k] = tall - 1
            col += wide
        while below.get(col):
            cells.append("")
            below[col] -= 1
            col += 1
        lines.append("\t".join(cells))
    return "\n".join(lines)


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
                tables.append(Table(rows=[r.split("\t") for r in run], char_start=start, char_end=end,
                                    cells=place_cells(text, start, end), caption=last_line(text, start)))
            run = []
        pos += len(line) + 1
    return tables
