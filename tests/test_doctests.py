"""Every module's `>>>` examples run as tests (the full behaviour lives in the case files)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = [importlib.import_module(f"bodopress.{name}") for name in ("extractors", "pipeline", "schemas")]
MODULES = sorted({p.__name__ for p in PACKAGES} | {m.name for p in PACKAGES
                                                   for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")})


def test_every_package_is_found():
    assert {"bodopress.extractors.quantities", "bodopress.pipeline.store", "bodopress.schemas"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
