"""The compiled registry cache: a registry read, checked and prepared once, kept on disk.

Reading a large registry (YAML, schema, integrity checks) and preparing the
matcher (reading every name, building the candidate index) takes far longer
than answering a query. The first run on a registry stores what the engine
needs in one SQLite file under the cache folder (env `VET_CACHE_DIR`, else
`$XDG_CACHE_HOME/vet`, else `~/.cache/vet`); later runs open that file and
read only the rows a query touches.

Never trusted blindly:
- the entry's name is a digest of the registry files' bytes, the package
  version, the cache format and the code and vocabulary that prepared it, so a
  changed registry, vet or vocabulary looks for another entry;
- the entry repeats all of these inside, with row counts and a checksum of
  that header; every row carries a checksum that is checked when it is read;
- an entry that fails any check (truncated, corrupt, another format or
  version) is removed and rebuilt from the YAML, never used; a row found bad
  half-way through a query makes the query start again from the YAML;
- the payloads are JSON text read with `json` and pydantic: nothing in the
  file can run code when read (no pickle);
- an entry is written to a temporary file and renamed into place, so a run
  never sees half an entry; a folder that cannot be written means no cache.
Only registries without errors are stored (`open_registry` refuses the rest),
and `vet validate` never uses the cache: it must report every finding.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import sqlite3
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from vetting import loader, records, registry
from vetting.model import Allegation, Person, Source, Unit

FORMAT = 1  # bump when the layout of an entry changes
PREFIX = "registry-"
SUFFIX = ".sqlite"
T = TypeVar("T")


class CacheCorrupt(Exception):
    """A cache entry failed a check while it was read."""


def folder() -> Path:
    """The cache folder: env VET_CACHE_DIR, else $XDG_CACHE_HOME/vet, else ~/.cache/vet."""
    chosen = os.environ.get("VET_CACHE_DIR")
    if chosen:
        return Path(chosen).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says relative values are ignored
        return Path(xdg) / "vet"
    return Path.home() / ".cache" / "vet"


# --- keys --------------------------------------------------------------------------

_CODE = (
    "cache.py", "model.py", "records.py", "registry.py", "checks.py", "names.py", "matching.py",
    "geo.py", "derived.py",
)


def _code_digest() -> str:
    """A digest of the code and vocabulary that read and prepare a registry.

    The package version alone does not change when a vocabulary table or the
    matcher is edited in place (an editable install, a domain expert's
    addition); their content does.
    """
    sha = hashlib.sha256()
    package = resources.files("vetting")
    for name in _CODE:
        sha.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    vocab = package.joinpath("vocab")
    for entry in sorted(vocab.iterdir(), key=lambda item: item.name):
        if entry.is_file():
            sha.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return sha.hexdigest()


def source_key(data: Path) -> str:
    """A digest of the registry files' bytes: equal bytes, equal key.

    Raises OSError when a file cannot be read.
    """
    sha = hashlib.sha256()
    for filename in records.LAYOUT:
        with (data / filename).open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            sha.update(f"{filename}\0{size}\0".encode())
            if size:
                # Mapped rather than read: a 40 MB registry is hashed without copying it.
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as body:
                    sha.update(body)
    return sha.hexdigest()


def _version() -> str:
    from vetting import __version__  # read from the installed metadata: only when needed

    return __version__


def entry_name(key: str, code: str) -> str:
    sha = hashlib.sha256(f"{FORMAT}\0{_version()}\0{code}\0{key}".encode())
    return f"{PREFIX}{sha.hexdigest()[:40]}{SUFFIX}"


# --- encoding -------------------------------------------------------------------------

_DATACLASSES: dict[str, type] = {}
_FIELDS: dict[type, tuple[str, ...]] = {}


def _register_dataclasses() -> None:
    if not _DATACLASSES:
        from vetting.names import PersonName, PersonReadings, UnitName

        for kind in (UnitName, PersonReadings, PersonName):
            _DATACLASSES[kind.__name__] = kind
            _FIELDS[kind] = tuple(field.name for field in fields(kind))


_PLAIN = (str, int, float, bool, type(None))


def encode(value: Any) -> Any:
    """Plain JSON data for a prepared name: its dataclasses, tuples, sets and dicts of text.

    Dataclass fields are kept by position: names.py is part of the cache key,
    so an entry is only ever read by the code that wrote it.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple or kind is list:
        return [encode(item) for item in value]
    if kind is dict:
        return {"~": "dict", "v": {key: encode(item) for key, item in value.items()}}
    if kind is frozenset or kind is set:
        return {"~": "set", "v": sorted(value)}
    _register_dataclasses()
    names = _FIELDS.get(kind)
    if names is None:
        raise TypeError(f"the cache does not store {kind.__name__}")
    return {"~": kind.__name__, "v": [encode(getattr(value, name)) for name in names]}


def decode(value: Any) -> Any:
    """The inverse of `encode`: lists come back as tuples; only known dataclasses are made.

    Text is interned: a batch reads tens of thousands of names made of the same few
    thousand words, and one copy of each word is enough.
    """
    kind = type(value)
    if kind is str:
        return sys.intern(value)
    if kind is list:
        # Every list `encode` writes holds one kind of item; lists of text are most.
        if not value:
            return ()
        if type(value[0]) is str:
            return tuple(map(sys.intern, value))
        if type(value[0]) in _PLAIN:
            return tuple(value)
        return tuple(decode(item) for item in value)
    if kind is not dict:
        return value
    marker = value.get("~")
    body = value.get("v")
    if marker == "set" and isinstance(body, list):
        return frozenset(body)
    if marker == "dict" and isinstance(body, dict):
        return {sys.intern(key): decode(item) for key, item in body.items()}
    _register_dataclasses()
    made = _DATACLASSES.get(marker) if isinstance(marker, str) else None
    if made is None or not isinstance(body, list):
        raise CacheCorrupt(f"unknown kind of value {marker!r}")
    return made(*(decode(item) for item in body))


def _checksum(body: str) -> int:
    return zlib.crc32(body.encode("utf-8"))


# --- the entry's layout ------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE records (
    kind TEXT NOT NULL, id TEXT NOT NULL, ord INTEGER NOT NULL, body TEXT NOT NULL,
    checksum INTEGER NOT NULL, PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX records_order ON records (kind, ord);
CREATE TABLE names (
    space TEXT NOT NULL, idx INTEGER NOT NULL, body TEXT NOT NULL, checksum INTEGER NOT NULL,
    PRIMARY KEY (space, idx)
) WITHOUT ROWID;
CREATE TABLE lists (
    name TEXT PRIMARY KEY, body TEXT NOT NULL, checksum INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE postings (
    space TEXT NOT NULL, feature TEXT NOT NULL, body TEXT NOT NULL,
    checksum INTEGER NOT NULL, PRIMARY KEY (space, feature)
) WITHOUT ROWID;
"""
_MODELS: dict[str, type[BaseModel]] = {
    "unit": Unit, "person": Person, "source": Source, "allegation": Allegation,
}
# The registry's indexes, stored as id -> list of ids (or of [person id, post index]).
_LINKS = ("children", "successors", "posts_by_unit", "allegations_by_unit",
          "allegations_by_person")
_TABLES = ("records", "names", "postings", "lists")


def _write(path: Path, reg: registry.Registry, state: Mapping[str, Any], meta: dict[str, Any],
           ) -> None:
    """Write an entry at `path` (a fresh file)."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        counts: dict[str, int] = {}

        def rows(kind: str, table: Mapping[str, Any], body: Callable[[Any], str],
                 ) -> Iterator[tuple[str, str, int, str, int]]:
            for order, (key, value) in enumerate(table.items()):
                text = body(value)
                yield kind, key, order, text, _checksum(text)

        for kind, table in (("unit", reg.units), ("person", reg.people),
                            ("source", reg.sources), ("allegation", reg.allegations)):
            connection.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?)", rows(
                kind, table, lambda record: record.model_dump_json(exclude_defaults=True),
            ))
        for link in _LINKS:
            connection.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?)", rows(
                link, getattr(reg, link), lambda ids: json.dumps(ids, ensure_ascii=False),
            ))
        counts["records"] = sum(len(getattr(reg, name)) for name in (
            "units", "people", "sources", "allegations", *_LINKS))
        counts["names"] = counts["postings"] = 0
        lists: dict[str, Any] = {}
        for name, value in state.items():
            if name.endswith("_entries"):
                connection.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", (
                    (name, index, text, _checksum(text)) for index, text in (
                        (index, json.dumps(encode(
                            [entry.entity, entry.written, entry.name]), ensure_ascii=False))
                        for index, entry in enumerate(value)
                    )
                ))
                counts["names"] += len(value)
            elif isinstance(value, Mapping):
                connection.executemany("INSERT INTO postings VALUES (?, ?, ?, ?)", (
                    (name, feature, text, _checksum(text)) for feature, text in (
                        (feature, json.dumps(items, ensure_ascii=False))
                        for feature, items in value.items()
                    )
                ))
                counts["postings"] += len(value)
            else:
                lists[name] = list(value)
        lists["unit_ids"] = list(reg.units)
        lists["person_ids"] = list(reg.people)
        connection.executemany("INSERT INTO lists VALUES (?, ?, ?)", (
            (name, text, _checksum(text)) for name, text in (
                (name, json.dumps(value, ensure_ascii=False)) for name, value in lists.items()
            )
        ))
        counts["lists"] = len(lists)
        meta = {
            **meta,
            "counts": counts,
            "sizes": {"units": len(reg.units), "people": len(reg.people),
                      "sources": len(reg.sources), "allegations": len(reg.allegations),
                      **{link: len(getattr(reg, link)) for link in _LINKS}},
            "lists": sorted(lists),
        }
        text = json.dumps(meta, ensure_ascii=False, sort_keys=True)
        connection.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("meta", text), ("checksum", hashlib.sha256(text.encode()).hexdigest()),
        ])
        connection.commit()
    finally:
        connection.close()


# --- reading an entry lazily ---------------------------------------------------------------


class _Entry:
    """An open entry: its header, checked, and rows read (and checked) on demand."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection = self._connect()
        try:
            found = dict(self.connection.execute("SELECT key, value FROM meta"))
            text = found.get("meta", "")
            if hashlib.sha256(text.encode()).hexdigest() != found.get("checksum"):
                raise CacheCorrupt("header checksum")
            self.meta: dict[str, Any] = json.loads(text)
            # A file cut short (a full disk, a copy that stopped) is shorter than the
            # pages its header counts; counting rows would read the whole file.
            (pages,) = self.connection.execute("PRAGMA page_count").fetchone()
            (page_size,) = self.connection.execute("PRAGMA page_size").fetchone()
            if path.stat().st_size != pages * page_size:
                raise CacheCorrupt(f"{path.stat().st_size} bytes where {pages} pages of "
                                   f"{page_size} were written")
        except (sqlite3.Error, OSError, ValueError, KeyError, TypeError) as error:
            self.connection.close()
            raise CacheCorrupt(str(error)) from None
        except CacheCorrupt:
            self.connection.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    def reopen(self) -> None:
        """A connection of this process's own, in a forked child: SQLite connections
        must not cross a fork. The parent's is left to the parent."""
        try:
            self.connection = self._connect()
        except sqlite3.Error as error:
            raise CacheCorrupt(str(error)) from None

    def one(self, sql: str, key: tuple[Any, ...]) -> str | None:
        try:
            row = self.connection.execute(sql, key).fetchone()
        except sqlite3.Error as error:
            raise CacheCorrupt(str(error)) from None
        if row is None:
            return None
        body, checksum = row
        if not isinstance(body, str) or _checksum(body) != checksum:
            raise CacheCorrupt(f"a row of {self.path.name} fails its checksum")
        return body

    def ids(self, kind: str) -> list[str]:
        try:
            return [key for (key,) in self.connection.execute(
                "SELECT id FROM records WHERE kind = ? ORDER BY ord", (kind,))]
        except sqlite3.Error as error:
            raise CacheCorrupt(str(error)) from None


def _json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError as error:
        raise CacheCorrupt(str(error)) from None


class _Table(Mapping[str, Any]):
    """A registry table (or index) whose rows are read when first asked for."""

    def __init__(self, entry: _Entry, kind: str, size: int, make: Callable[[str], Any]) -> None:
        self._entry = entry
        self._kind = kind
        self._size = size
        self._make = make
        self._held: dict[str, Any] = {}
        self._missing: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        held = self._held.get(key)
        if held is not None:
            return held
        if not isinstance(key, str) or key in self._missing:
            raise KeyError(key)
        body = self._entry.one("SELECT body, checksum FROM records WHERE kind = ? AND id = ?",
                               (self._kind, key))
        if body is None:
            self._missing.add(key)
            raise KeyError(key)
        try:
            made = self._held[key] = self._make(body)
        except (ValidationError, ValueError, TypeError) as error:
            raise CacheCorrupt(str(error)) from None
        return made

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._entry.ids(self._kind))

    def __len__(self) -> int:
        return self._size


def _model(model: type[BaseModel]) -> Callable[[str], Any]:
    return model.model_validate_json


def _ids(body: str) -> tuple[Any, ...]:
    return tuple(tuple(item) if isinstance(item, list) else item for item in _json(body))


class _Names(Sequence[Any]):
    """The matcher's prepared names of one kind, read by position when first asked for."""

    def __init__(self, entry: _Entry, space: str, size: int, make: Callable[..., Any]) -> None:
        self._entry = entry
        self._space = space
        self._size = size
        self._make = make
        self._held: dict[int, Any] = {}

    def __getitem__(self, index: int) -> Any:  # type: ignore[override]
        held = self._held.get(index)
        if held is not None:
            return held
        if not isinstance(index, int) or not 0 <= index < self._size:
            raise IndexError(index)
        body = self._entry.one("SELECT body, checksum FROM names WHERE space = ? AND idx = ?",
                               (self._space, index))
        if body is None:
            raise CacheCorrupt(f"{self._space} {index} is missing")
        try:
            entity, written, name = _json(body)
            made = self._held[index] = self._make(entity, written, decode(name))
        except (TypeError, ValueError) as error:
            raise CacheCorrupt(str(error)) from None
        return made

    def __len__(self) -> int:
        return self._size


class _Postings(Mapping[str, Any]):
    """One of the candidate index's tables: feature -> the names that have it."""

    def __init__(self, entry: _Entry, space: str) -> None:
        self._entry = entry
        self._space = space
        self._held: dict[str, Any] = {}

    def __getitem__(self, feature: str) -> Any:
        held = self._held.get(feature)
        if held is None:
            body = self._entry.one(
                "SELECT body, checksum FROM postings WHERE space = ? AND feature = ?",
                (self._space, feature))
            held = self._held[feature] = () if body is None else _ids(body)
        return held

    def get(self, feature: str, default: Any = None) -> Any:
        found = self[feature]
        return found if found else default

    def __iter__(self) -> Iterator[str]:
        try:
            return iter([feature for (feature,) in self._entry.connection.execute(
                "SELECT feature FROM postings WHERE space = ?", (self._space,))])
        except sqlite3.Error as error:
            raise CacheCorrupt(str(error)) from None

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _List(Sequence[Any]):
    """A list the entry holds whole, read the first time it is used."""

    def __init__(self, entry: _Entry, name: str) -> None:
        self._entry = entry
        self._name = name
        self._items: list[Any] | None = None

    def whole(self) -> list[Any]:
        if self._items is None:
            body = self._entry.one("SELECT body, checksum FROM lists WHERE name = ?",
                                   (self._name,))
            found = _json(body) if body is not None else None
            if not isinstance(found, list):
                raise CacheCorrupt(f"list {self._name} is missing")
            self._items = found
        return self._items

    def __getitem__(self, index: int) -> Any:  # type: ignore[override]
        return self.whole()[index]

    def __len__(self) -> int:
        return len(self.whole())

    def __iter__(self) -> Iterator[Any]:
        return iter(self.whole())

    def __contains__(self, value: object) -> bool:
        return value in self.whole()


class _ById(Sequence[Any]):
    """Records by their position in the matcher's lists, looked up by id."""

    def __init__(self, ids: Sequence[str], table: Mapping[str, Any]) -> None:
        self._ids = ids
        self._table = table

    def __getitem__(self, index: int) -> Any:  # type: ignore[override]
        return self._table[self._ids[index]]

    def __len__(self) -> int:
        return len(self._ids)


# --- the compiled registry -----------------------------------------------------------------


@dataclass
class Compiled:
    """A registry ready for verdicts and its matcher, from the cache or just built."""

    registry: registry.Registry
    cached: bool  # read from a cache entry (else built from the YAML)
    stored: Path | None  # the entry it was read from or written to
    _matcher: Any = None
    _entry: _Entry | None = None
    _rebuild: Callable[[], Compiled] | None = None

    @property
    def matcher(self) -> Any:
        from vetting.matching import Matcher

        if self._matcher is None:
            self._matcher = Matcher.from_registry(self.registry)
        return self._matcher

    def after_fork(self) -> None:
        """Make this compiled registry usable in a forked worker process."""
        if self._entry is not None:
            self._entry.reopen()

    def run(self, action: Callable[[Compiled], T]) -> T:
        """`action(self)`; started again from the YAML if the entry proves bad on the way."""
        try:
            return action(self)
        except CacheCorrupt:
            if self._rebuild is None:
                raise
            _discard(self.stored)
            return action(self._rebuild())


def _restore(entry: _Entry, data: Path, bulk: bool) -> Compiled:
    from vetting import matching

    meta = entry.meta
    sizes = meta["sizes"]
    tables: dict[str, Any] = {}
    for kind, name in (("unit", "units"), ("person", "people"), ("source", "sources"),
                       ("allegation", "allegations")):
        tables[name] = _Table(entry, kind, sizes[name], _model(_MODELS[kind]))
    for link in _LINKS:
        tables[link] = _Table(entry, link, sizes[link], _ids)
    reg = registry.Registry(digest=meta["digest"], folder=data, **tables)
    units = _ById(_List(entry, "unit_ids"), tables["units"])
    people = _ById(_List(entry, "person_ids"), tables["people"])
    state: dict[str, Any] = {}
    for name in matching.Matcher.STATE:
        if name in meta["lists"]:
            # A batch reads these lists over and over: plain lists then, read now.
            state[name] = _List(entry, name).whole() if bulk else _List(entry, name)
        elif name.endswith("_entries"):
            kind = matching.UnitEntry if name.startswith("_unit") else matching.PersonEntry
            state[name] = _Names(entry, name, meta["entries"][name], kind)
        else:
            state[name] = _Postings(entry, name)
    compiled = Compiled(reg, True, entry.path, _entry=entry)
    compiled._matcher = matching.Matcher.restore(units, people, state)
    return compiled


def _discard(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def _build(data: Path, max_bytes: int | None) -> Compiled:
    compiled = Compiled(registry.open_registry(data, max_bytes), False, None)
    compiled.matcher  # noqa: B018 - prepared now, to be stored with the registry
    return compiled


def _store(compiled: Compiled, path: Path, key: str, code: str) -> bool:
    """Write the entry atomically; False (and nothing left behind) when it cannot be."""
    state = compiled.matcher.state()
    meta = {
        "format": FORMAT, "version": _version(), "code": code, "key": key,
        "digest": compiled.registry.digest, "folder": _where(compiled.registry.folder),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "entries": {name: len(value) for name, value in state.items()
                    if name.endswith("_entries")},
    }
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                                 dir=path.parent)
        os.close(descriptor)
        os.unlink(temporary)  # sqlite makes the file itself
        _write(Path(temporary), compiled.registry, state, meta)
        os.replace(temporary, path)
    except BaseException as error:
        # Interrupted or failed half-way: nothing is left behind, and a folder that
        # cannot take the entry (read-only, full) just means no cache.
        if temporary is not None:
            _discard(Path(temporary))
        if isinstance(error, OSError | sqlite3.Error):
            return False
        raise
    _prune(path, meta["folder"])
    return True


def _where(data: Path) -> str:
    try:
        return str(data.resolve())
    except OSError:
        return str(data)


def _prune(kept: Path, registry_folder: str) -> None:
    """Remove older entries of the same registry folder: they can only be stale now."""
    for path in _files(kept.parent):
        if path == kept or path.name.endswith(".tmp"):
            continue
        try:
            entry = _Entry(path)
            same = entry.meta.get("folder") == registry_folder
            entry.connection.close()
        except CacheCorrupt:
            same = True  # unreadable: of no use to anyone
        if same:
            _discard(path)


def open_compiled(data: Path | None = None, max_bytes: int | None = None, *,
                  use_cache: bool = True, bulk: bool = False) -> Compiled:
    """The registry in use, ready for verdicts, through the cache.

    `bulk`: many queries will follow (a batch), so tables every query uses are
    read whole at once rather than row by row.

    Raises registry.RegistryError when the registry cannot be used, as
    registry.open_registry does.
    """
    located = records.locate(data)
    limit = max_bytes if max_bytes is not None else loader.max_bytes_from_env()
    try:
        too_large = any((located / name).stat().st_size > limit for name in records.LAYOUT)
        key = source_key(located) if use_cache and not too_large else None
    except OSError:
        key = None  # the normal path gives the message
    if key is None:
        return _build(located, max_bytes)
    code = _code_digest()
    path = folder() / entry_name(key, code)
    if path.is_file():
        try:
            entry = _Entry(path)
            meta = entry.meta
            if (meta.get("format"), meta.get("version"), meta.get("code"), meta.get("key")) != (
                FORMAT, _version(), code, key
            ):
                raise CacheCorrupt("written for another registry or version")
            compiled = _restore(entry, located, bulk)
            compiled._rebuild = lambda: _stored(_build(located, max_bytes), path, key, code)
            return compiled
        except CacheCorrupt:
            _discard(path)
        except (KeyError, TypeError, ValueError):
            _discard(path)
    return _stored(_build(located, max_bytes), path, key, code)


def _stored(compiled: Compiled, path: Path, key: str, code: str) -> Compiled:
    if _store(compiled, path, key, code):
        compiled.stored = path
    return compiled


# --- vet cache info | clear -------------------------------------------------------------------


@dataclass(frozen=True)
class EntryInfo:
    """One file in the cache folder, as `vet cache info` lists it."""

    path: Path
    size: int
    modified: float
    ok: bool  # passes the checks that opening it makes
    digest: str | None = None
    folder: str | None = None
    version: str | None = None
    created: str | None = None
    units: int | None = None
    people: int | None = None
    allegations: int | None = None
    problem: str | None = None


@dataclass(frozen=True)
class CacheInfo:
    folder: Path
    entries: tuple[EntryInfo, ...]

    @property
    def size(self) -> int:
        return sum(entry.size for entry in self.entries)


def _files(where: Path) -> list[Path]:
    try:
        return sorted(path for path in where.iterdir() if path.is_file() and (
            (path.name.startswith(PREFIX) and path.name.endswith(SUFFIX))
            or (path.name.startswith(f".{PREFIX}") and path.name.endswith(".tmp"))
        ))
    except OSError:
        return []


def info() -> CacheInfo:
    """The cache folder and what each entry in it holds."""
    where = folder()
    entries: list[EntryInfo] = []
    for path in _files(where):
        try:
            stat = path.stat()
        except OSError:
            continue
        if path.name.endswith(".tmp"):
            entries.append(EntryInfo(path, stat.st_size, stat.st_mtime, False,
                                     problem="unfinished (being written, or left by a crash)"))
            continue
        try:
            entry = _Entry(path)
            meta = entry.meta
            entry.connection.close()
            sizes = meta["sizes"]
            current = meta.get("format") == FORMAT and meta.get("version") == _version()
            entries.append(EntryInfo(
                path, stat.st_size, stat.st_mtime, current, meta.get("digest"),
                meta.get("folder"), meta.get("version"), meta.get("created"),
                sizes.get("units"), sizes.get("people"), sizes.get("allegations"),
                None if current else "written by another version of vet",
            ))
        except (CacheCorrupt, KeyError, TypeError, AttributeError) as error:
            entries.append(EntryInfo(path, stat.st_size, stat.st_mtime, False,
                                     problem=f"unreadable ({error})"))
    return CacheInfo(where, tuple(entries))


def clear() -> tuple[int, int]:
    """Remove every entry of the cache folder; (files removed, bytes freed)."""
    removed = freed = 0
    for path in _files(folder()):
        with contextlib.suppress(OSError):
            size = path.stat().st_size
            path.unlink()
            removed += 1
            freed += size
    return removed, freed


def age(seconds: float) -> str:
    """How long ago a time was, for people."""
    delta = max(0.0, time.time() - seconds)
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if delta >= length:
            count = int(delta // length)
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"
