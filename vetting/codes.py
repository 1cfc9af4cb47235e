"""Stable codes for validation findings and verdict rules, and the finding record.

Every code keeps its number forever: tools and people grep for them, CI logs
cite them, and the same code appears in every output format. Add new codes;
never renumber or reuse one.

- VET1xx: the file as YAML (reading, syntax, hostile constructs).
- VET2xx: the schema (keys, types, allowed values).
- VET3xx: integrity across records (references, cycles, dates, duplicates).
- VET5xx: verdict rules (why a verdict reaches an entity).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Code(Enum):
    """One stable code: its number, a short slug, its level and one line of documentation."""

    code: str
    slug: str
    level: Level | None
    doc: str

    def __new__(cls, code: str, slug: str, level: Level | None, doc: str) -> Code:
        member = object.__new__(cls)
        member._value_ = code
        member.code = code
        member.slug = slug
        member.level = level
        member.doc = doc
        return member

    def __str__(self) -> str:
        return self.code

    # VET1xx: reading the file
    YAML_SYNTAX = ("VET101", "yaml-syntax", Level.ERROR, "The file does not parse as YAML.")
    DUPLICATE_KEY = (
        "VET102", "duplicate-key", Level.ERROR,
        "A mapping repeats a key; YAML loaders would silently keep only one value.",
    )
    FORBIDDEN_TAG = (
        "VET103", "forbidden-tag", Level.ERROR,
        "An explicit tag such as `!!python/object`; the registry is plain data and no tag runs.",
    )
    ALIAS = (
        "VET104", "alias", Level.ERROR,
        "An alias (`*name`); aliases are refused so that no file can expand into a bomb.",
    )
    TOO_DEEP = (
        "VET105", "too-deep", Level.ERROR,
        "Nesting deeper than the registry format ever needs (limit: 32 levels).",
    )
    TOO_LARGE = (
        "VET106", "too-large", Level.ERROR,
        "The file is larger than the size limit (`--max-bytes`, env `VET_MAX_BYTES`).",
    )
    ENCODING = ("VET107", "encoding", Level.ERROR, "The file is not valid UTF-8.")
    MULTIPLE_DOCUMENTS = (
        "VET108", "multiple-documents", Level.ERROR,
        "The file holds more than one YAML document (`---`).",
    )
    COMPLEX_KEY = (
        "VET109", "complex-key", Level.ERROR, "A mapping key is itself a list or a mapping.",
    )

    # VET2xx: schema
    MISSING_KEY = ("VET201", "missing-key", Level.ERROR, "A required key is missing.")
    UNKNOWN_KEY = (
        "VET202", "unknown-key", Level.ERROR,
        "A key the format does not define (often a typo of one it does).",
    )
    WRONG_TYPE = (
        "VET203", "wrong-type", Level.ERROR,
        "A value of the wrong type (a list where text is expected, a number for an id, …).",
    )
    BAD_VALUE = (
        "VET204", "bad-value", Level.ERROR,
        "A value outside what the field allows: not one of its choices, a malformed id, "
        "country code or date, or too long.",
    )

    # VET3xx: integrity
    UNKNOWN_REFERENCE = (
        "VET301", "unknown-reference", Level.ERROR,
        "A parent, predecessor, post unit, allegation unit or person, or evidence source "
        "names an id that does not exist (or exists as the wrong kind of record).",
    )
    PARENT_CYCLE = (
        "VET302", "parent-cycle", Level.ERROR, "Following `parent` leads back to the same unit.",
    )
    DUPLICATE_ID = (
        "VET303", "duplicate-id", Level.ERROR,
        "Two records share an id; ids are unique across units and people, and across "
        "sources and allegations.",
    )
    END_BEFORE_START = ("VET304", "end-before-start", Level.ERROR, "A span ends before it starts.")
    FUTURE_DATE = (
        "VET305", "future-date", Level.ERROR, "An allegation is dated after today.",
    )
    EMPTY_NAME = ("VET306", "empty-name", Level.ERROR, "A name or alias is empty or blank.")
    NO_SUBJECT = (
        "VET307", "no-subject", Level.ERROR, "An allegation names neither a unit nor a person.",
    )
    SHARED_ALIAS = (
        "VET351", "shared-alias", Level.WARNING,
        "Two units of one country share a name or alias, so a query for it cannot tell "
        "them apart.",
    )
    UNUSED_SOURCE = (
        "VET352", "unused-source", Level.WARNING, "A source that no allegation cites.",
    )


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a registry file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    code: Code
    message: str

    @property
    def level(self) -> Level:
        assert self.code.level is not None
        return self.code.level

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code.code)


def clip(value: object, limit: int = 60) -> str:
    """Quote a value for a message without ever echoing a huge input."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text) if isinstance(value, str) else text
