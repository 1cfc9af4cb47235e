"""The matching evaluation (python -m bench.matching) as a regression check.

The figures are counts of queries, not timings: they may only improve. The
sample is Security Force Monitor's (CC BY 4.0, tests/data/sfm-mx/README.md).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # bench/ lives beside tests/, outside the package

from bench.matching import (  # noqa: E402
    Tally,
    evaluate_cultures,
    evaluate_labelled,
    evaluate_languages,
    evaluate_sample,
    main,
)

# The figures reached when this check was written.
SAMPLE_FOUND = 348  # of 370 unit variants
SAMPLE_RESOLVABLE_FOUND = 341  # of the 341 that can be resolved in principle
# 319 until a state on one side only stopped counting as agreement beside an agreeing
# town ("Gn. Mil. de Acuña, Coah." against "Guarnición Militar de Acuña"): the 11
# variants that name a state the canonical name lacks are `possible` since.
SAMPLE_MATCH_BAND = 308
LABELLED_UNITS_FOUND = 39
LABELLED_PEOPLE_FOUND = 19
# Per naming culture (tests/data/cultures/): queries, found, in the `match` band.
CULTURES = {
    "arabic": (35, 23, 20),
    "east-slavic": (29, 21, 19),
    "filipino": (18, 12, 8),
    "indonesian": (15, 10, 8),
    "portuguese": (16, 11, 7),
    "western": (12, 8, 6),
}


# Per language of unit names (tests/data/units/): queries, found, in the `match` band.
LANGUAGES = {
    "english": (39, 24, 21),
    "french": (17, 10, 9),
    "indonesian": (20, 13, 12),
    "portuguese": (19, 12, 9),
    "spanish": (20, 13, 13),
}


def test_sample_units() -> None:
    result = evaluate_sample()
    assert result.units.queries == 370
    assert result.units.found >= SAMPLE_FOUND
    assert result.units.match >= SAMPLE_MATCH_BAND
    assert result.units.wrong == 0
    assert result.resolvable.found >= SAMPLE_RESOLVABLE_FOUND
    assert result.resolvable.wrong == 0


def test_sample_unresolvable_variants_never_match() -> None:
    result = evaluate_sample()
    assert len(result.unresolvable) >= 20
    assert all(not outcome.startswith("match") for _, _, outcome in result.unresolvable)


def test_sample_people() -> None:
    people = evaluate_sample().people
    assert (people.queries, people.found, people.wrong) == (20, 20, 0)


def test_labelled_set() -> None:
    units, people = evaluate_labelled()
    assert units.found >= LABELLED_UNITS_FOUND
    assert units.wrong == 0
    assert units.negatives_right == units.negatives >= 20
    assert people.found >= LABELLED_PEOPLE_FOUND
    assert people.wrong == 0
    assert people.negatives_right == people.negatives >= 10


@functools.cache
def _cultures() -> dict[str, Tally]:
    return {tally.name.removeprefix("people, "): tally for tally in evaluate_cultures()}


def _holds(tally: Tally, expected: tuple[int, int, int], negatives: int) -> None:
    """A labelled set: as many queries, at least as many found and matched, no wrong
    match, and every one of at least `negatives` hard negatives kept out of `match`."""
    queries, found, match = expected
    assert tally.queries == queries
    assert tally.found >= found
    assert tally.match >= match
    assert tally.wrong == 0
    assert tally.negatives_right == tally.negatives >= negatives


@pytest.mark.parametrize("culture", sorted(CULTURES))
def test_labelled_people_of_each_naming_culture(culture: str) -> None:
    _holds(_cultures()[culture], CULTURES[culture], 4)


@functools.cache
def _languages() -> dict[str, Tally]:
    return {tally.name.removeprefix("units, "): tally for tally in evaluate_languages()}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_labelled_units_of_each_language(language: str) -> None:
    _holds(_languages()[language], LANGUAGES[language], 5)


def test_every_language_of_the_unit_vocabulary_has_a_labelled_set() -> None:
    assert set(_languages()) == set(LANGUAGES)


def test_every_naming_culture_has_a_labelled_set() -> None:
    from vetting.names import _people_vocab

    assert set(_people_vocab().cultures) - {"spanish"} <= set(_cultures())  # spanish: the set above


def test_the_report_prints_every_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    printed = capsys.readouterr().out
    for name in ("sample units, all variants", "sample people", "labelled units",
                 "labelled people", "units, english", "units, indonesian", "people, arabic",
                 "people, east-slavic",
                 "unresolvable sample variants"):
        assert name in printed
