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
from vetting.model import Allegation, Person, Source, Unit
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
            if unit.parent:
                children[unit.parent].append(unit.id)
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

    def ancestors(self, unit_id: str) -> list[str]:
        """The chain of parents above a unit, nearest first (stops on a cycle)."""
        chain: list[str] = []
        seen = {unit_id}
        current = self.units.get(unit_id)
        while current is not None and current.parent and current.parent not in seen:
            chain.append(current.parent)
            seen.add(current.parent)
            current = self.units.get(current.parent)
        return chain

    def descendants(self, unit_id: str) -> list[str]:
        """Every unit below a unit through `parent`, breadth first."""
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
