"""The process table from /proc, for tests that check what a run leaves running and how much it holds."""
from __future__ import annotations

import os
from pathlib import Path


def table() -> dict[int, tuple[int, int, int]]:
    """pid -> (parent pid, session id, resident bytes) of every process readable now."""
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            rss = int((d / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
        out[int(d.name)] = (int(fields[1]), int(fields[3]), rss)
    return out


def session(sid: int) -> list[int]:
    """Processes of the session `sid` (a process started with start_new_session leads one)."""
    return [pid for pid, (_, s, _) in table().items() if s == sid]


def descendants(pid: int, procs: dict | None = None) -> set[int]:
    procs = table() if procs is None else procs
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, (pp, _, _) in procs.items() if pp == p and c not in out}
        out |= kids
        todo += list(kids)
    return out


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and every process below it."""
    procs = table()
    return sum(procs[p][2] for p in descendants(pid, procs) | {pid} if p in procs)
