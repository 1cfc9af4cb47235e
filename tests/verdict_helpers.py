"""Shared by the verdict tests: the fictional registry and a matcher that gives set candidates.

The registry under tests/fixtures/registries/verdicts/ is invented: each unit
and person there shows one verdict rule. `FixedMatcher` stands in for the
matcher where a test is about what a band does to the verdict, not about how
a name is matched, so the test does not move when matching improves.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from vetting.matching import Band, Candidate
from vetting.registry import Registry

REGISTRIES = Path(__file__).parent / "fixtures" / "registries"
VERDICTS = REGISTRIES / "verdicts"


class FixedMatcher:
    """Gives every query the candidates of its kind that the test lays out."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self.candidates = list(candidates)
        self.calls: list[tuple[str, int]] = []

    def match_units(self, queries: Sequence[str], **_: object) -> list[list[Candidate]]:
        self.calls.append(("units", len(queries)))
        return [[c for c in self.candidates if c.kind == "unit"] for _ in queries]

    def match_people(self, queries: Sequence[str], **_: object) -> list[list[Candidate]]:
        self.calls.append(("people", len(queries)))
        return [[c for c in self.candidates if c.kind == "person"] for _ in queries]


def candidate(
    registry: Registry, entity_id: str, band: Band, score: float,
    written: str | None = None, why: tuple[str, ...] = ("test",),
) -> Candidate:
    """A candidate for a registry entry, as the matcher would give it."""
    kind = "unit" if entity_id in registry.units else "person"
    record = registry.units.get(entity_id) or registry.people[entity_id]
    return Candidate(entity_id, kind, record.name, written or record.name, score, band, why)
