"""Markdown output of `vet diff`: fit for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

Registry text (names, reasons) is escaped so that it shows as written: a name
holding `|`, `*` or `<b>` cannot break the table or slip HTML into the page.
"""

from __future__ import annotations

import re
from typing import TextIO

from vetting.diff import EntityChange, RegistryDiff, RosterDiff, RowChange
from vetting.render import renderer
from vetting.render.text import diff_summary, verdict_change, where_text
from vetting.rules import LAW_TITLES

# Table rows at most: a pull-request comment holds 65,536 characters; the rest are
# counted, and --format json lists every one.
ROWS = 200
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def escape(text: str) -> str:
    """Text as Markdown shows it literally, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _code(text: str) -> str:
    # Inside a code span only a backtick is special; a longer fence holds one.
    fence = "``" if "`" in text else "`"
    return f"{fence}{text.replace(chr(10), ' ')}{fence}"


def _why(change: EntityChange | RowChange) -> str:
    if not change.reasons:
        return ""
    first = change.reasons[0]
    more = len(change.reasons) - 1
    tail = f" (and {more} more)" if more > 0 else ""
    return f"{first.rule.code} {first.rule.slug}: {escape(first.text)}{tail}"


def _more(count: int, stream: TextIO) -> None:
    if count > ROWS:
        stream.write(f"\nAnd {count - ROWS:,} more; `--format json` lists every one.\n")


def _heading(result: RegistryDiff | RosterDiff, stream: TextIO) -> None:
    stream.write(f"### vet diff: {_code(result.old)} → {_code(result.new)}\n\n")
    summary = diff_summary(result.counts())
    stream.write(f"As of {result.as_of} under {LAW_TITLES[result.law]}: {summary}.\n\n")


@renderer("diff", "markdown")
def diff_markdown(result: RegistryDiff, stream: TextIO) -> None:
    """A summary line, a table of the verdicts that change, and the edits folded below."""
    _heading(result, stream)
    if result.changes:
        stream.write("| Entity | Verdict | Why | Where |\n| --- | --- | --- | --- |\n")
        for change in result.changes[:ROWS]:
            entity = f"{change.kind} {_code(change.id)} {escape(change.name)} ({change.country})"
            stream.write(f"| {entity} | {verdict_change(change)} | {_why(change)} | "
                         f"{_code(where_text(change.where))} |\n")
        _more(len(result.changes), stream)
    else:
        stream.write("No unit or person changes verdict.\n")
    stream.write(f"\n<details><summary>Registry edits ({len(result.edits)})</summary>\n\n")
    for edit in result.edits[:ROWS]:
        stream.write(f"- {_code(where_text(edit.where))}: {edit.kind} {_code(edit.id)} "
                     f"{edit.status}\n")
    _more(len(result.edits), stream)
    stream.write("\n</details>\n")


@renderer("roster-diff", "markdown")
def roster_diff_markdown(result: RosterDiff, stream: TextIO) -> None:
    """A summary line and a table of the roster rows whose verdict changes."""
    _heading(result, stream)
    stream.write(f"Roster {_code(result.roster)}: {len(result.changes)} of {result.rows} "
                 "rows change.\n\n")
    if result.changes:
        stream.write("| Row | Name / unit | Verdict | Why |\n| ---: | --- | --- | --- |\n")
        for change in result.changes[:ROWS]:
            asked = escape(change.name or change.unit)
            if change.name and change.unit:
                asked += f" of {escape(change.unit)}"
            stream.write(f"| {change.row} | {asked} | {verdict_change(change)} | "
                         f"{_why(change)} |\n")
        _more(len(result.changes), stream)
