"""Re-vetting a roster: this run's verdicts against an earlier run's results for the same rows.

Vetting results expire (`valid_until`, a year after the day they were given),
and a registry edit can change a verdict given before it. `vet batch ROSTER
--previous RESULTS.jsonl` reads the earlier run's JSON Lines (or its `--format
json` document), checks that it belongs to this roster (the same rows, with the
same cells, in the same order), and marks each row whose verdict changed and
each earlier result whose `valid_until` has passed.

The earlier file is outside input, so it is read defensively: a size limit, one
JSON value per line, nesting that cannot crash the parser, and every key a
result must have checked before it is used.
"""

from __future__ import annotations

import contextlib
import json
import stat
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from vetting.codes import Code, clip
from vetting.roster import VERDICTS, Batch, Recheck, Roster

MAX_PREVIOUS_BYTES = 1 << 30  # as a roster: ten times a country-wide run's JSONL
FORMAT_VERSION = 1  # results carry no version yet; a later format will say its own


class PreviousError(Exception):
    """The earlier results cannot be used: unreadable, or not this roster's."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(f"{code.code} {message}")
        self.code = code


@dataclass(frozen=True, slots=True)
class PreviousRow:
    """One earlier result, as much of it as re-vetting needs."""

    row: int
    cells: tuple[str, ...]
    verdict: str
    as_of: date | None
    valid_until: date | None


def read_previous(path: Path) -> tuple[PreviousRow, ...]:
    """The earlier results in a file; PreviousError when it is not vet batch output."""
    try:
        if path.exists() and not path.is_dir() and not stat.S_ISREG(path.stat().st_mode):
            # A FIFO would block and a device never end: results are a file.
            raise PreviousError(Code.PREVIOUS_UNREADABLE, f"{path}: not a regular file")
        with path.open("rb") as handle:
            chunks: list[bytes] = []
            size = 0
            while size <= MAX_PREVIOUS_BYTES and (chunk := handle.read(1 << 20)):
                chunks.append(chunk)
                size += len(chunk)
            raw = b"".join(chunks)
    except FileNotFoundError:
        raise PreviousError(Code.PREVIOUS_UNREADABLE, f"{path}: no such file") from None
    except IsADirectoryError:
        raise PreviousError(Code.PREVIOUS_UNREADABLE, f"{path}: is a folder") from None
    except OSError as error:
        raise PreviousError(Code.PREVIOUS_UNREADABLE,
                            f"{path}: cannot be read: {error.strerror or error}") from None
    return parse_previous(raw, str(path))


def _unreadable(source: str, message: str) -> PreviousError:
    return PreviousError(
        Code.PREVIOUS_UNREADABLE,
        f"{source}: {message}; expected the JSON Lines of `vet batch --format jsonl`",
    )


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:  # nesting deep enough to exhaust the parser's stack
        raise ValueError("nested too deeply") from None


def parse_previous(raw: bytes, source: str) -> tuple[PreviousRow, ...]:
    """Earlier results from bytes: `--format jsonl` lines, or the `--format json` document."""
    if len(raw) > MAX_PREVIOUS_BYTES:
        raise _unreadable(source, f"larger than {MAX_PREVIOUS_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _unreadable(source, f"byte {error.start + 1} is not UTF-8") from None
    # Split on line feeds only: a JSON string may hold U+2028, which splitlines() splits on.
    lines = [(number, line) for number, line in enumerate(text.split("\n"), start=1)
             if line.strip()]
    if not lines:
        raise _unreadable(source, "is empty")
    items: list[tuple[int, Any]] = []
    for number, line in lines:
        try:
            items.append((number, _loads(line)))
        except ValueError as error:
            bad = f"line {number} is not JSON ({clip(str(error), 80)})"
            break
    else:
        return tuple(_row(item, number, source) for number, item in items)
    # Perhaps the one indented document of `--format json`.
    try:
        document = _loads(text)
    except ValueError:
        raise _unreadable(source, bad) from None
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        raise _unreadable(source, "a JSON document without `results`")
    return tuple(_row(item, index, source, "result")
                 for index, item in enumerate(results, start=1))


def _day(value: Any, key: str, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    return _bad(key, where)


def _bad(key: str, where: str) -> Any:
    raise ValueError(f"{where}: `{key}` is not what vet writes there")


def _row(item: Any, number: int, source: str, what: str = "line") -> PreviousRow:
    where = f"{what} {number}"
    if not isinstance(item, dict):
        raise _unreadable(source, f"{where} is not a JSON object")
    version = item.get("version", FORMAT_VERSION)
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise _unreadable(source, f"{where} is format version {clip(version)}, and this vet "
                          f"reads version {FORMAT_VERSION}")
    missing = [key for key in ("row", "input", "verdict") if key not in item]
    if missing:
        raise _unreadable(source, f"{where} has no `{missing[0]}`")
    row, cells, verdict = item["row"], item["input"], item["verdict"]
    try:
        if isinstance(row, bool) or not isinstance(row, int):
            _bad("row", where)
        if not isinstance(cells, dict) or not all(isinstance(v, str) for v in cells.values()):
            _bad("input", where)
        if verdict not in VERDICTS:
            _bad("verdict", where)
        as_of = _day(item.get("as_of"), "as_of", where)
        valid_until = _day(item.get("valid_until"), "valid_until", where)
    except ValueError as error:
        raise _unreadable(source, str(error)) from None
    return PreviousRow(row, tuple(cells.values()), verdict, as_of, valid_until)


def check_belongs(roster: Roster, previous: tuple[PreviousRow, ...], source: str) -> None:
    """PreviousError unless the earlier results are of these rows, cell for cell, in order."""
    def mismatch(message: str) -> PreviousError:
        return PreviousError(Code.PREVIOUS_MISMATCH, f"{source} does not belong to "
                             f"{roster.source}: {message}")

    if len(previous) != len(roster.rows):
        raise mismatch(f"it holds {len(previous)} results, the roster {len(roster.rows)} rows")
    for earlier, row in zip(previous, roster.rows, strict=True):
        if earlier.row != row.row:
            raise mismatch(f"its result {row.row} is numbered {earlier.row}")
        if earlier.cells != row.cells:
            raise mismatch(
                f"row {row.row} (line {row.line}) reads {clip(' | '.join(row.cells), 80)}, the "
                f"earlier result for it {clip(' | '.join(earlier.cells), 80)}"
            )


def recheck(batch: Batch, previous: tuple[PreviousRow, ...], source: str) -> Batch:
    """The batch with each row marked against its earlier result.

    A row is `changed` when its verdict differs from the earlier one, and
    `expired` when the earlier result's `valid_until` is before this run's as-of
    day. PreviousError (VET603) when the earlier results are of other rows.
    """
    check_belongs(batch.roster, previous, source)
    results = tuple(
        replace(result, recheck=Recheck(
            earlier.verdict, earlier.as_of, earlier.valid_until,
            changed=earlier.verdict != result.verdict,
            expired=earlier.valid_until is not None and earlier.valid_until < batch.as_of,
        ))
        for result, earlier in zip(batch.results, previous, strict=True)
    )
    return replace(batch, results=results, previous=source)
