"""Places and forces: the context a unit is named in, not words of its name.

A roster cell is often a path: a sub-office, its unit, the force, a town, a
state, a country ("OFFICE OF THE CHIEF OF STAFF FOR INTEL, 7TH ID, PHIL ARMY";
"Navy: Signal Department, Alexandria Naval Base"; "501st Air Sq, Santa Lucia,
Estado de Mexico"). `read_path` cuts it at commas and colons and says what each
piece is:

- a place: only states (ISO 3166-2 subdivisions, vocab/places.yaml), countries
  and their adjectives (pycountry; places.yaml `countries`) and words that name
  no unit ("Ciudad", "MX"); or,
  after a unit, a piece with no unit word, force or number: a town ("Tlatlaya",
  "Pie de la Cuesta");
- a force: only force words (vocab/units.yaml, facet `force`) and country words
  ("Navy", "Mexican Army", "PHIL ARMY", "SEDENA");
- a unit: anything else.

The places and forces of a path are its `Context`: they must agree with a
candidate (a state the candidate's names contradict, another force, a town
where the candidate names another one rule it out) but are never words that
must be matched. Country names come from pycountry (`vetting.geo`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vetting.names import (
    UnitName,
    forces,
    initials_fit,
    lexicon,
    parse_unit,
    tokenize,
)

_PIECE = re.compile(r"[,:]")


@lru_cache(maxsize=1 << 16)
def _parsed(text: str) -> UnitName:
    # A roster repeats its pieces and places ("Tampico, Tamaulipas") row after row.
    return parse_unit(text)

_BRACKETED = re.compile(r"\s*\(([^()]{2,12})\)")


@dataclass(frozen=True, slots=True)
class Context:
    """What the place and force pieces of a path say."""

    text: str  # the pieces as written, joined by ", "
    states: dict[str, str]  # state id -> as written
    words: tuple[str, ...]  # folded words of towns
    words_written: tuple[str, ...]
    forces: frozenset[str]


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    kind: str  # "unit" | "force" | "place"


@dataclass(frozen=True, slots=True)
class Path:
    """A unit cell's part read as a path of pieces."""

    pieces: tuple[Piece, ...]
    context: Context | None  # None when no piece is a place or a force

    @property
    def units(self) -> tuple[str, ...]:
        """The pieces that may name a registered unit, most specific first.

        Unit pieces in the order written (a path runs from the office to the
        force), then force pieces, the broadest; a path of places only is itself.
        """
        named = [piece.text for piece in self.pieces if piece.kind == "unit"]
        named += [piece.text for piece in self.pieces if piece.kind == "force"]
        return tuple(named) or (", ".join(piece.text for piece in self.pieces),)

    def query(self, unit: str) -> str:
        """One unit piece with the context of the others, as `read_path` reads it back."""
        others = [piece.text for piece in self.pieces
                  if piece.kind != "unit" and piece.text != unit]
        return ", ".join((unit, *others))


@lru_cache(maxsize=1 << 16)
def _kind(piece: str, after_unit: bool) -> str:
    name = _parsed(piece)
    if name.numbers or name.letters:
        return "unit"
    concepts = lexicon().concepts
    kinds = [concept for concept in name.concepts if concepts[concept].facet != "force"]
    words = name.words
    if not kinds and not words:
        return "force" if forces(name.concepts) else "place"
    if not kinds and not name.concepts and after_unit and not _acronym_like(piece):
        return "place"  # a town after its unit
    return "unit"


def _acronym_like(piece: str) -> bool:
    """Whether a piece holds a short word in capitals ("PF INTL"): a unit's acronym, not
    a town. A town in a cell written all in capitals is read as a unit then, which
    costs nothing but a piece vetted in vain."""
    stopwords = lexicon().stopwords
    return any(token.caps and len(token.key) <= 4 and token.key not in stopwords
               for token in tokenize(piece) if token.number is None)


@lru_cache(maxsize=1 << 16)
def read_path(text: str) -> Path:
    """A unit name cut into pieces at commas and colons, each read for what it is."""
    written = [piece.strip(" ;\"'") for piece in _PIECE.split(text)]
    written = [piece for piece in written if piece]
    if len(written) < 2:
        return Path((Piece(text, "unit"),), None)
    pieces: list[Piece] = []
    for piece in written:
        after_unit = any(done.kind == "unit" for done in pieces)
        pieces.append(Piece(piece, _kind(piece, after_unit)))
    kinds = {piece.kind for piece in pieces}
    if kinds == {"unit"} or kinds == {"place"}:
        return Path(tuple(pieces), None)  # no context, or nothing but context
    return Path(tuple(pieces), _context(pieces))


def _context(pieces: list[Piece]) -> Context | None:
    states: dict[str, str] = {}
    words: list[str] = []
    written: list[str] = []
    found: set[str] = set()
    context = [piece for piece in pieces if piece.kind != "unit"]
    units = [piece for piece in pieces if piece.kind == "unit"]
    if not units:
        # Forces and places only ("Navy, Veracruz"): the first force is what is named.
        named = next(piece for piece in pieces if piece.kind == "force")
        context = [piece for piece in context if piece is not named]
    for piece in context:
        name = _parsed(piece.text)
        for state, shown in name.states.items():
            states.setdefault(state, shown)
        found |= forces(name.concepts)
        if piece.kind == "place":
            words.extend(name.words)
            written.extend(name.words_written)
    if not context:
        return None
    return Context(", ".join(piece.text for piece in context), states, tuple(words),
                   tuple(written), frozenset(found))


def restated(text: str) -> str:
    """A name without the acronym it restates in brackets: "Federal Police (FP)".

    Only an acronym that spells the initials of the words just before it goes;
    any other bracket ("(SEDENA)" after "Secretariat of National Defense" stays,
    read as an alias would be, when it does not fit).
    """
    if "(" not in text:
        return text
    stopwords = lexicon().stopwords
    kept: list[str] = []
    start = 0
    for found in _BRACKETED.finditer(text):
        inner = [token for token in tokenize(found.group(1)) if token.number is None]
        before = [token.key for token in tokenize(text[start:found.start()])
                  if token.number is None and token.key not in stopwords]
        if (len(inner) == 1 and inner[0].caps and before
                and any(initials_fit(inner[0].key, before[-size:], longest=1) is not None
                        for size in range(2, len(before) + 1))):
            kept.append(text[start:found.start()])
            start = found.end()
    return "".join(kept) + text[start:] if kept else text


@lru_cache(maxsize=1 << 16)
def countries_in(text: str) -> frozenset[str]:
    """The countries a unit name names ("PHIL ARMY", "Colombian Navy", "…, Ukraine"), as
    ISO codes (vocab/places.yaml and pycountry, read by `names.parse_unit`).

    A country word inside a state's name ("Estado de México") names the state only.
    """
    return _parsed(text).countries
