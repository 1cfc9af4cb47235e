"""The compiled registry cache: same answers as a cold run, never a bad entry used."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from vetting import cache
from vetting.cli import app
from vetting.model import Law
from vetting.rules import Answer, Query, vet_queries

VERDICTS = Path(__file__).parent / "fixtures" / "registries" / "verdicts"
AS_OF = date(2020, 6, 1)
QUERIES = (
    Query("unit", "Riot Control Division"),
    Query("unit", "311th Battalion"),
    Query("unit", "Lighthouse Keepers"),
    Query("person", "Pell Varrow"),
    Query("person", "Pell Varrow", unit="7th Military Zone"),
    Query("unit", "no such unit anywhere"),
)


@pytest.fixture
def registry_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "registry"
    shutil.copytree(VERDICTS, folder)
    return folder


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("VET_CACHE_DIR", str(where))
    return where


def answers(compiled: cache.Compiled) -> list[Answer]:
    return compiled.run(lambda used: vet_queries(
        used.registry, used.matcher, QUERIES, as_of=AS_OF, law=Law.STATE,
    ))


def as_json(found: list[Answer]) -> list[dict]:
    return [answer.to_dict() for answer in found]


def cold(folder: Path) -> list[dict]:
    return as_json(answers(cache.open_compiled(folder, use_cache=False)))


def entries(where: Path) -> list[Path]:
    return sorted(where.glob(f"{cache.PREFIX}*{cache.SUFFIX}"))


def test_a_warm_run_reads_the_entry_and_answers_as_a_cold_one(
    registry_folder: Path, cache_dir: Path
) -> None:
    first = cache.open_compiled(registry_folder)
    assert not first.cached
    assert [path.name for path in entries(cache_dir)] == [first.stored.name]
    second = cache.open_compiled(registry_folder)
    assert second.cached
    assert as_json(answers(second)) == as_json(answers(first)) == cold(registry_folder)
    assert second.registry.digest == first.registry.digest
    assert list(second.registry.units) == list(first.registry.units)


def test_a_warm_run_walks_dated_parent_links_as_a_cold_one(
    tmp_path: Path, cache_dir: Path
) -> None:
    folder = tmp_path / "dated"
    shutil.copytree(VERDICTS.parent / "dated-parents", folder)
    queries = [Query("unit", name) for name in (
        "3rd Military Zone", "4th Military Zone", "Norvian Army", "31st Battalion",
        "32nd Battalion", "Alpha Company", "Bravo Company",
    )]

    def run(compiled: cache.Compiled, day: date) -> list[dict]:
        return as_json(compiled.run(lambda used: vet_queries(
            used.registry, used.matcher, queries, as_of=day, law=Law.STATE,
        )))

    built = cache.open_compiled(folder)
    warm = cache.open_compiled(folder)
    assert warm.cached
    assert dict(warm.registry.children) == dict(built.registry.children)
    for day in (date(2013, 6, 1), date(2016, 3, 1), date(2022, 6, 1)):
        assert run(warm, day) == run(built, day)
    verdicts = [answer["verdict"] for answer in run(warm, date(2022, 6, 1))]
    assert verdicts == [
        "INELIGIBLE", "REVIEW", "REVIEW", "ELIGIBLE", "INELIGIBLE", "ELIGIBLE", "REVIEW",
    ]


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VET_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.folder() == tmp_path / "mine"
    monkeypatch.delenv("VET_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() == tmp_path / "xdg" / "vet"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.folder() == tmp_path / "home" / ".cache" / "vet"


def test_a_changed_registry_misses_and_its_entry_replaces_the_stale_one(
    registry_folder: Path, cache_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(VERDICTS, other)
    with (other / "units.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# another registry's copy\n")
    kept = cache.open_compiled(other).stored
    before = cache.open_compiled(registry_folder)
    assert before.stored not in (None, kept)
    units = registry_folder / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace(
        "name: Riot Control Division", "name: Crowd Control Division"), encoding="utf-8")
    after = cache.open_compiled(registry_folder)
    assert not after.cached
    assert after.registry.digest != before.registry.digest
    assert entries(cache_dir) == sorted([kept, after.stored])  # the stale one is gone
    assert as_json(answers(after)) == cold(registry_folder)
    assert answers(after)[0].verdict == "ELIGIBLE"  # the old name is gone
    assert cache.open_compiled(registry_folder).cached


def _edit(path: Path, *statements: tuple[str, tuple[str, ...]]) -> None:
    """Change an entry in place, as a faulty disk or a meddling program would."""
    connection = sqlite3.connect(path)
    for sql, values in statements:
        connection.execute(sql, values)
    connection.commit()
    connection.close()


def _corrupt_row(path: Path) -> None:
    _edit(path, ("UPDATE pages SET body = replace(body, 'Riot', 'Calm') WHERE space = 'units'",
                 ()))


def _foreign_format(path: Path) -> None:
    connection = sqlite3.connect(path)
    meta = json.loads(connection.execute("SELECT value FROM meta WHERE key = 'meta'")
                      .fetchone()[0])
    connection.close()
    meta["format"] = cache.FORMAT + 1
    text = json.dumps(meta, sort_keys=True)
    _edit(path, ("UPDATE meta SET value = ? WHERE key = 'meta'", (text,)),
          ("UPDATE meta SET value = ? WHERE key = 'checksum'",
           (hashlib.sha256(text.encode()).hexdigest(),)))


def _bad_header(path: Path) -> None:
    _edit(path, ("UPDATE meta SET value = replace(value, ?, ?) WHERE key = 'meta'",
                 ('"units"', '"stinu"')))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a cache entry at all\n" * 100)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize("damage", [_truncate, _garbage, _empty, _bad_header, _foreign_format])
def test_a_damaged_entry_is_rebuilt_never_used(
    registry_folder: Path, cache_dir: Path, damage: object
) -> None:
    stored = cache.open_compiled(registry_folder).stored
    assert stored is not None
    damage(stored)  # type: ignore[operator]
    again = cache.open_compiled(registry_folder)
    assert not again.cached
    assert as_json(answers(again)) == cold(registry_folder)
    assert cache.open_compiled(registry_folder).cached  # the rebuilt entry is good


def test_a_row_failing_its_checksum_makes_the_query_start_again_from_the_yaml(
    registry_folder: Path, cache_dir: Path
) -> None:
    stored = cache.open_compiled(registry_folder).stored
    assert stored is not None
    _corrupt_row(stored)
    opened = cache.open_compiled(registry_folder)
    assert opened.cached  # the header is intact: the bad row shows only when read
    found = as_json(answers(opened))
    assert found == cold(registry_folder)
    assert "Calm" not in json.dumps(found)
    assert cache.open_compiled(registry_folder).cached  # and the entry was written anew


@pytest.mark.parametrize("table", ["pages", "keyed", "lists"])
def test_a_batch_reading_a_bad_row_rebuilds_the_entry_before_it_starts(
    registry_folder: Path, cache_dir: Path, table: str
) -> None:
    stored = cache.open_compiled(registry_folder).stored
    assert stored is not None
    # One character of one row changed, its checksum left as it was.
    _edit(stored, (f"UPDATE {table} SET body = replace(body, 'xa-', 'xb-') WHERE body = "
                   f"(SELECT body FROM {table} WHERE body LIKE '%xa-%' LIMIT 1)", ()))
    opened = cache.open_compiled(registry_folder, shared=True)
    assert not opened.cached  # the whole entry is read, so the bad row shows at once
    assert as_json(answers(opened)) == cold(registry_folder)
    assert cache.open_compiled(registry_folder, shared=True).cached


def test_a_batch_reads_the_entry_whole_and_answers_as_a_cold_run(
    registry_folder: Path, cache_dir: Path
) -> None:
    cache.open_compiled(registry_folder)
    whole = cache.open_compiled(registry_folder, shared=True)
    assert whole.cached
    assert type(whole.registry.units) is dict and type(whole.registry.children) is dict
    assert as_json(answers(whole)) == cold(registry_folder)


def test_a_cache_folder_that_cannot_be_written_means_no_cache(
    registry_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder would have to be inside this file\n")
    monkeypatch.setenv("VET_CACHE_DIR", str(blocker / "vet"))
    compiled = cache.open_compiled(registry_folder)
    assert compiled.stored is None and not compiled.cached
    assert as_json(answers(compiled)) == cold(registry_folder)
    result = CliRunner().invoke(app, ["unit", "Riot Control Division", "--data",
                                      str(registry_folder), "--as-of", "2020-06-01",
                                      "--format", "json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["verdict"] == "INELIGIBLE"


def test_a_registry_with_errors_is_refused_and_never_stored(
    registry_folder: Path, cache_dir: Path
) -> None:
    units = registry_folder / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace(
        "parent: xa-zone-7", "parent: xa-zone-nowhere", 1), encoding="utf-8")
    result = CliRunner().invoke(app, ["unit", "Riot Control Division", "--data",
                                      str(registry_folder)])
    assert result.exit_code == 2
    assert "VET301" in result.stderr
    assert entries(cache_dir) == []


def test_the_entry_holds_sqlite_and_json_only(registry_folder: Path, cache_dir: Path) -> None:
    stored = cache.open_compiled(registry_folder).stored
    assert stored is not None
    data = stored.read_bytes()
    assert data.startswith(b"SQLite format 3\x00")
    # No pickle stream: the framed protocols and a global lookup (the two bytes that
    # open protocols 2 and 3 turn up in any binary file, so every stored body is
    # checked to be JSON below instead).
    for marker in (b"\x80\x04\x95", b"\x80\x05\x95", b"cbuiltins", b"c__builtin__"):
        assert marker not in data
    connection = sqlite3.connect(stored)
    bodies = [row[0] for table in cache.TABLES for row in connection.execute(
        f"SELECT {'value' if table == 'meta' else 'body'} FROM {table}")]
    connection.close()
    assert len(bodies) > 50
    for body in bodies:
        json.loads(body) if not body.isalnum() else None  # the checksum row is hex


def test_encoding_a_prepared_name_gives_it_back() -> None:
    from vetting.names import parse_person, parse_unit

    units = [parse_unit(text) for text in ("102/o. Batallón de Infantería de Guerrero",
                                           "GOPES Oaxaca", "Compañía B del 7-A", "Policía")]
    people = [parse_person(text) for text in ("Cap. Iván Reyes Arzate", "Pérez", "J. de la O")]
    for name in (*units, *people):
        assert cache.decode(json.loads(json.dumps(cache.encode(name)))) == name
    for names in (units, people):
        assert cache.decode_columns(json.loads(json.dumps(cache.encode_columns(names)))) == names
    with pytest.raises(cache.CacheCorrupt):
        cache.decode({"~": "os.system", "v": ["echo hello"]})
    with pytest.raises(cache.CacheCorrupt):
        cache.decode_columns(["os.system", 1, [["s", ["echo hello"]]]])
    short = json.loads(json.dumps(cache.encode_columns(units)))
    short[2][0][1].pop()  # the first field of the last name lost
    with pytest.raises(cache.CacheCorrupt):
        cache.decode_columns(short)


# --- vet cache info | clear ------------------------------------------------------------


def vet(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_vet_cache_info_lists_entries_and_clear_removes_them(
    registry_folder: Path, cache_dir: Path
) -> None:
    empty = vet("cache", "info")
    assert empty.exit_code == 0
    assert empty.stdout == f"cache folder: {cache_dir} (empty)\n"
    ran = vet("unit", "Riot Control Division", "--data", str(registry_folder), "--format", "json")
    assert ran.exit_code == 1
    listed = vet("cache", "info")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].startswith(f"cache folder: {cache_dir} (1 entry, ")
    assert f"registry {registry_folder} (" in lines[1]
    assert "units" in lines[1] and "sha256:" in lines[1]
    _garbage(entries(cache_dir)[0])
    damaged = vet("cache", "info")
    assert "unreadable" in damaged.stdout and "rebuilt or removed when next used" in damaged.stdout
    cleared = vet("cache", "clear")
    assert cleared.exit_code == 0
    assert cleared.stdout.startswith("removed 1 entry (")
    assert cleared.stdout.rstrip().endswith(f"from {cache_dir}")
    assert entries(cache_dir) == []
    assert vet("cache", "clear").stdout.startswith("removed 0 entries (0.0 MB)")


def test_vet_cache_without_a_command_shows_help() -> None:
    result = vet("cache")
    assert result.exit_code == 2
    assert "info" in result.output and "clear" in result.output


def test_vet_validate_never_uses_the_cache(registry_folder: Path, cache_dir: Path) -> None:
    result = vet("validate", str(registry_folder))
    assert result.exit_code == 0
    assert entries(cache_dir) == []


def test_a_warm_batch_writes_what_a_cold_one_wrote(
    registry_folder: Path, cache_dir: Path, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,unit\nPell Varrow,7th Military Zone\n,Riot Control Division\n"
                      "Nobody Anyone,\n", encoding="utf-8")
    outputs = []
    for _ in range(2):
        result = vet("batch", str(roster), "--data", str(registry_folder), "--format", "jsonl",
                     "--as-of", "2020-06-01")
        assert result.exit_code == 1, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert len(entries(cache_dir)) == 1
    assert [json.loads(line)["verdict"] for line in outputs[0].splitlines()] == [
        "INELIGIBLE", "INELIGIBLE", "ELIGIBLE"]


def test_a_cache_folder_that_is_a_file_is_said_to_be_unused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    monkeypatch.setenv("VET_CACHE_DIR", str(not_a_folder))
    result = vet("cache", "info")
    assert result.exit_code == 0
    assert result.stdout == (
        f"cache folder: {not_a_folder} is not a folder, so vet runs without a cache\n"
    )


def test_a_batch_reads_the_entry_whole_only_when_that_pays() -> None:
    sizes = {"units": 1000, "people": 1000, "allegations": 400}
    assert not cache.reads_whole(sizes, 1, shared=False)  # one query: a few rows
    assert not cache.reads_whole(sizes, 100, shared=False)
    assert cache.reads_whole(sizes, 500, shared=False)  # most names will be met
    assert cache.reads_whole(sizes, 1, shared=True)  # workers share what was read
