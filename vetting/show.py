"""The whole record of one registry entry, for `vet show ID`.

A unit with its chain of parents (as it stood on the as-of date) and the
history of its dated parent links, its children, the barred units below it on
the as-of date, predecessors and successors, the people who held posts in it
and the allegations naming it; a person with their posts and allegations; an
allegation with whom it names. Sources are those the listed allegations cite,
numbered in order of first use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from vetting.model import Allegation, Law, ParentLink, PartialDate, Person, Post, Source, Unit
from vetting.rules import Engine, EntityVerdict

if TYPE_CHECKING:
    from vetting.registry import Registry


@dataclass(frozen=True)
class Profile:
    """One entry of the registry and everything it is linked to."""

    kind: str  # "unit" | "person" | "allegation"
    record: Unit | Person | Allegation
    as_of: date
    law: Law
    parents: tuple[Unit, ...] = ()  # nearest first, on the as-of date
    links: tuple[tuple[ParentLink, Unit | None], ...] = ()  # dated parent links, as written
    barred: tuple[tuple[Unit, EntityVerdict], ...] = ()  # barred units below, on as-of
    children: tuple[Unit, ...] = ()
    predecessors: tuple[Unit, ...] = ()
    successors: tuple[Unit, ...] = ()
    posts: tuple[tuple[Person, Post], ...] = ()  # unit: who held posts in it
    held: tuple[tuple[Post, Unit | None], ...] = ()  # person: the posts they held
    units: tuple[Unit, ...] = ()  # allegation: the units it names
    people: tuple[Person, ...] = ()  # allegation: the people it names
    allegations: tuple[Allegation, ...] = ()
    sources: tuple[Source, ...] = ()

    @property
    def id(self) -> str:
        return self.record.id

    def source_number(self, source_id: str) -> int | None:
        for number, source in enumerate(self.sources, start=1):
            if source.id == source_id:
                return number
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `vet show --format json`: the record as in the YAML, and its links."""

        def brief(unit: Unit | Person) -> dict[str, str]:
            return {"id": unit.id, "name": unit.name}

        document: dict[str, Any] = {
            "kind": self.kind,
            "record": self.record.model_dump(mode="json", exclude_none=True),
        }
        if self.kind == "unit":
            document |= {
                "as_of": self.as_of.isoformat(),
                "law": str(self.law),
                "parents": [brief(unit) for unit in self.parents],
                "parent_links": [
                    {"id": link.unit, "name": unit.name if unit else None,
                     "start": str(link.start) if link.start else None,
                     "end": str(link.end) if link.end else None}
                    for link, unit in self.links
                ],
                "barred_units": [
                    brief(unit) | {"verdict": str(found.verdict),
                                   "rule": found.reasons[0].rule.slug,
                                   "allegation": found.reasons[0].allegation}
                    for unit, found in self.barred
                ],
                "children": [brief(unit) for unit in self.children],
                "predecessors": [brief(unit) for unit in self.predecessors],
                "successors": [brief(unit) for unit in self.successors],
                "posts": [
                    brief(person) | post.model_dump(mode="json", exclude_none=True)
                    for person, post in self.posts
                ],
            }
        elif self.kind == "person":
            document["posts"] = [
                post.model_dump(mode="json", exclude_none=True)
                | {"unit_name": unit.name if unit else None}
                for post, unit in self.held
            ]
        else:
            document |= {
                "units": [brief(unit) for unit in self.units],
                "people": [brief(person) for person in self.people],
            }
        document |= {
            "allegations": [
                allegation.model_dump(mode="json", exclude_none=True)
                for allegation in self.allegations
            ],
            "sources": [
                {"n": number} | source.model_dump(mode="json")
                for number, source in enumerate(self.sources, start=1)
            ],
        }
        return document


def profile(
    registry: Registry, entry_id: str, as_of: date | None = None, law: Law = Law.STATE,
) -> Profile | None:
    """The profile of the unit, person or allegation with this id; None if there is none.

    A unit's parents and the barred units below it are read on `as_of` (default:
    today) under `law`.
    """
    as_of = as_of or date.today()
    if entry_id in registry.units:
        return _unit(registry, registry.units[entry_id], Engine(registry, as_of=as_of, law=law))
    if entry_id in registry.people:
        return _person(registry, registry.people[entry_id], as_of, law)
    if entry_id in registry.allegations:
        allegation = registry.allegations[entry_id]
        return Profile(
            "allegation", allegation, as_of, law,
            units=_known(registry.units, allegation.units),
            people=_known(registry.people, allegation.people),
            allegations=(allegation,),
            sources=_sources(registry, (allegation,)),
        )
    return None


def _unit(registry: Registry, unit: Unit, engine: Engine) -> Profile:
    allegations = _by_date(registry, registry.allegations_by_unit.get(unit.id, ()))
    today = PartialDate.from_date(engine.as_of)
    return Profile(
        "unit", unit, engine.as_of, engine.law,
        parents=_known(registry.units, registry.ancestors(unit.id, today, today)),
        links=tuple((link, registry.units.get(link.unit)) for link in unit.parents),
        barred=tuple(
            (registry.units[found.id], found) for found in engine.barred_inside(unit.id)
        ),
        children=_known(registry.units, registry.children.get(unit.id, ())),
        predecessors=_known(registry.units, unit.predecessors),
        successors=_known(registry.units, registry.successors.get(unit.id, ())),
        posts=tuple(
            (registry.people[person_id], registry.people[person_id].posts[index])
            for person_id, index in registry.posts_by_unit.get(unit.id, ())
        ),
        allegations=allegations,
        sources=_sources(registry, allegations),
    )


def _person(registry: Registry, person: Person, as_of: date, law: Law) -> Profile:
    allegations = _by_date(registry, registry.allegations_by_person.get(person.id, ()))
    return Profile(
        "person", person, as_of, law,
        held=tuple((post, registry.units.get(post.unit)) for post in person.posts),
        allegations=allegations,
        sources=_sources(registry, allegations),
    )


def _known(table: Any, ids: Iterable[str]) -> tuple[Any, ...]:
    return tuple(table[entry_id] for entry_id in ids if entry_id in table)


def _by_date(registry: Registry, ids: Iterable[str]) -> tuple[Allegation, ...]:
    allegations = _known(registry.allegations, ids)
    return tuple(sorted(allegations, key=lambda allegation: allegation.date.first))


def _sources(registry: Registry, allegations: Iterable[Allegation]) -> tuple[Source, ...]:
    cited = dict.fromkeys(
        evidence.source for allegation in allegations for evidence in allegation.evidence
    )
    return _known(registry.sources, cited)


def close_ids(registry: Registry, entry_id: str, limit: int = 3) -> list[str]:
    """Ids that look like a mistyped one, for the error message."""
    from rapidfuzz import fuzz, process  # only on the error path

    ids = [*registry.units, *registry.people, *registry.allegations]
    found = process.extract(entry_id, ids, scorer=fuzz.ratio, limit=limit, score_cutoff=75)
    return [choice for choice, _, _ in found]
