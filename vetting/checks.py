"""Integrity checks across records, beyond what the schema of one record can say.

`run()` takes the records `records.read()` kept and returns findings (VET3xx):
references to ids that do not exist, parent cycles (on any day, for dated
links), overlapping dated parent links, duplicate ids, spans that end before
they start, allegations dated in the future, blank names, allegations
with no subject, names shared by two units of one country, and unused sources.
`validate()` is the whole of `vet validate` for one registry folder: read,
schema, integrity.

Every check is a pass over the records with dict and set lookups, so a registry
of 120,000 records is checked in about a second. A record that failed
the schema is not checked here, but its id still counts as existing (see
`Records.claimed_ids`), so one typo is reported once, not again at every
reference to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vetting.codes import Code, Finding, Level, clip
from vetting.model import ParentLink, PartialDate, Person, Unit
from vetting.records import ALLEGATIONS_FILE, LAYOUT, UNITS_FILE, Records, read

UNITS = UNITS_FILE
ALLEGATIONS = ALLEGATIONS_FILE
Loc = tuple[str | int, ...]

# Combining marks (accents, diacritics) as NFKD leaves them: the blocks used by
# Latin, Greek and Cyrillic script, which is what registry names are written in.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# How many units a cycle message lists before it only gives the count.
_CYCLE_SHOWN = 8
# The most link checks the cycle check makes for one group of units that lead back to
# each other through links in force on different days.
_CYCLE_WORK = 2_000_000


@dataclass(frozen=True)
class Validation:
    """The result of validating one or more registry folders."""

    folders: tuple[Path, ...]
    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.level is Level.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.level is Level.WARNING)

    @property
    def ok(self) -> bool:
        """Valid: no errors (warnings allowed)."""
        return self.errors == 0

    @classmethod
    def combine(cls, results: Sequence[Validation]) -> Validation:
        """Several registries' results as one, findings sorted by path, line and column."""
        counts: dict[str, int] = {}
        for result in results:
            for section, count in result.counts.items():
                counts[section] = counts.get(section, 0) + count
        return cls(
            folders=tuple(folder for result in results for folder in result.folders),
            files=tuple(path for result in results for path in result.files),
            findings=tuple(sorted(
                (finding for result in results for finding in result.findings),
                key=Finding.sort_key,
            )),
            counts=counts,
        )


def validate(
    folder: Path, max_bytes: int | None = None, today: date | None = None
) -> Validation:
    """Read, schema-check and integrity-check the registry in `folder`.

    Raises loader.UnreadableError when the folder or one of its two files cannot
    be read at all; everything else wrong with them is a finding.
    """
    records, findings = read(folder, max_bytes)
    findings += run(records, today)
    return Validation(
        folders=(folder,),
        files=tuple(records.path(filename) for filename in LAYOUT),
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        counts={section: len(getattr(records, section))
                for layout in LAYOUT.values() for section in layout},
    )


def run(records: Records, today: date | None = None) -> list[Finding]:
    """The integrity findings of a registry's records (unsorted)."""
    today = today or date.today()
    findings: list[Finding] = []
    findings += _duplicate_ids(records)
    findings += _references(records)
    findings += _parent_cycles(records)
    findings += _overlapping_parents(records)
    findings += _spans(records, today)
    findings += _blank_names(records)
    findings += _no_subject(records)
    findings += _shared_names(records)
    findings += _unused_sources(records)
    return findings


def _line(records: Records, filename: str, loc: Loc) -> int:
    """The line a record stands on, to point from one finding to another record."""
    document = records.documents.get(filename)
    return document.position(loc)[0] if document else 1


def _raw_items(records: Records, filename: str, section: str) -> Iterator[
    tuple[int, dict[str, Any]]
]:
    """The mappings of one section as written, valid or not, with their index."""
    document = records.documents.get(filename)
    data = document.data if document else None
    items = data.get(section) if isinstance(data, dict) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


# --- duplicate ids ---------------------------------------------------------------

# Each group of sections shares one id space.
_ID_SPACES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (UNITS, ("units", "people")),
    (ALLEGATIONS, ("sources",)),
    (ALLEGATIONS, ("allegations",)),
)
_KIND = {"units": "unit", "people": "person", "sources": "source", "allegations": "allegation"}


def _duplicate_ids(records: Records) -> Iterator[Finding]:
    # Read from the file as written, so a record that failed the schema still
    # claims its id and a later record reusing it is reported.
    for filename, sections in _ID_SPACES:
        first: dict[str, tuple[str, int]] = {}
        for section in sections:
            for index, item in _raw_items(records, filename, section):
                record_id = item.get("id")
                if not isinstance(record_id, str):
                    continue
                if record_id not in first:
                    first[record_id] = (section, index)
                    continue
                other_section, other_index = first[record_id]
                line = _line(records, filename, (other_section, other_index))
                yield records.finding(
                    filename, (section, index, "id"), Code.DUPLICATE_ID,
                    f"duplicate id {clip(record_id)}: already the id of the "
                    f"{_KIND[other_section]} at line {line}",
                )


# --- references ------------------------------------------------------------------

@dataclass(frozen=True)
class _Ids:
    """The ids that exist, or None for a file that could not be read (no cascade)."""

    units: set[str] | None
    people: set[str] | None
    sources: set[str] | None


def _section_read(records: Records, filename: str, section: str) -> bool:
    """Whether a section's ids are known: its file parsed and the section is a list or absent."""
    document = records.documents.get(filename)
    if document is None:
        return False
    if document.data is None:
        return True  # an empty file: a registry with nothing in it yet
    return isinstance(document.data, dict) and isinstance(
        document.data.get(section, []), list | None
    )


def _known_ids(records: Records) -> _Ids:
    def known(filename: str, section: str) -> set[str] | None:
        if not _section_read(records, filename, section):
            return None
        return set(records.claimed_ids.get(section, ()))

    return _Ids(
        units=known(UNITS, "units"),
        people=known(UNITS, "people"),
        sources=known(ALLEGATIONS, "sources"),
    )


def _why_unknown(
    value: str, known: set[str] | None, kind: str,
    other: set[str] | None = None, other_kind: str = "",
) -> str | None:
    """Why `value` is not the id of a `kind`, or None when it is (or cannot be known)."""
    if known is None or value in known:
        return None
    if other is not None and value in other:
        return f"{clip(value)} names a {other_kind}, not a {kind}"
    return f"unknown {kind} {clip(value)}"


def _references(records: Records) -> Iterator[Finding]:
    ids = _known_ids(records)

    def to_unit(value: str) -> str | None:
        return _why_unknown(value, ids.units, "unit", ids.people, "person")

    def to_person(value: str) -> str | None:
        return _why_unknown(value, ids.people, "person", ids.units, "unit")

    def to_source(value: str) -> str | None:
        return _why_unknown(value, ids.sources, "source")

    # (file, where, the id named, what it must be, how the message calls the field)
    def named() -> Iterator[tuple[str, Loc, str, Callable[[str], str | None], str]]:
        for index, unit in records.units:
            if unit.parent:
                yield UNITS, ("units", index, "parent"), unit.parent, to_unit, "parent"
            for j, link in enumerate(unit.parents):
                yield UNITS, ("units", index, "parents", j, "unit"), link.unit, to_unit, "parents"
            for j, predecessor in enumerate(unit.predecessors):
                yield (UNITS, ("units", index, "predecessors", j), predecessor, to_unit,
                       "predecessor")
        for index, person in records.people:
            for j, post in enumerate(person.posts):
                yield (UNITS, ("people", index, "posts", j, "unit"), post.unit, to_unit,
                       "post unit")
        for index, allegation in records.allegations:
            for j, unit_id in enumerate(allegation.units):
                yield ALLEGATIONS, ("allegations", index, "units", j), unit_id, to_unit, "unit"
            for j, person_id in enumerate(allegation.people):
                yield (ALLEGATIONS, ("allegations", index, "people", j), person_id, to_person,
                       "person")
            for j, evidence in enumerate(allegation.evidence):
                yield (ALLEGATIONS, ("allegations", index, "evidence", j, "source"),
                       evidence.source, to_source, "evidence source")

    for filename, loc, value, why_not, field_name in named():
        why = why_not(value)
        if why is not None:
            yield records.finding(filename, loc, Code.UNKNOWN_REFERENCE, f"{field_name}: {why}")


# --- parent links ----------------------------------------------------------------

# A link as the cycle check walks it: the unit above, and where the link is written.
_Edge = tuple[str, ParentLink, Loc]


def _parent_graph(records: Records) -> tuple[dict[str, int], dict[str, list[_Edge]]]:
    index_of: dict[str, int] = {}
    edges: dict[str, list[_Edge]] = {}
    for index, unit in records.units:
        if unit.id in index_of:
            continue  # a duplicate id is reported as such; the first record stands
        index_of[unit.id] = index
        if unit.parent:
            edges[unit.id] = [(unit.parent, unit.links[0], ("units", index, "parent"))]
        elif unit.parents:
            edges[unit.id] = [
                (link.unit, link, ("units", index, "parents", j, "unit"))
                for j, link in enumerate(unit.parents)
            ]
    return index_of, edges


def _strongly_connected(edges: dict[str, list[_Edge]]) -> Iterator[list[str]]:
    """Tarjan's components of the graph of every link ever, without recursion."""
    number: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in edges:
        if root in number:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                number[node] = low[node] = len(number)
                stack.append(node)
                on_stack.add(node)
            out = edges.get(node, [])
            if position < len(out):
                work.append((node, position + 1))
                above = out[position][0]
                if above not in number:
                    work.append((above, 0))
                elif above in on_stack:
                    low[node] = min(low[node], number[above])
                continue
            for above, _, _ in out:
                if above in on_stack:
                    low[node] = min(low[node], low[above])
            if low[node] == number[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                yield component


def _cycles_on(
    members: set[str], edges: dict[str, list[_Edge]], day: PartialDate | None,
) -> Iterator[list[tuple[str, Loc]]]:
    """Each cycle among `members` through the links in force on `day` (None: every link)."""

    def out(node: str) -> Iterator[_Edge]:
        for edge in edges.get(node, []):
            if edge[0] in members and (day is None or edge[1].covers(day, day)):
                yield edge

    done: set[str] = set()
    for root in members:
        if root in done:
            continue
        # The path from the root: each unit with the links still to follow from it, and
        # the link it was left by.
        path: list[tuple[str, Iterator[_Edge]]] = [(root, out(root))]
        left_by: list[Loc] = []
        on_path = {root}
        while path:
            node, pending = path[-1]
            edge = next(pending, None)
            if edge is None:
                path.pop()
                on_path.discard(node)
                done.add(node)
                if left_by:
                    left_by.pop()
                continue
            above, _, loc = edge
            if above in on_path:
                start = next(k for k, (unit, _) in enumerate(path) if unit == above)
                yield [(unit, where) for (unit, _), where in zip(
                    path[start:], [*left_by[start:], loc], strict=True)]
            elif above not in done:
                left_by.append(loc)
                path.append((above, out(above)))
                on_path.add(above)


def _parent_cycles(records: Records) -> Iterator[Finding]:
    # Only units in one strongly connected component of the graph of every link ever can
    # be on a cycle; each such component is then walked on every day a link in it starts
    # (the links in force change only then), so a cycle that exists on any day is found,
    # and links that never held at the same time are not a cycle.
    index_of, edges = _parent_graph(records)
    for component in _strongly_connected(edges):
        members = set(component)
        alone = component[0]
        if len(component) == 1 and all(edge[0] != alone for edge in edges.get(alone, [])):
            continue
        links = [edge[1] for unit in component for edge in edges.get(unit, [])]
        starts = {link.start.first: link.start for link in links if link.start}
        days: list[PartialDate | None] = [starts[first] for first in sorted(starts)]
        if any(link.start is None for link in links):
            # Before any start: the earliest end is a day on which every link with an
            # open start still holds.
            ends = [link.end for link in links if link.end is not None]
            days.insert(0, min(ends, key=lambda end: end.last) if ends else None)
        # A registry built to make this slow (thousands of units whose links lead back
        # to each other, each starting on another day) is cut short, and said so.
        checked = days[:max(1, _CYCLE_WORK // len(links))]
        seen: set[frozenset[str]] = set()
        for day in checked:
            for cycle in _cycles_on(members, edges, day):
                key = frozenset(unit for unit, _ in cycle)
                if key in seen:
                    continue
                seen.add(key)
                yield _cycle_finding(records, index_of, cycle, day)
        if len(checked) < len(days) and not seen:
            first = min(component, key=index_of.__getitem__)
            yield records.finding(
                UNITS, edges[first][0][2], Code.PARENT_CYCLE,
                f"the parent links of {len(component)} units around {clip(first, 40)} lead "
                f"back to each other, with links starting on {len(days)} dates: too many to "
                "check each day; break the loop",
            )


def _cycle_finding(
    records: Records, index_of: dict[str, int], cycle: list[tuple[str, Loc]],
    day: PartialDate | None,
) -> Finding:
    # Reported at the link of the cycle's unit that comes first in the file.
    head = min(range(len(cycle)), key=lambda k: index_of[cycle[k][0]])
    ordered = cycle[head:] + cycle[:head]
    ids = [unit for unit, _ in ordered]
    shown = [clip(unit_id, 40) for unit_id in ids[:_CYCLE_SHOWN]]
    back = clip(ids[0], 40) if len(ids) <= _CYCLE_SHOWN else f"… ({len(ids)} units)"
    chain = " → ".join([*shown, back])
    dated = any(loc[2] == "parents" for _, loc in ordered)
    when = f" on {day}" if dated and day is not None else ""
    return records.finding(UNITS, ordered[0][1], Code.PARENT_CYCLE,
                           f"parent cycle{when}: {chain}")


def _overlapping_parents(records: Records) -> Iterator[Finding]:
    for index, unit in records.units:
        for j, link in enumerate(unit.parents):
            if _ends_before_start(link.start, link.end):
                continue  # VET304
            for k, earlier in enumerate(unit.parents[:j]):
                if not _ends_before_start(earlier.start, earlier.end) and link.covers(
                    earlier.start, earlier.end
                ):
                    line = _line(records, UNITS, ("units", index, "parents", k))
                    yield records.finding(
                        UNITS, ("units", index, "parents", j), Code.OVERLAPPING_PARENTS,
                        f"the link to {clip(link.unit)} ({_span(link.start, link.end)}) "
                        f"overlaps the link to {clip(earlier.unit)} at line {line} "
                        f"({_span(earlier.start, earlier.end)})",
                    )
                    break


def _span(start: PartialDate | None, end: PartialDate | None) -> str:
    return f"{start or '…'} to {end or 'now'}"


# --- dates -----------------------------------------------------------------------

def _ends_before_start(start: PartialDate | None, end: PartialDate | None) -> bool:
    return start is not None and end is not None and end.last < start.first


def _end_before_start(
    records: Records, filename: str, loc: Loc,
    start: PartialDate | None, end: PartialDate | None,
) -> Iterator[Finding]:
    # Partial dates are spans: `start: 2020-06, end: 2020` is fine, the end year
    # runs to December.
    if _ends_before_start(start, end):
        assert end is not None and start is not None
        yield records.finding(
            filename, (*loc, "end"), Code.END_BEFORE_START,
            f"end {end} is before start {start}",
        )


def _spans(records: Records, today: date) -> Iterator[Finding]:
    for index, unit in records.units:
        yield from _end_before_start(records, UNITS, ("units", index), unit.start, unit.end)
        for j, link in enumerate(unit.parents):
            yield from _end_before_start(
                records, UNITS, ("units", index, "parents", j), link.start, link.end
            )
    for index, person in records.people:
        for j, post in enumerate(person.posts):
            yield from _end_before_start(
                records, UNITS, ("people", index, "posts", j), post.start, post.end
            )
    for index, allegation in records.allegations:
        if allegation.date.first > today:
            yield records.finding(
                ALLEGATIONS, ("allegations", index, "date"), Code.FUTURE_DATE,
                f"date {allegation.date} is in the future",
            )
        remedy = allegation.remediation
        if remedy is not None and remedy.date is not None and remedy.date.first > today:
            # A determination not yet made lifts nothing; dated ahead, it would lift the
            # bar by itself on that day, unreviewed.
            yield records.finding(
                ALLEGATIONS, ("allegations", index, "remediation", "date"), Code.FUTURE_DATE,
                f"remediation date {remedy.date} is in the future",
            )


# --- names -----------------------------------------------------------------------

def _blank(text: str) -> bool:
    stripped = text.strip()
    if stripped.isascii():
        return not stripped
    # Zero-width and other format characters are as invisible as spaces.
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in stripped)


def _named(records: Records) -> Iterator[tuple[str, int, Unit | Person]]:
    for index, unit in records.units:
        yield "units", index, unit
    for index, person in records.people:
        yield "people", index, person


def _blank_names(records: Records) -> Iterator[Finding]:
    for section, index, record in _named(records):
        if _blank(record.name):
            yield records.finding(UNITS, (section, index, "name"), Code.EMPTY_NAME,
                                  "name is empty or blank")
        for j, alias in enumerate(record.aliases):
            if _blank(alias):
                yield records.finding(UNITS, (section, index, "aliases", j), Code.EMPTY_NAME,
                                      "alias is empty or blank")


def name_key(text: str) -> str:
    """A name as a query would meet it: case, accents, width and spacing folded.

    `Policía  Federal`, `POLICIA FEDERAL` and `policia federal` give one key, so
    two units carrying them could not be told apart by a query.
    """
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(text.casefold().split())


def _shared_names(records: Records) -> Iterator[Finding]:
    owner: dict[tuple[str, str], tuple[str, int]] = {}
    for index, unit in records.units:
        names: list[tuple[Loc, str]] = [(("units", index, "name"), unit.name)]
        names += [(("units", index, "aliases", j), alias) for j, alias in enumerate(unit.aliases)]
        seen_here: set[str] = set()
        for loc, text in names:
            key = name_key(text)
            if not key or key in seen_here:
                continue  # blank names are VET306; a unit repeating its own name is harmless
            seen_here.add(key)
            first = owner.setdefault((unit.country, key), (unit.id, index))
            if first[1] == index:
                continue
            other = _line(records, UNITS, ("units", first[1]))
            yield records.finding(
                UNITS, loc, Code.SHARED_ALIAS,
                f"{clip(text)} is also a name of unit {clip(first[0])} (line {other}) in "
                f"{unit.country}",
            )


# --- allegations and sources -----------------------------------------------------

def _no_subject(records: Records) -> Iterator[Finding]:
    for index, allegation in records.allegations:
        if not allegation.units and not allegation.people:
            yield records.finding(
                ALLEGATIONS, ("allegations", index, "units"), Code.NO_SUBJECT,
                "the allegation names no unit and no person; give at least one in "
                "`units` or `people`",
            )


def _cited_sources(records: Records) -> set[str]:
    # From the file as written: an allegation that failed the schema still cites
    # its sources, which are then not reported as unused.
    cited: set[str] = set()
    for _, item in _raw_items(records, ALLEGATIONS, "allegations"):
        evidence = item.get("evidence")
        if isinstance(evidence, list):
            cited.update(
                entry["source"] for entry in evidence
                if isinstance(entry, dict) and isinstance(entry.get("source"), str)
            )
    return cited


def _unused_sources(records: Records) -> Iterator[Finding]:
    if not records.sources:
        return
    cited = _cited_sources(records)
    for index, source in records.sources:
        if source.id not in cited:
            yield records.finding(
                ALLEGATIONS, ("sources", index, "id"), Code.UNUSED_SOURCE,
                f"source {clip(source.id)} is cited by no allegation",
            )
