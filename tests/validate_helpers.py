"""Running `vet validate` on the fixture registries under tests/fixtures/registries/.

Each fixture folder is a small registry of invented units and people, named
after the one case it shows; `valid-minimal` is the valid registry the others
were made from, and `registry_with()` copies it with one file replaced, for
inputs too large or too binary to keep as fixtures.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from vetting.cli import app

REGISTRIES = Path(__file__).parent / "fixtures" / "registries"
VALID = REGISTRIES / "valid-minimal"
# No inherited registry, size limit or CI setting changes what a test sees.
CLEAN_ENV: dict[str, str | None] = {
    "VET_DATA": None, "VET_MAX_BYTES": None, "GITHUB_ACTIONS": None,
    "NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb",
}


def vet(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args], env=CLEAN_ENV | (env or {}))


def validate_json(*args: str | Path) -> tuple[int, list[dict[str, Any]]]:
    """Exit status and findings of `vet validate ARGS --format json`."""
    result = vet("validate", *args, "--format", "json")
    document = json.loads(result.stdout)
    return result.exit_code, document["findings"]


def found(findings: list[dict[str, Any]]) -> list[tuple[str, int, int, str]]:
    """Each finding as (file name, line, col, code), the parts tests pin down."""
    return [(Path(item["path"]).name, item["line"], item["col"], item["code"])
            for item in findings]


def registry_with(
    folder: Path, *, units: str | bytes | None = None, allegations: str | bytes | None = None
) -> Path:
    """A copy of the valid registry in `folder`, with the given file contents instead."""
    shutil.copytree(VALID, folder)
    for name, content in (("units.yaml", units), ("allegations.yaml", allegations)):
        if isinstance(content, str):
            (folder / name).write_text(content, encoding="utf-8")
        elif isinstance(content, bytes):
            (folder / name).write_bytes(content)
    return folder
