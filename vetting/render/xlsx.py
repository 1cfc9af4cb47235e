"""XLSX output of `vet batch` and `vet prohibited`: the CSV's columns in a workbook.

Sheet "Results" holds one row per roster row (the roster's columns as they
came, then the columns of the CSV output), with the header frozen, filters on,
and the verdict cell coloured; sheet "Sources" lists every source cited, with
the rows that cite it. Cells are neutralised as in CSV (a cell starting with
`=`, `+`, `-`, `@` gets a leading `'`), so none runs as a formula, and
characters XML cannot hold are replaced by U+FFFD. The file is the same, byte
for byte, for the same results: entries carry a fixed date, and the
workbook's own dates are the as-of date.

Binary: the CLI writes it only to a file (`--out`), never to a terminal.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, time
from typing import BinaryIO

from vetting.prohibited import Prohibited
from vetting.render import renderer
from vetting.render.csv import (
    PROHIBITED_COLUMNS,
    RESULT_COLUMNS,
    neutralise,
    prohibited_cells,
    result_cells,
)
from vetting.roster import Batch

# Fills a reader knows at a glance: green passes, amber waits, red is barred.
VERDICT_FILLS = {
    "ELIGIBLE": "C6EFCE", "REVIEW": "FFEB9C", "SUSPENDED": "F8CBAD", "INELIGIBLE": "FFC7CE",
    "ERROR": "D9D9D9",
}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry


def _cell(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(value))


@renderer("batch", "xlsx")
def batch_xlsx(batch: Batch, stream: BinaryIO) -> None:  # type: ignore[misc]
    """Sheets "Results" (one row per roster row) and "Sources"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Results"
    headers = [*batch.roster.headers, *RESULT_COLUMNS]
    sheet.append([_cell(header) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    verdict_column = len(batch.roster.headers) + 1
    cited: dict[str, tuple[list[str], list[int]]] = {}
    for result in batch.results:
        sheet.append([_cell(value) for value in (*result.row.cells, *result_cells(result))])
        sheet.cell(sheet.max_row, verdict_column).fill = PatternFill(
            "solid", fgColor=VERDICT_FILLS[result.verdict]
        )
        answers = [part.answer for part in result.parts] or (
            [result.answer] if result.answer is not None else []
        )
        for answer in answers:
            for source in answer.sources:
                shown = [source.id, source.title, source.publisher or "",
                         str(source.published) if source.published else "", source.url or ""]
                rows = cited.setdefault(source.id, (shown, []))[1]
                if result.row.row not in rows:
                    rows.append(result.row.row)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _widths(sheet, headers)
    sources = workbook.create_sheet("Sources")
    sources.append(["id", "title", "publisher", "published", "url", "rows"])
    for cell in sources[1]:
        cell.font = Font(bold=True)
    for shown, rows in cited.values():
        sources.append([*(_cell(value) for value in shown), ", ".join(map(str, rows))])
    sources.freeze_panes = "A2"
    _widths(sources, ["id", "title", "publisher", "published", "url", "rows"])
    stamp = datetime.combine(batch.as_of, time())
    workbook.properties.created = stamp
    stream.write(_fixed_dates(workbook, stamp))


@renderer("prohibited", "xlsx")
def prohibited_xlsx(listing: Prohibited, stream: BinaryIO) -> None:  # type: ignore[misc]
    """Sheet "Prohibited units": the CSV's rows, the verdict coloured, header frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Prohibited units"
    sheet.append(list(PROHIBITED_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    verdict_column = PROHIBITED_COLUMNS.index("verdict") + 1
    for entry in listing.units:
        sheet.append([_cell(value) for value in prohibited_cells(entry)])
        sheet.cell(sheet.max_row, verdict_column).fill = PatternFill(
            "solid", fgColor=VERDICT_FILLS[str(entry.verdict)]
        )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _widths(sheet, list(PROHIBITED_COLUMNS))
    stamp = datetime.combine(listing.as_of, time())
    workbook.properties.created = stamp
    stream.write(_fixed_dates(workbook, stamp))


def _widths(sheet: object, headers: list[str]) -> None:
    from openpyxl.utils import get_column_letter

    for number, header in enumerate(headers, start=1):
        wide = 40 if header in (
            "reasons", "sources", "title", "url", "deciding_part", "unit", "allegations",
        ) else 18
        sheet.column_dimensions[get_column_letter(number)].width = wide  # type: ignore[attr-defined]


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_dates(workbook: object, stamp: datetime) -> bytes:
    """The workbook's bytes with every date fixed, so equal results are equal files
    (openpyxl dates each zip entry, and the workbook's last change, when it writes)."""
    written = io.BytesIO()
    workbook.save(written)  # type: ignore[attr-defined]
    fixed = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(
        fixed, "w", zipfile.ZIP_DEFLATED
    ) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                shown = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = _MODIFIED.sub(rb"\g<1>" + shown + rb"\g<2>", data)
            target.writestr(info, data)
    return fixed.getvalue()
