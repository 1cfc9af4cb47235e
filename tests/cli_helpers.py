"""What every usage error of `vet` looks like, checked one way for every command."""

from __future__ import annotations

from typer.testing import Result


def assert_usage_error(result: Result, message: str) -> None:
    """Exit 2, nothing on stdout, and one line on stderr that says `message`."""
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("vet: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
