"""Rich output for people at a terminal: a verdict panel, and an entry's record.

Written to read at 80 columns and without colour (`NO_COLOR`): every colour
repeats something the words already say. Registry and query text is put in
`Text` objects, never in markup, so a name holding `[red]` prints as written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from vetting.model import Allegation, Law, PartialDate, Source
from vetting.prohibited import Prohibited
from vetting.render import renderer
from vetting.roster import ERROR, Batch, RowResult
from vetting.rules import LAW_TITLES, Answer, Reason, Verdict
from vetting.show import Profile

COLOURS = {
    Verdict.ELIGIBLE: "green",
    Verdict.REVIEW: "yellow",
    Verdict.SUSPENDED: "dark_orange",
    Verdict.INELIGIBLE: "red",
}
MEANINGS = {
    Verdict.ELIGIBLE: "Assistance may go ahead: nothing in the registry bars it.",
    Verdict.REVIEW: "A person must decide before assistance goes ahead.",
    Verdict.SUSPENDED: "Assistance is withheld while an allegation of a gross violation of "
    "human rights is investigated.",
    Verdict.INELIGIBLE: "No assistance: credible information of a gross violation of human "
    "rights.",
}
DUTY_TO_INFORM = (
    "Duty to inform: the Secretary of State must inform the foreign government of the "
    "basis for withholding assistance (22 U.S.C. 2378d(c))."
)
INDENT = 4
_LAW_NAMES = {Law.STATE: "State law", Law.DOD: "DoD law"}


def console_for(stream: TextIO) -> Console:
    """A console on the stream: colour and width from the terminal, none when piped."""
    return Console(file=stream, highlight=False, emoji=False, soft_wrap=False)


def _verdict(verdict: Verdict) -> Text:
    return Text(str(verdict), style=f"bold {COLOURS[verdict]}")


def _heading(title: str) -> Text:
    return Text(title, style="bold underline")


def _indented(text: Text | str, depth: int = INDENT) -> Padding:
    return Padding(Text(text) if isinstance(text, str) else text, (0, 0, 0, depth))


def _markers(numbers: Iterable[int]) -> str:
    return "".join(f"[{number}]" for number in numbers)


def _hanging(label: Text, body: Text, depth: int = 2) -> Padding:
    """`label body`, the lines `body` wraps onto starting under its first character."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row(label, body)
    return Padding(grid, (0, 0, 0, depth))


def _citation(number: int, source: Source) -> RenderableType:
    """`[n] Title. Publisher, date.` and the URL, wrapped lines under the title."""
    published = f", {source.published}" if source.published else ""
    body = Text(f"{source.title}. {source.publisher}{published}.")
    if source.url:
        body.append("\n").append(source.url, style="cyan")
    return _hanging(Text(f"[{number}]", style="bold"), body)


@renderer("verdict", "table")
def verdict_table(answer: Answer, stream: TextIO) -> None:
    print_verdict(answer, console_for(stream))


def print_verdict(answer: Answer, console: Console) -> None:
    """The verdict panel: verdict, matches, reasons with citation markers, sources."""
    query = answer.query
    asked = Text.assemble(("Query: ", "bold"), f"{query.kind} {query.name!r}")
    for label, value in (("unit", query.unit), ("born", query.birth_date),
                         ("country", query.country)):
        if value:
            asked.append(f", {label} {value if label != 'unit' else repr(value)}")
    parts: list[RenderableType] = [
        Text.assemble(_verdict(answer.verdict), "  ", MEANINGS[answer.verdict]),
        asked,
        Text(
            f"As of {answer.as_of} under {LAW_TITLES[answer.law]}; "
            f"valid until {answer.valid_until}."
        ),
    ]
    if answer.duty_to_inform:
        parts.append(Text(DUTY_TO_INFORM, style="bold"))
    parts += ["", _heading("Matches")]
    if not answer.matches:
        parts.append(_indented("None: no unit or person in the registry is close to this "
                               "name.", 2))
    for match in answer.matches:
        candidate = match.candidate
        parts.append(_hanging(
            _verdict(match.verdict), Text.assemble((candidate.name, "bold"), f" ({candidate.id})")
        ))
        why = "; ".join(candidate.explanation)
        parts.append(_indented(
            f"{candidate.kind}, {candidate.band} {candidate.score:.0f}{': ' if why else ''}{why}"
        ))
    if answer.more_matches:
        more = answer.more_matches
        parts.append(_indented(f"and {more} more candidate{'s' if more > 1 else ''}, not "
                               "listed (--max-candidates 0 lists all)", 2))
    parts += ["", _heading("Reasons")]
    for reason, cited in zip(answer.reasons, answer.citations, strict=True):
        parts.append(_indented(Text.assemble(
            _verdict(reason.verdict), f"  {reason.rule.code} {reason.rule.slug}",
            (f"  {_markers(cited)}" if cited else "", "bold"),
        ), 2))
        parts.append(_indented(reason.text))
    if answer.sources:
        parts += ["", _heading("Sources")]
        for number, source in enumerate(answer.sources, start=1):
            parts.append(_citation(number, source))
    registry = answer.registry
    parts += ["", Text(
        f"Registry {registry.digest[:19]}…: {registry.units} units, {registry.people} "
        f"people, {registry.allegations} allegations.", style="dim",
    )]
    console.print(Panel(
        Group(*parts), title=Text(f"vet {query.kind}", style="bold"), title_align="left",
        border_style=COLOURS[answer.verdict], padding=(0, 1),
    ))


@renderer("entity", "table")
def entity_table(profile: Profile, stream: TextIO) -> None:
    print_entity(profile, console_for(stream))


def _span(start: PartialDate | None, end: PartialDate | None) -> str:
    if start is None and end is None:
        return "dates not recorded"
    return f"{start or '…'} to {end or 'now'}"


def print_entity(profile: Profile, console: Console) -> None:
    """One entry's record: names, links, posts, allegations with numbered sources."""
    record = profile.record
    parts: list[RenderableType] = []

    def field(label: str, value: str) -> None:
        parts.append(_indented(Text.assemble((f"{label}: ", "bold"), value), 0))

    def listing(title: str, lines: Iterable[str]) -> None:
        shown = list(lines)
        if shown:
            parts.extend(["", _heading(title)])
            parts.extend(_indented(line, 2) for line in shown)

    named = record.id if isinstance(record, Allegation) else f"{record.name} ({record.id})"
    parts.append(Text(named, style="bold"))
    if profile.kind in ("unit", "person"):
        aliases = getattr(record, "aliases", [])
        if aliases:
            field("Also known as", "; ".join(aliases))
        field("Country", record.country)
    if profile.kind == "unit":
        unit = profile.record
        field("Force", unit.force.replace("_", " "))
        field("Existed", _span(unit.start, unit.end))
        if unit.notes:
            field("Notes", unit.notes)
        listing("Parents (nearest first)", (f"{u.name} ({u.id})" for u in profile.parents))
        listing("Parent links", (
            f"{above.name + ' ' if above else ''}({link.unit}), "
            f"{_span(link.start, link.end)}" for link, above in profile.links
        ))
        listing("Children", (f"{u.name} ({u.id})" for u in profile.children))
        listing(
            f"Barred units below it on {profile.as_of} under {_LAW_NAMES[profile.law]}",
            (f"{u.name} ({u.id}): {found.verdict} ({_because(found.reasons[0])})"
             for u, found in profile.barred),
        )
        listing("Predecessors", (f"{u.name} ({u.id})" for u in profile.predecessors))
        listing("Successors", (f"{u.name} ({u.id})" for u in profile.successors))
        listing("Posts", (
            f"{person.name} ({person.id}): {_post(post.role, post.rank)}, "
            f"{_span(post.start, post.end)}" for person, post in profile.posts
        ))
    elif profile.kind == "person":
        person = profile.record
        if person.birth_date:
            field("Born", str(person.birth_date))
        listing("Posts", (
            f"{_post(post.role, post.rank)} in "
            f"{unit.name + ' ' if unit else ''}({post.unit}), {_span(post.start, post.end)}"
            for post, unit in profile.held
        ))
    else:
        listing("Units named", (f"{u.name} ({u.id})" for u in profile.units))
        listing("People named", (f"{p.name} ({p.id})" for p in profile.people))
    if profile.allegations:
        parts.extend(["", _heading("Allegations")])
    for allegation in profile.allegations:
        where = f", {allegation.place}" if allegation.place else ""
        parts.append(_indented(Text.assemble(
            (allegation.id, "bold"), f" ({allegation.date}{where})"
        ), 2))
        parts.append(_indented(allegation.summary))
        violations = ", ".join(
            f"{violation.replace('_', ' ')} ({violation.gravity.replace('_', ' ')})"
            for violation in allegation.violations
        )
        parts.append(_indented(f"Violations: {violations}. Credibility: "
                               f"{allegation.credibility.replace('_', ' ')}."))
        if allegation.remediation:
            remedy = allegation.remediation
            dated = f" of {remedy.date}" if remedy.date else ""
            parts.append(_indented(f"Remediation: {remedy.kind.replace('_', ' ')}{dated} "
                                   f"({remedy.reference}), under {remedy.kind.law} law."))
        for evidence in allegation.evidence:
            number = profile.source_number(evidence.source)
            quote = f'"{evidence.quote}"' if evidence.quote else "(cited without a quote)"
            parts.append(_hanging(Text(f"[{number}]"), Text(quote), INDENT + 2))
    if profile.sources:
        parts.extend(["", _heading("Sources")])
        for number, source in enumerate(profile.sources, start=1):
            parts.append(_citation(number, source))
    console.print(Panel(
        Group(*parts), title=Text(f"vet show: {profile.kind}", style="bold"),
        title_align="left", padding=(0, 1),
    ))


def _because(reason: Reason) -> str:
    return reason.rule.slug + (f", allegation {reason.allegation}" if reason.allegation else "")


def _post(role: str, rank: str | None) -> str:
    return f"{rank + ', ' if rank else ''}{role.replace('_', ' ')}"


# --- vet batch ----------------------------------------------------------------------


def _batch_verdict(verdict: str) -> Text:
    colour = "magenta" if verdict == ERROR else COLOURS[Verdict(verdict)]
    return Text(verdict, style=f"bold {colour}")


def batch_summary(batch: Batch) -> str:
    """One line for standard error: rows per verdict, the as-of date, the registry digest."""
    counts = ", ".join(f"{count} {verdict}" for verdict, count in batch.counts.items() if count)
    rows = len(batch.results)
    return (
        f"vet batch: {rows} row{'' if rows == 1 else 's'}{': ' + counts if counts else ''}; "
        f"as of {batch.as_of} under {LAW_TITLES[batch.law]}; registry {batch.registry.digest}"
        + (f"; since {batch.previous}: {rechecked(batch)}" if batch.previous is not None else "")
    )


def rechecked(batch: Batch) -> str:
    """`2 verdicts changed, 1 result expired` since the previous run."""
    counts = batch.rechecked
    changed, expired = counts["changed"], counts["expired"]
    return (f"{changed} verdict{'' if changed == 1 else 's'} changed, {expired} earlier "
            f"result{'' if expired == 1 else 's'} expired")


def recheck_text(result: RowResult) -> str:
    """What re-vetting found for a row: `ELIGIBLE → INELIGIBLE; expired 2025-06-30`."""
    check = result.recheck
    if check is None:
        return ""
    parts = [f"{check.verdict} → {result.verdict}"] if check.changed else []
    if check.expired:
        parts.append(f"the result of {check.as_of} expired on {check.valid_until}")
    return "; ".join(parts)


def _row_reason(result: RowResult) -> Text:
    if result.answer is None:
        lines = [f"{error.code.code} {error.message}" for error in result.row.errors]
        return Text("\n".join(lines))
    first, *rest = result.answer.reasons
    more = f" (and {len(rest)} more)" if rest else ""
    return Text(f"{first.rule.code} {first.text}{more}")


def _shown_cell(text: str) -> str:
    """A roster cell as a terminal may show it: a control character (an escape that
    could move the cursor and rewrite the counts above) as its code, `\x1b`."""
    return "".join(repr(character)[1:-1]
                   if unicodedata.category(character) == "Cc" and character != "\n"
                   else character for character in text)


def _row_query(batch: Batch, result: RowResult) -> Text:
    name, unit = (_shown_cell(batch.roster.written(result.row, field) or "")
                  for field in ("name", "unit"))
    asked = Text(name or unit or "(blank)")
    if name and unit:
        asked.append(f"\nof {unit}", style="dim")
    return asked


# Rows listed by number when only their earlier result expired; more are counted.
EXPIRED_LISTED = 20


def _print_rechecks(batch: Batch, console: Console) -> None:
    """The rows whose verdict changed, with why; then the rows whose result only expired."""
    checked = [result for result in batch.results if result.recheck is not None]
    changed = [result for result in checked if result.recheck and result.recheck.changed]
    expired = [result.row.row for result in checked
               if result.recheck and result.recheck.expired and not result.recheck.changed]
    console.print(Text.assemble(("\nSince the previous run", "bold underline"),
                                f" ({batch.previous}): {rechecked(batch)}"))
    if changed:
        table = Table(show_header=True, header_style="bold", show_lines=True, expand=True)
        table.add_column("Row", justify="right", no_wrap=True)
        table.add_column("Name / unit", ratio=1, overflow="fold")
        table.add_column("Then → now", ratio=1, overflow="fold")
        table.add_column("Why", ratio=2, overflow="fold")
        for result in changed:
            table.add_row(str(result.row.row), _row_query(batch, result),
                          Text(recheck_text(result)), _row_reason(result))
        console.print(table)
    if expired:
        shown = ", ".join(map(str, expired[:EXPIRED_LISTED]))
        more = f" and {len(expired) - EXPIRED_LISTED:,} more" if len(expired) > EXPIRED_LISTED \
            else ""
        console.print(Text(
            f"Earlier result expired, verdict unchanged: row{'s' if len(expired) > 1 else ''} "
            f"{shown}{more}. Each must be vetted again; formats csv, json and jsonl mark "
            "every row."
        ))
    if not changed and not expired:
        console.print(Text("No verdict changed and no earlier result expired."))


@renderer("batch", "table")
def batch_table(batch: Batch, stream: TextIO) -> None:
    """Rows per verdict, then each row that is not ELIGIBLE with its first reason."""
    console = console_for(stream)
    rows = len(batch.results)
    console.print(Text.assemble(
        ("vet batch: ", "bold"), batch.roster.source, f" ({rows} row{'' if rows == 1 else 's'})"
    ))
    counts = Table(show_header=True, header_style="bold", box=None, padding=(0, 2, 0, 0))
    counts.add_column("Verdict")
    counts.add_column("Rows", justify="right")
    for verdict, count in batch.counts.items():
        counts.add_row(_batch_verdict(verdict), str(count))
    console.print(Padding(counts, (1, 0, 1, 2), expand=False))
    flagged = [result for result in batch.results if result.verdict != Verdict.ELIGIBLE]
    if flagged:
        console.print(_heading("Rows not ELIGIBLE"))
        table = Table(show_header=True, header_style="bold", show_lines=True, expand=True)
        table.add_column("Row", justify="right", no_wrap=True)
        table.add_column("Name / unit", ratio=1, overflow="fold")
        table.add_column("Verdict", no_wrap=True)
        table.add_column("Reason", ratio=2, overflow="fold")
        for result in flagged:
            table.add_row(
                str(result.row.row), _row_query(batch, result), _batch_verdict(result.verdict),
                _row_reason(result),
            )
        console.print(table)
    else:
        console.print(Text("Every row is ELIGIBLE.", style="bold green"))
    if batch.previous is not None:
        _print_rechecks(batch, console)
    for warning in batch.roster.warnings:
        console.print(Text(f"Warning: {warning}", style="yellow"))
    registry = batch.registry
    console.print(Text(
        f"As of {batch.as_of} under {LAW_TITLES[batch.law]}.\n"
        f"Registry: {registry.units} units, {registry.people} people, "
        f"{registry.allegations} allegations; {registry.digest}.\n"
        "Rows are numbered from 1 after the header. Formats csv, json and jsonl give "
        "every row's reasons and sources.",
        style="dim",
    ))


# --- vet prohibited ------------------------------------------------------------------


@renderer("prohibited", "table")
def prohibited_table(listing: Prohibited, stream: TextIO) -> None:
    """Each barred unit with its verdict, rules and allegations; the sources numbered below."""
    console = console_for(stream)
    where = f" in {listing.country}" if listing.country else ""
    counts = ", ".join(f"{count} {verdict}" for verdict, count in listing.counts().items())
    console.print(Text.assemble(
        ("Units prohibited from assistance", "bold"),
        f"{where} as of {listing.as_of} under {LAW_TITLES[listing.law]}: "
        f"{len(listing.units)} ({counts}).",
    ))
    numbers: dict[str, int] = {}
    sources: list[Source] = []
    if listing.units:
        table = Table(show_header=True, header_style="bold", show_lines=True, expand=True)
        table.add_column("Unit", ratio=1, overflow="fold")
        table.add_column("Verdict", no_wrap=True)
        table.add_column("Why", ratio=2, overflow="fold")
        for entry in listing.units:
            for source in entry.sources:
                if source.id not in numbers:
                    numbers[source.id] = len(numbers) + 1
                    sources.append(source)
            why = Text()
            for allegation in entry.allegations:
                rules = " ".join(dict.fromkeys(
                    reason.rule.code for reason in entry.reasons
                    if reason.allegation == allegation.id
                ))
                where_it = f", {allegation.place}" if allegation.place else ""
                cited = _markers(dict.fromkeys(
                    numbers[evidence.source] for evidence in allegation.evidence
                    if evidence.source in numbers
                ))
                if why:
                    why.append("\n")
                why.append(f"{rules} {allegation.id} ({allegation.date}{where_it}) ")
                why.append(cited, style="bold")
            unit = entry.unit
            table.add_row(
                Text.assemble((unit.name, "bold"), f"\n{unit.id}, {unit.country}"),
                _verdict(entry.verdict), why,
            )
        console.print(table)
    if sources:
        console.print(_heading("Sources"))
        for number, source in enumerate(sources, start=1):
            console.print(_citation(number, source))
    registry = listing.registry
    console.print(Text(
        f"Registry: {registry.units} units, {registry.people} people, "
        f"{registry.allegations} allegations; {registry.digest}.", style="dim",
    ))
