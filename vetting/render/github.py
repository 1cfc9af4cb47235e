"""GitHub Actions output: workflow-command annotations that mark the lines in a pull request.

Escaping follows the runner's rules (actions/toolkit, `command.ts`): in the
message `%`, CR and LF are encoded; in properties also `:` and `,`, which
would otherwise end the value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from vetting.checks import Validation
from vetting.codes import Code
from vetting.render import renderer
from vetting.render.text import (
    diff_heading,
    diff_summary,
    findings_summary,
    verdict_change,
    where_text,
)

if TYPE_CHECKING:  # `vet validate` prints through this module and needs none of them
    from vetting.diff import Effect, EntityChange, RegistryDiff, RosterDiff


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


@renderer("findings", "github")
def findings_github(result: Validation, stream: TextIO) -> None:
    """`::error file=…,line=…,col=…,title=VET123::message` per finding, then the summary."""
    for finding in result.findings:
        properties = ",".join(
            f"{name}={escape_property(str(value))}" for name, value in (
                ("file", finding.path), ("line", finding.line), ("col", finding.col),
                ("title", finding.code),
            )
        )
        stream.write(f"::{finding.level} {properties}::{escape_data(finding.message)}\n")
    # A plain line shows in the job log as text, under the annotations.
    stream.write(findings_summary(result) + "\n")


def _annotation(level: str, title: str, message: str, file: str | None = None,
                line: int | None = None) -> str:
    properties = [("file", file), ("line", line), ("title", title)]
    shown = ",".join(f"{name}={escape_property(str(value))}" for name, value in properties
                     if value is not None)
    return f"::{level} {shown}::{escape_data(message)}\n"


def _level(effect: Effect | None) -> str:
    # A new or harsher bar is what a reviewer must not miss; the rest is for information.
    return "warning" if effect in ("barred", "changed") else "notice"


_STATUS_CODES = {"changed": Code.VERDICT_CHANGED, "added": Code.ENTITY_ADDED,
                 "removed": Code.ENTITY_REMOVED}


# Names listed in an edit's annotation; the rest are counted.
NAMES_LISTED = 5


def _edit_annotations(result: RegistryDiff) -> Iterator[str]:
    """One annotation per edited record: what its line does to verdicts, in a sentence."""
    from vetting.diff import effect_counts

    behind: dict[tuple[str, int], list[EntityChange]] = {}
    for change in result.changes:
        if change.where is not None:
            behind.setdefault((change.where.path, change.where.line), []).append(change)
    for edit in result.edits:
        if edit.where is None:
            continue
        changes = behind.get((edit.where.path, edit.where.line), [])
        what = f"{edit.kind} {edit.id} {edit.status}"
        if changes:
            names = ", ".join(f"{change.name} ({change.old or 'no record'} → "
                              f"{change.new or 'no record'})" for change in changes[:NAMES_LISTED])
            more = f" and {len(changes) - NAMES_LISTED} more" if len(changes) > NAMES_LISTED \
                else ""
            count = len(changes)
            message = (f"{what}: {count} verdict{'' if count == 1 else 's'} change "
                       f"({diff_summary(effect_counts(changes))}): {names}{more}")
        else:
            message = f"{what}: no verdict changes"
        level = max((_level(change.effect) for change in changes), default="notice",
                    key=("notice", "warning").index)
        new = edit.where.side == "new"
        yield _annotation(level, f"vet diff {edit.kind} {edit.id}", message,
                          edit.where.path if new else None, edit.where.line if new else None)


@renderer("diff", "github")
def diff_github(result: RegistryDiff, stream: TextIO) -> None:
    """An annotation per edited record, then one per change, then the summary.

    Each edited record's line says what it does to verdicts (first, since GitHub
    shows only the first annotations of a step); each change is then annotated on
    the new registry's line behind it. A line only in the old registry (a removed
    allegation) is annotated without a file: it is not in the pull request's files.
    """
    for line in _edit_annotations(result):
        stream.write(line)
    for change in result.changes:
        where = change.where if change.where and change.where.side == "new" else None
        why = f": {change.reasons[0].rule.code} {change.reasons[0].text}" if change.reasons \
            else ""
        old_line = f" (line {where_text(change.where)})" if change.where and not where else ""
        stream.write(_annotation(
            _level(change.effect), f"{_STATUS_CODES[change.status]} {change.kind} {change.id}",
            f"{change.name} ({change.id}): {verdict_change(change)}{why}{old_line}",
            where.path if where else None, where.line if where else None,
        ))
    stream.write(f"{diff_heading(result)}: {diff_summary(result.counts())}\n")


@renderer("roster-diff", "github")
def roster_diff_github(result: RosterDiff, stream: TextIO) -> None:
    """One annotation per changed row, on the roster's line, then the summary."""
    for change in result.changes:
        why = f": {change.reasons[0].rule.code} {change.reasons[0].text}" if change.reasons \
            else ""
        stream.write(_annotation(
            _level(change.effect), f"{Code.VERDICT_CHANGED} row {change.row}",
            f"{change.name or change.unit}: {verdict_change(change)}{why}",
            result.roster, change.line,
        ))
    stream.write(f"{diff_heading(result)}: {len(result.changes)} of {result.rows} rows "
                 f"change: {diff_summary(result.counts())}\n")
