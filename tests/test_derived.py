"""Vocabulary derived from pycountry and num2words, kept on disk (vetting/derived.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vetting import derived


def test_tables_are_derived_once_then_read_back(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VET_CACHE_DIR", str(tmp_path))
    calls: list[int] = []

    def derive() -> dict[str, object]:
        calls.append(1)
        return {"answer": 42}

    assert derived.tables("abc", derive)["answer"] == 42
    assert derived.tables("abc", derive)["answer"] == 42
    assert calls == [1]
    assert [path.name for path in tmp_path.iterdir()] == ["vocabulary-abc.json"]
    # Derived again from a changed vocabulary: the old file goes.
    assert derived.tables("def", derive)["answer"] == 42
    assert [path.name for path in tmp_path.iterdir()] == ["vocabulary-def.json"]


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", json.dumps({"format": -1})])
def test_a_damaged_file_is_derived_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         body: str) -> None:
    monkeypatch.setenv("VET_CACHE_DIR", str(tmp_path))
    (tmp_path / "vocabulary-abc.json").write_text(body, encoding="utf-8")
    assert derived.tables("abc", lambda: {"answer": 42})["answer"] == 42


def test_a_folder_that_cannot_be_written_means_no_file(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("VET_CACHE_DIR", str(blocked / "cache"))  # a file where a folder goes
    assert derived.tables("abc", lambda: {"answer": 42})["answer"] == 42


def test_the_digest_changes_with_the_sources() -> None:
    first = derived.digest([b"places"], ["pycountry"])
    assert first == derived.digest([b"places"], ["pycountry"])
    assert first != derived.digest([b"places!"], ["pycountry"])
    assert first != derived.digest([b"place", b"s"], ["pycountry"])
