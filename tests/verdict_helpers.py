"""Shared by the verdict tests: the fictional registry and a matcher that gives set candidates.

The registry under tests/fixtures/registries/verdicts/ is invented: each unit
and person there shows one verdict rule. `FixedMatcher` stands in for the
matcher where a test is about what a band does to the verdict, not about how
a name is matched, so the test does not move when matching improves.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from vetting.matching import Band, Candidate
from vetting.registry import Registry
from vetting.render.table import print_verdict
from vetting.rules import Answer

REGISTRIES = Path(__file__).parent / "fixtures" / "registries"
VERDICTS = REGISTRIES / "verdicts"
GOLDEN = Path(__file__).parent / "golden"


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


def assert_golden(name: str, text: str) -> None:
    """`text` is the golden file `name` (VET_UPDATE_GOLDEN=1 rewrites it)."""
    path = GOLDEN / name
    if os.environ.get("VET_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def plain_80(answer: Answer) -> str:
    """The verdict panel at 80 columns without colour."""
    stream = io.StringIO()
    print_verdict(answer, Console(file=stream, width=80, no_color=True, color_system=None))
    text = stream.getvalue()
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) == 80
    return text
