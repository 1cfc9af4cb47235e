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
import functools
import gc
import hashlib
import itertools
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

from pydantic import BaseModel, TypeAdapter, ValidationError

from vetting import loader, records, registry
from vetting.model import Allegation, Person, Source, Unit

FORMAT = 2  # bump when the layout of an entry changes
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
        from vetting.matching import PersonEntry, UnitEntry
        from vetting.names import PersonName, PersonReadings, UnitName

        for kind in (UnitName, PersonReadings, PersonName, UnitEntry, PersonEntry):
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


# Many prepared names at once are stored a column per field, and each column is
# decoded by one operation over all of it ("s": text, "p": numbers or null, "ts":
# tuples of text, "tp": tuples of numbers, "fs": sets, "d": dicts of text, "dc": a
# dataclass and "td": tuples of one, themselves in columns, "g": anything else, by
# `decode`; "u": a column's distinct values, once each, and where each row's is).
# A page of a few hundred names then costs a handful of calls, not thousands.


def encode_columns(items: Sequence[Any]) -> list[Any]:
    """Instances of one known dataclass as `[kind, count, [column per field]]`."""
    _register_dataclasses()
    kind = type(items[0]) if items else None
    names = _FIELDS.get(kind) if kind is not None else ()
    if kind is None or names is None or any(type(item) is not kind for item in items):
        raise TypeError("the cache stores columns of one known dataclass")
    return [kind.__name__, len(items),
            [_encode_column([getattr(item, name) for item in items]) for name in names]]


def _encode_column(values: list[Any]) -> list[Any]:
    kinds = set(map(type, values))
    if not kinds & set(_FIELDS):
        # Most fields repeat (no number, the same concepts, the same words): each
        # distinct value is stored and made once, and the names share it.
        keys = [tuple(value.items()) if type(value) is dict else value for value in values]
        firsts: dict[Any, Any] = {}
        with contextlib.suppress(TypeError):  # a value that cannot be a key: kept as it is
            for key, value in zip(keys, values, strict=True):
                firsts.setdefault(key, value)
            if 2 * len(firsts) <= len(values):
                where = {key: index for index, key in enumerate(firsts)}
                return ["u", [where[key] for key in keys],
                        _encode_distinct(list(firsts.values())), len(firsts)]
    return _encode_distinct(values)


def _encode_distinct(values: list[Any]) -> list[Any]:
    kinds = set(map(type, values))
    if kinds == {str}:
        return ["s", values]
    if kinds <= set(_PLAIN):
        return ["p", values]
    if kinds == {tuple}:
        inner = {type(item) for value in values for item in value}
        if inner <= {str}:
            return ["ts", values]
        if inner <= set(_PLAIN):
            return ["tp", values]
        if len(inner) == 1 and next(iter(inner)) in _FIELDS:
            flat = [item for value in values for item in value]
            return ["td", [len(value) for value in values], encode_columns(flat)]
    if len(kinds) == 1 and next(iter(kinds)) in _FIELDS:
        return ["dc", encode_columns(values)]
    if kinds == {frozenset} and {type(item) for value in values for item in value} <= {int}:
        return ["fs", [sorted(value) for value in values]]
    if kinds == {dict} and all(type(key) is str and type(item) is str
                               for value in values for key, item in value.items()):
        return ["d", values]
    return ["g", [encode(value) for value in values]]


def decode_columns(data: Any) -> list[Any]:
    """The inverse of `encode_columns`; CacheCorrupt when `data` is not what it wrote."""
    _register_dataclasses()
    try:
        name, count, columns = data
        kind = _DATACLASSES.get(name) if isinstance(name, str) else None
        if kind is None or not isinstance(columns, list) or len(columns) != len(_FIELDS[kind]):
            raise CacheCorrupt(f"unknown kind of value {name!r}")
        decoded = [_decode_column(column, count) for column in columns]
        return list(map(kind, *decoded))
    except (TypeError, ValueError, KeyError, IndexError) as error:
        raise CacheCorrupt(f"a column fails to decode: {error}") from None


def _decode_column(column: list[Any], count: int) -> list[Any]:
    tag, values = column[0], column[1]
    intern = sys.intern
    if tag == "s":
        values = list(map(intern, values))
    elif tag == "ts":
        values = [tuple(map(intern, value)) for value in values]
    elif tag == "tp":
        values = list(map(tuple, values))
    elif tag == "fs":
        values = list(map(frozenset, values))
    elif tag == "u":
        distinct = _decode_column(column[2], column[3])
        values = list(map(distinct.__getitem__, values))
    elif tag == "dc":
        values = decode_columns(values)
    elif tag == "td":
        items = iter(decode_columns(column[2]))
        values = [tuple(itertools.islice(items, size)) for size in values]
    elif tag == "g":
        values = list(map(decode, values))
    elif tag not in ("p", "d"):
        raise CacheCorrupt(f"unknown kind of column {tag!r}")
    if not isinstance(values, list) or len(values) != count:
        raise CacheCorrupt("a column of the wrong length")
    return values


def _checksum(body: str) -> int:
    return zlib.crc32(body.encode("utf-8"))


# --- the entry's layout ------------------------------------------------------------------

# Sequences (records in the registry's order, the matcher's prepared names) are
# stored in pages (`page_size`), each one JSON text read and decoded at once: a
# single query reads a page, a batch reads every page of a table in one pass.
# Tables looked up by key (the registry's links, the candidate index) keep a row
# per key; a batch reads each of them whole too.


def page_size(space: str) -> int:
    """Items per page: a single query reads a page to get one item, a batch every page.

    A query's verdict reads records scattered over the registry (posts, parents,
    allegations), each validated with its page: small pages. Names come from
    the index in runs, and a column decodes faster the longer it is.
    """
    return 16 if space in _MODELS else 64

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE pages (
    space TEXT NOT NULL, page INTEGER NOT NULL, body TEXT NOT NULL, checksum INTEGER NOT NULL,
    PRIMARY KEY (space, page)
) WITHOUT ROWID;
CREATE TABLE keyed (
    space TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, checksum INTEGER NOT NULL,
    PRIMARY KEY (space, key)
) WITHOUT ROWID;
CREATE TABLE lists (
    name TEXT PRIMARY KEY, body TEXT NOT NULL, checksum INTEGER NOT NULL
) WITHOUT ROWID;
"""
_MODELS: dict[str, type[BaseModel]] = {
    "units": Unit, "people": Person, "sources": Source, "allegations": Allegation,
}
# The registry's indexes, stored as id -> list of ids (or of [person id, post index]).
_LINKS = ("children", "successors", "posts_by_unit", "allegations_by_unit",
          "allegations_by_person")
TABLES = ("meta", "pages", "keyed", "lists")


@functools.cache
def _adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _pages(items: Sequence[Any], size: int, encode_page: Callable[[Sequence[Any]], str],
           ) -> Iterator[tuple[int, str, int]]:
    for number, start in enumerate(range(0, len(items), size)):
        text = encode_page(items[start : start + size])
        yield number, text, _checksum(text)


def _write(path: Path, reg: registry.Registry, state: Mapping[str, Any], meta: dict[str, Any],
           ) -> None:
    """Write an entry at `path` (a fresh file)."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)

        def paged(space: str, items: Sequence[Any],
                  encode_page: Callable[[Sequence[Any]], str]) -> None:
            connection.executemany("INSERT INTO pages VALUES (?, ?, ?, ?)", (
                (space, *page) for page in _pages(items, page_size(space), encode_page)))

        def keyed(space: str, table: Mapping[str, Any]) -> None:
            connection.executemany("INSERT INTO keyed VALUES (?, ?, ?, ?)", (
                (space, key, text, _checksum(text)) for key, text in (
                    (key, json.dumps(items, ensure_ascii=False)) for key, items in table.items()
                )
            ))

        lists: dict[str, Any] = {}
        for name, model in _MODELS.items():
            table = getattr(reg, name)
            lists[f"ids:{name}"] = list(table)
            adapter = _adapter(model)
            paged(name, list(table.values()), lambda page, adapter=adapter: adapter.dump_json(
                list(page), exclude_defaults=True).decode("utf-8"))
        for link in _LINKS:
            keyed(link, getattr(reg, link))
        for name, value in state.items():
            if name.endswith("_entries"):
                paged(name, value, lambda page: json.dumps(encode_columns(page),
                                                           ensure_ascii=False))
            elif isinstance(value, Mapping):
                keyed(name, value)
            else:
                lists[name] = list(value)
        connection.executemany("INSERT INTO lists VALUES (?, ?, ?)", (
            (name, text, _checksum(text)) for name, text in (
                (name, json.dumps(value, ensure_ascii=False)) for name, value in lists.items()
            )
        ))
        meta = {
            **meta,
            "sizes": {**{name: len(getattr(reg, name)) for name in _MODELS},
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


# --- reading an entry ------------------------------------------------------------------------


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

    def rows(self, sql: str, key: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Rows whose last two columns are a body and its checksum, each checked."""
        try:
            found = self.connection.execute(sql, key).fetchall()
        except sqlite3.Error as error:
            raise CacheCorrupt(str(error)) from None
        for *_, body, checksum in found:
            if not isinstance(body, str) or _checksum(body) != checksum:
                raise CacheCorrupt(f"a row of {self.path.name} fails its checksum")
        return found

    def one(self, sql: str, key: tuple[Any, ...]) -> str | None:
        found = self.rows(sql, key)
        return found[0][-2] if found else None

    def keys(self, space: str) -> list[str]:
        try:
            return [key for (key,) in self.connection.execute(
                "SELECT key FROM keyed WHERE space = ?", (space,))]
        except sqlite3.Error as error:
            raise CacheCorrupt(str(error)) from None


def _json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError as error:
        raise CacheCorrupt(str(error)) from None


def _ids(body: str | list[Any]) -> tuple[Any, ...]:
    items = _json(body) if isinstance(body, str) else body
    # One kind of item a list: ids or numbers, or pairs ([person id, post index]).
    if items and type(items[0]) is list:
        return tuple(map(tuple, items))
    return tuple(items)


def _page_reader(space: str) -> Callable[[str], list[Any]]:
    """How a page of `space` is decoded: records by pydantic, prepared names by column."""
    model = _MODELS.get(space)
    if model is None:
        return lambda body: decode_columns(_json(body))
    adapter = _adapter(model)

    def records(body: str) -> list[Any]:
        try:
            return adapter.validate_json(body)
        except ValidationError as error:
            raise CacheCorrupt(str(error)) from None

    return records


_PAGE_SQL = "SELECT body, checksum FROM pages WHERE space = ? AND page = ?"
_PAGES_SQL = "SELECT page, body, checksum FROM pages WHERE space = ? ORDER BY page"
_KEY_SQL = "SELECT body, checksum FROM keyed WHERE space = ? AND key = ?"
_KEYS_SQL = "SELECT key, body, checksum FROM keyed WHERE space = ?"


def _whole_pages(entry: _Entry, space: str, size: int) -> list[Any]:
    """Every item of a paged table, read in one query and decoded page by page."""
    read = _page_reader(space)
    items: list[Any] = []
    for number, (page, body, _) in enumerate(entry.rows(_PAGES_SQL, (space,))):
        if page != number:
            raise CacheCorrupt(f"page {number} of {space} is missing")
        items += read(body)
    if len(items) != size:
        raise CacheCorrupt(f"{space}: {len(items)} items where {size} were written")
    return items


def _whole_keyed(entry: _Entry, space: str, size: int | None = None) -> dict[str, Any]:
    rows = entry.rows(_KEYS_SQL, (space,))
    # Decoded as one JSON text: one call for the table, not one per row.
    table = dict(zip((key for key, _, _ in rows),
                     map(_ids, _json(f"[{','.join(body for _, body, _ in rows)}]")), strict=True))
    if size is not None and len(table) != size:
        raise CacheCorrupt(f"{space}: {len(table)} rows where {size} were written")
    return table


class _Paged(Sequence[Any]):
    """A paged table read a page at a time, when one of its items is first asked for."""

    def __init__(self, entry: _Entry, space: str, size: int) -> None:
        self._entry = entry
        self._space = space
        self._size = size
        self._read = _page_reader(space)
        self._page = page_size(space)
        self._pages: dict[int, list[Any]] = {}

    def __getitem__(self, index: int) -> Any:  # type: ignore[override]
        if not isinstance(index, int) or not 0 <= index < self._size:
            raise IndexError(index)
        number, offset = divmod(index, self._page)
        page = self._pages.get(number)
        if page is None:
            body = self._entry.one(_PAGE_SQL, (self._space, number))
            if body is None:
                raise CacheCorrupt(f"page {number} of {self._space} is missing")
            page = self._pages[number] = self._read(body)
            if len(page) != min(self._page, self._size - number * self._page):
                raise CacheCorrupt(f"page {number} of {self._space} has {len(page)} items")
        return page[offset]

    def __len__(self) -> int:
        return self._size


class _Records(Mapping[str, Any]):
    """A registry table by id: its ids read whole, its records a page at a time."""

    def __init__(self, ids: Sequence[str], records: _Paged) -> None:
        self._ids = ids
        self._records = records
        self._where: dict[str, int] | None = None

    def _position(self, key: object) -> int | None:
        if self._where is None:
            self._where = {key: index for index, key in enumerate(self._ids)}
        return self._where.get(key) if isinstance(key, str) else None

    def __getitem__(self, key: str) -> Any:
        index = self._position(key)
        if index is None:
            raise KeyError(key)
        return self._records[index]

    def __contains__(self, key: object) -> bool:
        return self._position(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class _Keyed(Mapping[str, Any]):
    """A table by key (a registry link, a table of the candidate index), a row at a time."""

    def __init__(self, entry: _Entry, space: str, size: int | None = None) -> None:
        self._entry = entry
        self._space = space
        self._size = size
        self._held: dict[str, Any] = {}
        self._missing: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        held = self._held.get(key)
        if held is not None:
            return held
        if not isinstance(key, str) or key in self._missing:
            raise KeyError(key)
        body = self._entry.one(_KEY_SQL, (self._space, key))
        if body is None:
            self._missing.add(key)
            raise KeyError(key)
        held = self._held[key] = _ids(body)
        return held

    def __iter__(self) -> Iterator[str]:
        return iter(self._entry.keys(self._space))

    def __len__(self) -> int:
        return self._size if self._size is not None else len(self._entry.keys(self._space))


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
    """The compiled registry an entry holds: read as used, or (`bulk`) all of it now.

    Read whole, the registry and the matcher are plain lists and dicts, read by
    one query per table and decoded a page at a time, and the entry is not read
    again: worker processes forked later share them with this one.
    """
    from vetting import matching

    meta = entry.meta
    sizes = meta["sizes"]
    tables: dict[str, Any] = {}
    ids: dict[str, Sequence[str]] = {}
    for name in _MODELS:
        ids[name] = _List(entry, f"ids:{name}").whole() if bulk else _List(entry, f"ids:{name}")
        if bulk:
            tables[name] = dict(zip(ids[name], _whole_pages(entry, name, sizes[name]),
                                    strict=True))
        else:
            tables[name] = _Records(ids[name], _Paged(entry, name, sizes[name]))
    for link in _LINKS:
        tables[link] = (_whole_keyed(entry, link, sizes[link]) if bulk
                        else _Keyed(entry, link, sizes[link]))
    reg = registry.Registry(digest=meta["digest"], folder=data, **tables)
    if bulk:
        units: Sequence[Any] = list(tables["units"].values())
        people: Sequence[Any] = list(tables["people"].values())
    else:
        units = _ById(ids["units"], tables["units"])
        people = _ById(ids["people"], tables["people"])
    state: dict[str, Any] = {}
    for name in matching.Matcher.STATE:
        if name in meta["lists"]:
            # A batch reads these lists over and over: plain lists then, read now.
            state[name] = _List(entry, name).whole() if bulk else _List(entry, name)
        elif name.endswith("_entries"):
            size = meta["entries"][name]
            state[name] = (_whole_pages(entry, name, size) if bulk
                           else _Paged(entry, name, size))
        else:
            state[name] = _whole_keyed(entry, name) if bulk else _Keyed(entry, name)
    compiled = Compiled(reg, True, entry.path, _entry=None if bulk else entry)
    compiled._matcher = matching.Matcher.restore(units, people, state)
    if bulk:
        entry.connection.close()
        # What was read lives as long as the process: the collector need not walk its
        # millions of objects again at every full collection (nor touch their pages,
        # which forked workers share).
        gc.freeze()
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


# Reading a whole entry costs about as much as reading, row by row, what this many
# distinct queries per registry unit and person touch (a query meets tens of names).
WHOLE_AT = 0.25


def reads_whole(sizes: Mapping[str, int], queries: int, shared: bool) -> bool:
    """Whether `queries` distinct queries are better served by reading the entry whole.

    `shared`: forked worker processes will share what is read before they start.
    """
    return shared or queries >= WHOLE_AT * (sizes.get("units", 0) + sizes.get("people", 0))


def open_compiled(data: Path | None = None, max_bytes: int | None = None, *,
                  use_cache: bool = True, queries: int = 1, shared: bool = False,
                  ) -> Compiled:
    """The registry in use, ready for verdicts, through the cache.

    `queries`: how many distinct queries will follow (a batch's); when they are
    many, or `shared` (worker processes will share the registry), the entry is
    read whole at once (`reads_whole`), else row by row as the queries need.

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
            compiled = _restore(entry, located, reads_whole(meta["sizes"], queries, shared))
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
