from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared next to the repository (CI always has it; a bare checkout may not)."""
    if not (SHARED / "corpus" / "dev").is_dir():
        pytest.skip("../shared/corpus is not next to the repository")
    return SHARED
