"""`bodo report`: the page's numbers, its escaping of hostile release text, and a real browser.

The curated directory is written here with pyarrow from the schemas, as any tool could, so
the report is tested apart from the flow. Chromium comes from Debian's `chromium` package;
the browser tests skip without it.
"""
from __future__ import annotations

import doctest
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bodopress.pipeline import report
from bodopress.schemas import arrow_schema

CHROMIUM = Path("/usr/bin/chromium")
SEOUL = ZoneInfo("Asia/Seoul")
HOSTILE = "<script>alert(1)</script>"


def release(rid: str, source: str, fmt: str, ministry: str, title: str, day: int, preferred: bool) -> dict:
    return {"release_id": rid, "source_file": source, "source_sha256": rid * 4, "source_format": fmt,
            "ministry": ministry, "title": title, "subtitle": None,
            "embargo_at": datetime(2026, 5, day, 12, tzinfo=SEOUL), "embargo_text": None, "edition": None,
            "distributed_at": None, "n_chars": 100, "extractor_version": "test", "document_key": source[:4],
            "preferred": preferred, "portal_id": None, "portal_url": None, "approved_at": None}


def quantity(rid: str, text: str, value: float, unit: str, sentence: str) -> dict:
    return {"release_id": rid, "text": text, "value": value, "value_max": None, "unit": unit, "counter": None,
            "qualifier": None, "char_start": 0, "char_end": len(text), "sentence": sentence, "rule": "scaled_number"}


def write(curated: Path, table: str, rows: list[dict]) -> None:
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema(table)), curated / f"{table}.parquet")


@pytest.fixture(scope="module")
def curated(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("curated")
    write(d, "releases", [
        release("a" * 16, "motie.hwpx", "hwpx", "산업통상부", "수출 7천억불 돌파", 28, True),
        release("b" * 16, "motie.pdf", "pdf", "산업통상부", "수출 7천억불 돌파", 28, False),
        release("c" * 16, "evil.hwpx", "hwpx", "행정안전부", HOSTILE, 29, True),
    ])
    write(d, "quantities", [
        quantity("a" * 16, "7천억불", 7e11, "USD", "지난해 수출 7천억불 돌파"),
        quantity("b" * 16, "7천억 불", 7e11, "USD", "지난해 수출 7천억 불 돌파 (PDF)"),
        quantity("a" * 16, "2.1조원", 2.1e12, "KRW", "2.1조원 이상 지원"),
        quantity("c" * 16, "30억원", 3e9, "KRW", f"예산 30억원 {HOSTILE}"),
        quantity("a" * 16, "40.9%", 40.9, "percent", "40.9% 증가"),
    ])
    write(d, "errors", [
        {"source_file": "scan.pdf", "source_sha256": None, "stage": "load", "error_type": "image_file",
         "message": "this .pdf is a PNG image, not a release"},
        {"source_file": "scan2.pdf", "source_sha256": None, "stage": "load", "error_type": "image_file",
         "message": "this .pdf is a PNG image, not a release"},
        {"source_file": "x.hwp", "source_sha256": None, "stage": "load", "error_type": "hwp_encrypted",
         "message": f"{HOSTILE} has a password"},
    ])
    return d


@pytest.fixture(scope="module")
def page(curated, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("page") / "report.html"
    report.write(curated, out)
    return out


def test_doctests():
    assert doctest.testmod(report).failed == 0


def test_the_summary_counts_preferred_renderings_only(curated):
    s = report.summarize(curated)
    assert (s["n_releases"], s["n_files"], s["n_errors"]) == (2, 3, 3)
    assert [(b["label"], b["n"]) for b in s["ministries"]] == [("산업통상부", 1), ("행정안전부", 1)]
    assert [(b["label"], b["n"]) for b in s["days"]] == [("2026-05-28", 1), ("2026-05-29", 1)]
    assert [(t["error_type"], t["n"]) for t in s["error_types"]] == [("image_file", 2), ("hwp_encrypted", 1)]
    assert [q["text"] for q in s["amounts"]["USD"]] == ["7천억불"]          # not the PDF's copy
    assert [q["amount"] for q in s["amounts"]["KRW"]] == ["2.1조 원", "30억 원"]
    assert {t["name"]: t["n"] for t in s["tables"]} == {"releases": 3, "quantities": 5, "dates": 0, "laws": 0,
                                                       "contacts": 0, "texts": 0, "errors": 3}


def test_release_text_is_escaped_and_nothing_is_loaded_from_outside(page):
    html = page.read_text(encoding="utf-8")
    assert HOSTILE not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3          # title, sentence, error message
    assert "<script" not in html and "http://" not in html and "https://" not in html and " src=" not in html
    assert "<mark>7천억불</mark>" in html


def test_without_a_preferred_column_every_rendering_counts(tmp_path):
    rows = [{k: v for k, v in release("a" * 16, "m.pdf", "pdf", "산업통상부", "t", 28, True).items()
             if k not in ("document_key", "preferred", "portal_id", "portal_url", "approved_at")}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "releases.parquet")
    s = report.summarize(tmp_path)
    assert (s["n_releases"], s["has_preferred"], s["n_errors"]) == (1, False, 0)


def test_the_command_writes_the_page(curated, tmp_path):
    out = tmp_path / "r.html"
    done = subprocess.run([sys.executable, "-m", "bodopress.pipeline.cli", "report", "--curated", str(curated),
                           "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert out.exists() and "bodo report: 2 release(s), 3 error(s)" in done.stderr


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
           "--enable-logging=stderr", "--v=0", f"--user-data-dir={tmp / 'chromium-profile'}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    shutil.rmtree(tmp / "chromium-profile", ignore_errors=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)")
def test_the_page_renders_in_chromium_without_console_errors(page, tmp_path):
    done = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert "Largest USD amounts" in done.stdout and "&lt;script&gt;alert(1)&lt;/script&gt;" in done.stdout
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []            # the page's CSP reports any script or outside asset here
    shot = tmp_path / "report.png"
    chromium(tmp_path, "--window-size=1280,900", f"--screenshot={shot}", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
