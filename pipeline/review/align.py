"""Align the rows of one source in two states: natural keys in document order, leftovers paired by likeness.

Rows are aligned per table in document order by a natural key — quantities (text, value,
unit), dates (text, start, end), laws (name), contacts (name), errors (stage, error_type) —
as a text diff aligns lines; rows left over where the two orders disagree are paired by
likeness, so a corrected amount reads as one change old → new, not as one row removed and
one added. Offsets, `sentence` and `rule` are context, not values.

>>> old = [{"text": "7,093억 달러", "value": 7.093e11, "unit": "USD", "char_start": 3}]
>>> new = [{"text": "7,193억 달러", "value": 7.193e11, "unit": "USD", "char_start": 3}]
>>> [(o["text"], n["text"]) for o, n in align("quantities", old, new)]
[('7,093억 달러', '7,193억 달러')]
"""
from __future__ import annotations

from difflib import SequenceMatcher

KEYS = {
    "quantities": ("text", "value", "unit"),
    "dates": ("text", "start", "end"),
    "laws": ("name",),
    "contacts": ("name",),
    "errors": ("stage", "error_type"),
}
IGNORED = {"release_id", "source_file", "char_start", "char_end", "sentence", "rule"}
# Identity and bookkeeping of a release: shown in the source's header, not as value changes.
RELEASE_IGNORED = IGNORED | {"source_sha256", "n_chars", "extractor_version", "preferred", "document_key"}
PAIR_LIKENESS = 0.5      # leftover rows this alike (difflib ratio of text and sentence) pair up


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


