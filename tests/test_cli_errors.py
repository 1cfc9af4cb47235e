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
