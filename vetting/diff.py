"""What a registry edit changes: verdicts before and after, entity by entity and row by row.

`compare` takes two registries (each a `Snapshot`: a folder, or a git
revision) and computes, as of one day under one law, the verdict of every unit
and person in either with the same engine as `vet unit`. An entity whose
verdict differs, or that is in one registry only, is a change; each change
carries the reasons that appeared or went (what changed it) and the registry
line behind it. The records that differ between the two are the edits.

Only the units and people an edit can reach are vetted, in both registries
(`_Sides.reached`), so a diff of two large registries that differ by one
allegation costs what reading them costs (docs/performance.md).

`compare_roster` does the same for the rows of a roster: each row is vetted
against both registries, and the rows whose verdict differs are the changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from vetting.codes import Code
from vetting.model import Law
from vetting.revisions import Location, Snapshot
from vetting.rules import Engine, Reason, RegistryInfo, Verdict

if TYPE_CHECKING:
    from vetting.roster import Batch, Roster

VERSION = 1
SECTIONS = (("unit", "units"), ("person", "people"), ("allegation", "allegations"),
            ("source", "sources"))


class Effect(StrEnum):
    """What a change does to assistance, judged from the two verdicts."""

    BARRED = "barred"  # now INELIGIBLE or SUSPENDED, and was not
    LIFTED = "lifted"  # was INELIGIBLE or SUSPENDED, and is not
    REVIEW = "review"  # ELIGIBLE before, REVIEW now: newly under review
    CLEARED = "cleared"  # REVIEW before, ELIGIBLE now
    CHANGED = "changed"  # barred both times, SUSPENDED <-> INELIGIBLE


EFFECT_WORDS = {
    Effect.BARRED: "barred",
    Effect.LIFTED: "lifted",
    Effect.REVIEW: "newly under review",
    Effect.CLEARED: "cleared of review",
    Effect.CHANGED: "bar changed",
}


def effect_of(old: Verdict | None, new: Verdict | None) -> Effect | None:
    """The effect of going from one verdict to another; no record counts as ELIGIBLE.

    An entity that is not in a registry is answered `no record`, ELIGIBLE, so a
    barred unit removed from the registry is a bar lifted, and one added barred
    is a new bar.
    """
    before, after = old or Verdict.ELIGIBLE, new or Verdict.ELIGIBLE
    if before is after:
        return None
    if after.bars:
        return Effect.CHANGED if before.bars else Effect.BARRED
    if before.bars:
        return Effect.LIFTED
    return Effect.REVIEW if after is Verdict.REVIEW else Effect.CLEARED


def effect_counts(changes: Iterable[EntityChange | RowChange]) -> dict[str, int]:
    """How many changes have each effect (every effect listed)."""
    found = {str(effect): 0 for effect in Effect}
    for change in changes:
        if change.effect is not None:
            found[str(change.effect)] += 1
    return found


class Status(StrEnum):
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class EntityChange:
    """One unit or person whose verdict differs, or that is in one registry only."""

    kind: str  # "unit" | "person"
    id: str
    name: str
    country: str
    status: Status
    old: Verdict | None  # None: not in the old registry
    new: Verdict | None  # None: not in the new registry
    reasons: tuple[Reason, ...]  # what changed it, the first the main one
    where: Location | None  # the registry line behind it

    @property
    def effect(self) -> Effect | None:
        return effect_of(self.old, self.new)


@dataclass(frozen=True, slots=True)
class Edit:
    """A record added, removed or changed between the two registries."""

    kind: str  # "unit" | "person" | "allegation" | "source"
    id: str
    status: Status
    where: Location | None


@dataclass(frozen=True)
class RegistryDiff:
    """The verdicts an edit changes: the result of `vet diff OLD NEW`."""

    old: str  # labels, as given
    new: str
    as_of: date
    law: Law
    old_registry: RegistryInfo
    new_registry: RegistryInfo
    changes: tuple[EntityChange, ...]  # worst new verdict first
    edits: tuple[Edit, ...]  # in file order

    def counts(self) -> dict[str, int]:
        """Changes per effect, then entities added and removed."""
        found = effect_counts(self.changes)
        found["added"] = sum(change.status is Status.ADDED for change in self.changes)
        found["removed"] = sum(change.status is Status.REMOVED for change in self.changes)
        return found

    def edit_counts(self) -> dict[str, int]:
        return {str(status): sum(edit.status is status for edit in self.edits)
                for status in Status}

    @property
    def bars(self) -> bool:
        """Whether any unit or person is newly barred."""
        return any(change.effect is Effect.BARRED for change in self.changes)

    @property
    def changed(self) -> bool:
        """Whether any verdict changed (an entity added ELIGIBLE changes none)."""
        return any(change.effect is not None for change in self.changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `vet diff --format json` (docs/diff.md)."""
        return {
            **_sides_dict(self),
            "summary": self.counts(),
            "changes": [
                {
                    "kind": change.kind, "id": change.id, "name": change.name,
                    "country": change.country, "status": str(change.status),
                    "old": str(change.old) if change.old else None,
                    "new": str(change.new) if change.new else None,
                    "effect": str(change.effect) if change.effect else None,
                    "reasons": [reason_dict(reason) for reason in change.reasons],
                    "where": location_dict(change.where),
                }
                for change in self.changes
            ],
            "edits": [
                {"kind": edit.kind, "id": edit.id, "status": str(edit.status),
                 "where": location_dict(edit.where)}
                for edit in self.edits
            ],
        }


def _sides_dict(result: RegistryDiff | RosterDiff) -> dict[str, Any]:
    """The keys every `vet diff` document starts with: what was compared, when, how."""
    return {
        "version": VERSION,
        "old": {"label": result.old, "registry": result.old_registry.to_dict()},
        "new": {"label": result.new, "registry": result.new_registry.to_dict()},
        "as_of": result.as_of.isoformat(),
        "law": str(result.law),
    }


def reason_dict(reason: Reason) -> dict[str, Any]:
    return {
        "rule": reason.rule.slug, "code": reason.rule.code, "verdict": str(reason.verdict),
        "entity": reason.entity, "allegation": reason.allegation, "text": reason.text,
    }


def location_dict(where: Location | None) -> dict[str, Any] | None:
    if where is None:
        return None
    return {"path": where.path, "line": where.line, "side": where.side, "label": where.label}


def _key(reason: Reason) -> tuple[str, str, str | None]:
    # Reasons are compared without their text: a renamed unit changes the words only.
    return reason.rule.code, str(reason.verdict), reason.allegation


def _causes(before: tuple[Reason, ...], after: tuple[Reason, ...],
            worse: bool) -> tuple[Reason, ...]:
    """The reasons that changed a verdict, the main one first.

    When it got worse, the reasons that came; when it got better, a remediation
    that came (it names the determination that lifted the bar), then the reasons
    that went.
    """
    keys_before = {_key(reason) for reason in before}
    keys_after = {_key(reason) for reason in after}
    came = [reason for reason in after if _key(reason) not in keys_before]
    went = [reason for reason in before if _key(reason) not in keys_after]
    if worse:
        return (*came, *went)
    lifting = [reason for reason in came if reason.rule is Code.REMEDIATED]
    return (*lifting, *went, *(reason for reason in came if reason not in lifting))


class _Sides:
    """Both snapshots with their engines, and the records edited between them."""

    def __init__(self, old: Snapshot, new: Snapshot, as_of: date, law: Law) -> None:
        self.old, self.new = old, new
        self.engines = (Engine(old.registry, as_of=as_of, law=law),
                        Engine(new.registry, as_of=as_of, law=law))
        self.edits: dict[tuple[str, str], Edit] = {}
        for kind, section in SECTIONS:
            before = getattr(old.registry, section)
            after = getattr(new.registry, section)
            for record_id in {*before, *after}:
                status = (Status.ADDED if record_id not in before
                          else Status.REMOVED if record_id not in after
                          else None if before[record_id] is after[record_id]  # reused
                          else Status.CHANGED if before[record_id] != after[record_id]
                          else None)
                if status is not None:
                    self.edits[kind, record_id] = Edit(
                        kind, record_id, status, self.locate(section, record_id)
                    )

    def locate(self, section: str, record_id: str) -> Location | None:
        """The record's line in the new registry, else in the old."""
        return (self.new.locate(section, record_id, "new")
                or self.old.locate(section, record_id, "old"))

    def where(self, kind: str, entity_id: str, causes: Iterable[Reason]) -> Location | None:
        """The registry line behind a change: the edited record that most likely made it.

        In order: an edited allegation behind the reasons; the entity's own record;
        an edited unit above it (a moved parent); an edited person who held a post
        in it or above it; else the line of the first reason's allegation.
        """
        causes = list(causes)
        # contains-barred names no allegation of its own: those of the units it holds.
        allegations = [allegation for reason in causes for allegation in (
            reason.allegation, *(inside.allegation for inside in reason.inside)) if allegation]
        for allegation in allegations:
            if ("allegation", allegation) in self.edits:
                return self.edits["allegation", allegation].where
        if (kind, entity_id) in self.edits:
            return self.edits[kind, entity_id].where
        units = []
        for snapshot in (self.new, self.old):
            reg = snapshot.registry
            if kind == "unit" and entity_id in reg.units:
                units += [entity_id, *reg.ancestors(entity_id)]
            elif kind == "person" and entity_id in reg.people:
                for post in reg.people[entity_id].posts:
                    units += [post.unit, *reg.ancestors(post.unit)]
        for unit_id in dict.fromkeys(units):
            if ("unit", unit_id) in self.edits:
                return self.edits["unit", unit_id].where
        for snapshot in (self.new, self.old):
            for unit_id in dict.fromkeys(units):
                for person_id, _ in snapshot.registry.posts_by_unit.get(unit_id, ()):
                    if ("person", person_id) in self.edits:
                        return self.edits["person", person_id].where
        for allegation in allegations:
            return self.locate("allegations", allegation)
        return None


    def reached(self) -> dict[str, set[str]]:
        """The units and people whose verdict an edit can change, in either registry.

        From each edited record: an allegation's units and people; a unit; a person
        and the units of their posts. Then, in each registry: every unit below one of
        those units (command and subunit rules pass down), the successors of any of
        them (successor rule), every unit above them (a rule about what a unit
        holds), and the people holding posts in all of these (serving-member rule).
        A person's verdict never changes a unit's, so people reached that way
        reach no further.
        """
        units: set[str] = set()
        people: set[str] = set()
        for (kind, record_id), _ in self.edits.items():
            for snapshot in (self.old, self.new):
                reg = snapshot.registry
                if kind == "allegation" and record_id in reg.allegations:
                    units.update(reg.allegations[record_id].units)
                    people.update(reg.allegations[record_id].people)
                elif kind == "unit":
                    units.add(record_id)
                elif kind == "person":
                    people.add(record_id)
        for snapshot in (self.old, self.new):
            reg = snapshot.registry
            for person_id in people & reg.people.keys():
                units.update(post.unit for post in reg.people[person_id].posts)
        below: set[str] = set()
        for snapshot in (self.old, self.new):
            reg = snapshot.registry
            for unit_id in units & reg.units.keys():
                below.add(unit_id)
                below.update(reg.descendants(unit_id))
        for snapshot in (self.old, self.new):
            reg = snapshot.registry
            for unit_id in list(below):
                below.update(reg.successors.get(unit_id, ()))
                if unit_id in reg.units:
                    below.update(reg.ancestors(unit_id))
        serving = set(people)
        for snapshot in (self.old, self.new):
            reg = snapshot.registry
            for unit_id in below:
                serving.update(person_id for person_id, _ in reg.posts_by_unit.get(unit_id, ()))
        return {"unit": below, "person": serving}


def compare(old: Snapshot, new: Snapshot, *, as_of: date, law: Law,
            everyone: bool = False) -> RegistryDiff:
    """Every unit and person whose verdict differs between two registries, and why.

    Only the units and people an edit can reach are vetted (`_Sides.reached`);
    `everyone` vets every one of both registries instead, which gives the same
    changes (the tests and `bench.diff` check that it does).
    """
    sides = _Sides(old, new, as_of, law)
    reached = None if everyone else sides.reached()
    changes: list[EntityChange] = []
    for kind, section in SECTIONS[:2]:
        before = getattr(old.registry, section)
        after = getattr(new.registry, section)
        ids = [*before, *after] if reached is None else sorted(reached[kind])
        for entity_id in dict.fromkeys(ids):
            if entity_id not in before and entity_id not in after:
                continue
            was = sides.engines[0].asked(kind, entity_id) if entity_id in before else None
            now = sides.engines[1].asked(kind, entity_id) if entity_id in after else None
            if was is not None and now is not None and was.verdict is now.verdict:
                continue
            status = (Status.ADDED if was is None else Status.REMOVED if now is None
                      else Status.CHANGED)
            record = after.get(entity_id) or before[entity_id]
            causes = _causes(
                was.reasons if was else (), now.reasons if now else (),
                (now.verdict.severity if now else 0) > (was.verdict.severity if was else 0),
            )
            changes.append(EntityChange(
                kind, entity_id, record.name, record.country, status,
                was.verdict if was else None, now.verdict if now else None, causes,
                sides.where(kind, entity_id, causes),
            ))
    changes.sort(key=lambda change: (
        -(change.new or Verdict.ELIGIBLE).severity, change.status != Status.CHANGED,
        change.kind != "unit", change.country, change.name.casefold(), change.id,
    ))
    edits = sorted(sides.edits.values(), key=lambda edit: (
        edit.where.path if edit.where else "", edit.where.line if edit.where else 0, edit.id,
    ))
    return RegistryDiff(
        old.label, new.label, as_of, law, RegistryInfo.of(old.registry),
        RegistryInfo.of(new.registry), tuple(changes), tuple(edits),
    )


# --- a roster against both registries ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowChange:
    """A roster row whose verdict differs between the two registries."""

    row: int
    line: int
    name: str  # the name and unit as written in the row
    unit: str
    old: str  # a verdict, or ERROR
    new: str
    reasons: tuple[Reason, ...]  # what changed it, the first the main one

    @property
    def effect(self) -> Effect | None:
        return effect_of(Verdict(self.old), Verdict(self.new))


@dataclass(frozen=True)
class RosterDiff:
    """Which rows of a roster an edit changes: the result of `vet diff --roster`."""

    roster: str
    rows: int
    old: str
    new: str
    as_of: date
    law: Law
    old_registry: RegistryInfo
    new_registry: RegistryInfo
    changes: tuple[RowChange, ...]  # in roster order

    def counts(self) -> dict[str, int]:
        """Rows per effect."""
        return effect_counts(self.changes)

    @property
    def bars(self) -> bool:
        """Whether any row is newly barred."""
        return any(change.effect is Effect.BARRED for change in self.changes)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `vet diff --roster --format json` (docs/diff.md)."""
        return {
            **_sides_dict(self),
            "roster": self.roster,
            "rows": self.rows,
            "summary": self.counts(),
            "changes": [
                {
                    "row": change.row, "line": change.line, "name": change.name,
                    "unit": change.unit, "old": change.old, "new": change.new,
                    "effect": str(change.effect) if change.effect else None,
                    "reasons": [reason_dict(reason) for reason in change.reasons],
                }
                for change in self.changes
            ],
        }


def compare_roster(roster: Roster, old: Batch, new: Batch, old_label: str,
                   new_label: str) -> RosterDiff:
    """The rows whose verdict differs between two vettings of one roster."""
    changes: list[RowChange] = []
    for before, after in zip(old.results, new.results, strict=True):
        if before.verdict == after.verdict or after.answer is None or before.answer is None:
            continue  # a row in ERROR is in ERROR whatever the registry
        worse = Verdict(after.verdict).severity > Verdict(before.verdict).severity
        changes.append(RowChange(
            after.row.row, after.row.line, roster.written(after.row, "name"),
            roster.written(after.row, "unit"), before.verdict, after.verdict,
            _causes(before.answer.reasons, after.answer.reasons, worse),
        ))
    return RosterDiff(
        roster.source, len(roster.rows), old_label, new_label, new.as_of, new.law,
        old.registry, new.registry, tuple(changes),
    )
