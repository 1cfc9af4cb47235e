"""Matching a queried name against the registry's units and people.

Every unit and person is a candidate, whether or not it has allegations. Each
registry name is read once (`names.parse_unit`, `names.parse_person`); a query
is read the same way, the candidate index gives every registry name the rules
below could keep, and the rules decide.

A candidate gets a score 0-100 and a band:
- `match`: everything the two names say agrees (score >= MATCH_AT);
- `possible`: nothing contradicts, but something is missing or only similar —
  a number or unit type on one side only, a generic word ("Región") for a
  specific one, a second surname missing, a misspelt given name.
A third band, `inside`, says the query names a unit inside the candidate
("Colombian Army Mobile Brigade No. 7" and the Colombian Army): never a match.
A contradiction rules the candidate out: a different number, letter ("Compañía
A" / "Compañía B"), unit type, arm, force (army, navy, police: a gate, see
vocab/units.yaml), state or place, a country the name names, or a state the
unit's other names contradict; places and forces written around a unit
("..., Tlatlaya, Estado de México") are context, not words of its name
(`vetting.context`); for units, another country than `--country`, or nothing
identifying in common (a number, a word, a state: "Policía" alone is not); for
people, a first surname not like the other's, or only the first surname in
common (the second surname and the given names may not both differ, nor one
differ where the other is missing).

The index is complete by construction: each rule that rules a pair out names a
part two names must share (alike) to stay, and registry names are filed under
those parts, so a query looks up exactly the names that can survive.
`python -m bench.scale` checks this against scoring every name.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from vetting.context import Context, countries_in, read_path, restated
from vetting.model import PartialDate, Person, Unit, spans_overlap
from vetting.names import (
    MISSPELT_NOTE,
    SCRIPT,
    SINGLE_NAME,
    PersonName,
    PersonReadings,
    UnitName,
    culture_of,
    forces,
    initials_fit,
    lexicon,
    number_text,
    parse_person,
    parse_unit,
    skeleton,
    sound_key,
    spelling_line,
)

if TYPE_CHECKING:
    from vetting.registry import Registry

MATCH_AT = 90.0  # the least score of a `match`
POSSIBLE_AT = 65.0  # the least score of a `possible` unit
INSIDE_AT = 50.0  # the least score of a unit the query names a unit inside of
PERSON_POSSIBLE_AT = 70.0  # the least score of a `possible` person
TIE = 3.0  # two matches this close cannot be told apart: both become `possible`
SHORT_ACRONYM = 4  # initials shorter than this are never a sure match
MAX_QUERY = 1000  # characters of a query read; registry names hold at most 300
WORD_ALIKE = 80.0  # two words this similar (rapidfuzz ratio) may be one word misspelt


class Band(StrEnum):
    MATCH = "match"
    POSSIBLE = "possible"
    # The query names a unit inside this one ("Colombian Army Mobile Brigade No. 7" and
    # the Colombian Army): never the unit itself, but what it belongs to.
    INSIDE = "inside"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One registry entity a query may name, with why it scored as it did."""

    id: str
    kind: str  # "unit" | "person"
    name: str  # the entity's canonical name
    matched_name: str  # which of its names scored best, as written in the registry
    score: float  # 0-100
    band: Band
    explanation: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Scored:
    score: float
    capped: bool  # something missing or only similar: at most `possible`
    why: tuple[str, ...]
    exact: bool = False  # the registry name folds to the query itself
    inside: bool = False  # the query names a unit inside the registry's


@dataclass(frozen=True, slots=True)
class _UnitEntry:
    entity: int
    written: str
    name: UnitName


@dataclass(frozen=True, slots=True)
class _PersonEntry:
    entity: int
    written: str
    name: PersonReadings


UnitEntry = _UnitEntry  # for the cache, which rebuilds entries it stored
PersonEntry = _PersonEntry


class Matcher:
    """The registry's names read once and indexed; queries scored against them.

    Preparing reads every name and aliases of every unit and person once, and
    indexes them by what the rules need two names to share: numbers (with the
    unit type's family), states, name words (the rarest two apart), vocabulary
    concepts, initials; for people, first surname with second surname and
    given names. A query looks its parts up as every registry spelling they are
    like (vectorised rapidfuzz passes over the registry's words), and the rules
    decide each name found.
    """

    def __init__(self, units: Iterable[Unit], people: Iterable[Person]) -> None:
        self._units = list(units)
        self._people = list(people)
        self._unit_entries: list[_UnitEntry] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._initials: dict[str, list[int]] = defaultdict(list)
        # Registry names that are an acronym: by the acronym, and the acronyms by letter.
        self._acronym_names: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._acronyms: dict[str, list[str]] = defaultdict(list)
        # The states each unit's names put it in (by entity number as text): a query's
        # state is judged against all of them, not only the name it matched.
        self._unit_states: dict[str, tuple[str, ...]] = {}
        self._unit_countries = [unit.country for unit in self._units]
        for entity, unit in enumerate(self._units):
            added = [self._add_unit(entity, written) for written in dict.fromkeys(unit.names)]
            # A name without a state is in the states the unit's other names give.
            for index in added:
                if index is not None and not self._unit_entries[index].name.states:
                    name = self._unit_entries[index].name
                    for state in self._unit_states.get(str(entity), ()):
                        self._file(index, f"%{state}", name.numbers)
        self._unit_words = [key[2:] for key in self._postings if key.startswith("w:")]
        for index, entry in enumerate(self._unit_entries):
            if entry.name.words:
                anchor = _anchor(sorted(
                    dict.fromkeys(entry.name.words),
                    key=lambda word: (len(self._postings[f"w:{word}"]), word),
                )[:2])
                self._postings[anchor].append(index)
                if not entry.name.numbers:
                    self._postings[f"{anchor}|-"].append(index)
        self._person_entries: list[_PersonEntry] = []
        self._person_blocks: dict[str, list[int]] = defaultdict(list)
        surnames: dict[str, None] = {}
        given: dict[str, None] = {}
        for entity, person in enumerate(self._people):
            culture = culture_of(person.country)
            for written in dict.fromkeys(person.names):
                self._add_person(entity, written, culture, surnames, given)
        self._person_surnames = list(surnames)
        self._person_given = list(given)
        # The naming cultures the registry's people are read by: a query without a
        # country is read by each, against the people read by it.
        self._person_cultures = sorted({entry.name.culture for entry in self._person_entries})
        self._forget()

    def _forget(self) -> None:
        """Start the tables a batch fills as it goes (`_states`, `match_person`)."""
        self._states_of: dict[int, frozenset[str]] = {}
        self._usual_of: dict[int, tuple[PersonName, ...]] = {}
        self._spellings: dict[str, _Spellings] = {}
        self._alike_of: dict[str, list[str]] = {}
        self._holding: dict[str, frozenset[int]] = {}

    def _add_unit(self, entity: int, written: str) -> int | None:
        parsed = parse_unit(written)
        if not parsed.key:
            return None
        index = len(self._unit_entries)
        self._unit_entries.append(_UnitEntry(entity, written, parsed))
        families = _type_families(parsed)
        acronyms = sorted(_acronym_words(parsed))
        for number in parsed.numbers:
            self._postings[f"#{number}"].append(index)
            # An acronym that does not spell the query's unit type rules the name out
            # unless a word of the query pairs with it: filed under the acronym.
            for key in families or ([f"-a:{word}" for word in acronyms] or ["-"]):
                self._postings[f"#{number}|{key}"].append(index)
            for word in dict.fromkeys(parsed.words):
                self._postings[f"#{number}|w:{word}"].append(index)
        for state in parsed.states:
            self._file(index, f"%{state}", parsed.numbers)
        for feature in (*(f"w:{word}" for word in dict.fromkeys(parsed.words)),
                        *(f"@{concept}" for concept in parsed.concepts)):
            self._postings[feature].append(index)
        if not parsed.numbers:
            for word in dict.fromkeys(parsed.words):
                self._postings[f"w-:{word}"].append(index)
        if not _identifying(parsed):
            # A name that is only its kind ("Federal Police", "Mexican Navy") is asked by
            # every query of that kind (see `compare_units`).
            for concept in parsed.concepts:
                self._postings[f"@-{concept}"].append(index)
        if parsed.states:
            held = self._unit_states.get(str(entity), ())
            self._unit_states[str(entity)] = tuple(sorted({*held, *parsed.states}))
        for size in _initial_sizes(parsed):
            # "Grupo de Operaciones Especiales de Oaxaca" is a GOPES of Oaxaca: the
            # acronym may leave the state out.
            initials = "".join(word[0] for word in parsed.initials[:size])
            self._initials[initials].append(index)
            for number in parsed.numbers or ("-",):
                self._initials[f"{initials}|{number}"].append(index)
        if len(parsed.initials) == 1:
            # A name that is an acronym ("GOPES", "BRIGIM-8") is spelt out by queries.
            for acronym, shown in parsed.acronyms:
                if acronym not in self._acronym_names:
                    self._acronyms[acronym[0]].append(acronym)
                for key in (acronym, *(f"{acronym}|{n}" for n in parsed.numbers or ("-",))):
                    self._acronym_names[key].append((index, shown))
        return index

    def _file(self, index: int, state: str, numbers: frozenset[int]) -> None:
        """File a name under a state, and apart when it has no number."""
        self._postings[state].append(index)
        if not numbers:
            self._postings[f"{state}|-"].append(index)

    def _add_person(
        self,
        entity: int,
        written: str,
        culture: str,
        surnames: dict[str, None],
        given: dict[str, None],
    ) -> None:
        parsed = parse_person(written, culture)
        if not any(reading.surnames for reading in parsed.readings):
            return
        index = len(self._person_entries)
        self._person_entries.append(_PersonEntry(entity, written, parsed))
        keys: dict[str, None] = {}
        for reading in _usual_readings(parsed):
            if not reading.surnames:
                continue
            first, second = reading.surnames[0], _second(reading)
            surnames.update(dict.fromkeys(reading.surnames[:2]))
            given.update(dict.fromkeys(reading.given))
            if reading.cost and len(reading.given) > 1:
                # A less likely reading needs a query with a given name like each of its
                # own: filed under every pair of them.
                keys.update(dict.fromkeys(f"a|{first}|{one}|{other}" for one, other
                                          in itertools.combinations(reading.given, 2)))
                continue
            keys.update(dict.fromkeys((
                f"1|{first}", f"s|{first}|{second}",
                *(f"g|{first}|{name}" for name in reading.given or ("",)),
            )))
            if not second and not reading.given:
                keys[f"n|{first}"] = None
        for key in keys:
            self._person_blocks[key].append(index)

    @classmethod
    def from_registry(cls, registry: Registry) -> Matcher:
        return cls(registry.units.values(), registry.people.values())

    # What preparing computes: the compiled registry cache (vetting/cache.py) stores it
    # and hands it back to `restore`, so a warm run reads no name again.
    STATE = (
        "_unit_entries", "_unit_countries", "_postings", "_initials",
        "_acronym_names", "_acronyms", "_unit_words", "_person_entries", "_person_blocks",
        "_person_surnames", "_person_given", "_unit_states", "_person_cultures",
    )

    def state(self) -> dict[str, Any]:
        """The prepared names and the candidate index, by attribute name (see STATE)."""
        return {name: getattr(self, name) for name in self.STATE}

    @classmethod
    def restore(
        cls, units: Sequence[Unit], people: Sequence[Person], state: Mapping[str, Any]
    ) -> Matcher:
        """A matcher from a saved `state()`; `units` and `people` in the order prepared.

        The tables may be read lazily (any sequence or mapping with the same contents).
        """
        matcher = cls.__new__(cls)
        matcher._units = units  # type: ignore[assignment]
        matcher._people = people  # type: ignore[assignment]
        for name in cls.STATE:
            setattr(matcher, name, state[name])
        matcher._forget()
        return matcher

    # --- units ----------------------------------------------------------------------

    def match_unit(
        self, query: str, *, country: str | None = None, limit: int | None = 10
    ) -> list[Candidate]:
        """Units the query may name, best first: `match`, `possible` and `inside` (the
        first `limit`; None: all).

        A query that is a path with places or forces in it ("102nd Infantry
        Battalion, Tlatlaya, Estado de México") is matched on its unit, and the
        places and forces are context that must agree (`vetting.context`).
        """
        path = read_path(restated(query[:MAX_QUERY]))
        context = path.context
        if context is not None and sum(piece.kind == "unit" for piece in path.pieces) <= 1:
            parsed = parse_unit(path.units[0])
        else:
            parsed, context = parse_unit(restated(query[:MAX_QUERY])), None
        best: dict[int, tuple[tuple[bool, float, bool], Candidate]] = {}
        # A unit belongs to one state's forces: another country is another unit, whether
        # `country` or the name says which ("PHIL ARMY", "Colombian Navy"); the two must
        # agree.
        named = countries_in(query[:MAX_QUERY])
        asked = forces(parsed.concepts) | (context.forces if context else frozenset())
        pairs = self._unit_pairs(parsed, country.upper() if country else None, context)
        for index, scored in pairs:
            if named and self._country(index) not in named:
                continue
            least = INSIDE_AT if scored.inside else POSSIBLE_AT
            if _shown_score(scored.score) < least:
                continue  # never listed: the unit need not be read
            entry = self._unit_entries[index]
            unit = self._units[entry.entity]
            if asked and not scored.capped:
                scored = _recorded_force(scored, asked, entry.name, str(unit.force))
            candidate = _candidate(unit, "unit", entry.written, scored, least)
            if candidate is not None:
                _keep_best(best, entry.entity, candidate, scored.exact)
        return _finish([candidate for _, candidate in best.values()], limit)

    def match_units(
        self, queries: Sequence[str], *, country: str | None = None, limit: int | None = 10
    ) -> list[list[Candidate]]:
        """Many queries at once; each distinct query is matched once."""
        done: dict[str, list[Candidate]] = {}
        for query in queries:
            if query not in done:
                done[query] = self.match_unit(query, country=country, limit=limit)
        return [done[query] for query in queries]

    def _unit_candidates(
        self, query: UnitName, context: Context | None = None
    ) -> Iterable[int]:
        """Every registry name the rules may not rule out, from the index.

        `compare_units` keeps a name only if something identifying agrees: the
        numbers, a word, or the state (for a query naming none of these, the
        vocabulary). So the index is asked, for each of the query's numbers, the
        names with that number and a type of the query's family, or none (when
        the name is an acronym, one that a word of the query is like; when the
        query is one, "422 APE", names holding a word like one of its own); for
        each state, the names in it (without a number when the query has one:
        those with one share it or contradict); for its words, the names holding a
        word like each of them, or whose one or two rarest words are like its own
        (one side's words must all pair); for a query naming none of these, its
        concepts.
        """
        found: set[int] = set()
        postings = self._postings
        families = _type_families(query)
        words = list(dict.fromkeys(query.words))
        spellings = [alike for word in words for alike in self._alike_words(word)]
        if families:
            keys = [*families, "-", *(f"-a:{word}" for word in spellings)]
        elif _acronym_words(query):
            # "422 APE": a name with a unit type is kept only if a word of it pairs
            # with the acronym (or another word of the query).
            keys = ["-", *(f"w:{word}" for word in spellings)]
        else:
            keys = []
        for number in query.numbers:
            if not keys:
                found.update(postings.get(f"#{number}", ()))
            for key in keys:
                found.update(postings.get(f"#{number}|{key}", ()))
        for state in query.states:
            found.update(postings.get(f"%{state}|-" if query.numbers else f"%{state}", ()))
        if words:
            # Names with a number share one of the query's (the first search) or
            # contradict it: beside a number, only names without one are asked.
            unnumbered = "-" if query.numbers else ""
            holding = sorted((self._names_with(word, unnumbered) for word in words), key=len)
            found.update(holding[0].intersection(*holding[1:]))
            # Names whose words all pair with the query's: their two rarest words do.
            tail = "|-" if query.numbers else ""
            for first in words:
                for one in self._alike_words(first):
                    found.update(postings.get(_anchor([one]) + tail, ()))
                    for second in words:
                        if second != first:
                            for other in self._alike_words(second):
                                found.update(postings.get(_anchor([one, other]) + tail, ()))
        if not _identifying(query):
            for concept in query.concepts:
                found.update(postings.get(f"@{concept}", ()))
        for concept in query.concepts:
            found.update(postings.get(f"@-{concept}", ()))
        # A town of the context identifies a name that holds it ("Policía Municipal,
        # Iguala, Guerrero"): names holding a word like it are asked too.
        for word in context.words if context is not None else ():
            found.update(self._names_with(word, ""))
        return sorted(found)

    def _alike_words(self, word: str) -> list[str]:
        alike = self._alike_of.get(word)
        if alike is None:
            alike = self._alike_of[word] = _similar_words(word, self._unit_words)
        return alike

    def _names_with(self, word: str, unnumbered: str) -> frozenset[int]:
        """Registry names holding a word like `word` (only those without a number: "-")."""
        key = f"w{unnumbered}:{word}"
        names = self._holding.get(key)
        if names is None:
            names = self._holding[key] = frozenset(
                index for similar in self._alike_words(word)
                for index in self._postings.get(f"w{unnumbered}:{similar}", ())
            )
        return names

    def _unit_pairs(
        self, query: UnitName, country: str | None = None, context: Context | None = None
    ) -> Iterable[tuple[int, _Scored]]:
        if not query.key:
            return
        # Many forces have a "1/er. Batallón de Infantería": a name written alike in
        # the same states is scored once.
        done: dict[tuple[str, frozenset[str]], _Scored | None] = {}
        for index in self._unit_candidates(query, context):
            if country and self._country(index) != country:
                continue
            name, states = self._unit_entries[index].name, self._states(index)
            if (name.text, states) not in done:
                done[name.text, states] = compare_units(query, name, states, context)
            scored = done[name.text, states]
            if scored is not None:
                yield index, scored
        yield from self._acronym_pairs(query, country, context)

    def _country(self, index: int) -> str:
        return self._unit_countries[self._unit_entries[index].entity]

    def _states(self, index: int) -> frozenset[str]:
        """The states all names of the unit behind registry name `index` put it in."""
        # Asked again for every query that meets the name: worked out once per batch.
        states = self._states_of.get(index)
        if states is None:
            entity = self._unit_entries[index].entity
            states = self._states_of[index] = frozenset(self._unit_states.get(str(entity), ()))
        return states

    def _acronym_pairs(
        self, query: UnitName, country: str | None = None, context: Context | None = None
    ) -> Iterable[tuple[int, _Scored]]:
        """Pairs where an acronym on one side is the initials of the other's words.

        Names whose numbers and the query's are both given and differ are never
        spelt out: they contradict whatever the acronym reads as.
        """
        # Beside a number, only names with that number or none.
        keys = [f"|{number}" for number in (*query.numbers, "-")] if query.numbers else [""]
        for acronym, written in query.acronyms:
            for initials in _initial_patterns(acronym):
                for index in (index for key in keys
                              for index in self._initials.get(f"{initials}{key}", ())):
                    if country and self._country(index) != country:
                        continue
                    target = self._unit_entries[index].name
                    expanded = _expand(query, acronym, written, target)
                    if expanded is not None:
                        scored = compare_units(expanded[0], target, self._states(index),
                                               context)
                        if scored is not None:
                            yield index, _with_acronym(scored, acronym, expanded[1])
        if len(query.initials) < 2:
            return
        firsts = list(dict.fromkeys(
            "".join(word[0] for word in query.initials[:size]) for size in _initial_sizes(query)
        ))
        acronyms = [
            acronym for acronym in dict.fromkeys(
                found for letters in firsts for found in self._acronyms.get(letters[0], ())
            )
            # A registry acronym of two or three letters ("PF", "SIU") is found only as
            # written: any two or three words have some such initials.
            if len(acronym) >= SHORT_ACRONYM and any(
                len(letters) <= len(acronym) <= 4 * len(letters)
                and _in_order(letters, acronym) for letters in firsts)
        ]
        for acronym, index, written in dict.fromkeys(
            (found, index, written) for found in acronyms for key in keys
            for index, written in self._acronym_names.get(f"{found}{key}", ())
        ):
            if country and self._country(index) != country:
                continue
            target = self._unit_entries[index].name
            expanded = _expand(target, acronym, written, query)
            if expanded is not None:
                scored = compare_units(query, expanded[0], self._states(index), context)
                if scored is not None:
                    # Words spelt out against a bare acronym in the registry: the acronym
                    # confirms only initials (many states have a "GOPES"), so never sure.
                    yield index, _with_acronym(scored, acronym, expanded[1], sure=False)

    # --- people ---------------------------------------------------------------------

    def match_person(
        self,
        query: str,
        *,
        birth_date: PartialDate | None = None,
        country: str | None = None,
        limit: int | None = 10,
        explain: int | None = None,
    ) -> list[Candidate]:
        """People the query may name, best first: `match` and `possible` only (the
        first `limit`; None: all). Only the first `explain` (None: all) are given the
        reasons for their score; the others are ranked and banded, for a caller that
        lists only the first few but judges by all.

        The query is read by the naming culture of `country` (vocab/naming.yaml);
        without one, by each registry person's own.
        """
        fits = self._person_fits(query, _query_culture(country))
        return self._people_found(fits, birth_date, country, limit, explain)

    def _person_fits(self, query: str, culture: str | None) -> list[_QueryFit]:
        """The registry names that fit the query well enough to list, each with the
        query as read for it."""
        fits: list[_QueryFit] = []
        for reading_culture in (culture,) if culture else self._person_cultures:
            parsed = parse_person(query[:MAX_QUERY], reading_culture)
            for index in self._person_candidates(parsed):
                entry = self._person_entries[index]
                if culture is None and entry.name.culture != reading_culture:
                    continue  # read by another culture: compared in that culture's turn
                usual = self._usual_of.get(index)
                if usual is None:
                    usual = self._usual_of[index] = _usual_readings(entry.name)
                fit = _person_fit(parsed, usual)
                if fit is not None and _shown_score(fit[0]) >= PERSON_POSSIBLE_AT:
                    fits.append((index, fit, parsed))  # the others are never listed nor read
        return fits

    def _people_found(
        self,
        fits: Iterable[_QueryFit],
        birth_date: PartialDate | None,
        country: str | None,
        limit: int | None,
        explain: int | None = None,
    ) -> list[Candidate]:
        """The people `fits` name, with what a birth date and country say, best first."""
        best: dict[int, tuple[tuple[bool, float, bool], Candidate]] = {}
        # Candidates are ranked unexplained, and only those the answer lists are
        # explained: from each one's best fit (by id) and what its context says.
        explained: dict[str, tuple[_Fit, PersonReadings, tuple[str, ...]]] = {}
        for index, fit, parsed in fits:
            entry = self._person_entries[index]
            person = self._people[entry.entity]
            context, unsure = _person_context(person, birth_date, country)
            generation = _generation_note(parsed, entry.name)
            if generation:
                context, unsure = (*context, generation), True
            scored = _Scored(fit[0], fit[1] or unsure, (), parsed.key == entry.name.key)
            candidate = _candidate(person, "person", entry.written, scored, PERSON_POSSIBLE_AT)
            if candidate is not None and _keep_best(best, entry.entity, candidate, scored.exact):
                # What reading the registry's name took (a transliteration) is said too.
                notes = tuple(f"registry name: {note}" for note in entry.name.notes)
                explained[candidate.id] = (fit, parsed, (*notes, *context))
        found = _finish([candidate for _, candidate in best.values()], limit)
        for position, candidate in enumerate(found):
            if explain is not None and position >= explain:
                break  # ranked and banded; only the listed ones are explained
            fit, parsed, context = explained[candidate.id]
            # `_finish` may have added why a match was demoted: it comes last.
            found[position] = replace(candidate, explanation=(
                *_person_why(parsed, fit), *context, *candidate.explanation))
        return found

    def _person_candidates(self, query: PersonReadings) -> list[int]:
        """Every registry name the rules may not rule out for some reading of the query.

        A pair of readings survives `_compare_reading` only if the first surnames
        are alike and the second surname or the given names are too (when one of
        them differs, the other must agree; when neither name has either, the
        first surname stands alone), and a less likely reading's given names are
        each like one of the other's. Registry readings are filed by first surname
        alone, with the second surname, with each given name, and apart when they
        have neither; a less likely one by its pairs of given names
        (`Matcher._add_person`). Each part of a query is looked up as every
        registry part it is like (`_Spellings`), so nothing the rules accept is
        left out.
        """
        found: set[int] = set()
        blocks = self._person_blocks
        for reading in query.readings:
            if not reading.surnames:
                continue
            firsts = self._alike("surname", reading.surnames[0])
            second = _second(reading)
            seconds = self._alike("surname", second) if second else ()
            given = list(dict.fromkeys(
                alike for name in reading.given for alike in self._alike("given", name)
            ))
            for first in firsts:
                # The registry's less likely readings, whose given names must all be
                # like the query's.
                lookups = [f"a|{first}|{one}|{other}"
                           for one, other in itertools.product(given, repeat=2)]
                if reading.cost and reading.given:
                    # Every given name this reading assumes must be borne out.
                    found.update(frozenset.intersection(*(
                        frozenset(index for alike in self._alike("given", name)
                                  for index in blocks.get(f"g|{first}|{alike}", ()))
                        for name in reading.given
                    )))
                    for key in lookups:
                        found.update(blocks.get(key, ()))
                    continue
                lookups += [f"s|{first}|{alike}" for alike in seconds]
                lookups += [f"g|{first}|{alike}" for alike in given]
                if second and reading.given:
                    lookups.append(f"n|{first}")
                elif second:
                    lookups.append(f"s|{first}|")
                elif reading.given:
                    lookups.append(f"g|{first}|")
                else:
                    lookups.append(f"1|{first}")
                for key in lookups:
                    found.update(blocks.get(key, ()))
        return sorted(found)

    def _alike(self, role: str, name: str) -> tuple[str, ...]:
        """The registry's surnames or given names (`role`) that `name` is like."""
        spellings = self._spellings.get(role)
        if spellings is None:
            names = self._person_surnames if role == "surname" else self._person_given
            spellings = self._spellings[role] = _Spellings(names)
        return spellings.like(name)

    def match_people(
        self,
        queries: Sequence[str],
        *,
        birth_dates: Sequence[PartialDate | None] | None = None,
        countries: Sequence[str | None] | None = None,
        limit: int | None = 10,
        explain: int | None = None,
    ) -> list[list[Candidate]]:
        """Many queries at once; each distinct name is matched once, and each distinct
        (name, birth date, country) answered once."""
        for given, label in ((birth_dates, "birth_dates"), (countries, "countries")):
            if given is not None and len(given) != len(queries):
                raise ValueError(f"{label} has {len(given)} items for {len(queries)} queries")
        fitted: dict[tuple[str, str | None], list[_QueryFit]] = {}
        done: dict[tuple[str, PartialDate | None, str | None], list[Candidate]] = {}
        results: list[list[Candidate]] = []
        for index, query in enumerate(queries):
            key = (
                query,
                birth_dates[index] if birth_dates is not None else None,
                countries[index] if countries is not None else None,
            )
            if key not in done:
                read = (query, _query_culture(key[2]))
                if read not in fitted:
                    fitted[read] = self._person_fits(*read)
                done[key] = self._people_found(fitted[read], key[1], key[2], limit, explain)
            results.append(done[key])
        return results


def _similar_words(word: str, words: Sequence[str]) -> list[str]:
    """Registry words spelt like `word`, found by one vectorised pass."""
    return [
        choice for choice, _, _ in process.extract(
            word, words, scorer=fuzz.ratio, score_cutoff=WORD_ALIKE, limit=None
        )
    ]


def _query_culture(country: str | None) -> str | None:
    """The naming culture a query with this country is read by; None without one."""
    return culture_of(country) if country else None


def _second(reading: PersonName) -> str:
    return reading.surnames[1] if len(reading.surnames) > 1 else ""


class _Spellings:
    """A list of folded names, to find those `_similar` does not call different."""

    def __init__(self, names: Sequence[str]) -> None:
        self._names = list(names)
        self._bare = [_bare(name) for name in self._names]
        self._sounds: dict[str, list[int]] = defaultdict(list)
        self._initials: dict[str, list[int]] = defaultdict(list)  # by first letter
        self._lone: dict[str, list[int]] = defaultdict(list)  # names that are one letter
        self._skeletons: dict[str, list[int]] = defaultdict(list)  # by consonants
        self._lines: dict[str, list[int]] = defaultdict(list)  # by name_variants.yaml line
        for index, bare in enumerate(self._bare):
            line = spelling_line(self._names[index])
            if line is not None:
                self._lines[line].append(index)
            if bare:
                self._sounds[sound_key(bare)].append(index)
                self._skeletons[_consonants(bare)].append(index)
                self._initials[bare[0]].append(index)
                if len(bare) == 1:
                    self._lone[bare].append(index)
        self._found: dict[str, tuple[str, ...]] = {}

    def like(self, name: str) -> tuple[str, ...]:
        found = self._found.get(name)
        if found is None:
            found = self._found[name] = self._look_up(name)
        return found

    def _look_up(self, name: str) -> tuple[str, ...]:
        bare = _bare(name)
        if not bare:
            return ()
        # Each relation `_similar` accepts, gathered separately; then `_similar` decides.
        indexes = set(self._sounds.get(sound_key(bare), ()))
        indexes.update(self._skeletons.get(_consonants(bare), ()))
        line = spelling_line(name)
        if line is not None:
            indexes.update(self._lines.get(line, ()))
        indexes.update(self._initials.get(bare, ()) if len(bare) == 1
                       else self._lone.get(bare[0], ()))
        indexes.update(index for _, _, index in process.extract(
            bare, self._bare, scorer=JaroWinkler.normalized_similarity,
            score_cutoff=(CLOSE - 0.1) / 100, limit=None,
        ))
        return tuple(self._names[index] for index in sorted(indexes)
                     if _similar(name, self._names[index])[1] != "different")


def _anchor(words: Sequence[str]) -> str:
    """The index key of a name's one or two rarest words."""
    return "a:" + "|".join(sorted(words))


def _type_families(name: UnitName) -> tuple[str, ...]:
    """The broadest concept above each unit type the name gives ("zone" for "Zona
    Naval"): two types that do not share one contradict."""
    concepts = lexicon().concepts
    families: dict[str, None] = {}
    for concept in name.concepts:
        if concepts[concept].facet == "type":
            seen = {concept}
            while (broader := concepts[concept].broader) is not None and broader not in seen:
                concept = broader
                seen.add(concept)
            families[concept] = None
    return tuple(sorted(families))


def _acronym_words(name: UnitName) -> set[str]:
    """The name's words that are acronyms ("CGN" in "74 CGN")."""
    return {acronym for acronym, _ in name.acronyms} & set(name.words)


def _identifying(name: UnitName) -> bool:
    """Whether the name says which unit, not only what kind: a number, a word, a state."""
    return bool(name.numbers or name.words or name.states)


def _initial_patterns(acronym: str) -> set[str]:
    """First letters of two or more words that could make `acronym` (first letter fixed)."""
    rest = acronym[1:]
    shortest = max(2, -(-len(acronym) // 4))
    patterns: set[str] = set()
    for mask in range(1 << len(rest)):
        picked = acronym[0] + "".join(rest[i] for i in range(len(rest)) if mask >> i & 1)
        if len(picked) >= shortest:
            patterns.add(picked)
    return patterns


def _initial_sizes(name: UnitName) -> tuple[int, ...]:
    """How many of a name's initials an acronym may take: all, or all but a trailing state."""
    sizes = [len(name.initials)]
    if name.place_tail:
        sizes.append(len(name.initials) - name.place_tail)
    return tuple(size for size in sizes if size >= 2)


def _in_order(letters: str, text: str) -> bool:
    """Whether `letters` occur in `text` in order, the first at its start."""
    if not text.startswith(letters[:1]):
        return False
    position = 0
    for letter in letters:
        position = text.find(letter, position)
        if position < 0:
            return False
        position += 1
    return True


# --- units: the rules ---------------------------------------------------------------

NUMBER_ONE_SIDED = 15.0
TYPE_ONE_SIDED = 15.0
FACET_ONE_SIDED = 6.0
GENERIC = 6.0
WORD_ONE_SIDED = 8.0
STATE_ONE_SIDED = 5.0
LETTER_ONE_SIDED = 8.0
MISSPELT = 2.0
ACRONYM = 4.0


def compare_units(
    query: UnitName,
    registry: UnitName,
    states: frozenset[str] = frozenset(),
    context: Context | None = None,
) -> _Scored | None:
    """How well a registry unit name fits a query; None when they contradict.

    `states` are the states all the unit's names put it in: a state the query
    names and this registry name lacks is judged against them. `context` is what
    the places and forces around the query's unit say: they must agree, but are
    not words of its name (a state there never identifies the unit; a town does
    when the registry name holds it).
    """
    why: list[str] = []
    penalty = 0.0
    capped = False
    evidence = False  # something agrees
    identified = False  # something that names one unit agrees: numbers, a word, a state
    if query.key == registry.key:
        why.append("same name as in the registry")
    # Forces: a gate. A naval station is not a police force; a force on one side only
    # says nothing (most names leave theirs unsaid).
    mine_forces = forces(query.concepts) | (context.forces if context else frozenset())
    theirs_forces = forces(registry.concepts)
    if mine_forces and theirs_forces:
        if not mine_forces & theirs_forces:
            return None
        evidence = True
        labels = lexicon().concepts
        why.append(" ".join(labels[force].label for force in sorted(mine_forces & theirs_forces))
                   + " agrees")
    # Numbers: compared as numbers; a different one is another unit.
    if query.numbers and registry.numbers:
        if not query.numbers & registry.numbers:
            return None
        shown = ", ".join(number_text(n) for n in sorted(query.numbers & registry.numbers))
        if query.numbers == registry.numbers and query.sequence == registry.sequence:
            why.append(f"number {shown} agrees")
            evidence = identified = True
        elif query.numbers == registry.numbers:
            # "No. 1 1" is not "No. 1"; "Compañía 1 del Batallón 1" is not "Batallón 1".
            why.append(f"numbers {' '.join(map(number_text, query.sequence))} against "
                       f"{' '.join(map(number_text, registry.sequence))}: not said as often "
                       "or in the same order")
            evidence = identified = True
            penalty += NUMBER_ONE_SIDED
            capped = True
        else:
            why.append(f"numbers only partly agree ({shown})")
            identified = True  # a shared number: a company of the same battalion
            penalty += NUMBER_ONE_SIDED
            capped = True
    elif query.numbers or registry.numbers:
        side, numbers = (
            ("query", query.numbers) if query.numbers else ("registry name", registry.numbers)
        )
        why.append(f"number {', '.join(map(number_text, sorted(numbers)))} only in the {side}")
        penalty += NUMBER_ONE_SIDED
        capped = True
    why.extend(query.readings)
    why.extend(f"registry name: {reading}" for reading in registry.readings
               if reading not in query.readings)
    # Vocabulary, facet by facet.
    concepts = lexicon().concepts
    facets = sorted(
        {concepts[c].facet for c in (*query.concepts, *registry.concepts)} - {"force"},
        key=lambda facet: (facet != "type", facet),  # the unit type first
    )
    for facet in facets:
        mine = {c for c in query.concepts if concepts[c].facet == facet}
        theirs = {c for c in registry.concepts if concepts[c].facet == facet}
        if mine == theirs:
            evidence = True
            for concept in sorted(mine):
                said, written = query.concepts[concept], registry.concepts[concept]
                note = (f"{written} agrees" if said.casefold() == written.casefold()
                        else f"{said} = {written}")
                if note not in why:  # "B.I." gives battalion and infantry at once
                    why.append(note)
            continue
        cost = TYPE_ONE_SIDED if facet == "type" else FACET_ONE_SIDED
        capped = True
        if not mine or not theirs:
            side, table = ("query", query) if mine else ("registry name", registry)
            listed = ", ".join(table.concepts[c] for c in sorted(mine or theirs))
            why.append(f"{listed} only in the {side}")
            penalty += cost
        elif mine & theirs:
            evidence = True
            extra = sorted(mine ^ theirs)
            listed = ", ".join(
                query.concepts.get(c) or registry.concepts[c] for c in extra
            )
            why.append(f"{listed} on one side only")
            penalty += FACET_ONE_SIDED
        elif _compatible(mine, theirs):
            said = ", ".join(query.concepts[c] for c in sorted(mine))
            written = ", ".join(registry.concepts[c] for c in sorted(theirs))
            why.append(f"{said} is less specific than {written}"
                       if all(concepts[c].broader is None for c in mine)
                       else f"{written} is less specific than {said}")
            penalty += GENERIC
        else:
            return None  # a battalion is not a zone; infantry is not cavalry
    # Lone letters ("Compañía B", "7-A"): another letter is another sub-unit.
    if query.letters != registry.letters:
        only_query = sorted((Counter(query.letters) - Counter(registry.letters)).elements())
        only_registry = sorted((Counter(registry.letters) - Counter(query.letters)).elements())
        if only_query and only_registry:
            return None
        if not (only_query or only_registry):
            why.append(f"letters {' '.join(query.letters).upper()} in another order")
        for side, letters in (("query", only_query), ("registry name", only_registry)):
            if letters:
                why.append(f"letter {' '.join(letters).upper()} only in the {side}")
        penalty += LETTER_ONE_SIDED
        capped = True
    elif query.letters:
        why.append(f"letter {' '.join(registry.letters).upper()} agrees")
    # Words that name the unit: places, proper names.
    pairs, only_query, only_registry = _align(query.words, registry.words)
    # An acronym or a word of three letters is written right or is another one: "PAF" is
    # not "PF", "cabinet" not "CAIET".
    strict = _acronym_words(query) | _acronym_words(registry)
    for pair in [pair for pair in pairs if pair[2] < 100 and (
            pair[0] in strict or pair[1] in strict or min(len(pair[0]), len(pair[1])) < 4)]:
        pairs.remove(pair)
        only_query.append(pair[0])
        only_registry.append(pair[1])
    towns: list[tuple[str, str, float]] = []
    if context is not None and context.words:
        # A town around the unit agrees when the registry name holds it, and is no
        # word of the unit's name when it does not; beside another place it contradicts.
        towns, unpaired, only_registry = _align(context.words, only_registry)
        if unpaired and only_registry:
            return None
    if query.words and registry.words and not pairs and not towns:
        return None  # both name something, and not the same thing
    if only_query and only_registry:
        return None  # "Villa Ensueño" is not "Villa Quimera": the places differ
    for mine, theirs, words in ((query, registry, only_query), (registry, query, only_registry)):
        if words and mine.acronyms and _acronym_words(mine) & set(words) and (
            _type_families(theirs) and not _type_families(mine)
        ):
            # "74 CGN" and "74/a. Zona Naval": the acronym names a unit the other
            # spells otherwise (an acronym that fits is read by `_acronym_pairs`).
            return None
    agreeing = [written for _, written, similarity in (*pairs, *towns) if similarity == 100]
    if agreeing:
        why.append(f"{' '.join(_shown(registry, agreeing))} agrees")
    for said, written, similarity in (*pairs, *towns):
        evidence = identified = True
        if similarity < 100:
            why.append(f'"{said}" ~ "{written}" (spelling differs)')
            penalty += (100 - similarity) * 0.3
            capped = True
    for side, table, words in (("query", query, only_query),
                               ("registry name", registry, only_registry)):
        if words:
            # One penalty per side: a missing place is missing however long its name.
            why.append(f"{' '.join(_shown(table, words))} only in the {side}")
            penalty += WORD_ONE_SIDED
            capped = True
    # States: both named must agree. A state on one side only is a difference even
    # beside an agreeing town (there is a San Juan in many states), unless the unit's
    # other names put it in the query's state; a state they all contradict rules it out.
    # The context's states are judged as the query's own, but only the unit's own
    # state identifies it: a state is where many units are.
    asked = dict(query.states)
    for state, shown in (context.states.items() if context is not None else ()):
        asked.setdefault(state, shown)
    # A unit named by nothing but its state ("Tamaulipas State Police") is identified by
    # the state around a query of the same kind ("Policía Estatal, Tampico, Tamaulipas").
    own = bool(query.states) or (
        not (registry.words or registry.numbers) and bool(_type_families(query))
        and _type_families(query) == _type_families(registry)
    )
    located = False  # a state of the query agrees
    if asked and registry.states:
        if set(asked) != set(registry.states):
            return None
        evidence, identified, located = True, identified or own, True
        why.append(f"{', '.join(registry.states.values())} agrees")
    elif asked and states and not set(asked) & states:
        return None
    elif asked and set(asked) <= states:
        evidence, identified, located = True, identified or own, True
        why.append(f"{', '.join(asked.values())} agrees with the unit's other names")
    elif asked and not query.states and not registry.words:
        # A unit named without a place (a numbered unit, a national force) is one of its
        # kind wherever it serves; a unit named by its town is not (many states have a
        # San Juan).
        why.append(f"{', '.join(asked.values())} taken as the place, not part of the name")
    elif asked or registry.states:
        side, shown = ("query", asked) if asked else ("registry name", registry.states)
        why.append(f"{', '.join(shown.values())} only in the {side}")
        penalty += STATE_ONE_SIDED
        capped = True
    misspelt = sum(reading.endswith(MISSPELT_NOTE)
                   for reading in (*query.readings, *registry.readings))
    penalty += MISSPELT * misspelt
    if not identified and mine_forces and _only_force(query) and _only_force(registry):
        identified = True  # "Navy" and "Mexican Navy": the force is the unit
    inside = _inside(query, registry, only_query, only_registry)
    if (not identified and not _identifying(registry) and _kind_named(registry)
            and set(registry.concepts) <= set(query.concepts) and (inside or not query.words)):
        # A name that is only its kind ("Federal Police") is identified by a query that
        # says all of it and names nothing else: "Federal Police4" may be it, "Federal
        # Police Intelligence Unit" is inside it; "Policía Municipal de Villa Quimera"
        # is neither of "Policía Nacional".
        identified = True
    placed = context is not None and bool(context.words or context.states)
    if not identified and (_identifying(query) or (placed and _identifying(registry))
                           or not evidence):
        # Only the vocabulary agrees ("Policía" in "Policía Municipal de Villa Quimera"
        # and "Policía Nacional"): that says what kind of unit, not which one. A query
        # that names no number, word or state is asked the vocabulary alone, unless
        # the places around it say which and the registry name says another
        # ("Infantry Battalion, Toluca" is no "102nd Infantry Battalion"; "Policía
        # Federal, Mexico, D.F." is the "Federal Police").
        return None
    if not identified and not _kind_named(query):
        return None  # "State of", "Federal": a level or an arm names no kind of unit
    if not identified and not set(query.concepts) <= set(registry.concepts):
        # A query naming only kinds of unit may be any unit of all those kinds, not one
        # of another: "Centro Médico Naval" is no "Centro de Análisis".
        return None
    for coded, typed in ((query, registry), (registry, query)):
        if (coded.numbers and coded.letters and not typed.letters and coded.words
                and not _type_families(coded) and _type_families(typed)
                and not (pairs or towns or located)):
            # Only a number links them, and on one side it is a lettered code with words
            # of its own: "D-102 Netzahualcoyotl" (a ship's hull number) is no "102nd
            # Infantry Battalion", "C-4 Iguala" (a control centre) no "4th Brigade".
            return None
    if context is not None and context.words and not towns:
        why.append(f"{' '.join(context.words_written)} taken as the place, not part of the name")
    if inside:
        why.append("the query names a unit inside this one")
    return _Scored(max(0.0, 100.0 - penalty), capped or inside, tuple(why),
                   query.key == registry.key, inside)


# The registry's `force` field (model.Force) as the force concepts of vocab/units.yaml
# it belongs to; a field with none here (national guard, migration, intelligence,
# other) says nothing a name's force could contradict.
RECORD_FORCES: dict[str, frozenset[str]] = {
    "army": frozenset({"army"}),
    "navy": frozenset({"navy"}),
    "marines": frozenset({"navy"}),  # naval infantry, in most forces the navy's
    "air_force": frozenset({"air-force"}),
    "federal_police": frozenset({"police-force"}),
    "state_police": frozenset({"police-force"}),
    "municipal_police": frozenset({"police-force"}),
    "investigative_police": frozenset({"police-force"}),
}


def _recorded_force(
    scored: _Scored, asked: frozenset[str], name: UnitName, force: str,
) -> _Scored:
    """A candidate whose record says another force than the query: at most possible.

    The force in a name is a gate (`compare_units`), but most names leave theirs
    unsaid ("Brigada 12"), and then only the record's `force` field tells an army
    brigade from "Brigada 12 de la Armada". The field is coarse (one force for a
    ministry that holds two), so it caps the match rather than rule it out.
    """
    held = RECORD_FORCES.get(force, frozenset())
    if not held or forces(name.concepts) or held & asked:
        return scored
    labels = lexicon().concepts
    said = ", ".join(labels[concept].label for concept in sorted(asked))
    return replace(scored, capped=True, why=(
        *scored.why, f"the query names the {said}; the registry records this unit's force "
        f"as {force.replace('_', ' ')}"))


def _only_force(name: UnitName) -> bool:
    """Whether a name says nothing but its force ("Navy", "Mexican Army", "SEMAR")."""
    concepts = lexicon().concepts
    return not (name.numbers or name.words or name.states or name.letters) and all(
        concepts[concept].facet == "force" for concept in name.concepts
    )


def _kind_named(name: UnitName) -> bool:
    """Whether a name says what kind of unit it is: a unit type or a force."""
    concepts = lexicon().concepts
    return any(concepts[concept].facet in ("type", "force") for concept in name.concepts)


def _inside(
    query: UnitName, registry: UnitName, only_query: Sequence[str], only_registry: Sequence[str],
) -> bool:
    """Whether the query names a unit inside the registry's, not the unit itself.

    Everything the registry name says is in the query, which adds a unit type of
    its own and the registry name has no number: "Colombian Army Mobile Brigade
    No. 7" and "Colombian Army", "Federal Police Special Unit" and "Federal Police";
    or the registry name is a force (and the words of its name) and the query adds
    a word, number or letter to it: "SEDENA SOF" and "SEDENA".
    """
    if registry.numbers or registry.letters or only_registry:
        return False
    if not set(registry.concepts) <= set(query.concepts):
        return False
    concepts = lexicon().concepts
    # Besides its own unit type, the query may add nothing of a kind the registry name
    # says: "Policía Judicial Federal" is another police, not one inside "Federal Police".
    said = {concepts[concept].facet for concept in registry.concepts} - {"type", "force"}
    if any(concepts[concept].facet in said and concept not in registry.concepts
           for concept in query.concepts):
        return False
    if registry.concepts and all(concepts[concept].facet == "force"
                                 for concept in registry.concepts) and (
            only_query or query.numbers or query.letters):
        # A force written with what it does not say of itself: "SEDENA SOF", "SEDENA
        # 2540", "Norvian Army Band" name something of the army's, not the army.
        return True
    return any(concepts[concept].facet == "type" and concept not in registry.concepts
               for concept in query.concepts)


def _shown(name: UnitName, folded: Sequence[str]) -> list[str]:
    """Folded words of a name as the name writes them."""
    written = dict(zip(name.words, name.words_written, strict=True))
    return [written.get(word, word) for word in folded]


def _compatible(mine: set[str], theirs: set[str]) -> bool:
    """Whether every concept on each side is the other's, or broader or narrower."""
    concepts = lexicon().concepts

    def related(a: str, b: str) -> bool:
        return a == b or concepts[a].broader == b or concepts[b].broader == a

    return all(any(related(a, b) for b in theirs) for a in mine) and all(
        any(related(a, b) for a in mine) for b in theirs
    )


def _align(
    mine: Sequence[str], theirs: Sequence[str]
) -> tuple[list[tuple[str, str, float]], list[str], list[str]]:
    """Pair words that are the same or spelt alike; return the pairs and the leftovers."""
    left = list(dict.fromkeys(mine))
    right = list(dict.fromkeys(theirs))
    pairs: list[tuple[str, str, float]] = []
    for word in list(left):
        if not right:
            break
        choice = process.extractOne(word, right, scorer=fuzz.ratio, score_cutoff=WORD_ALIKE)
        if choice is None:
            continue
        other, similarity = choice[0], float(choice[1])
        if similarity < 100 and sound_key(word) == sound_key(other):
            similarity = 100.0
        pairs.append((word, other, similarity))
        left.remove(word)
        right.remove(other)
    return pairs, left, right


def _expand(
    name: UnitName, acronym: str, written: str, other: UnitName
) -> tuple[UnitName, str] | None:
    """`name` with its acronym spelt out as the words of `other` it abbreviates."""
    for size in (len(other.initials), len(other.initials) - other.place_tail):
        if size > 0 and _fits(acronym, other.initials[:size]):
            break
    else:
        return None
    spelt = " ".join(other.initials_written[:size])
    text = name.text.replace(written, f" {spelt} ", 1) if written in name.text else (
        f"{name.text} {spelt}"
    )
    return _spelt_out(text), spelt


# A batch spells the same acronyms out with the same words again and again (every
# "12 BI" of the registry against every "Batallón de Infantería" asked): each
# acronym and list of words is fitted once, and each spelt-out text read once.
@lru_cache(maxsize=1 << 16)
def _fits(acronym: str, words: tuple[str, ...]) -> bool:
    return initials_fit(acronym, words) is not None


@lru_cache(maxsize=1 << 17)
def _spelt_out(text: str) -> UnitName:
    return replace(parse_unit(text), acronyms=())


def _with_acronym(scored: _Scored, acronym: str, spelt: str, *, sure: bool = True) -> _Scored:
    note = f'"{acronym.upper()}" read as the initials of "{spelt}"'
    capped = scored.capped or not sure or len(acronym) < SHORT_ACRONYM
    return _Scored(max(0.0, scored.score - ACRONYM), capped, (note, *scored.why))


# --- people: the rules -----------------------------------------------------------------

SAME = 100.0
SOUNDS_ALIKE = 97.0
PARTICLE = 96.0  # "Fuente" for "de la Fuente": another way of writing it, or another family
INITIAL = 90.0
TRANSLITERATED = 90.0  # a name in Arabic script whose consonants a Latin spelling shares
CLOSE = 85.0  # Jaro-Winkler at or above this: a spelling variant, not another name
MISSING_SECOND_SURNAME = 85.0
EXTRA_GIVEN = 4.0
READING_COST = 3.0


def compare_people(
    query: PersonReadings,
    registry: PersonReadings,
    usual: Sequence[PersonName] | None = None,
) -> _Scored | None:
    """How well a registry person's name fits a query; None when the surnames differ.

    `usual`: `_usual_readings(registry)`, when the caller holds it already.
    """
    fit = _person_fit(query, _usual_readings(registry) if usual is None else usual)
    if fit is None:
        return None
    generation = _generation_note(query, registry)
    why = (*_person_why(query, fit), *((generation,) if generation else ()))
    return _Scored(fit[0], fit[1] or bool(generation), why, query.key == registry.key)


def _generation_note(query: PersonReadings, registry: PersonReadings) -> str:
    """Why the names may be of father and son ("Jr.", "III" on one side or two), or ""."""
    if query.generation == registry.generation:
        return ""
    if query.generation and registry.generation:
        return f"generation {query.generation} against {registry.generation}: another man"
    side = "query" if query.generation else "registry name"
    return (f"generation {query.generation or registry.generation} only in the {side}: "
            "father and son may share the name")


# The score of the best pair of readings, whether it is capped, and the pair.
_Fit = tuple[float, bool, PersonName, PersonName]
# A registry name's index, its fit, and the query as read for it (by its naming culture).
_QueryFit = tuple[int, _Fit, PersonReadings]


def _person_fit(query: PersonReadings, usual: Sequence[PersonName]) -> _Fit | None:
    """The best pair of a query's readings and a registry name's usual ones, unexplained.

    Every pair of readings is scored, but only the best is explained (`_person_why`):
    a batch scores thousands of pairs for each answer it shows.
    """
    best: _Fit | None = None
    for mine in query.readings:
        if not mine.surnames:
            continue
        first = mine.surnames[0]
        for theirs in usual:
            # Most pairs of readings part at the first surname: tell them so first.
            if not theirs.surnames or _similar(first, theirs.surnames[0])[1] == "different":
                continue
            fit = _compare_reading(mine, theirs)
            if fit is None:
                continue
            score = fit[0] - READING_COST * (mine.cost + theirs.cost)
            if best is None or (not fit[1], score) > (not best[1], best[0]):
                best = (score, fit[1], mine, theirs)
    return best


def _person_why(query: PersonReadings, fit: _Fit) -> tuple[str, ...]:
    """Why a registry name fits a query as `fit` says."""
    why: list[str] = []
    _compare_reading(fit[2], fit[3], why)
    why.extend(query.notes)
    if query.set_aside:
        why.append(f"{', '.join(query.set_aside)} set aside as rank, title or remark")
    return tuple(why)


def _usual_readings(registry: PersonReadings) -> tuple[PersonName, ...]:
    """The readings of a registry name compared with a query's.

    The registry's own names are read the usual way; only a three-word name may
    also be two given names and one surname ("Juan Carlos Pérez").
    """
    return tuple(
        reading for reading in registry.readings
        if reading.cost == 0 or (reading.order == "given names first"
                                 and len(reading.given) + len(reading.surnames) == 3)
    )


# Names are drawn from a small stock of given names and surnames, so the same two words
# meet again and again across a roster: each pair is worked out once.
@lru_cache(maxsize=1 << 18)
def _similar(mine: str, theirs: str) -> tuple[float, str]:
    """Similarity of two folded names and how they relate: same, sounds, initial, close."""
    if mine == theirs:
        return SAME, "same"
    line = spelling_line(mine)
    if line is not None and line == spelling_line(theirs):
        return SAME, "variant"  # spellings of one name (name_variants.yaml)
    bare_mine, bare_theirs = _bare(mine), _bare(theirs)
    if mine.startswith(SCRIPT) or theirs.startswith(SCRIPT):
        # Written in Arabic script on one side at least: only consonants to go on, and
        # several names share them (Mohamed, Mahmoud), so never sure.
        if _consonants(bare_mine) == _consonants(bare_theirs):
            return TRANSLITERATED, "script"
        return 0.0, "different"
    if sound_key(bare_mine) == sound_key(bare_theirs):
        # "de la Fuente" and "Fuente" may be one surname written with and without its
        # particle, or two families ("Fuente", "Fuentes" are near too): never sure.
        if _particles(mine) != _particles(theirs):
            return PARTICLE, "particle"
        return (SAME, "same") if bare_mine == bare_theirs else (SOUNDS_ALIKE, "sounds")
    if (len(bare_mine) == 1 or len(bare_theirs) == 1) and bare_mine[0] == bare_theirs[0]:
        return INITIAL, "initial"
    similarity = JaroWinkler.normalized_similarity(bare_mine, bare_theirs) * 100
    return similarity, "close" if similarity >= CLOSE else "different"


_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "dela", "delos", "delas",
                        "al", "el", "bin", "ibn", "bint"})


def _consonants(bare: str) -> str:
    """A name's consonants, whether written in Arabic script (`~mhmd`) or in Latin."""
    return bare[len(SCRIPT):] if bare.startswith(SCRIPT) else skeleton(bare.replace(" ", ""))


@lru_cache(maxsize=1 << 16)
def _bare(name: str) -> str:
    """A folded name without its particles: "de la Fuente" gives "fuente"."""
    words = name.split()
    kept = [word for word in words if word not in _PARTICLES]
    return " ".join(kept or words)


def _particles(name: str) -> tuple[str, ...]:
    # Spellings of one particle are one (El-Sayed, Al-Sayed: name_variants.yaml).
    return tuple(spelling_line(word) or word for word in name.split() if word in _PARTICLES)


def _compare_reading(
    mine: PersonName, theirs: PersonName, why: list[str] | None = None
) -> tuple[float, bool] | None:
    """The score of one reading against another and whether it is capped; None when
    the first surnames differ. The explanation goes to `why` when one is given."""
    if not mine.surnames or not theirs.surnames:
        return None
    first, relation = _similar(mine.surnames[0], theirs.surnames[0])
    if relation == "different":
        return None
    principal, second_part = theirs.labels
    if why is not None:
        why.append(_relation_text(principal, mine.surnames_written[0],
                                  theirs.surnames_written[0], relation))
    capped = relation not in _SURE
    # When the second surnames or the given names differ, the other must agree.
    both_given = bool(mine.given and theirs.given)
    given_differs = both_given and not _any_alike(mine.given, theirs.given)
    both_second = len(mine.surnames) > 1 and len(theirs.surnames) > 1
    if given_differs and not both_second:
        # Only the first surname left in common: "Anselmo Quintanar" is not "Ramiro
        # Quintanar Ybarra". With both surnames alike it may be the same man under
        # another given name (a source's slip, a name he goes by): `possible`.
        return None
    if both_second:
        second, relation = _similar(mine.surnames[1], theirs.surnames[1])
        if relation == "different" and (given_differs or not both_given):
            return None  # another mother's family, and nothing else to go on
        if why is not None:
            why.append(_relation_text(second_part, mine.surnames_written[1],
                                      theirs.surnames_written[1], relation))
        capped |= relation not in _SURE
    elif len(mine.surnames) != len(theirs.surnames):
        second = MISSING_SECOND_SURNAME
        if why is not None:
            side = "query" if len(mine.surnames) > 1 else "registry name"
            why.append(f"{second_part} only in the {side}")
        capped = True
    else:
        second = SAME
    if mine.middle or theirs.middle:
        middle = _compare_middle(mine, theirs, why)
        if middle is None:
            return None
        second = min(second, middle[0])
        capped |= middle[1]
    for reading, other in ((mine, theirs), (theirs, mine)):
        if reading.cost and not all(_any_alike((name,), other.given) for name in reading.given):
            # A less likely reading stands only where the other name bears it out:
            # "Juan Carlos Pérez" may be given names Juan Carlos against "Juan Carlos
            # Pérez López", not "Cristóbal Domínguez" against "Cristóbal Rentería".
            return None
    given, given_capped = _compare_given(mine, theirs, why)
    capped |= given_capped
    if why is not None:
        if mine.cost or mine.order != "given names first":
            why.append(_reading_text("query", mine))
        if theirs.cost:
            why.append(_reading_text("registry name", theirs))
    return 0.35 * first + 0.25 * second + 0.40 * given, capped


_SURE = ("same", "sounds", "variant")  # relations that leave a name sure


def _reading_text(side: str, reading: PersonName) -> str:
    given = " ".join(reading.given_written) or "none"
    return (f"{side} read as {reading.order}: given names {given}, "
            f"surnames {' '.join(reading.surnames_written)}")


def _compare_middle(
    mine: PersonName, theirs: PersonName, why: list[str] | None
) -> tuple[float, bool] | None:
    """Grandfathers' names of two Arabic chains, in order; None when one differs.

    Two men of one family, given and father's name alike, whose grandfathers
    differ are cousins, not one man. A grandfather's name on one side only
    leaves the name `possible`.
    """
    score, capped = SAME, len(mine.middle) != len(theirs.middle)
    for position, (said, written) in enumerate(zip(mine.middle, theirs.middle, strict=False)):
        similarity, relation = _similar(said, written)
        if relation == "different":
            return None
        score = min(score, similarity)
        capped |= relation not in _SURE
        if why is not None:
            why.append(_relation_text("grandfather's name", mine.middle_written[position],
                                      theirs.middle_written[position], relation))
    if why is not None and capped and len(mine.middle) != len(theirs.middle):
        longer, side = ((mine, "query") if len(mine.middle) > len(theirs.middle)
                        else (theirs, "registry name"))
        shorter = min(len(mine.middle), len(theirs.middle))
        why.extend(f"grandfather's name {name} only in the {side}"
                   for name in longer.middle_written[shorter:])
    return score, capped


def _compare_given(
    mine: PersonName, theirs: PersonName, why: list[str] | None
) -> tuple[float, bool]:
    if mine.order == theirs.order == SINGLE_NAME:
        # Both a single name, as many Indonesians have: the whole name agrees.
        return SAME, False
    if not mine.given or not theirs.given:
        if why is not None:
            side = "registry name" if mine.given else "query"
            why.append(f"no given name in the {side}")
        return 70.0, True
    given, capped, chosen, remaining = _given_fit(mine.given, theirs.given)
    if why is not None:
        for position, (index, relation) in enumerate(chosen):
            if index < 0:
                why.append(f"given name {mine.given_written[position]} only in the query")
            else:
                why.append(_relation_text("given name", mine.given_written[position],
                                          theirs.given_written[index], relation))
        why.extend(f"given name {theirs.given_written[index]} only in the registry name"
                   for index in remaining)
    return given, capped


@lru_cache(maxsize=1 << 16)
def _any_alike(mine: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """Whether some given name of `mine` is like some given name of `theirs`."""
    return any(_similar(a, b)[1] != "different" for a in mine for b in theirs)


# Given names come from a small stock too: each pair of lists is paired up once.
@lru_cache(maxsize=1 << 16)
def _given_fit(
    mine: tuple[str, ...], theirs: tuple[str, ...]
) -> tuple[float, bool, tuple[tuple[int, str], ...], tuple[int, ...]]:
    """Each given name of `mine` paired with the most similar one left of `theirs`.

    Returns the given-name score, whether it is capped, for each of `mine` the index
    in `theirs` it was paired with and how they relate (-1: none left), and the
    indexes of `theirs` left unpaired.
    """
    capped = False
    remaining = list(range(len(theirs)))
    scores: list[float] = []
    chosen: list[tuple[int, str]] = []
    for name in mine:
        if not remaining:
            chosen.append((-1, ""))
            scores.append(0.0)
            capped = True
            continue
        options = [(_similar(name, theirs[i]), i) for i in remaining]
        (similarity, relation), index = max(options, key=lambda option: option[0][0])
        remaining.remove(index)
        scores.append(similarity)
        chosen.append((index, relation))
        capped |= relation not in _SURE
    if remaining:
        capped = True
    given = sum(scores) / len(scores) - EXTRA_GIVEN * len(remaining)
    return given, capped, tuple(chosen), tuple(remaining)


def _relation_text(what: str, said: str, written: str, relation: str) -> str:
    if relation == "same":
        return f"{what} {written} agrees" if said == written else f"{what} {said} = {written}"
    return {
        "sounds": f"{what} {said} sounds as {written}",
        "initial": f"{what} {said} fits {written} as an initial",
        "close": f"{what} {said} ~ {written} (spelling differs)",
        "particle": f"{what} {said} ~ {written} (a particle differs)",
        "variant": f"{what} {said} = {written} (spellings of one name)",
        "script": f"{what} {said} ~ {written} (transliterated: the consonants agree)",
    }.get(relation, f"{what} {said} differs from {written}")


def _person_context(
    person: Person, birth_date: PartialDate | None, country: str | None
) -> tuple[tuple[str, ...], bool]:
    """What a birth date and country say about a person, and whether they leave doubt."""
    why: list[str] = []
    capped = False
    if birth_date is not None and person.birth_date is not None:
        if spans_overlap(birth_date, birth_date, person.birth_date, person.birth_date):
            why.append(f"born {person.birth_date}, fits {birth_date}")
        else:
            why.append(f"born {person.birth_date}, not {birth_date}: not the same person")
            capped = True
    if country and person.country != country.upper():
        why.append(f"country {person.country}, not {country.upper()}")
        capped = True
    return tuple(why), capped


# --- shared ---------------------------------------------------------------------------


def _candidate(
    record: Unit | Person, kind: str, written: str, scored: _Scored, possible_at: float
) -> Candidate | None:
    score = _shown_score(scored.score)
    if score < possible_at:
        return None
    band = Band.MATCH if score >= MATCH_AT and not scored.capped else Band.POSSIBLE
    if scored.inside:
        band = Band.INSIDE
    return Candidate(record.id, kind, record.name, written, score, band, scored.why)


def _shown_score(score: float) -> float:
    """A score as a candidate shows it, and as the bands' thresholds judge it."""
    return round(min(100.0, score), 1)


def _rank(candidate: Candidate) -> tuple[bool, float]:
    return (candidate.band is Band.MATCH, candidate.score)


def _keep_best(
    best: dict[int, tuple[tuple[bool, float, bool], Candidate]],
    entity: int,
    candidate: Candidate,
    exact: bool,
) -> bool:
    """Keep an entity's best-scoring name; on a tie, the one written as the query.

    Whether `candidate` is the one kept.
    """
    rank = (*_rank(candidate), exact)
    held = best.get(entity)
    if held is None or rank > held[0]:
        best[entity] = (rank, candidate)
        return True
    return False


def _finish(candidates: Iterable[Candidate], limit: int | None) -> list[Candidate]:
    """Best first; a match another candidate comes close to is demoted to `possible`.

    Any candidate within TIE points of the best match, in either band, means the
    query cannot tell them apart: "Luis Fuente" between "de la Fuente" and
    "Fuentes"; "José García López" written as registered beside "José María García
    López", who may well go by José.
    """
    ranked = sorted(candidates, key=lambda c: (not _rank(c)[0], -c.score, c.name, c.id))
    if not ranked or ranked[0].band is not Band.MATCH:
        return ranked[: limit if limit is None else max(0, limit)]
    top = ranked[0]
    close = [c for c in ranked[1:] if top.score - c.score < TIE]
    if close:
        tied = {c.id: c.name for c in (top, *close)}
        ranked = [
            replace(
                c,
                band=Band.POSSIBLE,
                explanation=(
                    *c.explanation,
                    "fits " + ", ".join(n for i, n in tied.items() if i != c.id)
                    + " as well: cannot tell them apart",
                ),
            )
            if c.id in tied
            else c
            for c in ranked
        ]
        ranked.sort(key=lambda c: (not _rank(c)[0], -c.score, c.name, c.id))
    return ranked[: limit if limit is None else max(0, limit)]
