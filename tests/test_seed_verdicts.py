"""Verdicts on the bundled registry (data/), as an analyst reading the seed reports expects."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from vetting.cli import app
from vetting.records import bundled

AS_OF = "2024-06-30"


def vet(*args: str) -> Result:
    # The bundled registry: no --data and no VET_DATA.
    return CliRunner().invoke(
        app, [*args, "--as-of", AS_OF, "--format", "json"], env={"VET_DATA": None}
    )


def test_the_bundled_registry_is_the_one_in_data() -> None:
    assert (bundled() / "units.yaml").is_file()


def test_the_102nd_battalion_is_ineligible_citing_the_seed_reports() -> None:
    result = vet("unit", "102nd Battalion")
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["verdict"] == "INELIGIBLE"
    assert answer["matches"][0]["id"] == "mx-sedena-bi-102"
    assert answer["matches"][0]["band"] == "match"
    reason = answer["reasons"][0]
    assert (reason["rule"], reason["allegation"]) == ("direct", "mx-2014-tlatlaya")
    assert [source["id"] for source in answer["sources"]] == [
        "nsarchive-2015-05-12", "vice-2015-northcom-mexico-aid",
    ]
    assert answer["duty_to_inform"] is True


@pytest.mark.parametrize(("name", "rule", "unit_id", "barred"), [
    ("22nd Military Zone", "contains-barred", "mx-sedena-zm-22", "mx-sedena-bi-102"),
    ("SEDENA", "contains-barred", "mx-sedena", "mx-sedena-bi-102"),
    ("Mexico Army", "contains-barred", "mx-sedena", "mx-sedena-bi-102"),
    ("Secretariat of the National Defense", "contains-barred", "mx-sedena",
     "mx-sedena-bi-102"),
    ("Secretariat of the National Defense (SEDENA)", "contains-barred", "mx-sedena",
     "mx-sedena-bi-102"),
    ("Tamaulipas State Police", "contains-barred", "mx-tam-pe", "mx-tam-gopes"),
])
def test_a_force_or_zone_holding_a_barred_unit_is_review_naming_it(
    name: str, rule: str, unit_id: str, barred: str,
) -> None:
    result = vet("unit", name)
    assert result.exit_code == 3
    answer = json.loads(result.stdout)
    assert answer["verdict"] == "REVIEW"
    (reason,) = answer["reasons"]
    assert (reason["rule"], reason["entity"]) == (rule, unit_id)
    assert [unit["id"] for unit in reason["barred_units"]] == [barred]
    if rule == "contains-barred":
        assert "2378d(c)" in reason["text"]
    assert answer["sources"]


def test_the_bar_on_the_102nd_does_not_climb_to_its_zone() -> None:
    # The zone is REVIEW for what it holds, but nothing bars the zone itself: someone
    # serving in it is not barred.
    result = vet("person", "Ardelio Vargas", "--unit", "22nd Military Zone")
    assert json.loads(result.stdout)["verdict"] == "ELIGIBLE"


def test_the_navy_stays_eligible_while_nothing_inside_it_is_barred() -> None:
    result = vet("unit", "Mexican Navy")
    assert (result.exit_code, json.loads(result.stdout)["verdict"]) == (0, "ELIGIBLE")


def test_the_guanajuato_police_of_seed_002_are_not_barred() -> None:
    for name in ("Guanajuato State Police", "Guanajuato State Police Tactical Group"):
        result = vet("unit", name)
        answer = json.loads(result.stdout)
        assert (result.exit_code, answer["verdict"]) == (0, "ELIGIBLE"), name
        assert answer["matches"][0]["band"] == "match"


def test_ivan_reyes_arzate_is_not_barred_but_the_note_shows_his_case() -> None:
    result = vet("person", "Iván Reyes Arzate")
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer["verdict"] == "ELIGIBLE"
    assert answer["matches"][0]["id"] == "mx-ivan-reyes-arzate"
    (note,) = answer["reasons"]
    assert (note["rule"], note["allegation"]) == ("not-gvhr", "mx-2017-siu-reyes-arzate")
    assert "corruption" in note["text"]
    assert [source["id"] for source in answer["sources"]] == ["insightcrime-2021-02-03"]


def test_gopes_is_barred_for_camargo_and_reviewed_as_the_caiets_successor() -> None:
    result = vet("unit", "GOPES")
    assert result.exit_code == 1
    reasons = {
        (reason["rule"], reason["allegation"]) for reason in json.loads(result.stdout)["reasons"]
    }
    assert reasons == {
        ("direct", "mx-2021-camargo"), ("successor", "mx-2019-caiet-staged-shootout"),
    }


def test_before_tlatlaya_the_102nd_was_not_barred() -> None:
    result = CliRunner().invoke(
        app, ["unit", "102nd Battalion", "--as-of", "2014-06-29", "-f", "json"],
        env={"VET_DATA": None},
    )
    assert result.exit_code == 0
