"""The registry in use: its records by id, with the indexes the verdict engine walks.

Reading the files is `records`'s; checking them against each other is
`checks`'s. `open_registry` does both and refuses a registry with errors.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vetting import checks, loader
from vetting.codes import Finding, Level
from vetting.model import Allegation, PartialDate, Person, Source, Unit
from vetting.records import Records, locate, read


class RegistryError(Exception):
    """The registry cannot be used: unreadable, or it has errors."""


@dataclass(frozen=True)
class Registry:
    """The records the verdict engine reads, by id, with the indexes it walks."""

    units: Mapping[str, Unit]
    people: Mapping[str, Person]
    sources: Mapping[str, Source]
    allegations: Mapping[str, Allegation]
    digest: str
    folder: Path
    children: Mapping[str, tuple[str, ...]]
    successors: Mapping[str, tuple[str, ...]]
    posts_by_unit: Mapping[str, tuple[tuple[str, int], ...]]
    allegations_by_unit: Mapping[str, tuple[str, ...]]
    allegations_by_person: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_records(cls, records: Records) -> Registry:
        def first_of(pairs: list[tuple[int, Any]]) -> dict[str, Any]:
            table: dict[str, Any] = {}
            for _, record in pairs:
                table.setdefault(record.id, record)
            return table

        units = first_of(records.units)
        people = first_of(records.people)
        allegations = first_of(records.allegations)
        children: dict[str, list[str]] = defaultdict(list)
        successors: dict[str, list[str]] = defaultdict(list)
        for unit in units.values():
            # Every unit that was ever below: the dates are read from the child's links.
            for above in dict.fromkeys(link.unit for link in unit.links):
                children[above].append(unit.id)
            for predecessor in unit.predecessors:
                successors[predecessor].append(unit.id)
        posts: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for person in people.values():
            for index, post in enumerate(person.posts):
                posts[post.unit].append((person.id, index))
        by_unit: dict[str, list[str]] = defaultdict(list)
        by_person: dict[str, list[str]] = defaultdict(list)
        for allegation in allegations.values():
            for unit_id in dict.fromkeys(allegation.units):
                by_unit[unit_id].append(allegation.id)
            for person_id in dict.fromkeys(allegation.people):
                by_person[person_id].append(allegation.id)
        return cls(
            units=units,
            people=people,
            sources=first_of(records.sources),
            allegations=allegations,
            digest=records.digest,
            folder=records.folder,
            children=_freeze(children),
            successors=_freeze(successors),
            posts_by_unit=_freeze(posts),
            allegations_by_unit=_freeze(by_unit),
            allegations_by_person=_freeze(by_person),
        )

    def ancestors(
        self, unit_id: str, start: PartialDate | None = None, end: PartialDate | None = None,
    ) -> list[str]:
        """The units above a unit, nearest first, through the links that cover a span.

        Without a span, through every link the unit ever had. A span given by a
        partial date (an allegation's `2014`) can meet two links of a unit that moved
        that year: both are followed. A cycle stops the walk.
        """
        found: list[str] = []
        seen = {unit_id}
        level = [unit_id]
        while level:
            above: list[str] = []
            for current in level:
                unit = self.units.get(current)
                if unit is None:
                    continue
                for link in unit.links:
                    if link.unit not in seen and link.covers(start, end):
                        seen.add(link.unit)
                        above.append(link.unit)
            found += above
            level = above
        return found

    def descendants(self, unit_id: str) -> list[str]:
        """Every unit that was ever below a unit, breadth first."""
        found: list[str] = []
        seen = {unit_id}
        queue = deque([unit_id])
        while queue:
            current = queue.popleft()
            for child in self.children.get(current, ()):
                if child not in seen:
                    seen.add(child)
                    found.append(child)
                    queue.append(child)
        return found


def _freeze(table: Mapping[str, list[Any]]) -> dict[str, tuple[Any, ...]]:
    return {key: tuple(values) for key, values in table.items()}


def open_registry(data: Path | None = None, max_bytes: int | None = None) -> Registry:
    """The registry in use, ready for verdicts; RegistryError when it can't be used."""
    folder = locate(data)
    try:
        records, findings = read(folder, max_bytes)
    except loader.UnreadableError as error:
        raise RegistryError(str(error)) from None
    return checked(records, findings, str(folder), f"run `vet validate --data {folder}`")


def checked(records: Records, findings: list[Finding], where: str, hint: str) -> Registry:
    """The records as a registry after the integrity checks; RegistryError on any error.

    `findings` are those of reading; `where` names the registry in the message and
    `hint` says how to list every finding.
    """
    findings = [*findings, *checks.run(records)]
    errors = [finding for finding in findings if finding.level is Level.ERROR]
    if errors:
        first = errors[0]
        raise RegistryError(
            f"the registry in {where} has {len(errors)} error(s); first: "
            f"{first.path}:{first.line}:{first.col}: {first.code} {first.message} "
            f"({hint})"
        )
    return Registry.from_records(records)
