"""Matching a queried name against the registry's units and people.

Every unit and person is a candidate, whether or not it has allegations. A
candidate gets a score 0-100 and a band: `match` (takes the entity's verdict)
or `possible` (a person must look). Numbers are compared as numbers: a
different number is never a candidate, a number on one side only is at most
`possible`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from vetting.model import PartialDate, Person, Unit, spans_overlap

if TYPE_CHECKING:
    from vetting.registry import Registry

MATCH_AT = 90.0
POSSIBLE_AT = 75.0


class Band(StrEnum):
    MATCH = "match"
    POSSIBLE = "possible"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One registry entity a query may name, with why it scored as it did."""

    id: str
    kind: str  # "unit" | "person"
    name: str
    matched_name: str
    score: float
    band: Band
    explanation: tuple[str, ...]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = unicodedata.normalize("NFD", text.casefold())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class _Entry:
    entity: int
    written: str
    numbers: frozenset[int]


class Matcher:
    """The registry's names prepared once; queries scored against all of them."""

    def __init__(self, units: Iterable[Unit], people: Iterable[Person]) -> None:
        self._units = list(units)
        self._people = list(people)
        self._unit_entries, self._unit_keys = self._prepare(self._units)
        self._person_entries, self._person_keys = self._prepare(self._people)

    @classmethod
    def from_registry(cls, registry: Registry) -> Matcher:
        return cls(registry.units.values(), registry.people.values())

    @staticmethod
    def _prepare(records: Sequence[Unit | Person]) -> tuple[list[_Entry], list[str]]:
        entries: list[_Entry] = []
        keys: list[str] = []
        for index, record in enumerate(records):
            for written in dict.fromkeys(record.names):
                key = _fold(written)
                if not key:
                    continue
                numbers = frozenset(int(n) for n in _DIGITS.findall(key))
                entries.append(_Entry(index, written, numbers))
                keys.append(key)
        return entries, keys

    def match_unit(
        self, query: str, *, country: str | None = None, limit: int = 10
    ) -> list[Candidate]:
        return self._match(query, "unit", country=country, birth_date=None, limit=limit)

    def match_person(
        self,
        query: str,
        *,
        birth_date: PartialDate | None = None,
        country: str | None = None,
        limit: int = 10,
    ) -> list[Candidate]:
        return self._match(query, "person", country=country, birth_date=birth_date, limit=limit)

    def match_units(
        self, queries: Sequence[str], *, country: str | None = None, limit: int = 10
    ) -> list[list[Candidate]]:
        done: dict[str, list[Candidate]] = {}
        for query in queries:
            if query not in done:
                done[query] = self.match_unit(query, country=country, limit=limit)
        return [done[query] for query in queries]

    def match_people(
        self,
        queries: Sequence[str],
        *,
        birth_dates: Sequence[PartialDate | None] | None = None,
        countries: Sequence[str | None] | None = None,
        limit: int = 10,
    ) -> list[list[Candidate]]:
        done: dict[tuple[str, PartialDate | None, str | None], list[Candidate]] = {}
        results: list[list[Candidate]] = []
        for index, query in enumerate(queries):
            dob = birth_dates[index] if birth_dates is not None else None
            country = countries[index] if countries is not None else None
            key = (query, dob, country)
            if key not in done:
                done[key] = self.match_person(
                    query, birth_date=dob, country=country, limit=limit
                )
            results.append(done[key])
        return results

    def _match(
        self,
        query: str,
        kind: str,
        *,
        country: str | None,
        birth_date: PartialDate | None,
        limit: int,
    ) -> list[Candidate]:
        records: list[Unit] | list[Person]
        if kind == "unit":
            records, entries, keys = self._units, self._unit_entries, self._unit_keys
        else:
            records, entries, keys = self._people, self._person_entries, self._person_keys
        folded = _fold(query)
        if not folded or not keys:
            return []
        query_numbers = frozenset(int(n) for n in _DIGITS.findall(folded))
        best: dict[int, Candidate] = {}
        hits = process.extract(
            folded, keys, scorer=fuzz.token_sort_ratio, limit=None, score_cutoff=POSSIBLE_AT
        )
        for _, score, position in hits:
            entry = entries[position]
            record = records[entry.entity]
            why: list[str] = []
            capped = False
            if query_numbers != entry.numbers:
                if query_numbers and entry.numbers:
                    continue  # a different number is another unit
                capped = True
                why.append("a number on one side only")
            elif query_numbers:
                why.append(f"number {', '.join(map(str, sorted(query_numbers)))} agrees")
            if country and record.country != country:
                capped = True
                why.append(f"country {record.country} is not {country}")
            if (
                isinstance(record, Person)
                and birth_date is not None
                and record.birth_date is not None
                and not spans_overlap(birth_date, birth_date, record.birth_date, record.birth_date)
            ):
                capped = True
                why.append(f"born {record.birth_date}, not {birth_date}")
            band = Band.MATCH if score >= MATCH_AT and not capped else Band.POSSIBLE
            why.insert(0, f"name similarity {score:.0f} with {entry.written!r}")
            candidate = Candidate(
                record.id, kind, record.name, entry.written, round(float(score), 1), band,
                tuple(why),
            )
            held = best.get(entry.entity)
            if held is None or _rank(candidate) > _rank(held):
                best[entry.entity] = candidate
        ranked = sorted(best.values(), key=_rank, reverse=True)
        return ranked[:limit]


def _rank(candidate: Candidate) -> tuple[bool, float]:
    return (candidate.band is Band.MATCH, candidate.score)
