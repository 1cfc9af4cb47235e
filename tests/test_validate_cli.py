"""`vet validate` end to end: formats, exit statuses, paths and the pre-commit hook.

Golden files under tests/golden/ hold the output for the `several-findings`
fixture; set VET_UPDATE_GOLDEN=1 to rewrite them after a deliberate change.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from cli_helpers import assert_usage_error
from validate_helpers import REGISTRIES, VALID, found, registry_with, validate_json, vet

from vetting.codes import Code
from vetting.records import bundled
from vetting.render.github import escape_data, escape_property

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("VET_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("output_format", "golden"), [
    ("text", "vet-validate-several-findings.txt"),
    ("github", "vet-validate-several-findings.github.txt"),
    ("json", "vet-validate-several-findings.json"),
])
def test_each_format_matches_its_golden_file(
    monkeypatch: pytest.MonkeyPatch, output_format: str, golden: str
) -> None:
    monkeypatch.chdir(REGISTRIES)
    result = vet("validate", "several-findings", "--format", output_format)
    assert result.exit_code == 1
    _golden(golden, result.stdout)


def test_text_lines_are_path_line_col_level_code_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REGISTRIES)
    lines = vet("validate", "several-findings").stdout.splitlines()
    pattern = re.compile(r"several-findings/(units|allegations)\.yaml:\d+:\d+: "
                         r"(error|warning) VET\d{3} .+")
    assert all(pattern.fullmatch(line) for line in lines[:-1])
    assert lines[-1] == "4 errors, 2 warnings in 2 files (of 2 checked)"


def test_findings_are_sorted_by_path_line_and_column() -> None:
    _, findings = validate_json(REGISTRIES / "several-findings")
    keys = [(item["path"], item["line"], item["col"]) for item in findings]
    assert keys == sorted(keys)


def test_a_valid_registry_exits_0_with_a_summary() -> None:
    result = vet("validate", VALID)
    assert result.exit_code == 0
    assert result.stdout == "registry ok: 3 units, 1 person, 1 source, 1 allegation\n"


def test_warnings_alone_exit_0() -> None:
    result = vet("validate", REGISTRIES / "unused-source")
    assert result.exit_code == 0
    assert "warning VET352 source 'xa-report-unused' is cited by no allegation" in result.stdout
    assert result.stdout.endswith("(1 warning)\n")
    assert validate_json(REGISTRIES / "unused-source")[0] == 0


def test_the_bundled_registry_is_valid() -> None:
    result = vet("validate", "--format", "json")
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["status"] == "ok"
    assert all(item["level"] == "warning" for item in document["findings"])
    assert all(Path(item["path"]).parent == bundled() or
               Path(item["path"]).parent.resolve() == bundled().resolve()
               for item in document["findings"])


def test_data_option_and_env_choose_the_registry() -> None:
    broken = REGISTRIES / "unknown-parent"
    assert vet("validate", "--data", broken).exit_code == 1
    assert vet("validate", env={"VET_DATA": str(broken)}).exit_code == 1
    # PATHs given on the command line are validated instead of the registry in use.
    assert vet("validate", VALID, env={"VET_DATA": str(broken)}).exit_code == 0


def test_a_file_stands_for_its_whole_registry_folder() -> None:
    # Only allegations.yaml is named, yet its references into units.yaml are checked
    # and the findings of units.yaml are reported too.
    status, findings = validate_json(REGISTRIES / "several-findings" / "allegations.yaml")
    assert status == 1
    assert {name for name, *_ in found(findings)} == {"units.yaml", "allegations.yaml"}
    # Both files of one folder (as pre-commit passes them) validate it once.
    both = validate_json(REGISTRIES / "several-findings" / "units.yaml",
                         REGISTRIES / "several-findings" / "allegations.yaml",
                         REGISTRIES / "several-findings")
    assert both == (status, findings)


def test_several_registries_are_validated_together() -> None:
    status, findings = validate_json(REGISTRIES / "valid-minimal", REGISTRIES / "unknown-parent",
                                     REGISTRIES / "unused-source")
    assert status == 1
    assert [(Path(item["path"]).parent.name, item["code"]) for item in findings] == [
        ("unknown-parent", "VET301"), ("unused-source", "VET352"),
    ]
    result = vet("validate", REGISTRIES / "valid-minimal", REGISTRIES / "unused-source")
    assert result.stdout.splitlines()[-1] == (
        "2 registries ok: 6 units, 2 people, 3 sources, 2 allegations (1 warning)"
    )


def test_paths_under_the_working_folder_are_shown_relative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REGISTRIES)
    result = vet("validate", (REGISTRIES / "unknown-parent").resolve())
    assert result.stdout.startswith("unknown-parent/units.yaml:22:13: error VET301 ")


def test_github_actions_makes_github_the_default_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REGISTRIES)
    result = vet("validate", "unknown-parent", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error file=unknown-parent/units.yaml,line=22,col=13,"
                                    "title=VET301::parent: unknown unit 'xa-gaurd'\n")
    text = "unknown-parent/units.yaml:22:13: error VET301"
    assert vet("validate", "unknown-parent",
               env={"GITHUB_ACTIONS": "false"}).stdout.startswith(text)
    explicit = vet("validate", "unknown-parent", "--format", "text",
                   env={"GITHUB_ACTIONS": "true"})
    assert explicit.stdout.startswith(text)


def test_github_annotations_escape_properties_and_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    units = (VALID / "units.yaml").read_text().replace(
        "    force: national_guard\n    parent: xa-guard\n    start: 2001-03",
        "    force: national_guard\n    strength%: 100\n    parent: xa-guard\n    start: 2001-03",
    )
    registry_with(tmp_path / "reg:a,b%", units=units)
    monkeypatch.chdir(tmp_path)
    result = vet("validate", "reg:a,b%", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "::error file=reg%3Aa%2Cb%25/units.yaml,line=14,col=5,title=VET202::"
        "unknown key 'strength%25'"
    )


@pytest.mark.parametrize(("text", "data", "prop"), [
    ("100%", "100%25", "100%25"),
    ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
    ("C:\\reg,1", "C:\\reg,1", "C%3A\\reg%2C1"),
    ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
])
def test_github_escaping_rules(text: str, data: str, prop: str) -> None:
    assert escape_data(text) == data
    assert escape_property(text) == prop


def test_json_output_is_the_documented_contract() -> None:
    result = vet("validate", REGISTRIES / "several-findings", "--format", "json")
    document = json.loads(result.stdout)
    assert list(document) == ["version", "status", "findings"]
    assert (document["version"], document["status"]) == (1, "fail")
    for item in document["findings"]:
        assert list(item) == ["path", "line", "col", "level", "code", "message"]
        assert isinstance(item["line"], int) and isinstance(item["col"], int)
        assert item["level"] in ("error", "warning")
        assert Code(item["code"]).level == item["level"]
    ok = json.loads(vet("validate", VALID, "--format", "json").stdout)
    assert ok == {"version": 1, "status": "ok", "findings": []}


@pytest.mark.parametrize(("args", "message"), [
    (["validate", "no/such/registry"], "no/such/registry: no such file or folder"),
    (["validate", str(REGISTRIES)], "not a registry folder: units.yaml and allegations.yaml "
                                    "are missing"),
    (["validate", str(README)], "not a registry file"),
    (["validate", "--data", "no/such/registry"], "no/such/registry"),
])
def test_paths_that_cannot_be_read_exit_2_with_one_line(args: list[str], message: str) -> None:
    assert_usage_error(vet(*args), message)


def test_a_registry_file_that_is_a_folder_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "reg"
    folder.mkdir()
    (folder / "units.yaml").mkdir()
    (folder / "allegations.yaml").write_text("sources: []\n")
    result = vet("validate", folder)
    assert result.exit_code == 2
    assert "units.yaml: not a regular file" in result.stderr


def test_a_half_registry_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "half"
    folder.mkdir()
    (folder / "units.yaml").write_text("units: []\n")
    result = vet("validate", folder / "units.yaml")
    assert result.exit_code == 2
    assert result.stderr == f"vet: error: {folder}: not a registry folder: allegations.yaml is " \
                            "missing\n"


@pytest.mark.parametrize("args", [
    ["validate", "--format", "xml"],
    ["validate", "--max-bytes", "0"],
    ["validate", "--max-bytes", "lots"],
    ["validate", "--no-such-option"],
])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = vet(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_bad_size_limit_in_the_environment_is_a_usage_error() -> None:
    result = vet("validate", VALID, env={"VET_MAX_BYTES": "ten"})
    assert result.exit_code == 2
    assert "VET_MAX_BYTES" in result.output


def test_help_gives_a_worked_example() -> None:
    result = vet("validate", "--help")
    assert result.exit_code == 0
    assert "vet validate data/ --format json" in result.stdout


def test_the_pre_commit_hook_validates_the_files_it_matches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(item for item in hooks if item["id"] == "vet-validate")
    files = re.compile(hook["files"])
    assert files.search("data/units.yaml") and files.search("allegations.yaml")
    assert not files.search("data/old-units.yaml") and not files.search("units.yaml.bak")
    command, *args = hook["entry"].split()
    assert command == "vet"
    # pre-commit appends the matching files it is given, as here.
    monkeypatch.chdir(ROOT)
    staged = ["data/units.yaml", "data/allegations.yaml"]
    assert all(files.search(path) for path in staged)
    assert vet(*args, *staged).exit_code == 0
    assert vet(*args, str(REGISTRIES / "unknown-parent" / "units.yaml")).exit_code == 1
