"""JSON Schemas of the registry files, generated from the pydantic models.

Editors' YAML language servers read these to complete keys and flag mistakes
as you type. They are kept to JSON Schema draft-07, which every such server
accepts: pydantic's `$defs` become `definitions`, and a `$ref` that carries
other keywords is wrapped in `allOf` (draft-07 ignores keywords beside `$ref`).

The committed files in this folder are regenerated with
`vet schema --write vetting/schemas`; a test fails when they drift from the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vetting.records import FILE_MODELS

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
FOLDER = Path(__file__).resolve().parent


def schema_filename(filename: str) -> str:
    """`units.yaml` → `units.schema.json`."""
    return filename.rsplit(".", 1)[0] + ".schema.json"


def _draft07(node: Any) -> Any:
    if isinstance(node, list):
        return [_draft07(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        ("definitions" if key == "$defs" else key): _draft07(value)
        for key, value in node.items()
    }
    ref = converted.get("$ref")
    if isinstance(ref, str):
        converted["$ref"] = ref.replace("#/$defs/", "#/definitions/")
        if len(converted) > 1:
            converted["allOf"] = [{"$ref": converted.pop("$ref")}, *converted.get("allOf", [])]
    return converted


def schema(filename: str) -> dict[str, Any]:
    """The draft-07 JSON Schema of one registry file (`units.yaml` or `allegations.yaml`)."""
    model = FILE_MODELS[filename]
    generated = _draft07(model.model_json_schema(mode="validation"))
    generated["title"] = filename
    return {"$schema": DRAFT_07, **generated}


def dumps(document: dict[str, Any]) -> str:
    """The committed form: sorted keys, two-space indent, a trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(folder: Path) -> list[Path]:
    """Write both files' schemas into `folder`; the paths written."""
    written = []
    for filename in FILE_MODELS:
        target = folder / schema_filename(filename)
        target.write_text(dumps(schema(filename)), encoding="utf-8")
        written.append(target)
    return written
