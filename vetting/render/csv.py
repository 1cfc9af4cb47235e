"""CSV output of `vet batch`: the roster as it came, with the verdict columns after it.

Written for Excel first: UTF-8 with a byte-order mark (without one Excel reads
accents as Windows-1252), CRLF line ends, every value quoted where needed.
No cell can run as a formula: a cell starting with `=`, `+`, `-`, `@`, a tab
or a carriage return gets a leading `'` (OWASP, "CSV Injection"), in the
roster's own columns and headers too, since the roster came from outside.
"""

from __future__ import annotations

import csv
from typing import TextIO

from vetting.model import Source
from vetting.prohibited import Prohibited, ProhibitedUnit
from vetting.render import renderer
from vetting.roster import Batch, RowResult

RESULT_COLUMNS = (
    "verdict", "match_id", "match_name", "score", "reasons", "sources", "parts", "deciding_part",
)
# Several matches, reasons or sources share a cell, one after the other.
SEPARATOR = " | "
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell as written: prefixed with `'` when a spreadsheet would run it as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def source_line(source: Source) -> str:
    """`title, publisher, date, URL`, leaving out what the source lacks."""
    return ", ".join(
        part for part in (
            source.title, source.publisher,
            str(source.published) if source.published else "", source.url or "",
        ) if part
    )


def result_cells(result: RowResult) -> list[str]:
    """The values of RESULT_COLUMNS for one row.

    A unit cell of several parts gives the deciding part's matches, reasons and
    sources, the number of parts and the deciding part's text.
    """
    answer = result.answer
    if answer is None:
        reasons = [f"[{error.code.code} ERROR] {error.message}" for error in result.row.errors]
        return [result.verdict, "", "", "", SEPARATOR.join(reasons), "", "", ""]
    decided = result.deciding_part
    matched = [match.candidate for match in answer.matches if match.candidate.band == "match"]
    reasons = [
        f"[{reason.rule.code} {reason.verdict}] {reason.text}"
        + "".join(f" [{number}]" for number in cited)
        for reason, cited in zip(answer.reasons, answer.citations, strict=True)
    ]
    sources = [
        f"[{number}] {source_line(source)}"
        for number, source in enumerate(answer.sources, start=1)
    ]
    return [
        result.verdict,
        SEPARATOR.join(candidate.id for candidate in matched),
        SEPARATOR.join(candidate.name for candidate in matched),
        SEPARATOR.join(f"{candidate.score:g}" for candidate in matched),
        SEPARATOR.join(reasons),
        SEPARATOR.join(sources),
        str(result.part_count),
        decided.text if decided is not None else "",
    ]


@renderer("batch", "csv")
def batch_csv(batch: Batch, stream: TextIO) -> None:
    """The roster's columns, then RESULT_COLUMNS."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    extra = RECHECK_COLUMNS if batch.previous is not None else ()
    writer.writerow([neutralise(cell) for cell in (
        *batch.roster.headers, *RESULT_COLUMNS, *extra,
    )])
    for result in batch.results:
        writer.writerow([neutralise(cell) for cell in (
            *result.row.cells, *result_cells(result), *(recheck_cells(result) if extra else ()),
        )])


# With --previous: how each row stands against the earlier run's result for it.
RECHECK_COLUMNS = ("previous_verdict", "previous_as_of", "previous_valid_until", "recheck")


def recheck_cells(result: RowResult) -> list[str]:
    check = result.recheck
    if check is None:
        return ["", "", "", ""]
    marks = [word for word, flag in (("changed", check.changed), ("expired", check.expired))
             if flag]
    return [
        check.verdict, str(check.as_of or ""), str(check.valid_until or ""), ", ".join(marks),
    ]


PROHIBITED_COLUMNS = (
    "unit_id", "unit", "aliases", "country", "force", "verdict", "rules", "allegations",
    "reasons", "sources",
)


@renderer("prohibited", "csv")
def prohibited_csv(listing: Prohibited, stream: TextIO) -> None:
    """One row per barred unit: who it is, its verdict, the rules, allegations and sources."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(PROHIBITED_COLUMNS)
    for entry in listing.units:
        writer.writerow([neutralise(cell) for cell in prohibited_cells(entry)])


def prohibited_cells(entry: ProhibitedUnit) -> list[str]:
    """The cells of one barred unit, in PROHIBITED_COLUMNS order (csv and xlsx)."""
    unit = entry.unit
    return [
        unit.id, unit.name, SEPARATOR.join(unit.aliases), unit.country, str(unit.force),
        str(entry.verdict),
        SEPARATOR.join(dict.fromkeys(reason.rule.code for reason in entry.reasons)),
        SEPARATOR.join(allegation.id for allegation in entry.allegations),
        SEPARATOR.join(f"[{reason.rule.code} {reason.verdict}] {reason.text}"
                       for reason in entry.reasons),
        SEPARATOR.join(source_line(source) for source in entry.sources),
    ]
