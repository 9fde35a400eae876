"""`bodo fetch`: releases from the 정책브리핑 portal's press-release OpenAPI into raw/.

The portal lists at most three days per request (`THREE_DAYS_OVER_ERROR` beyond), so a
span is walked in windows. A release's attachments hide behind opaque download links: the
release itself, often in several formats, and appendices (붙임, 별첨). One document per
release lands in raw/ as `<NewsItemId>.<ext>`, its kind read from the bytes, HWPX before
HWP before PDF (they carry the text and tables as written), beside a sidecar
`<NewsItemId>.portal.json` that `bodo ingest` reads (`pipeline.tasks.portal_fields`).
`raw/.bodo-fetch.json` remembers each release's ModifyDate and sha256 and the last day
fetched in full, so a second fetch downloads nothing, a correction (a ModifyDate that
moved) replaces its file, and a release that failed (an HTML page, a dead link) is asked
for again next time. The service key never leaves this module's `Portal`: every URL in a
message is masked.

>>> is_appendix("[별첨] (모두말씀) 제266차 대경장 겸 제157차 EDCF 기금위_최종.hwpx")
True
>>> is_appendix("0413 발굴캠프 참가자 모집(본문).hwpx")
False
>>> korea_time("04/13/2026 11:06:51")
'2026-04-13T11:06:51+09:00'
>>> [f"{a:%m%d}-{b:%m%d}" for a, b in windows(date(2026, 4, 1), date(2026, 4, 7))]
['0401-0403', '0404-0406', '0407-0407']
"""
from __future__ import annotations

import hashlib
import http.client
import io
import json
import logging
import os
import re
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote, quote_plus, unquote
from urllib.request import Request, urlopen

import olefile
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

# The same local defaults as the ingest flow (no telemetry, no log shipping, quiet INFO),
# set before Prefect is imported; an operator's own environment wins.
for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}.items():
    os.environ.setdefault(_key, _value)

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.states import Failed  # noqa: E402
from prefect.tasks import exponential_backoff  # noqa: E402

log = logging.getLogger("bodo.fetch")

API_URL = "https://apis.data.go.kr/1371000/pressReleaseService/pressReleaseList"
KEY_ENV = "BODO_PORTAL_KEY"
SECRET_BLOCK = "bodo-portal-key"
STATE = ".bodo-fetch.json"          # hidden: discover() skips it
SIDECAR = ".portal.json"            # <NewsItemId>.portal.json, read by pipeline.tasks.portal_fields
WINDOW_DAYS = 3                     # the most the portal lists at once
MIN_INTERVAL = 0.5                  # seconds between two requests to the portal
BACKOFF = 2.0                       # first retry delay (s); each further retry doubles it
RETRIES = 3
TIMEOUT = 60.0
USER_AGENT = "bodo-fetch/0.1 (+https://github.com/bodopress)"
KST = timezone(timedelta(hours=9))
RANK = {"hwpx": 0, "hwp": 1, "pdf": 2}      # the preferred document kinds, best first
APPENDIX_WORDS = tuple(w for w in (Path(__file__).parent / "data" / "appendix_words.txt")
                       .read_text(encoding="utf-8").split("\n") if w.strip() and not w.startswith("#"))
_SAFE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")   # a NewsItemId becomes a file name
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,5})\s*$")
_FILE_FIELD = re.compile(r"File(Name|Url)(\d*)")


class FetchError(Exception):
    """A failure a person can act on, in one line; never holds the service key."""


class Transient(FetchError):
    """A 5xx answer, a timeout or a dropped connection: worth retrying after a pause."""


class KeyRefused(FetchError):
    """The portal refused the service key: every other request would fail the same way."""


@dataclass(frozen=True)
class Attachment:
    name: str
    url: str


@dataclass(frozen=True)
class NewsItem:
    id: str
    title: str
    subtitles: tuple[str, ...]
    ministry: str
    approve_date: str          # as the portal writes it: MM/DD/YYYY HH:MM:SS, Korea time
    modify_date: str
    embargo_date: str
    url: str
    attachments: tuple[Attachment, ...]


def is_appendix(file_name: str) -> bool:
    return any(word in file_name for word in APPENDIX_WORDS)


def korea_time(portal_date: str) -> str | None:
    """ISO-8601 with +09:00 from the portal's `MM/DD/YYYY HH:MM:SS` (Korea time); None if absent or odd."""
    try:
        return datetime.strptime(portal_date.strip(), "%m/%d/%Y %H:%M:%S").replace(tzinfo=KST).isoformat()
    except (AttributeError, ValueError):
        return None


def windows(start: date, end: date) -> list[tuple[date, date]]:
    """`start`..`end` (both included) in consecutive windows of at most WINDOW_DAYS days."""
    out = []
    while start <= end:
        out.append((start, min(end, start + timedelta(days=WINDOW_DAYS - 1))))
        start = out[-1][1] + timedelta(days=1)
    return out


def kind_of(data: bytes) -> str | None:
    """'pdf', 'hwpx' or 'hwp' from the bytes; None for anything else (an HTML page, an empty body)."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                mime = z.read("mimetype") if "mimetype" in names else b""
        except zipfile.BadZipFile:
            return None
        return "hwpx" if mime.startswith(b"application/hwp") or "Contents/header.xml" in names else None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        try:
            with olefile.OleFileIO(io.BytesIO(data)) as ole:   # a .doc or .xls is OLE too
                return "hwp" if ole.exists("FileHeader") and \
                    ole.openstream("FileHeader").read(17) == b"HWP Document File" else None
        except OSError:
            return None
    return None


def what(data: bytes) -> str:
    """What a body that is no document is, for a message."""
    if not data.strip():
        return "an empty body"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "an HTML page" if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head \
        else "a file that is neither HWPX, HWP nor PDF"


def named_rank(file_name: str) -> int | None:
    """How promising an attachment is by its name: RANK of its extension, 3 without one, None for
    another kind (an image, a spreadsheet: not worth a download)."""
    m = _EXTENSION.search(file_name)
    if not m:
        return 3
    return RANK.get(m[1].lower())


class Portal:
    """The OpenAPI and its download links, at most one request every `min_interval` seconds."""

    def __init__(self, api_url: str, key: str, min_interval: float = MIN_INTERVAL, timeout: float = TIMEOUT):
        self.api_url = api_url
        self._key = unquote(key.strip())     # either form data.go.kr hands out, encoded or not
        self.min_interval = min_interval
        self.timeout = timeout
        self._last = float("-inf")
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Portal({self.api_url!r})"

    def mask(self, text: str) -> str:
        for form in sorted({self._key, quote(self._key, safe=""), quote_plus(self._key)}, key=len, reverse=True):
            if form:
                text = text.replace(form, "***")
        return text

    def list_url(self, start: date, end: date) -> str:
        sep = "&" if "?" in self.api_url else "?"
        return (f"{self.api_url}{sep}serviceKey={quote(self._key, safe='')}"
                f"&startDate={start:%Y%m%d}&endDate={end:%Y%m%d}")

    def get(self, url: str) -> bytes:
        with self._lock:
            wait = self._last + self.min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                with urlopen(Request(url, headers={"User-Agent": USER_AGENT}), timeout=self.timeout) as r:
                    return r.read()
            except HTTPError as e:
                kind = Transient if e.code >= 500 else FetchError
                raise kind(f"HTTP {e.code} from {self.mask(url)}") from None
            except (TimeoutError, ConnectionError, http.client.HTTPException, URLError) as e:
                reason = getattr(e, "reason", None) or e
                raise Transient(self.mask(f"{type(reason).__name__} ({reason}) from {url}")) from None
            finally:
                self._last = time.monotonic()


def parse_list(body: bytes, span: str) -> list[NewsItem]:
    """The NewsItems of one answer of the list operation, or the portal's refusal as an exception."""
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException) as e:
        raise FetchError(f"the portal's answer for {span} is not the expected XML ({e})") from None
    if root.tag == "OpenAPI_ServiceResponse":
        msg = (root.findtext(".//returnAuthMsg") or root.findtext(".//errMsg") or "").strip()
        reason = (root.findtext(".//returnReasonCode") or "").strip()
        if "SERVICE_KEY" in msg or reason in {"20", "30", "31"}:   # not registered, denied, expired
            raise KeyRefused(f"the portal refused the service key ({msg or 'reason ' + reason}); check {KEY_ENV}")
        raise FetchError(f"the portal answered {msg or 'an error'} (reason {reason or '?'}) for {span}")
    if root.tag != "response":
        raise FetchError(f"the portal's answer for {span} is not a press-release list (<{root.tag}>)")
    code = (root.findtext("header/resultCode") or "").strip()
    if code not in {"0", "00"}:
        msg = (root.findtext("header/resultMsg") or "").strip()
        raise FetchError(f"the portal answered {msg or 'an error'} (code {code or '?'}) for {span}")
    return [news_item(el, span) for el in root.iter("NewsItem")]


def news_item(el, span: str) -> NewsItem:
    """One NewsItem; attachments come as repeated FileName/FileUrl pairs or numbered FileName1/FileUrl1."""
    fields, names, urls, numbered = {}, [], [], {}
    for child in el:
        text = (child.text or "").strip()
        m = _FILE_FIELD.fullmatch(child.tag)
        if m and m[2]:
            numbered.setdefault(int(m[2]), {})[m[1]] = text
        elif m:
            (names if m[1] == "Name" else urls).append(text)
        else:
            fields[child.tag] = text
    pairs = list(zip(names, urls)) + [(f.get("Name", ""), f.get("Url", "")) for _, f in sorted(numbered.items())]
    attachments = tuple(dict.fromkeys(Attachment(n, u) for n, u in pairs if u))
    item_id = fields.get("NewsItemId", "")
    if not _SAFE_ID.fullmatch(item_id) or not korea_time(fields.get("ApproveDate", "")):
        raise FetchError(f"the portal's answer for {span} has a malformed NewsItem "
                         f"(NewsItemId {item_id[:70]!r}, ApproveDate {fields.get('ApproveDate', '')[:30]!r})")
    return NewsItem(id=item_id, title=fields.get("Title", ""),
                    subtitles=tuple(s for s in (fields.get(f"SubTitle{i}", "") for i in (1, 2, 3)) if s),
                    ministry=fields.get("MinisterCode", ""), approve_date=fields["ApproveDate"],
                    modify_date=fields.get("ModifyDate", "") or fields["ApproveDate"],
                    embargo_date=fields.get("EmbargoDate", ""), url=fields.get("OriginalUrl", ""),
                    attachments=attachments)


def list_releases(portal: Portal, start: date, end: date) -> list[NewsItem]:
    """The releases the portal lists for `start`..`end`; ask for at most WINDOW_DAYS days."""
    return parse_list(portal.get(portal.list_url(start, end)), f"{start}..{end}")


def best(portal: Portal, attachments) -> tuple[tuple[Attachment, bytes, str] | None, list[tuple[Attachment, str]]]:
    """The best document among `attachments` by its bytes (HWPX, HWP, PDF), downloading the
    promising names first and stopping when no other can beat it; and the ones that failed."""
    ranked = sorted((r, i, a) for i, a in enumerate(attachments) if (r := named_rank(a.name)) is not None)
    got, failed = None, []
    for rank, _, a in ranked:
        if got and RANK[got[2]] <= rank:
            break
        data = portal.get(a.url)
        kind = kind_of(data)
        if kind is None:
            failed.append((a, what(data)))
        elif got is None or RANK[kind] < RANK[got[2]]:
            got = (a, data, kind)
    return got, failed


def fetch_release(portal: Portal, raw: Path, item: NewsItem, with_appendices: bool = False,
                  before: dict | None = None) -> dict:
    """Land `item`'s document (and with `with_appendices` its appendices) in `raw`; return its state entry.

    Raises FetchError when no attachment gave a document although one was offered (an HTML
    page, an empty body): nothing is written, and the release is asked for again next fetch.
    """
    main = [a for a in item.attachments if not is_appendix(a.name)]
    entry = {"modify_date": item.modify_date, "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
             "file": None}
    got, failed = best(portal, main)
    if got is None and failed:
        raise FetchError(f"release {item.id}: " + "; ".join(f"{a.name} gave {why}" for a, why in failed))
    keep = set()
    if got is None:
        entry["note"] = "no release document among its attachments"
    else:
        a, data, kind = got
        sha = hashlib.sha256(data).hexdigest()
        meta = json.dumps(sidecar(item, a, kind, sha), ensure_ascii=False, indent=1).encode()
        land(raw / f"{item.id}{SIDECAR}", meta, hashlib.sha256(meta).hexdigest())   # before the document:
        # an ingest that sees the document sees its portal fields
        entry.update(file=land(raw / f"{item.id}.{kind}", data, sha), file_name=a.name, sha256=sha)
        keep.add(entry["file"])
        if any(RANK[got[2]] > named_rank(f.name) for f, _ in failed):
            entry["retry"] = True    # a better rendering failed this time: ask again next fetch
    if with_appendices:
        entry["appendices"] = []
        for n, group in enumerate(_by_stem(a for a in item.attachments if is_appendix(a.name)), 1):
            extra, bad = best(portal, group)
            if bad:
                entry["retry"] = True
            if extra:
                sha = hashlib.sha256(extra[1]).hexdigest()
                name = land(raw / f"{item.id}-{n}.{extra[2]}", extra[1], sha)
                entry["appendices"].append({"file": name, "file_name": extra[0].name, "sha256": sha})
    elif before and before.get("appendices"):
        entry["appendices"] = before["appendices"]   # fetched by an earlier --with-appendices: left as they are
    keep |= {x["file"] for x in entry.get("appendices", [])}
    for old in [(before or {}).get("file")] + [x["file"] for x in (before or {}).get("appendices", [])]:
        if old and old not in keep:
            (raw / old).unlink(missing_ok=True)   # the release changed kind, or lost an appendix
    if entry["file"] is None:
        (raw / f"{item.id}{SIDECAR}").unlink(missing_ok=True)
    return entry


def _by_stem(attachments) -> list[list[Attachment]]:
    """Attachments grouped by name without extension: one appendix offered as HWPX and PDF is one."""
    groups: dict[str, list[Attachment]] = {}
    for a in attachments:
        groups.setdefault(_EXTENSION.sub("", a.name), []).append(a)
    return list(groups.values())


def sidecar(item: NewsItem, a: Attachment, kind: str, sha: str) -> dict:
    return {"portal_id": item.id, "portal_url": item.url, "approved_at": korea_time(item.approve_date),
            "modified_at": korea_time(item.modify_date), "embargo_at": korea_time(item.embargo_date),
            "title": item.title, "subtitles": list(item.subtitles), "ministry": item.ministry,
            "file_name": a.name, "file_url": a.url, "format": kind, "sha256": sha}


def land(path: Path, data: bytes, sha: str) -> str:
    """Write `data` to `path` unless it already holds exactly these bytes; return its name."""
    try:
        if hashlib.sha256(path.read_bytes()).hexdigest() == sha:
            return path.name        # unchanged: keep its mtime, so ingest need not even hash it
    except OSError:
        pass
    write_atomic(path, data, sha)
    return path.name


def write_atomic(path: Path, data: bytes, sha: str | None = None) -> None:
    """Temp file in the same directory, fsync, verify, rename: readers see the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if sha and hashlib.sha256(Path(tmp).read_bytes()).hexdigest() != sha:
            raise FetchError(f"{path.name} did not read back as written; check the disk under {path.parent}")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_state(raw: Path) -> dict:
    try:
        state = json.loads((raw / STATE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"last_day": None, "releases": {}}
    except (OSError, ValueError) as e:
        log.warning("%s is unreadable (%s); starting a new one (unchanged files are not rewritten)", raw / STATE, e)
        return {"last_day": None, "releases": {}}
    return {"last_day": state.get("last_day"), "releases": state.get("releases", {})}


def write_state(raw: Path, state: dict) -> None:
    data = json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True).encode()
    land(raw / STATE, data, hashlib.sha256(data).hexdigest())


def needs_fetch(item: NewsItem, entry: dict | None, raw: Path) -> bool:
    """New, corrected (ModifyDate moved), left to retry, or its file gone from raw/."""
    if not entry or entry.get("modify_date") != item.modify_date or entry.get("retry"):
        return True
    files = [entry.get("file")] + [x["file"] for x in entry.get("appendices", [])]
    return any(f and not (raw / f).exists() for f in files)


def day(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise FetchError(f"{value!r} is not a day; write it as YYYY-MM-DD") from None


def days_to_fetch(since, until, state: dict) -> tuple[date, date]:
    """`since` (else the last day fetched in full, else the last WINDOW_DAYS days) to `until` (else today, KST)."""
    end = day(until) or datetime.now(KST).date()
    start = day(since) or day(state.get("last_day")) or end - timedelta(days=WINDOW_DAYS - 1)
    if start > end:
        raise FetchError(f"nothing to fetch: {start} is after {end}")
    return start, end


def portal_key() -> str | None:
    """The service key: BODO_PORTAL_KEY, else the Prefect Secret block `bodo-portal-key` (served runs)."""
    if os.environ.get(KEY_ENV, "").strip():
        return os.environ[KEY_ENV]
    try:
        from prefect.blocks.system import Secret
        return Secret.load(SECRET_BLOCK).get()
    except Exception:   # no such block, or no API to ask
        return None


def _transient(task, task_run, state) -> bool:
    """Retry 5xx answers, timeouts and dropped connections; a refusal or a bad answer would only repeat."""
    return isinstance(state.data, Transient)


@task(name="list-window", retries=RETRIES, retry_condition_fn=_transient, cache_policy=NO_CACHE,
      persist_result=False)
def list_window(portal: Portal, start: date, end: date) -> list[NewsItem]:
    return list_releases(portal, start, end)


@task(name="fetch-release", retries=RETRIES, retry_condition_fn=_transient, cache_policy=NO_CACHE,
      persist_result=False)
def fetch_one(portal: Portal, raw: Path, item: NewsItem, with_appendices: bool, before: dict | None) -> dict:
    return fetch_release(portal, raw, item, with_appendices, before)


def _stop(logger, exc: FetchError):
    """End the run as Failed with `exc`: the caller gets it raised, the log one line and no traceback."""
    logger.error("%s", exc)
    return Failed(message=str(exc), data=exc)


def _error(state) -> FetchError:
    exc = state.result(raise_on_failure=False)
    return exc if isinstance(exc, Exception) else FetchError(str(state.message))


@flow(name="bodo-fetch", log_prints=False)
def fetch_flow(raw: Path = Path("raw"), since: date | str | None = None, until: date | str | None = None,
               api_url: str = API_URL, with_appendices: bool = False, min_interval: float = MIN_INTERVAL,
               backoff: float = BACKOFF) -> dict:
    """Fetch the releases approved `since`..`until` into `raw` (see the module docstring)."""
    logger = get_run_logger()
    raw = Path(raw).resolve()
    raw.mkdir(parents=True, exist_ok=True)
    key = portal_key()
    if not key:
        return _stop(logger, FetchError(f"no service key: set {KEY_ENV} "
                                        f"(or a Prefect Secret block named {SECRET_BLOCK})"))
    portal = Portal(api_url, key, min_interval)
    state = read_state(raw)
    try:
        start, end = days_to_fetch(since, until, state)
    except FetchError as e:
        return _stop(logger, e)
    delays = exponential_backoff(backoff)
    lister = list_window.with_options(retry_delay_seconds=delays)
    fetcher = fetch_one.with_options(retry_delay_seconds=delays)
    summary = {"since": start.isoformat(), "until": end.isoformat(), "windows": 0, "listed": 0, "fetched": [],
               "replaced": [], "unchanged": 0, "failed": {}, "errors": []}
    complete = True     # every window so far listed and landed in full
    for lo, hi in windows(start, end):
        summary["windows"] += 1
        listed = lister(portal, lo, hi, return_state=True)
        if listed.is_failed():
            exc = _error(listed)
            if isinstance(exc, KeyRefused):   # every other window would be refused too
                return _stop(logger, exc)
            logger.warning("%s..%s: %s", lo, hi, exc)
            summary["errors"].append(f"{lo}..{hi}: {exc}")
            complete = False
            continue
        items = listed.result()
        summary["listed"] += len(items)
        window_ok = True
        for item in items:
            before = state["releases"].get(item.id)
            if not needs_fetch(item, before, raw):
                summary["unchanged"] += 1
                continue
            done = fetcher(portal, raw, item, with_appendices, before, return_state=True)
            if done.is_failed():
                summary["failed"][item.id] = str(_error(done))
                logger.warning("%s", summary["failed"][item.id])
                window_ok = False
                continue
            entry = state["releases"][item.id] = done.result()
            if before and (before.get("file"), before.get("sha256")) == (entry["file"], entry.get("sha256")):
                summary["unchanged"] += 1
            else:
                summary["replaced" if before else "fetched"].append(item.id)
        complete = complete and window_ok
        if complete and hi.isoformat() > (state["last_day"] or ""):
            state["last_day"] = hi.isoformat()
        write_state(raw, state)
    return summary


def run_fetch(raw: Path, since=None, until=None, api_url: str = API_URL, with_appendices: bool = False,
              min_interval: float = MIN_INTERVAL, backoff: float = BACKOFF) -> dict:
    """Run the flow in this process against an API server that dies with it, with no heartbeat
    thread (as `flows.run_ingest` does: a local run has no server to tell it is alive)."""
    from bodopress.pipeline import server
    server.prestart()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    with server.api(), temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return fetch_flow(raw, since, until, api_url, with_appendices, min_interval, backoff)

