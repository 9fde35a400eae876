"""Named rules and the one runner every extractor uses.

A rule is a name, a pattern and a function that builds a value from a match (`build(match,
ctx)`); a rule whose pattern is None finds its own matches (`build(ctx)` yields them, as the
table and Kiwi-driven rules do). The runner tags everything a rule builds with the rule's
name, which becomes the row's `rule` column, and skips what a builder refuses (None) or
cannot build (an impossible date raises ValueError).

>>> import re
>>> two = (Rule("digit", re.compile(r"\\d"), lambda m, c: m.group()), Rule("letter", re.compile(r"[a-z]"), lambda m, c: None))
>>> [(r.name, v) for r, v in run(two, "a1b2", None)]
[('digit', '1'), ('digit', '2')]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: Any            # a compiled pattern, or None for a rule that finds its own matches
    build: Callable


def run(rules, text: str, ctx, errors: tuple = (ValueError, OverflowError)) -> Iterator[tuple[Rule, Any]]:
    """(rule, built value) for every match of every rule, in rule order."""
    for rule in rules:
        if rule.pattern is None:
            for value in rule.build(ctx):
                yield rule, value
            continue
        for m in rule.pattern.finditer(text):
            if m.end() == m.start():
                continue
            try:
                value = rule.build(m, ctx)
            except errors:
                continue
            if value is not None:
                yield rule, value
