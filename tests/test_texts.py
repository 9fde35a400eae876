"""The `texts` table is what every offset points into: on every dev release, in every rendering,
`text[char_start:char_end]` of each quantities, dates and laws row is the row's `text`."""
from __future__ import annotations

import pytest

from bodopress.pipeline.tasks import FORMATS, process_file


@pytest.mark.corpus
def test_offsets_point_into_the_texts_row(shared):
    files = sorted(p for p in (shared / "corpus" / "dev").iterdir() if p.suffix in FORMATS)
    assert len(files) >= 30
    checked = 0
    for path in files:
        result = process_file(path, path.name)
        assert result.ok, (path.name, result.rows.get("errors"))
        (text,) = [t["text"] for t in result.rows["texts"]]
        assert result.rows["releases"][0]["n_chars"] == len(text)
        for table in ("quantities", "dates", "laws"):
            for row in result.rows[table]:
                assert text[row["char_start"]:row["char_end"]] == row["text"], (path.name, table, row)
                assert row["sentence"], (path.name, table, row)
                checked += 1
    assert checked > 2000
