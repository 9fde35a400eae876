"""The shape the architecture promises: one import name, no import cycle, loaders depend on
nothing above them, the review imports no loader, and only the store writes curated/."""
from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

PACKAGES = [importlib.import_module(f"bodopress.{n}") for n in ("extractors", "pipeline", "schemas")]
MODULES = {p.__name__: Path(p.__file__) for p in PACKAGES}
for p in PACKAGES:
    for m in pkgutil.walk_packages(p.__path__, p.__name__ + "."):
        spec = importlib.util.find_spec(m.name)
        MODULES[m.name] = Path(spec.origin)


def imports_of(name: str) -> set[str]:
    """Every bodopress module `name` imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bodopress"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("bodopress")}
    return {m for m in out if m in MODULES and m != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def test_no_import_cycle():
    state: dict[str, int] = {}

    def visit(n: str, path: list[str]) -> None:
        state[n] = 1
        for m in GRAPH[n]:
            if state.get(m) == 1:
                pytest.fail("import cycle: " + " -> ".join(path[path.index(m):] + [m]) if m in path else m)
            if m not in state:
                visit(m, path + [m])
        state[n] = 2

    for n in GRAPH:
        if n not in state:
            visit(n, [n])


def test_loaders_import_nothing_above_them():
    for name, deps in GRAPH.items():
        if name.startswith("bodopress.extractors.loaders"):
            assert all(d.startswith("bodopress.extractors.loaders") for d in deps), (name, deps)


def test_the_review_imports_no_loader():
    for name, deps in GRAPH.items():
        if name.startswith("bodopress.pipeline.review"):
            assert not any(d.startswith("bodopress.extractors") for d in deps), (name, deps)


def test_only_the_store_writes_curated():
    """Writing calls (rename, Parquet writes, rmtree) appear in the store and in modules that write
    elsewhere only: the fetcher (raw/), the report and review renderers (a file the user names)."""
    writers = {"os.replace", "pq.write_table", "shutil.rmtree", "shutil.copyfile", "os.link"}
    allowed = {"bodopress.pipeline.store", "bodopress.pipeline.fetch", "bodopress.pipeline.review.render",
               "bodopress.pipeline.report"}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        if name not in allowed:
            assert not calls & writers, (name, calls & writers)
