"""Countries and states from pycountry: in unit names, in a roster's country column.

Every unit here is invented or a generic designation; the countries are real.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vetting.cli import app
from vetting.context import countries_in
from vetting.matching import Band, Matcher
from vetting.model import Force, Unit
from vetting.names import country_code, parse_unit

HERE = Path(__file__).parent
REGISTRY = HERE / "fixtures" / "registries" / "units-of-many-countries"


@pytest.mark.parametrize(("cell", "code"), [
    ("MX", "MX"), ("mex", "MX"), ("Mexico", "MX"), ("México", "MX"), ("Philippines", "PH"),
    ("Gambia, The", "GM"), ("Korea - South", "KR"), ("Korea, Republic of South", "KR"),
    ("Congo, Republic of (Brazzaville)", "CG"), ("Democratic Republic of Congo", "CD"),
    ("Congo, Democratic Republic of (Kinshasa)", "CD"), ("Cote D’ivoire, Republic Of", "CI"),
    ("St Kitts & Nevis", "KN"), ("Burma", "MM"), ("East Timor", "TL"), ("Swaziland", "SZ"),
    ("Macedonia (FYROM)", "MK"), ("Cape Verde, Republic Of", "CV"), ("Trinidad -Tobago", "TT"),
    ("Filipinas", "PH"), ("Ucrânia", "UA"), ("Kosovo", "XK"), ("Korea (Republic of)", "KR"),
    ("Belize (UK)", "BZ"),
])
def test_a_country_cell_is_a_code_or_a_name(cell: str, code: str) -> None:
    assert country_code(cell) == code


@pytest.mark.parametrize("cell", ["Yugoslavia", "Serbia and Montenegro", "Indochina",
                                  "Arcadia", "Korea"])
def test_a_cell_naming_no_one_country_today_has_no_code(cell: str) -> None:
    assert country_code(cell) is None


@pytest.mark.parametrize(("name", "codes"), [
    ("7TH ID, PHIL ARMY", {"PH"}),
    ("HQ 82 DIVISION, NIGERIAN ARMY 12407", {"NG"}),
    ("Armed Forces of Ukraine", {"UA"}),
    ("Egypt Air Force", {"EG"}),
    ("A0937 1st Surface Ships Brigade, Odesa, Ukraine", {"UA"}),
    ("Ejército de Colombia", {"CO"}),
    ("Congolese Navy", {"CD", "CG"}),
    # A country's name inside a place's is a word of the name, not the country.
    ("Niger Delta Command", set()),
    ("Jordan Valley Brigade", set()),
    ("501st Air Sq, Santa Lucia, Estado de Mexico", set()),  # Saint Lucia, in Spanish
    ("U.S. Embassy liaison, Federal Police", set()),  # where, not whose
    ("…, Fort Benning, United States", set()),
    ("U.S. Air Force", {"US"}),  # whose
    ("United Arab Emirates Air Force", {"AE"}),  # a country's name is never "misspelt"
])
def test_a_unit_name_names_its_country(name: str, codes: set[str]) -> None:
    assert countries_in(name) == codes


def test_a_country_in_a_name_is_no_word_to_match() -> None:
    parsed = parse_unit("Nigerian Navy")
    assert parsed.words == ()
    assert parsed.countries == {"NG"}
    assert "niger" in parse_unit("Niger Delta Command").words


def test_mexican_states_come_from_iso_3166_2_with_the_forms_rosters_write() -> None:
    assert set(parse_unit("Policía Estatal de Tamaulipas").states) == {"MX-TAM"}
    assert set(parse_unit("Gn. Mil. de Acuña, Coah.").states) == {"MX-COA"}
    assert set(parse_unit("Ciudad de México").states) == {"MX-CMX"}
    assert set(parse_unit("D.F.").states) == {"MX-CMX"}
    # The state of México is named by its other forms: "México" alone is the country.
    assert set(parse_unit("Edomex").states) == {"MX-MEX"}
    assert parse_unit("México").countries == {"MX"}


def _matcher() -> Matcher:
    units = [
        Unit(id="ng-army", name="Nigerian Army", country="NG", force=Force.ARMY),
        Unit(id="gh-army", name="Ghana Army", country="GH", force=Force.ARMY),
        Unit(id="ng-bn-23", name="23 Battalion", country="NG", force=Force.ARMY),
        Unit(id="gh-bn-23", name="23 Battalion", country="GH", force=Force.ARMY),
    ]
    return Matcher(units, [])


def test_the_country_a_name_names_must_agree_with_the_units_and_with_country() -> None:
    matcher = _matcher()
    found = matcher.match_unit("23 Bn, Nigerian Army")
    assert [(c.id, c.band) for c in found] == [("ng-bn-23", Band.MATCH)]
    assert [c.id for c in matcher.match_unit("23 Bn, Nigerian Army", country="NG")] == [
        "ng-bn-23"]
    # The name says Nigeria, the roster Ghana: no unit is both.
    assert matcher.match_unit("23 Bn, Nigerian Army", country="GH") == []
    assert [c.id for c in matcher.match_unit("Nigerian Army")] == ["ng-army"]


def test_batch_reads_country_names_and_reports_a_cell_naming_no_country(
    tmp_path: Path,
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "unit,country\n"
        "23 Bn,Nigeria\n"
        "23 Bn,Ghana\n"
        "23 Bn,Yugoslavia\n",
        encoding="utf-8",
    )
    runner = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1", "VET_DATA": None})
    result = runner.invoke(app, ["batch", str(roster), "--data", str(REGISTRY), "--format",
                                 "jsonl", "--as-of", "2024-01-01"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 2  # a row error
    assert [row["matches"][0]["id"] for row in rows[:2]] == ["ng-bn-23", "gh-bn-23"]
    assert rows[2]["verdict"] == "ERROR"
    assert rows[2]["reasons"][0]["code"] == "VET403"
    assert "neither an ISO 3166-1 code nor the name of one country" in (
        rows[2]["reasons"][0]["text"])


def test_every_country_named_alone_after_a_unit_is_that_country() -> None:
    # Every ISO 3166-1 name, and the short form of a "Name, Republic of" one, read as
    # the last piece of a path. (A country whose name was filed after the United
    # States once lost its standing as a gate, so all of them are asked.)
    import pycountry

    wrong = {}
    for country in pycountry.countries:
        if country.alpha_2 == "US":  # the trainer in the training report: not a gate
            continue
        for name in {country.name, country.name.partition(", ")[0]}:
            found = countries_in(f"3rd Infantry Battalion, {name}")
            if country.alpha_2 not in found:
                wrong[name] = sorted(found)
    # A short form that is another country's own name ("Congo" of the Democratic
    # Republic is the Republic's name) names that one; a short form two countries
    # share ("Korea") names none.
    names = {country.name: country.alpha_2 for country in pycountry.countries}
    assert {name: found for name, found in wrong.items()
            if found and found != [names.get(name)]} == {}
    assert len(wrong) <= 5, sorted(wrong)
