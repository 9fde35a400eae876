"""`bodo fetch` against a stand-in of the portal's press-release OpenAPI on 127.0.0.1.

The stand-in answers in the portal's XML shapes (repeated and numbered attachment fields,
the refusal of an unregistered key, THREE_DAYS_OVER_ERROR for a window of more than three
days), serves real releases from ../shared/corpus behind opaque download links, and can
answer 503 once or an HTML error page instead of a file. No test reaches the internet.
"""
from __future__ import annotations

import doctest
import hashlib
import io
import json
import threading
import time
import zipfile
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pyarrow.parquet as pq
import pytest

from bodopress.pipeline import fetch

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
POOL, DEV = CORPUS / "pool" / "govpress", CORPUS / "dev"
KEY = "test+key/=="                      # characters that must be quoted in a URL
HTML_PAGE = "<!DOCTYPE html><html><body>요청하신 파일을 찾을 수 없습니다.</body></html>".encode()
REFUSED = (b"<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
           b"<returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>"
           b"<returnReasonCode>30</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>")
SENTENCE = "the portal refused the service key (SERVICE_KEY_IS_NOT_REGISTERED_ERROR); check BODO_PORTAL_KEY"

needs_corpus = pytest.mark.corpus       # serves real releases from ../shared/corpus


class StandIn(ThreadingHTTPServer):
    """The list operation at /pressReleaseList and opaque links at /download.do?fileId=N."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.releases: list[dict] = []
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, dict]] = []
        self.fail_once: set[str] = set()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/pressReleaseList"

    def add(self, news_id: str, approved: str, files: list[tuple[str, bytes]], numbered: bool = False,
            modified: str | None = None) -> dict:
        meta = _md(news_id)
        links = []
        for name, data in files:
            file_id = str(len(self.files) + 1)
            self.files[file_id] = data
            links.append((name, f"http://127.0.0.1:{self.server_port}/download.do?fileId={file_id}"))
        r = dict(meta, NewsItemId=news_id, ApproveDate=approved, ModifyDate=modified or approved,
                 links=links, numbered=numbered)
        self.releases.append(r)
        return r

    def downloads(self) -> list[str]:
        return [q["fileId"] for path, q in self.requests if path == "/download.do"]

    def listings(self) -> list[tuple[date, date]]:
        return [(_ymd(q["startDate"]), _ymd(q["endDate"])) for path, q in self.requests if path == "/pressReleaseList"]

    def answer(self, query: dict) -> bytes:
        if query.get("serviceKey") != KEY:
            return REFUSED
        start, end = _ymd(query["startDate"]), _ymd(query["endDate"])
        if (end - start).days > 3:
            return (b"<response><header><resultCode>99</resultCode><resultMsg>THREE_DAYS_OVER_ERROR</resultMsg>"
                    b"</header></response>")
        items = []
        for r in self.releases:
            if start <= datetime.strptime(r["ApproveDate"], "%m/%d/%Y %H:%M:%S").date() <= end:
                fields = [(k, r[k]) for k in ("NewsItemId", "Title", "SubTitle1", "MinisterCode", "ApproveDate",
                                              "ModifyDate", "OriginalUrl")]
                fields += [("ContentsStatus", "U"), ("EmbargoDate", ""), ("DataContents", "<p>본문</p>")]
                for n, (name, url) in enumerate(r["links"], 1):
                    suffix = str(n) if r["numbered"] else ""
                    fields += [(f"FileName{suffix}", name), (f"FileUrl{suffix}", url)]
                items.append("<NewsItem>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields) + "</NewsItem>")
        return ("<response><header><resultCode>0</resultCode><resultMsg>NORMAL_SERVICE</resultMsg></header><body>"
                + "".join(items) + "</body></response>").encode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.server.requests.append((url.path, query))
        if url.path in self.server.fail_once:
            self.server.fail_once.discard(url.path)
            return self._send(503, b"<html>Service Unavailable</html>", "text/html")
        if url.path == "/pressReleaseList":
            return self._send(200, self.server.answer(query), "text/xml; charset=UTF-8")
        if url.path == "/slow":     # longer than the client waits: it has gone when this returns
            return time.sleep(0.5)
        if url.path == "/broken":
            return self._send(200, b"<response><header><resultCode>0</result", "text/xml")
        if url.path == "/download.do" and query.get("fileId") in self.server.files:
            return self._send(200, self.server.files[query["fileId"]], "application/octet-stream")
        self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _ymd(s: str) -> date:
    return datetime.strptime(s, "%Y%m%d").date()


def _md(news_id: str) -> dict:
    """Title, ministry and address of a corpus release, from the portal page saved beside it."""
    lines = (POOL / f"{news_id}.md").read_text(encoding="utf-8").splitlines()
    field = {k.strip("- "): v.strip() for k, _, v in (ln.partition(":") for ln in lines[:8]) if v}
    return {"Title": lines[0].lstrip("# "), "SubTitle1": "", "MinisterCode": field["부처"],
            "OriginalUrl": field["기사 URL"]}


def _corpus(name: str) -> bytes:
    return (POOL / name).read_bytes() if (POOL / name).exists() else (DEV / name).read_bytes()


def _reissued(hwpx: bytes) -> bytes:
    """The same HWPX with other bytes, as a ministry's corrected upload would be."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(hwpx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.comment = b"corrected"
    return out.getvalue()


@pytest.fixture
def portal():
    server = StandIn()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _documents(raw: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in raw.iterdir()
            if not p.name.startswith(".") and not p.name.endswith(fetch.SIDECAR)}


def _stats(raw: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in raw.iterdir()}


def _scenario(portal: StandIn) -> dict[str, dict]:
    """Six releases over 1–14 April 2026 in every shape the portal answers in."""
    return {
        "hwpx+pdf": portal.add("156754052", "04/01/2026 09:00:00", [
            ("260410_보도참고_고용노동부_추경.pdf", _corpus("156754052.pdf")),
            ("260410_보도참고_고용노동부_추경.hwpx", _corpus("156754052.hwpx"))]),
        "appendix hwpx, release pdf": portal.add("156754178", "04/04/2026 00:00:00", [
            ("[별첨] (모두말씀) 제266차 대경장 겸 제157차 EDCF 기금위_최종.hwpx", _corpus("156754178.hwpx")),
            ("2. (보도자료) 제266차 대외경제장관회의.pdf", _corpus("156754178.pdf"))], numbered=True),
        "hwp+pdf": portal.add("156754268", "04/07/2026 12:00:00", [
            ("보도자료.pdf", _corpus("156754268.pdf")), ("보도자료.hwp", _corpus("156754268.hwp"))]),
        "붙임 pdf, 본문 hwpx": portal.add("156754212", "04/10/2026 11:06:51", [
            ("0413 발굴캠프 참가자 모집(붙임).pdf", _corpus("156754212.pdf")),
            ("0413 발굴캠프 참가자 모집(본문).hwpx", _corpus("156754212.hwpx"))]),
        "pdf only": portal.add("156754095", "04/11/2026 11:00:00", [
            ("260411 고유가 피해지원금 지급 시작.pdf", _corpus("156754095.pdf"))], numbered=True),
        "html page": portal.add("156754096", "04/13/2026 06:00:00", [
            ("(국립종자원) 벼 키다리병원균 보도자료.pdf", HTML_PAGE)]),
    }


@needs_corpus
def test_fetch_story(portal, tmp_path, monkeypatch, capfd):
    from bodopress.pipeline.tasks import SIDECAR, process_file

    monkeypatch.setenv("BODO_PORTAL_KEY", KEY)
    releases = _scenario(portal)
    raw = tmp_path / "raw"
    run = dict(api_url=portal.api_url, min_interval=0.001, backoff=0.01)

    portal.fail_once |= {"/pressReleaseList", "/download.do"}     # one 503 for a list, one for a file
    first = fetch.run_fetch(raw, "2026-04-01", "2026-04-14", **run)
    expected = {"156754052.hwpx": _corpus("156754052.hwpx"), "156754178.pdf": _corpus("156754178.pdf"),
                "156754268.hwp": _corpus("156754268.hwp"), "156754212.hwpx": _corpus("156754212.hwpx"),
                "156754095.pdf": _corpus("156754095.pdf")}
    assert _documents(raw) == expected            # HWPX where offered, never an appendix, no HTML page
    assert sorted(first["fetched"]) == sorted(n.split(".")[0] for n in expected)
    assert list(first["failed"]) == ["156754096"] and "an HTML page" in first["failed"]["156754096"]
    listings = portal.listings()
    assert listings[0] == listings[1] == (date(2026, 4, 1), date(2026, 4, 3))   # the 503, then its retry
    assert portal.downloads()[0] == portal.downloads()[1]
    assert all((end - start).days < fetch.WINDOW_DAYS for start, end in listings)
    assert [s for s, _ in listings[1:]] == [date(2026, 4, 1) + timedelta(days=3 * i) for i in range(5)]
    assert listings[-1][1] == date(2026, 4, 14)
    for name, data in expected.items():
        side = json.loads((raw / (name.split(".")[0] + fetch.SIDECAR)).read_text(encoding="utf-8"))
        release = next(r for r in releases.values() if r["NewsItemId"] == side["portal_id"])
        assert name.startswith(side["portal_id"]) and side["portal_url"] == release["OriginalUrl"]
        assert side["approved_at"] == fetch.korea_time(release["ApproveDate"]) and side["approved_at"].endswith("+09:00")
        assert side["sha256"] == hashlib.sha256(data).hexdigest() and side["ministry"] == release["MinisterCode"]
    state = json.loads((raw / fetch.STATE).read_text(encoding="utf-8"))
    assert state["last_day"] == "2026-04-12"       # the HTML page's window is asked for again
    assert state["releases"]["156754052"]["sha256"] == hashlib.sha256(expected["156754052.hwpx"]).hexdigest()

    before, portal.requests[:] = _stats(raw), []
    second = fetch.run_fetch(raw, "2026-04-01", "2026-04-14", **run)
    assert not second["fetched"] and not second["replaced"] and second["unchanged"] == 5
    assert _stats(raw) == before                    # nothing written ...
    html_link = releases["html page"]["links"][0][1].rsplit("=", 1)[1]
    assert portal.downloads() == [html_link]        # ... nothing downloaded but the page to retry

    portal.files[html_link] = _corpus("156754096.pdf")
    portal.requests[:] = []
    third = fetch.run_fetch(raw, None, "2026-04-14", **run)   # continues from the last complete day
    assert portal.listings() == [(date(2026, 4, 12), date(2026, 4, 14))]
    assert third["fetched"] == ["156754096"] and (raw / "156754096.pdf").read_bytes() == _corpus("156754096.pdf")
    assert json.loads((raw / fetch.STATE).read_text(encoding="utf-8"))["last_day"] == "2026-04-14"

    from bodopress.pipeline import flows
    cur = tmp_path / "curated"
    flows.run_ingest(raw, cur, keep_history=0)
    old = {r["source_file"]: r for r in pq.read_table(cur / "releases.parquet").to_pylist()}
    assert len(old) == 6 and all(r["portal_id"] and r["document_key"] == r["portal_id"] for r in old.values())

    corrected = _reissued(_corpus("156754052.hwpx"))
    hwpx_link = releases["hwpx+pdf"]["links"][1][1].rsplit("=", 1)[1]
    portal.files[hwpx_link] = corrected
    releases["hwpx+pdf"]["ModifyDate"] = "04/02/2026 10:30:00"
    portal.requests[:] = []
    fourth = fetch.run_fetch(raw, "2026-04-01", "2026-04-14", **run)
    assert fourth["replaced"] == ["156754052"] and not fourth["fetched"]
    assert portal.downloads() == [hwpx_link]
    assert (raw / "156754052.hwpx").read_bytes() == corrected
    side = json.loads((raw / "156754052.portal.json").read_text(encoding="utf-8"))
    assert side["modified_at"] == "2026-04-02T10:30:00+09:00" and side["sha256"] == hashlib.sha256(corrected).hexdigest()

    flows.run_ingest(raw, cur, keep_history=0)     # the corrected release replaces its rows
    new = {r["source_file"]: r for r in pq.read_table(cur / "releases.parquet").to_pylist()}
    assert new.keys() == old.keys() and new["156754052.hwpx"]["release_id"] != old["156754052.hwpx"]["release_id"]
    gone = old["156754052.hwpx"]["release_id"]
    for table in ("quantities", "dates", "texts"):
        ids = set(pq.read_table(cur / f"{table}.parquet", columns=["release_id"]).column(0).to_pylist())
        assert gone not in ids and new["156754052.hwpx"]["release_id"] in ids, table

    assert SIDECAR == fetch.SIDECAR
    row = process_file(raw / "156754052.hwpx", "156754052.hwpx").rows["releases"][0]
    assert row["portal_id"] == row["document_key"] == "156754052"
    assert row["portal_url"] == releases["hwpx+pdf"]["OriginalUrl"]
    assert row["approved_at"] == datetime.fromisoformat("2026-04-01T09:00:00+09:00")

    printed = "".join(capfd.readouterr())
    stored = b"".join(p.read_bytes() for p in raw.iterdir() if p.name.endswith(".json"))
    for form in (KEY, "test%2Bkey%2F%3D%3D"):
        assert form not in printed and form.encode() not in stored


@needs_corpus
def test_wrong_key_exits_non_zero_and_says_so(portal, tmp_path, monkeypatch, capsys):
    from bodopress.pipeline.cli import main

    monkeypatch.setenv("BODO_PORTAL_KEY", "not-the-key-4711")
    _scenario(portal)
    rc = main(["fetch", "--raw", str(tmp_path / "raw"), "--api-url", portal.api_url, "--since", "2026-04-01",
               "--until", "2026-04-14", "--min-interval", "0"])
    err = capsys.readouterr().err
    assert rc != 0 and SENTENCE in err and "not-the-key-4711" not in err
    assert len(portal.listings()) == 1              # a refused key stops at the first answer
    assert not _documents(tmp_path / "raw")
    monkeypatch.delenv("BODO_PORTAL_KEY")
    assert main(["fetch", "--raw", str(tmp_path / "raw"), "--api-url", portal.api_url]) == 2
    assert "no service key: set BODO_PORTAL_KEY" in capsys.readouterr().err


@needs_corpus
def test_answers_the_portal_gives(portal):
    releases = _scenario(portal)
    p = fetch.Portal(portal.api_url, "test%2Bkey%2F%3D%3D", min_interval=0)   # the key's encoded form works too
    items = {i.id: i for i in fetch.list_releases(p, date(2026, 4, 4), date(2026, 4, 6))}
    assert list(items) == ["156754178"]             # numbered FileName1/FileUrl1 ...
    offered = releases["appendix hwpx, release pdf"]["links"]
    assert [a.name for a in items["156754178"].attachments] == [n for n, _ in offered]
    plain = fetch.list_releases(p, date(2026, 4, 1), date(2026, 4, 3))[0]   # ... and repeated FileName/FileUrl
    assert [a.url for a in plain.attachments] == [u for _, u in releases["hwpx+pdf"]["links"]]
    with pytest.raises(fetch.FetchError, match="THREE_DAYS_OVER_ERROR"):
        fetch.list_releases(p, date(2026, 4, 1), date(2026, 4, 5))
    broken = fetch.Portal(portal.api_url.replace("pressReleaseList", "broken"), KEY, min_interval=0)
    with pytest.raises(fetch.FetchError, match=r"not the expected XML") as e:
        fetch.list_releases(broken, date(2026, 4, 1), date(2026, 4, 3))
    assert "\n" not in str(e.value)
    missing = fetch.Portal(portal.api_url + "/nowhere", KEY, min_interval=0)
    with pytest.raises(fetch.FetchError) as e:
        fetch.list_releases(missing, date(2026, 4, 1), date(2026, 4, 3))
    assert "HTTP 404" in str(e.value) and "serviceKey=***" in str(e.value) and "test" not in str(e.value)
    slow = fetch.Portal(portal.api_url.replace("pressReleaseList", "slow"), KEY, min_interval=0, timeout=0.1)
    with pytest.raises(fetch.Transient, match=r"serviceKey=\*\*\*"):   # retried by the flow
        fetch.list_releases(slow, date(2026, 4, 1), date(2026, 4, 3))
    with pytest.raises(fetch.KeyRefused, match=r"SERVICE_KEY_IS_NOT_REGISTERED_ERROR"):
        fetch.list_releases(fetch.Portal(portal.api_url, "wrong", min_interval=0), date(2026, 4, 1), date(2026, 4, 3))


@needs_corpus
def test_a_broken_hwpx_link_lands_the_pdf_and_is_retried(portal, tmp_path):
    r = portal.add("156754212", "04/10/2026 11:06:51", [
        ("발굴캠프(본문).hwpx", HTML_PAGE), ("발굴캠프(본문).pdf", _corpus("156754095.pdf")),
        ("발굴캠프(붙임).pdf", _corpus("156754212.pdf")), ("발굴캠프(붙임).hwpx", b"")])
    p = fetch.Portal(portal.api_url, KEY, min_interval=0)
    item = fetch.list_releases(p, date(2026, 4, 10), date(2026, 4, 10))[0]
    entry = fetch.fetch_release(p, tmp_path, item, with_appendices=True)
    assert entry["file"] == "156754212.pdf" and entry["retry"]
    assert sorted(_documents(tmp_path)) == ["156754212-1.pdf", "156754212.pdf"]
    assert fetch.needs_fetch(item, entry, tmp_path)
    portal.files[r["links"][0][1].rsplit("=", 1)[1]] = _corpus("156754212.hwpx")
    again = fetch.fetch_release(p, tmp_path, item, with_appendices=False, before=entry)
    assert again["file"] == "156754212.hwpx" and not again.get("retry")
    assert sorted(_documents(tmp_path)) == ["156754212-1.pdf", "156754212.hwpx"]   # one document per release, still
    only_html = portal.add("156754096", "04/13/2026 06:00:00", [("보도자료.hwpx", HTML_PAGE)])
    item = next(i for i in fetch.list_releases(p, date(2026, 4, 13), date(2026, 4, 13)) if i.id == only_html["NewsItemId"])
    with pytest.raises(fetch.FetchError, match="an HTML page"):
        fetch.fetch_release(p, tmp_path, item)
    assert not (tmp_path / "156754096.hwpx").exists() and not (tmp_path / "156754096.portal.json").exists()


def test_document_kinds_come_from_the_bytes():
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    assert [fetch.kind_of(b) for b in (b"%PDF-1.7\n", b"", HTML_PAGE, docx.getvalue(), b"\xd0\xcf\x11\xe0junk")] == \
        ["pdf", None, None, None, None]
    assert fetch.what(b"  \n") == "an empty body" and fetch.what(b"\xef\xbb\xbf<html>") == "an HTML page"
    assert doctest.testmod(fetch).failed == 0
