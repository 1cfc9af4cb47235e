"""`vet unit`, `vet person` and `vet show` end to end, on the fictional verdicts registry.

Golden files in tests/golden/ hold the table output at 80 columns without
colour; set VET_UPDATE_GOLDEN=1 to rewrite them after a deliberate change.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from cli_helpers import assert_usage_error
from rich.console import Console
from typer.testing import CliRunner, Result
from verdict_helpers import VERDICTS, FixedMatcher, assert_golden, candidate, plain_80

from vetting.cli import app
from vetting.matching import Band
from vetting.model import Law
from vetting.registry import open_registry
from vetting.render.table import print_verdict
from vetting.rules import Query, vet_query

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
ENV = {"VET_DATA": str(VERDICTS), "NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}


def vet(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=ENV | (env or {}))


def vet_json(*args: str) -> tuple[int, dict]:
    result = vet(*args, "--as-of", "2020-06-01", "--format", "json")
    return result.exit_code, json.loads(result.stdout)


# --- exit statuses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "status", "verdict"),
    [
        (["unit", "River Patrol Unit"], 0, "ELIGIBLE"),
        (["unit", "Aldorian Army"], 3, "REVIEW"),  # holds the barred 7th zone
        (["unit", "Riot Control Division"], 1, "INELIGIBLE"),
        (["unit", "Border Security Force"], 1, "SUSPENDED"),
        (["unit", "Canine Section"], 3, "REVIEW"),
        (["unit", "Lighthouse Keepers"], 0, "ELIGIBLE"),
        (["person", "Pell Varrow"], 1, "SUSPENDED"),
        (["person", "Ansel Crow"], 0, "ELIGIBLE"),
        (["person", "Ansel Crow", "--unit", "Penitentiary Guard Service"], 3, "REVIEW"),
    ],
)
def test_exit_status_follows_the_verdict(args: list[str], status: int, verdict: str) -> None:
    code, answer = vet_json(*args)
    assert (code, answer["verdict"]) == (status, verdict)


def test_the_law_switch() -> None:
    assert vet_json("unit", "5th Marine Infantry Battalion")[0] == 0
    assert vet_json("unit", "5th Marine Infantry Battalion", "--law", "state")[0] == 0
    code, answer = vet_json("unit", "5th Marine Infantry Battalion", "--law", "dod")
    assert (code, answer["law"], answer["verdict"]) == (1, "dod", "INELIGIBLE")
    assert answer["duty_to_inform"] is False


def test_as_of_reproduces_a_past_decision() -> None:
    before = vet("unit", "Special Response Group", "--as-of", "2019-05-31", "-f", "json")
    after = vet("unit", "Special Response Group", "--as-of", "2019-06-01", "-f", "json")
    assert (before.exit_code, after.exit_code) == (0, 1)
    assert json.loads(before.stdout)["valid_until"] == "2020-05-31"


def test_a_contradicting_birth_date_makes_a_barred_person_review() -> None:
    assert vet_json("person", "Tobin Elvar", "--dob", "1980-04-02")[0] == 1
    code, answer = vet_json("person", "Tobin Elvar", "--dob", "1975")
    assert code == 3
    assert answer["matches"][0]["band"] == "possible"
    assert answer["reasons"][0]["rule"] == "possible-match"


def test_a_contradicting_country_makes_a_barred_person_review() -> None:
    code, answer = vet_json("person", "Tobin Elvar", "--country", "xb")
    assert (code, answer["query"]["country"]) == (3, "XB")
    assert answer["matches"][0]["band"] == "possible"


def test_country_tells_two_units_of_one_name_apart() -> None:
    # Without a country the two are indistinguishable: never a plain ELIGIBLE.
    code, answer = vet_json("unit", "Rapid Intervention Unit")
    assert code in (1, 3) and answer["verdict"] != "ELIGIBLE"
    assert {match["id"] for match in answer["matches"]} == {"xa-rapid", "xb-rapid"}
    assert vet_json("unit", "Rapid Intervention Unit", "--country", "XB")[0] == 0
    assert vet_json("unit", "Rapid Intervention Unit", "--country", "XA")[0] == 1


def test_person_with_unit_takes_the_worse_verdict() -> None:
    code, answer = vet_json("person", "Ansel Crow", "--unit", "Riot Control Division")
    assert code == 1
    assert [m["kind"] for m in answer["matches"]] == ["person", "unit"]
    assert "unit-and-person" in [reason["rule"] for reason in answer["reasons"]]


# --- the JSON contract ---------------------------------------------------------------


def test_json_contract_keys_and_types() -> None:
    code, answer = vet_json("unit", "311th Battalion")
    assert code == 1
    assert answer["query"] == {
        "kind": "unit", "name": "311th Battalion", "unit": None, "birth_date": None,
        "country": None,
    }
    assert (answer["as_of"], answer["law"], answer["verdict"]) == (
        "2020-06-01", "state", "INELIGIBLE"
    )
    assert answer["valid_until"] == "2021-06-01" and answer["duty_to_inform"] is True
    match = answer["matches"][0]
    assert {key: type(value) for key, value in match.items()} == {
        "id": str, "kind": str, "name": str, "matched_name": str, "score": float,
        "band": str, "verdict": str, "explanation": list,
    }
    assert (match["id"], match["band"], match["verdict"]) == ("xa-bn-311", "match", "INELIGIBLE")
    assert answer["more_matches"] == 0
    (reason,) = answer["reasons"]
    assert {key: type(value) for key, value in reason.items()} == {
        "rule": str, "code": str, "verdict": str, "entity": str, "allegation": str,
        "text": str, "sources": list,
    }
    assert (reason["rule"], reason["code"], reason["allegation"], reason["sources"]) == (
        "command", "VET503", "xa-2011-zone-7-killings", [1]
    )
    assert answer["sources"] == [{
        "n": 1, "id": "aldoria-monitor-2013", "title": "Killings in the Seventh Zone",
        "publisher": "Aldoria Rights Monitor", "published": "2013-02-01",
        "url": "https://example.org/aldoria/seventh-zone",
    }]
    registry = answer["registry"]
    assert registry["digest"].startswith("sha256:") and len(registry["digest"]) == 71
    assert (registry["units"], registry["people"], registry["allegations"]) == (21, 7, 11)


def test_json_is_the_default_when_output_is_not_a_terminal() -> None:
    result = vet("unit", "Canine Section", "--as-of", "2020-06-01")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["reasons"][0]["rule"] == "subunit"


def test_no_record_in_json() -> None:
    code, answer = vet_json("unit", "Lighthouse Keepers")
    assert code == 0
    assert answer["matches"] == [] and answer["sources"] == []
    assert answer["reasons"] == [{
        "rule": "no-record", "code": "VET533", "verdict": "ELIGIBLE", "entity": None,
        "allegation": None, "sources": [],
        "text": "No unit in the registry matches 'Lighthouse Keepers': no record in the "
        "registry.",
    }]


# --- the table -----------------------------------------------------------------------


def test_table_of_a_command_chain_at_80_columns() -> None:
    # The matcher's explanation is its own to word, so this checks the lines around it;
    # the golden files below hold whole panels with candidates laid out by hand.
    result = vet("unit", "311th Battalion", "--as-of", "2020-06-01", "--format", "table")
    assert result.exit_code == 1
    lines = [line.strip("│ ") for line in result.stdout.splitlines()]
    assert lines[0].startswith("╭─ vet unit ─")
    assert lines[1] == "INELIGIBLE  No assistance: credible information of a gross violation of"
    assert "INELIGIBLE 311th Battalion (xa-bn-311)" in lines
    assert "INELIGIBLE  VET503 command  [1]" in lines
    assert "commanded 7th Military Zone (xa-zone-7) at the time, and 311th Battalion" in lines
    assert "[1] Killings in the Seventh Zone. Aldoria Rights Monitor, 2013-02-01." in lines
    assert "https://example.org/aldoria/seventh-zone" in lines
    assert all(len(line) == 80 for line in result.stdout.splitlines())


def test_table_reads_at_80_columns_without_colour() -> None:
    # Candidates laid out by hand, so this golden file does not move with the matcher.
    registry = open_registry(VERDICTS)
    harbor = candidate(registry, "xa-harbor", Band.MATCH, 100.0, why=("same words",))
    river = candidate(registry, "xa-river", Band.POSSIBLE, 80.0, why=("one word differs",))
    answer = vet_query(
        registry, FixedMatcher([harbor, river]),  # type: ignore[arg-type]
        Query("unit", "Harbor Patrol Unit"), as_of=date(2020, 6, 1), law=Law.STATE,
    )
    text = plain_80(answer)
    assert_golden("vet-unit-harbor-patrol-unit.txt", text)
    lines = text.splitlines()
    assert lines[1].startswith("│ INELIGIBLE  ")  # the verdict comes first
    assert "│   [1] Annual Report of the Ombudsman. Office of the Ombudsman of Aldoria, " in text


def test_table_of_a_person_in_a_unit_at_80_columns() -> None:
    registry = open_registry(VERDICTS)
    quell = candidate(registry, "xa-mira-quell", Band.MATCH, 100.0, why=("same name",))
    customs = candidate(
        registry, "xa-customs", Band.MATCH, 92.0, "Customs Directorate",
        ("Enforcement only in the registry name",),
    )
    answer = vet_query(
        registry, FixedMatcher([quell, customs]),  # type: ignore[arg-type]
        Query("person", "Mira Quell", unit="Customs Directorate"),
        as_of=date(2020, 6, 1), law=Law.STATE,
    )
    assert_golden("vet-person-mira-quell-customs.txt", plain_80(answer))


def test_table_prints_names_as_written_never_as_markup() -> None:
    result = vet("unit", "[bold red]Riot[/] Control Division", "-f", "table")
    assert "[bold red]Riot[/] Control Division" in result.stdout


# --- usage errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["unit", "X", "--as-of", "2020-13-01"], "--as-of '2020-13-01': month must be in 1..12"),
        (["unit", "X", "--as-of", "yesterday"], "--as-of 'yesterday': expected a day as "
         "YYYY-MM-DD"),
        (["unit", "X", "--as-of", "2020-06"], "--as-of '2020-06': expected a day"),
        (["unit", "X", "--as-of", "9999-12-31"], "the year must be from 1800 to 9998"),
        (["person", "X", "--dob", "1980-02-30"], "--dob '1980-02-30': day 30 does not exist"),
        (["person", "X", "--dob", "next year"], "--dob 'next year': expected a date"),
        (["unit", "X", "--country", "Mexico"], "--country 'Mexico': expected an ISO 3166-1"),
        (["unit", "   "], "NAME is empty"),
        (["unit", "A" * 100_000], "NAME 'AAAA"),
        (["person", "X", "--unit", ""], "--unit is empty"),
        (["show", "xa-no-such-unit"], "no unit, person or allegation has the id "
         "'xa-no-such-unit'"),
        (["show", "xa-pol-riot-k8"], "did you mean xa-pol-riot-k9"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = vet(*args)
    assert_usage_error(result, message)
    assert len(result.stderr) < 300


def test_an_unknown_law_is_a_usage_error() -> None:
    result = vet("unit", "X", "--law", "un")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr and "'un' is not one of" in result.stderr


def test_a_missing_registry_exits_2(tmp_path: Path) -> None:
    result = vet("unit", "X", "--data", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.stderr.startswith("vet: error: ") and "nowhere" in result.stderr


def test_an_invalid_registry_exits_2_and_points_at_validate(tmp_path: Path) -> None:
    (tmp_path / "units.yaml").write_text("units:\n  - id: x\n    name: [unclosed\n")
    (tmp_path / "allegations.yaml").write_text("sources: []\nallegations: []\n")
    for command in (["unit", "X"], ["show", "x"]):
        result = vet(*command, "--data", str(tmp_path))
        assert result.exit_code == 2
        assert "vet validate" in result.stderr and "Traceback" not in result.stderr


# --- vet show ----------------------------------------------------------------------


def test_show_a_unit_with_its_links() -> None:
    result = vet("show", "xa-bde-31", "-f", "json")
    assert result.exit_code == 0
    profile = json.loads(result.stdout)
    assert profile["kind"] == "unit" and profile["record"]["name"] == "31st Brigade"
    assert [unit["id"] for unit in profile["parents"]] == ["xa-zone-7", "xa-army"]
    assert [unit["id"] for unit in profile["children"]] == ["xa-bn-311", "xa-bn-312"]
    assert profile["allegations"] == [] and profile["sources"] == []


def test_show_a_unit_as_a_table() -> None:
    result = vet("show", "xa-pol-riot", "-f", "table")
    assert result.exit_code == 0
    assert_golden("vet-show-xa-pol-riot.txt", result.stdout)


def test_show_a_person_with_posts_and_allegations() -> None:
    result = vet("show", "xa-tobin-elvar", "-f", "json")
    assert result.exit_code == 0
    profile = json.loads(result.stdout)
    assert [post["unit"] for post in profile["posts"]] == ["xa-harbor", "xa-river"]
    assert profile["posts"][0]["unit_name"] == "Harbor Patrol Unit"
    assert [a["id"] for a in profile["allegations"]] == ["xa-2013-harbor-torture"]
    assert [s["id"] for s in profile["sources"]] == ["aldoria-ombudsman-2020"]
    table = vet("show", "xa-tobin-elvar", "-f", "table").stdout
    assert "Sergeant, member in River Patrol Unit (xa-river), 2014-03 to now" in table


def test_show_an_allegation() -> None:
    result = vet("show", "xa-2011-zone-7-killings", "-f", "table")
    assert result.exit_code == 0
    assert "Corvin Malstrand (xa-corvin-malstrand)" in result.stdout
    assert '[1] "General Malstrand ordered the operation."' in result.stdout


def test_help_has_a_worked_example_for_each_command() -> None:
    for command in ("unit", "person", "show"):
        result = vet(command, "--help")
        assert result.exit_code == 0
        assert f"Example: vet {command} " in result.stdout


def test_the_verdict_is_coloured_on_a_terminal_and_not_with_no_colour() -> None:
    registry = open_registry(VERDICTS)
    answer = vet_query(
        registry, FixedMatcher([]),  # type: ignore[arg-type]
        Query("unit", "Nobody"), as_of=date(2020, 6, 1), law=Law.STATE,
    )
    coloured, plain = io.StringIO(), io.StringIO()
    print_verdict(answer, Console(file=coloured, width=80, force_terminal=True,
                                  color_system="standard"))
    print_verdict(answer, Console(file=plain, width=80, force_terminal=True, no_color=True))
    assert "\x1b[1;32mELIGIBLE" in coloured.getvalue()  # bold green
    assert "ELIGIBLE" in plain.getvalue()
    assert "32m" not in plain.getvalue() and "\x1b[1mELIGIBLE" in plain.getvalue()
