"""The worker pool's ahead phase: files extracted before the run's own plan is made count only
when the run asks for them and they are untouched since; everything else is extracted again."""
from __future__ import annotations

import os
import time
from pathlib import Path

from bodopress.pipeline import tasks, workers


def _release(path: Path, amount: str) -> Path:
    path.write_text(f"보도자료\n2026. 4. 13.(월) 배포\n\n수출이 {amount}를 기록했다.\n", encoding="utf-8")
    return path


def _amounts(result) -> list[str]:
    return [q["text"] for q in result.rows["quantities"]]


def test_map_uses_what_was_extracted_ahead_only_for_files_untouched_since(tmp_path):
    same = _release(tmp_path / "same.txt", "7,093억 달러")
    edited = _release(tmp_path / "edited.txt", "15억 원")
    unasked = _release(tmp_path / "unasked.txt", "3조 원")
    jobs = [("same.txt", same), ("edited.txt", edited), ("unasked.txt", unasked)]
    with workers.Pool(1) as pool:
        pool.start().ahead(lambda: jobs)
        deadline = time.monotonic() + 60
        while len(pool._early) < len(jobs) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(pool._early) == ["edited.txt", "same.txt", "unasked.txt"]
        before = os.stat(edited).st_mtime_ns
        while os.stat(_release(edited, "21억 원")).st_mtime_ns == before:   # a coarse clock: write again
            time.sleep(0.01)
        results = {r.source_file: r for r in pool.map([("same.txt", same), ("edited.txt", edited)])}
    assert sorted(results) == ["edited.txt", "same.txt"]        # what the run did not ask for is dropped
    assert _amounts(results["same.txt"]) == ["7,093억 달러"]
    assert _amounts(results["edited.txt"]) == ["21억 원"]       # extracted again, from the new bytes
    assert results["edited.txt"].source_sha256 == tasks.sha_of(edited)


def test_a_pool_whose_ahead_plan_fails_extracts_what_map_is_given(tmp_path):
    one = _release(tmp_path / "one.txt", "2.1조원")

    def broken_plan():
        raise OSError("raw/ went away")

    with workers.Pool(1) as pool:
        pool.start().ahead(broken_plan)
        results = list(pool.map([("one.txt", one)]))
    assert [_amounts(r) for r in results] == [["2.1조원"]]


def test_one_worker_takes_the_largest_file_first(tmp_path):
    short = _release(tmp_path / "a-short.txt", "1억 원")
    long = tmp_path / "b-long.txt"
    long.write_text(short.read_text(encoding="utf-8") + "\n수출이 늘었다.\n" * 200, encoding="utf-8")
    with workers.Pool(1) as pool:
        order = [r.source_file for r in pool.map([("a-short.txt", short), ("b-long.txt", long)])]
    assert order == ["b-long.txt", "a-short.txt"]
