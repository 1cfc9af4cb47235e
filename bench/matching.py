"""Name-matching accuracy on a real naming sample and on the project's labelled set.

    python -m bench.matching             # the figures
    python -m bench.matching --misses    # also every variant not found, and why

1. The Security Force Monitor sample (`tests/data/sfm-mx/`, CC BY 4.0): 103 real
   Mexican units with 370 other names, 11 officers with 20. The matcher is built
   on the CANONICAL names only (no aliases), and each other name is a query; it
   should find its own unit or person as the best candidate and never put
   another in the `match` band. The sample's README names noisy variants; the
   ones no matcher can resolve are listed in UNRESOLVABLE with the reason.
2. The labelled set (`tests/data/matching_labelled.yaml`): invented names with
   hard negatives (neighbouring numbers, another unit type with the same number,
   same surnames with another given name, another second surname) and English
   forms that are not in the sample.
3. One labelled set of unit names per language (`tests/data/units/*.yaml`:
   English, Spanish, Portuguese, French, Indonesian) written the ways the FMTR
   rosters write them, against a fictional registry of generic or invented
   units per country, with hard negatives (another number, type, arm, force,
   country or designator). All sets' units are in one matcher.
4. One labelled set of invented people per naming culture
   (`tests/data/cultures/*.yaml`: Arabic, East Slavic, Filipino, Portuguese,
   Indonesian, western): transliterations, other scripts, name orders, and hard
   negatives (common given and father's names with another family name, a
   contradicting birth date or country). All sets' people are in one matcher.

For each query: `found` = its own entity is the single best candidate (in either
band), `match` = found in the `match` band, `ambiguous` = its own entity ties
for best with another, `wrong` = another entity in the `match` band, `none` =
nothing returned. A query labelled `none` (a hard negative) is right when no
candidate reaches `match`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vetting.matching import Band, Candidate, Matcher
from vetting.model import Force, PartialDate, Person, Unit
from vetting.names import parse_unit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "sfm-mx"
LABELLED = ROOT / "tests" / "data" / "matching_labelled.yaml"
CULTURES = ROOT / "tests" / "data" / "cultures"
LANGUAGES = ROOT / "tests" / "data" / "units"

# Sample variants that cannot be resolved against canonical names alone, and why.
# They may come back `possible` or unmatched, never as a wrong `match`. Besides
# these, every bare number (`16/a.`) that several canonical units carry is
# unresolvable; `unresolvable()` finds those by rule and names the units.
UNRESOLVABLE: dict[str, str] = {
    "XIX Zona Militar": "noise: the source lists the 19th zone's numeral for the 29th",
    "Guarnición Militar": "names no place: fits every garrison",
    "Guarnición Militar de la Plaza": "names no place (`la Plaza`: the town it guards)",
    "Alto Mando": "'High Command': a role of the Secretariat, not its name",
    "High Command": "a role of the Secretariat, not its name",
    "Región del Pacífico Sur": "a regional name; the canonical `8 Región Naval` has none",
    "Octava Región": "region without its kind: fits the 8th military and naval regions",
    "tercer Batallón": "no arm: fits the 3rd infantry and 3rd special forces battalions",
    "9º Regimiento": "no arm: fits the 9th artillery and 9th motorised cavalry regiments",
    "Noveno Regimiento": "no arm: fits the 9th artillery and 9th motorised cavalry regiments",
}


def unresolvable(units: Sequence[Unit], queries: Iterable[str]) -> dict[str, str]:
    """The listed variants, and bare numbers that several canonical units carry."""
    found = {query: UNRESOLVABLE[query] for query in queries if query in UNRESOLVABLE}
    numbered: dict[int, list[str]] = {}
    for unit in units:
        for number in parse_unit(unit.name).numbers:
            numbered.setdefault(number, []).append(unit.name)
    for query in queries:
        parsed = parse_unit(query)
        if parsed.numbers and not (parsed.concepts or parsed.words or parsed.states):
            fits = [name for number in parsed.numbers for name in numbered.get(number, [])]
            if len(fits) > 1:
                found[query] = f"a bare number: fits {'; '.join(fits)}"
    return found


@dataclass
class Tally:
    """Counts for one set of queries, and the queries behind the misses."""

    name: str
    queries: int = 0
    found: int = 0
    match: int = 0
    ambiguous: int = 0
    wrong: int = 0
    none: int = 0
    negatives: int = 0
    negatives_right: int = 0
    misses: list[str] = field(default_factory=list)

    def row(self) -> str:
        text = (f"{self.name:<34} {self.queries:>5} {self.found:>6} {self.match:>6} "
                f"{self.ambiguous:>6} {self.wrong:>6} {self.none:>6}")
        if self.negatives:
            text += f"   hard negatives kept out of match: {self.negatives_right}/{self.negatives}"
        return text


def score(tally: Tally, query: str, expected: str | None, got: Sequence[Candidate]) -> None:
    """Count one query's candidates against the entity it should find (None: none)."""
    tally.queries += 1
    wrong = [c for c in got if c.band is Band.MATCH and c.id != expected]
    if expected is None:
        tally.negatives += 1
        if wrong:
            tally.wrong += 1
            tally.misses.append(f"WRONG {query!r} -> {wrong[0].id} ({wrong[0].score})")
        else:
            tally.negatives_right += 1
        return
    if wrong:
        tally.wrong += 1
        tally.misses.append(f"WRONG {query!r} -> {wrong[0].id} ({wrong[0].score}) "
                            f"{'; '.join(wrong[0].explanation)}")
    if not got:
        tally.none += 1
        tally.misses.append(f"none  {query!r}")
        return
    top = [c for c in got if (c.band, c.score) == (got[0].band, got[0].score)]
    if got[0].id == expected and len(top) == 1:
        tally.found += 1
        tally.match += got[0].band is Band.MATCH
    elif any(c.id == expected for c in top):
        tally.ambiguous += 1
        tally.misses.append(f"tie   {query!r}: {', '.join(c.id for c in top)}")
    else:
        tally.misses.append(f"miss  {query!r} -> {got[0].id} {got[0].band} {got[0].score}: "
                            f"{'; '.join(got[0].explanation)}")


def sample_units(folder: Path = SAMPLE) -> tuple[list[Unit], list[tuple[str, str]]]:
    """The sample's units by canonical name only, and (variant, unit id) queries."""
    raw = json.loads((folder / "units.json").read_text("utf-8"))
    units = [
        Unit(id=_slug(item["id"]), name=item["name"], country="MX", force=Force.OTHER)
        for item in raw
    ]
    queries = [(alias, _slug(item["id"])) for item in raw for alias in item["aliases"]]
    return units, queries


def sample_people(folder: Path = SAMPLE) -> tuple[list[Person], list[tuple[str, str]]]:
    raw = json.loads((folder / "people.json").read_text("utf-8"))
    people = [Person(id=_slug(item["id"]), name=item["name"], country="MX") for item in raw]
    queries = [(alias, _slug(item["id"])) for item in raw for alias in item["aliases"]]
    return people, queries


def _slug(text: str) -> str:
    return text.lower().replace("_", "-")


@dataclass
class SampleResult:
    units: Tally
    resolvable: Tally
    people: Tally
    unresolvable: list[tuple[str, str, str]]  # variant, reason, what came back


def evaluate_sample(folder: Path = SAMPLE) -> SampleResult:
    """Units (all variants), units (resolvable variants only) and people of the sample."""
    units, unit_queries = sample_units(folder)
    people, person_queries = sample_people(folder)
    matcher = Matcher(units, people)
    every = Tally("sample units, all variants")
    resolvable = Tally("sample units, resolvable variants")
    hopeless = unresolvable(units, [query for query, _ in unit_queries])
    outcomes: list[tuple[str, str, str]] = []
    answers = matcher.match_units([query for query, _ in unit_queries])
    for (query, expected), got in zip(unit_queries, answers, strict=True):
        score(every, query, expected, got)
        if query not in hopeless:
            score(resolvable, query, expected, got)
        elif (query, hopeless[query]) not in [(q, r) for q, r, _ in outcomes]:
            outcomes.append((query, hopeless[query], _outcome(got)))
    persons = Tally("sample people")
    answers = matcher.match_people([query for query, _ in person_queries])
    for (query, expected), got in zip(person_queries, answers, strict=True):
        score(persons, query, expected, got)
    return SampleResult(every, resolvable, persons, outcomes)


def _outcome(got: Sequence[Candidate]) -> str:
    if not got:
        return "no candidate"
    bands = {candidate.band for candidate in got}
    if Band.MATCH in bands:
        return f"match: {got[0].name}"
    return f"possible: {len(got)} candidate(s), best {got[0].name} ({got[0].score})"


def evaluate_labelled(path: Path = LABELLED) -> tuple[Tally, Tally]:
    """Units and people of the labelled set: each query with the id it should find."""
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    units = [Unit.model_validate(item) for item in data["units"]]
    people = [Person.model_validate(item) for item in data["people"]]
    matcher = Matcher(units, people)
    unit_tally = Tally("labelled units")
    for case in data["unit_queries"]:
        got = matcher.match_unit(case["query"], country=case.get("country"))
        score(unit_tally, case["query"], case.get("expect"), got)
    return unit_tally, _people_tally("labelled people", matcher, data["person_queries"])


def _people_tally(name: str, matcher: Matcher, cases: Iterable[dict[str, Any]]) -> Tally:
    tally = Tally(name)
    for case in cases:
        dob = case.get("dob")
        got = matcher.match_person(
            str(case["query"]),
            birth_date=PartialDate.parse(str(dob)) if dob is not None else None,
            country=case.get("country"),
        )
        score(tally, str(case["query"]), case.get("expect"), got)
    return tally


def evaluate_cultures(folder: Path = CULTURES) -> list[Tally]:
    """One labelled set of invented people per naming culture (tests/data/cultures/).

    Each set is matched against its own people and, so that a culture's rules
    are tried beside the others', against every other set's people too.
    """
    sets = [yaml.safe_load(path.read_text("utf-8")) for path in sorted(folder.glob("*.yaml"))]
    people = [Person.model_validate(item) for data in sets for item in data["people"]]
    matcher = Matcher([], people)
    return [_people_tally(f"people, {data['culture']}", matcher, data["person_queries"])
            for data in sets]


def evaluate_languages(folder: Path = LANGUAGES) -> list[Tally]:
    """One labelled set of unit names per language (tests/data/units/), all sets' units
    in one matcher, so that a language's names are tried beside the others'."""
    sets = [yaml.safe_load(path.read_text("utf-8")) for path in sorted(folder.glob("*.yaml"))]
    units = [Unit.model_validate(item) for data in sets for item in data["units"]]
    matcher = Matcher(units, [])
    tallies = []
    for data in sets:
        tally = Tally(f"units, {data['language']}")
        for case in data["unit_queries"]:
            got = matcher.match_unit(str(case["query"]), country=case.get("country"))
            score(tally, str(case["query"]), case.get("expect"), got)
        tallies.append(tally)
    return tallies


def report(sample: SampleResult, labelled: Sequence[Tally], misses: bool) -> str:
    tallies = [sample.units, sample.resolvable, sample.people, *labelled]
    lines = [f"{'set':<34} {'total':>5} {'found':>6} {'match':>6} {'ambig':>6} "
             f"{'wrong':>6} {'none':>6}"]
    lines += [tally.row() for tally in tallies]
    lines.append("")
    lines.append(f"unresolvable sample variants ({len(sample.unresolvable)} distinct):")
    lines += [f"  {query!r}: {reason}\n      -> {outcome}"
              for query, reason, outcome in sample.unresolvable]
    if misses:
        for tally in tallies:
            if tally.misses:
                lines.append("")
                lines.append(f"{tally.name}:")
                lines += [f"  {miss}" for miss in tally.misses]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.matching", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true", help="list every query not found")
    options = parser.parse_args(argv)
    print(report(evaluate_sample(),
                 [*evaluate_labelled(), *evaluate_languages(), *evaluate_cultures()],
                 options.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
