"""Which extracted values changed between two curated states, beside the sentence each came from.

A state is a curated directory: the live one, a snapshot `curated/_history/<run_id>/`, or
`curated/_staging/`. Rows are aligned per source file (never per release_id: a corrected
file has new bytes, so a new release_id), then per table in document order by a natural
key — quantities (text, value, unit), dates (text, start, end), laws (name), contacts
(name), errors (stage, error_type) — as a text diff aligns lines; rows left over where
the two orders disagree are paired by likeness, so a corrected amount reads as one change
old → new, not as one row removed and one added. Releases compare field by field.

Offsets, `sentence` and `rule` are context, not values: a change there alone is no change.

>>> old = {"quantities": [{"text": "7,093억 달러", "value": 7.093e11, "unit": "USD", "char_start": 3}]}
>>> new = {"quantities": [{"text": "7,193억 달러", "value": 7.193e11, "unit": "USD", "char_start": 3}]}
>>> [(o["text"], n["text"]) for o, n in align("quantities", old["quantities"], new["quantities"])]
[('7,093억 달러', '7,193억 달러')]
>>> fmt(7.193e11), fmt(None)
('719,300,000,000', '∅')
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
from pathlib import Path

from bodopress.pipeline import ledger, storage

TABLE_ORDER = ["releases", "quantities", "dates", "laws", "contacts", "errors"]
KEYS = {
    "quantities": ("text", "value", "unit"),
    "dates": ("text", "start", "end"),
    "laws": ("name",),
    "contacts": ("name",),
    "errors": ("stage", "error_type"),
}
IGNORED = {"release_id", "source_file", "char_start", "char_end", "sentence", "rule"}
# Identity and bookkeeping of a release: shown in the source's header, not as value changes.
RELEASE_IGNORED = IGNORED | {"source_sha256", "n_chars", "extractor_version"}
PAIR_LIKENESS = 0.5      # leftover rows this alike (difflib ratio of text and sentence) pair up


@dataclass
class State:
    label: str
    tables: dict[str, list[dict]]
    info: dict = field(default_factory=dict)     # the run record, where the directory has one
    path: Path | None = None

    @property
    def raw(self) -> Path | None:
        return Path(self.info["raw"]) if self.info.get("raw") else None


def load_state(path: Path, label: str | None = None) -> State:
    path = Path(path)
    tables = {t: storage.read_table(path, t).to_pylist() for t in TABLE_ORDER}
    info = {}
    if (path / "run.json").exists():
        info = json.loads((path / "run.json").read_text(encoding="utf-8"))
    else:
        runs = [r for r in ledger.runs(path) if r.get("changed")]
        info = runs[-1] if runs else {}
    return State(label or _label(path, info), tables, info, path)


def _label(path: Path, info: dict) -> str:
    if path.name == ledger.STAGING:
        return f"staging ({info.get('run_id', '?')})"
    if path.parent.name == ledger.HISTORY:
        return f"run {path.name}"
    return f"{path} (run {info['run_id']})" if info.get("run_id") else str(path)


# --- alignment -------------------------------------------------------------------------------

def _order(table: str, rows: list[dict]) -> list[dict]:
    if rows and "char_start" in rows[0]:
        return sorted(rows, key=lambda r: (r["char_start"], r.get("char_end", 0)))
    return list(rows)


def _key(table: str, row: dict) -> tuple:
    return tuple(row.get(k) for k in KEYS[table])


def _likeness(a: dict, b: dict) -> float:
    sig = lambda r: f"{r.get('text') or r.get('name') or ''} | {r.get('sentence') or ''} | {r.get('unit') or ''}"  # noqa: E731
    return SequenceMatcher(None, sig(a), sig(b), autojunk=False).ratio()


def _pair(olds: list[dict], news: list[dict]) -> list[tuple[dict | None, dict | None]]:
    if len(olds) == len(news):
        return list(zip(olds, news))
    scored = sorted(((_likeness(o, n), i, j) for i, o in enumerate(olds) for j, n in enumerate(news)), reverse=True)
    used_o, used_n, pairs = set(), set(), []
    for score, i, j in scored:
        if score >= PAIR_LIKENESS and i not in used_o and j not in used_n:
            used_o.add(i)
            used_n.add(j)
            pairs.append((olds[i], news[j]))
    pairs += [(o, None) for i, o in enumerate(olds) if i not in used_o]
    pairs += [(None, n) for j, n in enumerate(news) if j not in used_n]
    return sorted(pairs, key=lambda p: (p[1] or p[0]).get("char_start", 0))


def align(table: str, old_rows: list[dict], new_rows: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Pairs (old, new) in document order; None on the side where a row has no partner."""
    old_rows, new_rows = _order(table, old_rows), _order(table, new_rows)
    sm = SequenceMatcher(None, [_key(table, r) for r in old_rows], [_key(table, r) for r in new_rows],
                         autojunk=False)
    out: list[tuple[dict | None, dict | None]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out += zip(old_rows[i1:i2], new_rows[j1:j2])
        elif tag == "replace":
            out += _pair(old_rows[i1:i2], new_rows[j1:j2])
        elif tag == "delete":
            out += [(o, None) for o in old_rows[i1:i2]]
        else:
            out += [(None, n) for n in new_rows[j1:j2]]
    return _slide(table, out)


def _distance(o: dict, n: dict) -> tuple:
    return (o.get("sentence") != n.get("sentence"), abs(o.get("char_start", 0) - n.get("char_start", 0)))


def _slide(table: str, out: list) -> list:
    """Among rows with equal keys, pair each old row with the nearest new one (same sentence
    first, then offset), so an added duplicate is reported where it was added, with its own
    sentence. Each swap shortens a pair's distance, so this ends."""
    same = lambda *rows: len({_key(table, r) for r in rows}) == 1   # noqa: E731
    moved = True
    while moved:
        moved = False
        for i in range(len(out) - 1):
            (a_o, a_n), (b_o, b_n) = out[i], out[i + 1]
            if a_o is None and b_o is not None and b_n is not None and same(a_n, b_o, b_n) \
                    and _distance(b_o, a_n) < _distance(b_o, b_n):
                out[i], out[i + 1], moved = (b_o, a_n), (None, b_n), True
            elif b_o is None and a_o is not None and a_n is not None and same(b_n, a_o, a_n) \
                    and _distance(a_o, b_n) < _distance(a_o, a_n):
                out[i], out[i + 1], moved = (None, a_n), (a_o, b_n), True
            elif a_n is None and b_o is not None and b_n is not None and same(a_o, b_o, b_n) \
                    and _distance(a_o, b_n) < _distance(b_o, b_n):
                out[i], out[i + 1], moved = (a_o, b_n), (b_o, None), True
            elif b_n is None and a_o is not None and a_n is not None and same(b_o, a_o, a_n) \
                    and _distance(b_o, a_n) < _distance(a_o, a_n):
                out[i], out[i + 1], moved = (a_o, None), (b_o, a_n), True
    return out


def changed_fields(old: dict, new: dict, ignored=IGNORED) -> dict[str, list]:
    return {k: [old.get(k), new.get(k)] for k in new if k not in ignored and old.get(k) != new.get(k)}


# --- sentences ---------------------------------------------------------------------------------

class Sentences:
    """The sentence around an offset of a release that has no `sentence` column (dates, laws).

    First choice: re-load the source from raw/ when its bytes still match the release
    (sha256) and cut the sentence with `extractors.kiwi.sentences`, as quantities do. Else
    a quantity of the same release whose sentence covers the offset lends its sentence
    (its span is placed from the quantity's own offset, so it is near, not exact). Else
    none: the report shows the surface text alone.
    """

    def __init__(self, raws: list[Path | None], max_loads: int | None = None):
        self.raws = [Path(r) for r in raws if r]
        self.max_loads = max_loads      # a run's own summary re-loads a few sources, not a corpus
        self._texts: dict[tuple[str, str], str | None] = {}

    def _text(self, release: dict) -> str | None:
        k = (release["source_file"], release["source_sha256"])
        if k not in self._texts:
            if self.max_loads is not None and len(self._texts) >= self.max_loads:
                return None
            self._texts[k] = None
            for raw in self.raws:
                path = raw / release["source_file"]
                try:
                    if path.is_file() and ledger.sha256_file(path) == release["source_sha256"]:
                        from bodopress.extractors.loaders import load
                        self._texts[k] = load(path, release["source_file"]).text
                        break
                except Exception:   # a report must not fail on a source it only quotes
                    continue
        return self._texts[k]

    def at(self, release: dict | None, offset: int, quantities: list[dict]) -> tuple[str | None, str | None]:
        if release is None:
            return None, None
        text = self._text(release)
        if text is not None and 0 <= offset < len(text):
            from bodopress.extractors import kiwi
            if len(text) >= 40:
                kiwi.kiwi()
            return kiwi.sentences(text).at(offset), "source"
        for q in quantities:
            i = q["sentence"].find(q["text"])
            if i < 0:
                continue
            start = q["char_start"] - i
            if start <= offset < start + len(q["sentence"]):
                return q["sentence"], "nearby"
        return None, None


# --- the comparison -----------------------------------------------------------------------------

def _group(state: State) -> tuple[dict[str, dict], dict[str, dict[str, list[dict]]]]:
    releases = {r["source_file"]: r for r in state.tables["releases"]}
    source_of = {r["release_id"]: r["source_file"] for r in state.tables["releases"]}
    groups: dict[str, dict[str, list[dict]]] = {}
    for table in TABLE_ORDER[1:]:
        for row in state.tables[table]:
            src = row.get("source_file") or source_of.get(row["release_id"], f"?{row.get('release_id')}")
            groups.setdefault(src, {}).setdefault(table, []).append(row)
    return releases, groups


def compare(old: State, new: State, sources: set[str] | None = None, raws: list[Path] | None = None,
            max_loads: int | None = None) -> dict:
    """The report as a dict: summary counts per table and field, sources, and every change.

    `sources` limits it to those source files; `raws` are the raw directories where a
    date's or law's sentence may be re-loaded from (default: those the two runs read;
    [] re-loads nothing); `max_loads` caps how many sources are re-loaded, as a run's own
    summary does to stay cheap when new code re-extracted a whole corpus.
    """
    old_rel, old_groups = _group(old)
    new_rel, new_groups = _group(new)
    all_sources = sorted((set(old_rel) | set(old_groups) | set(new_rel) | set(new_groups)))
    if sources is not None:
        all_sources = [s for s in all_sources if s in sources]
    finder = Sentences([new.raw, old.raw] if raws is None else raws, max_loads)
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
                rel = n_rel if n is not None else o_rel
                qs = (n_tab if n is not None else o_tab).get("quantities", [])
                sentence, how = _sentence_of(table, row, rel, qs, finder)
                if sentence is None and o is not None and n is not None:   # the old side may still know it
                    sentence, how = _sentence_of(table, o, o_rel, o_tab.get("quantities", []), finder)
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


def _sentence_of(table, row, release, quantities, finder) -> tuple[str | None, str | None]:
    if table == "quantities":
        return row.get("sentence"), "extracted"
    if table in ("dates", "laws") and finder is not None:
        return finder.at(release, row["char_start"], quantities)
    if table == "errors":
        return row.get("message"), "extracted"
    return None, None


def diff_dirs(old: Path, new: Path, raws: list[Path] | None = None) -> dict:
    return compare(load_state(old), load_state(new), raws=raws)


# --- rendering ----------------------------------------------------------------------------------

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


_NOTES = {"source": "(sentence from the re-loaded source)", "nearby": "(sentence of a quantity beside it)",
          "none": "(no sentence at hand: its source is not in raw/ with these bytes)"}


def to_markdown(report: dict, max_changes: int | None = None, heading: str = "##") -> str:
    esc = lambda t: str(t).replace("|", "\\|").replace("\n", " ")  # noqa: E731
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
        sentence = c["sentence"]
        if sentence and c["text"] and c["text"] in sentence:
            sentence = sentence.replace(c["text"], f"**{c['text']}**", 1)
        note = _NOTES.get(c.get("sentence_from") or ("none" if c["table"] in ("dates", "laws") else ""), "")
        note = f" _{note}_" if note else ""
        out.append(f"| {c['table']} | {esc(_change_text(c))} | {esc(sentence or '')}{note} |")
    if len(shown) < len(changes):
        out += ["", f"… and {len(changes) - len(shown)} more changes: run `bodo diff` for the full report."]
    return "\n".join(out) + "\n"


def _json_default(v):
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    raise TypeError(type(v).__name__)


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1, default=_json_default)


_CSS = """
body{font:14px/1.45 system-ui,'Noto Sans KR','Malgun Gothic',sans-serif;margin:1.5em;color:#1b1b1b}
h1{font-size:1.3em}table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .5em;
vertical-align:top;text-align:left}th{background:#f1f1f1}td.n{text-align:right}.old{color:#a40000;
text-decoration:line-through}.new{color:#006400;font-weight:600}mark{background:#fff3a0}.src{color:#555;
font-size:.9em}#filters{position:sticky;top:0;background:#fff;padding:.4em 0;border-bottom:1px solid #ddd}
#filters label{margin-right:1em}#shown{font-weight:600}.how{color:#777;font-size:.85em}
"""

_JS = """
(function(){
  var rows=Array.prototype.slice.call(document.querySelectorAll('#changes tbody tr'));
  var sel={table:document.getElementById('f-table'),release:document.getElementById('f-release'),
           kind:document.getElementById('f-kind')}, q=document.getElementById('f-q');
  function fill(name){var seen={},s=sel[name];rows.forEach(function(r){var v=r.dataset[name];
    if(!seen[v]){seen[v]=1;var o=document.createElement('option');o.value=v;
    o.textContent=name==='release'?(r.dataset.title?r.dataset.title+' — '+v:v):v;s.appendChild(o);}});}
  ['table','release','kind'].forEach(fill);
  var p=new URLSearchParams(location.hash.slice(1));
  ['table','release','kind'].forEach(function(k){if(p.get(k))sel[k].value=p.get(k);});
  if(p.get('q'))q.value=p.get('q');
  function apply(){var n=0,needle=q.value.toLowerCase(),h=new URLSearchParams();
    rows.forEach(function(r){var ok=true;
      ['table','release','kind'].forEach(function(k){if(sel[k].value&&r.dataset[k]!==sel[k].value)ok=false;});
      if(needle&&r.textContent.toLowerCase().indexOf(needle)<0)ok=false;
      r.hidden=!ok;if(ok)n++;});
    document.getElementById('shown').textContent=n+' of '+rows.length+' changes shown';
    ['table','release','kind'].forEach(function(k){if(sel[k].value)h.set(k,sel[k].value);});
    if(q.value)h.set('q',q.value);
    try{history.replaceState(null,'',h.toString()?'#'+h.toString():location.pathname);}catch(e){}}
  ['table','release','kind'].forEach(function(k){sel[k].addEventListener('change',apply);});
  q.addEventListener('input',apply);apply();document.body.dataset.ready='1';
})();
"""


def to_html(report: dict) -> str:
    """One self-contained page (inline CSS and JS, no external asset), filterable by table, release, kind."""
    e = html.escape
    parts = ["<!doctype html><html lang='ko'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width,initial-scale=1'>",
             f"<title>bodo diff — {e(report['new']['label'])}</title><style>{_CSS}</style></head><body>",
             "<h1>bodo diff</h1>",
             f"<p><b>old</b> {e(report['old']['label'])} → <b>new</b> {e(report['new']['label'])}</p>",
             "<table id='summary'><thead><tr><th>table</th><th>added</th><th>removed</th><th>changed</th>"
             "<th>fields changed</th></tr></thead><tbody>"]
    for t, c in report["summary"].items():
        parts.append(f"<tr><td>{t}</td><td class='n'>{c['added']}</td><td class='n'>{c['removed']}</td>"
                     f"<td class='n'>{c['changed']}</td><td>{e(_fields(c['fields']))}</td></tr>")
    parts += ["</tbody></table>", f"<p>Sources: {e(_totals(report))}.</p>",
              "<div id='filters'><label>table <select id='f-table'><option value=''>all</option></select></label>"
              "<label>release <select id='f-release'><option value=''>all</option></select></label>"
              "<label>change <select id='f-kind'><option value=''>all</option></select></label>"
              "<label>search <input id='f-q' type='search'></label> <span id='shown'></span></div>",
              "<table id='changes'><thead><tr><th>release</th><th>table</th><th>change</th><th>old</th>"
              "<th>new</th><th>sentence</th></tr></thead><tbody>"]
    for c in report["changes"]:
        if c["kind"] == "changed":
            old = "<br>".join(f"{e(k)}: <span class='old'>{e(fmt(a))}</span>" for k, (a, b) in c["fields"].items())
            new = "<br>".join(f"{e(k)}: <span class='new'>{e(fmt(b))}</span>" for k, (a, b) in c["fields"].items())
        elif c["kind"].startswith("source"):
            old, new = ("", e(_change_text(c))) if c["kind"].endswith("added") else (e(_change_text(c)), "")
        else:
            old, new = ("", f"<span class='new'>{e(c['text'] or '')}</span>") if c["kind"] == "added" else \
                (f"<span class='old'>{e(c['text'] or '')}</span>", "")
        sentence = e(c["sentence"] or "")
        if c["sentence"] and c["text"] and c["text"] in c["sentence"]:
            sentence = sentence.replace(e(c["text"]), f"<mark>{e(c['text'])}</mark>", 1)
        how = _NOTES.get(c.get("sentence_from") or ("none" if c["table"] in ("dates", "laws") else ""))
        if how:
            sentence += f" <span class='how'>{e(how)}</span>"
        parts.append(f"<tr data-table='{e(c['table'])}' data-release='{e(c['source_file'])}' "
                     f"data-title='{e(c['title'] or '')}' data-kind='{e(c['kind'])}'>"
                     f"<td>{e(c['title'] or '')}<div class='src'>{e(c['source_file'])}</div></td>"
                     f"<td>{e(c['table'])}</td><td>{e(c['kind'])}</td><td>{old}</td><td>{new}</td>"
                     f"<td>{sentence}</td></tr>")
    parts += ["</tbody></table>", f"<script>{_JS}</script></body></html>"]
    return "\n".join(parts)


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
