"""Render a comparison: Markdown (escaped: release text never becomes markup), JSON, and HTML from a template.

>>> fmt(7.193e11), fmt(None)
('719,300,000,000', '∅')
>>> to_markdown({"old": {"label": "a"}, "new": {"label": "<b>"}, "summary": {}, "sources": {k: [] for k in
...     ("added", "removed", "changed", "reextracted", "unchanged")}, "changes": []}).splitlines()[2]
'**old** a → **new** &lt;b&gt;'
"""
from __future__ import annotations

import html
import json
from datetime import date, datetime
from pathlib import Path

def fmt(v) -> str:
    """A value as a reviewer reads it: thousands separators, ISO dates, ∅ for null."""
    if v is None:
        return "∅"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.2f}"
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


def _change_text(c: dict) -> str:
    if c["kind"].startswith("source"):
        rows = ", ".join(f"{n} {t}" for t, n in c.get("rows", {}).items()) or "no rows"
        return f"{c['kind']}: {rows}"
    if c["kind"] == "changed":
        return "; ".join(f"{k} {fmt(a)} → {fmt(b)}" for k, (a, b) in c["fields"].items())
    return f"{c['kind']}: {c['text'] or ''}"


def _totals(report: dict) -> str:
    s = report["sources"]
    return (f"{len(s['changed'])} changed, {len(s['added'])} added, {len(s['removed'])} removed, "
            f"{len(s['reextracted'])} re-extracted with other values (same bytes), "
            f"{len(s['unchanged'])} without changes")


def _fields(d: dict) -> str:
    return ", ".join(f"{k} {n}" for k, n in sorted(d.items())) or "–"


_NOTES = {"none": "(no sentence: the row was curated before rows kept their sentence)"}


def to_markdown(report: dict, max_changes: int | None = None, heading: str = "##") -> str:
    esc = lambda t: html.escape(str(t), quote=False).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    out = [f"{heading} bodo diff", "",
           f"**old** {esc(report['old']['label'])} → **new** {esc(report['new']['label'])}", "",
           "| table | added | removed | changed | fields changed |", "| --- | ---: | ---: | ---: | --- |"]
    for t, c in report["summary"].items():
        out.append(f"| {t} | {c['added']} | {c['removed']} | {c['changed']} | {esc(_fields(c['fields']))} |")
    out += ["", f"Sources: {_totals(report)}.", ""]
    changes = report["changes"]
    if not changes:
        return "\n".join(out + ["No value changed."]) + "\n"
    shown = changes if max_changes is None else changes[:max_changes]
    current = None
    for c in shown:
        if c["source_file"] != current:
            current = c["source_file"]
            out += ["", f"{heading}# {esc(c['title'] or '(no title)')} — `{current}`", "",
                    "| table | change | sentence |", "| --- | --- | --- |"]
        sentence = esc(c["sentence"] or "")
        if sentence and c["text"] and esc(c["text"]) in sentence:
            sentence = sentence.replace(esc(c["text"]), f"**{esc(c['text'])}**", 1)
        note = _NOTES.get(c.get("sentence_from") or ("none" if c["table"] in ("quantities", "dates", "laws") else ""), "")
        note = f" _{note}_" if note else ""
        out.append(f"| {c['table']} | {esc(_change_text(c))} | {sentence}{note} |")
    if len(shown) < len(changes):
        out += ["", f"… and {len(changes) - len(shown)} more changes: run `bodo diff` for the full report."]
    return "\n".join(out) + "\n"


def _json_default(v):
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    raise TypeError(type(v).__name__)


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1, default=_json_default)


_TEMPLATES = None


def _template(name: str):
    global _TEMPLATES
    if _TEMPLATES is None:
        import jinja2
        _TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("bodopress.pipeline.review", "templates"),
                                        autoescape=True, trim_blocks=False)
    return _TEMPLATES.get_template(name)


def to_html(report: dict) -> str:
    """One self-contained page (inline CSS and JS, no external asset), filterable by table, release,
    kind; every value goes through the template's autoescaping."""
    rows = []
    for c in report["changes"]:
        row = dict(c, old=[], new=[], old_text="", new_text="", before=c["sentence"] or "", mark="", after="",
                   how=_NOTES.get(c.get("sentence_from") or ("none" if c["table"] in ("quantities", "dates", "laws") else ""), ""))
        if c["kind"] == "changed":
            row["old"] = [(k, fmt(a)) for k, (a, b) in c["fields"].items()]
            row["new"] = [(k, fmt(b)) for k, (a, b) in c["fields"].items()]
        elif c["kind"].startswith("source"):
            row["new_text" if c["kind"].endswith("added") else "old_text"] = _change_text(c)
        else:
            row["new_text" if c["kind"] == "added" else "old_text"] = c["text"] or ""
        if c["sentence"] and c["text"] and c["text"] in c["sentence"]:
            before, _, after = c["sentence"].partition(c["text"])
            row.update(before=before, mark=c["text"], after=after)
        rows.append(row)
    return _template("diff.html.j2").render(report=report, rows=rows, totals=_totals(report), fields=_fields)


FORMATS = {"md": to_markdown, "html": to_html, "json": to_json}
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def render(report: dict, fmt_name: str) -> str:
    return FORMATS[fmt_name](report)


def write_report(report: dict, out: Path, fmt_name: str | None = None) -> str:
    """Write the report where `out` says, in the format its suffix names unless one is given."""
    fmt_name = fmt_name or SUFFIXES.get(Path(out).suffix.lower(), "md")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(render(report, fmt_name), encoding="utf-8")
    tmp.replace(out)
    return fmt_name


def summary_markdown(summary: dict, report: dict | None, raw: Path, curated: Path, max_changes: int = 200) -> str:
    """What a run ingested and what changed, for the Prefect UI (a markdown artifact), escaped."""
    esc = lambda t: html.escape(str(t), quote=False).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    p = summary["plan"]
    lines = [f"# bodo ingest {summary['run_id']}", "",
             f"`{esc(raw)}` → `{esc(curated)}`", "",
             "| files | new | changed | outdated (other code) | unchanged | missing from raw | moved | errors |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
             f"| {summary['files']} | {p['new']} | {p['changed']} | {p['outdated']} | {p['unchanged']} | "
             f"{p['missing']} | {p['moved']} | {len(summary['errors'])} |", ""]
    if summary["missing"]:
        lines += ["**Gone from raw/, rows kept:** " + ", ".join(f"`{esc(m)}`" for m in summary["missing"]), ""]
    for e in summary["errors"][:20]:
        lines.append(f"- error `{esc(e['error_type'])}` in `{esc(e['source_file'])}`: {esc(e['message'])}")
    lines += ["", "Rows in curated: " + ", ".join(f"{t} {n}" for t, n in summary["rows"].items()), ""]
    if report is not None:
        lines.append(to_markdown(report, max_changes=max_changes, heading="##"))
    else:
        lines.append("Nothing to re-process: the curated tables are unchanged.")
    return "\n".join(lines)
