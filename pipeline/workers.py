"""Extraction in worker processes, each file bounded in time and memory.

`Pool` starts `workers` processes (spawned, so no Prefect thread is forked; each builds Kiwi
once) and hands them one file at a time. The parent watches every busy worker: past the
file's time limit, or with a resident set past the memory limit, the worker is killed, the
file becomes one `errors` row (`timeout`, `too_large`) and a new worker takes the slot. A
worker that dies on its own (a segfault in a parser) gives `worker_crash`. Inside a worker
the address space is capped too (RLIMIT_AS, the limit above what it holds after start-up),
so an allocation past it fails at once instead of swapping. When the parent ends, however
it ends, its workers die with it (parent-death signal). Workers run at nice 5, so that the
run's own process (Prefect's API starting, the flow) keeps its core while both have work.

A local run starts its workers before it imports Prefect (`prestart`) and lets them extract
the files it will most likely ask for while the API starts (`ahead`); the extract task then
adopts the pool (`pool`) and its results.

>>> Limits().timeout, Limits().memory >> 20
(120.0, 384)
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterable, Iterator

POLL = 0.02   # seconds between checks of a busy worker's memory (a flate bomb grows fast)
NICE = 5      # workers yield a core to their parent while both have work (the API's start-up)


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
    with contextlib.suppress(OSError):   # the run's own process (Prefect's API, the flow) goes first
        os.nice(NICE)
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


def stamp(path: str) -> tuple | None:
    """What a change to a file changes: size, mtime, ctime, inode (the ledger's key)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


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


def settings(law_names: str | None = None, n_workers: int = 2, timeout: float = Limits.timeout,
             max_memory_mb: int = Limits.memory >> 20, **_) -> tuple[int, Limits, str | None]:
    """(workers, limits, law names) of a run given the flow's options, as prestart() takes them."""
    return n_workers, Limits(timeout=timeout, memory=max_memory_mb << 20), law_names


_started: "Pool | None" = None   # started early by prestart(), adopted by pool()


def prestart(workers: int = 2, limits: Limits = Limits(), law_names: str | None = None) -> None:
    """Start a run's workers now, before the caller imports Prefect: each builds Kiwi on the
    other core while this process imports. Stdlib only, like server.prestart()."""
    global _started
    if _started is None:
        _started = Pool(workers, limits, law_names).start()


def pool(workers: int, limits: Limits, law_names: str | None) -> "Pool":
    """The prestarted pool when it was started for these settings, else a new one."""
    global _started
    ready, _started = _started, None
    if ready is not None and (ready.n, ready.limits, ready.law_names) == (max(1, workers), limits, law_names):
        return ready
    if ready is not None:
        ready.close()
    return Pool(workers, limits, law_names)


def likely_jobs(raw: Path, curated: Path, law_names: str | None = None, force: bool = False) -> list:
    """The files a run will extract, planned as its flow plans them, before Prefect is up."""
    from bodopress.pipeline import ledger as L
    from bodopress.pipeline.store import Store
    from bodopress.pipeline.tasks import discover
    raw, curated = Path(raw).resolve(), Path(curated).resolve()
    files, _ = discover(raw)
    return L.todo_jobs(files, L.plan(raw, files, Store(curated).ledger(), L.current_version(law_names), force))


def ahead(plan: Callable[[], list[tuple[str, Path]]]) -> None:
    """Let the prestarted workers begin on the files `plan()` names (see Pool.ahead)."""
    if _started is not None and _started._thread is None:
        _started.ahead(plan)


def discard() -> None:
    """Stop a prestarted pool no run adopted (a run that failed before extracting)."""
    global _started
    ready, _started = _started, None
    if ready is not None:
        ready.close()


class Pool:
    """`with Pool(2) as pool: for result in pool.map(jobs): ...` — results in completion order.

    `ahead(plan)` lets the workers begin on the files a run will most likely ask for while the
    caller is still busy (Prefect's API starting): a thread of this process dispatches them,
    and `map` yields the results that match its own jobs first, takes over the files still in
    flight, and drops the rest. Limits, replacements and error rows are the same either way.
    """

    def __init__(self, workers: int = 2, limits: Limits = Limits(), law_names: str | None = None):
        self.n = max(1, workers)
        self.limits = limits
        self.law_names = law_names
        self.ctx = mp.get_context("spawn")
        self.slots: list[_Slot] = []
        self._early: dict[str, tuple[str, object]] = {}   # rel -> (path, result) extracted ahead
        self._stamps: dict[str, tuple | None] = {}          # rel -> its file's stat when planned ahead
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._halt()
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

    def ahead(self, plan: Callable[[], list[tuple[str, Path]]]) -> None:
        """Extract the jobs `plan()` returns from now on, until map() takes over."""
        def run():
            with contextlib.suppress(Exception):     # the run's own plan reports any failure
                jobs = [(rel, str(p)) for rel, p in plan()]
                self._stamps = {rel: stamp(p) for rel, p in jobs}
                for (rel, path), result in self._drive(jobs, self._stop):
                    self._early[rel] = (path, result)
        self._thread = threading.Thread(target=run, name="bodo-ahead", daemon=True)
        self._thread.start()

    def _halt(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def map(self, jobs: Iterable[tuple[str, Path]]) -> Iterator:
        self._halt()
        wanted = {rel: str(path) for rel, path in jobs}
        # what was extracted ahead counts only for a file untouched since its plan was made:
        # the ledger records the stat of the run's own plan beside the digest of the bytes read
        stamps, self._stamps = self._stamps, {}
        early, self._early = self._early, {}
        for rel, (path, result) in early.items():
            if wanted.get(rel) == path and stamp(path) == stamps.get(rel):
                del wanted[rel]
                yield result
        for i, s in enumerate(self.slots):
            if s.job is not None and stamp(s.job[1]) != stamps.get(s.job[0]):
                s.kill()
                self.slots[i] = _Slot(self.ctx, self.law_names, self.limits)
        in_flight = {s.job for s in self.slots if s.job is not None}
        for job, result in self._drive([j for j in wanted.items() if j not in in_flight]):
            if wanted.get(job[0]) == job[1]:
                yield result

    def _drive(self, jobs: list[tuple[str, str]], stop: threading.Event | None = None) -> Iterator:
        """((rel, path), result) for `jobs` and for the files already in flight, as they finish.
        The largest files go first, so that no long file starts last while the other workers idle."""
        from bodopress.pipeline import tasks
        pending = sorted(jobs, key=lambda job: (stamp(job[1]) or (0,))[0])   # popped from the end
        while len(self.slots) < min(self.n, len(pending)):
            self.slots.append(_Slot(self.ctx, self.law_names, self.limits))
        deaths = 0
        while not (stop is not None and stop.is_set()):
            for s in self.slots:
                if s.ready and s.job is None and pending:
                    s.job = pending.pop()
                    s.deadline = time.monotonic() + self.limits.timeout
                    s.conn.send(s.job)
            if not pending and all(s.job is None for s in self.slots):
                return
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
                        job, s.job = s.job, None
                        yield job, msg[2]
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
                        yield job, tasks.error_result(job[0], tasks.sha_of(Path(job[1])), "extract", failure[0],
                                                      f"{job[0]} {failure[1]}")
                    elif not pending and all(s.job is None for s in self.slots):
                        return
