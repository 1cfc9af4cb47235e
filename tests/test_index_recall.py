"""The candidate index loses nothing: what scoring every registry name finds, it finds.

Checked on seeded synthetic registries (bench/synth.py: invented Spanish unit
and person names with many collisions of common names) and rosters written
from them as rosters come (unaccented, in capitals, reordered, a word missing;
half the people invented), against `bench.scale.Exhaustive`, the matcher that
scores a query against every registry name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.batch import roster_csv
from bench.matching import CULTURES, LANGUAGES
from bench.scale import Exhaustive, recall
from bench.synth import write_registry
from vetting.matching import Matcher
from vetting.model import Person, Unit
from vetting.registry import open_registry


@pytest.mark.parametrize("seed", [7, 31])
def test_the_index_finds_every_candidate_exhaustive_scoring_finds(
    tmp_path: Path, seed: int
) -> None:
    folder = write_registry(tmp_path / "reg", units=1500, people=1500, allegations=300,
                            seed=seed)
    units = yaml.safe_load((folder / "units.yaml").read_text(encoding="utf-8"))
    raw = roster_csv(units["units"], units["people"], rows=500, seed=seed)
    found = recall(open_registry(folder), raw, sample=500, seed=seed)
    assert found.queries == 490  # one row in fifty cannot be vetted
    assert found.expected > 300  # enough candidates for the check to mean something
    assert found.misses == []
    assert found.found == found.expected
    assert found.listed_found == found.listed


def test_the_index_finds_every_candidate_in_every_naming_culture() -> None:
    # The labelled people of every naming culture (tests/data/cultures/), each query
    # with its country and without one (then read by each registry person's culture):
    # transliterations, Arabic script, patronymics, single names.
    sets = [yaml.safe_load(path.read_text("utf-8")) for path in sorted(CULTURES.glob("*.yaml"))]
    people = [Person.model_validate(item) for data in sets for item in data["people"]]
    indexed, exhaustive = Matcher([], people), Exhaustive([], people)
    asked = expected = 0
    for data in sets:
        for case in data["person_queries"]:
            for country in {case.get("country"), None}:
                want = exhaustive.match_person(str(case["query"]), country=country, limit=999)
                got = indexed.match_person(str(case["query"]), country=country, limit=999)
                assert [c.id for c in got] == [c.id for c in want], case["query"]
                asked += 1
                expected += len(want)
    assert asked > 100
    assert expected > 100


def test_the_index_finds_every_candidate_in_every_language_of_unit_names() -> None:
    # The labelled unit names of every language (tests/data/units/): ordinals and
    # number words of five languages, designators, countries in names, acronyms.
    sets = [yaml.safe_load(path.read_text("utf-8")) for path in sorted(LANGUAGES.glob("*.yaml"))]
    units = [Unit.model_validate(item) for data in sets for item in data["units"]]
    indexed, exhaustive = Matcher(units, []), Exhaustive(units, [])
    expected = 0
    for data in sets:
        for case in data["unit_queries"]:
            for country in {case.get("country"), None}:
                want = exhaustive.match_unit(str(case["query"]), country=country, limit=999)
                got = indexed.match_unit(str(case["query"]), country=country, limit=999)
                assert [c.id for c in got] == [c.id for c in want], case["query"]
                expected += len(want)
    assert expected > 50
