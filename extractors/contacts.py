"""The 담당 / 문의 block: one row per person, with department, role, position, name, phone, e-mail.

Layouts handled by one row parser: table rows (tab-separated cells: label, department,
role, position, name and phone in any grouping), plain lines where the department cell
wraps onto the next line (PDFs whose table was not detected), and the Markdown rendering's
`- 담당 부서: … / 책임자 과장 … / (…)` lines. A row without a department or role inherits
them from the row above (an empty cell under a group cell takes the group); letter-spaced
titles are joined. A cell may stack several people, one phone each. A row with neither a
role cell nor a label that does not continue a contact block is some other table's phone
column, not a contact.

>>> [c["name"] for c in extract(Document.from_text("담당부서\\t기획조정실\\t책임자\\t과 장\\t손용하 (044-203-5520)"))]
['손용하']
>>> extract(Document.from_text("담당 부서 기획조정실 책임자 과 장 이하녕(044-204-7320)\\n기획재정담당관 담당자 사무관 강해준(044-204-7321)"))[1]["department"]
'기획조정실 기획재정담당관'
>>> [(c["position"], c["name"]) for c in extract(Document.from_text("담당 부서\\t미래고용분석과\\t담당자\\t사무관 김주봉(044-202-7256) 주무관 이현민(044-202-7247)"))]
[('사무관', '김주봉'), ('주무관', '이현민')]
"""
from __future__ import annotations

from pathlib import Path

import regex

from bodopress.extractors.document import Document

DATA = Path(__file__).parent / "data"


def _words(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.startswith("#")]


def _spaced(word: str) -> str:
    """`과장` also matches the letter-spaced `과 장`."""
    return r"\s{0,3}".join(map(regex.escape, word))


POSITIONS = sorted(_words("positions.txt"), key=len, reverse=True)
ROLES = sorted(_words("contact_words.txt"), key=len, reverse=True)

POSITION = r"(?:[가-힣]{0,4}(?:" + "|".join(_spaced(p) for p in POSITIONS) + r"))"
ROLE = regex.compile(r"(?<![가-힣])(?P<role>" + "|".join(_spaced(r) for r in ROLES) + r")(?![가-힣])")
PHONE = regex.compile(r"(?<![\d-])(0\d{1,2})\s?[-)．.]\s?(\d{3,4})\s?[-．.]\s?(\d{4})(?![\d-])|(?<![\d-])(1\d{3})-(\d{4})(?![\d-])"
                      r"|\+(\d{1,3})[ -]?(\d{1,4}(?:-\d{2,8}){0,3}|\d{7,12})(?![\d-])")   # +84-0387267611: abroad
EMAIL = regex.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
NAME = r"(?P<name>[가-힣](?:\s{0,2}[가-힣]){1,3})"
PERSON_POS_NAME = regex.compile(r"(?<![가-힣])(?P<position>" + POSITION + r"(?:\(" + POSITION + r"\))?)\s*" + NAME + r"(?![가-힣])")   # 서기관(팀장) 구본억
POSITION_WORD = regex.compile(r"(?<![가-힣])" + POSITION + r"(?![가-힣])")
PERSON_NAME_POS = regex.compile(r"(?<![가-힣])" + NAME + r"\s+(?P<position>" + POSITION + r")(?![가-힣])")
LABELS = sorted(_words("contact_labels.txt"), key=len, reverse=True)
LABEL = regex.compile(r"^\s*(?:" + "|".join(_spaced("".join(w.split())) for w in LABELS)
                      + r")\s*[:：]?\s*(?:<[^>]*>|\[[^\]]*\]|\([^)]*\))?\s*")
ROLES_CELL = regex.compile(r"(?:" + ROLE.pattern + r")(?:\s+(?:" + ROLE.pattern + r"))*")
UNIT_ENDINGS = "|".join(map(regex.escape, sorted(_words("contact_units.txt"), key=len, reverse=True)))
LETTER_SPACED = regex.compile(r"(?<!\S)[가-힣](?: [가-힣])+(?!\S)")
# A word of one or two letters before a unit's name is its head, wrapped in the cell: 한국 / 고용정보원.
HEAD_WORD = regex.compile(r"(?<!\S)([가-힣]{1,2})\s+(?=[가-힣]{2,}(?:" + UNIT_ENDINGS + r")(?!\S))")
MD_ITEM = regex.compile(r"^\s*-\s+")                    # `- 담당 부서: 정책기획관 / 책임자 과장 최영범 / (044-…)`
MD_SEPARATOR = regex.compile(r"\s*[:：]\s+|\s+/\s*")
TOPIC_AFTER = regex.compile(r"(?<=[가-힣])\s*\((?![^()]*(?:" + UNIT_ENDINGS + r")\))[^()]*\)$")   # (토지거래량), not (…대책팀)
LEAF_UNIT = regex.compile(r"(?:과|팀|담당관|담당관실|센터|TF|반|사무국|지원단|추진단|협력관)$")
# Older header tables label the person cells themselves: `담당과장 | 예산실 예산총괄과장 박준호 (…) |
# 담당자 | 김영임 서기관(…)`, continuation rows below in the same columns.
HEAD_ROLE = regex.compile(r"담\s?당\s?(?P<pos>[과국실팀]\s?장)")
HEAD_CELL = regex.compile(r"^\s*(?P<dept>(?:[가-힣]+\s+)*?[가-힣]*?)(?P<pos>[과국실팀])장\s*" + NAME + r"(?![가-힣])")


# A prose 문의 line: `[자료 문의] 대학수학능력시험본부장 조성민, 수능분석실장 구남욱` with its phones
# (`☏ 043-931-0366, 0407`) on the line or the next; the head of a unit names the unit.
PROSE_LABEL = regex.compile(r"^\s*[\[<【(]\s*(?:자\s*료\s*)?문\s*의\s*[\]>】)]\s*|^\s*(?:자\s*료\s*)?문\s*의\s*[:：]\s*")
UNIT_HEAD = regex.compile(r"^(?P<dept>[가-힣]{2,20}?(?P<unit>본부|센터|실|과|팀|국|부|단|원|소))장$")
PHONE_SUFFIX = regex.compile(r"\s*,\s*(\d{3,4})(?![\d-])")


def _prose_people(line: str, nxt: str) -> list[dict]:
    """The people of a prose 문의 line, each with the phone in the same place of the phone list
    (a short `0407` after `043-931-0366` ends that number anew); one phone serves them all. Groups
    apart by ` / ` (`본부장 조성민, 담당 박석규 (☎ …) / 홍보실 위성임 담당(☎ …)`) keep their own phones."""
    m = PROSE_LABEL.match(line)
    if not m or "\t" in line:
        return []
    text = line[m.end():]
    out = []
    for group in regex.split(r"\s+/\s+", text) if PHONE.search(text) else [text]:
        where = group if PHONE.search(group) else nxt if regex.match(r"\s*(?:☏|☎|전화|TEL|Tel)", nxt) else ""
        phones = []
        for p in PHONE.finditer(where):
            phones.append(_phone(p))
            k = p.end()
            while tail := PHONE_SUFFIX.match(where, k):
                phones.append(phones[-1][:-len(tail.group(1))] + tail.group(1))
                k = tail.end()
        people = _prose_group(group)
        if people and phones:
            phones += phones[-1:] * (len(people) - len(phones))
            out += [dict(p, phone=ph, email=None) for p, ph in zip(people, phones)]
    return out


def _prose_group(text: str) -> list[dict]:
    """`수능분석실장 홍길동`, `기획팀 과장 홍길동`, `담당 홍길동`, `홍보실 홍길동 담당`: a 담당 without
    a unit of its own works in the unit named before it."""
    people = []
    for part in regex.split(r"\s*(?:,|·|및)\s*", PHONE.sub(" ", regex.sub(r"[☏☎()]", " ", text)).strip()):
        words = part.split()
        if len(words) >= 2 and words[-1] == "담당":
            words[-2], words[-1] = words[-1], words[-2]   # 홍보실 위성임 담당 reads as 홍보실 담당 위성임
        if len(words) < 2 or not regex.fullmatch(r"[가-힣]{2,4}", words[-1]):
            continue
        *unit, title, name = words
        if title == "담당":
            if unit or people:
                people.append({"department": " ".join(unit) if unit else people[-1]["department"], "role": "담당",
                               "position": None, "name": name})
        elif head := UNIT_HEAD.match(title):      # 수능분석실장: the head of 수능분석실
            people.append({"department": " ".join(unit + [head["dept"]]), "role": None,
                           "position": head["unit"] + "장", "name": name})
        elif unit and POSITION_WORD.fullmatch(title):
            people.append({"department": " ".join(unit), "role": None, "position": title, "name": name})
    return people


# A `※` note under the contact table names more people: `※ 과기정통부 담당부서: 소프트웨어정책과(김국현
# 과장, 044-202-6320)`, `※ 한국보육진흥원 정책지원본부: 권주원 본부장(02-6901-0230)`.
NOTE = regex.compile(r"^\s*※\s*")
NOTE_PERSON = regex.compile(
    r"(?P<dept>[가-힣A-Za-z·]{2,24})\s*\(\s*(?P<name>[가-힣]{2,4})\s+(?P<pos>" + POSITION + r")\s*,\s*(?P<phone>[\d)\-. ]{9,16})\)"
    r"|(?P<dept2>[가-힣A-Za-z·]{2,24})\s*[:：]\s*(?P<name2>[가-힣]{2,4})\s+(?P<pos2>" + POSITION + r")\s*\(\s*(?P<phone2>[\d)\-. ]{9,16})\)")
NOTE_ORG = regex.compile(r"[가-힣]{2,}(?:부|처|청|원|공단|재단|위원회)")


def _note_people(line: str) -> list[dict]:
    m = NOTE.match(line)
    if not m:
        return []
    first = line[m.end():].split(" ", 1)[0]
    org = first if NOTE_ORG.fullmatch(first) else None
    out = []
    for p in NOTE_PERSON.finditer(line, m.end()):
        dept, name, pos, phone = (p["dept"], p["name"], p["pos"], p["phone"]) if p["dept"] else \
            (p["dept2"], p["name2"], p["pos2"], p["phone2"])
        number = PHONE.search(phone)
        if number and name not in POSITIONS and regex.search(rf"(?:{UNIT_ENDINGS})$", dept):
            out.append({"department": f"{org} {dept}" if org and org != dept else dept, "role": None,
                        "position": "".join(pos.split()), "name": name, "phone": _phone(number), "email": None})
    return out


def _phone(m) -> str:
    return "-".join(g for g in m.groups() if g)


def _person(text: str):
    """(position, name) of the first person in `text`, or None: `과장 홍길동` or `홍길동 과장`,
    whichever starts first (`박정현 과장 김지현 사무관` is 박정현 the 과장)."""
    found = []
    for pattern in (PERSON_POS_NAME, PERSON_NAME_POS):
        for m in pattern.finditer(text):
            name = "".join(m.group("name").split())
            if name in POSITIONS or any(name.endswith(p) for p in ("부서", "담당")) or ROLE.fullmatch(name):
                continue
            raw = m.group("position")
            if regex.search(r"[가-힣]{2}\s+[가-힣]$", raw.strip()) and len(name) == 2:
                position, name = "".join(raw.split())[:-1], raw.strip()[-1] + name   # 전문연구원 장희영, not …원장 희영
            else:
                position = "".join(raw.split())
            if ROLE.fullmatch(position + name[0]) and len(name) > 2:
                position, name = position + name[0], name[1:]   # `담당자 유기현`, not 담당 + 자유기현
            found.append((m.start(), position, name))
            break
    return min(found)[1:] if found else None


def _people(text: str) -> list[tuple[str, str, str | None]]:
    """(position, name, phone) of each person in a person cell. Several people may stack in one
    cell, in reading order (`사무관 김주봉(…) 주무관 이현민(…)`), column by column (`사무관 주무관
    김주봉 이현민 (…) (…)`) or as letter-spaced names run together (`박 영 미 전 미 정`): one phone
    each tells how many, and two names are never read as one."""
    one = _person(text)
    phones = [_phone(m) for m in PHONE.finditer(text)]
    if len(phones) > 1:
        rest = regex.sub(r"[()\[\],]", " ", PHONE.sub(" ", EMAIL.sub(" ", text)))
        positions = ["".join(m.group(0).split()) for m in POSITION_WORD.finditer(rest)]
        words = POSITION_WORD.sub(" ", rest).split()
        names, run = [], []
        for w in words + [""]:
            if len(w) == 1 and "가" <= w <= "힣":
                run.append(w)
                continue
            if run:                               # letter-spaced names: equal shares of the run
                size = len(run) // len(phones) if len(run) % len(phones) == 0 and len(run) > 4 else len(run)
                names += ["".join(run[k:k + size]) for k in range(0, len(run), size)]
                run = []
            if regex.fullmatch(r"[가-힣]{2,4}", w) and not ROLE.fullmatch(w):
                names.append(w)
        if len(names) == len(phones) and positions:
            positions += positions[-1:] * (len(names) - len(positions))
            return list(zip(positions, names, phones))
    return [(one[0], one[1], phones[0] if phones else None)] if one else []


def _clean_department(text: str) -> str:
    """The department as printed, without the list marker, label and group tag before it (`- <총괄>`,
    `담당 부서:`) or the topic after it (`토지정책과(토지거래량)`; a unit in brackets stays)."""
    text = LABEL.sub("", MD_ITEM.sub("", text))
    text = regex.sub(r"^\s*(?:<[^>]*>|‹[^›]*›|\[[^\]]*\])\s*", "", text)
    text = TOPIC_AFTER.sub("", text.strip())
    text = regex.sub(r"(?<=[가-힣])\((?:국|실|과|관|팀|부서)\)", "", text)   # 학교지원관(국): the form's label of the level
    return " ".join(text.split())


def _parse_row(line: str, md: bool = False):
    """Split one row into (department cells, role, person text), or None if it holds no person.
    `md`: a line of a Markdown contact list, where a row may have lost its phone."""
    cells = line.split("\t") if "\t" in line else None
    if cells:
        role_i = next((i for i, c in enumerate(cells)   # `담당자(장애인 이용권)`: a role and what it covers
                       if ROLES_CELL.fullmatch(regex.sub(r"\s*\([^()]*\)$", "", c.strip()))), None)
        if role_i is not None:                 # a role cell makes a contact row, phone or not
            role = " ".join("".join(r.group("role").split()) for r in ROLE.finditer(cells[role_i]))
            dept_cells, person = cells[:role_i], " ".join(cells[role_i + 1:])
        elif PHONE.search(line) or EMAIL.search(line):
            # no role column: the person starts at the last cell from which one can be read
            starts = [i for i in range(len(cells)) if _person(" ".join(cells[i:]))]
            if not starts:
                return None
            role, dept_cells, person = None, cells[:starts[-1]], " ".join(cells[starts[-1]:])
        else:
            return None
        labelled = len(dept_cells) >= 2 and _is_label_column(dept_cells[0])
        # None: a label cell (`담당 부서`, `<협조>`); "": a cell merged into the one above
        return [None if (k == 0 and labelled and d.strip()) or (d.strip() and not _clean_department(d))
                else _clean_department(d) for k, d in enumerate(dept_cells)], role, person
    if not (md or PHONE.search(line) or EMAIL.search(line)):
        return None
    m = ROLE.search(regex.sub(r"<[^<>]*>", lambda b: " " * len(b.group()), line))   # `<총괄>` is a label
    if not m:
        return ([], None, line) if md else None
    return [_clean_department(line[:m.start()])], "".join(m.group("role").split()), line[m.end():]


def _is_label_column(cell: str) -> bool:
    """The first column of a contact table: `담당 부서`, `담당 부서 <총괄>`, a ministry name used as
    label, or a topic tag (`<총괄>`, `‹신입생 선발 결과> 일반 및 교육대학`, `(고등교육법 …)`) heading
    a group of rows."""
    cell = cell.strip()
    return bool(LABEL.match(cell) and not _clean_department(cell)) or not cell or bool(
        regex.fullmatch(r"[가-힣]+(?:부|처|청|위원회)|\([^()]*\)", cell) or regex.match(r"[<‹][^<>‹›]*[>›]", cell))


def _department(cells: list[str], above: list[str]) -> str:
    """The row's department: an empty cell under a group cell (a merged `한국고용정보원` over two
    teams) takes the group; a one-letter piece is the tail of a wrapped cell, not a department."""
    if not any(c and len(c) > 1 for c in cells):
        return ""
    cells = [(above[k] if k < len(above) else None) if c == "" else c for k, c in enumerate(cells)]
    cells = [c for k, c in enumerate(cells)   # `서초서 | 서울청 서초서 교통과`: a label the next cell says again
             if not (c and k + 1 < len(cells) and cells[k + 1] and f" {c} " in f" {cells[k + 1]} ")]
    dept = LETTER_SPACED.sub(lambda m: "".join(m.group().split()), " ".join(c for c in cells if c))   # 교 육 부
    return HEAD_WORD.sub(lambda m: m.group(1) + (" " if m.group(1) in POSITIONS else ""), dept)


def _head_columns(cells: list[str]) -> dict[int, str] | None:
    """Person column -> role of an older header row (`담당과장 | … | 담당자 | …`), or None."""
    cols = {}
    for i, c in enumerate(cells[:-1]):
        c = c.strip()
        if HEAD_ROLE.fullmatch(c) or ROLES_CELL.fullmatch(c):
            cols[i + 1] = "".join(c.split())
    return cols if any(HEAD_ROLE.fullmatch(r) for r in cols.values()) else None


def _head_rows(cells: list[str], cols: dict[int, str], dept: str | None) -> list[dict]:
    """The people of one row under `_head_columns`: a `담당과장` cell names its unit and person
    (`예산실 예산총괄과장 박준호`), or only the person under a 담당부서 line; the others take that unit."""
    rows = []
    for i, role in sorted(cols.items()):
        text = cells[i].strip() if i < len(cells) else ""
        if not text:
            continue
        head = HEAD_ROLE.fullmatch(role)
        m = HEAD_CELL.match(text) if head else None
        if m and (m.group("dept") or not dept):
            dept = " ".join((m.group("dept") + m.group("pos")).split())
            people = [("".join(head.group("pos").split()), m.group("name"),
                       _phone(p) if (p := PHONE.search(text)) else None)]
        elif head:
            name = regex.match(r"\s*" + NAME + r"(?![가-힣])", text)
            people = [("".join(head.group("pos").split()), "".join(name.group("name").split()),
                       _phone(p) if (p := PHONE.search(text)) else None)] if name else []
        else:
            people = _people(text)
        email = EMAIL.search(text)
        rows += [{"department": dept, "role": role, "position": pos, "name": name, "phone": phone,
                  "email": email.group(0) if email else None} for pos, name, phone in people if dept]
    return rows


def extract(doc: Document) -> list[dict]:
    out: list[dict] = []
    dept = role = None
    above: list[str] = []
    prev_line_no, block, md = -2, 0, False
    head_cols: dict[int, str] | None = None
    unit_line = (-2, None)             # (line, unit) of a `담당부서 | 거대공공연구정책과` line
    lines = doc.text.split("\n")
    for line_no, line in enumerate(lines):
        if prose := _prose_people(line, lines[line_no + 1] if line_no + 1 < len(lines) else ""):
            out += [dict(p, line=line_no) for p in prose]
            continue
        if out and line_no - out[-1]["line"] <= 3 and (noted := _note_people(line)):
            out += [dict(p, line=line_no) for p in noted]
            continue
        cells = line.split("\t")
        for k, c in enumerate(cells[:-1]):
            if LABEL.match(c) and not _clean_department(c) and cells[k + 1].strip() and not PHONE.search(line):
                unit_line = (line_no, _clean_department(cells[k + 1]))
        if len(cells) > 1 and (cols := _head_columns(cells)):
            head_cols = cols
        elif not (head_cols and line_no == prev_line_no + 1 and len(cells) > 1 and not cells[0].strip()):
            head_cols = None
        if head_cols:
            rows = _head_rows(cells, head_cols, unit_line[1] if unit_line[0] == line_no - 1 else dept)
            if rows:
                dept = rows[-1]["department"]
                out += [dict(r, line=line_no) for r in rows]
                prev_line_no = line_no
                continue
        raw = line
        md = bool(MD_ITEM.match(line)) and (md or bool(LABEL.match(MD_ITEM.sub("", line))))
        if md:
            line = MD_SEPARATOR.sub(" ", MD_ITEM.sub("", line))
        contiguous = line_no == prev_line_no + 1
        parsed = _parse_row(line, md)
        if parsed is None:
            continue
        dept_cells, row_role, person_text = parsed
        people = _people(person_text)
        if not people:
            if row_role and contiguous:       # a role cell over rows below (`담당자` merged down)
                role, prev_line_no = row_role, line_no
            continue
        dept_text = _department(dept_cells, above)
        if row_role is None and dept_text and not contiguous and not LABEL.match(line):
            continue                           # a phone column of some other table
        if dept_text:
            if ("\t" not in line and contiguous and dept and not LABEL.match(line)
                    and not LEAF_UNIT.search(dept) and (md or not MD_ITEM.match(raw))):
                dept = f"{dept} {dept_text}"          # a wrapped department cell (an unlabelled `- ` item is a row)
                for row in out[block:]:
                    row["department"] = dept
            elif (contiguous and dept and out[block:] and row_role and row_role != out[block]["role"]
                  and " " not in dept_text and not LEAF_UNIT.search(dept)):
                dept = f"{dept} {dept_text}"          # a merged cell's lines dealt one per row: parent, then its unit
                for row in out[block:]:
                    row["department"] = dept
            else:
                dept, block = dept_text, len(out)
            above = dept_cells
        elif not contiguous and not dept:
            continue
        if dept is None:
            continue
        roles = (row_role or (role if contiguous else "") or "").split()
        role = roles[-1] if roles else None     # a stacked role cell (`책임자 담당자`): one role each
        roles = roles if len(roles) == len(people) else roles[:1] * len(people)
        email = EMAIL.search(person_text)
        for (position, name, phone), r in zip(people, roles or [None] * len(people)):
            out.append({"department": dept, "role": r, "position": position, "name": name,
                        "phone": phone, "email": email.group(0) if email else None, "line": line_no})
        prev_line_no = line_no
    return _split_groups(out)


def _stacked_units(rows: list[dict]) -> None:
    """`교통물류실` over a cell `교통정책총괄과 교통서비스정책과`, beside two 책임자/담당자 pairs: the
    parent above a cell of sibling units heads them all, and each pair (a group starts where its
    first role comes again) takes its unit, in order."""
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j]["department"] == rows[i]["department"]:
            j += 1
        if j == len(rows) or rows[j]["line"] != rows[j - 1]["line"] + 1 or LEAF_UNIT.search(rows[i]["department"]):
            i = j
            continue
        k = j
        while k < len(rows) and rows[k]["department"] == rows[j]["department"]:
            k += 1
        units = rows[j]["department"].split()
        kinds = {m.group(0) if (m := LEAF_UNIT.search(w)) else None for w in units}
        block = rows[i:k]
        first = block[0]["role"]
        starts = [n for n, r in enumerate(block) if first and r["role"] == first]
        if len(units) > 1 and None not in kinds and len(kinds) == 1 and len(starts) == len(units) and starts[0] == 0:
            parent = rows[i]["department"]
            for g, (a, b) in enumerate(zip(starts, starts[1:] + [len(block)])):
                for r in block[a:b]:
                    r["department"] = f"{parent} {units[g]}"
        i = k


def _units_by_role(rows: list[dict]) -> None:
    """`대학정책관 대학정책과 교원교육자치지원관 교원정책과` beside two 책임자/담당자 groups: a cell of
    several units, each its parent and its own unit word (과, 팀 …), gives each group (a group starts
    where its first role comes again) its unit, in order."""
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j]["department"] == rows[i]["department"]:
            j += 1
        units, unit = [], []
        for w in rows[i]["department"].split():
            unit.append(w)
            if LEAF_UNIT.search(w):
                units, unit = units + [" ".join(unit)], []
        first = rows[i]["role"]
        starts = [n for n in range(i, j) if first and rows[n]["role"] == first]
        if len(units) > 1 and not unit and all(" " in u for u in units) and len(starts) == len(units) and starts[0] == i:
            for unit, a, b in zip(units, starts, starts[1:] + [j]):
                for r in rows[a:b]:
                    r["department"] = unit
        i = j


def _split_groups(rows: list[dict]) -> list[dict]:
    """`교통물류실 교통정책총괄과 교통서비스정책과` over two rows: a group cell naming as many sibling
    units (of one kind) as the rows it spans gives each row its unit, by position."""
    _stacked_units(rows)
    _units_by_role(rows)
    k = 0
    while k < len(rows):
        j = k
        while j < len(rows) and rows[j]["department"] == rows[k]["department"]:
            j += 1
        words = rows[k]["department"].split()
        lines = sorted({r["line"] for r in rows[k:j]})
        n = len(lines)
        kinds = {m.group(0) if (m := LEAF_UNIT.search(w)) else None for w in words[-n:]}
        if 1 < n < len(words) and None not in kinds and len(kinds) == 1:   # 과 and 과, not 담당관 > 팀
            for r in rows[k:j]:
                r["department"] = " ".join(words[:-n] + [words[-n + lines.index(r["line"])]])
        k = j
    for r in rows:
        del r["line"]
    return rows
