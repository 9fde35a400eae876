"""Reviewers' diff reports: which extracted values changed between two curated states, beside
the sentence each came from. `align` pairs rows, `compare` builds the report, `render` prints it.
The review reads curated tables only: it imports no loader and never re-reads a raw file."""
from bodopress.pipeline.review.align import align
from bodopress.pipeline.review.compare import State, compare, counts, diff_dirs
from bodopress.pipeline.review.render import fmt, render, summary_markdown, to_html, to_json, to_markdown, write_report

__all__ = ["State", "align", "compare", "counts", "diff_dirs", "fmt", "render", "summary_markdown", "to_html",
           "to_json", "to_markdown", "write_report"]
