"""GitHub Actions output: workflow-command annotations that mark the lines in a pull request.

Escaping follows the runner's rules (actions/toolkit, `command.ts`): in the
message `%`, CR and LF are encoded; in properties also `:` and `,`, which
would otherwise end the value.
"""

from __future__ import annotations

from typing import TextIO

from vetting.checks import Validation
from vetting.render import renderer
from vetting.render.text import findings_summary


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


@renderer("findings", "github")
def findings_github(result: Validation, stream: TextIO) -> None:
    """`::error file=…,line=…,col=…,title=VET123::message` per finding, then the summary."""
    for finding in result.findings:
        properties = ",".join(
            f"{name}={escape_property(str(value))}" for name, value in (
                ("file", finding.path), ("line", finding.line), ("col", finding.col),
                ("title", finding.code),
            )
        )
        stream.write(f"::{finding.level} {properties}::{escape_data(finding.message)}\n")
    # A plain line shows in the job log as text, under the annotations.
    stream.write(findings_summary(result) + "\n")
