"""Roster cells that name several units: cut into parts, each vetted on its own.

Clerks list units in one cell in the ways people write lists:

- `;`, line breaks and ` / ` between units (`Federal Police / Policía Federal`);
- ` & `, ` and `, ` y ` between two units, when each side names a unit of its
  own (a unit type and what tells it apart: `1st Battalion and 2nd Battalion`);
  "Centro de Análisis, Información y Estudios" stays whole, since "Estudios" is no
  unit, and so does "Regimiento y Escuela" for the same reason;
- head counts in brackets after each unit (`1st. Naval Zone (1) Cd Madero,
  Tamaulipas; 3rd Naval Zone (1) Veracruz`): the count is dropped, what follows
  it is the unit's place, and a run of units each with its count is a list even
  without a separator.

A slash without spaces (`102/o.`), a comma and a colon never cut a cell: they
make the pieces of a path (`vetting.context`). Splitting never cuts a registry
name: tests/test_cells.py runs every name and alias of the bundled registry,
the SFM sample and the test registries through `split_cell`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vetting.context import countries_in, read_path
from vetting.names import fold, lexicon, parse_unit

MAX_PARTS = 50  # more units than this in one cell is not a list a clerk wrote
# Hard separators: a semicolon, a line break, a slash or a bar with spaces around.
_HARD = re.compile(r"\s*(?:;|\r\n|\r|\n|\u2028|\u2029|\s/\s|\s\|\s)\s*")
# Soft separators: cut only where each side names a unit of its own.
_SOFT = re.compile(r"\s+(?:&|and|y|e)\s+", re.IGNORECASE)
# A head count: a number alone in brackets ("(1)", "( 12 )").
_COUNT = re.compile(r"\s*\(\s*\d{1,4}\s*\)\s*")
_TRIM = " ,.:-\t"
NEAR = 120  # characters either side of "and" / "y" read to decide whether it joins units


@lru_cache(maxsize=1 << 16)  # a roster repeats its unit cells row after row
def split_cell(text: str) -> tuple[str, ...]:
    """The units a unit cell names, in order; one part when it names one, none when it
    holds only separators.

    A part that is only places ("1st Patrol Sq; Chetumal, Quintana Roo") is the
    place of the part before it. A cell of more than MAX_PARTS parts gives
    MAX_PARTS + 1 of them: the caller reports the row rather than vet an absurd cell.
    """
    parts: list[str] = []
    for chunk in _HARD.split(text):
        for counted in _by_head_counts(chunk):
            for part in _soft_split(counted):
                part = part.strip(_TRIM)
                if part and parts and _only_places(part):
                    parts[-1] = f"{parts[-1]}, {part}"
                elif part:
                    parts.append(part)
        if len(parts) > MAX_PARTS:
            return tuple(parts[: MAX_PARTS + 1])
    return tuple(parts)  # none: separators only


def _by_head_counts(chunk: str) -> list[str]:
    """A chunk cut after each head count's place: "A (1) Tampico, B (2) Tuxpan"."""
    counts = list(_COUNT.finditer(chunk))
    if not counts or len(counts) > 2 * MAX_PARTS:
        return [chunk]
    parts: list[str] = []
    start = 0
    for number, found in enumerate(counts):
        end = counts[number + 1].start() if number + 1 < len(counts) else len(chunk)
        unit = chunk[start:found.start()]
        place = chunk[found.end():end]
        start = end
        if number + 1 < len(counts):
            # Between two counts: this unit's place, then the next unit, which starts
            # after the last comma if what follows it names a unit.
            cut = place.rfind(",")
            if cut < 0 and _names_a_unit(place):
                place, start = "", found.end()
            elif cut >= 0 and _names_a_unit(place[cut + 1:]):
                place, start = place[:cut], found.end() + cut + 1
        # The count goes; what followed it is the unit's place, after a comma.
        parts.append(f"{unit.strip(_TRIM)}, {place.strip(_TRIM)}" if place.strip(_TRIM)
                     else unit)
    return parts


def _soft_split(text: str) -> list[str]:
    """Cut at "&", "and", "y" where the comma pieces either side each name a unit."""
    pieces = _SOFT.split(text)
    if len(pieces) < 2 or len(pieces) > 2 * MAX_PARTS:
        return [text]  # more joins than a list of units has: prose, or a hostile cell
    joins = _SOFT.findall(text)
    parts = [pieces[0]]
    for join, piece in zip(joins, pieces[1:], strict=True):
        # A unit's name is short: the words next to the join are what count.
        before = re.split(r"[,:]", parts[-1])[-1][-NEAR:]
        after = re.split(r"[,:]", piece)[0][:NEAR]
        if _names_a_unit(before) and _names_a_unit(after) and _starts_a_unit(after):
            parts.append(piece)
        else:
            parts[-1] = f"{parts[-1]}{join}{piece}"
    return parts


@lru_cache(maxsize=1 << 14)
def _names_a_unit(text: str) -> bool:
    """Whether text names a unit on its own: a unit type and a number, a word or a state."""
    name = parse_unit(text)
    concepts = lexicon().concepts
    typed = any(concepts[concept].facet == "type" for concept in name.concepts)
    return typed and bool(name.numbers or name.words or name.states)


@lru_cache(maxsize=1 << 14)
def _starts_a_unit(text: str) -> bool:
    """Whether text begins as a unit's name does: a number, or a unit word ("Batallón
    404", "the Secretariat of ..."), not a word of a longer name ("Local Government")."""
    lex = lexicon()
    words = [word for word in text.split() if fold(word) not in lex.stopwords][:3]
    if not words:
        return False
    if any(char.isdigit() for char in words[0]):
        return True
    head = " ".join(words)
    name = parse_unit(head)
    return any(lex.concepts[concept].facet in ("type", "arm", "force")
               and head.casefold().startswith(written.casefold())
               for concept, written in name.concepts.items())


def _only_places(part: str) -> bool:
    """Whether a part is only places, one of them known: a state or a country
    ("Chetumal, Quintana Roo"; "Veracruz").

    A word vet does not know may be a town, or a unit's own name or acronym
    ("12th Battalion; MEVIL"): read as a place, the unit it names would be lost, so
    only a known place makes a part the place of the part before it.
    """
    path = read_path(f"Unit, {part}")  # read as what follows a unit
    if not all(piece.kind == "place" for piece in path.pieces[1:]):
        return False
    return bool(path.context is not None and path.context.states) or bool(countries_in(part))
