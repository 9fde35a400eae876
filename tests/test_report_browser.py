"""The HTML diff report in a real browser: headless Chromium runs its inline JS offline.

Chromium comes from Debian's `chromium` package (`apt-get install -y chromium`).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bodopress.pipeline import ledger, review
from bodopress.pipeline.store import Change, Store

CHROMIUM = Path("/usr/bin/chromium")
DEV = Path(__file__).resolve().parent / "regressions"      # real releases kept with the tests
MOTIE = "motie-2026-05-28-first-year.txt"

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


def chromium(tmp: Path, *args: str) -> str:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
           f"--user-data-dir={tmp / 'chromium-profile'}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> Path:
    from bodopress.pipeline.tasks import process_file
    base = tmp_path_factory.mktemp("browser")
    text = (DEV / MOTIE).read_text(encoding="utf-8")
    version = ledger.Version("0.1.0", "test", None)
    for name, body in (("old", text), ("new", text.replace("360.5억 달러", "362.5억 달러")
                                             .replace("'26.2월 말", "'26.1월 말"))):
        raw = base / f"raw_{name}"
        raw.mkdir()
        (raw / MOTIE).write_text(body, encoding="utf-8")
        plan = ledger.plan(raw, [(MOTIE, raw / MOTIE)], {}, version)
        results = [process_file(raw / MOTIE, MOTIE)]
        run_id = ledger.new_run_id()
        Store(base / name).commit(Change(results, ledger.updated_entries({}, plan, results, version, run_id),
                                         {"run_id": run_id}))
    report = review.compare(review.State.load(base / "old"), review.State.load(base / "new"))
    page = base / "report.html"
    review.write_report(report, page)
    return page


def _rows(dom: str) -> list[str]:
    body = dom.split("<table id=\"changes\">", 1)[1]
    return re.findall(r"<tr data-table=[^>]*>", body)


def test_the_report_renders_and_its_script_ran(report_page, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", report_page.as_uri())
    assert 'data-ready="1"' in dom                         # the inline script ran to its end
    assert "2 of 2 changes shown" in dom                  # text only the script writes
    assert "36,050,000,000" in dom and "36,250,000,000" in dom
    assert "2026-02-01" in dom and "2026-01-01" in dom
    assert "<mark>362.5억 달러</mark>" in dom and "<mark>'26.1월 말</mark>" in dom
    assert '<option value="dates">dates</option>' in dom   # filters filled from the rows


def test_the_filter_in_the_address_hides_other_tables(report_page, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", report_page.as_uri() + "#table=dates")
    assert "1 of 2 changes shown" in dom
    rows = _rows(dom)
    assert [("hidden" in r, "data-table=\"dates\"" in r) for r in rows] == [(True, False), (False, True)]
    dom = chromium(tmp_path, "--dump-dom", report_page.as_uri() + "#release=" + MOTIE + "&q=362.5")
    assert "1 of 2 changes shown" in dom


def test_a_screenshot_is_taken(report_page, tmp_path):
    shot = tmp_path / "report.png"
    chromium(tmp_path, "--window-size=1280,800", f"--screenshot={shot}", report_page.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)
