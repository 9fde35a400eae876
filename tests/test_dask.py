"""`bodo ingest --task-runner dask`: the extraction on a local Dask cluster (prefect-dask) gives the
same curated tables as the default worker pool."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bodopress.pipeline import flows
from bodopress.schemas import TABLES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.flow
def test_dask_runner_gives_the_default_runners_tables(tmp_path):
    pytest.importorskip("prefect_dask")
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", raw)
    (raw / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    default = flows.run_ingest(raw, tmp_path / "default", keep_history=0)
    dask = flows.run_ingest(raw, tmp_path / "dask", keep_history=0, task_runner="dask")
    assert default["rows"] == dask["rows"] and default["rows"]["releases"] == 3
    for table in TABLES:
        a, b = pq.read_table(tmp_path / "default" / f"{table}.parquet"), pq.read_table(tmp_path / "dask" / f"{table}.parquet")
        assert a.equals(b), table
    assert [e["error_type"] for e in dask["errors"]] == ["pdf_broken"]
