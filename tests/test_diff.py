"""`vet diff`: what a registry edit changes, between folders and between git revisions.

Every registry here is tests/fixtures/registries/diff-base (invented: XB and XC
are user-assigned country codes) with one edit applied in the test, so each
test shows its edit. In the base, the 77th and 52nd battalions are INELIGIBLE
(named in credible allegations), Olga Pardo Nieves serves in the 52nd, the
Coastal Rangers of Calvera are SUSPENDED, and Colonel Ramiro Estela Vidal has
commanded the 3rd Military Zone (31st, 32nd and 77th battalions) since 2014.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import assert_usage_error
from typer.testing import CliRunner, Result

from vetting import render
from vetting.cli import app

HERE = Path(__file__).parent
BASE = HERE / "fixtures" / "registries" / "diff-base"
GOLDEN = HERE / "golden"
AS_OF = "2024-01-01"

FORD = """
  - id: xb-2021-ford
    summary: Soldiers under Colonel Estela killed two villagers at the Ford crossing.
    date: "2021-05-04"
    place: Ford crossing
    country: XB
    violations: [extrajudicial_killing]
    units: [xb-bn-31]
    people: [xb-ramiro-estela]
    credibility: credible
    evidence:
      - source: brevania-watch-2019
"""
CARDO_REMEDIATED = (
    "    units: [xb-bn-52]\n",
    "    units: [xb-bn-52]\n    remediation:\n      kind: effective_steps\n"
    "      date: \"2022-03-01\"\n      reference: Conviction of the guards, case 114/2021\n",
)


def add_ford(text: str) -> str:
    return text + FORD


def remediate_cardo(text: str) -> str:
    return text.replace(*CARDO_REMEDIATED)


def move(unit_id: str, parent: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        start = text.index(f"  - id: {unit_id}\n")
        end = text.index("\n\n", start)
        block = text[start:end]
        moved = "\n".join(
            f"    parent: {parent}" if line.startswith("    parent:") else line
            for line in block.splitlines()
        )
        return text[:start] + moved + text[end:]
    return edit


def registry(folder: Path, units: Callable[[str], str] = str,
             allegations: Callable[[str], str] = str) -> Path:
    """The base registry in `folder`, with an edit to each file."""
    folder.mkdir(parents=True)
    for name, edit in (("units.yaml", units), ("allegations.yaml", allegations)):
        (folder / name).write_text(edit((BASE / name).read_text(encoding="utf-8")),
                                   encoding="utf-8")
    return folder


def run(*args: str | Path, **env: str) -> Result:
    runner = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1", "VET_DATA": None,
                            "GITHUB_ACTIONS": None, **env})
    return runner.invoke(app, ["diff", *map(str, args), "--as-of", AS_OF])


def document(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def changes(result: Result) -> dict[str, tuple[str | None, str | None, str]]:
    """id: (old verdict, new verdict, code of the first reason)."""
    return {
        change["id"]: (change["old"], change["new"],
                       change["reasons"][0]["code"] if change["reasons"] else "")
        for change in document(result)["changes"]
    }


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_added_credible_allegation_bars_the_unit_the_command_chain_and_members(
    here: Path,
) -> None:
    registry(here / "old")
    registry(here / "new", allegations=add_ford)
    result = run("old", "new", "-f", "json")
    assert changes(result) == {
        "xb-bn-31": ("ELIGIBLE", "INELIGIBLE", "VET501"),  # named
        "xb-zone-3": ("REVIEW", "INELIGIBLE", "VET503"),  # its commander is named
        "xb-bn-32": ("ELIGIBLE", "INELIGIBLE", "VET503"),  # below the commanded zone
        "xb-co-31a": ("ELIGIBLE", "INELIGIBLE", "VET503"),
        "xb-ramiro-estela": ("ELIGIBLE", "INELIGIBLE", "VET501"),
        "xb-tadeo-ruiz": ("ELIGIBLE", "INELIGIBLE", "VET506"),  # serves in the 31st
    }  # the army above the zone is not barred: a bar never climbs
    found = document(result)
    assert found["summary"] == {"barred": 6, "lifted": 0, "review": 0, "cleared": 0,
                                "changed": 0, "added": 0, "removed": 0}
    line = 1 + (BASE / "allegations.yaml").read_text().count("\n") + 1
    assert {(c["where"]["path"], c["where"]["line"]) for c in found["changes"]} == {
        ("new/allegations.yaml", line),
    }
    assert found["edits"] == [{"kind": "allegation", "id": "xb-2021-ford", "status": "added",
                               "where": {"path": "new/allegations.yaml", "line": line,
                                         "side": "new", "label": "new"}}]


def test_an_allegation_dated_after_as_of_changes_nothing(here: Path) -> None:
    registry(here / "old")
    registry(here / "new", allegations=add_ford)
    runner = CliRunner(env={"VET_DATA": None})
    result = runner.invoke(app, ["diff", "old", "new", "--as-of", "2021-05-03", "-f", "json"])
    assert json.loads(result.stdout)["changes"] == []
    result = runner.invoke(app, ["diff", "old", "new", "--as-of", "2021-05-04", "-f", "json"])
    assert len(json.loads(result.stdout)["changes"]) == 6


def test_exit_status_is_0_unless_fail_on_says_otherwise(here: Path) -> None:
    registry(here / "old")
    registry(here / "new", allegations=add_ford)
    assert run("old", "new").exit_code == 0
    assert run("old", "new", "--fail-on", "bar").exit_code == 1
    assert run("old", "new", "--fail-on", "change").exit_code == 1
    assert run("new", "old", "--fail-on", "bar").exit_code == 0  # the reverse lifts
    assert run("new", "old", "--fail-on", "change").exit_code == 1
    assert run("old", "old", "--fail-on", "change").exit_code == 0


def test_a_remediation_lifts_the_bar_under_its_law_only(here: Path) -> None:
    registry(here / "old")
    registry(here / "new", allegations=remediate_cardo)
    result = run("old", "new", "-f", "json")
    assert changes(result) == {
        "xb-bn-52": ("INELIGIBLE", "ELIGIBLE", "VET521"),
        "xb-olga-pardo": ("INELIGIBLE", "ELIGIBLE", "VET506"),  # her unit's bar went
        "xb-zone-5": ("REVIEW", "ELIGIBLE", "VET508"),  # it no longer holds a barred unit
    }
    found = document(result)
    assert found["summary"]["lifted"] == 2
    assert [r["code"] for r in found["changes"][0]["reasons"]] == ["VET521", "VET501"]
    assert "lifts the bar under State law" in found["changes"][0]["reasons"][0]["text"]
    assert found["changes"][0]["where"]["line"] == 34  # the edited allegation
    assert run("old", "new", "--fail-on", "bar").exit_code == 0
    # effective_steps is State's remedy: under DoD law nothing is lifted.
    dod = CliRunner(env={"VET_DATA": None}).invoke(
        app, ["diff", "old", "new", "--as-of", AS_OF, "--law", "dod", "-f", "json"]
    )
    assert json.loads(dod.stdout)["changes"] == []


def test_an_alias_changes_no_verdict_and_shows_as_an_edit(here: Path) -> None:
    registry(here / "old")
    registry(here / "new", units=lambda text: text.replace(
        "    name: Port Lumen Municipal Police\n",
        "    name: Port Lumen Municipal Police\n    aliases: [Policía Municipal de Puerto Lumen]\n",
    ))
    result = run("old", "new", "-f", "json", "--fail-on", "change")
    assert result.exit_code == 0
    found = document(result)
    assert found["changes"] == []
    assert [(e["kind"], e["id"], e["status"], e["where"]["line"]) for e in found["edits"]] == [
        ("unit", "xb-harbor-police", "changed", 58),
    ]
    github = run("old", "new", "-f", "github").stdout
    assert github.startswith("::notice file=new/units.yaml,line=58,title=vet diff unit "
                             "xb-harbor-police::unit xb-harbor-police changed: no verdict "
                             "changes\n")
    text = run("old", "new")
    assert "none: every unit and person keeps its verdict" in text.stdout
    assert "Summary: 0 barred, 0 lifted, 0 newly under review" in text.stdout


def test_a_removed_unit_is_listed_and_a_removed_bar_is_a_lift(here: Path) -> None:
    def without(unit_id: str) -> Callable[[str], str]:
        def edit(text: str) -> str:
            start = text.index(f"  - id: {unit_id}\n")
            end = text.find("\n\n", start)
            return text[:start] + ("" if end < 0 else text[end + 2:])
        return edit

    registry(here / "old")
    registry(here / "new", units=without("xb-customs"))
    found = document(run("old", "new", "-f", "json", "--fail-on", "change"))
    assert [(c["id"], c["status"], c["old"], c["new"], c["effect"]) for c in found["changes"]] \
        == [("xb-customs", "removed", "ELIGIBLE", None, None)]
    assert found["summary"]["removed"] == 1
    assert found["changes"][0]["where"] == {"path": "old/units.yaml", "line": 63,
                                            "side": "old", "label": "old"}

    registry(here / "gone", units=without("xc-rangers"), allegations=without("xc-2020-fishermen"))
    result = run("old", "gone", "-f", "json")
    assert changes(result) == {"xc-rangers": ("SUSPENDED", None, "VET501")}
    assert document(result)["summary"]["lifted"] == 1
    assert run("old", "gone", "--fail-on", "change").exit_code == 1


def test_moving_a_barred_battalion_into_a_clean_zone(here: Path) -> None:
    # A dated link moves the barred 77th from the 3rd zone to a clean 9th in 2024: the
    # 9th zone now holds a barred unit (contains-barred), the 3rd no longer does, and
    # the army above both holds it still, so its verdict does not change.
    def with_zone_9(text: str) -> str:
        return text.replace("people:\n", (
            "  - id: xb-zone-9\n    name: 9th Military Zone\n    country: XB\n"
            "    force: army\n    parent: xb-army\n\npeople:\n"
        ))

    def moved(text: str) -> str:
        return with_zone_9(text).replace(
            "    parent: xb-zone-3\n\n  - id: xb-zone-5",
            "    parents:\n      - unit: xb-zone-3\n        end: 2023\n"
            "      - unit: xb-zone-9\n        start: 2024\n\n  - id: xb-zone-5",
        )
    registry(here / "old", units=with_zone_9)
    registry(here / "new", units=moved)
    found = document(run("old", "new", "-f", "json", "--as-of", "2025-01-01"))
    assert [(c["id"], c["old"], c["new"], [r["code"] for r in c["reasons"]])
            for c in found["changes"]] == [
        ("xb-zone-9", "ELIGIBLE", "REVIEW", ["VET508"]),
        ("xb-zone-3", "REVIEW", "ELIGIBLE", ["VET508"]),
    ]
    assert [(e["id"], e["status"]) for e in found["edits"]] == [("xb-bn-77", "changed")]


def test_moving_a_battalion_under_an_implicated_commander_bars_it(here: Path) -> None:
    registry(here / "old", allegations=add_ford)
    registry(here / "new", units=move("xb-bn-51", "xb-zone-3"), allegations=add_ford)
    result = run("old", "new", "-f", "json")
    assert changes(result) == {"xb-bn-51": ("ELIGIBLE", "INELIGIBLE", "VET503")}
    assert document(result)["changes"][0]["where"]["line"] == 46  # the moved unit's record


def test_added_entities(here: Path) -> None:
    registry(here / "old")
    registry(here / "new", units=lambda text: text.replace("people:\n", (
        "  - id: xb-bn-78\n    name: 78th Infantry Battalion\n    country: XB\n"
        "    force: army\n    parent: xb-bn-77\n\npeople:\n"
    )))
    found = document(run("old", "new", "-f", "json"))
    # Below a barred battalion, existing when the killings took place: REVIEW (VET504).
    assert [(c["id"], c["status"], c["old"], c["new"], c["effect"])
            for c in found["changes"]] == [("xb-bn-78", "added", None, "REVIEW", "review")]
    assert found["summary"]["added"] == 1


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("VET_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("output_format", ["markdown", "github", "text"])
def test_golden_output(here: Path, output_format: str) -> None:
    registry(here / "old")
    registry(here / "new", allegations=lambda text: remediate_cardo(add_ford(text)))
    result = run("old", "new", "-f", output_format)
    assert result.exit_code == 0
    suffix = {"markdown": "md", "github": "github.txt", "text": "txt"}[output_format]
    assert_golden(f"vet-diff-ford-and-cardo.{suffix}", result.stdout)


def test_github_is_the_default_on_github_actions(here: Path) -> None:
    registry(here / "old")
    registry(here / "new", allegations=add_ford)
    result = run("old", "new", GITHUB_ACTIONS="true")
    assert result.stdout.startswith("::warning file=new/allegations.yaml,line=")


def test_markdown_escapes_registry_text(here: Path) -> None:
    registry(here / "old")
    registry(here / "new", allegations=add_ford, units=lambda text: text.replace(
        "name: 31st Infantry Battalion", "name: 31st | <b>Battalion</b> *x*"))
    result = run("old", "new", "-f", "markdown")
    assert r"31st \| \<b\>Battalion\</b\> \*x\*" in result.stdout
    assert "<b>" not in result.stdout


def test_markdown_holds_a_pull_request_comment(here: Path, monkeypatch: pytest.MonkeyPatch,
                                               ) -> None:
    from vetting.render import markdown

    monkeypatch.setattr(markdown, "ROWS", 2)
    registry(here / "old")
    registry(here / "new", allegations=add_ford)
    text = run("old", "new", "-f", "markdown").stdout
    assert text.count("| unit `") + text.count("| person `") == 2
    assert "And 4 more; `--format json` lists every one." in text


def test_every_format_renders() -> None:
    assert render.formats("diff") == ["github", "json", "markdown", "text"]
    assert render.formats("roster-diff") == ["github", "json", "markdown", "text"]


# --- a roster ----------------------------------------------------------------------------

ROSTER = (
    "Name,Unit,Country\n"
    "Tadeo Ruiz Manso,,XB\n"
    ",31st Infantry Battalion,XB\n"
    ",52nd Infantry Battalion,XB\n"
    "Olga Pardo Nieves,51st Infantry Battalion,XB\n"
    ",,\n"
)


def test_which_rows_of_a_roster_an_edit_changes(here: Path) -> None:
    registry(here / "old")
    registry(here / "new", allegations=lambda text: remediate_cardo(add_ford(text)))
    (here / "roster.csv").write_text(ROSTER, encoding="utf-8")
    result = run("--roster", "roster.csv", "old", "new", "-f", "json")
    found = document(result)
    assert [(c["row"], c["line"], c["old"], c["new"], c["effect"]) for c in found["changes"]] \
        == [(1, 2, "ELIGIBLE", "INELIGIBLE", "barred"), (2, 3, "ELIGIBLE", "INELIGIBLE", "barred"),
            (3, 4, "INELIGIBLE", "ELIGIBLE", "lifted"), (4, 5, "INELIGIBLE", "ELIGIBLE", "lifted")]
    assert found["rows"] == 5
    assert found["summary"]["barred"] == 2 and found["summary"]["lifted"] == 2
    assert run("--roster", "roster.csv", "old", "new", "--fail-on", "bar").exit_code == 1
    text = run("--roster", "roster.csv", "old", "new").stdout
    assert "row 2 (line 3) 31st Infantry Battalion: ELIGIBLE → INELIGIBLE (barred)" in text
    github = run("--roster", "roster.csv", "old", "new", "-f", "github").stdout
    assert github.startswith("::warning file=roster.csv,line=2,title=VET601 row 1::")


def test_an_unreadable_roster_is_exit_2(here: Path) -> None:
    registry(here / "old")
    assert_usage_error(run("--roster", "missing.csv", "old", "old"), "missing.csv: no such file")


def test_a_roster_with_other_headers(here: Path) -> None:
    registry(here / "old")
    registry(here / "new", allegations=add_ford)
    (here / "roster.csv").write_text("Nominee,Posting\nTadeo Ruiz Manso,\n", encoding="utf-8")
    assert_usage_error(run("--roster", "roster.csv", "old", "new"), "no name or unit column")
    found = document(run("--roster", "roster.csv", "old", "new", "--columns",
                         "name=Nominee,unit=Posting", "-f", "json"))
    assert [(c["row"], c["new"]) for c in found["changes"]] == [(1, "INELIGIBLE")]


# --- git revisions -----------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def repo(here: Path) -> Path:
    """A repository whose first commit holds the base registry in data/ and the second
    adds the Ford allegation."""
    git(here, "init", "-q", "-b", "main")
    git(here, "config", "user.name", "Test Analyst")
    git(here, "config", "user.email", "analyst@example.org")
    (here / "README").write_text("registry\n")
    git(here, "add", "README")
    git(here, "commit", "-qm", "start")
    registry(here / "data")
    git(here, "add", "data")
    git(here, "commit", "-qm", "base registry")
    (here / "data" / "allegations.yaml").write_text(
        add_ford((BASE / "allegations.yaml").read_text()), encoding="utf-8")
    git(here, "commit", "-qam", "Ford crossing")
    return here


def test_two_revisions(repo: Path) -> None:
    found = document(run("HEAD~1", "HEAD", "--data", "data", "-f", "json"))
    assert found["old"]["label"] == "HEAD~1" and found["new"]["label"] == "HEAD"
    assert found["summary"]["barred"] == 6
    assert {c["where"]["path"] for c in found["changes"]} == {"data/allegations.yaml"}


def test_the_working_tree_against_a_revision_never_touches_it(repo: Path) -> None:
    path = repo / "data" / "allegations.yaml"
    path.write_text(remediate_cardo(path.read_text()), encoding="utf-8")
    before = git(repo, "status", "--porcelain")
    found = document(run("HEAD", "--data", "data", "-f", "json"))
    assert found["new"]["label"] == "data"
    assert {c["id"]: c["effect"] for c in found["changes"]} == {
        "xb-bn-52": "lifted", "xb-olga-pardo": "lifted", "xb-zone-5": "cleared",
    }
    assert git(repo, "status", "--porcelain") == before
    assert "remediation" in path.read_text()
    found = document(run("HEAD~1", "--data", "data", "-f", "json"))
    assert found["summary"]["barred"] == 6 and found["summary"]["lifted"] == 2


def test_the_registry_in_use_from_a_subfolder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "data")
    found = document(run("HEAD~1", "HEAD", "--data", ".", "-f", "json"))
    assert found["summary"]["barred"] == 6
    assert found["changes"][0]["where"]["path"] == "allegations.yaml"


def test_a_malformed_revision_is_a_clear_error(repo: Path) -> None:
    (repo / "data" / "units.yaml").write_text("units: [\n", encoding="utf-8")
    git(repo, "commit", "-qam", "broken")
    result = run("HEAD~1", "HEAD", "--data", "data")
    assert_usage_error(result, "revision HEAD (data) has 1 error(s); first: data/units.yaml:2:1: "
                       "VET101")


def test_a_revision_without_the_registry_is_a_clear_error(repo: Path) -> None:
    assert_usage_error(run("HEAD~2", "HEAD", "--data", "data"),
                       "HEAD~2:data/units.yaml: no such file in revision HEAD~2")


@pytest.mark.parametrize(("spec", "message"), [
    ("no-such-branch", "'no-such-branch' is neither a registry folder nor a revision"),
    ("HEAD~99", "'HEAD~99' is neither a registry folder nor a revision"),
    ("-p", "'-p' is neither a registry folder nor a git revision"),
])
def test_an_unknown_revision_is_a_clear_error(repo: Path, spec: str, message: str) -> None:
    runner = CliRunner(env={"VET_DATA": None})
    result = runner.invoke(app, ["diff", "--data", "data", "--", spec])
    assert_usage_error(result, message)


def test_a_revision_outside_a_repository(here: Path) -> None:
    registry(here / "data")
    assert_usage_error(run("HEAD", "--data", "data"), "is not in a git repository")


def test_a_registry_outside_the_repository(repo: Path, tmp_path_factory: pytest.TempPathFactory
                                           ) -> None:
    elsewhere = registry(tmp_path_factory.mktemp("elsewhere") / "data")
    assert_usage_error(run("HEAD", "--data", elsewhere), "is not inside the git repository")


def test_a_registry_with_errors_in_a_folder(here: Path) -> None:
    registry(here / "old")
    registry(here / "bad",
             units=lambda text: text.replace("parent: xb-zone-5", "parent: xb-zone-9"))
    assert_usage_error(run("old", "bad"), "VET301")


def test_git_is_needed_only_for_revisions(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry(here / "old")
    monkeypatch.setenv("PATH", str(here / "no-bin"))
    assert shutil.which("git") is None
    assert run("old", "old").exit_code == 0
    assert_usage_error(run("HEAD", "--data", "old"), "git is not installed")
