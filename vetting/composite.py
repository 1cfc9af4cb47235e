"""A roster row's unit cell as clerks write it: several units, each a path.

A cell is cut into parts (`vetting.cells`), and a part into the pieces of a
path (`vetting.context`). Each part is answered on its own, and the row takes
the worst part's verdict:

- a part with one unit piece (places and forces around it are context) is one
  query, matched as `vet unit` matches it;
- a part with several unit pieces ("OFFICE OF THE CHIEF OF STAFF FOR INTEL,
  7TH ID, PHIL ARMY") asks each piece, most specific first, with the part's
  places and forces around it. The most specific piece the registry matches is
  what the part names; pieces further on that match a unit above it are where
  it sits, not more units. When the pieces before it match nothing, the part
  names an unknown unit inside it: rule VET510, REVIEW when that unit is not
  ELIGIBLE (never ELIGIBLE), a note otherwise; the registered unit is listed
  with band `inside`, never as a match;
- a part too long to be one unit name (over 300 characters, no separator) is
  REVIEW under rule VET511: a person must read it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from vetting.cells import split_cell
from vetting.codes import Code
from vetting.context import countries_in, read_path
from vetting.matching import Band
from vetting.names import forces, parse_unit
from vetting.rules import (
    MAX_CANDIDATES,
    Answer,
    Match,
    Query,
    Reason,
    RegistryInfo,
    Verdict,
    inside_reason,
    vet_queries,
    worst,
)

if TYPE_CHECKING:
    from datetime import date

    from vetting.matching import Matcher
    from vetting.model import Law, PartialDate
    from vetting.registry import Registry

PART_LIMIT = 300  # a part longer than this is no unit name (the registry's own limit)


@dataclass(frozen=True, slots=True)
class Plan:
    """What one part of a row asks: a query per unit piece; none when it is unread."""

    text: str
    query: Query  # the part as a whole, as answers show it
    pieces: tuple[Query, ...]
    units: tuple[str, ...] = ()  # the unit piece each query asks, when there are several


@dataclass(frozen=True, slots=True)
class PartAnswer:
    """One part of a unit cell and its answer."""

    number: int  # 1-based, in the order written
    text: str
    answer: Answer


def split_unit(unit: str) -> tuple[str, ...]:
    """The parts of a unit cell (see `vetting.cells`)."""
    return split_cell(unit)


@lru_cache(maxsize=1 << 16)  # rows that ask alike are planned once
def plan(
    kind: str,
    name: str | None,
    parts: tuple[str, ...],
    birth_date: PartialDate | None,
    country: str | None,
) -> tuple[Plan, ...]:
    """The queries a row asks: per part of its unit cell, one per unit piece."""

    def ask(unit: str, country: str | None = country) -> Query:
        if kind == "person":
            assert name is not None
            return Query("person", name, unit, birth_date, country)
        return Query("unit", unit, country=country)

    if kind == "person" and not parts:
        assert name is not None
        whole = Query("person", name, None, birth_date, country)
        return (Plan(name, whole, (whole,)),)
    plans: list[Plan] = []
    for part in parts:
        if len(part) > PART_LIMIT:
            pieces: tuple[Query, ...] = ()
            if kind == "person":
                assert name is not None
                pieces = (Query("person", name, None, birth_date, country),)
            plans.append(Plan(part, ask(part), pieces))
            continue
        path = read_path(part)
        units = path.units
        # A path that names its country ("..., PHIL MARINE CORPS") says it for every piece.
        named = countries_in(part)
        here = next(iter(named)) if country is None and len(named) == 1 else country
        if sum(piece.kind == "unit" for piece in path.pieces) <= 1:
            plans.append(Plan(part, ask(part), (ask(part),)))
        else:
            plans.append(Plan(part, ask(part),
                              tuple(ask(path.query(unit), here) for unit in units), units))
    return tuple(plans)


def answer_part(
    step: Plan, answers: list[Answer], registry: Registry, as_of: date, law: Law
) -> Answer:
    """The answer to one part from the answers to its pieces (in `step.pieces` order)."""
    if len(step.text) > PART_LIMIT:
        unread = Reason(
            Code.UNREAD_PART, Verdict.REVIEW, None, None,
            f"this part of the unit cell is {len(step.text):,} characters long, more than one "
            f"unit name can be ({PART_LIMIT}), with no separator vet reads (;, a line break, "
            "' / ', or a head count in brackets): a person must read it.",
        )
        return _merged(step.query, [*answers, _answer(step.query, [unread], [], [],
                                                      registry, as_of, law)])
    if len(answers) == 1:
        return answers[0]
    kept: list[Answer] = []
    named: list[str] = []  # units the part names, most specific first
    for index, answer in enumerate(answers):
        matched = [match for match in answer.matches if match.candidate.band == Band.MATCH]
        if not matched:
            if not named:
                kept.append(answer)  # what it may be still counts (a barred possible)
            continue
        above = [unit for unit in named
                 if any(match.candidate.id in registry.ancestors(unit) for match in matched)]
        if above:
            continue  # where the unit named before sits, not another unit
        if index and not named and not _other_forces(step.units[:index], step.units[index]):
            # The pieces before name nothing the registry holds: a unit inside this one
            # (unless their force is another: "SEDENA SOF, SEMAR SOF, Federal Police" is a
            # list of three).
            kept.append(_inside(step, answer, matched[0], registry, as_of, law))
        else:
            kept.append(answer)
        named.extend(match.candidate.id for match in matched)
    return _merged(step.query, kept)


def _other_forces(before: tuple[str, ...], piece: str) -> bool:
    """Whether a piece before another names a force the other's contradicts."""
    theirs = forces(parse_unit(piece).concepts)
    return bool(theirs) and any(
        (mine := forces(parse_unit(unit).concepts)) and not mine & theirs for unit in before
    )


def _inside(
    step: Plan, answer: Answer, container: Match, registry: Registry, as_of: date, law: Law
) -> Answer:
    first = next((reason for reason in answer.reasons
                  if reason.entity == container.candidate.id
                  and reason.verdict is container.verdict), None)
    reason = inside_reason(step.text, container, first)
    candidate = container.candidate
    shown = Match(replace(candidate, band=Band.INSIDE, explanation=(
        *candidate.explanation, "the pieces before it name a unit inside this one",
    )), container.verdict)
    cited = [answer] if first is not None else []
    return _answer(step.query, [reason], [shown], cited, registry, as_of, law, first)


def _answer(
    query: Query,
    reasons: list[Reason],
    matches: list[Match],
    cited_from: list[Answer],
    registry: Registry,
    as_of: date,
    law: Law,
    same_as: Reason | None = None,
) -> Answer:
    """An answer of new reasons; a reason cites what `same_as` cites in `cited_from`."""
    sources = ()
    citations: tuple[tuple[int, ...], ...] = tuple(() for _ in reasons)
    if cited_from and same_as is not None:
        source = cited_from[0]
        numbers = source.citations[source.reasons.index(same_as)]
        sources = tuple(source.sources[number - 1] for number in numbers)
        citations = (tuple(range(1, len(numbers) + 1)), *citations[1:])
    verdict = worst(reason.verdict for reason in reasons)
    return Answer(query, as_of, law, verdict, tuple(matches), tuple(reasons), sources,
                  citations, RegistryInfo.of(registry))


def _merged(query: Query, answers: list[Answer]) -> Answer:
    """One answer of several: the worst verdict, every match and reason, sources renumbered."""
    if len(answers) == 1 and answers[0].query == query:
        return answers[0]
    reasons: list[tuple[Reason, tuple[int, ...]]] = []
    numbers: dict[str, int] = {}
    sources = []
    for answer in answers:
        for reason, cited in zip(answer.reasons, answer.citations, strict=True):
            renumbered = []
            for number in cited:
                source = answer.sources[number - 1]
                if source.id not in numbers:
                    numbers[source.id] = len(numbers) + 1
                    sources.append(source)
                renumbered.append(numbers[source.id])
            reasons.append((reason, tuple(renumbered)))
    reasons.sort(key=lambda pair: -pair[0].verdict.severity)
    matches: dict[tuple[str, str], Match] = {}
    for answer in answers:
        for match in answer.matches:
            matches.setdefault((match.candidate.id, match.candidate.band), match)
    first = answers[0]
    return Answer(
        query, first.as_of, first.law,
        worst(answer.verdict for answer in answers),
        tuple(matches.values()), tuple(reason for reason, _ in reasons), tuple(sources),
        tuple(cited for _, cited in reasons), first.registry,
    )


def deciding(parts: tuple[PartAnswer, ...]) -> PartAnswer:
    """The part whose verdict is the row's: the worst, the first written on a tie."""
    return max(parts, key=lambda part: (part.answer.verdict.severity, -part.number))


def vet_as_written(
    registry: Registry, matcher: Matcher, query: Query, *, as_of: date, law: Law,
    max_candidates: int = MAX_CANDIDATES,
) -> Answer:
    """`vet unit` and `vet person --unit`: the unit read as a roster cell is.

    Several units give one answer, the worst of their parts, with every part's
    matches and reasons.
    """
    unit = query.name if query.kind == "unit" else query.unit
    parts = (split_unit(unit) or (unit,)) if unit else ()
    steps = plan(query.kind, query.name if query.kind == "person" else None, parts,
                 query.birth_date, query.country)
    asked = list(dict.fromkeys(piece for step in steps for piece in step.pieces))
    answers = dict(zip(asked, vet_queries(registry, matcher, asked, as_of=as_of, law=law,
                                           max_candidates=max_candidates),
                       strict=True))
    found = [answer_part(step, [answers[piece] for piece in step.pieces], registry, as_of, law)
             for step in steps]
    return _merged(query, found)
