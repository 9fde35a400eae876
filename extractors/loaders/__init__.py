"""Release files -> `Source` (text, pages, tables with cell spans), the loader chosen by the file's bytes.

Each format has its module (`text`, `pdf`, `hwpx`, `hwp`; `hancom` is the block model HWPX and
HWP share, `model` what they all build). Nothing here imports from above `loaders`. A file
is judged by its signature, never its name: an HWP named `.hwpx` loads as HWP, and a PNG,
an HTML page or plain text named `.pdf` is refused with its own `error_type`, saying what
the file really is.

>>> sniff(b"%PDF-1.4 ..."), sniff(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff("보도자료".encode("cp949"))
('pdf', 'png', 'text')
>>> describe("png")
'a PNG image'
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from bodopress.extractors.loaders.errors import LoadError
from bodopress.extractors.loaders.model import Builder, Source, Table

__all__ = ["LoadError", "Source", "Table", "Builder", "load", "load_bytes", "sniff", "describe",
           "DOCUMENT_SUFFIXES", "TEXT_SUFFIXES", "MAX_BYTES"]

MAX_BYTES = 200 * 1024 * 1024       # any file
MAX_TEXT_BYTES = 20 * 1024 * 1024   # a plain-text release: the longest real ones are under 1 MB
DOCUMENT_SUFFIXES = {".pdf", ".hwpx", ".hwp"}
TEXT_SUFFIXES = {".txt", ".md"}

SIGNATURES = [          # (kind, prefix); checked in order
    ("ole", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ("zip", b"PK\x03\x04"),
    ("png", b"\x89PNG\r\n\x1a\n"),
    ("jpeg", b"\xff\xd8\xff"),
    ("gif", b"GIF8"),
]
KINDS = {"pdf": "a PDF document", "zip": "a zip archive", "ole": "an OLE compound file (HWP, DOC, XLS)",
         "png": "a PNG image", "jpeg": "a JPEG image", "gif": "a GIF image", "html": "an HTML page",
         "text": "plain text", "binary": "binary data of no known document kind"}


def sniff(data: bytes) -> str:
    """The file's kind from its first bytes: pdf, zip, ole, png, jpeg, gif, html, text or binary."""
    for kind, prefix in SIGNATURES:
        if data.startswith(prefix):
            return kind
    if b"%PDF-" in data[:1024]:
        return "pdf"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (b"<html" in head and b"<" == head[:1]):
        return "html"
    sample = data[:4096]
    if _utf16(sample):
        return "text"
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")) and sample[:200].count(b"\x00") <= 20:
        return "binary"
    controls = sum(b < 9 or 13 < b < 32 for b in sample)
    return "binary" if controls > 0.05 * max(len(sample), 1) else "text"


def _utf16(sample: bytes) -> bool:
    """UTF-16 text: a BOM, or NULs (the high bytes of ASCII) in a sample that decodes to
    text without control characters."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if not even and not odd:
        return False
    try:
        text = sample[:len(sample) // 2 * 2 - 2].decode("utf-16-be" if even > odd else "utf-16-le")
    except UnicodeDecodeError:
        return False
    return sum(ch < " " and ch not in "\t\n\r" for ch in text) <= 0.01 * len(text)


def describe(kind: str) -> str:
    return KINDS.get(kind, kind)


def load(path: Path, source_file: str | None = None, max_bytes: int = MAX_BYTES) -> Source:
    """Read at most `max_bytes` (+1 to tell) of `path` and load it; the size is checked first."""
    path = Path(path)
    name = source_file or path.name
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError("too_large", f"{name} is {size >> 20} MB, over the {max_bytes >> 20} MB limit; "
                        "split it or remove it from raw/.")
    with open(path, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LoadError("too_large", f"{name} grew past the {max_bytes >> 20} MB limit while read; remove it from raw/.")
    return load_bytes(data, name, suffix=path.suffix.lower())


def load_bytes(data: bytes, source_file: str, suffix: str = "") -> Source:
    if not data.strip():
        raise LoadError("empty", f"{source_file} is empty: re-download the release or remove it from raw/.")
    kind = sniff(data)
    meta = dict(source_file=source_file, source_sha256=hashlib.sha256(data).hexdigest())
    named = f"this {suffix}" if suffix else "this file"
    if kind == "pdf":
        from bodopress.extractors.loaders.pdf import load_pdf
        src = load_pdf(data, **meta)
    elif kind == "zip":
        from bodopress.extractors.loaders.hwpx import load_hwpx
        src = load_hwpx(data, **meta)
    elif kind == "ole":
        from bodopress.extractors.loaders.hwp import load_hwp
        src = load_hwp(data, **meta)
    elif kind in ("png", "jpeg", "gif"):
        raise LoadError("image_file", f"{source_file}: {named} is {describe(kind)}, not a release; "
                        "OCR it or fetch the release's HWPX/PDF instead.")
    elif kind == "html":
        raise LoadError("html_page", f"{source_file}: {named} is {describe(kind)} (an error or login page?), "
                        "not a release; download the attachment again.")
    elif suffix in DOCUMENT_SUFFIXES:
        raise LoadError("not_a_document", f"{source_file}: {named} is {describe(kind)}, not a "
                        f"{suffix[1:].upper()} document; re-download it, or rename it .txt if it is a text release.")
    elif kind == "binary":
        raise LoadError("undecodable", f"{source_file} is {describe(kind)}, not text; "
                        "remove it from raw/ or convert it to UTF-8 text.")
    elif len(data) > MAX_TEXT_BYTES:
        raise LoadError("too_large", f"{source_file} is {len(data) >> 20} MB of text, over the "
                        f"{MAX_TEXT_BYTES >> 20} MB a release can be; split it or remove it from raw/.")
    else:
        from bodopress.extractors.loaders.text import load_text
        src = load_text(data, fmt="md" if suffix == ".md" else "txt", **meta)
    if not src.text.strip():
        raise LoadError("empty", f"{source_file} holds no text.")
    return src
