"""The verdict engine: which allegations reach an entity, and what verdict they make.

An allegation has one *effect* (under the law in use, as of a date): a bar
(INELIGIBLE or SUSPENDED), REVIEW, or a note on an ELIGIBLE verdict. Named
rules carry the effect to the units and people it reaches, each leaving a
`Reason` (rule code, verdict, entity, allegation, one sentence). An entity's
verdict is the worst of its reasons; a query's answer adds what matching found.

The engine works per entity and remembers what it computed, so a verdict costs
a walk up the parent links of the unit (as they stood on the day that matters)
and the posts of the units on them, never a scan of the registry: one `Engine`
per (as-of date, law) serves a whole batch. A query that names a unit also
learns which barred units it holds (contains-barred): that is worked out once
per engine, from the few units an allegation can reach, walked up once each.
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
    Unit,
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
# How many barred units inside a unit the reason's text names; JSON lists them all.
CONTAINS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Inside:
    """A barred unit below the unit asked about, and the reason that bars it."""

    id: str
    name: str
    verdict: Verdict
    rule: Code
    allegation: str | None
    sources: tuple[str, ...]  # the ids of the sources its allegation cites

    def to_dict(self, numbers: Mapping[str, int]) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "verdict": str(self.verdict),
            "rule": self.rule.slug, "code": self.rule.code, "allegation": self.allegation,
            "sources": [numbers[source] for source in self.sources if source in numbers],
        }


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule reaching one entity: why the verdict is what it is."""

    rule: Code
    verdict: Verdict
    entity: str | None  # None for reasons about the query itself (no record)
    allegation: str | None
    text: str
    inside: tuple[Inside, ...] = ()  # contains-barred: every barred unit below


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
        self._above: dict[tuple[str, PartialDate], list[str]] = {}
        self._candidates: dict[str, list[str]] | None = None
        self._inside: dict[str, list[str]] = {}
        self._asked: dict[str, EntityVerdict] = {}

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
        # A determination dated by its month or year lifts the bar only once that whole
        # month or year has passed: before then it may not have been made yet.
        if remedy is None or (remedy.date is not None and remedy.date.last > self.as_of):
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
            reasons += self._commander_reasons(unit_id)
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
                elif not spans_overlap(unit.start, unit.end, allegation.date, allegation.date):
                    continue  # the unit did not exist then, so it was under no one's command
                elif commanded not in self._above_on(unit_id, allegation.date):
                    continue  # it was not below that unit then (it moved in later, or out)
                else:
                    above = registry.units[commanded]
                    where = (f"commanded {above.name} ({commanded}) at the time, and "
                             f"{unit.name} was below it then")
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
                if ancestor_id not in self._above_on(unit_id, allegation.date):
                    continue  # it joined that unit later (or had left it)
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

    def _commander_reasons(self, unit_id: str) -> Iterable[Reason]:
        """Rule current-commander: the unit is vetted with whoever commands it on as-of.

        Only the allegations naming the commander count, not the verdicts that reach
        him or her by serving in a unit (that would lead back here).
        """
        registry = self.registry
        unit = registry.units[unit_id]
        for person_id, index in registry.posts_by_unit.get(unit_id, ()):
            person = registry.people[person_id]
            post = person.posts[index]
            if post.role is not Role.COMMANDER or not post.covers(self._today, self._today):
                continue
            for allegation, effect in self._reaching(
                registry.allegations_by_person.get(person_id, ())
            ):
                if effect.passes_by_command:
                    yield self._reason(
                        Code.CURRENT_COMMANDER, effect, unit_id, allegation,
                        f"{person.name} ({person_id}), who commands {unit.name} on "
                        f"{self.as_of} and is vetted with it, is named in "
                        f"{self._describe(allegation)}",
                    )

    def _above_on(self, unit_id: str, day: PartialDate) -> list[str]:
        """The units above a unit through the links in force on a (partial) date."""
        key = (unit_id, day)
        found = self._above.get(key)
        if found is None:
            found = self._above[key] = self.registry.ancestors(unit_id, day, day)
        return found

    # --- units inside a unit --------------------------------------------------------

    def barred_inside(self, unit_id: str) -> list[EntityVerdict]:
        """The units below a unit on the as-of date that are INELIGIBLE or SUSPENDED.

        Worst first, then by name. Only the units an allegation can bar are looked
        at (see `_could_be_barred_below`), and only those below this unit are judged.
        """
        if not self.registry.children.get(unit_id):
            return []
        found = self._inside.get(unit_id)
        if found is None:
            found = [
                below for below in self._could_be_barred_below().get(unit_id, ())
                if self.unit(below).verdict.bars
            ]
            found.sort(key=lambda below: (
                -self.unit(below).verdict.severity, self.registry.units[below].name, below,
            ))
            self._inside[unit_id] = found
        return [self.unit(below) for below in found]

    def _could_be_barred_below(self) -> dict[str, list[str]]:
        # A unit can only be barred by an allegation that names it, or names a person
        # who held a post in it, or commanded it or a unit above it. Those units are
        # found once, each filed under every unit above it on the as-of date (one walk
        # up each), so a query never scans the units below the unit it names, and
        # judges only those of the few that are below it.
        if self._candidates is not None:
            return self._candidates
        registry = self.registry
        judged: dict[str, None] = dict.fromkeys(registry.allegations_by_unit)
        commanded: list[str] = []
        for person_id in registry.allegations_by_person:
            person = registry.people.get(person_id)
            for post in person.posts if person is not None else ():
                judged[post.unit] = None
                if post.role is Role.COMMANDER:
                    commanded.append(post.unit)
        # Every unit ever below a commanded one, in one walk however many commanders.
        walked = set(commanded)
        while commanded:
            for child in registry.children.get(commanded.pop(), ()):
                if child not in walked:
                    walked.add(child)
                    judged[child] = None
                    commanded.append(child)
        below: dict[str, list[str]] = {}
        for unit_id in judged:
            unit = registry.units.get(unit_id)
            if unit is None or not unit.links:
                continue
            if not spans_overlap(unit.start, unit.end, self._today, self._today):
                continue  # disbanded, or not yet formed: inside nothing on that day
            for above in self._above_on(unit_id, self._today):
                below.setdefault(above, []).append(unit_id)
        self._candidates = below
        return below

    def _contains_barred(self, unit_id: str) -> Reason | None:
        """Rule contains-barred: the query names a unit that holds barred units."""
        barred = self.barred_inside(unit_id)
        if not barred:
            return None
        registry = self.registry
        unit = registry.units[unit_id]
        inside = tuple(
            Inside(found.id, registry.units[found.id].name, found.verdict,
                   found.reasons[0].rule, found.reasons[0].allegation,
                   self._sources_of(found.reasons[0].allegation))
            for found in barred
        )
        shown = "; ".join(
            f"{entry.name} ({entry.id}), {entry.verdict} ({entry.rule.slug}"
            f"{f', allegation {entry.allegation}' if entry.allegation else ''})"
            for entry in inside[:CONTAINS_SHOWN]
        )
        rest = len(inside) - CONTAINS_SHOWN
        more = f"; and {rest} more" if rest > 0 else ""
        count = f"{len(inside)} unit{'s' if len(inside) > 1 else ''}"
        text = (
            f"{unit.name} ({unit_id}) has {count} below it that "
            f"{'are' if len(inside) > 1 else 'is'} barred on {self.as_of} under "
            f"{_LAW_SHORT[self.law]}: {shown}{more}. Their bars do not bar {unit.name} "
            "itself, but assistance to it as a whole can reach them: a person must decide, "
            "and the units that will receive it should be identified."
        )
        if self.law is Law.STATE:
            text += (
                " When the recipient units cannot be identified before the transfer, "
                "22 U.S.C. 2378d(c) requires giving the recipient government the list of "
                "units prohibited from receiving assistance and obtaining its written "
                "agreement that they will not receive it."
            )
        return Reason(Code.CONTAINS_BARRED, Verdict.REVIEW, unit_id, None, text, inside)

    def _sources_of(self, allegation_id: str | None) -> tuple[str, ...]:
        allegation = self.registry.allegations.get(allegation_id or "")
        if allegation is None:
            return ()
        return tuple(dict.fromkeys(evidence.source for evidence in allegation.evidence))

    def asked(self, kind: str, entity_id: str) -> EntityVerdict:
        """The verdict of an entity a query names: a unit's own, and what it holds."""
        if kind != "unit":
            return self.person(entity_id)
        found = self._asked.get(entity_id)
        if found is None:
            own = self.unit(entity_id)
            held = self._contains_barred(entity_id)
            found = own if held is None else EntityVerdict(
                "unit", entity_id, worst((own.verdict, held.verdict)),
                tuple(sorted((*own.reasons, held), key=lambda r: -r.verdict.severity)),
            )
            self._asked[entity_id] = found
        return found

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

    def to_dict(self) -> dict[str, Any]:
        return {"digest": self.digest, "units": self.units, "people": self.people,
                "allegations": self.allegations}


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
        numbers = {source.id: number for number, source in enumerate(self.sources, start=1)}
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
                } | ({"barred_units": [inside.to_dict(numbers) for inside in reason.inside]}
                     if reason.inside else {})
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
    engine: Engine, kind: str, name: str, candidates: Sequence[Candidate], cap: int | None,
    *, asked: bool, country: str | None = None,
) -> _Part:
    """What one name found. `asked`: the query names it itself (not a person's unit), so
    a unit's answer includes the barred units it holds (contains-barred). `country`:
    the one the query gave, if any. `cap`: how many candidates the answer lists."""

    def verdict_of(candidate: Candidate) -> EntityVerdict:
        if asked:
            return engine.asked(candidate.kind, candidate.id)
        return engine.entity(candidate.kind, candidate.id)

    seen: set[str] = set()
    matches: list[Match] = []
    for candidate in candidates:
        if candidate.id not in seen:  # one entity, once: its best-ranked name
            seen.add(candidate.id)
            matches.append(Match(candidate, verdict_of(candidate).verdict))
    matched = [match for match in matches if match.candidate.band == "match"]
    possible = [match for match in matches if match.candidate.band == "possible"]
    reasons: list[Reason] = []
    for match in matched:
        entity = verdict_of(match.candidate)
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
    # REVIEW (otherwise every exact name would wait on its weaker look-alikes). Unless
    # no country was given and the possible one is of another country than every match:
    # "21st Infantry Battalion" matching one country's may be another's, barred.
    records: Mapping[str, Unit | Person] = (
        engine.registry.units if kind == "unit" else engine.registry.people)
    matched_in = {records[match.candidate.id].country for match in matched}
    weighed = possible if not matched else [
        match for match in possible
        if country is None and records[match.candidate.id].country not in matched_in
    ]
    for match in weighed:
        if match.verdict is Verdict.ELIGIBLE:
            continue
        entity = verdict_of(match.candidate)
        first = entity.reasons[0]
        more = len(entity.reasons) - 1
        also = f" (and {more} more reason{'s' if more > 1 else ''})" if more else ""
        because = f", allegation {first.allegation}" if first.allegation else ""
        if first.inside:
            held = first.inside[0]
            others = len(first.inside) - 1
            because = (f": it holds {held.name} ({held.id}), {held.verdict}"
                       f"{f', and {others} more' if others else ''}")
        reasons.append(Reason(
            Code.POSSIBLE_MATCH, Verdict.REVIEW, entity.id, first.allegation,
            f"{name!r} may be {match.candidate.name} ({entity.id}, score "
            f"{match.candidate.score:.0f}, a possible match), which is {match.verdict} "
            f"({first.rule.slug}{because}){also}; a person must decide whether they are "
            "the same.",
            first.inside,
        ))
    for match in () if matched else [m for m in matches if m.candidate.band == "inside"]:
        held = verdict_of(match.candidate).reasons
        reasons.append(inside_reason(name, match, held[0] if held else None))
    if not matched and not any(reason.verdict is not Verdict.ELIGIBLE for reason in reasons):
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


def inside_reason(name: str, container: Match, first: Reason | None) -> Reason:
    """Rule VET510: `name` is a unit the registry does not hold, inside `container`.

    Inside a unit that is not ELIGIBLE, the answer is REVIEW (someone must check
    whether the unit took part), never ELIGIBLE; inside one that is, a note.
    `first` is the first reason of the container's own verdict.
    """
    unit_id = container.candidate.id
    label = f"{container.candidate.name} ({unit_id})"
    if container.verdict is Verdict.ELIGIBLE or first is None:
        return Reason(
            Code.INSIDE_UNIT, Verdict.ELIGIBLE, unit_id, None,
            f"{name!r} names a unit inside {label}, which is ELIGIBLE; the unit itself "
            "is not in the registry.",
        )
    if first.inside:
        # The container holds barred units: the unknown unit may be one of them, or
        # hold one, and nothing says which.
        held = first.inside[0]
        others = len(first.inside) - 1
        return Reason(
            Code.INSIDE_UNIT, Verdict.REVIEW, unit_id, None,
            f"{name!r} names a unit inside {label}, which holds {held.name} ({held.id}), "
            f"{held.verdict}{f', and {others} more barred units' if others else ''}; the "
            "unit itself is not in the registry: a person must decide whether it is, or "
            "holds, a barred unit.",
            first.inside,
        )
    return Reason(
        Code.INSIDE_UNIT, Verdict.REVIEW, unit_id, first.allegation,
        f"{name!r} names a unit inside {label}, which is {container.verdict} "
        f"({first.rule.slug}, allegation {first.allegation}); the unit itself is not in "
        "the registry: a person must decide whether it took part.",
    )


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
        cited: list[int] = []
        for allegation_id in (reason.allegation, *(i.allegation for i in reason.inside)):
            allegation = registry.allegations.get(allegation_id or "")
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

    def part(
        kind: str, name: str, key: tuple[Any, ...], found: Mapping[Any, Any], asked: bool,
    ) -> _Part:
        if (kind, asked, *key) not in parts:
            parts[(kind, asked, *key)] = _part(engine, kind, name, found[key], cap,
                                               asked=asked, country=key[-1])
        return parts[(kind, asked, *key)]

    answers: list[Answer] = []
    for query in queries:
        if query.kind == "unit":
            answers.append(_answer(
                engine, query,
                part("unit", query.name, (query.name, query.country), units_found, True),
                None,
            ))
            continue
        person_part = part(
            "person", query.name, (query.name, query.birth_date, query.country), people_found,
            True,
        )
        # A person's unit is vetted for its own bars: what it holds is not the person's.
        unit_part = None if query.unit is None else part(
            "unit", query.unit, (query.unit, query.country), units_found, False
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
