"""Rosters: a CSV or .xlsx of nominees read into rows to vet, vetted in bulk, and written
back safely. A unit cell is read as the units it lists (`vetting.composite`).

Reading takes a file as Excel and people write it:

- Encoding: UTF-8 with or without a byte-order mark, or UTF-16 with one (Excel's
  "Unicode text"). A file that is not valid UTF-8 is read as Windows-1252, what
  Excel writes for "CSV", and the roster carries a warning saying so.
- Delimiter: comma, semicolon or tab, whichever the header line holds most of
  outside quotes (a tie is settled by which one splits the next lines into as
  many cells as the header). A first line `sep=;`, Excel's own hint, decides it.
- Headers: matched to fields without case, accents or punctuation, through the
  table in `vocab/roster_columns.yaml`; `--columns` names any other header.
  Every other column passes through untouched.
- Blank lines: a line with nothing on it (or only spaces) is not a row: CSV has
  no empty record, and spreadsheets leave such lines at the end. A line of
  delimiters only (`;;;`) is a row with empty cells, and comes back ERROR;
  before the header, such lines are skipped (the header is the first line
  with a filled cell).
- Rows: every record after the header is a row, numbered from 1 in file order,
  with the line it starts on. Nothing is dropped or merged; a row that cannot be
  vetted carries its errors and is answered ERROR while the others are vetted.
- Ragged rows: missing cells at the end of a row read as empty; extra cells are
  kept (under headers `column_N`) and make the row ERROR when they hold
  anything, because they mean a value held an unquoted delimiter and every
  cell after it moved.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import io
import os
import re
import signal
import stat
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, cached_property, lru_cache
from importlib import resources
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import yaml

from vetting.cells import MAX_PARTS
from vetting.codes import Code, clip
from vetting.composite import PartAnswer, Plan, answer_part, deciding, plan, split_unit
from vetting.model import Law, PartialDate, country_problem
from vetting.names import country_code
from vetting.rules import (
    MAX_CANDIDATES,
    Answer,
    Engine,
    Query,
    RegistryInfo,
    Verdict,
    vet_queries,
)
from vetting.workbook import WorkbookError, is_workbook, read_workbook

if TYPE_CHECKING:
    from vetting.matching import Matcher
    from vetting.registry import Registry

FIELDS = ("name", "unit", "birth_date", "country")

# Any cell longer than this makes its row ERROR: no roster value is that long,
# and a cell this size is an unbalanced quote that swallowed the lines after it.
CELL_LIMIT = 10_000
# A name, unit, birth date or country longer than this is not one (the
# registry's own names stop at 300 characters).
FIELD_LIMIT = 300

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "": "none (a workbook)"}

# Python's csv refuses fields over 128 KiB by raising for the whole file; the
# limit is lifted while reading so that a huge cell is one row's error instead.
# 2**31 - 1 fits a C long on every platform.
_NO_FIELD_LIMIT = 2**31 - 1
_SNIFF_LINES = 50
_SNIFF_CHARACTERS = 64 * 1024  # a header line is never longer
_SEP_HINT = re.compile(r"sep=(.)(?:\r\n|\r|\n|$)")
# Lines before the header with nothing on them but spaces or delimiters.
_LEADING_BLANK = re.compile(r"\A(?:[ \t,;]*(?:\r\n|\r|\n))+")


class RosterError(Exception):
    """The roster as a whole cannot be read: unreadable, not CSV, or no name or unit column."""


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row cannot be vetted."""

    code: Code
    message: str


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One data row: its cells as written and the fields read from them."""

    row: int  # 1-based, counting data rows only
    line: int  # the 1-based line of the file the row starts on
    cells: tuple[str, ...]  # one per roster header, as written
    name: str | None = None
    unit: str | None = None
    birth_date: PartialDate | None = None
    country: str | None = None
    errors: tuple[RowError, ...] = ()
    parts: tuple[str, ...] = ()  # the units the unit cell names (`vetting.cells`)


@dataclass(frozen=True)
class Roster:
    """A roster as read: its headers, which columns hold which field, and its rows."""

    source: str
    encoding: str
    delimiter: str
    headers: tuple[str, ...]
    columns: Mapping[str, tuple[int, ...]]
    rows: tuple[RosterRow, ...]
    warnings: tuple[str, ...] = ()

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """The headers made unique and non-empty, as keys of a row's `input` object."""
        return _unique_keys(self.headers)

    def input_of(self, row: RosterRow) -> dict[str, str]:
        return dict(zip(self.keys, row.cells, strict=True))

    def written(self, row: RosterRow, name: str) -> str:
        """A field's cells as written in the row (placeholders such as N/A included)."""
        return " ".join(
            cell for index in self.columns.get(name, ()) if (cell := row.cells[index].strip())
        )


# --- the header vocabulary -------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The header aliases of `vocab/roster_columns.yaml`, folded for comparison."""

    aliases: Mapping[str, frozenset[str]]
    written: Mapping[str, tuple[str, ...]]  # as in the file, for messages
    name_parts: tuple[frozenset[str], ...]
    blank_values: frozenset[str]


def fold_header(text: str) -> str:
    """A header as compared: no case, accents or punctuation (`País` -> `pais`)."""
    text = unicodedata.normalize("NFKD", text.replace("\ufeff", "")).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "_".join(re.findall(r"[0-9a-z]+", text))


@cache
def vocabulary() -> Vocabulary:
    table = yaml.safe_load(
        (resources.files("vetting") / "vocab" / "roster_columns.yaml").read_text("utf-8")
    )
    return Vocabulary(
        aliases={name: frozenset(map(fold_header, table[name])) for name in FIELDS},
        written={name: tuple(table[name]) for name in FIELDS},
        name_parts=tuple(frozenset(map(fold_header, part)) for part in table["name_parts"]),
        blank_values=frozenset(map(fold_header, table["blank_values"])),
    )


def parse_columns(specs: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """`--columns name=Nominee,unit=Unidad` as {field: headers}.

    `name=Nombre+Apellidos` joins several columns into the name; `unit=` (empty)
    reads no column as the unit. Raises RosterError on anything else.
    """
    chosen: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        for item in spec.split(","):
            if not item.strip():
                continue
            field_name, equals, headers = item.partition("=")
            field_name = field_name.strip().lower().replace("-", "_")
            if not equals or field_name not in FIELDS:
                raise RosterError(
                    f"--columns: {clip(item)} is not FIELD=HEADER with FIELD one of "
                    f"{', '.join(FIELDS)} (for example: --columns name=Nominee,unit=Unidad)"
                )
            if field_name in chosen:
                raise RosterError(f"--columns: {field_name} is given twice")
            parts = tuple(part.strip() for part in headers.split("+") if part.strip())
            chosen[field_name] = parts
    return chosen


# --- reading ---------------------------------------------------------------------------


MAX_ROSTER_BYTES = 1 << 30  # 1 GiB: ten times a country-wide roster, far below memory


def read_bytes(path: Path) -> bytes:
    """The bytes of a roster file; RosterError when it cannot be read."""
    try:
        if path.exists() and not path.is_dir() and not stat.S_ISREG(path.stat().st_mode):
            # A FIFO would block and a device never end: a roster is a file (or `-`).
            raise RosterError(f"{path}: not a regular file; pipe it to `vet batch -` instead")
        with path.open("rb") as handle:
            return read_stream(handle, str(path))
    except FileNotFoundError:
        raise RosterError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RosterError(f"{path}: is a folder, not a CSV file") from None
    except PermissionError:
        raise RosterError(f"{path}: permission denied") from None
    except OSError as error:
        raise RosterError(f"{path}: cannot be read: {error.strerror or error}") from None


def read_stream(handle: BinaryIO, source: str) -> bytes:
    """All bytes of a stream up to MAX_ROSTER_BYTES (a device like /dev/zero never ends)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := handle.read(1 << 20):
        size += len(chunk)
        if size > MAX_ROSTER_BYTES:
            raise RosterError(
                f"{source}: larger than {MAX_ROSTER_BYTES:,} bytes; split the roster"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def decode(raw: bytes, source: str) -> tuple[str, str, list[str]]:
    """The text of a roster, the encoding it was read with, and any warning about it."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as error:
            raise RosterError(
                f"{source}: starts as UTF-16 but byte {error.start + 1} is not UTF-16"
            ) from None
    try:
        encoding = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"
        return raw.decode("utf-8-sig"), encoding, []
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        bad = raw[error.start]
    body = raw.removeprefix(codecs.BOM_UTF8)
    warning = (
        f"{source} is not valid UTF-8 (byte 0x{bad:02X} on line {line}); read it as "
        f"Windows-1252, the encoding Excel uses for CSV files"
    )
    return body.decode("cp1252", errors="_vet_cp1252"), "cp1252", [warning]


def _cp1252_gaps(error: UnicodeError) -> tuple[str, int]:
    # Five bytes have no character in Windows-1252; Windows itself reads them as
    # the C1 control of the same number, and so do we, rather than fail the file.
    assert isinstance(error, UnicodeDecodeError)
    return bytes(error.object[error.start : error.end]).decode("latin-1"), error.end


codecs.register_error("_vet_cp1252", _cp1252_gaps)


def _first_record_counts(text: str) -> Counter[str]:
    """How often each delimiter occurs in the first record, outside quotes."""
    counts: Counter[str] = Counter()
    quoted = False
    for char in text[:_SNIFF_CHARACTERS]:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in "\r\n":
            break
        elif char in DELIMITERS:
            counts[char] += 1
    return counts


def _consistency(text: str, delimiter: str) -> int:
    """How many of the first lines split into as many cells as the header does."""
    lines = [line for line in text.splitlines()[: _SNIFF_LINES + 1] if line.strip()]
    if not lines:
        return 0
    with _no_field_limit():
        records = list(csv.reader(lines, delimiter=delimiter))
    width = len(records[0])
    return sum(len(record) == width for record in records[1:])


def sniff(text: str) -> str:
    """The delimiter of a roster: comma, semicolon or tab."""
    text = _LEADING_BLANK.sub("", text, count=1)
    counts = _first_record_counts(text)
    best = max(counts.values(), default=0)
    if best == 0:
        # One column: pick the delimiter that occurs least below, so that a
        # name written "Reyes, Iván" stays one cell.
        below = text.split("\n", 1)[1] if "\n" in text else ""
        return min(DELIMITERS, key=lambda d: (below.count(d), DELIMITERS.index(d)))
    tied = [delimiter for delimiter in DELIMITERS if counts[delimiter] == best]
    if len(tied) == 1:
        return tied[0]
    return max(tied, key=lambda d: (_consistency(text, d), -DELIMITERS.index(d)))


@contextlib.contextmanager
def _no_field_limit() -> Iterator[None]:
    previous = csv.field_size_limit(_NO_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _records(text: str, delimiter: str, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = first_line - 1
    with _no_field_limit():
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise RosterError(
                    f"line {first_line + reader.line_num}: not readable as CSV: {error}"
                ) from None
            start, previous = previous + 1, first_line - 1 + reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            yield start, cells


def read_roster(
    raw: bytes,
    source: str,
    columns: Mapping[str, tuple[str, ...]] | None = None,
    sheet: str | None = None,
) -> Roster:
    """Read a roster's bytes (CSV, or an .xlsx workbook's first sheet or `sheet`) into
    rows; RosterError when there is nothing to vet."""
    if is_workbook(raw):
        try:
            records = [(line, cells) for line, cells in read_workbook(raw, sheet)
                       if any(cell.strip() for cell in cells)]
        except WorkbookError as error:
            raise RosterError(f"{source}: {error}") from None
        encoding, delimiter, warnings = "xlsx", "", []
    elif sheet is not None:
        raise RosterError(f"{source}: --sheet names a sheet of a workbook, and this is CSV")
    else:
        encoding, delimiter, warnings, records = _csv_records(raw, source)
    first = next((n for n, (_, cells) in enumerate(records) if any(map(str.strip, cells))), None)
    if first is None:
        raise RosterError(
            f"{source}: is empty; expected a header line naming a name or unit column, "
            f"then one row per nominee"
        )
    _, header = records[first]
    body = records[first + 1 :]
    headers = _widen(list(header), body)
    resolved = resolve_columns(headers, columns or {}, source)
    rows = tuple(
        _row(number, line, cells, headers, resolved, len(header))
        for number, (line, cells) in enumerate(body, start=1)
    )
    return Roster(source, encoding, delimiter, tuple(headers), resolved, rows, tuple(warnings))


_Records = list[tuple[int, list[str]]]  # each record with the line it starts on


def _csv_records(raw: bytes, source: str) -> tuple[str, str, list[str], _Records]:
    """A CSV roster's encoding, delimiter, warnings and records."""
    text, encoding, warnings = decode(raw, source)
    first_line = 1
    hint = _SEP_HINT.match(text)
    if hint and hint.group(1) in DELIMITERS:
        delimiter = hint.group(1)
        text = text[hint.end() :]
        first_line = 2
    else:
        delimiter = sniff(text)
    try:
        records = list(_records(text, delimiter, first_line))
    except RosterError as error:
        raise RosterError(f"{source}: {error}") from None
    return encoding, delimiter, warnings, records


def _widen(headers: list[str], body: list[tuple[int, list[str]]]) -> list[str]:
    """The headers, with `column_N` for cells beyond them that some row fills."""
    width = len(headers)
    for _, cells in body:
        filled = len(cells)
        while filled > width and not cells[filled - 1].strip():
            filled -= 1
        width = max(width, filled)
    return headers + [f"column_{number}" for number in range(len(headers) + 1, width + 1)]


def resolve_columns(
    headers: Sequence[str], chosen: Mapping[str, tuple[str, ...]], source: str
) -> dict[str, tuple[int, ...]]:
    """Which columns hold which field; RosterError when there is no name or unit column."""
    words = vocabulary()
    folded = [fold_header(header) for header in headers]
    resolved: dict[str, tuple[int, ...]] = {}
    for name, wanted in chosen.items():
        resolved[name] = tuple(_find_header(headers, folded, header, source) for header in wanted)
    taken = {index for indexes in resolved.values() for index in indexes}

    def hits(words_of_field: frozenset[str]) -> list[int]:
        return [
            index for index, key in enumerate(folded)
            if key in words_of_field and index not in taken
        ]

    def one(name: str, found: list[int]) -> tuple[int, ...]:
        if len(found) > 1:
            both = " and ".join(repr(headers[index]) for index in found)
            raise RosterError(
                f"{source}: columns {both} could each be the {name.replace('_', ' ')}; "
                f"say which with --columns {name}=HEADER"
            )
        return tuple(found)

    if "name" not in chosen:
        parts = [hits(part) for part in words.name_parts]
        whole = hits(words.aliases["name"])
        if any(parts[1:]):
            # A surname column: the name is split, unless a whole-name column
            # that is not itself a part ("Nombre completo") is also there.
            all_parts = frozenset().union(*words.name_parts)
            full = [index for index in whole if folded[index] not in all_parts]
            if full:
                resolved["name"] = one("name", full)
            else:
                resolved["name"] = tuple(
                    index for part in parts for index in one("name", part)
                )
        else:
            resolved["name"] = one("name", whole)
        taken.update(resolved["name"])
    for name in FIELDS[1:]:
        if name not in chosen:
            resolved[name] = one(name, hits(words.aliases[name]))
            taken.update(resolved[name])
    resolved = {name: indexes for name, indexes in resolved.items() if indexes}
    if "name" not in resolved and "unit" not in resolved:
        found = ", ".join(clip(header, 40) for header in headers[:30]) or "none"
        if len(headers) > 30:
            found += f", … ({len(headers)} in all)"
        raise RosterError(
            f"{source}: no name or unit column. Columns found: {found}. Expected a "
            f"column headed {_expected('name')} (the person) or {_expected('unit')} "
            f"(the unit), or say which with --columns name=HEADER,unit=HEADER"
        )
    return resolved


def _expected(name: str) -> str:
    # The table lists the commonest English and Spanish headers first.
    return " or ".join(repr(word) for word in vocabulary().written[name][:2])


def _find_header(headers: Sequence[str], folded: Sequence[str], wanted: str, source: str) -> int:
    if wanted in headers:
        return headers.index(wanted)
    key = fold_header(wanted)
    if key and key in folded:
        return folded.index(key)
    found = ", ".join(clip(header, 40) for header in headers[:30])
    raise RosterError(
        f"{source}: --columns names {clip(wanted)}, which is not a column; columns found: "
        f"{found}"
    )


def _unique_keys(headers: Sequence[str]) -> tuple[str, ...]:
    keys: list[str] = []
    seen: set[str] = set()
    for number, header in enumerate(headers, start=1):
        key = header.strip() or f"column_{number}"
        candidate, suffix = key, 2
        while candidate in seen:
            candidate, suffix = f"{key}_{suffix}", suffix + 1
        seen.add(candidate)
        keys.append(candidate)
    return tuple(keys)


@lru_cache(maxsize=1 << 16)  # the same cells come again and again in a roster
def _blank(value: str) -> bool:
    # "N/A", "-", "—": a placeholder, not a value. A name in another script
    # ("Коваленко") folds to no header letters, and is a value all the same.
    key = fold_header(value)
    if not key:
        return not any(char.isalnum() for char in value)
    return key in vocabulary().blank_values


def _row(
    number: int,
    line: int,
    written: list[str],
    headers: Sequence[str],
    columns: Mapping[str, tuple[int, ...]],
    header_width: int,
) -> RosterRow:
    cells = tuple(written[: len(headers)]) + ("",) * (len(headers) - len(written))
    errors: list[RowError] = []
    longest = max(cells, key=len, default="")
    if len(longest) > CELL_LIMIT:
        where = headers[cells.index(longest)] or f"column {cells.index(longest) + 1}"
        errors.append(RowError(
            Code.ROW_CELL_TOO_LONG,
            f"the {clip(where, 40)} cell holds {len(longest):,} characters (the limit is "
            f"{CELL_LIMIT:,}); an unbalanced quote may have swallowed the lines after it",
        ))
        return RosterRow(number, line, cells, errors=tuple(errors))
    if any(cell.strip() for cell in written[header_width:]):
        errors.append(RowError(
            Code.ROW_EXTRA_CELLS,
            f"{len(written)} cells for {header_width} columns: a value holds an unquoted "
            f"delimiter, so the cells after it moved; quote that value",
        ))
    values: dict[str, str | None] = {}
    for name in FIELDS:
        parts = [cells[index].strip() for index in columns.get(name, ())]
        joined = " ".join(part for part in parts if not _blank(part))
        values[name] = joined or None
        if name != "unit":
            errors.extend(_field_errors(name, joined))
    units = split_unit(values["unit"]) if values["unit"] else ()
    units = tuple(unit for unit in units if not _blank(unit))
    if not units:
        values["unit"] = None  # "N/A / -": placeholders only
    errors.extend(_unit_errors(units))
    if values["name"] is None and values["unit"] is None:
        errors.append(RowError(Code.ROW_NO_SUBJECT, "neither a name nor a unit to vet"))
    birth_date: PartialDate | None = None
    if values["birth_date"] is not None and len(values["birth_date"]) <= FIELD_LIMIT:
        try:
            birth_date = PartialDate.parse(values["birth_date"])
            if birth_date.first > date.today():
                raise ValueError("a birth date in the future")
        except ValueError as error:
            birth_date = None
            errors.append(RowError(
                Code.ROW_BAD_DATE,
                f"birth date {clip(values['birth_date'], 40)}: {error}",
            ))
    country, problem = _country(values["country"])
    if problem:
        errors.append(RowError(Code.ROW_BAD_COUNTRY, f"country {clip(values['country'], 40)}: "
                                                     f"{problem}"))
    return RosterRow(
        number, line, cells, values["name"], values["unit"], birth_date, country, tuple(errors),
        units,
    )


def _country(written: str | None) -> tuple[str | None, str | None]:
    """A country cell's ISO 3166-1 alpha-2 code, and why there is none.

    A code (`MX`, `mex`) or a country's name in English or another language
    (`Mexico`, `Gambia, The`, `Korea - South`, `Burma`), as reports write them.
    """
    if not written or len(written) > FIELD_LIMIT:
        return None, None  # too long: reported with the other fields
    if len(written) == 2:
        code = written.upper()
        return code, country_problem(code)
    code = country_code(written)
    if code is None:
        return None, ("neither an ISO 3166-1 code nor the name of one country today "
                      "(such as MX, MEX or Mexico)")
    return code, None


def _unit_errors(units: tuple[str, ...]) -> Iterator[RowError]:
    """A unit cell's parts: not too many; line breaks separate them, other controls do not.

    A part too long to be one unit name is no error: it is answered REVIEW (VET511).
    """
    if len(units) > MAX_PARTS:
        yield RowError(
            Code.ROW_TOO_MANY_PARTS,
            f"the unit cell lists more than {MAX_PARTS} units; split the row, one unit or a "
            "few per row",
        )
        return
    for unit in units:
        if _CONTROL.search(unit):
            yield RowError(
                Code.ROW_CONTROL_CHARACTER,
                f"the unit {clip(unit, 40)} holds a control character; an unbalanced quote "
                "may have joined lines",
            )
            return


# Unicode's control characters (category Cc), searched in C rather than a character
# at a time: every cell of a roster is checked.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _field_errors(name: str, value: str) -> Iterator[RowError]:
    label = name.replace("_", " ")
    if len(value) > FIELD_LIMIT:
        yield RowError(
            Code.ROW_CELL_TOO_LONG,
            f"the {label} is {len(value):,} characters long (the limit is {FIELD_LIMIT})",
        )
    elif _CONTROL.search(value):
        yield RowError(
            Code.ROW_CONTROL_CHARACTER,
            f"the {label} {clip(value, 40)} holds a line break or control character; "
            f"an unbalanced quote may have joined lines",
        )


# --- vetting ---------------------------------------------------------------------------

ERROR = "ERROR"
# Verdicts in the order summaries list them, best to worst, then rows not vetted.
VERDICTS = (*(str(verdict) for verdict in Verdict), ERROR)
# Queries are vetted in chunks so that a progress bar can move and worker processes
# can share the work; a query that repeats in the roster is still vetted once.
CHUNK = 500
# Fewer distinct queries than this are vetted in this process: starting workers
# would cost more than it saves.
PARALLEL_OVER = 2_000


@dataclass(frozen=True, slots=True)
class Recheck:
    """A row against the earlier run's result for it (`vet batch --previous`, revet.py)."""

    verdict: str  # the earlier verdict, or ERROR
    as_of: date | None
    valid_until: date | None
    changed: bool  # the verdict differs now
    expired: bool  # valid_until is before this run's as-of day

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "changed": self.changed,
            "expired": self.expired,
        }


@dataclass(frozen=True, slots=True)
class RowResult:
    """One roster row and its answer; no answer when the row cannot be vetted.

    `answer` is the deciding part's (the worst) when the unit cell names several
    units; `parts` holds every part's answer then, and is empty otherwise.
    """

    row: RosterRow
    input: Mapping[str, str]
    answer: Answer | None
    parts: tuple[PartAnswer, ...] = ()
    recheck: Recheck | None = None  # with --previous only

    @property
    def verdict(self) -> str:
        return str(self.answer.verdict) if self.answer is not None else ERROR

    @property
    def part_count(self) -> int:
        return len(self.parts) or len(self.row.parts) or int(self.answer is not None)

    @property
    def deciding_part(self) -> PartAnswer | None:
        return deciding(self.parts) if self.parts else None

    def head(self) -> dict[str, Any]:
        """The row's own keys: where it is, what it held, how many parts its unit cell
        has, and `previous` when re-vetting."""
        decided = self.deciding_part
        head: dict[str, Any] = {
            "row": self.row.row, "line": self.row.line, "input": dict(self.input),
            "part_count": self.part_count,
            "deciding_part": decided.number if decided else (1 if self.answer else None),
        }
        if self.recheck is not None:
            head["previous"] = self.recheck.to_dict()
        return head

    def to_dict(self, batch: Batch) -> dict[str, Any]:
        """`{"row", "line", "input", ...}` and every key of `vet unit --format json`.

        A unit cell of several parts adds `parts`: each part's text, verdict,
        matches, reasons and sources; the row's own keys are the deciding part's.
        """
        head = self.head()
        if self.answer is not None:
            found = head | self.answer.to_dict()
            if self.parts:
                found["query"] = query_of(self.row, strict=False).to_dict()  # type: ignore[union-attr]
                found["verdict"] = self.verdict
                found["parts"] = [_part_dict(part) for part in self.parts]
            return found
        query = query_of(self.row, strict=False)
        return head | {
            "query": query.to_dict() if query is not None else None,
            "as_of": batch.as_of.isoformat(),
            "law": str(batch.law),
            "verdict": ERROR,
            "matches": [],
            "more_matches": 0,
            "reasons": [
                {
                    "rule": error.code.slug, "code": error.code.code, "verdict": ERROR,
                    "entity": None, "allegation": None, "text": error.message, "sources": [],
                }
                for error in self.row.errors
            ],
            "sources": [],
            "valid_until": None,
            "duty_to_inform": False,
            "registry": batch.registry_dict(),
        }


_PART_KEYS = ("verdict", "matches", "reasons", "sources")


def _part_dict(part: PartAnswer) -> dict[str, Any]:
    answer = part.answer.to_dict()
    return {"part": part.number, "text": part.text} | {key: answer[key] for key in _PART_KEYS}


@dataclass(frozen=True)
class Batch:
    """A vetted roster: one result per row, in roster order."""

    roster: Roster
    results: tuple[RowResult, ...]
    as_of: date
    law: Law
    registry: RegistryInfo
    previous: str | None = None  # the earlier results file, when re-vetting

    @property
    def rechecked(self) -> dict[str, int]:
        """Rows whose verdict changed, and earlier results expired, since `previous`."""
        checks = [result.recheck for result in self.results if result.recheck is not None]
        return {"changed": sum(check.changed for check in checks),
                "expired": sum(check.expired for check in checks)}

    @property
    def counts(self) -> dict[str, int]:
        """Rows per verdict, every verdict listed (ELIGIBLE ... INELIGIBLE, ERROR)."""
        found = Counter(result.verdict for result in self.results)
        return {verdict: found[verdict] for verdict in VERDICTS}

    def registry_dict(self) -> dict[str, Any]:
        return {
            "digest": self.registry.digest, "units": self.registry.units,
            "people": self.registry.people, "allegations": self.registry.allegations,
        }

    def summary(self) -> dict[str, Any]:
        roster = self.roster
        return {
            "roster": roster.source,
            "rows": len(self.results),
            "verdicts": self.counts,
            "as_of": self.as_of.isoformat(),
            "law": str(self.law),
            "registry": self.registry_dict(),
            "encoding": roster.encoding,
            "delimiter": DELIMITER_NAMES[roster.delimiter],
            "columns": {
                name: [roster.headers[index] for index in indexes]
                for name, indexes in roster.columns.items()
            },
            "warnings": list(roster.warnings),
        } | ({"previous": {"source": self.previous, **self.rechecked}}
             if self.previous is not None else {})


def query_of(row: RosterRow, *, strict: bool = True) -> Query | None:
    """What a row asks: a person (of a unit, when both are given), else a unit.

    None when the row has errors (unless `strict` is off, for showing what it held).
    """
    if strict and row.errors:
        return None
    if row.name is not None:
        return Query("person", row.name, row.unit, row.birth_date, row.country)
    if row.unit is not None:
        return Query("unit", row.unit, country=row.country)
    return None


def distinct_queries(roster: Roster) -> int:
    """How many distinct queries the roster's rows ask (a query per unit piece)."""
    return len({query for row in roster.rows for step in plan_of(row) for query in step.pieces})


def in_workers(distinct: int, jobs: int) -> bool:
    """Whether `distinct` queries are vetted by `jobs` worker processes (else here)."""
    return jobs > 1 and distinct > PARALLEL_OVER and "fork" in get_all_start_methods()


def vet_roster(
    roster: Roster,
    registry: Registry,
    matcher: Matcher,
    *,
    as_of: date,
    law: Law,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    after_fork: Callable[[], None] | None = None,
    max_candidates: int = MAX_CANDIDATES,
) -> Batch:
    """Vet every row of a roster; `progress(n)` is told as each n more rows are done.

    Each distinct query is vetted once, through the bulk matcher, and its answer
    shared by every row that asks it. With `jobs` above 1 and many distinct
    queries, that many worker processes share the chunks of queries; they are
    forked, so they inherit the registry and the matcher, and each calls
    `after_fork` first (the compiled cache opens its own connection there).
    The answers are the same whatever `jobs` is.
    """
    plans = [plan_of(row) for row in roster.rows]
    distinct = list(dict.fromkeys(
        query for steps in plans for step in steps for query in step.pieces
    ))
    answers: dict[Query, Answer] = {}
    chunks = [distinct[start : start + CHUNK] for start in range(0, len(distinct), CHUNK)]
    # A row is done once the last chunk holding one of its queries is: counted there.
    chunk_of = {query: number // CHUNK for number, query in enumerate(distinct)}
    done_in = Counter(
        max((chunk_of[query] for step in steps for query in step.pieces), default=-1)
        for steps in plans
    )
    if progress is not None and done_in[-1]:
        progress(done_in[-1])
    work = _Work(registry, matcher, as_of, law, max_candidates)
    if in_workers(len(distinct), jobs):
        found = map(_Adopted(registry).answers, work.in_workers(chunks, jobs, after_fork))
    else:
        found = map(work.vet, chunks)
    for number, (chunk, chunk_answers) in enumerate(zip(chunks, found, strict=True)):
        answers.update(zip(chunk, chunk_answers, strict=True))
        if progress is not None:
            progress(done_in[number])
    results = tuple(
        _result(row, roster.input_of(row), steps, answers, registry, as_of, law)
        for row, steps in zip(roster.rows, plans, strict=True)
    )
    return Batch(roster, results, as_of, law, RegistryInfo.of(registry))


def plan_of(row: RosterRow) -> tuple[Plan, ...]:
    """What a row asks, part by part; nothing when it has errors."""
    query = query_of(row)
    if query is None:
        return ()
    return plan(query.kind, row.name, row.parts, row.birth_date, row.country)


def _result(
    row: RosterRow,
    shown: Mapping[str, str],
    steps: tuple[Plan, ...],
    answers: Mapping[Query, Answer],
    registry: Registry,
    as_of: date,
    law: Law,
) -> RowResult:
    if not steps:
        return RowResult(row, shown, None)
    parts = tuple(
        PartAnswer(number, step.text, answer_part(
            step, [answers[query] for query in step.pieces], registry, as_of, law,
        ))
        for number, step in enumerate(steps, start=1)
    )
    if len(parts) == 1:
        return RowResult(row, shown, parts[0].answer)
    return RowResult(row, shown, deciding(parts).answer, parts)


class _Work:
    """Chunks of queries to vet against one registry, here or in worker processes."""

    def __init__(self, registry: Registry, matcher: Matcher, as_of: date, law: Law,
                 max_candidates: int) -> None:
        self.registry, self.matcher, self.as_of, self.law = registry, matcher, as_of, law
        self.max_candidates = max_candidates
        self.engine: Engine | None = None

    def vet(self, chunk: list[Query]) -> list[Answer]:
        if self.engine is None:  # one per process: it remembers verdicts it worked out
            self.engine = Engine(self.registry, as_of=self.as_of, law=self.law)
        return vet_queries(self.registry, self.matcher, chunk, as_of=self.as_of,
                           law=self.law, engine=self.engine,
                           max_candidates=self.max_candidates)

    def in_workers(
        self, chunks: list[list[Query]], jobs: int, after_fork: Callable[[], None] | None
    ) -> Iterator[list[Answer]]:
        """Each chunk's answers, in order, from `jobs` forked worker processes."""
        global _WORK
        _WORK = self  # what the workers inherit when they are forked
        # The registry and matcher read before the fork are the workers' too, page for
        # page, as long as nobody writes to them: the collector must not walk them.
        gc.freeze()
        try:
            with get_context("fork").Pool(
                min(jobs, len(chunks)), initializer=_start_worker, initargs=(after_fork,),
            ) as pool:
                yield from pool.imap(_vet_in_worker, chunks)
        finally:
            _WORK = None
            gc.unfreeze()


_WORK: _Work | None = None


class _Adopted:
    """Answers from workers made to share what answers made here share.

    Unpickled, each chunk's answers bring their own copies of the reasons of the
    entities they matched and of the sources they cite, where answers made in
    one process share them: a batch of 100,000 rows held half a gigabyte more.
    """

    def __init__(self, registry: Registry) -> None:
        self._sources = registry.sources
        self._reasons: dict[Any, Any] = {}

    def answers(self, chunk: list[Answer]) -> list[Answer]:
        return [replace(
            answer,
            reasons=tuple(self._reasons.setdefault(reason, reason) for reason in answer.reasons),
            sources=tuple(self._sources.get(source.id, source) for source in answer.sources),
        ) for answer in chunk]


def _start_worker(after_fork: Callable[[], None] | None) -> None:
    # Ctrl-C is the parent's to handle: it stops the workers, which leave quietly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if after_fork is not None:
        after_fork()


def _vet_in_worker(chunk: list[Query]) -> list[Answer]:
    assert _WORK is not None, "set before the workers were forked"
    return _WORK.vet(chunk)


# --- writing ---------------------------------------------------------------------------


def output_problem(
    out: Path, source: Path | None, stdin_fd: int | None = None,
    inputs: Iterable[tuple[str, Path]] = (),
) -> str | None:
    """Why the results may not be written to `out`, or None when they may.

    The results replace `out` by a rename, so `out` must be a regular file (or
    not exist yet): renaming over a device or a pipe would replace it, and the
    roster itself, read from a path or from standard input, is never overwritten;
    nor is any other file the run reads (`inputs`: what it is, and its path),
    such as the earlier results or the registry's files.
    """
    try:
        target = out.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"--out {out}: {error.strerror or error}"
    if stat.S_ISDIR(target.st_mode):
        return f"--out {out} is a folder; name a file in it"
    if not stat.S_ISREG(target.st_mode):
        return (f"--out {out} is not a regular file (a device, pipe or socket); leave out "
                "--out and redirect standard output instead")
    if source is not None and same_file(source, out):
        return f"--out {out} is the roster itself; write the results to another file"
    for what, path in inputs:
        if same_file(path, out):
            return f"--out {out} is {what}, which this run reads; write the results elsewhere"
    if stdin_fd is not None:
        with contextlib.suppress(OSError):
            given = os.fstat(stdin_fd)
            if (given.st_dev, given.st_ino) == (target.st_dev, target.st_ino):
                return (f"--out {out} is the roster read from standard input; write the "
                        "results to another file")
    return None


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file (through links and `..` too)."""
    try:
        return first.exists() and second.exists() and os.path.samefile(first, second)
    except OSError:
        return first.resolve() == second.resolve()


@contextlib.contextmanager
def atomic_output(path: Path, *, binary: bool = False) -> Iterator[Any]:
    """A text (or `binary`) stream that becomes `path` only once everything is written.

    The text goes to a temporary file in the same folder, renamed over `path`
    (atomically) when the block ends without error. On any error or interrupt
    the temporary file is removed and whatever was at `path` is untouched.
    Raises OSError when the folder cannot take the file.
    """
    if path.is_dir():
        raise IsADirectoryError(21, "is a folder", str(path))
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with (open(descriptor, "wb") if binary
              else open(descriptor, "w", encoding="utf-8", newline="")) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_for(path: Path) -> int:
    # mkstemp makes the file private; the result should get the permissions of
    # the file it replaces, or those a new file would get.
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
