"""Roster cells as clerks write them: several units, paths, places and forces.

Verdicts come from the fictional registry tests/fixtures/registries/rosters-as-written
(invented units; real Mexican place names): the 401st Infantry Battalion is
INELIGIBLE, the Tamaulipas State Police and the Gendarmerie of the Coast are
SUSPENDED and INELIGIBLE, the 404th battalion, the 7th Military Zone and the
Arcadian Army are ELIGIBLE.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from vetting.cells import MAX_PARTS, split_cell
from vetting.cli import app
from vetting.context import read_path, restated

HERE = Path(__file__).parent
ROOT = HERE.parent
REGISTRY = HERE / "fixtures" / "registries" / "rosters-as-written"


def _registry_names() -> list[str]:
    """Every unit name and alias of the bundled registry, the SFM sample and the test
    registries (those that parse)."""
    names: list[str] = []
    files = [ROOT / "data" / "units.yaml", *sorted((HERE / "fixtures" / "registries").glob(
        "*/units.yaml"))]
    for path in files:
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        for unit in (data or {}).get("units", []) if isinstance(data, dict) else []:
            if isinstance(unit, dict):
                names += [str(name) for name in [unit.get("name"), *unit.get("aliases", [])]
                          if isinstance(name, str) and name.strip()]
    for unit in json.loads((HERE / "data" / "sfm-mx" / "units.json").read_text("utf-8")):
        names += [unit["name"], *unit.get("aliases", [])]
    return list(dict.fromkeys(names))


def test_no_registry_name_or_alias_is_split() -> None:
    names = _registry_names()
    assert len(names) > 500
    split = {name: split_cell(name) for name in names if len(split_cell(name)) != 1}
    assert split == {}


@pytest.mark.parametrize("name", [
    "102/o. Batallón", "Centro de Análisis, Información y Estudios", "Regimiento y Escuela",
    "Army and Navy Attache, Wash DC", "Información e Inteligencia",
    "1st Artillery Regiment & Art Mil School",
    "Philippine Department of the Interior and Local Government",
])
def test_names_with_slashes_and_conjunctions_stay_whole(name: str) -> None:
    assert split_cell(name) == (name,)


@pytest.mark.parametrize(("cell", "parts"), [
    ("Federal Police / Policía Federal", ("Federal Police", "Policía Federal")),
    ("1st Battalion; 2nd Battalion\n3rd Battalion",
     ("1st Battalion", "2nd Battalion", "3rd Battalion")),
    ("1st Artillery Regiment & 3rd Mil School, Irapuato, Guanajuato",
     ("1st Artillery Regiment", "3rd Mil School, Irapuato, Guanajuato")),
    ("401st Infantry Battalion and 404th Infantry Battalion",
     ("401st Infantry Battalion", "404th Infantry Battalion")),
    ("Batallón 401 y Batallón 404", ("Batallón 401", "Batallón 404")),
    # Head counts go; what follows a count is the unit's place.
    ("1st. Naval Zone (1) Cd Madero, Tamaulipas; Mazatlan Naval Sector (2) Mazatlan, Sinaloa",
     ("1st. Naval Zone, Cd Madero, Tamaulipas", "Mazatlan Naval Sector, Mazatlan, Sinaloa")),
    ("Naval Sector (2), Tuxpan, Veracruz, 3rd Naval Zone (1), Veracruz",
     ("Naval Sector, Tuxpan, Veracruz", "3rd Naval Zone, Veracruz")),
    # A part of places only is the place of the part before it.
    ("1st Patrol Sq; Chetumal, Quintana Roo, MX", ("1st Patrol Sq, Chetumal, Quintana Roo, MX",)),
    # A word vet does not know may be a unit's acronym or name: a part of its own.
    ("404th Infantry Battalion; ZORVAK", ("404th Infantry Battalion", "ZORVAK")),
    ("404th Infantry Battalion (1); ZORVAK (1)", ("404th Infantry Battalion", "ZORVAK")),
    ("404th Infantry Battalion / Cóndor Gris", ("404th Infantry Battalion", "Cóndor Gris")),
])
def test_a_cell_is_cut_into_the_units_it_lists(cell: str, parts: tuple[str, ...]) -> None:
    assert split_cell(cell) == parts


def test_an_absurd_cell_gives_one_part_more_than_the_cap() -> None:
    assert len(split_cell("; ".join(f"Batallón {n}" for n in range(5000)))) == MAX_PARTS + 1


def test_a_path_tells_units_from_places_and_forces() -> None:
    path = read_path("OFFICE OF THE CHIEF OF STAFF FOR INTEL, 7TH ID, PHIL ARMY, Manila")
    assert [piece.kind for piece in path.pieces] == ["unit", "unit", "force", "place"]
    path = read_path("501st Air Sq, Santa Lucia, Estado de Mexico, MX")
    assert [piece.kind for piece in path.pieces] == ["unit", "place", "place", "place"]
    assert path.context is not None
    assert path.context.states == {"MX-MEX": "Estado de Mexico"}
    assert path.context.words == ("santa", "lucia")
    assert read_path("Navy: Signal Department").units == ("Signal Department", "Navy")


def test_a_bracketed_acronym_that_restates_the_name_goes() -> None:
    assert restated("Federal Police (FP)") == "Federal Police"
    assert restated("Grupo de Operaciones Especiales (GOE) de Tamaulipas") == (
        "Grupo de Operaciones Especiales de Tamaulipas")
    assert restated("Special Unit (XYZ)") == "Special Unit (XYZ)"


# --- vet unit and vet batch on the fictional registry --------------------------------------


def vet_unit(name: str) -> dict[str, Any]:
    result = CliRunner(env={"VET_DATA": None}).invoke(
        app, ["unit", name, "--data", str(REGISTRY), "--as-of", "2024-01-01", "-f", "json"]
    )
    return json.loads(result.stdout)


def bands(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(match["id"], match["band"]) for match in answer["matches"]]


def codes(answer: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in answer["reasons"]]


def test_a_place_after_the_unit_is_context_not_a_word_to_match() -> None:
    answer = vet_unit("401st Infantry Battalion, Tlatlaya, Estado de México")
    assert answer["verdict"] == "INELIGIBLE"
    assert bands(answer) == [("xa-bn-401", "match")]
    explanation = answer["matches"][0]["explanation"]
    assert "Tlatlaya taken as the place, not part of the name" in explanation


def test_a_place_that_names_another_town_rules_a_town_police_out() -> None:
    assert bands(vet_unit("Municipal Police, Villa Quimera, Guerrero")) == [
        ("xa-quimera-pm", "match")]
    assert bands(vet_unit("Municipal Police, Iguala, Guerrero")) == []


@pytest.mark.parametrize("name", [
    "Policía Federal, Toluca, Estado de México", "Federal Police, Iztapalapa, D.F.",
    "Federal Police (FP)",
])
def test_a_national_force_is_itself_wherever_it_serves(name: str) -> None:
    answer = vet_unit(name)
    assert (answer["verdict"], bands(answer)[:1]) == ("INELIGIBLE", [("xa-fp", "match")])


def test_a_kind_of_unit_with_a_place_is_no_candidate_for_a_numbered_one() -> None:
    assert bands(vet_unit("Infantry Battalion, Toluca, Estado de Mexico")) == []


def test_a_state_police_is_named_by_its_state_around_it() -> None:
    answer = vet_unit("Policía Estatal, Tampico, Tamaulipas")
    assert (answer["verdict"], bands(answer)) == ("SUSPENDED", [("xa-tam-pe", "match")])


@pytest.mark.parametrize("name", [
    "401st Air Sq, Pie de la Cuesta, Guerrero, MX",  # a squadron is no battalion
    "Naval Station, Tampico, Tamaulipas",  # the navy is no state police
    "Airnaval Station, Tampico, Tamaulipas, MX",
    "Gobierno del Estado de Tamaulipas",  # a state's government is not its police
    "Tampico Port Authority, Tampico, Tamaulipas",  # sharing a state names nothing
    "D-102 Netzahualcoyotl",  # a hull number is no battalion number
    "401st Infantry Battalion, Colombian Army",  # another country's
    "Grand Canal",  # a two-letter acronym is matched as written, not spelt out
    "GCX",  # nor read like another
])
def test_another_kind_or_force_is_no_candidate(name: str) -> None:
    answer = vet_unit(name)
    assert (answer["verdict"], bands(answer)) == ("ELIGIBLE", [])


def test_an_unknown_unit_inside_a_barred_one_is_review_and_never_a_match() -> None:
    answer = vet_unit("Signal Office, 401st Infantry Battalion, Arcadian Army")
    assert answer["verdict"] == "REVIEW"
    assert bands(answer) == [("xa-bn-401", "inside")]
    assert codes(answer)[0] == "VET510"
    assert answer["sources"][0]["id"] == "arcadia-monitor-2019"
    answer = vet_unit("Gendarmerie of the Coast Mobile Brigade No. 7")
    assert (answer["verdict"], bands(answer)) == ("REVIEW", [("xa-gendarmes", "inside")])


def test_an_unknown_unit_inside_an_eligible_one_says_so() -> None:
    answer = vet_unit("Signal Office, 404th Infantry Battalion")
    assert answer["verdict"] == "ELIGIBLE"
    assert bands(answer) == [("xa-bn-404", "inside")]
    assert "VET510" in codes(answer)


def test_the_unit_above_a_named_unit_is_where_it_sits() -> None:
    answer = vet_unit("404th Infantry Battalion, 7th Military Zone, Arcadian Army")
    assert (answer["verdict"], bands(answer)) == ("ELIGIBLE", [("xa-bn-404", "match")])


def test_a_list_of_forces_is_no_path() -> None:
    answer = vet_unit("Army Signal Office, Naval Signal Office, Gendarmerie of the Coast")
    assert answer["verdict"] == "INELIGIBLE"
    assert ("xa-gendarmes", "match") in bands(answer)


ROSTER = """unit,course
404th Infantry Battalion; Signal Office (2) Tampico; 401st Infantry Battalion (1) Toluca
N/A
404th Infantry Battalion / 7th Military Zone
{long}
{absurd}
"""


def run_batch(tmp_path: Path, *options: str) -> tuple[int, str]:
    roster = tmp_path / "roster.csv"
    long = " ".join(["BATALLON DE INFANTERIA DE MARINA DEL GOLFO"] * 9)
    absurd = '"' + "; ".join(f"Batallón {n}" for n in range(60)) + '"'
    roster.write_text(ROSTER.format(long=long, absurd=absurd), "utf-8")
    result = CliRunner(env={"VET_DATA": None}).invoke(
        app, ["batch", str(roster), "--data", str(REGISTRY), "--as-of", "2024-01-01", *options]
    )
    return result.exit_code, result.stdout


def test_every_part_of_a_cell_is_vetted_and_the_worst_decides(tmp_path: Path) -> None:
    status, out = run_batch(tmp_path, "-f", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 2
    assert [row["row"] for row in rows] == [1, 2, 3, 4, 5]  # every row once, in order
    # Row 3: the 7th zone holds the barred 401st (contains-barred), so it decides.
    assert [row["verdict"] for row in rows] == [
        "INELIGIBLE", "ERROR", "REVIEW", "REVIEW", "ERROR"]
    first = rows[0]
    assert (first["part_count"], first["deciding_part"]) == (3, 3)
    assert [part["text"] for part in first["parts"]] == [
        "404th Infantry Battalion", "Signal Office, Tampico", "401st Infantry Battalion, Toluca"]
    assert [part["verdict"] for part in first["parts"]] == ["ELIGIBLE", "ELIGIBLE", "INELIGIBLE"]
    assert first["parts"][2]["matches"][0]["id"] == "xa-bn-401"
    assert first["query"]["name"].startswith("404th Infantry Battalion; Signal Office")
    assert rows[3]["reasons"][0]["code"] == "VET511"  # too long to be one name: read it
    assert [reason["code"] for reason in rows[4]["reasons"]] == ["VET407"]


def test_csv_keeps_one_line_per_row_with_the_deciding_part(tmp_path: Path) -> None:
    import csv
    import io

    _, out = run_batch(tmp_path, "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"), newline="")))
    assert len(rows) == 5
    assert (rows[0]["verdict"], rows[0]["parts"], rows[0]["deciding_part"]) == (
        "INELIGIBLE", "3", "401st Infantry Battalion, Toluca")
    assert rows[0]["match_id"] == "xa-bn-401"
    assert (rows[2]["parts"], rows[2]["deciding_part"]) == ("2", "7th Military Zone")


def test_real_rosters_rows_are_read_as_written() -> None:
    # Real rows (tests/data/fmtr-mx-sample.md) against the bundled registry.
    result = CliRunner(env={"VET_DATA": None}).invoke(
        app, ["batch", str(HERE / "data" / "fmtr-mx-sample.csv"), "-f", "jsonl",
              "--as-of", "2024-01-01"],
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 32
    errors = [row["input"]["unit"] for row in rows if row["verdict"] == "ERROR"]
    assert errors == ["N/A"]  # no cell that names something is left unread
    by_unit = {row["input"]["unit"]: row for row in rows}
    for unit in ("102nd Air Sq, Pie de la Cuesta, Guerrero, MX",
                 "Naval Station, Tampico, Tamaulipas", "Gobierno del Estado de Tamaulipas",
                 "Airnaval Station, Tampico, Tamaulipas, MX"):
        assert (by_unit[unit]["verdict"], by_unit[unit]["matches"]) == ("ELIGIBLE", [])
    counted = next(unit for unit in by_unit if unit.startswith("1st. Naval Zone (1)"))
    assert by_unit[counted]["part_count"] == 10
    assert by_unit[counted]["parts"][0]["text"] == "1st. Naval Zone, Cd Madero, Tamaulipas"
    listed = by_unit["SEDENA SOF, SEMAR SOF, Federal Police"]
    assert listed["verdict"] == "SUSPENDED"
    # Three units of three forces: the Federal Police, and a unit inside each of the
    # army (SEDENA, which holds a barred battalion) and the navy.
    assert {(match["id"], match["band"]) for match in listed["matches"]} >= {
        ("mx-pf", "match"), ("mx-sedena", "inside"), ("mx-semar", "inside")}
    long = next(row for unit, row in by_unit.items() if unit.startswith("HOSNAVACA"))
    assert (long["verdict"], long["reasons"][0]["code"]) == ("REVIEW", "VET511")


def test_a_person_of_several_units_takes_the_worst_unit(tmp_path: Path) -> None:
    roster = tmp_path / "people.csv"
    roster.write_text("name,unit\nAnselma Lumbre Quiroz,"
                      "404th Infantry Battalion; 401st Infantry Battalion\n", "utf-8")
    result = CliRunner(env={"VET_DATA": None}).invoke(app, [
        "batch", str(roster), "-f", "jsonl", "--as-of", "2024-01-01",
        "--data", str(HERE / "fixtures" / "registries" / "batch"),
    ])
    row = json.loads(result.stdout)
    assert (row["verdict"], row["part_count"], row["deciding_part"]) == ("INELIGIBLE", 2, 2)
    assert [part["verdict"] for part in row["parts"]] == ["ELIGIBLE", "INELIGIBLE"]
    assert "VET507" in [reason["code"] for reason in row["parts"][1]["reasons"]]
    assert row["query"] == {"kind": "person", "name": "Anselma Lumbre Quiroz",
                            "unit": "404th Infantry Battalion; 401st Infantry Battalion",
                            "birth_date": None, "country": None}


@pytest.mark.parametrize("cell", [
    "Batallón 1 y " * 800,  # more joins than any list: left whole
    "Unidad (1) " * 900,  # more head counts than any list
    ("Centro de Análisis y Estudios " * 330)[:9990],
])
def test_hostile_cells_are_one_part(cell: str) -> None:
    assert len(split_cell(cell)) == 1


def test_a_cell_of_separators_or_placeholders_only_is_nothing_to_vet(tmp_path: Path) -> None:
    roster = tmp_path / "blank.csv"
    roster.write_text('unit\n"N/A / -"\n"; ;"\n', "utf-8")
    result = CliRunner(env={"VET_DATA": None}).invoke(
        app, ["batch", str(roster), "-f", "jsonl", "--data", str(REGISTRY)])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [[reason["code"] for reason in row["reasons"]] for row in rows] == [
        ["VET401"], ["VET401"]]
    assert split_cell("; ;") == ()


def test_a_force_named_only_by_its_kind_is_found_by_what_adds_to_it() -> None:
    answer = vet_unit("Federal Police Intelligence Unit")
    assert (answer["verdict"], bands(answer)) == ("REVIEW", [("xa-fp", "inside")])
    answer = vet_unit("Federal Police4")  # a stray digit: maybe the force, maybe not
    assert (answer["verdict"], bands(answer)) == ("REVIEW", [("xa-fp", "possible")])
    assert bands(vet_unit("Federal Polcie")) == [("xa-fp", "match")]  # letters swapped
    # Another level of police is another force, never one inside it.
    assert ("xa-fp", "inside") not in bands(vet_unit("Policía Judicial Federal Unidad"))
