"""`bodo report`: one static HTML page over `curated/` for a person who would rather look than read.

Releases per ministry and per day, rows per table, error types, and the largest KRW and USD
amounts with their sentences. The tables are read as any analyst reads them (pyarrow, read
only); the page has no script and no external asset, and a Content-Security-Policy that
forbids both, so it opens offline and a release's own text can never run in it: every value
goes through jinja2's autoescaping.

>>> korean_amount(709_300_000_000, "USD")
'7,093억 달러'
>>> korean_amount(2_100_000_000_000, "KRW")
'2.1조 원'
>>> split_mark("수출 7천억불 돌파", "7천억불")
('수출 ', '7천억불', ' 돌파')
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
from jinja2 import Environment, FileSystemLoader

from bodopress.schemas import CONTRACT_VERSION, TABLES

TEMPLATES = Path(__file__).parent / "templates"
UNITS = {"KRW": "원", "USD": "달러"}
SCALES = ((10**12, "조"), (10**8, "억"), (10**4, "만"))
TOP = 15
PER_RELEASE = 3


def read(curated: Path, table: str, filters=None) -> list[dict]:
    """A table's rows (`<table>.parquet` or a directory dataset of that name); [] where it is absent."""
    path = table_path(curated, table)
    return pq.read_table(path, filters=filters).to_pylist() if path else []


def count(curated: Path, table: str) -> int:
    path = table_path(curated, table)
    return pq.read_table(path, columns=[]).num_rows if path else 0


def table_path(curated: Path, table: str) -> Path | None:
    return next((p for p in (curated / f"{table}.parquet", curated / table) if p.exists()), None)


def korean_amount(value: float, unit: str) -> str:
    """The value as a Korean reader writes it: the largest scale word, at most one decimal."""
    for scale, word in SCALES:
        if abs(value) >= scale:
            n = value / scale
            figure = f"{n:,.0f}" if n >= 100 or n == int(n) else f"{n:,.1f}".rstrip("0").rstrip(".")
            return f"{figure}{word} {UNITS[unit]}"
    return f"{value:,.0f} {UNITS[unit]}"


def split_mark(sentence: str, text: str) -> tuple[str, str, str]:
    """The sentence around the first occurrence of `text`, to mark it; all of it before where absent."""
    i = sentence.find(text)
    if i < 0:
        return sentence, "", ""
    return sentence[:i], text, sentence[i + len(text):]


def largest(quantities: list[dict]) -> list[dict]:
    """The TOP largest values, each value once per release and at most PER_RELEASE per release:
    a budget table repeats its totals in the text and its rows, and would fill the list alone."""
    seen, per_release, out = set(), Counter(), []
    for q in sorted(quantities, key=lambda q: -q["value"]):
        key = (q["release_id"], q["value"])
        if key in seen or per_release[q["release_id"]] >= PER_RELEASE:
            continue
        seen.add(key)
        per_release[q["release_id"]] += 1
        out.append(q)
        if len(out) == TOP:
            break
    return out


def release_day(r: dict) -> str | None:
    for key in ("embargo_at", "distributed_at", "approved_at"):
        if r.get(key):
            return r[key].date().isoformat()
    return None


def bars(counts: Counter) -> list[dict]:
    """Rows of a bar chart: label, count, width in percent of the largest."""
    top = max(counts.values(), default=1)
    return [{"label": k, "n": n, "width": round(100 * n / top, 1)} for k, n in counts.most_common()]


def summarize(curated: Path) -> dict:
    releases = read(curated, "releases")
    has_preferred = bool(releases) and "preferred" in releases[0]
    counted = [r for r in releases if r["preferred"]] if has_preferred else releases
    by_id = {r["release_id"]: r for r in counted}
    errors = read(curated, "errors")
    error_types: dict[str, dict] = {}
    for e in errors:
        t = error_types.setdefault(e["error_type"], {"error_type": e["error_type"], "n": 0, "example": e})
        t["n"] += 1
    amounts = {}
    quantities = [q for q in read(curated, "quantities", filters=[("unit", "in", list(UNITS))])
                  if q["release_id"] in by_id]
    for unit in UNITS:
        top = largest([q for q in quantities if q["unit"] == unit])
        amounts[unit] = [dict(q, release=by_id[q["release_id"]], amount=korean_amount(q["value"], unit),
                              marked=split_mark(q["sentence"], q["text"])) for q in top]
    days = Counter(release_day(r) or "no date" for r in counted)
    return {
        "curated": str(curated), "contract": CONTRACT_VERSION,
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "n_files": len(releases), "n_releases": len(counted), "has_preferred": has_preferred,
        "n_errors": len(errors),
        "tables": [{"name": t, "n": count(curated, t)} for t in TABLES],
        "ministries": bars(Counter(r["ministry"] or "(no ministry found)" for r in counted)),
        "days": sorted(bars(days), key=lambda b: b["label"]),
        "error_types": sorted(error_types.values(), key=lambda t: -t["n"]),
        "amounts": amounts,
    }


def render(summary: dict) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html.j2").render(**summary)


def write(curated: Path, out: Path | None) -> tuple[dict, Path]:
    """Write the page for `curated` to `out` (default: `curated/report.html`, through the store,
    which owns that directory); return the summary it shows and where it went."""
    summary = summarize(Path(curated))
    page = render(summary)
    if out is None:
        from bodopress.pipeline.store import Store
        return summary, Store(Path(curated)).write_output("report.html", page)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return summary, out
