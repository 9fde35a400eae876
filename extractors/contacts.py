"""The 담당 / 문의 block: one row per person, with department, role, position, name, phone, e-mail.

Layouts handled by one row parser: table rows (tab-separated cells: label, department,
role, position, name and phone in any grouping), and plain lines where the department
cell wraps onto the next line (PDFs whose table was not detected). A row without a
department or role inherits them from the row above; letter-spaced titles are joined.

>>> [c["name"] for c in extract(Document.from_text("담당부서\\t기획조정실\\t책임자\\t과 장\\t손용하 (044-203-5520)"))]
['손용하']
>>> extract(Document.from_text("담당 부서 기획조정실 책임자 과 장 이하녕(044-204-7320)\\n기획재정담당관 담당자 사무관 강해준(044-204-7321)"))[1]["department"]
'기획조정실 기획재정담당관'
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

POSITION = r"(?:[가-힣]{0,4}?(?:" + "|".join(_spaced(p) for p in POSITIONS) + r"))"
ROLE = regex.compile(r"(?<![가-힣])(?P<role>" + "|".join(_spaced(r) for r in ROLES) + r")(?![가-힣])")
PHONE = regex.compile(r"(?<![\d-])(0\d{1,2})\s?[-)．.]\s?(\d{3,4})\s?[-．.]\s?(\d{4})(?![\d-])|(?<![\d-])(1\d{3})-(\d{4})(?![\d-])")
EMAIL = regex.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
NAME = r"(?P<name>[가-힣](?:\s{0,2}[가-힣]){1,3})"
PERSON_POS_NAME = regex.compile(r"(?<![가-힣])(?P<position>" + POSITION + r")\s*" + NAME + r"(?![가-힣])")
PERSON_NAME_POS = regex.compile(r"(?<![가-힣])" + NAME + r"\s+(?P<position>" + POSITION + r")(?![가-힣])")
LABEL = regex.compile(r"^\s*(?:담\s*당\s*부\s*서|(?:자\s*료\s*)?문\s*의\s*처?|연\s*락\s*처|담\s*당)\s*[:：]?\s*(?:<[^>]*>|\[[^\]]*\]|\([^)]*\))?\s*")
LEAF_UNIT = regex.compile(r"(?:과|팀|담당관|담당관실|센터|TF|반|사무국|지원단|추진단|협력관)$")


def _phone(text: str) -> str | None:
    m = PHONE.search(text)
    if not m:
        return None
    return "-".join(g for g in m.groups() if g)


def _person(text: str):
    """(position, name, span end) of the first person in `text`, or None."""
    for pattern in (PERSON_POS_NAME, PERSON_NAME_POS):
        for m in pattern.finditer(text):
            name = "".join(m.group("name").split())
            position = "".join(m.group("position").split())
            if name in POSITIONS or any(name.endswith(p) for p in ("부서", "담당")) or ROLE.fullmatch(name):
                continue
            return position, name
    return None


def _clean_department(text: str) -> str:
    text = LABEL.sub("", text)
    text = regex.sub(r"^\s*(?:<[^>]*>|\[[^\]]*\])\s*", "", text)
    return " ".join(text.split())


def _parse_row(line: str):
    """Split one row into (department text, role, person text), or None if it holds no person."""
    cells = line.split("\t") if "\t" in line else None
    if cells:
        role_i = next((i for i, c in enumerate(cells) if ROLE.fullmatch(c.strip())), None)
        if role_i is not None:                 # a role cell makes a contact row, phone or not
            role = "".join(cells[role_i].split())
            dept_cells, person = cells[:role_i], " ".join(cells[role_i + 1:])
        elif PHONE.search(line) or EMAIL.search(line):
            # no role column: the person starts at the last cell from which one can be read
            starts = [i for i in range(len(cells)) if _person(" ".join(cells[i:]))]
            if not starts:
                return None
            role, dept_cells, person = None, cells[:starts[-1]], " ".join(cells[starts[-1]:])
        else:
            return None
        if len(dept_cells) >= 2 and _is_label_column(dept_cells[0]):
            dept_cells = dept_cells[1:]
        dept = " ".join(d for d in map(_clean_department, dept_cells) if d)
        return dept, role, person
    if not (PHONE.search(line) or EMAIL.search(line)):
        return None
    m = ROLE.search(line)
    if not m:
        return None
    return _clean_department(line[:m.start()]), "".join(m.group("role").split()), line[m.end():]


def _is_label_column(cell: str) -> bool:
    """The first column of a contact table: `담당 부서`, `담당 부서 <총괄>`, or a ministry name used as label."""
    cell = cell.strip()
    return bool(LABEL.match(cell) and not _clean_department(cell)) or not cell or bool(
        regex.fullmatch(r"[가-힣]+(?:부|처|청|위원회)", cell))


def extract(doc: Document) -> list[dict]:
    out: list[dict] = []
    dept = role = None
    prev_line_no, block = -2, 0
    for line_no, line in enumerate(doc.text.split("\n")):
        parsed = _parse_row(line)
        if parsed is None:
            continue
        dept_text, row_role, person_text = parsed
        person = _person(person_text)
        if person is None:
            continue
        position, name = person
        contiguous = line_no == prev_line_no + 1
        if dept_text:
            if ("\t" not in line and contiguous and dept and not LABEL.match(line)
                    and not LEAF_UNIT.search(dept)):
                dept = f"{dept} {dept_text}"          # a wrapped department cell
                for row in out[block:]:
                    row["department"] = dept
            else:
                dept, block = dept_text, len(out)
        elif not contiguous and not dept:
            continue
        if dept is None:
            continue
        role = row_role or (role if contiguous else None)
        email = EMAIL.search(person_text)
        out.append({"department": dept, "role": role, "position": position, "name": name,
                    "phone": _phone(person_text), "email": email.group(0) if email else None})
        prev_line_no = line_no
    return out
