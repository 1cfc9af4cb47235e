"""The registry's records, as pydantic models.

This is the contract of `data/units.yaml` and `data/allegations.yaml`: field
names, choices and limits here are what users write, what the JSON Schema
publishes and what the verdict engine reads.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache, cached_property
from typing import Annotated, Any, ClassVar

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the whole year, month or day it names."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read a partial date; raise ValueError with a reason when it is not one."""
        found = _PARTIAL_DATE.fullmatch(text.strip())
        if not found:
            raise ValueError("expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(part) if part else None for part in found.groups())
        assert year is not None
        if year < 1800:
            raise ValueError("year before 1800")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"month {month} does not exist")
        if day is not None:
            assert month is not None
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                raise ValueError(f"day {day} does not exist in {year}-{month:02d}")
        return cls(year, month, day)

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @property
    def first(self) -> date:
        """The first day the partial date covers."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> date:
        """The last day the partial date covers."""
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> PartialDate:
            if isinstance(value, PartialDate):
                return value
            # The loader leaves dates as text; an unquoted year arrives as an int.
            if isinstance(value, bool) or not isinstance(value, int | str | date):
                raise PydanticCustomError(
                    "partial_date", "expected a date as YYYY, YYYY-MM or YYYY-MM-DD"
                )
            if isinstance(value, date):
                return cls.from_date(value)
            try:
                return cls.parse(str(value))
            except ValueError as error:
                raise PydanticCustomError("partial_date", str(error)) from None

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "anyOf": [
                {
                    "type": "string",
                    "pattern": r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
                },
                {"type": "integer", "minimum": 1800, "maximum": 9999},
            ],
            "description": "A partial date: YYYY, YYYY-MM or YYYY-MM-DD.",
        }


def spans_overlap(
    start_a: PartialDate | None,
    end_a: PartialDate | None,
    start_b: PartialDate | None,
    end_b: PartialDate | None,
) -> bool:
    """Whether two spans share a day; a partial date is a span, a missing bound is open."""
    if start_a is not None and end_b is not None and start_a.first > end_b.last:
        return False
    return not (start_b is not None and end_a is not None and start_b.first > end_a.last)


Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        max_length=100,
        description="A lowercase slug: letters a-z, digits and hyphens.",
    ),
]
@cache
def countries() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes in use, as pycountry's ISO data has them."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


def country_problem(code: str) -> str | None:
    """Why `code` is not a country code the registry accepts, or None when it is one."""
    if len(code) != 2 or not code.isascii() or not code.isupper():
        return "expected an ISO 3166-1 alpha-2 country code, such as MX"
    if code in countries() or code[0] == "X":  # XA-XZ: user-assigned (Kosovo is XK)
        return None
    return f"{code} is not an ISO 3166-1 alpha-2 code in use"


def _country(code: str) -> str:
    problem = country_problem(code)
    if problem:
        raise PydanticCustomError("country", problem)
    return code


Country = Annotated[
    str,
    Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. MX."),
    AfterValidator(_country),
]

# C0 and C1 control characters other than tab and line breaks: they have no place in a
# name or a note, and printed to a terminal they could rewrite what the analyst sees.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    found = _CONTROL.search(text)
    if found:
        raise PydanticCustomError(
            "control_character", f"control character U+{ord(found.group()):04X} is not allowed"
        )
    return text


Name = Annotated[str, Field(max_length=300), AfterValidator(_printable)]
Text = Annotated[str, Field(max_length=5000), AfterValidator(_printable)]


class Force(StrEnum):
    ARMY = "army"
    NAVY = "navy"
    AIR_FORCE = "air_force"
    MARINES = "marines"
    NATIONAL_GUARD = "national_guard"
    FEDERAL_POLICE = "federal_police"
    STATE_POLICE = "state_police"
    MUNICIPAL_POLICE = "municipal_police"
    INVESTIGATIVE_POLICE = "investigative_police"
    MIGRATION = "migration"
    INTELLIGENCE = "intelligence"
    OTHER = "other"


class Role(StrEnum):
    COMMANDER = "commander"
    DEPUTY_COMMANDER = "deputy_commander"
    MEMBER = "member"


class Credibility(StrEnum):
    CREDIBLE = "credible"
    UNDER_INVESTIGATION = "under_investigation"
    NOT_CREDIBLE = "not_credible"


class Gravity(StrEnum):
    """Where a violation stands under the Leahy laws."""

    GVHR = "gvhr"  # a gross violation of human rights: the Leahy bar
    POSSIBLE_GVHR = "possible_gvhr"  # decided case by case
    NOT_GVHR = "not_gvhr"  # recorded, never a Leahy bar


class Violation(StrEnum):
    EXTRAJUDICIAL_KILLING = "extrajudicial_killing"
    TORTURE = "torture"
    ENFORCED_DISAPPEARANCE = "enforced_disappearance"
    RAPE_UNDER_COLOR_OF_LAW = "rape_under_color_of_law"
    CRUEL_INHUMAN_DEGRADING_TREATMENT = "cruel_inhuman_degrading_treatment"
    PROLONGED_DETENTION_WITHOUT_CHARGES = "prolonged_detention_without_charges"
    OTHER_FLAGRANT_DENIAL = "other_flagrant_denial_of_life_liberty_security"
    CORRUPTION = "corruption"
    COLLUSION_WITH_CRIMINAL_GROUPS = "collusion_with_criminal_groups"
    EXTORTION = "extortion"
    OBSTRUCTION_OF_JUSTICE = "obstruction_of_justice"
    OTHER_MISCONDUCT = "other_misconduct"

    @property
    def gravity(self) -> Gravity:
        return GRAVITY[self]


# The Leahy classification of each violation, kept as a table an analyst can read.
GRAVITY: dict[Violation, Gravity] = {
    Violation.EXTRAJUDICIAL_KILLING: Gravity.GVHR,
    Violation.TORTURE: Gravity.GVHR,
    Violation.ENFORCED_DISAPPEARANCE: Gravity.GVHR,
    Violation.RAPE_UNDER_COLOR_OF_LAW: Gravity.GVHR,
    Violation.CRUEL_INHUMAN_DEGRADING_TREATMENT: Gravity.POSSIBLE_GVHR,
    Violation.PROLONGED_DETENTION_WITHOUT_CHARGES: Gravity.POSSIBLE_GVHR,
    Violation.OTHER_FLAGRANT_DENIAL: Gravity.POSSIBLE_GVHR,
    Violation.CORRUPTION: Gravity.NOT_GVHR,
    Violation.COLLUSION_WITH_CRIMINAL_GROUPS: Gravity.NOT_GVHR,
    Violation.EXTORTION: Gravity.NOT_GVHR,
    Violation.OBSTRUCTION_OF_JUSTICE: Gravity.NOT_GVHR,
    Violation.OTHER_MISCONDUCT: Gravity.NOT_GVHR,
}


class Law(StrEnum):
    STATE = "state"  # 22 U.S.C. 2378d
    DOD = "dod"  # 10 U.S.C. 362


class RemediationKind(StrEnum):
    EFFECTIVE_STEPS = "effective_steps"  # State, 22 U.S.C. 2378d(b)
    CORRECTIVE_STEPS = "corrective_steps"  # DoD, 10 U.S.C. 362(b)
    WAIVER = "waiver"  # DoD, 10 U.S.C. 362(c)

    @property
    def law(self) -> Law:
        return REMEDIATION_LAW[self]


# Which law each kind of remediation lifts a bar under.
REMEDIATION_LAW: dict[RemediationKind, Law] = {
    RemediationKind.EFFECTIVE_STEPS: Law.STATE,
    RemediationKind.CORRECTIVE_STEPS: Law.DOD,
    RemediationKind.WAIVER: Law.DOD,
}


class Record(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=False
    )


class ParentLink(Record):
    """One dated link to a unit above: the unit reported to it from `start` to `end`."""

    unit: Id
    start: PartialDate | None = None
    end: PartialDate | None = None

    def covers(self, start: PartialDate | None, end: PartialDate | None) -> bool:
        return spans_overlap(self.start, self.end, start, end)


# The code of the schema error for a unit that has both `parent` and `parents`.
PARENT_AND_PARENTS = "parent_and_parents"


class Unit(Record):
    model_config: ClassVar[ConfigDict] = ConfigDict(
        json_schema_extra={"not": {"required": ["parent", "parents"]}},
    )

    id: Id
    name: Name
    aliases: list[Name] = Field(default_factory=list, max_length=200)
    country: Country
    force: Force
    parent: Id | None = None
    parents: list[ParentLink] = Field(
        default_factory=list, max_length=100,
        description="Dated links to the units above, for a unit that moved; never with "
        "`parent`.",
    )
    predecessors: list[Id] = Field(default_factory=list, max_length=100)
    start: PartialDate | None = None
    end: PartialDate | None = None
    notes: Text | None = None

    @field_validator("parents")
    @classmethod
    def _not_with_parent(cls, links: list[ParentLink], info: ValidationInfo) -> list[ParentLink]:
        if info.data.get("parent"):  # `parents: []` beside `parent` too, as the schema says
            raise PydanticCustomError(
                PARENT_AND_PARENTS,
                "a unit has either `parent` (undated) or `parents` (dated links), not both; "
                "write the undated parent as a link in `parents`",
            )
        return links

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @cached_property
    def links(self) -> tuple[ParentLink, ...]:
        """Every link to a unit above: `parents`, or `parent` as one undated link."""
        if self.parent:
            return (ParentLink(unit=self.parent),)
        return tuple(self.parents)


class Post(Record):
    unit: Id
    role: Role
    rank: Name | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None

    def covers(self, start: PartialDate | None, end: PartialDate | None) -> bool:
        return spans_overlap(self.start, self.end, start, end)


class Person(Record):
    id: Id
    name: Name
    aliases: list[Name] = Field(default_factory=list, max_length=200)
    country: Country
    birth_date: PartialDate | None = None
    posts: list[Post] = Field(default_factory=list, max_length=500)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class Source(Record):
    id: Id
    title: Text
    publisher: Name
    published: PartialDate | None = None
    url: Annotated[str, Field(max_length=2000)] | None = None
    author: Name | None = None


class Remediation(Record):
    kind: RemediationKind
    date: PartialDate | None = None
    reference: Text


class Evidence(Record):
    source: Id
    quote: Text | None = None


class Allegation(Record):
    id: Id
    summary: Text
    date: PartialDate
    place: Name | None = None
    country: Country
    violations: list[Violation] = Field(min_length=1, max_length=20)
    units: list[Id] = Field(default_factory=list, max_length=1000)
    people: list[Id] = Field(default_factory=list, max_length=1000)
    credibility: Credibility
    remediation: Remediation | None = None
    evidence: list[Evidence] = Field(min_length=1, max_length=100)


class UnitsFile(Record):
    """`units.yaml`: the units and people of the registry."""

    units: list[Unit] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)


class AllegationsFile(Record):
    """`allegations.yaml`: the sources and the allegations that cite them."""

    sources: list[Source] = Field(default_factory=list)
    allegations: list[Allegation] = Field(default_factory=list)
