"""Bad input at the command line: one clear line on stderr, exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from cli_helpers import assert_usage_error
from typer.testing import CliRunner, Result

from vetting.cli import app


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("name", ["\u200b", "...", "🙂", "-", "\u200f\u200d"])
def test_a_name_with_nothing_to_match_is_a_usage_error(name: str) -> None:
    assert_usage_error(run("unit", name), "has no letter or digit to match")


@pytest.mark.parametrize("command", ["unit", "person"])
def test_a_terminal_escape_in_a_name_is_a_usage_error(command: str) -> None:
    assert_usage_error(run(command, "\x1b[2JNorvian Army"), "holds a control character")


def test_a_pipe_as_the_roster_is_refused_not_waited_on(tmp_path: object) -> None:
    import os
    from pathlib import Path

    for name in ("roster.csv", "roster.xlsx"):
        fifo = Path(str(tmp_path)) / name
        os.mkfifo(fifo)  # opening it to read would wait for a writer forever
        assert_usage_error(run("batch", str(fifo)), "not a regular file")


def test_out_never_replaces_a_file_the_run_reads(tmp_path: object) -> None:
    import shutil
    from pathlib import Path

    here = Path(str(tmp_path))
    registry = here / "registry"
    shutil.copytree(Path(__file__).parent / "fixtures" / "registries" / "contains-barred",
                    registry)
    roster = here / "roster.csv"
    roster.write_text("unit\nNorvian Army\n", encoding="utf-8")
    before = (registry / "units.yaml").read_bytes()
    result = run("batch", str(roster), "--data", str(registry),
                 "--out", str(registry / "units.yaml"))
    assert_usage_error(result, "is the registry's units.yaml, which this run reads")
    assert (registry / "units.yaml").read_bytes() == before
    earlier = here / "earlier.jsonl"
    assert run("batch", str(roster), "--data", str(registry), "-f", "jsonl",
               "--out", str(earlier)).exit_code == 3
    kept = earlier.read_bytes()
    result = run("batch", str(roster), "--data", str(registry), "--previous", str(earlier),
                 "--out", str(earlier))
    assert_usage_error(result, "is the earlier results (--previous)")
    assert earlier.read_bytes() == kept


def test_the_batch_table_shows_an_escape_in_a_cell_as_its_code(tmp_path: object) -> None:
    from pathlib import Path

    roster = Path(str(tmp_path)) / "roster.csv"
    roster.write_text('unit\n"\x1b[1A\x1b[2KNorvian Army"\n', encoding="utf-8")
    result = CliRunner(env={"COLUMNS": "120"}).invoke(
        app, ["batch", str(roster), "-f", "table"])
    assert "\x1b" not in result.stdout  # the terminal never receives the escape
    assert "\\x1b[1A" in result.stdout  # the analyst sees what the cell held


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["unit", "x", "--country", "ZZ"], "ZZ is not an ISO 3166-1 alpha-2 code in use"),
        (["person", "x", "--dob", "2999"], "a birth date in the future"),
        (["unit", "x", "--as-of", "２０２４-０１-０１"], "expected a day as YYYY-MM-DD"),
    ],
)
def test_absurd_option_values_are_usage_errors(args: list[str], message: str) -> None:
    assert_usage_error(run(*args), message)


@pytest.mark.parametrize(
    "args", [["unit", "102nd Battalion"], ["validate"], ["schema"], ["--version"]]
)
def test_output_that_cannot_be_written_is_exit_2_not_a_verdict(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "vetting", *args], stdout=full, stderr=subprocess.PIPE,
            text=True, timeout=60, check=False,
        )
    assert done.returncode == 2
    assert done.stderr == "vet: error: cannot write standard output: No space left on device\n"
