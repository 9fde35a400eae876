"""Compare two curated states: per source file, release fields and every table's aligned rows.

A state is a curated directory (the live one, a snapshot `curated/_history/<run_id>/`,
`curated/_staging/`), or the rows a run is about to commit. Rows are grouped per source
file, never per release_id (a corrected file has new bytes, so a new id). Every row
carries its own sentence, so a comparison never reloads a raw file.

>>> s = State("x", {t: [] for t in TABLE_ORDER}); counts(compare(s, s))["quantities"]
{'added': 0, 'removed': 0, 'changed': 0}
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bodopress.pipeline.review.align import IGNORED, RELEASE_IGNORED, align

TABLE_ORDER = ["releases", "quantities", "dates", "laws", "contacts", "errors"]


@dataclass
class State:
    label: str
    tables: dict[str, list[dict]]
    info: dict = field(default_factory=dict)     # the run record, where the directory has one
    path: Path | None = None

    @classmethod
    def load(cls, path: Path, label: str | None = None) -> "State":
        """A whole curated directory (a snapshot, the staging, the live tables)."""
        from bodopress.pipeline.store import Store
        store = Store(Path(path))
        tables = {t: store.read(t).to_pylist() for t in TABLE_ORDER}
        info = {}
        if (store.root / "run.json").exists():
            info = json.loads((store.root / "run.json").read_text(encoding="utf-8"))
        else:
            runs = [r for r in store.runs() if r.get("changed")]
            info = runs[-1] if runs else {}
        return cls(label or _label(store.root, info), tables, info, store.root)

    @classmethod
    def of(cls, store, release_ids: set[str], sources: set[str], label: str) -> "State":
        """Only the rows of these releases and sources: a run's diff costs what the run touched."""
        tables = {t: store.read(t, release_ids).to_pylist() for t in TABLE_ORDER if t != "errors"}
        errors = store.read("errors")
        tables["errors"] = [e for e in errors.to_pylist() if e["source_file"] in sources] if errors.num_rows else []
        return cls(label, tables, {}, store.root)

    @classmethod
    def from_results(cls, results, entries: dict, release_ids: set[str], store, sources: set[str],
                     label: str) -> "State":
        """What the live tables will hold for these releases once a run's results are committed."""
        live = {e["release_id"] for e in entries.values() if e.get("release_id")}
        fresh = {row["release_id"] for r in results for row in r.rows.get("releases", [])}
        kept = (release_ids & live) - fresh
        old = cls.of(store, kept, set(), label).tables
        tables = {t: list(old.get(t, [])) for t in TABLE_ORDER}
        seen = set()
        for r in sorted(results, key=lambda r: r.source_file):
            rid = (r.rows.get("releases") or [{}])[0].get("release_id")
            if rid and rid not in seen and rid in live:
                seen.add(rid)
                for t in TABLE_ORDER[:-1]:
                    tables[t] += r.rows.get(t, [])
            tables["errors"] += r.rows.get("errors", [])
        paths = {}
        for path, e in sorted(entries.items()):
            if e.get("release_id"):
                paths.setdefault(e["release_id"], path)
        for row in tables["releases"]:
            row["source_file"] = paths.get(row["release_id"], row["source_file"])
        return cls(label, tables, {}, None)


def _label(path: Path, info: dict) -> str:
    if path.name == "_staging":
        return f"staging ({info.get('run_id', '?')})"
    if path.parent.name == "_history":
        return f"run {path.name}"
    return f"{path} (run {info['run_id']})" if info.get("run_id") else str(path)


def changed_fields(old: dict, new: dict, ignored=IGNORED) -> dict[str, list]:
    return {k: [old.get(k), new.get(k)] for k in new if k not in ignored and old.get(k) != new.get(k)}


def counts(report: dict) -> dict[str, dict[str, int]]:
    return {t: {k: c[k] for k in ("added", "removed", "changed")} for t, c in report["summary"].items()}


def _group(state: State) -> tuple[dict[str, dict], dict[str, dict[str, list[dict]]]]:
    releases = {r["source_file"]: r for r in state.tables["releases"]}
    source_of = {r["release_id"]: r["source_file"] for r in state.tables["releases"]}
    groups: dict[str, dict[str, list[dict]]] = {}
    for table in TABLE_ORDER[1:]:
        for row in state.tables[table]:
            src = row.get("source_file") or source_of.get(row["release_id"], f"?{row.get('release_id')}")
            groups.setdefault(src, {}).setdefault(table, []).append(row)
    return releases, groups


def compare(old: State, new: State, sources: set[str] | None = None) -> dict:
    """The report as a dict: summary counts per table and field, sources, and every change.

    `sources` limits it to those source files.
    """
    old_rel, old_groups = _group(old)
    new_rel, new_groups = _group(new)
    all_sources = sorted((set(old_rel) | set(old_groups) | set(new_rel) | set(new_groups)))
    if sources is not None:
        all_sources = [s for s in all_sources if s in sources]
    summary = {t: {"added": 0, "removed": 0, "changed": 0, "fields": {}} for t in TABLE_ORDER}
    src_status = {"added": [], "removed": [], "changed": [], "reextracted": [], "unchanged": []}
    changes: list[dict] = []

    for src in all_sources:
        o_rel, n_rel = old_rel.get(src), new_rel.get(src)
        o_tab, n_tab = old_groups.get(src, {}), new_groups.get(src, {})
        in_old, in_new = bool(o_rel or o_tab), bool(n_rel or n_tab)
        title = (n_rel or o_rel or {}).get("title")
        base = {"source_file": src, "title": title}
        if not in_old or not in_new:
            kind = "added" if in_new else "removed"
            side_rel, side_tab = (n_rel, n_tab) if in_new else (o_rel, o_tab)
            src_status[kind].append(src)
            counts = {t: len(side_tab.get(t, [])) for t in TABLE_ORDER[1:] if side_tab.get(t)}
            if side_rel:
                summary["releases"][kind] += 1
            for t, n in counts.items():
                summary[t][kind] += n
            changes.append(dict(base, table="releases", kind=f"source {kind}", fields={}, rows=counts,
                                old=None if in_new else side_rel, new=side_rel if in_new else None,
                                text=src, sentence=None, sentence_from=None))
            continue
        before = len(changes)
        if o_rel and n_rel:
            f = changed_fields(o_rel, n_rel, RELEASE_IGNORED)
            if f:
                summary["releases"]["changed"] += 1
                for k in f:
                    summary["releases"]["fields"][k] = summary["releases"]["fields"].get(k, 0) + 1
                changes.append(dict(base, table="releases", kind="changed", fields=f, old=o_rel, new=n_rel,
                                    text=None, sentence=None, sentence_from=None))
        elif o_rel or n_rel:      # the file started or stopped failing: its release row comes or goes
            kind = "added" if n_rel else "removed"
            summary["releases"][kind] += 1
            changes.append(dict(base, table="releases", kind=kind, fields={}, old=o_rel, new=n_rel,
                                text=(n_rel or o_rel).get("title"), sentence=None, sentence_from=None))
        for table in TABLE_ORDER[1:]:
            for o, n in align(table, o_tab.get(table, []), n_tab.get(table, [])):
                if o is not None and n is not None:
                    f = changed_fields(o, n)
                    if not f:
                        continue
                    kind = "changed"
                    for k in f:
                        summary[table]["fields"][k] = summary[table]["fields"].get(k, 0) + 1
                else:
                    f, kind = {}, "added" if n is not None else "removed"
                summary[table][kind] += 1
                row = n if n is not None else o
                sentence, how = _sentence_of(table, row)
                if sentence is None and o is not None and n is not None:   # the old side may still know it
                    sentence, how = _sentence_of(table, o)
                changes.append(dict(base, table=table, kind=kind, fields=f, old=o, new=n,
                                    text=_surface(table, row), sentence=sentence, sentence_from=how))
        o_sha, n_sha = (o_rel or {}).get("source_sha256"), (n_rel or {}).get("source_sha256")
        if o_sha != n_sha:
            src_status["changed"].append(src)
        elif len(changes) > before:
            src_status["reextracted"].append(src)
        else:
            src_status["unchanged"].append(src)
    return {"old": _describe(old), "new": _describe(new), "summary": summary,
            "sources": src_status, "changes": changes}


def _describe(s: State) -> dict:
    return {"label": s.label, "path": str(s.path) if s.path else None, "run_id": s.info.get("run_id"),
            "finished_at": s.info.get("finished_at"), "extractor_version": s.info.get("extractor_version")}


def _surface(table: str, row: dict) -> str:
    if table == "contacts":
        return " ".join(x for x in (row.get("department"), row.get("position"), row.get("name")) if x)
    if table == "errors":
        return row.get("error_type", "")
    return row.get("text") or row.get("name") or ""


def _sentence_of(table, row) -> tuple[str | None, str | None]:
    if table == "errors":
        return row.get("message"), "extracted"
    if row.get("sentence"):
        return row["sentence"], "extracted"
    return None, None


def diff_dirs(old: Path, new: Path) -> dict:
    return compare(State.load(old), State.load(new))
