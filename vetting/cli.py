"""The `vet` command line: parse options, call the core, render, choose the exit status.

Core modules return result objects and never print or exit; everything a
person sees and every exit status is decided here.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import sys
import unicodedata
from datetime import date
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO, TypeVar

import typer

from vetting import checks, loader, records, registry, render, roster, schemas
from vetting.codes import clip
from vetting.model import Law, PartialDate
from vetting.rules import MAX_CANDIDATES

if TYPE_CHECKING:  # imported when a verdict is asked for, to start fast otherwise
    from vetting.cache import Compiled
    from vetting.diff import RegistryDiff, RosterDiff
    from vetting.revet import PreviousRow
    from vetting.rules import Query


_Format = TypeVar("_Format", bound=StrEnum)


class Exit(IntEnum):
    """Exit statuses, shared by every command (see docs/verdicts.md)."""

    OK = 0  # valid registry; ELIGIBLE
    FAIL = 1  # registry errors; INELIGIBLE or SUSPENDED
    USAGE = 2  # bad options, unreadable paths or registry; batch rows in ERROR
    REVIEW = 3  # a person must decide


app = typer.Typer(
    name="vet",
    help="Leahy vetting of foreign security-force units and people against a cited registry.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        envvar="VET_DATA",
        help="Registry folder holding units.yaml and allegations.yaml "
        "(default: env VET_DATA, else the bundled registry).",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        from vetting import __version__

        typer.echo(f"vet {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Leahy vetting of foreign security-force units and people against a cited registry."""


def _usage_error(message: str) -> NoReturn:
    typer.echo(f"vet: error: {message}", err=True)
    raise typer.Exit(Exit.USAGE)


def _stdout() -> TextIO:
    # A terminal that cannot show a character gets an escape, never a traceback.
    stream = sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    return stream


# --- vet validate ----------------------------------------------------------------

class FindingsFormat(StrEnum):
    TEXT = "text"
    GITHUB = "github"
    JSON = "json"


def _shown(path: Path) -> Path:
    """A path as findings show it: relative to the working folder when it is under it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()) if path.is_absolute() else path
    except ValueError:
        return path


def _registry_folders(paths: list[Path]) -> list[Path]:
    """The registry folder of each PATH (a file stands for its folder), each once."""
    folders: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            folder = path
        elif path.is_file():
            if path.name not in records.LAYOUT:
                _usage_error(
                    f"{path}: not a registry file; vet validate reads "
                    f"{records.UNITS_FILE} and {records.ALLEGATIONS_FILE} "
                    "(give one of them or their folder)"
                )
            folder = path.parent
        else:
            _usage_error(f"{path}: no such file or folder")
        folders.setdefault(folder.resolve(), _shown(folder))
    return list(folders.values())


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH",
            help="Registry folders, or units.yaml/allegations.yaml files in one. A file "
            "stands for its whole folder, so references between the two files are "
            "checked. Default: the registry in use (--data, else env VET_DATA, else "
            "the bundled registry).",
            show_default=False,
        ),
    ] = None,
    data: DataOption = None,
    output_format: Annotated[
        FindingsFormat | None,
        typer.Option(
            "--format", "-f",
            help="text: PATH:LINE:COL: LEVEL CODE message, then a summary line; "
            "github: workflow-command annotations; json: one document. "
            "Default: github when env GITHUB_ACTIONS is true, else text.",
            show_default=False,
        ),
    ] = None,
    max_bytes: Annotated[
        int,
        typer.Option(
            "--max-bytes", envvar="VET_MAX_BYTES", min=1,
            help="Size limit per file in bytes; a larger file is finding VET106.",
        ),
    ] = loader.DEFAULT_MAX_BYTES,
) -> None:
    """Check a registry: YAML, schema and integrity; exit 0 valid, 1 errors, 2 unusable.

    Every finding has a stable code (VET1xx to VET3xx, listed in docs/validate.md) and
    a 1-based line and column. Warnings alone keep exit status 0.

    Example: vet validate data/ --format json

    Example (pre-commit passes the files it changed): vet validate data/units.yaml
    """
    folders = _registry_folders(paths) if paths else [_shown(records.locate(data))]
    if output_format is None:
        github = os.environ.get("GITHUB_ACTIONS", "").lower() == "true"
        output_format = FindingsFormat.GITHUB if github else FindingsFormat.TEXT
    try:
        results = [checks.validate(folder, max_bytes) for folder in folders]
    except loader.UnreadableError as error:
        _usage_error(str(error))
    result = checks.Validation.combine(results)
    stream = _stdout()
    try:
        render.get("findings", output_format.value)(result, stream)
        stream.flush()
    except BrokenPipeError:
        # The reader went away (`| head`); the registry's exit status still stands.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    raise typer.Exit(Exit.OK if result.ok else Exit.FAIL)


# --- vet schema ------------------------------------------------------------------

class SchemaFile(StrEnum):
    UNITS = "units"
    ALLEGATIONS = "allegations"

    @property
    def filename(self) -> str:
        return f"{self.value}.yaml"


@app.command()
def schema(
    file: Annotated[
        SchemaFile | None,
        typer.Argument(help="The file whose schema to print; both when left out.",
                       show_default=False),
    ] = None,
    write: Annotated[
        Path | None,
        typer.Option(
            "--write", metavar="DIR", file_okay=False,
            help="Write units.schema.json and allegations.schema.json into DIR instead "
            "of printing (vet schema --write vetting/schemas regenerates the committed ones).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the JSON Schema (draft-07) of units.yaml or allegations.yaml.

    Without FILE, prints one JSON object mapping each file name to its schema.
    Editors' YAML language servers use these schemas to complete and check keys.

    Example: vet schema units > units.schema.json
    """
    if write is not None:
        if not write.is_dir():
            _usage_error(f"{write}: no such folder")
        try:
            written = schemas.write(write)
        except OSError as error:
            _usage_error(f"{write}: cannot write: {error.strerror or error}")
        for path in written:
            typer.echo(f"wrote {path}")
        return
    stream = _stdout()
    if file is not None:
        stream.write(schemas.dumps(schemas.schema(file.filename)))
        return
    both = {filename: schemas.schema(filename) for filename in records.FILE_MODELS}
    stream.write(json.dumps(both, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


# --- vet unit, vet person, vet show ----------------------------------------------

class VerdictFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


NAME_LIMIT = 300  # the longest name the registry format allows
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE",
        help="Vet as of this day, YYYY-MM-DD (default: today): allegations dated after it "
        "are ignored and posts are read on it, so a past decision can be reproduced.",
        show_default=False,
    ),
]
LawOption = Annotated[
    Law,
    typer.Option(
        "--law",
        help="state: 22 U.S.C. 2378d, lifted by effective steps; dod: 10 U.S.C. 362, "
        "lifted by corrective steps or a waiver.",
    ),
]
CountryOption = Annotated[
    str | None,
    typer.Option(
        "--country", metavar="CC",
        help="ISO 3166-1 alpha-2 country code, such as MX: a unit of another country is "
        "ruled out; a person of another country is at most a possible match.",
        show_default=False,
    ),
]
VerdictFormatOption = Annotated[
    VerdictFormat | None,
    typer.Option(
        "--format", "-f",
        help="table: a panel for people; json: one document for programs. "
        "Default: table on a terminal, json when the output is piped or redirected.",
        show_default=False,
    ),
]
MAX_CANDIDATES_LIMIT = 100_000
MaxCandidatesOption = Annotated[
    int,
    typer.Option(
        "--max-candidates", metavar="N", min=0, max=MAX_CANDIDATES_LIMIT,
        help="List the best N candidates of each name asked (0: all); the answer says how "
        "many more there were. The verdict comes from all of them.",
    ),
]
VERDICT_EXIT = {
    "ELIGIBLE": Exit.OK, "REVIEW": Exit.REVIEW, "SUSPENDED": Exit.FAIL, "INELIGIBLE": Exit.FAIL,
}


def parse_as_of(text: str | None) -> date:
    """The --as-of day (today when not given); a usage error when it is not a day."""
    if text is None:
        return date.today()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        try:
            day = date.fromisoformat(text.strip())
        except ValueError as error:
            _usage_error(f"--as-of {clip(text)}: {error}")
        if not 1800 <= day.year < 9999:  # an answer is valid for a year after it
            _usage_error(f"--as-of {clip(text)}: the year must be from 1800 to 9998")
        return day
    _usage_error(f"--as-of {clip(text)}: expected a day as YYYY-MM-DD, such as 2024-06-30")


def parse_country(text: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code in capitals; a usage error when it is not one."""
    if text is None:
        return None
    from vetting.model import country_problem

    code = text.strip().upper()
    problem = country_problem(code)
    if problem:
        _usage_error(f"--country {clip(text)}: {problem}")
    return code


def _name(text: str, what: str) -> str:
    name = " ".join(text.split())
    if not name:
        _usage_error(f"{what} is empty")
    if not any(character.isalnum() for character in name):
        # Punctuation, emoji or invisible characters alone can match nothing, and an
        # ELIGIBLE "no record" for them would read as an answer.
        _usage_error(f"{what} {clip(name)} has no letter or digit to match")
    if len(name) > NAME_LIMIT:
        _usage_error(f"{what} {clip(name)} is longer than {NAME_LIMIT} characters")
    if any(unicodedata.category(character) == "Cc" for character in name):
        # As in a roster cell (VET406): a terminal escape is no part of a name.
        _usage_error(f"{what} {clip(name)} holds a control character")
    return name


def open_registry(data: Path | None) -> registry.Registry:
    """The registry in use, or exit 2 with a one-line message when it cannot be used."""
    try:
        return registry.open_registry(data)
    except (registry.RegistryError, loader.UnreadableError, OSError) as error:
        _usage_error(str(error))


def open_compiled(data: Path | None, *, queries: int = 1, shared: bool = False) -> Compiled:
    """The registry in use through the compiled cache (vetting/cache.py), or exit 2."""
    # `from vetting import cache` would find functools.cache in vetting/__init__.py.
    from vetting.cache import open_compiled as open_cached

    try:
        return open_cached(data, queries=queries, shared=shared)
    except (registry.RegistryError, loader.UnreadableError, OSError) as error:
        _usage_error(str(error))


def _output_format(chosen: VerdictFormat | None) -> str:
    if chosen is not None:
        return chosen.value
    return VerdictFormat.TABLE.value if sys.stdout.isatty() else VerdictFormat.JSON.value


def _vet(
    query: Query, as_of: str | None, law: Law, output_format: VerdictFormat | None,
    data: Path | None, max_candidates: int,
) -> NoReturn:
    from vetting.composite import vet_as_written

    day = parse_as_of(as_of)
    answer = open_compiled(data).run(lambda used: vet_as_written(
        used.registry, used.matcher, query, as_of=day, law=law, max_candidates=max_candidates,
    ))
    _render("verdict", output_format, answer)
    raise typer.Exit(VERDICT_EXIT[answer.verdict])


def _render(subject: str, chosen: VerdictFormat | None, result: object) -> None:
    _write(render.get(subject, _output_format(chosen)), result, _stdout())


def _write(write: render.Renderer, result: object, stream: TextIO) -> None:
    try:
        write(result, stream)
        stream.flush()
    except BrokenPipeError:
        # The reader went away (`| head`); the exit status still stands.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def _format_of_out(
    out: Path | None, given: _Format | None, formats: type[_Format],
) -> _Format | None:
    """The format to write `out` in: the one given, else the one its extension names.

    A file named for one format and asked in another (`-f csv --out vetted.xlsx`)
    is a usage error: Excel would refuse it, or worse, read it wrongly.
    """
    if out is None:
        return given
    named = {member.value: member for member in formats}.get(out.suffix.lower().lstrip("."))
    if given is None:
        return named
    if named is not None and named is not given:
        _usage_error(f"--out {out} names a .{named.value} file, but --format is {given.value}: "
                     f"change one of them")
    return given


@app.command()
def unit(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The unit's name, as written in the request.")
    ],
    as_of: AsOfOption = None,
    law: LawOption = Law.STATE,
    country: CountryOption = None,
    output_format: VerdictFormatOption = None,
    data: DataOption = None,
    max_candidates: MaxCandidatesOption = MAX_CANDIDATES,
) -> None:
    """Vet a unit: the verdict, its reasons and the sources they rest on.

    The name is matched against every unit in the registry (names and aliases).
    It is read as a roster cell is: several units (separated by ;) give the
    worst verdict; places and forces after a unit are context, not its name.
    Exit status: 0 ELIGIBLE, 1 INELIGIBLE or SUSPENDED, 3 REVIEW, 2 usage error
    or unusable registry.

    Example: vet unit "102nd Battalion"

    Example (a unit with its place): vet unit "102 BTN INF, Tlatlaya, Estado de México"

    Example (as decided on a past day, under DoD law, for a script):
    vet unit "102nd Battalion" --as-of 2015-06-01 --law dod --format json
    """
    from vetting.rules import Query

    query = Query("unit", _name(name, "NAME"), country=parse_country(country))
    _vet(query, as_of, law, output_format, data, max_candidates)


@app.command()
def person(
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="The person's name, as written in the request."),
    ],
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", metavar="UNIT",
            help="The unit the person serves in: the answer is the worse of the person's "
            "and the unit's verdicts.",
            show_default=False,
        ),
    ] = None,
    dob: Annotated[
        str | None,
        typer.Option(
            "--dob", metavar="DATE",
            help="Birth date, YYYY, YYYY-MM or YYYY-MM-DD: a candidate born on another "
            "date is at most a possible match.",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOption = None,
    law: LawOption = Law.STATE,
    country: CountryOption = None,
    output_format: VerdictFormatOption = None,
    data: DataOption = None,
    max_candidates: MaxCandidatesOption = MAX_CANDIDATES,
) -> None:
    """Vet a person, alone or as a member of a unit (the worse of the two verdicts).

    The name is matched against every person in the registry, read the way
    names are written in --country (without it, in each person's country), in
    any script; --dob and --country keep a contradicting candidate out of the
    match band. Exit status:
    0 ELIGIBLE, 1 INELIGIBLE or SUSPENDED, 3 REVIEW, 2 usage error or unusable
    registry.

    Example: vet person "Iván Reyes Arzate" --unit "Sensitive Investigative Unit"
    """
    from vetting.rules import Query

    birth_date = None
    if dob is not None:
        try:
            birth_date = PartialDate.parse(dob)
        except ValueError as error:
            _usage_error(f"--dob {clip(dob)}: {error}")
        if birth_date.first > date.today():
            _usage_error(f"--dob {clip(dob)}: a birth date in the future")
    query = Query(
        "person", _name(name, "NAME"), None if unit is None else _name(unit, "--unit"),
        birth_date, parse_country(country),
    )
    _vet(query, as_of, law, output_format, data, max_candidates)


@app.command()
def show(
    entry_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="The id of a unit, person or allegation."),
    ],
    output_format: VerdictFormatOption = None,
    as_of: AsOfOption = None,
    law: LawOption = Law.STATE,
    data: DataOption = None,
) -> None:
    """Show one registry entry whole: names, links, posts, allegations, sources.

    A unit with its parents on the --as-of day and its dated parent links,
    children, the barred units below it (on --as-of, under --law),
    predecessors, successors and the people who held posts in it; a person
    with their posts; an allegation with whom it names. Exit status: 0, or 2
    when no entry has the id.

    Example: vet show mx-sedena --as-of 2024-06-30
    """
    from vetting.show import Profile, close_ids, profile

    wanted = entry_id.strip()
    day = parse_as_of(as_of)

    def look_up(used: Compiled) -> tuple[Profile | None, list[str]]:
        found = profile(used.registry, wanted, day, law)
        return found, [] if found is not None else close_ids(used.registry, wanted)

    found, close = open_compiled(data).run(look_up)
    if found is None:
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        _usage_error(f"no unit, person or allegation has the id {clip(entry_id)}{hint}")
    _render("entity", output_format, found)


# --- vet prohibited --------------------------------------------------------------

class ListFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


@app.command()
def prohibited(
    country: Annotated[
        str | None,
        typer.Option("--country", metavar="CC", help="Only units of this country (ISO "
                     "3166-1 alpha-2, such as MX).", show_default=False),
    ] = None,
    as_of: AsOfOption = None,
    law: LawOption = Law.STATE,
    output_format: Annotated[
        ListFormat | None,
        typer.Option(
            "--format", "-f",
            help="table: for people; csv: one row per unit (UTF-8 with BOM, for Excel); "
            "xlsx: the same as a workbook (needs --out); json: one document. Default: "
            "table on a terminal, json otherwise.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="PATH", dir_okay=False,
            help="Write the list to PATH (atomically: a failed run leaves PATH as it was) "
            "instead of standard output.",
            show_default=False,
        ),
    ] = None,
    data: DataOption = None,
) -> None:
    """List every unit INELIGIBLE or SUSPENDED on a day: the list of 22 U.S.C. 2378d(c).

    Each unit comes with its country, the rules and allegations that bar it and
    the sources they cite. Exit status: 0, or 2 on a usage error or an unusable
    registry.

    Example: vet prohibited --country MX --format csv > prohibited-mx.csv

    Example (a workbook for the recipient government's copy):
    vet prohibited --country MX --format xlsx --out prohibited-mx.xlsx
    """
    from vetting.prohibited import prohibited as listing

    day = parse_as_of(as_of)
    code = parse_country(country)
    output_format = _format_of_out(out, output_format, ListFormat)
    if output_format is ListFormat.XLSX and out is None:
        _usage_error("--format xlsx writes a workbook, which is no text for a terminal or a "
                     "pipe: give --out prohibited.xlsx")
    found = listing(open_registry(data), as_of=day, law=law, country=code)
    write = render.get("prohibited", (output_format or (
        ListFormat.TABLE if out is None and sys.stdout.isatty() else ListFormat.JSON)).value)
    if out is not None:
        try:
            with roster.atomic_output(out, binary=output_format is ListFormat.XLSX) as stream:
                write(found, stream)
        except OSError as error:
            _usage_error(f"cannot write {out}: {error.strerror or error}")
        return
    stream = _stdout()
    if output_format not in (None, ListFormat.TABLE) or not sys.stdout.isatty():
        stream.reconfigure(encoding="utf-8", newline="")  # type: ignore[attr-defined]
    _write(write, found, stream)


# --- vet diff --------------------------------------------------------------------

class DiffFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"
    GITHUB = "github"


class FailOn(StrEnum):
    BAR = "bar"
    CHANGE = "change"


@app.command()
def diff(
    old: Annotated[
        str,
        typer.Argument(metavar="OLD", help="The registry before the edit: a folder, or a git "
                       "revision of the current repository (HEAD~1, main, a commit).",
                       show_default=False),
    ],
    new: Annotated[
        str | None,
        typer.Argument(metavar="NEW", help="The registry after the edit, likewise. Default: "
                       "the registry in use (--data, else env VET_DATA), as it is on disk.",
                       show_default=False),
    ] = None,
    roster_path: Annotated[
        Path | None,
        typer.Option("--roster", metavar="ROSTER", dir_okay=False,
                     help="Vet this roster (CSV, as vet batch reads it) against both and list "
                     "the rows whose verdict changes.", show_default=False),
    ] = None,
    as_of: AsOfOption = None,
    law: LawOption = Law.STATE,
    output_format: Annotated[
        DiffFormat | None,
        typer.Option(
            "--format", "-f",
            help="text: for people; markdown: for a pull-request comment or "
            "$GITHUB_STEP_SUMMARY; json: one document; github: annotations on the lines "
            "behind each change. Default: github when env GITHUB_ACTIONS is true, else text.",
            show_default=False,
        ),
    ] = None,
    columns: Annotated[
        list[str] | None,
        typer.Option("--columns", metavar="FIELD=HEADER,...",
                     help="With --roster: which column holds a field, as for vet batch.",
                     show_default=False),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Exit 1 when a unit, person or row is newly barred "
                     "(bar), or when any verdict changes (change). Default: exit 0 whatever "
                     "changed.", show_default=False),
    ] = None,
    data: DataOption = None,
) -> None:
    """Show what a registry edit changes: every verdict that differs between OLD and NEW.

    Every unit and person whose verdict differs (as of --as-of, under --law) is
    listed old -> new, with the reason that changed it and the registry line behind
    it; then the records edited and a summary (barred, lifted, newly under review).
    A git revision is read with git show, never checked out. Exit status: 0 (1 with
    --fail-on when it applies), 2 on a usage error or a registry that cannot be read.

    Example (the working tree against main): vet diff main

    Example (the last commit, for a pull-request comment): vet diff HEAD~1 HEAD -f markdown

    Example (last month's roster): vet diff --roster nominees.csv HEAD~5 HEAD
    """
    from vetting.revisions import RevisionError, read_folder, read_side

    day = parse_as_of(as_of)
    folder = records.locate(data)
    try:
        before = read_side(old, folder)
        after = read_folder(folder, before) if new is None else read_side(new, folder, before)
    except RevisionError as error:
        _usage_error(str(error))
    if output_format is None:
        github = os.environ.get("GITHUB_ACTIONS", "").lower() == "true"
        output_format = DiffFormat.GITHUB if github else DiffFormat.TEXT
    found: RegistryDiff | RosterDiff
    if roster_path is None:
        from vetting.diff import compare

        found = compare(before, after, as_of=day, law=law)
        subject = "diff"
    else:
        from vetting.diff import compare_roster
        from vetting.matching import Matcher

        try:
            chosen = roster.parse_columns(columns or [])
            rows = roster.read_roster(roster.read_bytes(roster_path), str(roster_path), chosen)
        except roster.RosterError as error:
            _usage_error(str(error))
        batches = [
            roster.vet_roster(rows, side.registry, Matcher.from_registry(side.registry),
                              as_of=day, law=law)
            for side in (before, after)
        ]
        found = compare_roster(rows, *batches, before.label, after.label)
        subject = "roster-diff"
    stream = _stdout()
    if output_format is not DiffFormat.TEXT:  # for programs and GitHub: UTF-8 whatever the locale
        stream.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    _write(render.get(subject, output_format.value), found, stream)
    failed = (fail_on is FailOn.BAR and found.bars) or (
        fail_on is FailOn.CHANGE and found.changed
    )
    raise typer.Exit(Exit.FAIL if failed else Exit.OK)


# --- vet batch -------------------------------------------------------------------

class BatchFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    JSONL = "jsonl"
    TABLE = "table"
    XLSX = "xlsx"


# Rosters longer than this get a progress bar (on a terminal): shorter ones finish
# before a bar would be read.
PROGRESS_OVER = 300
INTERRUPTED = 130  # the shell's status for Ctrl-C (128 + SIGINT)
BROKEN_PIPE = 141  # 128 + SIGPIPE, what a tool killed by a closed pipe returns


def _fileno(stream: object) -> int | None:
    try:
        return stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):  # a stream with no descriptor (tests)
        return None


def _batch_exit(counts: dict[str, int]) -> Exit:
    """ERROR rows first (2), then the worst verdict's status as `vet unit` gives it."""
    if counts[roster.ERROR]:
        return Exit.USAGE
    found = [VERDICT_EXIT[verdict] for verdict, count in counts.items() if count]
    return max(found, key=_EXIT_RANK.index, default=Exit.OK)


_EXIT_RANK = [Exit.OK, Exit.REVIEW, Exit.FAIL]


MAX_JOBS = 256


def _cpus() -> int:
    """The CPUs this process may run on (a container or `taskset` may allow fewer)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _previous(path: Path, rows: roster.Roster) -> tuple[PreviousRow, ...]:
    """An earlier run's results for these rows, or exit 2 (VET603, VET604)."""
    from vetting.revet import PreviousError, check_belongs, read_previous

    try:
        earlier = read_previous(path)
        check_belongs(rows, earlier, str(path))
    except PreviousError as error:
        _usage_error(str(error))
    return earlier


def _vet_with_progress(
    rows: roster.Roster, compiled: Compiled, as_of: date, law: Law, jobs: int,
    max_candidates: int, previous: tuple[Path, tuple[PreviousRow, ...]] | None = None,
) -> roster.Batch:
    batch = _vet_rows(rows, compiled, as_of, law, jobs, max_candidates)
    if previous is None:
        return batch
    from vetting.revet import recheck

    source, earlier = previous
    return recheck(batch, earlier, str(source))


def _vet_rows(
    rows: roster.Roster, compiled: Compiled, as_of: date, law: Law, jobs: int,
    max_candidates: int,
) -> roster.Batch:
    if len(rows.rows) <= PROGRESS_OVER or not sys.stderr.isatty():
        return compiled.run(lambda used: roster.vet_roster(
            rows, used.registry, used.matcher, as_of=as_of, law=law, jobs=jobs,
            after_fork=used.after_fork, max_candidates=max_candidates,
        ))
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("vetting", total=len(rows.rows))
        return compiled.run(lambda used: roster.vet_roster(
            rows, used.registry, used.matcher, as_of=as_of, law=law, jobs=jobs,
            after_fork=used.after_fork, progress=lambda done: bar.advance(task, done),
            max_candidates=max_candidates,
        ))


def _pause_collector(context: typer.Context) -> None:
    """No cyclic garbage collection for the rest of the command.

    A batch holds millions of objects until it ends (the registry, the answers)
    and makes almost no reference cycles: the collector finds nothing to free, yet
    walks them all again and again, a third of a large batch's time. Worker
    processes forked later inherit the pause, so they never touch the pages they
    share with this one either.
    """
    if gc.isenabled():
        gc.disable()
        context.call_on_close(gc.enable)


@app.command()
def batch(
    context: typer.Context,
    roster_path: Annotated[
        str,
        typer.Argument(
            metavar="ROSTER",
            help="The roster: a CSV file (comma, semicolon or tab; UTF-8 or Windows-1252), "
            "an Excel .xlsx workbook, or - for standard input.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="PATH", dir_okay=False,
            help="Write the results to PATH (atomically: a failed or interrupted run leaves "
            "PATH as it was) instead of standard output. Never the roster itself.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        BatchFormat | None,
        typer.Option(
            "--format", "-f",
            help="csv: the roster's columns then verdict, match_id, match_name, score, "
            "reasons, sources, parts, deciding_part (UTF-8 with BOM, for Excel); xlsx: the "
            "same as a workbook (needs --out); jsonl: one object per row; json: one document "
            "with a summary; table: counts per verdict and the rows that are not ELIGIBLE. "
            "Default: table on a terminal, csv otherwise or with --out.",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOption = None,
    law: LawOption = Law.STATE,
    data: DataOption = None,
    columns: Annotated[
        list[str] | None,
        typer.Option(
            "--columns", metavar="FIELD=HEADER,...",
            help="Say which column holds a field when its header is not one vet knows: "
            "name, unit, birth_date, country. name=Nombre+Apellidos joins columns; unit= "
            "(empty) reads no unit column.",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet", metavar="NAME",
            help="The sheet of an .xlsx roster to read (default: the first).",
            show_default=False,
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", min=0, max=MAX_JOBS,
            help="Processes that match the roster's names at once; 0: one per CPU. Each "
            "shares the registry read before it starts. Rosters of fewer than 2,000 "
            "distinct names are always vetted in one. The results are the same whatever "
            "the number.",
        ),
    ] = 1,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous", metavar="RESULTS", dir_okay=False,
            help="An earlier run's results for this roster (--format jsonl or json): mark "
            "each row whose verdict changed since, and each earlier result whose "
            "valid_until has passed.",
            show_default=False,
        ),
    ] = None,
    max_candidates: MaxCandidatesOption = MAX_CANDIDATES,
) -> None:
    """Vet every row of a roster (a CSV or .xlsx of nominees) and write one result per row.

    A row with a name is vetted as that person (of its unit, when it has one: the
    worse verdict); a row with only a unit, as that unit. Headers are read without
    case or accents, in English or Spanish: name/nombre, unit/unidad,
    birth_date/fecha de nacimiento, country/país. Other columns pass through.

    Exit status: 2 if any row is ERROR (all results are still written), else 1
    if any is INELIGIBLE or SUSPENDED, else 3 if any is REVIEW, else 0.

    Example: vet batch nominees.csv --out vetted.csv --as-of 2024-06-30

    Example (re-vetting a year on): vet batch nominees.csv --previous vetted-2024.jsonl

    Example (a workbook in, a workbook out):
    vet batch curso.xlsx --sheet Participantes --format xlsx --out vetted.xlsx

    Example (Spanish headers under other names):
    vet batch curso.csv --columns name=Participante,unit=Adscripción -f table
    """
    try:
        chosen = roster.parse_columns(columns or [])
    except roster.RosterError as error:
        _usage_error(str(error))
    day = parse_as_of(as_of)
    from_stdin = roster_path == "-"
    source = Path(roster_path)
    if out is not None and str(out) == "-":  # `--out -` is standard output, as a file would be
        out = None
        output_format = output_format or BatchFormat.CSV
    output_format = _format_of_out(out, output_format, BatchFormat)
    if output_format is BatchFormat.XLSX and out is None:
        _usage_error("--format xlsx writes a workbook, which is no text for a terminal or a "
                     "pipe: give --out results.xlsx")
    if out is not None:
        folder = records.locate(data)
        reads = [("the earlier results (--previous)", previous)] if previous else []
        reads += [(f"the registry's {name}", folder / name) for name in records.LAYOUT]
        problem = roster.output_problem(
            out, None if from_stdin else source, _fileno(sys.stdin) if from_stdin else None,
            reads,
        )
        if problem:
            _usage_error(problem)
    try:
        raw = (
            roster.read_stream(sys.stdin.buffer, "<stdin>") if from_stdin
            else roster.read_bytes(source)
        )
        rows = roster.read_roster(raw, "<stdin>" if from_stdin else roster_path, chosen, sheet)
    except roster.RosterError as error:
        _usage_error(str(error))
    for warning in rows.warnings:
        typer.echo(f"vet: warning: {warning}", err=True)
    earlier = (previous, _previous(previous, rows)) if previous is not None else None
    jobs = jobs or _cpus()
    _pause_collector(context)
    distinct = roster.distinct_queries(rows)
    compiled = open_compiled(data, queries=distinct,
                             shared=roster.in_workers(distinct, jobs))
    if output_format is None:
        terminal = out is None and sys.stdout.isatty()
        output_format = BatchFormat.TABLE if terminal else BatchFormat.CSV
    write = render.get("batch", output_format.value)
    try:
        if out is not None:
            binary = output_format is BatchFormat.XLSX
            with roster.atomic_output(out, binary=binary) as stream:
                result = _vet_with_progress(rows, compiled, day, law, jobs, max_candidates,
                                            earlier)
                write(result, stream)
        else:
            result = _vet_with_progress(rows, compiled, day, law, jobs, max_candidates, earlier)
            stream = _stdout()
            if output_format is not BatchFormat.TABLE:
                stream.reconfigure(encoding="utf-8", newline="")  # type: ignore[attr-defined]
            write(result, stream)
            stream.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(BROKEN_PIPE) from None
    except OSError as error:
        _usage_error(f"cannot write {out or 'standard output'}: {error.strerror or error}")
    except KeyboardInterrupt:
        kept = f"; {out} was left as it was" if out is not None else ""
        typer.echo(f"vet: interrupted{kept}", err=True)
        raise typer.Exit(INTERRUPTED) from None
    if out is not None or output_format is not BatchFormat.TABLE:
        from vetting.render.table import batch_summary

        typer.echo(batch_summary(result), err=True)
    raise typer.Exit(_batch_exit(result.counts))


# --- vet cache --------------------------------------------------------------------

cache_app = typer.Typer(
    name="cache",
    help="The compiled registry cache: list or remove what earlier runs stored.",
    no_args_is_help=True,
)
app.add_typer(cache_app)


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


@cache_app.command("info")
def cache_info() -> None:
    """List the cache folder and each compiled registry stored in it.

    vet unit, vet person, vet show and vet batch store a registry, once read and
    checked, in the cache folder (env VET_CACHE_DIR, else $XDG_CACHE_HOME/vet,
    else ~/.cache/vet), keyed by the registry files' content and vet's version,
    and read it from there while neither changes. vet validate never uses it.

    Example: vet cache info
    """
    from vetting.cache import age, info

    found = info()
    if found.folder.exists() and not found.folder.is_dir():
        typer.echo(f"cache folder: {found.folder} is not a folder, so vet runs without a cache")
        return
    count = len(found.entries)
    what = f"{count} entr{'y' if count == 1 else 'ies'}, {_megabytes(found.size)}"
    typer.echo(f"cache folder: {found.folder} ({what if count else 'empty'})")
    for entry in found.entries:
        if entry.problem is not None:
            typer.echo(f"  {entry.path.name}: {_megabytes(entry.size)}, {entry.problem}; "
                       "rebuilt or removed when next used")
            continue
        typer.echo(
            f"  {entry.path.name}: {_megabytes(entry.size)}, registry {entry.folder} "
            f"({entry.units:,} units, {entry.people:,} people, {entry.allegations:,} "
            f"allegations; {entry.digest}), vet {entry.version}, written "
            f"{age(entry.modified)}"
        )


@cache_app.command("clear")
def cache_clear() -> None:
    """Remove every compiled registry from the cache folder.

    Safe at any time: the next run reads the registry's YAML again and stores it anew.

    Example: vet cache clear
    """
    from vetting.cache import clear, folder

    removed, freed = clear()
    typer.echo(f"removed {removed} entr{'y' if removed == 1 else 'ies'} "
               f"({_megabytes(freed)}) from {folder()}")


def main() -> None:
    try:
        app()
    except OSError as error:
        # Output that cannot be written (a full disk, a closed descriptor) is no verdict
        # and no finding: one line and exit 2, never a traceback or a verdict's status.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        where = error.filename or "standard output"
        with contextlib.suppress(OSError):
            typer.echo(f"vet: error: cannot write {where}: {error.strerror or error}", err=True)
        sys.exit(Exit.USAGE)
