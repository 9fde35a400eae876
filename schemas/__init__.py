"""pydantic models of the curated tables (shared/spec/CONTRACT.md), one per table.

The contract version lives here and nowhere else; every Parquet file carries it in
its metadata as `bodo.contract`. Columns beyond the contract (`rule`, `warning`,
`official_name`) are additions the contract allows; none renames a contract column.

History (every change additive, so the version stays "1"; docs/contract.md has the whole text):
- "1" — releases, quantities, dates, laws, contacts, errors.
- "1" + renderings and provenance — releases gain `document_key`, `preferred`, `portal_id`,
  `portal_url`, `approved_at`; dates and laws gain `sentence`; the `texts` table.
"""
from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Annotated, Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

CONTRACT_VERSION = "1"
SEOUL = "Asia/Seoul"


def described(description: str, default=...):
    return Field(default, description=description)


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Release(Row):
    release_id: str = described("first 16 hex chars of sha256 of the source bytes")
    source_file: str = described("path of the source, relative to the raw directory")
    source_sha256: str = described("full sha256 of the source bytes")
    source_format: str = described("txt, md, pdf, hwpx, hwp")
    ministry: str | None = described("issuing body as written, e.g. 산업통상부", None)
    title: str | None = described("the headline, without decoration", None)
    subtitle: str | None = described("sub-headlines joined by a newline, without -/□/○ marks", None)
    embargo_at: dt.datetime | None = described("보도시점/보도일시, Asia/Seoul; 00:00 where no time", None)
    embargo_text: str | None = described("the embargo line as written", None)
    edition: str | None = described("조간, 석간, 방송 or 즉시 where stated", None)
    distributed_at: dt.datetime | None = described("배포/배포일시, Asia/Seoul", None)
    n_chars: int = described("characters of extracted text")
    extractor_version: str = described("version of the extraction code that produced the row")
    document_key: str = described("one key shared by every rendering of the same release: the portal id where "
                                  "known, else a hash of ministry, title and release date")
    preferred: bool = described("exactly one rendering per document_key is true (HWPX, else HWP, else PDF, "
                                "else text): count only these to never count a release twice", False)
    portal_id: str | None = described("the 정책브리핑 portal's NewsItemId, where fetched from the portal", None)
    portal_url: str | None = described("the release's page on the portal", None)
    approved_at: dt.datetime | None = described("when the portal published it (ApproveDate), Asia/Seoul", None)


class Quantity(Row):
    release_id: str = described("joins to releases")
    text: str = described("surface form, e.g. 7,093억 달러")
    value: float = described("fully scaled value")
    value_max: float | None = described("upper end of a range; null otherwise", None)
    unit: str | None = described("normalised unit code (contract's list); null where none is given", None)
    counter: str | None = described("the Korean counter word for unit count", None)
    qualifier: Literal["approx", "at_least", "more_than", "at_most", "less_than"] | None = described(
        "approx, at_least, more_than, at_most or less_than", None)
    char_start: int = described("offset into the release's extracted text")
    char_end: int = described("end offset (exclusive)")
    sentence: str = described("the sentence or table row it was found in")
    rule: str = described("name of the extraction rule that matched")


class DateMention(Row):
    release_id: str = described("joins to releases")
    text: str = described("surface form, e.g. '25.11월")
    start: dt.date = described("first day covered")
    end: dt.date = described("last day covered")
    granularity: Literal["day", "month", "quarter", "half", "year"] = described("of the coarsest end")
    relative: bool = described("resolved against the release date")
    time: str | None = described("HH:MM where a clock time is attached", None)
    char_start: int = described("offset into the release's extracted text")
    char_end: int = described("end offset (exclusive)")
    sentence: str = described("the sentence or table row it was found in")
    rule: str = described("name of the extraction rule that matched")
    warning: str | None = described("e.g. a weekday that does not match the date", None)


class Law(Row):
    release_id: str = described("joins to releases")
    text: str = described("surface form with its brackets")
    name: str = described("the name without brackets or quotes, whitespace collapsed")
    provisional: bool = described("the name is tentative (가칭)")
    action: str | None = described("제정, 개정, 폐지, 발의, 국회 통과, 공포, 시행", None)
    action_date: dt.date | None = described("the date attached to that action", None)
    official_name: str | None = described("matching name in the user's list of official law names", None)
    char_start: int = described("offset into the release's extracted text")
    char_end: int = described("end offset (exclusive)")
    sentence: str = described("the sentence it was found in")
    rule: str = described("name of the extraction rule that matched")


class Contact(Row):
    release_id: str = described("joins to releases")
    department: str = described("department; a continuation row inherits the one above")
    role: str | None = described("책임자, 담당자 or the release's own word", None)
    position: str | None = described("과장, 사무관, ...; letter-spaced forms joined", None)
    name: str = described("the person's name")
    phone: str | None = described("digits and hyphens", None)
    email: str | None = described("where given", None)


class Text(Row):
    release_id: str = described("joins to releases")
    text: str = described("the release's extracted text; text[char_start:char_end] of any row is its surface form")


class Error(Row):
    source_file: str = described("as in releases")
    source_sha256: str | None = described("where the bytes could be read", None)
    stage: Literal["load", "extract", "validate", "write"] = described("where it failed")
    error_type: str = described("a short stable code, e.g. pdf_encrypted")
    message: str = described("a sentence a person can act on")


TABLES: dict[str, type[Row]] = {
    "releases": Release,
    "quantities": Quantity,
    "dates": DateMention,
    "laws": Law,
    "contacts": Contact,
    "texts": Text,
    "errors": Error,
}

_ARROW = {
    str: pa.string(),
    float: pa.float64(),
    int: pa.int64(),
    bool: pa.bool_(),
    dt.date: pa.date32(),
    dt.datetime: pa.timestamp("us", tz=SEOUL),
}


def _arrow_type(annotation) -> tuple[pa.DataType, bool]:
    nullable = False
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        nullable = type(None) in args
        annotation = next(a for a in args if a is not type(None))
    if typing.get_origin(annotation) is Literal:
        annotation = str
    if typing.get_origin(annotation) is Annotated:
        annotation = args[0]
    return _ARROW[annotation], nullable


def arrow_schema(table: str) -> pa.Schema:
    model = TABLES[table]
    fields = []
    for name, info in model.model_fields.items():
        typ, nullable = _arrow_type(info.annotation)
        fields.append(pa.field(name, typ, nullable=nullable, metadata={"description": info.description or ""}))
    return pa.schema(fields, metadata={"bodo.contract": CONTRACT_VERSION, "bodo.table": table})
