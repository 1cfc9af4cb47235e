"""Stable codes for validation findings and verdict rules, and the finding record.

Every code keeps its number forever: tools and people grep for them, CI logs
cite them, and the same code appears in every output format. Add new codes;
never renumber or reuse one.

- VET1xx: the file as YAML (reading, syntax, hostile constructs).
- VET2xx: the schema (keys, types, allowed values).
- VET3xx: integrity across records (references, cycles, dates, duplicates).
- VET4xx: roster rows that `vet batch` cannot vet (verdict ERROR).
- VET5xx: verdict rules (why a verdict reaches an entity).
- VET6xx: changes since another registry or an earlier run (`vet diff`, re-vetting).
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
        "An explicit tag such as `!!python/object` (only `!!str` is allowed); the registry "
        "is plain data and no tag runs.",
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
    EMPTY_FILE = (
        "VET110", "empty-file", Level.ERROR,
        "The file holds no data at all (empty, or only comments): an emptied registry would "
        "clear everyone, so an empty one must be said with `units: []` and the like.",
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
        "A parent (or a unit in `parents`), predecessor, post unit, allegation unit or "
        "person, or evidence source names an id that does not exist (or exists as the wrong "
        "kind of record).",
    )
    PARENT_CYCLE = (
        "VET302", "parent-cycle", Level.ERROR,
        "Following the parent links in force on some day leads back to the same unit.",
    )
    DUPLICATE_ID = (
        "VET303", "duplicate-id", Level.ERROR,
        "Two records share an id; ids are unique across units and people together, "
        "among sources, and among allegations.",
    )
    END_BEFORE_START = ("VET304", "end-before-start", Level.ERROR, "A span ends before it starts.")
    FUTURE_DATE = (
        "VET305", "future-date", Level.ERROR,
        "An allegation, or its remediation, is dated after today.",
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
    OVERLAPPING_PARENTS = (
        "VET353", "overlapping-parents", Level.WARNING,
        "Two dated links in a unit's `parents` cover the same day, so on that day the unit "
        "has two units above it.",
    )

    # VET4xx: roster rows (`vet batch`); each makes its row ERROR, never the whole roster
    ROW_NO_SUBJECT = (
        "VET401", "row-no-subject", Level.ERROR,
        "A roster row has neither a name nor a unit (empty, or placeholders such as N/A).",
    )
    ROW_BAD_DATE = (
        "VET402", "row-bad-date", Level.ERROR,
        "A roster row's birth date is not YYYY, YYYY-MM or YYYY-MM-DD, or does not exist.",
    )
    ROW_BAD_COUNTRY = (
        "VET403", "row-bad-country", Level.ERROR,
        "A roster row's country is neither an ISO 3166-1 code such as MX nor a country's name.",
    )
    ROW_CELL_TOO_LONG = (
        "VET404", "row-cell-too-long", Level.ERROR,
        "A roster cell over 10,000 characters, or a name, birth date or country over 300 "
        "(a unit cell is read part by part: a part over 300 is REVIEW under VET511).",
    )
    ROW_EXTRA_CELLS = (
        "VET405", "row-extra-cells", Level.ERROR,
        "A roster row has more filled cells than the header: a value holds an unquoted "
        "delimiter.",
    )
    ROW_CONTROL_CHARACTER = (
        "VET406", "row-control-character", Level.ERROR,
        "A roster row's name, unit, birth date or country holds a line break or control "
        "character (often an unbalanced quote).",
    )
    ROW_TOO_MANY_PARTS = (
        "VET407", "row-too-many-parts", Level.ERROR,
        "A roster row's unit cell lists more units than a cell may (50 parts): split the "
        "row.",
    )

    # VET50x: who an allegation reaches (the slug is the rule's name in JSON output)
    DIRECT = ("VET501", "direct", None, "The allegation names the unit or person.")
    MEMBER_AT_THE_TIME = (
        "VET502", "member-at-the-time", None,
        "A unit where a person the allegation names held a post on the allegation's date.",
    )
    COMMAND = (
        "VET503", "command", None,
        "A person the allegation names commanded the unit (or one above it) on its date: "
        "the unit and every unit below it take the allegation's effect.",
    )
    SUBUNIT = (
        "VET504", "subunit", None,
        "A unit below a unit barred by rules VET501-VET502 gets REVIEW: someone must check "
        "whether it took part.",
    )
    SUCCESSOR = (
        "VET505", "successor", None,
        "A unit whose predecessors include a barred unit gets REVIEW.",
    )
    SERVING_MEMBER = (
        "VET506", "serving-member", None,
        "A person holding a post, on the as-of date, in a unit that is INELIGIBLE or "
        "SUSPENDED takes that verdict.",
    )
    UNIT_AND_PERSON = (
        "VET507", "unit-and-person", None,
        "A person vetted together with a unit takes the worse of the two verdicts.",
    )
    CONTAINS_BARRED = (
        "VET508", "contains-barred", None,
        "The unit asked about has units below it, on the as-of date, that are INELIGIBLE or "
        "SUSPENDED: REVIEW. About the query only: it never passes to members, successors or "
        "subunits.",
    )
    CURRENT_COMMANDER = (
        "VET509", "current-commander", None,
        "A person commanding the unit on the as-of date is named in an allegation: the unit "
        "is vetted with its commander and takes that allegation's effect.",
    )
    INSIDE_UNIT = (
        "VET510", "inside-unit", None,
        "The row names a unit the registry does not hold inside one it does (a path such "
        "as `Signal Office, 7th Division`, or a name that adds a unit to a registered one): "
        "REVIEW at least when that unit is not ELIGIBLE, a note when it is.",
    )
    UNREAD_PART = (
        "VET511", "unread-part", None,
        "A part of a unit cell too long to be one unit name (over 300 characters, with no "
        "separator vet reads): REVIEW, a person must read it.",
    )
    # VET52x: allegations that reach an entity without barring it
    REMEDIATED = (
        "VET521", "remediated", None,
        "A bar lifted by a remediation determination under the law in use.",
    )
    NOT_GVHR = (
        "VET522", "not-gvhr", None,
        "A note: the allegation is not a gross violation of human rights and never bars.",
    )
    NOT_CREDIBLE = (
        "VET523", "not-credible", None,
        "A note: the allegation was judged not credible and never bars.",
    )
    # VET53x: how the query met the registry
    POSSIBLE_MATCH = (
        "VET531", "possible-match", None,
        "A possible match whose own verdict is not ELIGIBLE: a person must decide (REVIEW).",
    )
    AMBIGUOUS_MATCH = (
        "VET532", "ambiguous-match", None,
        "Several entities match the query; the answer takes the worst of their verdicts.",
    )
    NO_RECORD = (
        "VET533", "no-record", None, "No record in the registry matches the query.",
    )
    CLEAR_RECORD = (
        "VET534", "clear-record", None,
        "The matched entity is in the registry and no allegation reaches it.",
    )

    # VET6xx: what changed since another registry or an earlier run (`vet diff`,
    # `vet batch --previous`)
    VERDICT_CHANGED = (
        "VET601", "verdict-changed", None,
        "A unit's, person's or roster row's verdict differs from the other registry's or "
        "the earlier run's.",
    )
    RESULT_EXPIRED = (
        "VET602", "result-expired", None,
        "An earlier result's valid_until has passed: the row must be vetted again.",
    )
    PREVIOUS_MISMATCH = (
        "VET603", "previous-mismatch", Level.ERROR,
        "The earlier results do not belong to this roster: other rows, or rows in another "
        "order.",
    )
    PREVIOUS_UNREADABLE = (
        "VET604", "previous-unreadable", Level.ERROR,
        "The earlier results file is not vet batch JSON Lines: not JSON, too large, another "
        "format version, or a line without the keys a result has.",
    )
    ENTITY_ADDED = (
        "VET605", "entity-added", None, "A unit or person is in the new registry only.",
    )
    ENTITY_REMOVED = (
        "VET606", "entity-removed", None, "A unit or person is in the old registry only.",
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
