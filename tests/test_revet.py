"""`vet batch --previous`: re-vetting a roster against an earlier run's results.

The registry is tests/fixtures/registries/diff-base (invented), and in the
"after" registry a credible allegation (Ford crossing) names the 31st Infantry
Battalion: a row asking for it was ELIGIBLE and is now INELIGIBLE.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import assert_usage_error
from test_diff import ROSTER, add_ford, registry
from typer.testing import CliRunner, Result

from vetting.cli import app


def batch(roster: Path, data: Path, as_of: str, *args: str | Path) -> Result:
    runner = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1", "VET_DATA": None})
    return runner.invoke(app, ["batch", str(roster), "--data", str(data), "--as-of", as_of,
                               *map(str, args)])


@pytest.fixture
def earlier(tmp_path: Path) -> tuple[Path, Path]:
    """The roster and its results as vetted on 2024-01-01 against the base registry."""
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    registry(tmp_path / "before")
    result = batch(roster, tmp_path / "before", "2024-01-01", "-f", "jsonl")
    assert result.exit_code == 2  # the blank row is ERROR
    results = tmp_path / "results.jsonl"
    results.write_text(result.stdout, encoding="utf-8")
    return roster, results


def rows(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_row_whose_unit_became_barred(tmp_path: Path, earlier: tuple[Path, Path]) -> None:
    roster, results = earlier
    after = registry(tmp_path / "after", allegations=add_ford)
    result = batch(roster, after, "2024-06-01", "--previous", results, "-f", "jsonl")
    found = {row["row"]: row["previous"] for row in rows(result)}
    assert found[2] == {"verdict": "ELIGIBLE", "as_of": "2024-01-01",
                        "valid_until": "2025-01-01", "changed": True, "expired": False}
    assert found[1]["changed"] is True  # Tadeo Ruiz Manso serves in the 31st
    assert found[3]["changed"] is False and found[3]["verdict"] == "INELIGIBLE"
    assert found[5] == {"verdict": "ERROR", "as_of": "2024-01-01", "valid_until": None,
                        "changed": False, "expired": False}
    assert "since " + str(results) + ": 2 verdicts changed, 0 earlier results expired" \
        in result.stderr

    table = batch(roster, after, "2024-06-01", "--previous", results, "-f", "table").stdout
    assert "Since the previous run" in table
    assert "ELIGIBLE →" in table and "VET501 31st Infantry" in table

    document = json.loads(batch(roster, after, "2024-06-01", "--previous", results,
                                "-f", "json").stdout)
    assert document["summary"]["previous"] == {"source": str(results), "changed": 2,
                                               "expired": 0}


def test_a_row_whose_result_expired(tmp_path: Path, earlier: tuple[Path, Path]) -> None:
    roster, results = earlier
    result = batch(roster, tmp_path / "before", "2025-01-02", "--previous", results, "-f", "csv")
    table = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert [row["recheck"] for row in table] == ["expired"] * 4 + [""]
    assert table[2]["previous_verdict"] == "INELIGIBLE"
    assert table[2]["previous_valid_until"] == "2025-01-01"
    text = batch(roster, tmp_path / "before", "2025-01-02", "--previous", results, "-f",
                 "table").stdout
    assert "0 verdicts changed, 4 earlier results expired" in text
    assert "Earlier result expired, verdict unchanged: rows 1, 2, 3, 4." in text
    # A result is valid through its valid_until day.
    same_day = batch(roster, tmp_path / "before", "2025-01-01", "--previous", results, "-f",
                     "jsonl")
    assert not any(row["previous"]["expired"] for row in rows(same_day))


def test_the_json_document_of_an_earlier_run_serves_too(
    tmp_path: Path, earlier: tuple[Path, Path],
) -> None:
    roster, _ = earlier
    document = tmp_path / "results.json"
    document.write_text(batch(roster, tmp_path / "before", "2024-01-01", "-f", "json").stdout)
    result = batch(roster, tmp_path / "before", "2024-02-01", "--previous", document, "-f",
                   "jsonl")
    assert [row["previous"]["changed"] for row in rows(result)] == [False] * 5


def test_without_previous_nothing_is_added(tmp_path: Path, earlier: tuple[Path, Path]) -> None:
    roster, _ = earlier
    result = batch(roster, tmp_path / "before", "2024-01-01", "-f", "csv")
    assert "previous_verdict" not in result.stdout
    assert all("previous" not in row for row in rows(
        batch(roster, tmp_path / "before", "2024-01-01", "-f", "jsonl")))


@pytest.mark.parametrize(("edit", "message"), [
    (lambda text: text.replace("Tadeo Ruiz Manso", "Tadeo Ruiz"),
     "row 1 (line 2) reads 'Tadeo Ruiz |  | XB', the earlier result for it "
     "'Tadeo Ruiz Manso |  | XB'"),
    (lambda text: text + "Ana Sol,,XB\n", "it holds 5 results, the roster 6 rows"),
    (lambda text: text.replace("Tadeo Ruiz Manso,,XB\n", "")
     + "Tadeo Ruiz Manso,,XB\n", "row 1 (line 2) reads"),
])
def test_results_of_another_roster_are_refused(
    tmp_path: Path, earlier: tuple[Path, Path], edit: Any, message: str,
) -> None:
    _, results = earlier
    other = tmp_path / "other.csv"
    other.write_text(edit(ROSTER), encoding="utf-8")
    result = batch(other, tmp_path / "before", "2024-06-01", "--previous", results)
    assert_usage_error(result, f"VET603 {results} does not belong to {other}: {message}")


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"not json\n", "line 1 is not JSON"),
    (b"\xff\xfe\x00garbage", "is not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"row": 1, "input": {}, "verdict": "ELIGIBLE", "version": 2}\n',
     "line 1 is format version 2"),
    (b'{"row": 1, "input": {}}\n', "line 1 has no `verdict`"),
    (b'{"row": "1", "input": {}, "verdict": "ELIGIBLE"}\n', "`row` is not what vet writes"),
    (b'{"row": 1, "input": {}, "verdict": "MAYBE"}\n', "`verdict` is not what vet writes"),
    (b'{"row": 1, "input": {}, "verdict": "ELIGIBLE", "valid_until": "soon"}\n',
     "`valid_until` is not what vet writes"),
    (b"[1, 2]\n", "line 1 is not a JSON object"),
    (b'{\n  "summary": {}\n}\n', "a JSON document without `results`"),
])
def test_a_file_that_is_not_earlier_results_is_refused(
    tmp_path: Path, earlier: tuple[Path, Path], content: bytes, message: str,
) -> None:
    roster, _ = earlier
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    result = batch(roster, tmp_path / "before", "2024-06-01", "--previous", bad)
    assert_usage_error(result, "VET604")
    assert message in result.stderr


def test_a_missing_previous_file(tmp_path: Path, earlier: tuple[Path, Path]) -> None:
    roster, _ = earlier
    result = batch(roster, tmp_path / "before", "2024-06-01", "--previous", tmp_path / "nope")
    assert_usage_error(result, "nope: no such file")


def test_a_huge_previous_file_is_refused_without_reading_it_all(
    tmp_path: Path, earlier: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vetting import revet

    roster, results = earlier
    monkeypatch.setattr(revet, "MAX_PREVIOUS_BYTES", 100)
    result = batch(roster, tmp_path / "before", "2024-06-01", "--previous", results)
    assert_usage_error(result, "larger than 100 bytes")


def test_a_pipe_or_device_as_previous_is_refused_without_blocking(
    tmp_path: Path, earlier: tuple[Path, Path],
) -> None:
    import os

    roster, _ = earlier
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    for path in (fifo, Path("/dev/zero")):
        result = batch(roster, tmp_path / "before", "2024-06-01", "--previous", path)
        assert_usage_error(result, "not a regular file")
