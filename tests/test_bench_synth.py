"""The synthetic registry of the benchmarks is valid, realistic in shape and reproducible."""

from __future__ import annotations

from pathlib import Path

from bench.synth import write_registry
from vetting import checks
from vetting.records import LAYOUT, read


def test_a_synthetic_registry_is_valid_and_cites_every_source(tmp_path: Path) -> None:
    folder = write_registry(tmp_path / "reg", units=400, people=300, allegations=120, seed=7)
    result = checks.validate(folder)
    assert result.findings == ()  # no errors, and no unused source or shared name either
    assert result.counts == {"units": 400, "people": 300, "sources": 30, "allegations": 120}


def test_the_shape_is_that_of_a_real_registry(tmp_path: Path) -> None:
    folder = write_registry(tmp_path / "reg", units=400, people=300, allegations=120, seed=7)
    records, _ = read(folder)
    units = [unit for _, unit in records.units]
    assert sum(1 for unit in units if unit.parent) > len(units) // 2
    assert any("Batallón de Infantería" in unit.name for unit in units)
    assert sum(1 for _, person in records.people if person.posts) == 150
    assert all(allegation.evidence for _, allegation in records.allegations)


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    first = write_registry(tmp_path / "a", units=200, people=100, allegations=40, seed=3)
    second = write_registry(tmp_path / "b", units=200, people=100, allegations=40, seed=3)
    other = write_registry(tmp_path / "c", units=200, people=100, allegations=40, seed=4)
    for name in LAYOUT:
        assert (first / name).read_bytes() == (second / name).read_bytes()
        assert (first / name).read_bytes() != (other / name).read_bytes()
