"""Tests over ../shared (the whole corpus, the peers' suites, the gold) carry the `corpus` marker:
`python -m pytest` leaves them out, `python -m pytest -m corpus` (what .ci/run adds) runs them
and fails, not skips, when ../shared is missing. Real releases kept in tests/regressions/ are
tested either way."""
from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
REGRESSIONS = Path(__file__).resolve().parent / "regressions"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "shared" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.corpus)


def pytest_runtest_setup(item):
    if item.get_closest_marker("corpus") and not (SHARED / "corpus" / "dev").is_dir():
        pytest.fail(f"{SHARED} is missing: the corpus tests need shared/ beside the repository")


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared next to the repository (the tests that ask for it are `corpus` tests)."""
    return SHARED
