"""Throughput benchmark: `bodo ingest` against the text extraction it builds on, measured in one run.

    python benchmarks/harness.py ingest --kind pdf|hwpx|hwp|all [--copies K] [--limit N]
    python benchmarks/harness.py incremental [--sizes 34,10000]
    python benchmarks/harness.py dates
    python benchmarks/harness.py all [--write benchmarks/RESULTS.md]

A report, not a test. `ingest` builds a corpus from ../shared/corpus/pool (K copies of
every selected file, each copy with distinct bytes: a PDF gets a comment line after its
`%%EOF`, an HWPX/zip one more entry `bench/copy-K.txt`, an HWP (OLE) one 512-byte sector
of padding past its last sector, which readers ignore, a text file one more line), runs `bodo
ingest` on it in a subprocess with a fresh curated/ and a fresh PREFECT_HOME (so no cache
answers), and times the baselines on the same files in this process: pdfplumber
`extract_text`, pypdfium2 text, zip + XML text (HWPX), OLE stream read + inflate (HWP),
one Kiwi pass over the extracted text. Reported: releases/s, s per release per core,
Prefect's share, three ways: the wall time against the same flow body run with its tasks
called as plain functions and no API, in a process of its own (two runs minutes apart, so the
machine's drift is in it); the CPU the run's own process spent beyond that arm's, over both
cores' wall time (one run's own ratio: the workers keep both cores busy while Prefect starts);
and wall time less the time inside the flow's task runs, from the run's own Prefect database.
Peak RSS is summed over the process tree (/proc polled).
`incremental` times a run that adds one file to a curated/ of a few dozen releases and to
one tiled to 10,000 (the Parquet rows and ledger entries of a real run repeated under new
release ids and paths, the paths hard links in raw/ so that nothing is re-read).
`dates` runs bodo's date extraction, dateparser and korean-datetime (optional: the
`bench` extra) on duckling's Korean Time sentences.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POOL = SHARED / "corpus" / "pool"
PORTAL = ("govpress", "govpress_fixtures")
CORES = os.cpu_count() or 1


# -- the corpus ----------------------------------------------------------------------------

def pick(kind: str) -> list[Path]:
    """The pool's portal files of one kind (pdf: govpress + govpress_fixtures; hwpx/hwp: govpress)."""
    suffixes = {"pdf": {".pdf"}, "hwpx": {".hwpx"}, "hwp": {".hwp"}, "all": {".pdf", ".hwpx", ".hwp"}}[kind]
    dirs = PORTAL if kind in ("pdf", "all") else PORTAL[:1]
    return sorted(p for d in dirs for p in (POOL / d).iterdir() if p.suffix.lower() in suffixes)


def distinct(data: bytes, suffix: str, k: int) -> bytes:
    """The same release with bytes of its own (copy k > 0); copy 0 is the file as it is."""
    if k == 0:
        return data
    tag = f"bodo-bench copy {k}"
    if suffix == ".pdf":
        return data + f"\n%{tag}\n".encode()
    if data.startswith(b"PK"):
        buf = io.BytesIO(data)
        with zipfile.ZipFile(buf, "a") as zf:
            zf.writestr(f"bench/copy-{k}.txt", tag)
        return buf.getvalue()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # an OLE file's sectors cannot grow in place: trailing bytes past the last sector,
        # which readers ignore, make the copy distinct
        return data + tag.encode().ljust(512, b"\0")
    return data + f"\n{tag}\n".encode()


def build(files: list[Path], copies: int, dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(copies):
        for p in files:
            target = dest / f"c{k}" / p.parent.name / p.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(distinct(p.read_bytes(), p.suffix.lower(), k))
            out.append(target)
    return out


# -- baselines (one process) ----------------------------------------------------------------

def text_pdfplumber(path: Path) -> str:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def text_pdfium(path: Path) -> str:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(path)
    try:
        out = []
        for page in pdf:
            tp = page.get_textpage()
            out.append(tp.get_text_range())
            tp.close()
            page.close()
        return "\n".join(out)
    finally:
        pdf.close()


def text_zip_xml(path: Path) -> str:
    from xml.etree import ElementTree as ET
    out = []
    with zipfile.ZipFile(path) as zf:
        for name in sorted(n for n in zf.namelist() if n.startswith("Contents/section")):
            root = ET.fromstring(zf.read(name))
            out.append("\n".join(el.text or "" for el in root.iter() if el.tag.endswith("}t")))
    return "\n".join(out)


def text_ole(path: Path) -> str:
    """OLE streams read and inflated, PARA_TEXT records (tag 67) decoded: the floor of an HWP read."""
    import struct

    import olefile
    out = []
    with olefile.OleFileIO(str(path)) as ole:
        for entry in ole.listdir():
            if entry[0] != "BodyText":
                continue
            data = zlib.decompressobj(-15).decompress(ole.openstream(entry).read())
            pos = 0
            while pos + 4 <= len(data):
                head = struct.unpack_from("<I", data, pos)[0]
                pos += 4
                size = head >> 20
                if size == 0xFFF:
                    size = struct.unpack_from("<I", data, pos)[0]
                    pos += 4
                if head & 0x3FF == 67:
                    out.append(data[pos:pos + size].decode("utf-16-le", "ignore"))
                pos += size
    return "\n".join(out)


def baselines(paths: list[Path]) -> dict[str, float]:
    """Seconds for each baseline over the files it applies to, and one Kiwi pass over the texts."""
    from kiwipiepy import Kiwi
    times: dict[str, float] = {}
    texts: list[str] = []
    readers = {".pdf": [("pdfplumber extract_text", text_pdfplumber), ("pypdfium2 text", text_pdfium)],
               ".hwpx": [("zip + XML text", text_zip_xml)], ".hwp": [("OLE stream read", text_ole)]}
    for p in paths:
        for i, (name, read) in enumerate(readers.get(p.suffix.lower(), [])):
            t = time.perf_counter()
            try:
                text = read(p)
            except Exception:   # a file the baseline cannot read still cost its time
                text = ""
            times[name] = times.get(name, 0.0) + time.perf_counter() - t
            if i == len(readers[p.suffix.lower()]) - 1:
                texts.append(text)
    t = time.perf_counter()
    kiwi = Kiwi()
    kiwi.tokenize("보도자료")
    times["Kiwi build"] = time.perf_counter() - t
    t = time.perf_counter()
    for text in texts:
        kiwi.tokenize(text)
    times["one Kiwi pass"] = time.perf_counter() - t
    return times


# -- bodo ingest in a subprocess ----------------------------------------------------------------

def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def flow_timing(prefect_home: Path, started: datetime) -> dict:
    """The newest flow run's own timing from its Prefect database: seconds from the process's
    start to the flow's, the flow run's length, and the seconds inside its task runs."""
    db = prefect_home / "prefect.db"
    if not db.exists():
        return {"before_flow": 0.0, "flow_s": 0.0, "task_s": 0.0}
    with sqlite3.connect(db) as con:
        row = con.execute("select id, start_time, end_time from flow_run where start_time is not null "
                          "order by start_time desc limit 1").fetchone()
        if not row:
            return {"before_flow": 0.0, "flow_s": 0.0, "task_s": 0.0}
        tasks = con.execute("select start_time, end_time from task_run where flow_run_id = ?", (row[0],)).fetchall()
    return {"before_flow": (_when(row[1]) - started).total_seconds(),
            "flow_s": (_when(row[2]) - _when(row[1])).total_seconds(),
            "task_s": sum((_when(e) - _when(s)).total_seconds() for s, e in tasks if s and e)}


def _when(s: str) -> datetime:
    d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def ingest(raw: Path, work: Path, label: str) -> dict:
    """`bodo ingest raw` with a fresh curated/ and PREFECT_HOME: wall time, peak RSS, Prefect's share.
    The new PREFECT_HOME's database is first created by an ingest of one short text release
    (timed apart: a new user pays it once), so that the run measured is a daily run's."""
    curated, home, warm = work / f"curated-{label}", work / f"prefect-{label}", work / f"warm-{label}"
    for d in (curated, home, warm):
        shutil.rmtree(d, ignore_errors=True)
    (warm / "raw").mkdir(parents=True)
    (warm / "raw" / "warm.txt").write_text("보도자료\n2026. 4. 13.(월) 배포\n", encoding="utf-8")
    first = run_bodo(warm / "raw", warm / "curated", home)
    run = run_bodo(raw, curated, home)
    run["first_start"] = first["wall"]
    return run


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (its own threads, not its children), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def watched(cmd: list[str], env: dict | None = None) -> dict:
    """Run `cmd`; its wall time, exit code, stderr, the peak RSS of its process tree, and the CPU
    of its own process (the parent: Prefect's client, API and flow engine; the workers apart),
    sampled every 0.2 s until it exits."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, cpu = 0, 0.0
    done = threading.Event()

    def watch():
        nonlocal peak, cpu
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            cpu = max(cpu, cpu_seconds(proc.pid))
            done.wait(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    done.set()
    watcher.join()
    return {"wall": wall, "rc": proc.returncode, "peak_rss": peak, "parent_cpu": cpu, "stderr": err}


def run_bodo(raw: Path, curated: Path, home: Path) -> dict:
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_LOCAL_STORAGE_PATH=str(home / "storage"),
               COLUMNS="400")     # rich wraps the summary lines at 80 columns otherwise
    started = datetime.now(timezone.utc)
    run = watched([shutil.which("bodo") or "bodo", "ingest", str(raw), "--curated", str(curated)], env)
    err = run.pop("stderr")
    tail = [line.strip() for line in err.splitlines() if line.startswith(("files ", "run "))]
    return {**run, "summary": "; ".join(tail) or (err.strip().splitlines() or [""])[-1],
            **flow_timing(home, started)}


PLAIN_ARM = """
import logging, os, sys, time
from pathlib import Path
from bodopress.pipeline import workers
workers.prestart(2, workers.Limits(), None)                # as bodo ingest does, before Prefect imports
from bodopress.pipeline import flows
for name in ("discover_files", "plan_run", "extract_files", "commit_run"):
    setattr(flows, name, getattr(flows, name).fn)          # each task as its plain function
flows.get_run_logger = lambda: logging.getLogger("bodo")
flows.quote = lambda value: value
flows._publish = lambda *args: None                        # the run's artifact is Prefect's
summary = flows.ingest.fn(Path(sys.argv[1]), Path(sys.argv[2]))
workers.discard()
print(f"files {summary['files']}, releases ingested {summary['ok']}", file=sys.stderr)
sys.stderr.flush()
os._exit(0)                                                 # as the bodo script ends
"""


def run_plain(raw: Path, curated: Path) -> dict:
    """The same flow body with its tasks called as plain functions: no API, no task runs, no
    artifact. Its difference to `bodo ingest` is what Prefect costs, except that this arm
    still imports Prefect's client (flows.py does): `import_s` is that import's time."""
    def timed(*args) -> float:
        t = time.perf_counter()
        subprocess.run([sys.executable, *args], capture_output=True, check=True)
        return time.perf_counter() - t
    import_s = min(timed("-c", "import prefect") - timed("-c", "pass") for _ in range(2))
    shutil.rmtree(curated, ignore_errors=True)
    run = watched([sys.executable, "-c", PLAIN_ARM, str(raw), str(curated)])
    err = run.pop("stderr")
    return {**run, "import_s": import_s, "summary": (err.strip().splitlines() or [""])[-1]}


# -- reports -------------------------------------------------------------------------------------

def cmd_ingest(kind: str, copies: int, limit: int | None, work: Path) -> str:
    files = pick(kind)[:limit] if limit else pick(kind)
    raw = work / f"raw-{kind}-{copies}"
    shutil.rmtree(raw, ignore_errors=True)
    paths = build(files, copies, raw)
    n = len(paths)
    base = baselines(paths)
    run = ingest(raw, work, f"{kind}-{copies}")
    plain = run_plain(raw, work / f"curated-{kind}-{copies}-plain")
    wall = run["wall"]
    prefect = max(wall - run["task_s"], 0.0)
    extra_cpu = max(run["parent_cpu"] - plain["parent_cpu"], 0.0)
    lines = [f"### `bodo ingest` on {n} {kind.upper() if kind != 'all' else 'portal'} files "
             f"({len(files)} distinct releases x {copies})", "",
             "| measure | value |", "|---|---|",
             f"| `bodo ingest` wall time | {wall:.1f} s (exit {run['rc']}; {run['summary']}) |",
             f"| releases/s | {n / wall:.2f} |",
             f"| s per release per core | {wall * CORES / n:.3f} |",
             f"| Prefect's share of the wall time, against the flow's body run without Prefect | "
             f"**{100 * (wall - plain['wall'] + plain['import_s']) / wall:.0f}%** (without Prefect: "
             f"{plain['wall']:.1f} s, exit {plain['rc']}, {plain['summary']}; less {plain['import_s']:.1f} s "
             f"of importing Prefect, which that arm still does) |",
             f"| Prefect's share of the machine: the CPU its process spent beyond the arm without "
             f"Prefect, over both cores' wall time | **{100 * extra_cpu / (CORES * wall):.0f}%** "
             f"({run['parent_cpu']:.1f} s of CPU in `bodo ingest`'s own process against "
             f"{plain['parent_cpu']:.1f} s without Prefect; the workers' CPU apart) |",
             f"| wall time outside task runs (files extracted while the API starts count here too) | "
             f"{100 * prefect / wall:.0f}% "
             f"(wall {wall:.1f} s less {run['task_s']:.1f} s in task runs; {run['before_flow']:.1f} s "
             f"from the process's start to the flow's, flow run {run['flow_s']:.1f} s) |",
             f"| first run on a new PREFECT_HOME (one text file; database created) | {run['first_start']:.1f} s |",
             f"| peak RSS, process tree | {run['peak_rss'] / 2**20:.0f} MB |"]
    for name, secs in base.items():
        note = " (once per process, in no ratio)" if name == "Kiwi build" else ""
        lines.append(f"| baseline: {name}{note} | {secs:.1f} s |")
    text_floor = sum(v for k, v in base.items() if k in ("zip + XML text", "OLE stream read", "pypdfium2 text"))
    floor = text_floor + base.get("one Kiwi pass", 0.0)
    if floor:
        lines.append(f"| **`bodo ingest` / (text read + one Kiwi pass)** | **{wall / floor:.2f}** |")
    if "pdfplumber extract_text" in base:
        lines.append(f"| **`bodo ingest` / pdfplumber extract_text** | **{wall / base['pdfplumber extract_text']:.2f}** |")
    return "\n".join(lines) + "\n"


def tile(curated: Path, raw: Path, size: int) -> None:
    """Repeat the releases of a real curated/ (and its ledger) until it holds `size` releases:
    copy k gets release ids and paths of its own, the paths hard links in raw/syn-k/, and every
    ledger entry takes its file's stat so that the next run re-reads nothing."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    ledger_path = curated / "_ledger.parquet"
    ledger = pq.read_table(ledger_path)
    base = ledger.num_rows
    reps = max(-(-size // max(base, 1)), 1)

    def copy(t: pa.Table, k: int) -> pa.Table:
        for col in ("release_id", "source_file", "source_sha256"):
            if col in t.column_names:
                i = t.column_names.index(col)
                vals = t[col]
                if col == "source_file":
                    new = pc.binary_join_element_wise(pa.scalar(f"syn-{k}"), vals, "/")
                else:
                    new = pc.binary_join_element_wise(pa.scalar(f"{k:06x}"), pc.utf8_slice_codeunits(vals, 6), "")
                t = t.set_column(i, t.schema.field(i), new.cast(t.schema.field(i).type))
        return t

    for table in sorted(curated.glob("*.parquet")):
        t = pq.read_table(table)
        if t.num_rows and ("release_id" in t.column_names or "source_file" in t.column_names):
            whole = pa.concat_tables([t] + [copy(t, k) for k in range(1, reps)])
            pq.write_table(whole.replace_schema_metadata(t.schema.metadata), table)
    ledger = pq.read_table(ledger_path)
    for k in range(1, reps):
        for rel in ledger["source_file"].to_pylist()[:base]:
            target = raw / f"syn-{k}" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(raw / rel, target)
    restamp(curated, raw)


def restamp(curated: Path, raw: Path) -> None:
    """Every ledger entry takes its file's stat and the code version of now, so that a run
    re-reads nothing that is not new (other work on the code must not make the tiled
    releases look outdated)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bodopress.pipeline import ledger as L

    ledger_path = curated / "_ledger.parquet"
    ledger = pq.read_table(ledger_path)
    version = L.current_version(None)
    stats = [os.stat(raw / rel) for rel in ledger["source_file"].to_pylist()]
    for col, values in (("size", [s.st_size for s in stats]), ("mtime_ns", [s.st_mtime_ns for s in stats]),
                        ("ctime_ns", [s.st_ctime_ns for s in stats]), ("inode", [s.st_ino for s in stats])):
        i = ledger.column_names.index(col)
        ledger = ledger.set_column(i, ledger.schema.field(i), pa.array(values, ledger.schema.field(i).type))
    for col in ("extractor_version", "code_fingerprint"):
        i = ledger.column_names.index(col)
        ledger = ledger.set_column(i, ledger.schema.field(i),
                                   pa.array([getattr(version, col)] * ledger.num_rows, ledger.schema.field(i).type))
    pq.write_table(ledger.replace_schema_metadata(pq.read_schema(ledger_path).metadata), ledger_path)


def cmd_incremental(sizes: list[int], work: Path) -> str:
    files = pick("hwpx")[:34]
    rows = []
    for size in sizes:
        raw, curated = work / f"inc-raw-{size}", work / f"inc-curated-{size}"
        shutil.rmtree(raw, ignore_errors=True)
        shutil.rmtree(curated, ignore_errors=True)
        build(files, 1, raw)
        home = work / f"inc-prefect-{size}"
        shutil.rmtree(home, ignore_errors=True)
        setup = run_bodo(raw, curated, home)                  # also creates PREFECT_HOME's database
        if setup["rc"]:
            return f"incremental: the setup run failed: {setup['summary']}\n"
        tile(curated, raw, size)
        restamp(curated, raw)
        warm = run_bodo(raw, curated, home)                   # nothing new: the floor
        new = raw / "new" / files[0].name
        new.parent.mkdir()
        new.write_bytes(distinct(files[0].read_bytes(), files[0].suffix, 99))
        restamp(curated, raw)
        run = run_bodo(raw, curated, home)
        import pyarrow.parquet as pq
        releases = pq.read_metadata(curated / "releases.parquet").num_rows
        rows.append((size, releases, warm["wall"], run["wall"], run["summary"]))
    lines = ["### One-file incremental run against the size of curated/", "",
             "| curated/ releases | no-op run | run adding one file | ratio to the smallest |", "|---|---|---|---|"]
    for size, releases, warm, wall, summary in rows:
        lines.append(f"| {releases} | {warm:.1f} s | {wall:.1f} s ({summary}) | {wall / rows[0][3]:.2f} |")
    return "\n".join(lines) + "\n"


def cmd_dates() -> str:
    from bodopress.extractors import dates
    from bodopress.extractors.document import Document

    cases = [json.loads(line) for line in (SHARED / "peers" / "duckling_ko.jsonl").read_text().splitlines()
             if '"Time"' in line]
    cases = [c for c in cases if c["dimension"] == "Time"]

    def expected_day(c) -> date | None:
        v = c["expected"].get("value") or (c["expected"].get("from") or {}).get("value")
        return date.fromisoformat(v[:10]) if isinstance(v, str) else None

    def bodo(text, ref):
        rows = dates.extract(Document.from_text(text), ref.date())
        return rows[0]["start"] if rows else None

    def dp(text, ref):
        import dateparser
        d = dateparser.parse(text, languages=["ko"], settings={"RELATIVE_BASE": ref.replace(tzinfo=None)})
        return d.date() if d else None

    runners = [("bodo dates.extract", bodo), ("dateparser.parse", dp)]
    try:
        import korean_datetime

        def kd(text, ref):
            found = korean_datetime.parse_all(text, now=ref.replace(tzinfo=None))
            return found[0].start.date() if found else None
        runners.append(("korean-datetime parse_all", kd))
    except ImportError:
        pass
    lines = [f"### Date expressions: {len(cases)} Korean Time sentences of duckling's corpus", "",
             "| parser | found | same start day as duckling | ms per sentence |", "|---|---|---|---|"]
    for name, fn in runners:
        found = same = 0
        fn(cases[0]["text"], datetime.fromisoformat(cases[0]["reference_time"]))   # warm-up (imports, Kiwi)
        t = time.perf_counter()
        for c in cases:
            ref = datetime.fromisoformat(c["reference_time"])
            try:
                got = fn(c["text"], ref)
            except Exception:
                got = None
            found += got is not None
            same += got is not None and got == expected_day(c)
        ms = 1000 * (time.perf_counter() - t) / len(cases)
        lines.append(f"| {name} | {found} | {same} | {ms:.2f} |")
    return "\n".join(lines) + "\n"


def machine() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def v(pkg):
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "-"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) >> 20 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    pkgs = ", ".join(f"{p} {v(p)}" for p in ("bodopress", "prefect", "pdfplumber", "pypdfium2", "kiwipiepy",
                                               "pyarrow", "dateparser", "korean-datetime"))
    return (f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n- machine: {CORES} cores ({cpu}), "
            f"{mem} GB RAM, {platform.platform()}, Python {platform.python_version()}\n- versions: {pkgs}\n"
            f"- load average at start: {os.getloadavg()[0]:.2f} (other work on the machine inflates every number)\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["ingest", "incremental", "dates", "all"])
    ap.add_argument("--kind", default="pdf", choices=["pdf", "hwpx", "hwp", "all"])
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--limit", type=int, help="only the first N files of the kind")
    ap.add_argument("--sizes", default="34,10000")
    ap.add_argument("--work", type=Path, help="keep the corpora and curated dirs here (default: a temporary dir)")
    ap.add_argument("--write", type=Path, help="write the report to this markdown file")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    steps = {"ingest": [lambda w: cmd_ingest(args.kind, args.copies, args.limit, w)],
             "incremental": [lambda w: cmd_incremental(sizes, w)], "dates": [lambda w: cmd_dates()],
             "all": [lambda w: cmd_ingest("pdf", 1, args.limit, w), lambda w: cmd_ingest("hwpx", 4, args.limit, w),
                     lambda w: cmd_incremental(sizes, w), lambda w: cmd_dates()]}[args.what]
    parts = [machine()]
    with tempfile.TemporaryDirectory(prefix="bodo-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for step in steps:
            parts.append(step(work))
            print(parts[-1], flush=True)
            if args.write:     # after every step, so that a long run leaves what it measured
                args.write.write_text("# Benchmark results (`benchmarks/harness.py`)\n\n" + "\n".join(parts),
                                      encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
