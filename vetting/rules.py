"""The verdict engine: which allegations reach an entity, and what verdict they make.

An allegation has one *effect* (under the law in use, as of a date): a bar
(INELIGIBLE or SUSPENDED), REVIEW, or a note on an ELIGIBLE verdict. Named
rules carry the effect to the units and people it reaches, each leaving a
`Reason` (rule code, verdict, entity, allegation, one sentence). An entity's
verdict is the worst of its reasons; a query's answer adds what matching found.

The engine works per entity and remembers what it computed, so a verdict costs
a walk up one chain of parents and the posts of the units on it, never a scan
of the registry: one `Engine` per (as-of date, law) serves a whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from vetting.codes import Code
from vetting.model import (
    Allegation,
    Credibility,
    Gravity,
    Law,
    PartialDate,
    Person,
    Post,
    Role,
    Source,
    spans_overlap,
)

if TYPE_CHECKING:
    from vetting.matching import Candidate, Matcher
    from vetting.registry import Registry


class Verdict(StrEnum):
    """What the answer says about assistance, from best to worst."""

    ELIGIBLE = "ELIGIBLE"
    REVIEW = "REVIEW"  # a person must decide
    SUSPENDED = "SUSPENDED"  # withheld pending an investigation
    INELIGIBLE = "INELIGIBLE"  # credible information of a gross violation of human rights

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @property
    def bars(self) -> bool:
        """Whether assistance is withheld (the verdicts that pass to serving members)."""
        return self in (Verdict.SUSPENDED, Verdict.INELIGIBLE)


_SEVERITY = {verdict: rank for rank, verdict in enumerate(Verdict)}


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The worst of some verdicts; ELIGIBLE when there are none."""
    return max(verdicts, key=_SEVERITY.__getitem__, default=Verdict.ELIGIBLE)


# Candidates an answer lists for each name asked, unless told otherwise (0: all).
MAX_CANDIDATES = 10

LAW_TITLES: dict[Law, str] = {
    Law.STATE: "State law (22 U.S.C. 2378d)",
    Law.DOD: "DoD law (10 U.S.C. 362)",
}
_LAW_SHORT = {Law.STATE: "State law", Law.DOD: "DoD law"}


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule reaching one entity: why the verdict is what it is."""

    rule: Code
    verdict: Verdict
    entity: str | None  # None for reasons about the query itself (no record)
    allegation: str | None
    text: str


@dataclass(frozen=True, slots=True)
class EntityVerdict:
    """An entity's verdict and every reason for it, worst first."""

    kind: str  # "unit" | "person"
    id: str
    verdict: Verdict
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class _Effect:
    """What one allegation does to whomever it reaches."""

    verdict: Verdict
    note: Code | None  # None for a bar or REVIEW; else the note's code
    phrase: str  # the clause that explains the effect

    @property
    def passes_by_command(self) -> bool:
        # Notes stay with those named and their units; a lifted bar still shows wherever
        # the bar would have reached, so the analyst sees why it does not apply.
        return self.note is None or self.note is Code.REMEDIATED


_PHRASES = {
    Verdict.INELIGIBLE: "credible information of a gross violation of human rights",
    Verdict.SUSPENDED: "a gross violation of human rights under investigation; assistance "
    "is withheld until it is resolved",
    Verdict.REVIEW: "a possible gross violation of human rights, decided case by case",
}
_ROLE_WORDS = {
    Role.COMMANDER: "commander",
    Role.DEPUTY_COMMANDER: "deputy commander",
    Role.MEMBER: "member",
}


def _words(value: str) -> str:
    return value.replace("_", " ")


class Engine:
    """Verdicts of registry entities as of one date under one law, computed on demand."""

    def __init__(self, registry: Registry, *, as_of: date, law: Law) -> None:
        self.registry = registry
        self.as_of = as_of
        self.law = law
        self._today = PartialDate.from_date(as_of)
        self._effects: dict[str, _Effect | None] = {}
        self._own: dict[str, list[Reason]] = {}
        self._commands: dict[str, list[tuple[Allegation, Person, _Effect]]] = {}
        self._units: dict[str, EntityVerdict] = {}
        self._people: dict[str, EntityVerdict] = {}

    # --- one allegation -------------------------------------------------------------

    def effect(self, allegation_id: str) -> _Effect | None:
        """The allegation's effect, or None when it is dated after the as-of date."""
        if allegation_id not in self._effects:
            self._effects[allegation_id] = self._effect(self.registry.allegations[allegation_id])
        return self._effects[allegation_id]

    def _effect(self, allegation: Allegation) -> _Effect | None:
        if allegation.date.first > self.as_of:
            return None
        if allegation.credibility is Credibility.NOT_CREDIBLE:
            return _Effect(
                Verdict.ELIGIBLE, Code.NOT_CREDIBLE,
                "judged not credible, so it is recorded but never bars",
            )
        gravities = {violation.gravity for violation in allegation.violations}
        if Gravity.GVHR in gravities:
            verdict = (
                Verdict.INELIGIBLE if allegation.credibility is Credibility.CREDIBLE
                else Verdict.SUSPENDED
            )
        elif Gravity.POSSIBLE_GVHR in gravities:
            verdict = Verdict.REVIEW
        else:
            return _Effect(
                Verdict.ELIGIBLE, Code.NOT_GVHR,
                "not a gross violation of human rights, so it is recorded but never bars",
            )
        remedy = allegation.remediation
        if remedy is None or (remedy.date is not None and remedy.date.first > self.as_of):
            return _Effect(verdict, None, _PHRASES[verdict])
        dated = f" of {remedy.date}" if remedy.date else ""
        determination = f"the {_words(remedy.kind)} determination{dated} ({remedy.reference})"
        if remedy.kind.law is self.law:
            return _Effect(
                Verdict.ELIGIBLE, Code.REMEDIATED,
                f"it would make this {verdict}, but {determination} lifts the bar under "
                f"{_LAW_SHORT[self.law]}",
            )
        return _Effect(
            verdict, None,
            f"{_PHRASES[verdict]}; {determination} lifts bars under "
            f"{_LAW_SHORT[remedy.kind.law]} only, not under {_LAW_SHORT[self.law]}",
        )

    def _describe(self, allegation: Allegation) -> str:
        where = f", {allegation.place}" if allegation.place else ""
        what = ", ".join(_words(violation) for violation in allegation.violations)
        return f"allegation {allegation.id} ({allegation.date}{where}: {what})"

    def _reaching(self, allegation_ids: Iterable[str]) -> Iterable[tuple[Allegation, _Effect]]:
        for allegation_id in allegation_ids:
            effect = self.effect(allegation_id)
            if effect is not None:
                yield self.registry.allegations[allegation_id], effect

    # --- units ----------------------------------------------------------------------

    def unit(self, unit_id: str) -> EntityVerdict:
        """A unit's verdict: rules direct, member-at-the-time, command, subunit, successor."""
        found = self._units.get(unit_id)
        if found is None:
            reasons = list(self._own_reasons(unit_id))
            reasons += self._subunit_reasons(unit_id)
            reasons += self._successor_reasons(unit_id)
            found = self._units[unit_id] = self._verdict("unit", unit_id, reasons)
        return found

    def _own_reasons(self, unit_id: str) -> list[Reason]:
        """Rules 1-3: the allegations that reach the unit itself."""
        found = self._own.get(unit_id)
        if found is not None:
            return found
        registry = self.registry
        unit = registry.units[unit_id]
        reasons: list[Reason] = []
        for allegation, effect in self._reaching(registry.allegations_by_unit.get(unit_id, ())):
            reasons.append(self._reason(
                Code.DIRECT, effect, unit_id, allegation,
                f"{unit.name} is named in {self._describe(allegation)}",
            ))
        for person_id, index in registry.posts_by_unit.get(unit_id, ()):
            person = registry.people[person_id]
            post = person.posts[index]
            for allegation, effect in self._reaching(
                registry.allegations_by_person.get(person_id, ())
            ):
                if post.role is Role.COMMANDER and effect.passes_by_command:
                    continue  # the command rule below speaks for commanders
                if post.covers(allegation.date, allegation.date):
                    reasons.append(self._reason(
                        Code.MEMBER_AT_THE_TIME, effect, unit_id, allegation,
                        f"{person.name} ({person_id}), named in {self._describe(allegation)}, "
                        f"held a post ({_ROLE_WORDS[post.role]}) in {unit.name} at the time",
                    ))
        for commanded in (unit_id, *registry.ancestors(unit_id)):
            for allegation, person, effect in self._commanded_at(commanded):
                if commanded == unit_id:
                    where = f"commanded {unit.name} at the time"
                elif spans_overlap(unit.start, unit.end, allegation.date, allegation.date):
                    above = registry.units[commanded]
                    where = (f"commanded {above.name} ({commanded}) at the time, and "
                             f"{unit.name} is below it")
                else:
                    continue  # the unit did not exist then, so it was under no one's command
                reasons.append(self._reason(
                    Code.COMMAND, effect, unit_id, allegation,
                    f"{person.name} ({person.id}), named in {self._describe(allegation)}, "
                    f"{where}",
                ))
        self._own[unit_id] = reasons
        return reasons

    def _commanded_at(self, unit_id: str) -> list[tuple[Allegation, Person, _Effect]]:
        """Allegations naming a person who commanded this unit on the allegation's date."""
        found = self._commands.get(unit_id)
        if found is None:
            found = []
            registry = self.registry
            for person_id, index in registry.posts_by_unit.get(unit_id, ()):
                person = registry.people[person_id]
                post = person.posts[index]
                if post.role is not Role.COMMANDER:
                    continue
                for allegation, effect in self._reaching(
                    registry.allegations_by_person.get(person_id, ())
                ):
                    if effect.passes_by_command and post.covers(allegation.date, allegation.date):
                        found.append((allegation, person, effect))
            self._commands[unit_id] = found
        return found

    def _subunit_reasons(self, unit_id: str) -> Iterable[Reason]:
        registry = self.registry
        unit = registry.units[unit_id]
        for ancestor_id in registry.ancestors(unit_id):
            ancestor = registry.units[ancestor_id]
            for barred in self._own_reasons(ancestor_id):
                if barred.rule not in (Code.DIRECT, Code.MEMBER_AT_THE_TIME):
                    continue
                if not barred.verdict.bars or barred.allegation is None:
                    continue
                allegation = registry.allegations[barred.allegation]
                if not spans_overlap(unit.start, unit.end, allegation.date, allegation.date):
                    continue  # it did not exist then, so it cannot have taken part
                yield Reason(
                    Code.SUBUNIT, Verdict.REVIEW, unit_id, allegation.id,
                    f"{unit.name} is below {ancestor.name} ({ancestor_id}), which is "
                    f"{barred.verdict} by {self._describe(allegation)}; the bar does not pass "
                    f"down by itself, but someone must check whether {unit.name} took part.",
                )

    def _successor_reasons(self, unit_id: str) -> Iterable[Reason]:
        registry = self.registry
        unit = registry.units[unit_id]
        for predecessor_id in unit.predecessors:
            predecessor = registry.units.get(predecessor_id)
            if predecessor is None:
                continue
            for barred in self._own_reasons(predecessor_id):
                if not barred.verdict.bars or barred.allegation is None:
                    continue
                allegation = registry.allegations[barred.allegation]
                yield Reason(
                    Code.SUCCESSOR, Verdict.REVIEW, unit_id, allegation.id,
                    f"{unit.name} succeeds {predecessor.name} ({predecessor_id}), which is "
                    f"{barred.verdict} by {self._describe(allegation)}; someone must check "
                    "whether the bar carries over to the successor.",
                )

    # --- people ---------------------------------------------------------------------

    def person(self, person_id: str) -> EntityVerdict:
        """A person's verdict: rules direct and serving member."""
        found = self._people.get(person_id)
        if found is None:
            registry = self.registry
            person = registry.people[person_id]
            reasons = [
                self._reason(
                    Code.DIRECT, effect, person_id, allegation,
                    f"{person.name} is named in {self._describe(allegation)}",
                )
                for allegation, effect in self._reaching(
                    registry.allegations_by_person.get(person_id, ())
                )
            ]
            for post in person.posts:
                reasons += self._serving_reasons(person, post)
            found = self._people[person_id] = self._verdict("person", person_id, reasons)
        return found

    def _serving_reasons(self, person: Person, post: Post) -> Iterable[Reason]:
        if not post.covers(self._today, self._today) or post.unit not in self.registry.units:
            return
        unit = self.registry.units[post.unit]
        for barred in self.unit(post.unit).reasons:
            if barred.verdict.bars:
                yield Reason(
                    Code.SERVING_MEMBER, barred.verdict, person.id, barred.allegation,
                    f"On {self.as_of}, {person.name} holds a post ({_ROLE_WORDS[post.role]}) "
                    f"in {unit.name} ({unit.id}), which is {barred.verdict} "
                    f"({barred.rule.slug}, allegation {barred.allegation}).",
                )

    # --- shared ---------------------------------------------------------------------

    def entity(self, kind: str, entity_id: str) -> EntityVerdict:
        return self.unit(entity_id) if kind == "unit" else self.person(entity_id)

    @staticmethod
    def _reason(
        rule: Code, effect: _Effect, entity_id: str, allegation: Allegation, reach: str
    ) -> Reason:
        return Reason(
            effect.note or rule, effect.verdict, entity_id, allegation.id,
            f"{reach}: {effect.phrase}.",
        )

    def _verdict(self, kind: str, entity_id: str, reasons: list[Reason]) -> EntityVerdict:
        # One reason per allegation: the worst, and of equals the most direct rule.
        kept: dict[str | None, Reason] = {}
        for reason in reasons:
            held = kept.get(reason.allegation)
            if held is None or reason.verdict.severity > held.verdict.severity:
                kept[reason.allegation] = reason
        ordered = sorted(kept.values(), key=self._order)
        return EntityVerdict(kind, entity_id, worst(r.verdict for r in ordered), tuple(ordered))

    def _order(self, reason: Reason) -> tuple[int, str, int, str]:
        allegation = self.registry.allegations.get(reason.allegation or "")
        recent = -allegation.date.first.toordinal() if allegation else 0
        return (-reason.verdict.severity, reason.rule.code, recent, reason.allegation or "")


# --- answering a query ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    """What was asked: a unit, or a person (optionally of a unit)."""

    kind: str  # "unit" | "person"
    name: str
    unit: str | None = None
    birth_date: PartialDate | None = None
    country: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "unit": self.unit,
            "birth_date": str(self.birth_date) if self.birth_date else None,
            "country": self.country,
        }


@dataclass(frozen=True, slots=True)
class Match:
    """A candidate the matcher found, with its entity's own verdict."""

    candidate: Candidate
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class RegistryInfo:
    digest: str
    units: int
    people: int
    allegations: int

    @classmethod
    def of(cls, registry: Registry) -> RegistryInfo:
        return cls(
            registry.digest, len(registry.units), len(registry.people),
            len(registry.allegations),
        )


@dataclass(frozen=True)
class Answer:
    """The verdict on one query, its reasons and the sources they rest on."""

    query: Query
    as_of: date
    law: Law
    verdict: Verdict
    matches: tuple[Match, ...]
    reasons: tuple[Reason, ...]
    sources: tuple[Source, ...]  # numbered from 1 in order of first use
    citations: tuple[tuple[int, ...], ...]  # per reason, the numbers of its sources
    registry: RegistryInfo
    more_matches: int = 0  # candidates found but not listed in `matches` (--max-candidates)
    valid_until: date = field(init=False)
    duty_to_inform: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "valid_until", a_year_after(self.as_of))
        object.__setattr__(
            self, "duty_to_inform", self.verdict is Verdict.INELIGIBLE and self.law is Law.STATE
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `vet unit --format json` (also each row of batch jsonl)."""
        return {
            "query": self.query.to_dict(),
            "as_of": self.as_of.isoformat(),
            "law": str(self.law),
            "verdict": str(self.verdict),
            "matches": [
                {
                    "id": match.candidate.id,
                    "kind": match.candidate.kind,
                    "name": match.candidate.name,
                    "matched_name": match.candidate.matched_name,
                    "score": match.candidate.score,
                    "band": str(match.candidate.band),
                    "verdict": str(match.verdict),
                    "explanation": list(match.candidate.explanation),
                }
                for match in self.matches
            ],
            "more_matches": self.more_matches,
            "reasons": [
                {
                    "rule": reason.rule.slug,
                    "code": reason.rule.code,
                    "verdict": str(reason.verdict),
                    "entity": reason.entity,
                    "allegation": reason.allegation,
                    "text": reason.text,
                    "sources": list(cited),
                }
                for reason, cited in zip(self.reasons, self.citations, strict=True)
            ],
            "sources": [
                {
                    "n": number,
                    "id": source.id,
                    "title": source.title,
                    "publisher": source.publisher,
                    "published": str(source.published) if source.published else None,
                    "url": source.url,
                }
                for number, source in enumerate(self.sources, start=1)
            ],
            "valid_until": self.valid_until.isoformat(),
            "duty_to_inform": self.duty_to_inform,
            "registry": {
                "digest": self.registry.digest,
                "units": self.registry.units,
                "people": self.registry.people,
                "allegations": self.registry.allegations,
            },
        }


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    return answer.to_dict()


def a_year_after(day: date) -> date:
    """The same day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@dataclass(frozen=True, slots=True)
class _Part:
    """What matching one name found: the matches, the reasons they give, and how many
    of the matches an answer lists (the best first; the reasons come from all)."""

    matches: tuple[Match, ...]
    reasons: tuple[Reason, ...]
    listed: int | None = None  # None: all

    @property
    def shown(self) -> tuple[Match, ...]:
        return self.matches if self.listed is None else self.matches[: self.listed]

    @property
    def unlisted(self) -> int:
        return len(self.matches) - len(self.shown)

    @property
    def verdict(self) -> Verdict:
        return worst(reason.verdict for reason in self.reasons)


def _part(
    engine: Engine, kind: str, name: str, candidates: Sequence[Candidate], cap: int | None
) -> _Part:
    seen: set[str] = set()
    matches: list[Match] = []
    for candidate in candidates:
        if candidate.id not in seen:  # one entity, once: its best-ranked name
            seen.add(candidate.id)
            matches.append(Match(candidate, engine.entity(candidate.kind, candidate.id).verdict))
    matched = [match for match in matches if match.candidate.band == "match"]
    possible = [match for match in matches if match.candidate.band != "match"]
    reasons: list[Reason] = []
    for match in matched:
        entity = engine.entity(match.candidate.kind, match.candidate.id)
        reasons += entity.reasons
        if not entity.reasons:
            reasons.append(Reason(
                Code.CLEAR_RECORD, Verdict.ELIGIBLE, entity.id, None,
                f"{match.candidate.name} ({entity.id}) is in the registry and no allegation "
                f"reaches it as of {engine.as_of} under {_LAW_SHORT[engine.law]}.",
            ))
    if len(matched) > 1:
        verdicts = {match.verdict for match in matched}
        listed = "; ".join(
            f"{match.candidate.name} ({match.candidate.id}): {match.verdict}" for match in matched
        )
        reasons.append(Reason(
            Code.AMBIGUOUS_MATCH, Verdict.REVIEW if len(verdicts) > 1 else Verdict.ELIGIBLE,
            None, None,
            f"{len(matched)} {kind}s match {name!r} and the registry cannot tell which is "
            f"meant ({listed}); the answer takes the worst of their verdicts.",
        ))
    # A name that matched takes that entity's verdict; the possible candidates beside it
    # are listed, but only when nothing matched does a barred possible make the answer
    # REVIEW (otherwise every exact name would wait on its weaker look-alikes).
    for match in () if matched else possible:
        if match.verdict is Verdict.ELIGIBLE:
            continue
        entity = engine.entity(match.candidate.kind, match.candidate.id)
        first = entity.reasons[0]
        more = len(entity.reasons) - 1
        also = f" (and {more} more reason{'s' if more > 1 else ''})" if more else ""
        reasons.append(Reason(
            Code.POSSIBLE_MATCH, Verdict.REVIEW, entity.id, first.allegation,
            f"{name!r} may be {match.candidate.name} ({entity.id}, score "
            f"{match.candidate.score:.0f}, a possible match), which is {match.verdict} "
            f"({first.rule.slug}, allegation {first.allegation}){also}; a person must decide "
            "whether they are the same.",
        ))
    if not matched and not any(reason.rule is Code.POSSIBLE_MATCH for reason in reasons):
        shown = len(possible) if cap is None else min(cap, len(possible))
        tail = (
            f"; the {len(possible)} possible match{'es' if len(possible) > 1 else ''} "
            f"{'listed' if shown == len(possible) else f'found ({shown} listed)'} carry no bar"
            if possible else ""
        )
        reasons.append(Reason(
            Code.NO_RECORD, Verdict.ELIGIBLE, None, None,
            f"No {kind} in the registry matches {name!r}: no record in the registry{tail}.",
        ))
    return _Part(tuple(matches), tuple(reasons), cap)


def _answer(
    engine: Engine, query: Query, part: _Part, unit_part: _Part | None
) -> Answer:
    matches = part.shown
    more = part.unlisted
    reasons = list(part.reasons)
    if unit_part is not None:
        matches += unit_part.shown
        more += unit_part.unlisted
        reasons += unit_part.reasons
        unit_verdict = unit_part.verdict
        matched_units = [m for m in unit_part.matches if m.candidate.band == "match"]
        reasons.append(Reason(
            Code.UNIT_AND_PERSON, unit_verdict,
            matched_units[0].candidate.id if len(matched_units) == 1 else None, None,
            f"Vetted as a member of {query.unit!r}, which is {unit_verdict}, so the answer "
            f"is the worse of the person's verdict ({part.verdict}) and the unit's.",
        ))
    # Worst first; equal verdicts keep the order they were found in.
    reasons.sort(key=lambda reason: -reason.verdict.severity)
    sources, citations = _cite(engine.registry, reasons)
    return Answer(
        query=query,
        as_of=engine.as_of,
        law=engine.law,
        verdict=worst(reason.verdict for reason in reasons),
        matches=matches,
        reasons=tuple(reasons),
        sources=sources,
        citations=citations,
        registry=RegistryInfo.of(engine.registry),
        more_matches=more,
    )


def _cite(
    registry: Registry, reasons: Sequence[Reason]
) -> tuple[tuple[Source, ...], tuple[tuple[int, ...], ...]]:
    """Number the sources the reasons rest on, in order of first use."""
    numbers: dict[str, int] = {}
    citations: list[tuple[int, ...]] = []
    for reason in reasons:
        allegation = registry.allegations.get(reason.allegation or "")
        cited: list[int] = []
        for evidence in allegation.evidence if allegation else ():
            if evidence.source not in registry.sources:
                continue
            number = numbers.setdefault(evidence.source, len(numbers) + 1)
            if number not in cited:
                cited.append(number)
        citations.append(tuple(cited))
    sources = tuple(registry.sources[source_id] for source_id in numbers)
    return sources, tuple(citations)


def vet_queries(
    registry: Registry,
    matcher: Matcher,
    queries: Sequence[Query],
    *,
    as_of: date,
    law: Law,
    engine: Engine | None = None,
    max_candidates: int = MAX_CANDIDATES,
) -> list[Answer]:
    """Answer many queries; each distinct name is matched once, in bulk.

    An answer lists the best `max_candidates` candidates of each name (0: all) and
    counts the others (`Answer.more_matches`); its verdict comes from all of them.
    """
    engine = engine or Engine(registry, as_of=as_of, law=law)
    cap = max_candidates or None
    unit_names: dict[str | None, dict[str, None]] = {}
    for query in queries:
        name = query.name if query.kind == "unit" else query.unit
        if name is not None:
            unit_names.setdefault(query.country, {})[name] = None
    units_found: dict[tuple[str, str | None], list[Candidate]] = {}
    for country, names in unit_names.items():
        listed = list(names)
        for name, candidates in zip(
            listed, matcher.match_units(listed, country=country, limit=None), strict=True
        ):
            units_found[name, country] = candidates
    people = list(dict.fromkeys(
        (query.name, query.birth_date, query.country)
        for query in queries if query.kind == "person"
    ))
    people_found = dict(zip(people, matcher.match_people(
        [name for name, _, _ in people],
        birth_dates=[birth_date for _, birth_date, _ in people],
        countries=[country for _, _, country in people],
        limit=None, explain=cap,
    ), strict=True)) if people else {}

    parts: dict[tuple[Any, ...], _Part] = {}

    def part(kind: str, name: str, key: tuple[Any, ...], found: Mapping[Any, Any]) -> _Part:
        if (kind, *key) not in parts:
            parts[(kind, *key)] = _part(engine, kind, name, found[key], cap)
        return parts[(kind, *key)]

    answers: list[Answer] = []
    for query in queries:
        if query.kind == "unit":
            answers.append(_answer(
                engine, query, part("unit", query.name, (query.name, query.country), units_found),
                None,
            ))
            continue
        person_part = part(
            "person", query.name, (query.name, query.birth_date, query.country), people_found
        )
        unit_part = None if query.unit is None else part(
            "unit", query.unit, (query.unit, query.country), units_found
        )
        answers.append(_answer(engine, query, person_part, unit_part))
    return answers


def vet_query(
    registry: Registry, matcher: Matcher, query: Query, *, as_of: date, law: Law,
    max_candidates: int = MAX_CANDIDATES,
) -> Answer:
    """Answer one query: match its name, then take the verdicts of what it matched."""
    return vet_queries(registry, matcher, [query], as_of=as_of, law=law,
                       max_candidates=max_candidates)[0]
