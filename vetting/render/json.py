"""JSON output: one document per run, for programs.

Each subject's renderer here is self-contained; the shapes are contracts
documented in docs/verdicts.md and docs/batch.md and change only with a new `version`.
"""

from __future__ import annotations

import json
from typing import TextIO

from vetting.checks import Validation
from vetting.diff import RegistryDiff, RosterDiff
from vetting.prohibited import Prohibited
from vetting.render import renderer
from vetting.roster import Batch
from vetting.rules import Answer
from vetting.show import Profile

FINDINGS_VERSION = 1


def dump(document: object, stream: TextIO) -> None:
    """One JSON document, indented, non-ASCII kept as written."""
    json.dump(document, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


@renderer("findings", "json")
def findings_json(result: Validation, stream: TextIO) -> None:
    """`{"version": 1, "status": "ok"|"fail", "findings": [...]}`.

    Each finding: `{"path", "line", "col", "level", "code", "message"}`.
    """
    document = {
        "version": FINDINGS_VERSION,
        "status": "ok" if result.ok else "fail",
        "findings": [
            {
                "path": finding.path,
                "line": finding.line,
                "col": finding.col,
                "level": str(finding.level),
                "code": finding.code.code,
                "message": finding.message,
            }
            for finding in result.findings
        ],
    }
    dump(document, stream)


@renderer("batch", "json")
def batch_json(batch: Batch, stream: TextIO) -> None:
    """`{"summary": {...}, "results": [...]}`; each result is one line of `--format jsonl`."""
    document = {
        "summary": batch.summary(),
        "results": [result.to_dict(batch) for result in batch.results],
    }
    dump(document, stream)


@renderer("verdict", "json")
def verdict_json(answer: Answer, stream: TextIO) -> None:
    """The answer of `vet unit`/`vet person`: see `Answer.to_dict` and docs/verdicts.md."""
    dump(answer.to_dict(), stream)


@renderer("entity", "json")
def entity_json(profile: Profile, stream: TextIO) -> None:
    """The record of `vet show`: see `Profile.to_dict`."""
    dump(profile.to_dict(), stream)


@renderer("prohibited", "json")
def prohibited_json(listing: Prohibited, stream: TextIO) -> None:
    """The prohibited-units list: see `Prohibited.to_dict` and docs/diff.md."""
    dump(listing.to_dict(), stream)


@renderer("diff", "json")
def diff_json(result: RegistryDiff, stream: TextIO) -> None:
    """What a registry edit changes: see `RegistryDiff.to_dict` and docs/diff.md."""
    dump(result.to_dict(), stream)


@renderer("roster-diff", "json")
def roster_diff_json(result: RosterDiff, stream: TextIO) -> None:
    """The roster rows an edit changes: see `RosterDiff.to_dict` and docs/diff.md."""
    dump(result.to_dict(), stream)
