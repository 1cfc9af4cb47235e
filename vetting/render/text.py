"""Plain-text output: one line per finding, as compilers and linters print them."""

from __future__ import annotations

from typing import TextIO

from vetting.checks import Validation
from vetting.render import renderer


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def findings_summary(result: Validation) -> str:
    """One line: what was checked and how it went."""
    if result.ok:
        counts = ", ".join(
            _plural(count, word) for word, count in (
                ("unit", result.counts.get("units", 0)),
                ("person", result.counts.get("people", 0)),
                ("source", result.counts.get("sources", 0)),
                ("allegation", result.counts.get("allegations", 0)),
            )
        ).replace("persons", "people")
        warned = f" ({_plural(result.warnings, 'warning')})" if result.warnings else ""
        registries = "registry" if len(result.folders) == 1 else f"{len(result.folders)} registries"
        return f"{registries} ok: {counts}{warned}"
    flagged = len({finding.path for finding in result.findings})
    return (
        f"{_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')} "
        f"in {_plural(flagged, 'file')} (of {len(result.files)} checked)"
    )


@renderer("findings", "text")
def findings_text(result: Validation, stream: TextIO) -> None:
    """`PATH:LINE:COL: error VET123 message` per finding, then the summary line."""
    for finding in result.findings:
        stream.write(
            f"{finding.path}:{finding.line}:{finding.col}: {finding.level} "
            f"{finding.code} {finding.message}\n"
        )
    stream.write(findings_summary(result) + "\n")
