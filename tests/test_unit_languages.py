"""Unit names in English, Spanish, Portuguese, French and Indonesian.

The registry is tests/data/units/ (fictional: generic designations and invented
names per country); python -m bench.matching reports every query of it, and
tests/test_matching_eval.py holds the figures. These cases pin what each
language's vocabulary must read.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from vetting.matching import Band, Matcher
from vetting.model import Unit
from vetting.names import number_text, parse_unit

UNITS = Path(__file__).parent / "data" / "units"


@functools.cache
def _matcher() -> Matcher:
    sets = [yaml.safe_load(path.read_text("utf-8")) for path in sorted(UNITS.glob("*.yaml"))]
    return Matcher([Unit.model_validate(item) for data in sets for item in data["units"]], [])


@pytest.mark.parametrize(("name", "number"), [
    ("1st Battalion", 1), ("3d Battalion", 3), ("11vo. Batallón", 11), ("1º Batalhão", 1),
    ("1ª Brigada", 1), ("1er Bataillon", 1), ("1re Compagnie", 1), ("2e Compagnie", 2),
    ("2ème Régiment", 2), ("Batalyon ke-3", 3), ("Segundo Batallón", 2),
    ("Segunda Brigada", 2), ("Vigésimo Oitavo Batalhão", 28), ("Trente-cinquième Régiment", 35),
    ("Quatre-vingt-onzième Régiment", 91), ("Brigade Pertama", 1), ("Batalyon Kedua Belas", 12),
    ("Batalyon Infanteri Tiga Ratus Tiga", 303), ("Thirty-Third Battalion", 33),
    ("Trigésimo Tercer Batallón", 33), ("Décima Sexta Brigada", 16),
])
def test_ordinals_and_number_words_of_each_language(name: str, number: int) -> None:
    assert parse_unit(name).numbers == {number}


@pytest.mark.parametrize("name", ["Batalyon lima", "Lima, Peru", "Bataillon de Sept-Îles"])
def test_a_cardinal_of_another_language_alone_is_a_word(name: str) -> None:
    # Lima is a city and Indonesian for five: alone, it is no number.
    assert parse_unit(name).numbers == frozenset()


@pytest.mark.parametrize(("name", "concepts"), [
    ("7TH ID", {"division", "infantry"}),
    ("39th IB", {"battalion", "infantry"}),
    ("Yonif 303", {"battalion", "infantry"}),
    ("Brigif 17", {"brigade", "infantry"}),
    ("Batalhão de Infantaria", {"battalion", "infantry"}),
    ("Bataillon d'Infanterie", {"battalion", "infantry"}),
    ("Divisão de Cavalaria", {"division", "cavalry"}),
    ("BRIGADA I.M.4", {"brigade", "marine-infantry"}),
    ("Fusiliers Marins", {"marine-infantry"}),
    ("Air Assault Troops", {"air-assault"}),
    ("Air Defense - Brigade 94", {"air-defense", "brigade"}),
    ("3rd Training Platoon", {"training", "platoon"}),
    ("Western Fleet Command", {"fleet", "command"}),
])
def test_unit_words_of_each_language(name: str, concepts: set[str]) -> None:
    assert set(parse_unit(name).concepts) == concepts


@pytest.mark.parametrize(("name", "countries", "concept"), [
    ("PAF", {"PH", "PK"}, "air-force"),
    ("RTA", {"TH"}, "army"),
    ("8 SF Regiment, UAF", {"UA"}, "armed-forces"),
])
def test_a_force_written_as_its_acronym_names_its_country(
    name: str, countries: set[str], concept: str
) -> None:
    parsed = parse_unit(name)
    assert parsed.countries == countries
    assert concept in parsed.concepts


def test_a_national_designator_is_a_number_of_its_own_kind() -> None:
    assert {number_text(n) for n in parse_unit("в/ч А0937").numbers} == {"A0937"}
    assert parse_unit("A0937").numbers != parse_unit("0937").numbers
    assert parse_unit("A0937").numbers != parse_unit("A0938").numbers
    found = _matcher().match_unit("в/ч А0937")
    assert (found[0].id, found[0].band) == ("ua-a0937", Band.MATCH)
    assert "number A0937 agrees" in found[0].explanation
    assert all(c.id != "ua-a0937" for c in _matcher().match_unit("0937 Brigade", country="UA"))
    assert [c.id for c in _matcher().match_unit("Military Unit A0938")] == ["ua-a0938"]


@pytest.mark.parametrize(("query", "country", "expected"), [
    ("7TH ID, PHIL ARMY", None, "ph-id-7"),
    ("11vo. Batallon de Infanteria", "CO", "co-bi-11"),
    ("Segundo Batallon de Infanteria de Marina", None, "co-bim-2"),
    ("28o Batalhao de Infantaria Leve", None, "br-bil-28"),
    ("Troisième Bataillon d'Infanterie", None, "sn-bi-3"),
    ("Yonif 303", None, "id-yonif-303"),
])
def test_a_unit_is_found_in_its_language(query: str, country: str | None,
                                         expected: str) -> None:
    found = _matcher().match_unit(query, country=country)
    assert (found[0].id, found[0].band) == (expected, Band.MATCH)


@pytest.mark.parametrize(("query", "country"), [
    ("9th Infantry Division, PHIL ARMY", None),  # another number
    ("7th Infantry Battalion, Philippine Army", None),  # another type
    ("Batallón de Artillería No. 11", "CO"),  # another arm
    ("Nigerian Air Force", None),  # another force
    ("Yonif 303", "PH"),  # another country
    ("3rd Infantry Bn, Malian Army", None),  # another country, named
])
def test_the_hard_gates_hold_in_every_language(query: str, country: str | None) -> None:
    assert all(c.band is not Band.MATCH for c in _matcher().match_unit(query, country=country))
