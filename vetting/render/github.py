"""GitHub Actions output: workflow-command annotations that mark the lines in a pull request.

Escaping follows the runner's rules (actions/toolkit, `command.ts`): in the
message `%`, CR and LF are encoded; in properties also `:` and `,`, which
would otherwise end the value.
"""

from __future__ import annotations

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
    from vetting.diff import Effect, RegistryDiff, RosterDiff


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


@renderer("diff", "github")
def diff_github(result: RegistryDiff, stream: TextIO) -> None:
    """One annotation per change, on the new registry's line behind it, then the summary.

    A change whose line is only in the old registry (a removed allegation) is
    annotated without a file: that line is not in the pull request's files.
    """
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
