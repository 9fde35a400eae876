"""The `bodo` command as a person meets it: a mistake is one line saying what to do, exit 2.

Each mistake runs the real command in a subprocess (no Prefect starts for any of them);
`bodo ingest`'s exit codes and progress lines run in-process against a stand-in flow, and
once for real.
"""
from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from bodopress.pipeline import cli
from bodopress.schemas import TABLES

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
RELEASE = "산업통상부 보도자료\n\n수출 7천억불 돌파\n\n지난해 수출이 7,093억 달러를 기록했다.\n"


def bodo(*args: str, cwd: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bodopress.pipeline.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd, input=stdin)


def one_line_exit_2(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


@pytest.fixture
def png_named_pdf(tmp_path) -> Path:
    p = tmp_path / "scan.pdf"
    p.write_bytes(PNG)
    return p


def test_extract_a_missing_file(tmp_path):
    one_line_exit_2(bodo("extract", str(tmp_path / "missing.pdf")), "bodo extract:", "no file", "missing.pdf")


def test_extract_a_directory(tmp_path):
    one_line_exit_2(bodo("extract", str(tmp_path)), "is a directory", "bodo ingest")


def test_extract_a_png_named_pdf(png_named_pdf):
    one_line_exit_2(bodo("extract", str(png_named_pdf)), "PNG image", "[image_file]")


def test_a_bad_reference_date():
    one_line_exit_2(bodo("extract", "--reference-date", "2026-13-01", stdin="3월"), "YYYY-MM-DD", "2026-13-01")


def test_a_missing_law_names_file(tmp_path):
    one_line_exit_2(bodo("extract", "--law-names", str(tmp_path / "laws.txt"), stdin="법"), "no file", "laws.txt")


def test_a_bad_cron_is_refused_before_anything_starts(tmp_path):
    line = one_line_exit_2(bodo("serve", str(tmp_path), "--curated", str(tmp_path / "c"), "--cron", "61 * * * *"),
                           "not a cron schedule", "*/15 * * * *")
    assert "bodo serve" in line and not (tmp_path / "c").exists()


def test_ingest_a_missing_raw_dir(tmp_path):
    one_line_exit_2(bodo("ingest", str(tmp_path / "raw")), "no release files under", "no such directory")


def test_ingest_an_empty_raw_dir(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "notes.docx").write_text("x")
    line = one_line_exit_2(bodo("ingest", "raw", cwd=tmp_path))
    assert line == "bodo ingest: no release files under raw/ (looked for .hwpx .hwp .pdf .txt .md)"


def test_diff_an_unknown_run_id(tmp_path):
    one_line_exit_2(bodo("diff", "20990101-nosuchrun", str(tmp_path), "--curated", str(tmp_path)),
                    "bodo diff:", "20990101-nosuchrun", "bodo history")


def test_an_unknown_command_or_table():
    one_line_exit_2(bodo("frobnicate"), "invalid choice", "--help")
    one_line_exit_2(bodo("schema", "nope"), "one of releases")


def test_an_internal_error_is_one_line_unless_debug(tmp_path):
    (tmp_path / "releases.parquet").write_bytes(b"not parquet")
    done = bodo("report", "--curated", str(tmp_path))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith("bodo: internal error: ") and "--debug" in done.stderr
    done = bodo("--debug", "report", "--curated", str(tmp_path))
    assert done.returncode == 1 and "Traceback" in done.stderr


def test_version():
    done = bodo("--version")
    assert done.returncode == 0 and done.stdout.strip().startswith("bodo 0.")


def test_schema_prints_every_table_and_column():
    done = bodo("schema")
    assert done.returncode == 0, done.stderr
    for table, model in TABLES.items():
        assert f"{table} (contract v" in done.stdout
        for column in model.model_fields:
            assert f"  {column} " in done.stdout
    one = bodo("schema", "laws").stdout
    assert "official_name" in one and "releases (contract" not in one
    assert "timestamp[us, tz=Asia/Seoul]?" in bodo("schema", "releases").stdout


def test_telemetry_is_off_unless_the_operator_says_otherwise(monkeypatch, capsys):
    monkeypatch.delenv("PREFECT_SERVER_ANALYTICS_ENABLED", raising=False)
    monkeypatch.setenv("DO_NOT_TRACK", "0")
    assert cli.main(["schema", "texts"]) == 0
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false" and os.environ["DO_NOT_TRACK"] == "0"


def fake_flows(errors: list[dict], files: list[tuple[str, bool]]):
    def run_ingest(raw, curated, law_names=None, **options):
        flows.on_plan(len(files))
        for name, ok in files:
            flows.on_progress(name, ok)
        return {"files": len(files), "ok": sum(ok for _, ok in files), "errors": errors,
                "rows": {"releases": len(files) - len(errors)}, "plan": None}
    flows = types.SimpleNamespace(run_ingest=run_ingest, on_plan=None, on_progress=None)
    return flows


@pytest.mark.parametrize("allow, code", [(False, 1), (True, 0)])
def test_ingest_exits_1_when_files_became_errors(tmp_path, monkeypatch, capsys, allow, code):
    import bodopress.pipeline
    err = {"source_file": "scan.pdf", "error_type": "image_file", "message": "this .pdf is a PNG image"}
    flows = fake_flows([err], [("a.hwpx", True), ("scan.pdf", False)])
    monkeypatch.setitem(sys.modules, "bodopress.pipeline.flows", flows)
    monkeypatch.setattr(bodopress.pipeline, "flows", flows, raising=False)
    (tmp_path / "a.hwpx").write_bytes(b"x")
    args = ["ingest", str(tmp_path), "--curated", str(tmp_path / "c")] + (["--allow-errors"] if allow else [])
    assert cli.main(args) == code
    err_lines = capsys.readouterr().err.splitlines()
    assert any(line.startswith("[1/2] ok") and "a.hwpx" in line for line in err_lines)     # not a terminal:
    assert any(line.startswith("[2/2] error") and "scan.pdf" in line and "1 error(s)" in line for line in err_lines)
    assert any("1 of 2 file(s) became error rows" in line for line in err_lines) is not allow


def test_ingest_all_ok_exits_0(tmp_path, monkeypatch, capsys):
    import bodopress.pipeline
    flows = fake_flows([], [("a.txt", True)])
    monkeypatch.setitem(sys.modules, "bodopress.pipeline.flows", flows)
    monkeypatch.setattr(bodopress.pipeline, "flows", flows, raising=False)
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")                                   # -q sets it
    (tmp_path / "a.txt").write_text(RELEASE, encoding="utf-8")
    assert cli.main(["-q", "ingest", str(tmp_path), "--curated", str(tmp_path / "c")]) == 0
    assert "[1/1]" not in capsys.readouterr().err                                            # -q: no progress


def test_on_a_terminal_the_bar_names_the_file_and_counts_errors():
    import io

    from rich.console import Console
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with cli.FileProgress(console) as progress:
        progress.plan(3)
        progress.file_done("보도자료-1.hwpx", True)
        progress.file_done("scan.pdf", False)
        progress.bar.refresh()
        assert "scan.pdf" in out.getvalue() and "2/3" in out.getvalue() and "1 error(s)" in out.getvalue()


@pytest.mark.flow
def test_a_real_ingest_with_a_bad_file_exits_1(tmp_path, png_named_pdf):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "release.txt").write_text(RELEASE, encoding="utf-8")
    png_named_pdf.rename(raw / "scan.pdf")
    done = bodo("ingest", str(raw), "--curated", str(tmp_path / "curated"))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "[2/2]" in done.stderr or "[1/2]" in done.stderr                                 # per-file lines
    assert "1 of 2 file(s) became error rows" in done.stderr.splitlines()[-1]
