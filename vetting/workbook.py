"""Rosters that arrive as Excel workbooks (.xlsx), read with openpyxl.

openpyxl is pure Python (no compiler), maintained, and both reads and writes
the format. A workbook is read in read-only mode, values only (a formula gives
the value Excel saved with it, never runs): the first sheet, or the one named.
Each row becomes the same list of cells a CSV line gives, so the header rules,
row errors and caps are those of CSV rosters.

Merged cells (a unit cell merged down the rows of the nominees who serve in
it) are read as Excel shows them: every row of the range holds the value of
its first cell.

A workbook is a zip file, so it is opened with care: its entries must not
unpack to more than MAX_UNPACKED bytes (a zip bomb), a sheet may not hold more
than MAX_CELLS cells, and a corrupt, encrypted (password-protected) or legacy
.xls file is refused with a message, never a traceback.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

MAX_UNPACKED = 256 << 20  # what a workbook may unpack to: its XML is read into memory
MAX_CELLS = 3_000_000  # cells read from a sheet (empty ones padded in): 300,000 rows of 10
MAX_MERGED = 100_000  # merged ranges a sheet may hold; more are not a roster's
_MERGED = re.compile(
    rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"'
)
XLSX_MAGIC = b"PK\x03\x04"
# A password-protected .xlsx is an OLE2 container, as a legacy .xls is.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"


class WorkbookError(Exception):
    """The workbook cannot be read as a roster."""


def is_workbook(raw: bytes) -> bool:
    return raw.startswith((XLSX_MAGIC, OLE2_MAGIC))


def read_workbook(raw: bytes, sheet: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """Each row of a sheet with the 1-based row number it is on, as text cells."""
    if raw.startswith(OLE2_MAGIC):
        raise WorkbookError(
            "this is a password-protected workbook or an Excel 97-2003 .xls file, which vet "
            "cannot read; in Excel remove the password (File > Info > Protect Workbook) and "
            "save as .xlsx or CSV UTF-8"
        )
    _check_zip(raw)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise WorkbookError(f"not a readable .xlsx workbook ({_why(error)})") from None
    try:
        names = workbook.sheetnames
        if sheet is not None and sheet not in names:
            listed = ", ".join(repr(name) for name in names[:20])
            raise WorkbookError(f"no sheet named {sheet!r}; its sheets: {listed}")
        if not names:
            raise WorkbookError("the workbook has no sheet")
        chosen = workbook[sheet if sheet is not None else names[0]]
        if not hasattr(chosen, "iter_rows"):
            raise WorkbookError(f"sheet {chosen.title!r} is a chart, not a table")
        # The stated size may be wrong or hostile: read the cells that are there.
        chosen.reset_dimensions()
        merged = _merged_ranges(raw, getattr(chosen, "_worksheet_path", None))
        firsts: dict[tuple[int, int], str] = {}  # the first cell's value of each range
        cells = 0
        try:
            for number, row in enumerate(chosen.iter_rows(values_only=True), start=1):
                cells += len(row)
                if cells > MAX_CELLS:
                    raise WorkbookError(
                        f"the sheet holds more than {MAX_CELLS:,} cells; split the roster"
                    )
                texts = [_text(value) for value in row]
                width = len(texts)
                for top, left, bottom, right in merged:
                    if top == number and left <= len(texts):
                        firsts[top, left] = texts[left - 1]
                    elif top < number <= bottom and (top, left) in firsts:
                        texts += [""] * (right - len(texts))  # a row's empty end is left out
                        for column in range(left, right + 1):
                            texts[column - 1] = firsts[top, left]
                cells += len(texts) - width  # a merge as wide as a sheet counts as its cells
                if cells > MAX_CELLS:
                    raise WorkbookError(
                        f"the sheet holds more than {MAX_CELLS:,} cells; split the roster"
                    )
                yield number, texts
        except WorkbookError:
            raise
        except Exception as error:
            raise WorkbookError(f"not a readable .xlsx workbook ({_why(error)})") from None
    finally:
        workbook.close()


def _merged_ranges(raw: bytes, path: str | None) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a sheet (1-based top, left, bottom, right), from its XML:
    openpyxl's read-only mode, which keeps memory flat, does not read them."""
    if path is None:
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            xml = archive.read(path)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError):
        return []
    ranges = []
    for found in _MERGED.finditer(xml):
        if len(ranges) >= MAX_MERGED:
            raise WorkbookError(f"the sheet holds more than {MAX_MERGED:,} merged ranges")
        first, top, last, bottom = found.groups()
        ranges.append((int(top), _column(first), int(bottom), _column(last)))
    return ranges


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _check_zip(raw: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise WorkbookError(f"not a readable .xlsx workbook ({_why(error)})") from None
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED:
        raise WorkbookError(
            f"the workbook would unpack to {unpacked:,} bytes (the limit is "
            f"{MAX_UNPACKED:,}): a zip bomb, or a roster to split"
        )
    if not any(entry.filename == "[Content_Types].xml" for entry in entries):
        raise WorkbookError("a zip file, but not an .xlsx workbook (no [Content_Types].xml)")


def _why(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text[:120]}" if text else type(error).__name__


def _text(value: Any) -> str:
    """A cell's value as a CSV export would write it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
