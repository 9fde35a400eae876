"""Release metadata from the header block: ministry, title, subtitle, embargo, edition, distribution.

The header is the run of lines before the headline that carry labels (보도시점, 보도일시,
배포), dates, edition words (조간, 석간) or the document type (보도자료). Every label owns
the text up to the next label, so the layouts of the ministries reduce to one rule:
a dated text under 배포 is the distribution, any other dated text is an embargo
candidate, and the earliest candidate (the online one, where 온라인 and 지면 differ) wins.
The Markdown rendering has no header: its bold `**보도시점 … / 배포 …**` line is read as one.

The ministry is the header's or the logo cell's name, where one stands there: a run that is
only the tail of a ministry's name (`노동부` left under a 고용노동부 logo) is read as that
ministry. Otherwise it is the body's first issuer sentence, skipping speakers of a quotation
(a union's or a company's office); an agency named after its ministry (`산업통상부
국가기술표준원(원장 …)은`) and a committee chaired by a minister are issued by that ministry.

>>> m = extract(Document.from_text("보도시점 2026. 5. 28.(목) 10:00\\n< 5. 28.(목) 석간 > 배포 2026. 5. 27.(수)\\n\\n위기는 관리\\n\\n- 출범 1주년 -"))
>>> m["embargo_at"].isoformat(), m["edition"], m["distributed_at"].date().isoformat(), m["title"], m["subtitle"]
('2026-05-28T10:00:00+09:00', '석간', '2026-05-27', '위기는 관리', '출범 1주년')
>>> extract(Document.from_text("보도시점 2026. 4. 12.(일) 11:00\\n내용량 부족\\n산업통상부 국가기술표준원(원장 김대자)은 발표했다."))["ministry"]
'산업통상부'
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import regex

from bodopress.extractors.document import Document

SEOUL = ZoneInfo("Asia/Seoul")


def _words(name: str) -> list[str]:
    lines = (Path(__file__).parent / "data" / name).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


MINISTRIES = _words("ministries.txt")

DOC_TYPE = r"(?:공동\s*)?(?:보\s*도\s*(?:참\s*고\s*)?자\s*료|참고\s*자료|설명\s*자료|해명\s*자료|동정\s*자료|보도\s*해명|긴급\s*지시|알림\s*자료|정정\s*자료|보도\s*설명)"
LABEL = regex.compile(r"(?P<embargo>보\s*도\s*(?:시\s*점|일\s*시|시\s*간|예\s*정|가\s*능\s*일\s*시)"
                      r"|(?=\(\s*(?:인\s*터\s*넷|온\s*라\s*인|지\s*면)\s*\)))"   # (인터넷) … opens an embargo line
                      r"|(?P<dist>배\s*포\s*(?:일\s*시|시\s*점|시\s*간)?)(?!\s*(?:후\s*)?즉\s*시)")
DATE = regex.compile(
    r"(?:(?P<y>20\d{2})|['‘’](?P<yy>\d{2}))\s*[.년/-]\s*(?P<m>\d{1,2})\s*[.월/-]\s*(?P<d>\d{1,2})(?!\d)\s*[.일]?"
    r"(?:\s*\(\s*(?P<wd>[월화수목금토일])\s*\))?"
    r"(?:\s*,?\s*(?P<ampm>오전|오후|낮|밤|AM|PM)?\s*(?P<h>\d{1,2})\s*(?::|시)\s*(?P<mi>\d{2})?(?:\s*분)?"
    r"|\s*(?P<noon>정오)|\s*(?:[가-힣]{1,6}\s*){1,3}\(\s*(?P<h2>\d{1,2}):(?P<mi2>\d{2})\s*\))?")   # 낮12시, 정오, 브리핑 시(14:00), 행사 시작(14:00)
DATE_NO_YEAR = regex.compile(
    r"(?<![\d.'‘’])(?P<m>\d{1,2})\s*[.월]\s*(?P<d>\d{1,2})\s*[.일]?\s*\(\s*(?P<wd>[월화수목금토일])\s*\)"
    r"(?:\s*(?P<h>\d{1,2})\s*:\s*(?P<mi>\d{2}))?")
WEEKDAYS = "월화수목금토일"
TITLE_ABOVE = regex.compile(rf"^(?P<t>[^\t]{{8,}}?)\s+{DOC_TYPE}\s*$")   # a headline printed in the label's line
HEAD_LINES = 60   # the header, headline and contacts block stand in a page's first lines
IMAGE = regex.compile(r"!\[[^\]]*\]\([^)]*\)")
MARKUP = regex.compile(r"<[^<>\n]*>|\*\*|^\s*(?:>\s*)+|\|")
AT_DISTRIBUTION = regex.compile(   # 보도시점 배포 시점, 보도시점 2026. 4. 13.(월) 배포시점 (or 배포 시)
    r"(보\s*도\s*시\s*점\s*[:：]?\s*(?:[\d.\s]{6,16}\([월화수목금토일]\)\s*)?)배\s*포\s*시(?:\s*점)?(?![가-힣]|\s*[(:：])")
EDITION = regex.compile(r"조\s*간|석\s*간|방\s*송|즉\s*시")
HEADER_WORD = regex.compile(
    r"보\s*도\s*(?:시\s*점|일\s*시|시\s*간)|배\s*포|조\s*간|석\s*간|온\s*라\s*인|지\s*면|인\s*터\s*넷|즉\s*시|엠바고|전\s*매\s*체")
BU = r"(?<!(?<!재)정)부"     # a ministry's 부, not the 정부 of 지방정부 (but 기획재정부)
MINISTRY_NAME = regex.compile(rf"[가-힣]{{2,20}}(?:{BU}|처|청)")
ORG_WORD = rf"[가-힣]{{2,20}}(?:{BU}|처|청|위원회|원|본부|공사|공단|재단|센터|연구원|진흥원|대학교|연구소|박물관)"
ORG_LINE = regex.compile(r"^\s*(?P<org>" + ORG_WORD + r")(?:\s*[·ㆍ‧,]?\s*" + ORG_WORD + r")*\s*$")
HEAD_TITLE = r"(?:장관|차관|위원장|청장|처장|원장|본부장|사장|이사장|총장|실장|단장|센터장|회장|대표|국장|소장|부총리|총리)"
ORG_INTRO = regex.compile(
    r"(?<![가-힣])(?P<org>" + ORG_WORD + r")\s*\((?=[^)]{0,80}(?:" + HEAD_TITLE + r"|이하))[^)]{0,80}\)")
BULLETS = "□■○●◦ㅇ❍◇◆▶►☐❏◯▢▪•"
ORG_SUBJECT = regex.compile(r"^\s*(?:[" + BULLETS + r"]\s*)?(?P<org>" + ORG_WORD + r")(?:\s+[가-힣]{2,20})?(?:은|는|이|가)\s",
                            regex.M)
ORG_HEAD = regex.compile(r"(?P<org>(?<![가-힣])[가-힣]{2,20}(?:" + BU + r"|처|청|위원회))\s*(?:제?\d)?"
                         r"(?:" + HEAD_TITLE + r"|[가-힣]{1,10}(?:관리관|정책관|기획관|조정관|국장|실장|단장)(?:은|는|이|가)\s)")
SIGN_OFF = regex.compile(r"^\s*(?P<org>" + ORG_WORD + r")\s+대\s*변\s*인\s*$", regex.M)
CONTACT_LINE = regex.compile(r"^\s*(?:[\[【<(]\s*(?:자\s*료\s*)?(?:문\s*의|담\s*당)[^\]】>)]{0,10}[\]】>)]|☏|(?:자\s*료\s*)?문\s*의\s*[:：])")
CONTACT_PHONE = regex.compile(r"(?<![\d-])0\d{1,2}-\d{3,4}-\d{4}(?![\d-])")
OFFICE_PHONE = regex.compile(r"^[\s*]*[가-힣·\s]{2,20}(?:☎|☏|TEL|Tel|전화)[\s:.]*0\d{1,2}-\d{3,4}-\d{4}[\s*]*$")   # 홍보실 ☎ 043-931-0615
MD_MINISTRY = regex.compile(r"^\s*-\s*부처\s*[:：]\s*(?P<org>.+?)\s*$", regex.M)
AGENDA = regex.compile(r"^[【\[<〈]\s*(?:관련\s*)?국정\s*과제\s*[】\]>〉]")   # 【관련 국정과제】 55-2. …: a tag, not a subtitle
AGENDA_TAG = regex.compile(r"\s*[-–]?\s*[【\[<〈]\s*(?:관련\s*)?국정\s*과제[^】\]>〉\n]{0,15}[】\]>〉].*$")   # … 【국정과제(89-4)】 …, inline
INLINE_ITEM = regex.compile(r"\s+[-–]\s+")   # `- A - B` on one line: items a converter ran together
ATTACHMENT = regex.compile(r"^[(\[<【]?\s*(?:붙\s*임|별\s*첨|첨\s*부)\s*\d*\s*[)\]>】]")
TEMPLATE_NOTE = regex.compile(r"^\(\s*누름틀[^()]*\)$")   # (누름틀 사용): an HWP form's field guide
SUB_MARK = regex.compile(r"^\s*[-–—―ㅡ－∼~◈]\s*")   # ◈: the items of a summary box under the headline
BODY_START = regex.compile(r"^\s*(?:[" + BULLETS + r"※*【\[<〈《]|\d+\.\s|[ⅠⅡⅢⅣ]\.)|^[^\n]{0,20}?" + ORG_INTRO.pattern
                           + "|" + ORG_SUBJECT.pattern)
COURTESY = regex.compile(r"(?:" + "|".join(_words("metadata_courtesy.txt")) + r")\s*[.!]?\s*$")   # …주시기 바랍니다.
NAMED_SUBJECT = regex.compile(r"^[^\s()]{2,30}\s*\([^()]{2,80}\)\s*(?:은|는|이|가)\s")   # 공제회(이사장 …, 이하 ‘공제회’)는
QUOTE = regex.compile(r"[“”\"]")
BOX_LABEL = regex.compile(r"^[【\[<〈《]\s*(?:[가-힣]\s*){2,6}[】\]>〉》]$")
TITLE_NOISE = regex.compile(r"^\s*(?:#+\s*)|\s*[<〈]\s*끝\s*[>〉]\s*$")


def _timestamp(m) -> datetime | None:
    year = int(m.group("y")) if m.group("y") else 2000 + int(m.group("yy"))
    hour, minute = int(m.group("h") or m.group("h2") or 0), int(m.group("mi") or m.group("mi2") or 0)
    if m.group("noon"):
        hour = 12
    if m.group("ampm") in ("오후", "PM", "밤") and hour < 12:
        hour += 12
    try:
        return datetime(year, int(m.group("m")), int(m.group("d")), hour, minute, tzinfo=SEOUL)
    except ValueError:
        return None


def _misprinted_years(found: list[tuple[datetime, int | None]]) -> list[datetime]:
    """(지 면)2025. 6. 2.(화) beside (인터넷)2026. 6. 1.(월): a header date whose weekday fits the
    year before or after, not its own, and lies a year off the header's other dates, has its year
    misprinted."""
    out = []
    for i, (t, wd) in enumerate(found):
        others = [u for k, (u, _) in enumerate(found) if k != i]
        if wd is not None and t.weekday() != wd and others and all(abs((u - t).days) > 200 for u in others):
            for y in (t.year + 1, t.year - 1):
                try:
                    alt = t.replace(year=y)
                except ValueError:
                    continue
                if alt.weekday() == wd and any(abs((u - alt).days) <= 7 for u in others):
                    t = alt
                    break
        out.append(t)
    return out


def _is_strong(line: str) -> bool:
    """A line that certainly belongs to the header: a label, or a date with its year that the line
    is about (not `「…법」 시행('26.8.15.)을 위한 … 입법예고`, a headline, or a `- ` subtitle item)."""
    if any(m.group("dist") is None or DATE.search(line) or regex.match(r"[\s|*>\[(<【]*배\s*포", line)
           for m in LABEL.finditer(line)):
        return True                                   # not a headline ending `… 교육영상 배포`
    return bool(DATE.search(line) and len(line.strip()) <= 60 and not SUB_MARK.match(line) and "「" not in line
                and not regex.match(r"\s*[※" + BULLETS + r"]", line))   # `※ … 기간: 2025.12.16.~` is a note


def _is_weak(line: str) -> bool:
    """A line that may stand in the header: type of document, ministry, edition, logo debris."""
    s = "".join(line.split())
    if not s or (len(s) <= 3 and not regex.search(r"\d", s)):
        return True
    if regex.fullmatch(DOC_TYPE, s) or (HEADER_WORD.search(line) and len(s) <= 30 and not regex.search(r"[가-힣]{5,}", s)):
        return True
    if HEADER_WORD.search(line) and DATE_NO_YEAR.search(line) and len(s) <= 50:
        return True     # (인터넷·방송·통신 : 6. 30.(화) 12:00 이후 보도 가능)
    return bool(ORG_LINE.match(line.strip()) and len(s) <= 30) or bool(
        regex.fullmatch(r"[<〈(]?[\d.\s()월화수목금토일]*(?:조간|석간|방송)?[>〉)]?", s) and DATE.search(line) is None and s)


def _split_header(lines: list[str]) -> int:
    """Index of the first line after the header: the leading run of header lines (a line or
    two of series name or logo debris may precede the first label)."""
    end, strong = 0, False
    for i, line in enumerate(lines[:20]):
        if _is_strong(line):
            strong, end = True, i + 1
        elif _is_weak(line):
            end = i + 1 if strong or end == i else end
        elif strong or i >= 2:
            break
    return end


def _undated(text: str, year: int | None) -> list[datetime]:
    """`4.14.(화) 14:00` with no year: the year near the release's own whose weekday fits."""
    out = []
    for m in DATE_NO_YEAR.finditer(text) if year else ():
        for y in (year, year + 1, year - 1):
            try:
                t = datetime(y, int(m.group("m")), int(m.group("d")), int(m.group("h") or 0),
                             int(m.group("mi") or 0), tzinfo=SEOUL)
            except ValueError:
                continue
            if WEEKDAYS[t.weekday()] == m.group("wd"):
                out.append(t)
                break
    return out


IMMEDIATE = regex.compile(r"즉\s*시|바\s*로\s*(?:보\s*도|사\s*용)")   # 즉시 보도, 바로 보도하여 주시기 바랍니다


def _parse_header(header: str, year: int | None = None) -> dict:
    header = AT_DISTRIBUTION.sub(r"\1배포 즉시", header)   # 보도시점 배포 시점 = on distribution
    out: dict = {"embargo_at": None, "embargo_text": None, "edition": None, "distributed_at": None}
    labels = list(LABEL.finditer(header))
    segments: list[tuple[str, str]] = []           # (kind, text)
    first = labels[0].start() if labels else len(header)
    segments.append(("unlabeled", header[:first]))
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(header)
        segments.append(("dist" if m.group("dist") else "embargo", header[m.end():end]))
    texts = [regex.sub(DOC_TYPE, " ", text) for _, text in segments]
    found = [[(t, "월화수목금토일".find(m.group("wd")) if m.group("wd") else None)
              for m in DATE.finditer(text) if (t := _timestamp(m))] for text in texts]
    fixed = iter(_misprinted_years([f for seg in found for f in seg]))
    embargo_texts, candidates, immediate = [], [], False
    for (kind, _), text, seg in zip(segments, texts, found):
        dated = [next(fixed) for _ in seg]
        if kind == "dist":
            if dated and out["distributed_at"] is None:
                out["distributed_at"] = dated[0]
            continue
        if kind == "unlabeled" and not dated:
            continue
        words = " ".join(text.split()).strip(" :：/|")
        if words:
            embargo_texts.append(words)
        candidates += dated
        immediate = immediate or bool(IMMEDIATE.search(text))
    if not immediate:   # `(인터넷 : 6. 30.(화) 12:00 이후)` beside a dated 조간 line: the year of the dated ones
        year = candidates[0].year if candidates else out["distributed_at"].year if out["distributed_at"] else year
        candidates += [t for kind, text in segments if kind != "dist" for t in _undated(text, year)]
    dist = out["distributed_at"]
    if immediate and dist and candidates and all(t.date() == dist.date() and t.time() == datetime.min.time() for t in candidates):
        out["embargo_at"] = dist                       # 보도시점 4. 13.(월) 배포시점: that day, at distribution
    elif candidates:   # the earliest day; on that day a printed clock time beats a bare date
        out["embargo_at"] = min(candidates, key=lambda t: (t.date(), t.time() == datetime.min.time(), t))
    elif immediate:
        out["embargo_at"] = out["distributed_at"]     # 배포 즉시: public from distribution on
    out["embargo_text"] = " ".join(embargo_texts) or None
    editions = ["".join(e.split()) for e in EDITION.findall(header)]
    for word in ("조간", "석간", "방송", "즉시"):
        if word in editions:
            out["edition"] = word
            break
    if out["edition"] is None and immediate and out["embargo_at"] == out["distributed_at"]:
        out["edition"] = "즉시"                      # 바로 보도하여 주시기 바랍니다
    return out


def _whole_name(org: str, text: str) -> str | None:
    """`노동부` printed under a logo that reads 고용노동부: a header name that is only the tail of a
    body named elsewhere in the release, or of exactly one ministry's name (`data/ministries.txt`)
    while being none itself, is a fragment of it (a stray run behind the image)."""
    longer = {m.group(0) for m in regex.finditer(r"[가-힣]{1,20}" + regex.escape(org) + r"(?![가-힣])", text)}
    longer = [w for w in longer if ORG_LINE.match(w)]
    if longer:
        return max(longer, key=len)
    whole = [w for w in MINISTRIES if w.endswith(org) and w != org]
    return whole[0] if len(whole) == 1 and org not in MINISTRIES else None


def _issuer(m, body: str) -> str:
    """The issuing body of a body sentence that names one: `산업통상부 국가기술표준원(원장 …)은` (or
    `기후에너지환경부 소속 국립환경과학원`) is issued by the ministry the agency belongs to;
    `…위원회(위원장: ○○○ 보건복지부장관)` by the ministry whose head chairs the committee."""
    org = m.group("org")
    chain = regex.search(r"(?<![가-힣])(?:[가-힣]{2,20}\s+){1,3}(?:(?:소속|산하)\s+)?$", body[max(0, m.start("org") - 48):m.start("org")])
    for word in chain.group().split() if chain else ():   # 국가유산청 국립문화유산연구원 국립경주문화유산연구소(…)
        if MINISTRY_NAME.fullmatch(word):
            return word
    chair = regex.search(r"(?P<org>" + MINISTRY_NAME.pattern + r")\s*" + HEAD_TITLE, m.group(0)[len(org):])
    if org.endswith("위원회") and chair:
        return chair.group("org")
    return org


def _unquoted(pattern, body: str):
    """The first match that does not attribute a quotation (`“…”라고 …지부 위원장은`, `…지부 위원장은
    “…”`): the issuer introduces itself in plain prose, a union or a company speaks in quotes; as
    a speaker only a government body counts (`윤호중 행정안전부 장관은 “…”`)."""
    quoted = None
    for m in pattern.finditer(body):
        clause = body[body.rfind("\n", 0, m.start()) + 1:m.end() + 12].split("\n")[0]
        if not QUOTE.search(regex.sub(r"\([^()]*\)", "", clause)):    # (이하 “공단”) is a short name
            return m
        if quoted is None and m.group("org") in MINISTRIES:
            quoted = m
    return quoted


LEAD_TAG = regex.compile(r"^[^\n]*?[<‹〈\[(]\s*(?:총괄|주관)\s*[>›〉\])]")


def _lead(text: str) -> str | None:
    """A joint release's contact table tags the lead's rows `<총괄>` (the others `<공동>`): the
    ministry named on that row or the row above it issued the release."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "\t" in line and LEAD_TAG.match(line):
            for row in (line, lines[i - 1] if i and "\t" in lines[i - 1] else ""):
                if org := MINISTRY_WORD.search(_unspaced(row)):
                    return org.group(0)
    return None


def _unspaced(text: str) -> str:
    """Letter-spaced words joined: `교 육 부 인재양성정책과` -> `교육부 인재양성정책과`."""
    return regex.sub(r"(?<![가-힣])[가-힣](?: [가-힣](?![가-힣]))+", lambda m: m.group(0).replace(" ", ""), text)


def _ministry(header_lines: list[str], body: str, doc: Document) -> str | None:
    m = MD_MINISTRY.search(doc.text[:2000])
    if m:
        return m.group("org")
    for line in header_lines:
        s = regex.sub(DOC_TYPE, "", line).strip()
        if len("".join(s.split())) >= 3 and (ORG_LINE.match(s) or " ".join(s.split()) in MINISTRIES):   # 국무조정실 보도자료
            org = " ".join(s.split())
            return _whole_name(org, doc.text) or org
    m = SIGN_OFF.search(doc.text)
    if m:       # `기획재정부 대변인` closing the release: its issuer
        return m.group("org")
    if lead := _lead(doc.text):
        return lead
    found = [m for m in (_unquoted(p, body[:3000]) for p in (ORG_INTRO, ORG_SUBJECT, ORG_HEAD)) if m]
    if found:   # the body's first naming of an issuing body, however it is phrased
        return _issuer(min(found, key=lambda m: m.start()), body[:3000])
    m = ORG_INTRO.search(doc.text)
    return _issuer(m, doc.text) if m else None


MINISTRY_WORD = regex.compile(r"(?<![가-힣])(?:" + "|".join(map(regex.escape, sorted(MINISTRIES, key=len, reverse=True))) + r")(?![가-힣](?<![은는이가을를의와과에도로만]))")   # 고용노동부와, not 국토교통부장관


def ministry_named(title: str | None, text: str) -> str | None:
    """The last resort where no header, logo text, sign-off, body subject or contact names the
    issuer: the ministry the headline names, else the one the text names most (a tie says nothing)."""
    if title and (m := MINISTRY_WORD.search(title)):
        return m.group()
    counts = Counter(MINISTRY_WORD.findall(text)).most_common(2)
    return counts[0][0] if counts and (len(counts) == 1 or counts[0][1] > counts[1][1]) else None


def ministry_from_contacts(contacts: list[dict]) -> str | None:
    """The issuing body named at the head of the first contact's department, if any."""
    for c in contacts[:1]:
        m = regex.match(r"(?P<org>" + ORG_WORD + r")(?:\s|$)", c["department"])
        if m and m.group("org") != c["department"]:
            return m.group("org")
        first = c["department"].split()[0] if c["department"].split() else ""
        if first in MINISTRIES and first != c["department"]:
            return first        # 국무조정실 안전환경에너지정책관실: a ministry-level office ORG_WORD cannot tell from a division
    return None


def _headline(lines: list[str], wrapped: bool = True, opens_body=lambda i: False) -> tuple[str | None, str | None, int]:
    """Title lines up to the first subtitle mark or body paragraph; then the subtitle items."""
    title: list[str] = []
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines) and len(title) < 4:
        line = lines[i].strip()
        if (not line or SUB_MARK.match(line) or "\t" in line or AGENDA.match(line)
                or regex.search(r"\s[-–—―ㅡ－]$", line)
                or (title and (BODY_START.match(line) or len(line) > 45 or len(title) == 3
                               or (len(title) == 2 and not (wrapped and _before_subtitle(lines, i)))))):
            break
        if not title and ATTACHMENT.match(line):
            return None, None, i                      # `(붙임 1) 홍보물`: a file of attachments has no headline
        if not title and (BOX_LABEL.match(line) or COURTESY.search(line)):   # 【 요 약 】, …주시기 바랍니다.
            i += 1
            continue
        title.append(TITLE_NOISE.sub("", line).strip())
        i += 1
    items: list[str] = []
    blank = False
    while i < len(lines) and len(items) < 8:
        line = lines[i].strip()
        if not line:
            blank = True
        elif TEMPLATE_NOTE.match(line):
            pass                                      # the form's own guide text, hidden on the page
        elif SUB_MARK.match(line):
            items.append(SUB_MARK.sub("", line))
            blank = False
        elif ((wrapped or len(line) <= 60) and items and not blank and not BODY_START.match(line) and "\t" not in line
              and not NAMED_SUBJECT.match(line) and _continues(items[-1])
              and not opens_body(i)):
            items[-1] += " " + line
        else:
            break
        i += 1
    return (" ".join(title) or None), _subtitle(items), i


def _subtitle(items: list[str]) -> str | None:
    """Subtitle items joined by `\n`: no trailing dash, no agenda tag (`【관련 국정과제】 99. …`, on its own
    line or after the items), and items a converter ran into one line (`- A - B`) apart again."""
    out = []
    for it in items:
        it = AGENDA_TAG.sub("", regex.sub(r"\s*[-–—―ㅡ－]\s*$", "", it)).strip()
        parts = [x.strip() for x in INLINE_ITEM.split(it)]
        out += parts if min(map(len, parts)) >= 8 else [it] if it else []
    return "\n".join(out) or None


def _before_subtitle(lines: list[str], i: int) -> bool:
    """Line i is the last printed line of a wrapped headline: the subtitle marks come right after it."""
    return i + 1 < len(lines) and bool(SUB_MARK.match(lines[i + 1].strip()))


def _opens_body(doc: Document, start: int, end: int) -> bool:
    """A full-width line whose first words carry a topic or subject particle (`…총장 유길상)가`,
    `통관국장은`) starts the body; subtitles are noun phrases (개조식) without them."""
    if end - start < 35:
        return False
    return any(t.tag in ("JX", "JKS") and t.form in ("은", "는", "이", "가") and start <= t.start < start + 30
               for t in doc.tokens_in(start, min(end, start + 45)))


def _continues(previous: str) -> bool:
    """A wrapped subtitle line: the item so far does not end a sentence or a `- … -` pair."""
    p = previous.rstrip()
    return not regex.search(r"(?:[-–—―ㅡ－]|[.!?。]|다)$", p) and len(p) >= 25


def _from_fields(fields: dict[str, str], out: dict, text: str = "") -> None:
    """The government HWPX template names its cells: 제목명, 부제목명, 기관명. Where they hold
    text they say exactly what the layout rules infer, so they win."""
    lines = [x.strip() for x in fields.get("제목명", "").split("\n") if x.strip()]
    cut = next((i for i, x in enumerate(lines) if i and SUB_MARK.match(x)), len(lines))   # a subtitle typed in the title cell
    title = " ".join(TITLE_NOISE.sub("", x).strip() for x in lines[:cut] if not AGENDA.match(x))
    if title:
        out["title"] = title
    items: list[str] = []
    for line in (x.strip() for x in (fields.get("부제목명", "") or "\n".join(lines[cut:])).split("\n")):
        if SUB_MARK.match(line) or not items:
            items.append(SUB_MARK.sub("", line))
        elif line:
            items[-1] += " " + line
    if subtitle := _subtitle(items):
        out["subtitle"] = subtitle
    org = " ".join(fields.get("기관명", "").split())
    if org and ORG_LINE.match(org):
        out["ministry"] = _whole_name(org, text) or org


def _plain(line: str) -> str:
    """A header line without Markdown or HTML markup (`**…**`, `> …`, `| … |`, `<th>…</th>`)."""
    return MARKUP.sub(" ", line)


def _quoted_subtitle(lines: list[str]) -> str | None:
    """The subtitle items a Markdown rendering prints under its header: quoted (`> - …`), or listed
    (`- …`) above the rule (`---`) that opens the body."""
    ruled = any(line.strip() == "---" for line in lines)
    items, first = [], True          # unruled, only items straight under the title are the subtitle
    for line in lines:
        if line.strip() == "---":
            break
        line = line.replace("\xad", "")      # a soft hyphen as the item mark
        m = regex.match(r"^\s*>\s*(?:[-–]\s+)?(?P<item>\S.*)$", line) or (
            (ruled or first) and regex.match(r"^\s*[-–]\s+(?P<item>\S.*)$", line))
        plain = _plain(line).strip()
        if m and not LABEL.match(plain) and not (HEADER_WORD.search(plain) and DATE.search(plain)) \
                and not regex.match(r"[가-힣A-Za-z ]{1,10}[:：]\s", m.group("item")):   # `- 부처: …` is a field
            items.append(m.group("item").strip())
        elif items:
            break
        elif plain:
            first = False
    return _subtitle(items)


def _label_lines(lines: list[str]) -> list[str]:
    """The header lines of a Markdown rendering, wherever its converter put them: each line that
    starts with a label (`보도시점: …`, `**배포 …**`, `> 보도시점`, a `<tr><th>배포</th>…` row), and
    the short dated line after a label that carries no date itself (`> (인터넷, 지면) 2026. 3. 25.`)."""
    out: list[str] = []
    plain = [_plain(ln).strip() for ln in lines]
    for i, ln in enumerate(plain):
        if regex.match(rf"(?:{DOC_TYPE}\s*[/:]?\s*)?(?:{LABEL.pattern})(?![가-힣])", ln):   # not 배포된 …
            out.append(ln)
            if not DATE.search(ln) and i + 1 < len(plain) and DATE.search(plain[i + 1]) and len(plain[i + 1]) <= 80:
                out.append(plain[i + 1])
    return out


def _md_view(line: str) -> str:
    """A Markdown line as printed: no markup, images or table rules (`| 광부<br>![image](…) |
    보도자료 |` is the header's `광부 보도자료`; `| --- |` a blank)."""
    plain = " ".join(IMAGE.sub(" ", _plain(line)).split())
    return "" if regex.fullmatch(r"[-:\s]*", plain) else plain


def extract(doc: Document) -> dict:
    lines = doc.text.split("\n")
    if lines and lines[0].startswith("# "):            # Markdown renderings: "# title", no header
        title = _headline([lines[0][2:]])[0]
        out = _parse_header("\n".join(_label_lines(lines[:40])))
        return {"ministry": _ministry(lines[1:6], doc.text, doc), "title": title, "subtitle": _quoted_subtitle(lines[1:12]), **out}
    if doc.source_format == "md":                     # one view line per text line: offsets stay
        lines = [_md_view(ln) for ln in lines[:HEAD_LINES]] + lines[HEAD_LINES:]
    k = _split_header(lines)
    header_lines = lines[:k]
    labelled = _label_lines(lines[:40]) if doc.source_format == "md" and not any(map(_is_strong, header_lines)) else []
    out = _parse_header("\n".join(labelled or header_lines), doc.created_at.year if doc.created_at else None)
    contacts = False     # a 담당과장 / 담당자 table (or a `[자료 문의] … ☏` line) between header and headline
    while k < len(lines) and (not lines[k].strip() or ("\t" in lines[k] and (contacts or CONTACT_PHONE.search(lines[k])))
                              or CONTACT_LINE.match(lines[k]) or OFFICE_PHONE.match(lines[k])):
        contacts = contacts or bool(CONTACT_PHONE.search(lines[k]))
        k += 1
    # A PDF line is a printed line (a subtitle item may wrap); elsewhere a line is a paragraph
    # or a short piece after a typed line break.
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def opens_body(i: int) -> bool:
        return _opens_body(doc, starts[k + i], starts[k + i + 1] - 1)
    out["title"], out["subtitle"], n = _headline(lines[k:], wrapped=doc.source_format == "pdf", opens_body=opens_body)
    above = next((ln.strip() for ln in header_lines if ln.strip()), "")
    m = TITLE_ABOVE.match(above)
    if m and not ORG_LINE.match(m.group("t")) and not _is_strong(m.group("t")):
        out["title"], out["subtitle"], n = m.group("t"), None, 0   # `2027학년도 … 채점 결과 보도자료` heads the page
    window = [i for i in range(k + n, min(len(lines), k + n + 8)) if lines[i].strip()][:4]
    if any(_is_strong(lines[i]) for i in window[:3]) and out["embargo_at"] is None and out["distributed_at"] is None:
        late = [i for i in window if _is_strong(lines[i]) or _is_weak(lines[i])]   # a title box above the header
        out.update(_parse_header("\n".join(lines[i] for i in late), doc.created_at.year if doc.created_at else None))
        n = late[-1] + 1 - k
    out["ministry"] = _ministry(header_lines, "\n".join(lines[k + n:]), doc)
    _from_fields(doc.fields, out, doc.text)
    return out
