"""Extraction in worker processes, each file bounded in time and memory.

`Pool` starts `workers` processes (spawned, so no Prefect thread is forked; each builds Kiwi
once) and hands them one file at a time. The parent watches every busy worker: past the
file's time limit, or with a resident set past the memory limit, the worker is killed, the
file becomes one `errors` row (`timeout`, `too_large`) and a new worker takes the slot. A
worker that dies on its own (a segfault in a parser) gives `worker_crash`. Inside a worker
the address space is capped too (RLIMIT_AS, the limit above what it holds after start-up),
so an allocation past it fails at once instead of swapping. When the parent ends, however
it ends, its workers die with it (parent-death signal).

>>> Limits().timeout, Limits().memory >> 20
(120.0, 384)
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterable, Iterator

POLL = 0.02   # seconds between checks of a busy worker's memory (a flate bomb grows fast)


@dataclass(frozen=True)
class Limits:
    timeout: float = 120.0            # seconds per file (a 50-page release takes a few)
    memory: int = 384 << 20           # resident bytes per worker beyond what it holds at start


def die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent dies (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _worker(conn, law_names: str | None, memory: int) -> None:
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the parent decides when to stop
    from bodopress.extractors import kiwi
    from bodopress.pipeline import tasks
    kiwi.kiwi().tokenize("가")       # Kiwi's first call sets up ≈1 s of state: pay it before the first file
    names = tasks.law_names_from(law_names)
    with contextlib.suppress(Exception):
        import resource
        vm = _vm_size()
        if vm:
            resource.setrlimit(resource.RLIMIT_AS, (vm + 2 * memory, vm + 2 * memory))
    conn.send(("ready", os.getpid(), rss(os.getpid())))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        rel, path = job
        try:
            result = tasks.process_file(Path(path), rel, names)
        except MemoryError:
            result = tasks.error_result(rel, None, "extract", "too_large",
                                        f"{rel} needs more memory than the per-file limit; split it or raise --max-memory.")
        conn.send(("done", rel, result))


def _vm_size() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


class _Slot:
    def __init__(self, ctx, law_names, limits: Limits):
        parent, child = ctx.Pipe()
        self.conn = parent
        self.proc = ctx.Process(target=_worker, args=(child, law_names, limits.memory), daemon=True)
        self.proc.start()
        child.close()
        self.job: tuple[str, str] | None = None
        self.deadline = 0.0
        self.base_rss = 0
        self.ready = False

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class Pool:
    """`with Pool(2) as pool: for result in pool.map(jobs): ...` — results in completion order."""

    def __init__(self, workers: int = 2, limits: Limits = Limits(), law_names: str | None = None):
        self.n = max(1, workers)
        self.limits = limits
        self.law_names = law_names
        self.ctx = mp.get_context("spawn")
        self.slots: list[_Slot] = []

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for s in self.slots:
            with contextlib.suppress(Exception):
                s.conn.send(None)
        for s in self.slots:
            s.proc.join(2)
            if s.proc.is_alive():
                s.kill()
        self.slots = []

    def start(self) -> "Pool":
        """Start every worker now (each builds Kiwi while the caller does other work)."""
        while len(self.slots) < self.n:
            self.slots.append(_Slot(self.ctx, self.law_names, self.limits))
        return self

    def map(self, jobs: Iterable[tuple[str, Path]], on_start: Callable[[str], None] | None = None) -> Iterator:
        from bodopress.pipeline import tasks
        pending = [(rel, str(path)) for rel, path in jobs]
        pending.reverse()
        while len(self.slots) < min(self.n, len(pending)):
            self.slots.append(_Slot(self.ctx, self.law_names, self.limits))
        running, deaths = 0, 0
        while pending or running:
            for s in self.slots:
                if s.ready and s.job is None and pending:
                    s.job = pending.pop()
                    s.deadline = time.monotonic() + self.limits.timeout
                    s.conn.send(s.job)
                    running += 1
                    if on_start:
                        on_start(s.job[0])
            ready = wait([s.conn for s in self.slots], timeout=POLL)
            for i, s in enumerate(list(self.slots)):
                failure = None
                if s.conn in ready:
                    try:
                        msg = s.conn.recv()
                    except (EOFError, OSError):
                        msg = None
                    if msg is None:
                        code = s.proc.exitcode if not s.proc.is_alive() else None
                        failure = ("worker_crash", f"the worker extracting it died"
                                   f"{f' (signal {-code})' if code and code < 0 else ''}; report it with the file attached.")
                    elif msg[0] == "ready":
                        s.ready, s.base_rss = True, msg[2]
                    else:
                        s.job, running = None, running - 1
                        yield msg[2]
                elif s.job is not None and time.monotonic() > s.deadline:
                    failure = ("timeout", f"took longer than {self.limits.timeout:g} s; it was stopped "
                               "(raise --timeout, or split the file).")
                elif s.job is not None and rss(s.proc.pid) > s.base_rss + self.limits.memory:
                    failure = ("too_large", f"needed more than {self.limits.memory >> 20} MB; it was stopped "
                               "(raise --max-memory, or split the file).")
                if failure:
                    job = s.job
                    s.kill()
                    deaths += job is None
                    if deaths > 3 * self.n:
                        raise RuntimeError("extraction workers die as they start; run `bodo extract FILE` "
                                           "on one release to see why (a script that starts an ingest must "
                                           "keep its top level under `if __name__ == '__main__':`, as workers "
                                           "are spawned and import it).")
                    self.slots[i] = _Slot(self.ctx, self.law_names, self.limits)
                    if job is not None:
                        running -= 1
                        yield tasks.error_result(job[0], tasks.sha_of(Path(job[1])), "extract", failure[0],
                                                 f"{job[0]} {failure[1]}")
                    elif not pending and not running:
                        return
