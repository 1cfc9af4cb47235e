"""`vet prohibited`: the list of barred units 22 U.S.C. 2378d(c) asks for.

The bundled registry holds the seeds' units; tests/fixtures/registries/diff-base
is invented (XB and XC are user-assigned country codes).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import assert_usage_error
from typer.testing import CliRunner, Result

from vetting import render
from vetting.cli import app

HERE = Path(__file__).parent
BASE = HERE / "fixtures" / "registries" / "diff-base"


def run(*args: str, data: Path | None = None) -> Result:
    runner = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1", "VET_DATA": None})
    argv = ["prohibited", *args] + (["--data", str(data)] if data else [])
    return runner.invoke(app, argv)


def listed(result: Result) -> dict[str, dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return {unit["id"]: unit for unit in json.loads(result.stdout)["units"]}


def test_the_seeds_barred_mexican_units_with_their_sources() -> None:
    units = listed(run("--country", "MX", "--as-of", "2024-06-30", "--format", "json"))
    assert units["mx-sedena-bi-102"]["verdict"] == "INELIGIBLE"
    assert units["mx-sedena-bi-102"]["name"] == "102nd Infantry Battalion"
    assert units["mx-tam-gopes"]["verdict"] == "INELIGIBLE"
    assert units["mx-gro-iguala-pm"]["verdict"] == "SUSPENDED"
    assert units["mx-tam-san-fernando-pm"]["verdict"] == "INELIGIBLE"
    assert units["mx-pf"]["verdict"] == "SUSPENDED"
    assert set(units) == {
        "mx-sedena-bi-102", "mx-tam-gopes", "mx-gro-iguala-pm", "mx-gro-c4-iguala",
        "mx-tam-san-fernando-pm", "mx-tam-caiet", "mx-pf",
    }
    for unit in units.values():
        assert unit["country"] == "MX"
        assert unit["sources"], unit["id"]
        assert all(reason["verdict"] in ("INELIGIBLE", "SUSPENDED") for reason in unit["reasons"])
    tlatlaya = units["mx-sedena-bi-102"]
    assert [a["id"] for a in tlatlaya["allegations"]] == ["mx-2014-tlatlaya"]
    assert {s["id"] for s in tlatlaya["sources"]} == {
        "nsarchive-2015-05-12", "vice-2015-northcom-mexico-aid",
    }


def test_a_day_before_the_allegations_lists_nothing() -> None:
    result = run("--country", "MX", "--as-of", "2009-01-01", "--format", "json")
    document = json.loads(result.stdout)
    assert document["units"] == []
    assert document["counts"] == {"INELIGIBLE": 0, "SUSPENDED": 0}


def test_country_filter_and_suspensions() -> None:
    assert set(listed(run("--as-of", "2024-01-01", "-f", "json", data=BASE))) == {
        "xb-bn-52", "xb-bn-77", "xc-rangers",
    }
    only = listed(run("--country", "xc", "--as-of", "2024-01-01", "-f", "json", data=BASE))
    assert {unit_id: unit["verdict"] for unit_id, unit in only.items()} == {
        "xc-rangers": "SUSPENDED",
    }


def test_csv_one_row_per_unit_for_excel() -> None:
    result = run("--as-of", "2024-01-01", "-f", "csv", data=BASE)
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert [row["unit_id"] for row in rows] == ["xb-bn-52", "xb-bn-77", "xc-rangers"]
    assert rows[1]["allegations"] == "xb-2019-lumen-river"
    assert rows[1]["rules"] == "VET501"
    assert "Killings on the Lumen river, Brevania Rights Watch, 2019-08-01" in rows[1]["sources"]


def test_table_names_each_unit_and_numbers_the_sources() -> None:
    result = run("--as-of", "2024-01-01", "-f", "table", data=BASE)
    assert result.exit_code == 0
    assert "in XB" not in result.stdout
    assert "3 (2 INELIGIBLE, 1 SUSPENDED)" in result.stdout
    assert "77th Infantry" in result.stdout
    assert "xb-2019-lumen-river" in result.stdout
    assert "[1] Torture at the Cardo market. Brevania Rights Watch" in result.stdout


def test_a_remediation_takes_the_unit_off_under_its_own_law_only(tmp_path: Path) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "units.yaml").write_bytes((BASE / "units.yaml").read_bytes())
    text = (BASE / "allegations.yaml").read_text(encoding="utf-8")
    (folder / "allegations.yaml").write_text(text.replace(
        "    units: [xb-bn-52]\n",
        "    units: [xb-bn-52]\n    remediation:\n      kind: corrective_steps\n"
        "      date: \"2020-01-01\"\n      reference: Court-martial of the guards\n",
    ), encoding="utf-8")
    assert "xb-bn-52" in listed(run("--as-of", "2024-01-01", "-f", "json", data=folder))
    assert "xb-bn-52" not in listed(
        run("--as-of", "2024-01-01", "--law", "dod", "-f", "json", data=folder)
    )


@pytest.mark.parametrize(("args", "message"), [
    (("--country", "Mexico"), "--country 'Mexico'"),
    (("--as-of", "30/06/2024"), "--as-of '30/06/2024'"),
])
def test_usage_errors(args: tuple[str, ...], message: str) -> None:
    assert_usage_error(run(*args), message)


def test_an_unusable_registry_is_exit_2(tmp_path: Path) -> None:
    assert_usage_error(run(data=tmp_path), "not a registry folder")


def test_every_format_renders(tmp_path: Path) -> None:
    assert render.formats("prohibited") == ["csv", "json", "table", "xlsx"]
    for chosen in render.formats("prohibited"):
        out = tmp_path / f"prohibited.{chosen}"
        assert run("--as-of", "2024-01-01", "-f", chosen, "--out", str(out),
                   data=BASE).exit_code == 0
        assert b"xb-bn-77" in out.read_bytes() or chosen == "xlsx"


def test_a_workbook_for_excel(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "prohibited.xlsx"
    result = run("--as-of", "2024-01-01", "-f", "xlsx", "--out", str(out), data=BASE)
    assert result.exit_code == 0
    sheet = load_workbook(out).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:6] == ["unit_id", "unit", "aliases", "country", "force", "verdict"]
    assert [row[0] for row in rows[1:]] == ["xb-bn-52", "xb-bn-77", "xc-rangers"]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:J4")
    assert sheet["F3"].fill.fgColor.rgb.endswith("FFC7CE")  # INELIGIBLE in red
    again = tmp_path / "again.xlsx"
    run("--as-of", "2024-01-01", "-f", "xlsx", "--out", str(again), data=BASE)
    assert again.read_bytes() == out.read_bytes()  # the same list, the same bytes


def test_a_workbook_needs_a_file() -> None:
    assert_usage_error(run("-f", "xlsx", data=BASE), "give --out")


def test_a_unit_formed_after_the_day_is_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "allegations.yaml").write_bytes((BASE / "allegations.yaml").read_bytes())
    (folder / "units.yaml").write_text((BASE / "units.yaml").read_text(encoding="utf-8").replace(
        "    name: 77th Infantry Battalion\n",
        "    name: 77th Infantry Battalion\n    start: \"2019-12\"\n    end: \"2022\"\n",
    ), encoding="utf-8")
    # The killings of 2019-07-14 are in effect, but the unit was formed in December.
    assert "xb-bn-77" not in listed(run("--as-of", "2019-11-30", "-f", "json", data=folder))
    assert "xb-bn-77" in listed(run("--as-of", "2019-12-01", "-f", "json", data=folder))
    # Disbanded, but a unit of that name may still be put forward: it stays listed.
    assert "xb-bn-77" in listed(run("--as-of", "2024-01-01", "-f", "json", data=folder))
