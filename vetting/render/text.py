"""Plain-text output: one line per finding, as compilers and linters print them; diffs."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from vetting.checks import Validation
from vetting.render import renderer

if TYPE_CHECKING:  # `vet validate` prints through this module and needs none of them
    from vetting.diff import EntityChange, RegistryDiff, RosterDiff, RowChange
    from vetting.revisions import Location


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def findings_summary(result: Validation) -> str:
    """One line: what was checked and how it went."""
    if result.ok:
        counts = ", ".join(
            _plural(count, word) for word, count in (
                ("unit", result.counts.get("units", 0)),
                ("person", result.counts.get("people", 0)),
                ("source", result.counts.get("sources", 0)),
                ("allegation", result.counts.get("allegations", 0)),
            )
        ).replace("persons", "people")
        warned = f" ({_plural(result.warnings, 'warning')})" if result.warnings else ""
        registries = "registry" if len(result.folders) == 1 else f"{len(result.folders)} registries"
        return f"{registries} ok: {counts}{warned}"
    flagged = len({finding.path for finding in result.findings})
    return (
        f"{_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')} "
        f"in {_plural(flagged, 'file')} (of {len(result.files)} checked)"
    )


@renderer("findings", "text")
def findings_text(result: Validation, stream: TextIO) -> None:
    """`PATH:LINE:COL: error VET123 message` per finding, then the summary line."""
    for finding in result.findings:
        stream.write(
            f"{finding.path}:{finding.line}:{finding.col}: {finding.level} "
            f"{finding.code} {finding.message}\n"
        )
    stream.write(findings_summary(result) + "\n")


# --- vet diff -------------------------------------------------------------------------


def where_text(where: Location | None) -> str:
    """`path:line`, with the old side's label when the line is in the old registry."""
    if where is None:
        return "(no registry line)"
    if where.side == "old" and not where.path.startswith(where.label):
        return f"{where}, in {where.label}"
    return str(where)


def verdict_change(change: EntityChange | RowChange) -> str:
    from vetting.diff import EFFECT_WORDS

    old = change.old or "no record"
    new = change.new or "no record"
    effect = f" ({EFFECT_WORDS[change.effect]})" if change.effect else ""
    return f"{old} → {new}{effect}"


def diff_summary(counts: dict[str, int]) -> str:
    """`3 barred, 1 lifted, 0 newly under review`, then any other effect that occurred."""
    from vetting.diff import EFFECT_WORDS, Effect

    parts = [f"{counts[str(effect)]} {EFFECT_WORDS[effect]}"
             for effect in (Effect.BARRED, Effect.LIFTED, Effect.REVIEW)]
    parts += [f"{counts[str(effect)]} {EFFECT_WORDS[effect]}"
              for effect in (Effect.CLEARED, Effect.CHANGED) if counts[str(effect)]]
    parts += [f"{counts[key]} {key}" for key in ("added", "removed") if counts.get(key)]
    return ", ".join(parts)


def diff_heading(result: RegistryDiff | RosterDiff) -> str:
    from vetting.rules import LAW_TITLES

    return (f"vet diff: {result.old} → {result.new}, as of {result.as_of} under "
            f"{LAW_TITLES[result.law]}")


@renderer("diff", "text")
def diff_text(result: RegistryDiff, stream: TextIO) -> None:
    """The edits, then each entity whose verdict changed with why and where, then a summary."""
    stream.write(diff_heading(result) + "\n")
    counts = result.edit_counts()
    stream.write(f"\nRegistry edits: {len(result.edits)} record"
                 f"{'' if len(result.edits) == 1 else 's'} ({counts['added']} added, "
                 f"{counts['removed']} removed, {counts['changed']} changed)\n")
    for edit in result.edits:
        stream.write(f"  {where_text(edit.where)}: {edit.kind} {edit.id} {edit.status}\n")
    stream.write(f"\nVerdict changes: {len(result.changes)}\n")
    if not result.changes:
        stream.write("  none: every unit and person keeps its verdict\n")
    for change in result.changes:
        stream.write(f"  {change.kind} {change.id} ({change.name}, {change.country}): "
                     f"{verdict_change(change)}\n")
        for reason in change.reasons[:1]:
            stream.write(f"    {reason.rule.code} {reason.rule.slug}: {reason.text}\n")
        more = len(change.reasons) - 1
        if more > 0:
            stream.write(f"    (and {more} more reason{'s' if more > 1 else ''}: "
                         "--format json lists them)\n")
        stream.write(f"    at {where_text(change.where)}\n")
    stream.write(f"\nSummary: {diff_summary(result.counts())}\n")


@renderer("roster-diff", "text")
def roster_diff_text(result: RosterDiff, stream: TextIO) -> None:
    """Each roster row whose verdict changed, with the reason, then a summary."""
    stream.write(diff_heading(result) + "\n")
    stream.write(f"Roster: {result.roster} ({result.rows} rows)\n\n")
    if not result.changes:
        stream.write("No row's verdict changes.\n")
    for change in result.changes:
        asked = change.name or change.unit
        of = f" of {change.unit}" if change.name and change.unit else ""
        stream.write(f"  row {change.row} (line {change.line}) {asked}{of}: "
                     f"{verdict_change(change)}\n")
        for reason in change.reasons[:1]:
            stream.write(f"    {reason.rule.code} {reason.rule.slug}: {reason.text}\n")
    stream.write(f"\nSummary: {len(result.changes)} of {result.rows} rows change: "
                 f"{diff_summary(result.counts())}\n")
