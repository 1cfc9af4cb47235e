"""The loader against every class of bad input: each is a finding with its line, never a crash.

Hostile files (code-running tags, alias bombs, absurd nesting, huge files) are
refused quickly with a clear finding, and nothing in them ever runs or expands.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from validate_helpers import REGISTRIES, VALID, found, registry_with, validate_json, vet

from vetting import loader

# case → the findings of `vet validate` on its fixture: (file, line, col, code).
CASES: dict[str, list[tuple[str, int, int, str]]] = {
    "yaml-syntax-error": [("allegations.yaml", 11, 10, "VET101")],
    "duplicate-key": [("units.yaml", 20, 5, "VET102")],
    "python-tag": [("units.yaml", 19, 11, "VET103")],
    "alias-bomb": [("units.yaml", 3, 8, "VET104")],
    "multiple-documents": [("allegations.yaml", 20, 1, "VET108")],
    "complex-key": [("units.yaml", 20, 7, "VET109")],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_a_finding_with_its_line_and_exit_1(case: str) -> None:
    status, findings = validate_json(REGISTRIES / case)
    assert found(findings) == CASES[case]
    assert status == 1


def test_a_python_tag_never_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The fixture's tag would create a file named python-tag-canary in the working
    # folder if any constructor ran it; PyYAML's unsafe loader shows that it would.
    fixture = REGISTRIES / "python-tag" / "units.yaml"
    monkeypatch.chdir(tmp_path)
    status, findings = validate_json(fixture)
    assert (status, found(findings)) == (1, [("units.yaml", 19, 11, "VET103")])
    assert "python/object/apply:builtins.open" in findings[0]["message"]
    assert os.listdir(tmp_path) == []
    yaml.unsafe_load(fixture.read_text(encoding="utf-8"))
    assert os.listdir(tmp_path) == ["python-tag-canary"]


@pytest.mark.parametrize("tag", [
    "!!python/name:os.system", "!!python/object:builtins.object", "!!binary aGk=",
    "!!set {a}", "!!timestamp 2020-01-01", "!custom value", "!<tag:example.com,2000:x> value",
])
def test_every_tag_beyond_plain_scalars_is_refused(tag: str) -> None:
    document, findings = loader.parse(f"units:\n  - name: {tag}\n", "units.yaml")
    assert document is None
    assert [(finding.code.code, finding.line) for finding in findings] == [("VET103", 2)]


def test_an_alias_bomb_is_refused_at_its_first_alias_without_expanding() -> None:
    # Ten levels of ten: expanded, it would hold 10**10 strings.
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 10)]
    document, findings = loader.parse("\n".join(lines) + "\n", "units.yaml")
    assert document is None
    assert [(f.code.code, f.line, f.col) for f in findings] == [("VET104", 2, 10)]


def test_ten_thousand_levels_of_nesting_are_too_deep_not_a_crash(tmp_path: Path) -> None:
    deep = "units: " + "[" * 10_000 + "]" * 10_000 + "\n"
    folder = registry_with(tmp_path / "reg", units=deep)
    status, findings = validate_json(folder)
    assert status == 1
    assert found(findings) == [("units.yaml", 1, 8 + loader.MAX_DEPTH - 1, "VET105")]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("k: " + "{a: " * 2_000 + "1" + "}" * 2_000 + "\n", (1, 4 + 4 * loader.MAX_DEPTH - 4)),
        ("".join("  " * depth + f"k{depth}:\n" for depth in range(2_000)),
         (loader.MAX_DEPTH + 1, 2 * loader.MAX_DEPTH + 1)),
        ("".join("  " * depth + "-\n" for depth in range(2_000)),
         (loader.MAX_DEPTH + 1, 2 * loader.MAX_DEPTH + 1)),
    ],
    ids=["flow-mappings", "block-mappings", "block-sequences"],
)
def test_nesting_past_libyamls_own_limit_is_too_deep_at_the_first_level_too_deep(
    text: str, where: tuple[int, int],
) -> None:
    # Past 1,000 levels, libyaml (PyYAML >= 6.0.3) refuses the file itself.
    _, findings = loader.parse(text, "units.yaml")
    assert [(f.code.code, f.line, f.col) for f in findings] == [("VET105", *where)]


def test_deep_block_mappings_are_too_deep() -> None:
    text = "".join("  " * depth + f"k{depth}:\n" for depth in range(200))
    _, findings = loader.parse(text, "units.yaml")
    assert [(f.code.code, f.line) for f in findings] == [("VET105", loader.MAX_DEPTH + 1)]


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    size = (VALID / "units.yaml").stat().st_size
    status, findings = validate_json(VALID, "--max-bytes", str(size - 1))
    assert status == 1
    assert found(findings) == [("units.yaml", 1, 1, "VET106")]
    assert f"{size - 1:,} bytes" in findings[0]["message"]
    assert validate_json(VALID, "--max-bytes", str(size)) == (0, [])


def test_the_size_limit_comes_from_the_environment_too() -> None:
    result = vet("validate", VALID, "--format", "json", env={"VET_MAX_BYTES": "100"})
    assert result.exit_code == 1
    assert result.stdout.count('"VET106"') == 2


def test_invalid_utf8_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    text = (VALID / "units.yaml").read_bytes().replace(b"Lantern Guard", b"Lantern Gu\xe4rd")
    folder = registry_with(tmp_path / "reg", units=text)
    status, findings = validate_json(folder)
    assert (status, found(findings)) == (1, [("units.yaml", 4, 21, "VET107")])
    assert "0xe4" in findings[0]["message"]


def test_a_utf16_file_is_not_utf8(tmp_path: Path) -> None:
    text = (VALID / "units.yaml").read_text(encoding="utf-8").encode("utf-16")
    status, findings = validate_json(registry_with(tmp_path / "reg", units=text))
    assert (status, [item["code"] for item in findings]) == (1, ["VET107"])


def test_a_byte_order_mark_is_accepted() -> None:
    assert (REGISTRIES / "byte-order-mark" / "units.yaml").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert validate_json(REGISTRIES / "byte-order-mark") == (0, [])


@pytest.mark.parametrize("char", ["\x07", "\x00", "\x1b", "\x7f"])
def test_control_characters_are_a_syntax_finding(tmp_path: Path, char: str) -> None:
    text = (VALID / "units.yaml").read_text().replace("Lantern Guard\n", f"Lantern Guard{char}\n")
    status, findings = validate_json(registry_with(tmp_path / "reg", units=text))
    assert (status, found(findings)) == (1, [("units.yaml", 4, 24, "VET101")])


def test_huge_values_are_not_echoed_in_messages(tmp_path: Path) -> None:
    huge = "X" * 1_000_000
    text = (VALID / "units.yaml").read_text().replace("country: XA\n", f"country: {huge}\n", 1)
    # An implicit key is at most 1024 characters long; an explicit `?` key may be longer.
    text = text.replace("    force: national_guard\n", f"    ? {huge.lower()}\n    : 1\n", 1)
    status, findings = validate_json(registry_with(tmp_path / "reg", units=text))
    assert status == 1
    assert {item["code"] for item in findings} == {"VET201", "VET202", "VET204"}
    assert all(len(item["message"]) < 300 for item in findings)


def test_country_no_stays_the_text_no() -> None:
    # YAML 1.1 would read NO as false; the registry reads YAML 1.2 core, so Norway is NO.
    assert validate_json(REGISTRIES / "country-no-stays-text") == (0, [])
    document, _ = loader.parse("a: NO\nb: yes\nc: off\nd: 2014-06-30\ne: 012\n", "x.yaml")
    assert document is not None
    assert document.data == {"a": "NO", "b": "yes", "c": "off", "d": "2014-06-30", "e": 12}


def test_positions_are_one_based_for_keys_and_values() -> None:
    document, findings = loader.parse("units:\n  - id: a\n    name:  Lantern\n", "units.yaml")
    assert document is not None and findings == []
    assert document.position(("units", 0, "name")) == (3, 12)
    assert document.position(("units", 0, "name"), key=True) == (3, 5)
    # A missing key points at the mapping it belongs in.
    assert document.position(("units", 0, "force")) == (2, 5)


def test_an_empty_file_is_refused_so_a_wiped_registry_clears_nobody(tmp_path: Path) -> None:
    folder = registry_with(tmp_path / "reg", units="# nothing yet\n",
                           allegations="sources: []\nallegations: []\n")
    status, findings = validate_json(folder)
    assert (status, found(findings)) == (1, [("units.yaml", 1, 1, "VET110")])


def test_an_explicitly_empty_registry_is_valid(tmp_path: Path) -> None:
    folder = registry_with(tmp_path / "reg", units="units: []\npeople: []\n",
                           allegations="sources: []\nallegations: []\n")
    assert validate_json(folder) == (0, [])


def test_a_file_that_is_not_a_mapping_says_what_was_expected(tmp_path: Path) -> None:
    folder = registry_with(tmp_path / "reg", units="- just\n- a list\n")
    status, findings = validate_json(folder)
    assert (status, found(findings)) == (1, [("units.yaml", 1, 1, "VET203")])
    assert "'units' and 'people'" in findings[0]["message"]


def test_a_fifo_is_refused_instead_of_blocking(tmp_path: Path) -> None:
    folder = registry_with(tmp_path / "reg")
    (folder / "units.yaml").unlink()
    os.mkfifo(folder / "units.yaml")
    result = vet("validate", str(folder))
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("units.yaml: not a regular file")


def test_a_huge_size_limit_reads_the_file_without_allocating_it(tmp_path: Path) -> None:
    folder = registry_with(tmp_path / "reg")
    result = vet("validate", str(folder), "--max-bytes", str(2**63 + 1))
    assert result.exit_code == 0
    assert result.stdout.startswith("registry ok")


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "1e3", "１０"])
def test_a_malformed_size_limit_in_the_environment_is_refused(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VET_MAX_BYTES", raw)
    with pytest.raises(loader.UnreadableError, match="VET_MAX_BYTES="):
        loader.max_bytes_from_env()


EMPTY_ALLEGATIONS = "sources: []\nallegations: []\n"


def test_keys_are_text_as_written(tmp_path: Path) -> None:
    folder = registry_with(
        tmp_path / "reg", units="units: []\npeople: []\n1: a\ntrue: b\nnull: c\n",
        allegations=EMPTY_ALLEGATIONS,
    )
    status, findings = validate_json(folder)
    assert status == 1
    assert [f["message"] for f in findings] == [
        "unknown key '1'", "unknown key 'true'", "unknown key 'null'"
    ]


def test_a_mapping_where_one_value_belongs_is_a_wrong_type(tmp_path: Path) -> None:
    units = "units:\n  - id: u-1\n    name: U\n    country: XA\n    force: {x: 1}\npeople: []\n"
    folder = registry_with(tmp_path / "reg", units=units, allegations=EMPTY_ALLEGATIONS)
    status, findings = validate_json(folder)
    assert (status, found(findings)) == (1, [("units.yaml", 5, 12, "VET203")])
