"""`vet batch` with Excel workbooks: .xlsx rosters in, .xlsx results out, bad books refused.

Verdicts come from the fictional registry tests/fixtures/registries/batch (the
401st battalion is INELIGIBLE, the 403rd REVIEW, the 404th ELIGIBLE).
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner, Result

from vetting import workbook
from vetting.cli import app

HERE = Path(__file__).parent
REGISTRY = HERE / "fixtures" / "registries" / "batch"


def run(*args: str | Path) -> Result:
    runner = CliRunner(env={"VET_DATA": None, "COLUMNS": "80"})
    return runner.invoke(app, ["batch", *map(str, args), "--data", str(REGISTRY),
                               "--as-of", "2024-01-01"])


def book(path: Path, *sheets: tuple[str, list[list[Any]]]) -> Path:
    made = Workbook()
    made.remove(made.active)
    for title, rows in sheets:
        sheet = made.create_sheet(title)
        for row in rows:
            sheet.append(row)
    made.save(path)
    return path


ROSTER = [
    ["Nombre", "Unidad", "País", "Fecha de nacimiento"],
    ["Celestino Ortiga Brenes", "401st Infantry Battalion", "XA", datetime(1971, 4, 2)],
    [None, "403rd Infantry Battalion", "XA", None],
    [None, None, None, None],  # an empty row is no row
    [None, "N/A", "XA", None],
    [None, "@SUM(A1)", "XA", None],
]


def test_a_workbook_roster_is_read_with_the_csv_header_rules(tmp_path: Path) -> None:
    roster = book(tmp_path / "curso.xlsx", ("Hoja1", ROSTER))
    result = run(roster, "--format", "jsonl")
    assert result.exit_code == 2  # the N/A row is ERROR; the others are vetted
    lines = [line for line in result.stdout.splitlines() if line]
    import json

    rows = [json.loads(line) for line in lines]
    assert [(row["row"], row["line"], row["verdict"]) for row in rows] == [
        (1, 2, "INELIGIBLE"), (2, 3, "REVIEW"), (3, 5, "ERROR"), (4, 6, "ELIGIBLE")]
    assert rows[0]["query"]["birth_date"] == "1971-04-02"  # a date cell reads as a date


def test_sheet_picks_another_sheet_and_a_missing_one_is_exit_2(tmp_path: Path) -> None:
    roster = book(tmp_path / "curso.xlsx", ("Notes", [["nothing"]]),
                  ("Roster", [["unit"], ["404th Infantry Battalion"]]))
    result = run(roster, "--sheet", "Roster", "--format", "csv")
    assert result.exit_code == 0
    assert "404th Infantry Battalion,ELIGIBLE" in result.stdout
    result = run(roster, "--sheet", "Nope")
    assert result.exit_code == 2
    assert "no sheet named 'Nope'; its sheets: 'Notes', 'Roster'" in result.stderr
    csv = tmp_path / "roster.csv"
    csv.write_text("unit\n404th Infantry Battalion\n", "utf-8")
    assert "this is CSV" in run(csv, "--sheet", "Roster").stderr


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: _bytes(tmp / "cut.xlsx", b"PK\x03\x04truncated"),
     "not a readable .xlsx workbook (BadZipFile"),
    (lambda tmp: _bytes(tmp / "locked.xlsx", b"\xd0\xcf\x11\xe0" + bytes(600)),
     "password-protected workbook or an Excel 97-2003 .xls"),
    (lambda tmp: _zip(tmp / "other.xlsx", {"readme.txt": b"hello"}),
     "a zip file, but not an .xlsx workbook"),
    (lambda tmp: _zip(tmp / "broken.xlsx", {"[Content_Types].xml": b"<not xml"}),
     "not a readable .xlsx workbook"),
])
def test_a_bad_workbook_is_exit_2_with_a_message(make: Any, message: str, tmp_path: Path) -> None:
    result = run(make(tmp_path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_zip_bomb_and_an_endless_sheet_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    roster = book(tmp_path / "big.xlsx", ("Hoja1", [["unit"], *[["404th"]] * 50]))
    monkeypatch.setattr(workbook, "MAX_UNPACKED", 1000)
    assert "would unpack to" in run(roster).stderr
    monkeypatch.setattr(workbook, "MAX_UNPACKED", 256 << 20)
    monkeypatch.setattr(workbook, "MAX_CELLS", 20)
    result = run(roster)
    assert result.exit_code == 2
    assert "more than 20 cells" in result.stderr


def results(tmp_path: Path, *extra: str) -> tuple[Result, Path]:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,unit,note\n,401st Infantry Battalion; 404th Infantry Battalion,"
                      "=HYPERLINK(\"http://x\")\n,403rd Infantry Battalion,-2\n,N/A,\n", "utf-8")
    out = tmp_path / "vetted.xlsx"
    return run(roster, "--format", "xlsx", "--out", out, *extra), out


def test_xlsx_results_one_row_per_roster_row_frozen_filtered_coloured(tmp_path: Path) -> None:
    result, out = results(tmp_path)
    assert result.exit_code == 2
    made = load_workbook(out)
    assert made.sheetnames == ["Results", "Sources"]
    sheet = made["Results"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["name", "unit", "note", "verdict", "match_id"]
    assert rows[0][-2:] == ["parts", "deciding_part"]
    assert [row[3] for row in rows[1:]] == ["INELIGIBLE", "REVIEW", "ERROR"]
    assert rows[1][-2:] == ["2", "401st Infantry Battalion"]
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")"  # never a formula
    assert rows[2][2] == "'-2"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K4"
    assert sheet["D2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    sources = [list(row) for row in made["Sources"].iter_rows(values_only=True)]
    assert sources[0] == ["id", "title", "publisher", "published", "url", "rows"]
    assert sources[1][0] == "arcadia-monitor-2016" and sources[1][-1] == "1, 2"


def test_xlsx_results_are_the_same_bytes_each_time(tmp_path: Path) -> None:
    _, out = results(tmp_path)
    first = out.read_bytes()
    _, out = results(tmp_path)
    assert out.read_bytes() == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_xlsx_needs_out_and_never_goes_to_a_terminal(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("unit\n404th Infantry Battalion\n", "utf-8")
    for extra in ((), ("--out", "-")):
        result = run(roster, "--format", "xlsx", *extra)
        assert result.exit_code == 2
        assert "give --out results.xlsx" in result.stderr
        assert result.stdout == ""


def test_the_out_files_extension_chooses_the_format_and_must_agree_with_one_given(
    tmp_path: Path,
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("unit\n404th Infantry Battalion\n", "utf-8")
    out = tmp_path / "vetted.xlsx"
    assert run(roster, "--out", out).exit_code == 0
    assert zipfile.is_zipfile(out)  # a workbook, not CSV in a file named .xlsx
    out.write_bytes(b"kept")
    result = run(roster, "--format", "csv", "--out", out)
    assert result.exit_code == 2
    assert "names a .xlsx file, but --format is csv" in result.stderr
    assert out.read_bytes() == b"kept"  # nothing written over it


def test_a_unit_cell_merged_down_its_nominees_rows_is_each_rows_unit(tmp_path: Path) -> None:
    made = Workbook()
    sheet = made.active
    for row in (["name", "unit"], ["Celestino Ortiga Brenes", "401st Infantry Battalion"],
                ["Amparo Lindo Vera", None], ["Rufino Sal Tejada", None],
                ["Nieves Cano Ruiz", "404th Infantry Battalion"]):
        sheet.append(row)
    sheet.merge_cells("B2:B4")  # as Excel shows it: one unit for three nominees
    roster = tmp_path / "merged.xlsx"
    made.save(roster)
    result = run(roster, "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert [(row[1], row[2]) for row in rows[1:]] == [
        ("401st Infantry Battalion", "INELIGIBLE"), ("401st Infantry Battalion", "INELIGIBLE"),
        ("401st Infantry Battalion", "INELIGIBLE"), ("404th Infantry Battalion", "ELIGIBLE")]
