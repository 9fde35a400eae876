"""The Prefect flow against the API server a run starts for itself, and the `bodo` command line."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bodopress.pipeline.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.flow
def test_ingest_flow_curates_good_files_and_reports_bad_ones(tmp_path):
    from bodopress.pipeline.flows import run_ingest

    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", raw)
    (raw / "sub").mkdir()
    (raw / "sub" / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    (raw / "sub" / "noise.txt").write_bytes(bytes(range(128, 256)) * 4)
    summary = run_ingest(raw, tmp_path / "curated")           # the flow against an API server of its own
    store = Store(tmp_path / "curated")

    releases = store.read("releases").to_pylist()
    assert sorted(r["source_file"] for r in releases) == sorted(p.name for p in (ROOT / "raw").iterdir())
    errors = {e["source_file"]: e for e in store.read("errors").to_pylist()}
    assert errors["sub/noise.txt"]["error_type"] == "undecodable"
    assert errors["sub/truncated.pdf"]["error_type"] == "pdf_broken"
    assert all(e["message"].endswith(".") and e["stage"] == "load" for e in errors.values())
    contacts = store.read("contacts").to_pylist()
    assert {"김민준", "이서연", "정하늘"} <= {c["name"] for c in contacts}
    assert {k: e["status"] for k, e in store.ledger().items() if k.startswith("sub/")} == {
        "sub/noise.txt": "error", "sub/truncated.pdf": "error"}
    assert store.snapshots() == [summary["run_id"]] == [store.head()]


def _bodo(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "bodopress.pipeline.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=True).stdout


def test_extract_lines_prints_one_object_per_line():
    out = _bodo("extract", "--lines", "--reference-date", "2026-05-28", stdin="수출 7천억불 돌파\n\n작년 6월부터 10월까지\n")
    objects = [json.loads(line) for line in out.splitlines()]
    assert len(objects) == 3
    assert set(objects[0]) == {"release", "quantities", "dates", "laws", "contacts"}
    assert [(q["value"], q["unit"]) for q in objects[0]["quantities"]] == [(700000000000.0, "USD")]
    assert objects[1]["quantities"] == objects[1]["dates"] == []
    assert [(d["start"], d["end"], d["relative"]) for d in objects[2]["dates"]] == [("2025-06-01", "2025-10-31", True)]


def test_extract_file_gives_the_release_and_its_rows():
    found = json.loads(_bodo("extract", "raw/sample-2026-06-02-export-vouchers.txt"))
    assert found["release"]["embargo_at"] == "2026-06-02T12:00:00+09:00"
    assert [law["name"] for law in found["laws"]][:1] == ["무역보험법"]
    assert len(found["contacts"]) == 4
