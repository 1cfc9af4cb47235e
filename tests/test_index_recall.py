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
from bench.scale import recall
from bench.synth import write_registry
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
