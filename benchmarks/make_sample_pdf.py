"""Rebuild raw/*.pdf from the sample text releases: an HTML page in the genre's layout,
printed to PDF by headless Chromium (Debian's `chromium`, with a Korean font such as
`fonts-nanum`). The PDFs are committed; this script only documents how they were made.

    python benchmarks/make_sample_pdf.py raw/sample-2026-06-02-export-vouchers.txt
"""
from __future__ import annotations

import html
import subprocess
import sys
import tempfile
from pathlib import Path

STYLE = """
body { font-family: 'NanumMyeongjo', 'NanumGothic', serif; font-size: 12pt; margin: 18mm; }
.type { font-size: 22pt; font-weight: bold; margin-bottom: 6mm; }
table { border-collapse: collapse; width: 100%; margin: 3mm 0; }
td { border: 1px solid #000; padding: 2mm; vertical-align: middle; }
h1 { font-size: 20pt; text-align: center; margin: 8mm 0 3mm; }
.sub { font-size: 13pt; text-align: center; margin-bottom: 6mm; }
p { line-height: 1.6; margin: 2mm 0; }
"""


def render(text: str) -> str:
    blocks = [b.strip("\n") for b in text.split("\n\n") if b.strip()]
    out = [f"<div class='type'>{html.escape(blocks[0])}</div>"]
    header = blocks[1].splitlines()
    out.append("<table>" + "".join(f"<tr><td>{html.escape(line)}</td></tr>" for line in header) + "</table>")
    out.append(f"<h1>{html.escape(blocks[2])}</h1>")
    out.append(f"<div class='sub'>{html.escape(blocks[3])}</div>")
    for block in blocks[4:]:
        if "\t" in block:
            rows = [r.split("\t") for r in block.splitlines()]
            out.append("<table>" + "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows) + "</table>")
        else:
            out.append(f"<p>{html.escape(block)}</p>")
    return f"<!doctype html><meta charset='utf-8'><style>{STYLE}</style>" + "\n".join(out)


def main(path: str) -> None:
    src = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "release.html"
        page.write_text(render(src.read_text(encoding="utf-8")), encoding="utf-8")
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                        f"--print-to-pdf={src.with_suffix('.pdf').resolve()}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)


if __name__ == "__main__":
    main(sys.argv[1])
