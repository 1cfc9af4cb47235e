"""Verdicts on the bundled registry (data/), as an analyst reading the seed reports expects."""

from __future__ import annotations

import json

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


def test_the_bar_on_the_102nd_does_not_climb_to_its_zone() -> None:
    result = vet("unit", "22nd Military Zone")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdict"] == "ELIGIBLE"


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
