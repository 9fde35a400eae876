"""How much of an ingest run is Prefect: the flow against the same work done by a plain loop.

    python benchmarks/orchestration.py [CORPUS_DIR]

Prints the plain loop's time (load, extract, validate, write), the flow's time with its
Prefect server already started, and the difference as a share of the flow run; the
server's start-up is reported apart, because a scheduled deployment pays it once.
Task caching is refreshed so that every batch really runs.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["PREFECT_TASKS_REFRESH_CACHE"] = "true"

from bodopress.pipeline import flows  # noqa: E402
from bodopress.pipeline.storage import write_tables  # noqa: E402
from bodopress.pipeline.tasks import discover, process_file  # noqa: E402


def main(corpus: Path) -> None:
    from prefect import flow
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    files = discover(corpus)
    process_file(files[0], corpus)                      # Kiwi and imports warm in both arms

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_tables(Path(tmp), [process_file(p, corpus) for p in files])
        plain = time.perf_counter() - t

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        t = time.perf_counter()
        flow(name="warm-up")(lambda: None)()
        startup = time.perf_counter() - t
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            flows.ingest(corpus, Path(tmp))
            orchestrated = time.perf_counter() - t

    overhead = orchestrated - plain
    print(f"files {len(files)} in {len(range(0, len(files), flows.BATCH))} batch task(s)")
    print(f"plain loop        {plain:6.2f} s")
    print(f"flow (warm API)   {orchestrated:6.2f} s")
    print(f"overhead          {overhead:6.2f} s = {100 * overhead / orchestrated:.0f}% of the flow run")
    print(f"server start-up   {startup:6.2f} s (ephemeral API, once per process)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "dev")
