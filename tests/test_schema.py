"""The committed JSON Schemas: in step with the models, draft-07 only, used by the data files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from validate_helpers import vet

from vetting import records, schemas

ROOT = Path(__file__).parent.parent
FILES = sorted(records.FILE_MODELS)

# Every keyword JSON Schema draft-07 defines (validation, annotations, structure).
DRAFT_07_KEYWORDS = {
    "$schema", "$id", "$ref", "$comment", "title", "description", "default", "readOnly",
    "writeOnly", "examples", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "additionalItems", "items",
    "maxItems", "minItems", "uniqueItems", "contains", "maxProperties", "minProperties",
    "required", "additionalProperties", "definitions", "properties", "patternProperties",
    "dependencies", "propertyNames", "const", "enum", "type", "format", "contentMediaType",
    "contentEncoding", "if", "then", "else", "allOf", "anyOf", "oneOf", "not",
}
# Keywords whose value maps names to subschemas (the names are not keywords).
NAMED_SUBSCHEMAS = {"properties", "definitions", "patternProperties", "dependencies"}


def _walk(node: Any, path: str = "#") -> list[tuple[str, dict[str, Any]]]:
    """Every subschema with its JSON pointer."""
    found = [(path, node)]
    for key, value in node.items():
        if key in NAMED_SUBSCHEMAS:
            for name, sub in value.items():
                found += _walk(sub, f"{path}/{key}/{name}")
        elif key in ("items", "not", "additionalProperties", "if", "then", "else") and \
                isinstance(value, dict):
            found += _walk(value, f"{path}/{key}")
        elif key in ("allOf", "anyOf", "oneOf"):
            for index, sub in enumerate(value):
                found += _walk(sub, f"{path}/{key}/{index}")
    return found


@pytest.mark.parametrize("filename", FILES)
def test_committed_schema_matches_the_models(filename: str) -> None:
    committed = schemas.FOLDER / schemas.schema_filename(filename)
    assert committed.read_text(encoding="utf-8") == schemas.dumps(schemas.schema(filename)), (
        f"{committed} is out of date: run `vet schema --write vetting/schemas`"
    )


@pytest.mark.parametrize("filename", FILES)
def test_schema_uses_draft_07_only(filename: str) -> None:
    document = json.loads((schemas.FOLDER / schemas.schema_filename(filename)).read_text())
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(document)
    for pointer, node in _walk(document):
        unknown = set(node) - DRAFT_07_KEYWORDS
        assert not unknown, f"{pointer}: {unknown}"
        if "$ref" in node:
            # draft-07 ignores every keyword beside $ref, so nothing may stand there.
            assert list(node) == ["$ref"], pointer
            target = node["$ref"].removeprefix("#/definitions/")
            assert target in document["definitions"], pointer


@pytest.mark.parametrize("filename", FILES)
def test_every_object_forbids_unknown_keys(filename: str) -> None:
    document = schemas.schema(filename)
    objects = [(pointer, node) for pointer, node in _walk(document)
               if node.get("type") == "object"]
    assert objects
    assert all(node.get("additionalProperties") is False for _, node in objects)


def test_the_schemas_say_what_the_models_say() -> None:
    units = schemas.schema("units.yaml")
    unit = units["definitions"]["Unit"]
    assert unit["required"] == ["id", "name", "country", "force"]
    assert units["definitions"]["Force"]["enum"][:2] == ["army", "navy"]
    allegation = schemas.schema("allegations.yaml")["definitions"]["Allegation"]
    assert allegation["properties"]["evidence"]["minItems"] == 1


@pytest.mark.parametrize("filename", FILES)
def test_the_bundled_files_point_their_editor_at_the_schema(filename: str) -> None:
    first = (ROOT / "data" / filename).read_text(encoding="utf-8").splitlines()[0]
    assert first == (
        f"# yaml-language-server: $schema=../vetting/schemas/{schemas.schema_filename(filename)}"
    )
    assert (ROOT / "data" / f"../vetting/schemas/{schemas.schema_filename(filename)}").is_file()


@pytest.mark.parametrize("name", ["units", "allegations"])
def test_vet_schema_prints_the_committed_schema(name: str) -> None:
    result = vet("schema", name)
    assert result.exit_code == 0
    assert result.stdout == (schemas.FOLDER / f"{name}.schema.json").read_text(encoding="utf-8")


def test_vet_schema_without_a_file_prints_both() -> None:
    result = vet("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {name: schemas.schema(name) for name in FILES}


def test_vet_schema_write_regenerates_the_files(tmp_path: Path) -> None:
    result = vet("schema", "--write", tmp_path)
    assert result.exit_code == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "allegations.schema.json", "units.schema.json",
    ]
    for path in tmp_path.iterdir():
        assert path.read_text() == (schemas.FOLDER / path.name).read_text()
    assert result.stdout.splitlines() == [f"wrote {tmp_path / 'units.schema.json'}",
                                          f"wrote {tmp_path / 'allegations.schema.json'}"]


def test_vet_schema_write_to_a_missing_folder_exits_2(tmp_path: Path) -> None:
    result = vet("schema", "--write", tmp_path / "missing")
    assert result.exit_code == 2
    assert "no such folder" in result.output


def test_vet_schema_refuses_an_unknown_file() -> None:
    assert vet("schema", "people").exit_code == 2
