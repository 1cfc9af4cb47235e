"""The prohibited-units list: every unit barred on a day, with what bars it and the sources.

22 U.S.C. 2378d(c) asks the Secretary of State, when the unit that will
receive assistance cannot be identified beforehand, to give the recipient
government the list of units prohibited from receiving it. That list is every
unit INELIGIBLE or SUSPENDED on the day, under the law in use, by the same
rules as `vet unit`; this module builds it from the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from vetting.model import Allegation, Law, Source, Unit
from vetting.registry import Registry
from vetting.rules import Engine, Reason, RegistryInfo, Verdict

VERSION = 1


@dataclass(frozen=True, slots=True)
class ProhibitedUnit:
    """One barred unit, the reasons that bar it, their allegations and sources."""

    unit: Unit
    verdict: Verdict
    reasons: tuple[Reason, ...]  # those that bar, worst first
    allegations: tuple[Allegation, ...]  # in the order the reasons cite them
    sources: tuple[Source, ...]  # every source those allegations cite, in order of first use


@dataclass(frozen=True)
class Prohibited:
    """The list as of one day under one law, for one country or all."""

    as_of: date
    law: Law
    country: str | None
    units: tuple[ProhibitedUnit, ...]  # by country, then name
    registry: RegistryInfo

    def counts(self) -> dict[str, int]:
        """Units per barring verdict."""
        return {
            str(verdict): sum(1 for entry in self.units if entry.verdict is verdict)
            for verdict in (Verdict.INELIGIBLE, Verdict.SUSPENDED)
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `vet prohibited --format json` (docs/diff.md)."""
        return {
            "version": VERSION,
            "as_of": self.as_of.isoformat(),
            "law": str(self.law),
            "country": self.country,
            "counts": self.counts(),
            "units": [
                {
                    "id": entry.unit.id,
                    "name": entry.unit.name,
                    "aliases": list(entry.unit.aliases),
                    "country": entry.unit.country,
                    "force": str(entry.unit.force),
                    "verdict": str(entry.verdict),
                    "reasons": [
                        {"rule": reason.rule.slug, "code": reason.rule.code,
                         "verdict": str(reason.verdict), "allegation": reason.allegation,
                         "text": reason.text}
                        for reason in entry.reasons
                    ],
                    "allegations": [
                        {"id": allegation.id, "date": str(allegation.date),
                         "place": allegation.place, "summary": allegation.summary,
                         "credibility": str(allegation.credibility),
                         "sources": list(dict.fromkeys(e.source for e in allegation.evidence))}
                        for allegation in entry.allegations
                    ],
                    "sources": [source_dict(source) for source in entry.sources],
                }
                for entry in self.units
            ],
            "registry": self.registry.to_dict(),
        }


def source_dict(source: Source) -> dict[str, Any]:
    return {
        "id": source.id, "title": source.title, "publisher": source.publisher,
        "published": str(source.published) if source.published else None, "url": source.url,
    }


def _existed(unit: Unit, day: date) -> bool:
    # A unit formed after the day was not there to receive anything; one disbanded
    # before it stays listed, since a successor may be nominated under its name.
    return unit.start is None or unit.start.first <= day


def prohibited(
    registry: Registry, *, as_of: date, law: Law, country: str | None = None,
    engine: Engine | None = None,
) -> Prohibited:
    """Every unit INELIGIBLE or SUSPENDED as of `as_of` under `law` (of `country`, if given)."""
    engine = engine or Engine(registry, as_of=as_of, law=law)
    found: list[ProhibitedUnit] = []
    for unit in registry.units.values():
        if country is not None and unit.country != country:
            continue
        if not _existed(unit, as_of):
            continue
        verdict = engine.unit(unit.id)
        if not verdict.verdict.bars:
            continue
        reasons = tuple(reason for reason in verdict.reasons if reason.verdict.bars)
        allegations = tuple(
            registry.allegations[allegation_id]
            for allegation_id in dict.fromkeys(reason.allegation for reason in reasons)
            if allegation_id is not None and allegation_id in registry.allegations
        )
        source_ids = dict.fromkeys(
            evidence.source for allegation in allegations for evidence in allegation.evidence
        )
        sources = tuple(
            registry.sources[source_id] for source_id in source_ids
            if source_id in registry.sources
        )
        found.append(ProhibitedUnit(unit, verdict.verdict, reasons, allegations, sources))
    found.sort(key=lambda entry: (entry.unit.country, entry.unit.name.casefold(), entry.unit.id))
    return Prohibited(as_of, law, country, tuple(found), RegistryInfo.of(registry))

