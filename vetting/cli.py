"""The `vet` command line: parse options, call the core, render, choose the exit status.

Core modules return result objects and never print or exit; everything a
person sees and every exit status is decided here.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer

from vetting import __version__


class Exit(IntEnum):
    """Exit statuses, shared by every command (see the README)."""

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


def main() -> None:
    app()
