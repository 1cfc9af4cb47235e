"""Reading names: folding text for comparison, numbers, unit vocabulary, person names.

Everything a unit or person name can say is read here into plain records
(`UnitName`, `PersonName`); `matching.py` compares the records. The words
themselves (unit types, ordinals, ranks, particles, states, look-alike letters)
are data under `vetting/vocab/`, so a domain expert can read and extend them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml
from anyascii import anyascii
from rapidfuzz.distance import OSA

from vetting import derived, geo

# --- vocabulary files --------------------------------------------------------------


class VocabularyError(ValueError):
    """A vocabulary file under vetting/vocab/ is missing or malformed."""


def _vocab_text(name: str) -> str:
    try:
        return resources.files("vetting").joinpath("vocab", name).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise VocabularyError(f"vocabulary file vetting/vocab/{name}: {error}") from None


@cache
def _vocab(name: str) -> dict[str, Any]:
    try:
        # libyaml's loader: these tables load on every start, and the pure-Python one is slow.
        data = yaml.load(_vocab_text(name), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise VocabularyError(f"vocabulary file vetting/vocab/{name}: {error}") from None
    if not isinstance(data, dict):
        raise VocabularyError(f"vocabulary file vetting/vocab/{name}: expected a mapping")
    return data


def _section(name: str, key: str, kind: type) -> Any:
    value = _vocab(name).get(key)
    if not isinstance(value, kind):
        raise VocabularyError(
            f"vocabulary file vetting/vocab/{name}: {key!r} should be a {kind.__name__}"
        )
    return value


def vocab_section(name: str, key: str, kind: type) -> Any:
    """A top-level entry of a vocabulary file, checked to be a `kind`."""
    return _section(name, key, kind)


# --- text ------------------------------------------------------------------------

_LATIN = re.compile(r"[a-zA-Z\u00C0-\u024F]")
_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")
_TRAILING_DIGITS = re.compile(r"\d+$")


@cache
def _confusables() -> dict[str, str]:
    table: dict[str, str] = {}
    for number, line in enumerate(_vocab_text("confusables.tsv").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].startswith("U+") or len(parts[1]) != 1:
            raise VocabularyError(f"vocabulary file vetting/vocab/confusables.tsv:{number}: "
                                  "expected `U+XXXX<TAB>letter<TAB>name`")
        table[chr(int(parts[0][2:], 16))] = parts[1]
    return table


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# Unicode's format characters (category Cf): zero-width spaces and joiners,
# direction marks, soft hyphens, tags. tests/test_names.py checks the ranges
# against unicodedata, so no format character of Python's Unicode slips past.
FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD),
    (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
    (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
_FORMAT = re.compile(
    "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in FORMAT_RANGES) + "]"
)


def clean(text: str) -> str:
    """Text as shown: format and control characters removed, spaces collapsed."""
    if not text.isascii():
        text = _FORMAT.sub("", text)  # invisible: they vanish rather than split a word
    return " ".join(_CONTROL.sub(" ", text).split())


MISSPELT_NOTE = " (misspelt)"


def text_notes(text: str, shown: str, tokens: Sequence[Token]) -> list[str]:
    """What folding did beyond case and accents: invisible characters, look-alikes."""
    notes = []
    if shown != " ".join(text.split()):
        notes.append("invisible characters removed")
    table = _confusables()
    for token in tokens:
        if token.number is None and not token.text.isascii() and (
            token.key != _strip_marks(token.text)
        ):
            if _strip_marks("".join(table.get(char, char) for char in token.text)) == token.key:
                notes.append(f'"{token.text}" has look-alike letters of another script, '
                             f'read as "{token.key}"')
            else:
                notes.append(f'"{token.text}" transliterated as "{token.key}"')
    return notes


@lru_cache(maxsize=200_000)
def _strip_marks(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@lru_cache(maxsize=200_000)
def _fold_word(word: str, latin_context: bool) -> str:
    if word.isascii():
        return word.lower()
    table = _confusables()
    if any(char in table for char in word) and (
        _LATIN.search(word) or (latin_context and all(
            char in table or not char.isalpha() for char in word
        ))
    ):
        # Only look-alikes inside Latin text are mapped by shape: a word wholly in
        # another script is transliterated by sound, so "сор" is "sor", never "cop".
        word = "".join(table.get(char, char) for char in word)
    return _transliterate(_strip_marks(word))


_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")


def _transliterate(folded: str) -> str:
    """Letters left outside ASCII (Cyrillic, Arabic, Greek, `ø`) in their Latin spelling.

    anyascii spells each letter as a Latin reader would say it, so `Коваленко`
    and `Kovalenko` fold alike; its apostrophes for Arabic hamza and ayin go, as
    punctuation does elsewhere. A word anyascii cannot spell keeps its letters.
    """
    if folded.isascii():
        return folded
    latin = _NOT_ASCII_WORD.sub("", anyascii(folded).lower())
    return latin or folded


def fold(text: str) -> str:
    """The comparison form of a text: case, accents, punctuation and look-alikes folded."""
    return " ".join(token.key for token in tokenize(text))


# --- tokens ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    """One word or number of a name: as written, folded, and where it stands."""

    text: str
    key: str
    start: int
    end: int
    caps: bool  # written in capitals (two letters or more), as acronyms are
    dotted: bool  # followed by a full stop, as abbreviations are
    number: int | None = None  # digits, or digits with an ordinal ending


def tokenize(text: str) -> list[Token]:
    """Split a name into words and numbers; `102/o.`, `8va`, `33°` become one number."""
    shown = clean(text)
    words = list(_WORD.finditer(shown))
    latin = bool(_LATIN.search(shown))
    endings = _ordinal_endings()
    tokens: list[Token] = []
    index = 0
    while index < len(words):
        found = words[index]
        raw = found.group()
        start, end = found.span()
        head = _DIGITS.match(raw)
        if head:
            digits = head.group()
            rest = raw[len(digits):]
            value = int(digits) if len(digits) <= 6 else None
            # "7a", "7ª", "7A." are ordinals; a bare capital ("7A", "Batallón 7B") is a
            # letter that may tell sub-units apart, so it stays a word of its own.
            letter = len(rest) == 1 and rest.isupper() and shown[end:end + 1] != "."
            if rest and _fold_word(rest, latin) in endings and not letter:
                tokens.append(_token(shown, raw, digits, start, end, latin, value))
                index += 1
                continue
            if not rest and index + 1 < len(words):
                # "102/o.", "46/0.", "3/er." : digits, a slash, an ending.
                after = words[index + 1]
                between = shown[end:after.start()].strip()
                ending = after.group()
                if between == "/" and (_fold_word(ending, latin) in endings or ending == "0"):
                    tokens.append(_token(shown, shown[start:after.end()], digits, start,
                                         after.end(), latin, value))
                    index += 2
                    continue
            cut = start + len(digits)
            if shown[cut:cut + 1] == "°":
                cut += 1
            tokens.append(_token(shown, shown[start:cut], digits, start, cut, latin, value))
            if rest:
                # "2zm", "4ZN": a number run into a word.
                tokens.append(_token(shown, rest, rest, start + len(digits), found.end(),
                                     latin, None))
            index += 1
            continue
        tail = _TRAILING_DIGITS.search(raw)
        if tail and (code := _designator(raw[: tail.start()], tail.group(), latin)):
            # "A0937", "А0937": a national unit number, one token of its own kind.
            tokens.append(_token(shown, raw, raw, start, end, latin, code))
        elif tail:
            # "ZN4", "RN8": a word run into a number.
            cut = start + tail.start()
            tokens.append(_token(shown, raw[: tail.start()], raw[: tail.start()], start, cut,
                                 latin, None))
            tokens.append(_token(shown, tail.group(), tail.group(), cut, end, latin,
                                 int(tail.group()) if len(tail.group()) <= 6 else None))
        else:
            tokens.append(_token(shown, raw, raw, start, end, latin, None))
        index += 1
    return tokens


# A letter run into three to six digits is a national designator ("A0937", Ukraine's
# military unit numbers; "в/ч А0937"): a number of its own kind, one per letter, which
# never agrees with the bare digits nor with another letter's number.
DESIGNATOR = 10**7


def _designator(letters: str, digits: str, latin: bool) -> int | None:
    if len(letters) != 1 or not 3 <= len(digits) <= 6 or not letters.isalpha():
        return None
    key = _fold_word(letters, latin)
    if len(key) != 1 or not "a" <= key <= "z":
        return None
    return (ord(key) - ord("a") + 1) * DESIGNATOR + int(digits)


def number_text(number: int) -> str:
    """A number as explanations show it: `102`, or a designator as `A0937`."""
    if number < DESIGNATOR:
        return str(number)
    return f"{chr(ord('A') + number // DESIGNATOR - 1)}{number % DESIGNATOR:04d}"


def _token(
    shown: str, written: str, word: str, start: int, end: int, latin: bool, number: int | None
) -> Token:
    caps = len(written) >= 2 and written.isupper()
    dotted = shown[end:end + 1] == "."
    key = str(number) if number is not None else _fold_word(word, latin)
    return Token(written, key, start, end, caps, dotted, number)


# --- vocabulary tables -------------------------------------------------------------


_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_PLAIN_FORM = re.compile(r"[A-Za-z][A-Za-z .,'()-]*")
_PLAIN_WORD = re.compile(r"[a-z]+")


def _form_keys(form: str) -> tuple[str, ...]:
    form = str(form)
    if _PLAIN_FORM.fullmatch(form):
        # Letters without accents or digits fold to their lower case, as `tokenize` would
        # fold them: the thousands of country names are read without it.
        return tuple(_PLAIN_WORD.findall(form.lower()))
    return tuple(token.key for token in tokenize(form))


@cache
def _ordinal_endings() -> frozenset[str]:
    endings = _section("numbers.yaml", "ordinal_endings", list)
    return frozenset(_strip_marks(str(ending)) for ending in endings)


@dataclass(frozen=True, slots=True)
class Concept:
    """A unit-vocabulary concept: `battalion`, `infantry`, `military-zone`, …"""

    id: str
    facet: str
    broader: str | None
    label: str  # the first form, as the vocabulary writes it
    force: str | None = None  # the force a type or arm belongs to (a `force` concept)


@dataclass(frozen=True)
class _Lexicon:
    concepts: dict[str, Concept]
    # phrase (folded word keys) -> (kind, values); kind: concept | state | sign
    phrases: dict[tuple[str, ...], tuple[str, tuple[str, ...]]]
    starts: dict[str, int]  # first word of a phrase -> the longest phrase it starts
    known: frozenset[str]  # every vocabulary word, for spelling correction
    number_words: dict[str, int]
    number_phrases: dict[tuple[str, ...], int]  # number words in a row: "dua puluh satu"
    number_reach: int  # the longest of them
    multipliers: dict[str, int]
    connectors: frozenset[str]
    weak_numbers: frozenset[str]
    stopwords: frozenset[str]
    weak_words: frozenset[str]
    conjunctions: frozenset[str]  # letters that are also words joining two words
    prepositions: frozenset[str]  # letters that are also words leading a phrase
    abbreviations: dict[str, str]
    initials: dict[str, tuple[str, ...]]  # word -> short forms acronyms use for it
    states: dict[str, str]  # state id (ISO 3166-2) -> country
    # A force of one country written as its acronym ("PAF", "RTA"): its countries.
    national: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)


@cache
def country_names() -> geo.Countries:
    """Every country's names (pycountry) with places.yaml's demonyms and abbreviations."""
    stored = _library_tables()["countries"]

    def table(mapping: dict[str, list[str]]) -> dict[str, frozenset[str]]:
        return {str(key): frozenset(map(str, codes)) for key, codes in mapping.items()}

    return geo.Countries(
        names=table(stored["names"]), words=table(stored["words"]),
        bags=table(stored["bags"]), lean=table(stored["lean"]),
        not_a_gate=frozenset(map(str, stored["not_a_gate"])),
    )


@cache
def _library_tables() -> dict[str, Any]:
    """Countries, states and number words from pycountry and num2words, derived once and
    kept on disk (`vetting.derived`) under the digest of what they come from: the
    phrases unit names are read with, the country tables rosters are read with."""
    package = resources.files("vetting")
    sources = [_vocab_text(name).encode() for name in ("places.yaml", "numbers.yaml")]
    sources += [package.joinpath(name).read_bytes() for name in ("geo.py", "names.py")]
    name = derived.digest(sources, ("pycountry", "num2words"))
    data = derived.tables(name, _derive)
    try:
        _check(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        data = _derive()  # a stored file of another shape: derived again
    return data


def _check(data: dict[str, Any]) -> None:
    """Raise when stored tables are not of the shape `_derive` writes."""
    for key in ("names", "words", "bags", "lean", "not_a_gate"):
        if not isinstance(data["countries"][key], dict | list):
            raise TypeError(key)
    for keys, kind, values in data["phrases"]:
        if not (isinstance(keys, list) and isinstance(kind, str) and isinstance(values, list)):
            raise TypeError("phrases")
    if not isinstance(data["states"], dict) or not isinstance(data["numbers"]["words"], dict):
        raise TypeError("states")
    for _keys, value in data["numbers"]["phrases"]:
        int(value)


def _derive() -> dict[str, Any]:
    try:
        countries = geo.build_countries(_section("places.yaml", "countries", dict),
                                        _section("places.yaml", "not_a_gate", list))
        divisions = geo.build_subdivisions(_section("places.yaml", "subdivisions", dict),
                                           countries.names)
    except ValueError as error:
        raise VocabularyError(f"vocabulary file vetting/vocab/places.yaml: {error}") from None
    numbers = _generated_numbers()
    phrases: list[list[Any]] = []
    for division in divisions:
        phrases += [[list(_form_keys(form)), "state", [division.code]] for form in division.forms]
    for kind, forms in (("country", countries.word_forms), ("country-name", countries.name_forms),
                        ("country-beside", countries.translated_forms)):
        for form, codes in forms:
            kept = sorted(codes - countries.not_a_gate)
            if kept:
                phrases.append([list(_form_keys(form)), kind, kept])
            else:
                # "U.S. Air Force" is the United States', "U.S. Embassy liaison, Federal
                # Police" a Mexican force: such a country only beside a force or unit word.
                phrases.append([list(_form_keys(form)), "country-beside", sorted(codes)])

    def table(mapping: dict[str, frozenset[str]]) -> dict[str, list[str]]:
        return {key: sorted(codes) for key, codes in mapping.items()}

    return {
        "countries": {
            "names": table(countries.names), "words": table(countries.words),
            "bags": table(countries.bags), "lean": table(countries.lean),
            "not_a_gate": sorted(countries.not_a_gate),
        },
        "states": {division.code: division.country for division in divisions},
        "phrases": phrases,
        "numbers": {"words": numbers.words, "weak": sorted(numbers.weak),
                    "phrases": [[list(keys), value] for keys, value in numbers.phrases.items()]},
    }


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a country cell gives ("MX", "Mexico", "Gambia, The")."""
    return geo.country_code(country_names(), text)


@cache
def lexicon() -> _Lexicon:
    """All unit-name vocabulary, read once."""
    concepts: dict[str, Concept] = {}
    phrases: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}

    def add(form: object, kind: str, values: tuple[str, ...]) -> None:
        keys = _form_keys(str(form))
        if keys:
            phrases.setdefault(keys, (kind, values))

    for concept_id, entry in _section("units.yaml", "concepts", dict).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("forms"), list):
            raise VocabularyError(f"vocabulary file vetting/vocab/units.yaml: concept "
                                  f"{concept_id!r} needs a facet and a list of forms")
        concepts[concept_id] = Concept(
            concept_id, str(entry.get("facet", "type")), entry.get("broader"),
            str(entry["forms"][0]), entry.get("force"),
        )
        for form in entry["forms"]:
            add(form, "concept", (concept_id,))
    for form, meant in _section("units.yaml", "combined", dict).items():
        unknown = [concept for concept in meant if concept not in concepts]
        if unknown:
            raise VocabularyError(f"vocabulary file vetting/vocab/units.yaml: {form!r} names "
                                  f"unknown concept(s) {', '.join(unknown)}")
        add(form, "concept", tuple(meant))
    national: dict[tuple[str, ...], tuple[str, ...]] = {}
    for form, meant in (_vocab("units.yaml").get("national") or {}).items():
        codes = tuple(str(item) for item in meant if _COUNTRY_CODE.fullmatch(str(item)))
        kinds = tuple(str(item) for item in meant if str(item) not in codes)
        if not codes or not kinds or any(kind not in concepts for kind in kinds):
            raise VocabularyError(f"vocabulary file vetting/vocab/units.yaml: national: "
                                  f"{form!r} needs country codes and known concepts")
        add(form, "concept", kinds)
        national[_form_keys(str(form))] = codes
    for concept in concepts.values():
        if concept.broader and concept.broader not in concepts:
            raise VocabularyError(f"vocabulary file vetting/vocab/units.yaml: {concept.id!r} "
                                  f"is narrower than unknown concept {concept.broader!r}")
        if concept.force and getattr(concepts.get(concept.force), "facet", None) != "force":
            raise VocabularyError(f"vocabulary file vetting/vocab/units.yaml: {concept.id!r} "
                                  f"belongs to unknown force {concept.force!r}")
    library = _library_tables()
    states: dict[str, str] = {str(code): str(country)
                              for code, country in library["states"].items()}
    for form in _section("numbers.yaml", "number_signs", list):
        add(form, "sign", ())
    # States, then countries: a unit word or a state that holds a country's name
    # ("Armada de México", "Estado de México") is read as that, not as the country.
    for keys, kind, values in library["phrases"]:
        if keys:
            phrases.setdefault(tuple(keys), (kind, tuple(values)))
    generated = library["numbers"]
    words = _vocab("words.yaml")
    vocabulary = {key for phrase, (kind, _) in phrases.items() if not kind.startswith("country")
                  for key in phrase}
    vocabulary |= {_strip_marks(str(word)) for word in (*words.get("stopwords", []),
                                                         *words.get("weak", []))}
    # A number word that is also a unit word ("mil") is that word.
    numbers = {word: int(value) for word, value in generated["words"].items()
               if word not in vocabulary}
    numbers.update({
        _strip_marks(str(word)): int(value)
        for word, value in _section("numbers.yaml", "words", dict).items()
    })
    # Country names are not corrected towards: a misspelt town must not become a country;
    # nor are forces' acronyms ("RTARF" is not "RTAF"), nor the number words of languages
    # whose cardinals are not read alone.
    known = {key for phrase, (kind, _) in phrases.items() if not kind.startswith("country")
             and phrase not in national for key in phrase if len(key) > 1}
    weak = frozenset(generated["weak"])
    known |= {word for word in numbers if word not in weak}
    return _Lexicon(
        concepts=concepts,
        phrases=phrases,
        starts=_starts(phrases),
        known=frozenset(known),
        number_words=numbers,
        number_phrases={tuple(keys): int(value) for keys, value in generated["phrases"]},
        number_reach=max((len(keys) for keys, _ in generated["phrases"]), default=1),
        multipliers={
            _strip_marks(str(word)): int(value)
            for word, value in _section("numbers.yaml", "multipliers", dict).items()
        },
        connectors=frozenset(_strip_marks(str(w)) for w in _vocab("numbers.yaml")["connectors"]),
        weak_numbers=frozenset(_strip_marks(str(w)) for w in _vocab("numbers.yaml")["weak"])
        | weak,
        stopwords=frozenset(_strip_marks(str(w)) for w in words.get("stopwords", [])),
        weak_words=frozenset(_strip_marks(str(w)) for w in words.get("weak", [])),
        conjunctions=_letter_words("conjunctions"),
        prepositions=_letter_words("prepositions"),
        abbreviations={
            _strip_marks(str(short)): _strip_marks(str(full))
            for short, full in (words.get("abbreviations") or {}).items()
        },
        initials={
            _strip_marks(str(word)): tuple(_strip_marks(str(short)) for short in shorts)
            for word, shorts in (words.get("initials") or {}).items()
        },
        states=states,
        national=national,
    )


@dataclass(frozen=True)
class _Numbers:
    words: dict[str, int]
    phrases: dict[tuple[str, ...], int]
    weak: frozenset[str]  # cardinals of languages whose cardinals are not read alone


_WORDS_OF = re.compile(r"[^\W\d_]+")


def _generated_numbers() -> _Numbers:
    """Cardinals and ordinals of each language of numbers.yaml `generated`, by num2words.

    A word two languages give different values is left out; so is a run of words
    given different values.
    """
    from num2words import num2words  # only when the vocabulary is first read

    config = _section("numbers.yaml", "generated", dict)
    try:
        languages = [str(language) for language in config["languages"]]
        up_to = int(config["up_to"])
        alone = {str(language) for language in config.get("read_alone", [])}
        feminine = {str(language) for language in config.get("feminine", [])}
    except (KeyError, TypeError, ValueError):
        raise VocabularyError("vocabulary file vetting/vocab/numbers.yaml: `generated` needs "
                              "languages, up_to, read_alone and feminine") from None
    singles: dict[str, set[int]] = {}
    runs: dict[tuple[str, ...], set[int]] = {}
    weak: set[str] = set()
    strong: set[str] = set()
    for language in languages:
        for to in ("cardinal", "ordinal"):
            for value in (*range(1, up_to + 1), *range(200, 1000, 100)):
                if to == "ordinal" and value > up_to:
                    continue
                try:
                    text = str(num2words(value, lang=language, to=to))
                except (NotImplementedError, OverflowError, KeyError) as error:
                    raise VocabularyError(f"vocabulary file vetting/vocab/numbers.yaml: "
                                          f"num2words cannot write {language!r}: {error}") from None
                forms = [text]
                if to == "ordinal" and language in feminine:
                    forms.append(re.sub(r"o\b", "a", text))  # "segundo" -> "segunda"
                for form in forms:
                    keys = tuple(_fold_word(word, True) for word in _WORDS_OF.findall(form))
                    if len(keys) == 1:
                        singles.setdefault(keys[0], set()).add(value)
                        (weak if to == "cardinal" and language not in alone else strong).add(
                            keys[0])
                    elif keys:
                        runs.setdefault(keys, set()).add(value)
    words = {word: next(iter(values)) for word, values in singles.items() if len(values) == 1}
    phrases = {keys: next(iter(values)) for keys, values in runs.items() if len(values) == 1}
    return _Numbers(words, phrases, frozenset(weak - strong))


def forces(concepts: Iterable[str]) -> frozenset[str]:
    """The forces (army, navy, ...) a name's concepts say or imply: "Zona Naval" is navy."""
    table = lexicon().concepts
    found = {concept for concept in concepts if table[concept].facet == "force"}
    found.update(force for concept in concepts if (force := table[concept].force))
    return frozenset(found)


def _letter_words(kind: str) -> frozenset[str]:
    table = _section("words.yaml", "letter_words", dict)
    if not isinstance(table.get(kind, []), list):
        raise VocabularyError(f"vocabulary file vetting/vocab/words.yaml: letter_words: "
                              f"{kind!r} should be a list")
    return frozenset(_strip_marks(str(word)) for word in table.get(kind, []))


def _starts(phrases: Iterable[tuple[str, ...]]) -> dict[str, int]:
    starts: dict[str, int] = {}
    for phrase in phrases:
        starts[phrase[0]] = max(starts.get(phrase[0], 0), len(phrase))
    return starts


@cache
def _correct(key: str) -> str | None:
    """The vocabulary word a misspelt word was meant to be (`miliar` → `militar`)."""
    lex = lexicon()
    if len(key) < 5 or key in lex.known or not key.isalpha():
        return None
    allowed = 1 if len(key) < 9 else 2
    found: dict[int, set[str]] = {}
    for word in lex.known:
        if word[0] != key[0] or abs(len(word) - len(key)) > allowed:
            continue
        # Letters swapped ("Polcie") are one slip, as a letter wrong is.
        distance = OSA.distance(key, word, score_cutoff=allowed)
        if distance <= allowed:
            found.setdefault(distance, set()).add(word)
    if not found:
        return None
    meant = found[min(found)]
    # Two words equally near ("nueva": "nuevo" or "nueve"?) is a guess, and a guessed
    # number could make a match: leave the word as written. Two spellings of one unit
    # word ("batallion": "batallon" or "batalion", both a battalion) are no guess.
    meanings = {lex.phrases.get((word,)) or lex.number_words.get(word, word) for word in meant}
    return min(meant) if len(meanings) == 1 else None


# --- numbers ------------------------------------------------------------------------

_ROMAN = re.compile(r"(?=[ivxlc])(c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def roman_value(key: str) -> int | None:
    """The value of a well-formed Roman numeral up to 399, else None."""
    if not key or not _ROMAN.fullmatch(key):
        return None
    total = 0
    for index, char in enumerate(key):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[key[index + 1]] if index + 1 < len(key) else 0
        total += -value if value < following else value
    return total


def read_number_words(keys: Sequence[str]) -> list[tuple[int, int, int]]:
    """Runs of number words in folded words: (start, end, value) with end exclusive.

    Words add up while each is below the place of the total so far
    ("vigesimo octava" = 28, "ciento dos" = 102); a multiplier multiplies
    ("one hundred"); a connector joins two number words ("treinta y tres").
    """
    lex = lexicon()
    runs: list[tuple[int, int, int]] = []
    index = 0
    while index < len(keys):
        if _number_at(keys, index, lex) is None and keys[index] not in lex.multipliers:
            index += 1
            continue
        start = index
        total = 0
        last = 0
        count = 0
        while index < len(keys):
            key = keys[index]
            if key in lex.multipliers and count:
                total = total - last + last * lex.multipliers[key]
                last = total
                index += 1
                continue
            if key in lex.connectors and count and index + 1 < len(keys) and (
                _number_at(keys, index + 1, lex) is not None
            ):
                index += 1
                continue
            found = _number_at(keys, index, lex)
            if found is None or (count and found[0] >= _place(total)):
                break
            total += found[0]
            last = found[0]
            count += 1
            index += found[1]
        while index > start and keys[index - 1] in lex.connectors:
            index -= 1
        # A weak word alone ("una", "one") is still listed: it is an article, not a
        # number, unless a number sign stands before it ("número uno"), as
        # `parse_unit` decides.
        if count:
            runs.append((start, index, total))
        else:
            index = start + 1
    return runs


def _number_at(keys: Sequence[str], index: int, lex: _Lexicon) -> tuple[int, int] | None:
    """The number words at `index` ("vingt et un", "dua belas", "tres"): value and length."""
    for size in range(min(lex.number_reach, len(keys) - index), 1, -1):
        value = lex.number_phrases.get(tuple(keys[index:index + size]))
        if value is not None:
            return value, size
    value = lex.number_words.get(keys[index])
    return None if value is None else (value, 1)


def _place(total: int) -> int:
    """The largest value that may still be added: 28 after 20, 2 after 100."""
    place = 1
    while total and total % (place * 10) == 0:
        place *= 10
    return place if total else 10**9


# --- unit names -----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitName:
    """What a unit name says: its numbers, concepts, states and remaining words."""

    text: str
    key: str
    numbers: frozenset[int]
    concepts: dict[str, str]  # concept id -> as written
    states: dict[str, str]  # state id -> as written
    words: tuple[str, ...]  # folded words that name it (places, proper names)
    words_written: tuple[str, ...]
    weak: tuple[str, ...]
    readings: tuple[str, ...]  # how numbers and misspellings were read, for explanations
    initials: tuple[str, ...]  # the words acronyms are made from, folded, in order
    initials_written: tuple[str, ...]
    acronyms: tuple[tuple[str, str], ...] = field(default=())  # (folded, as written)
    # Every number in the order written, a restated one once: "Compañía 1 del Batallón 1"
    # says 1 twice, "4/a. Zona Naval (ZN-4)" once (the unit type is restated with it).
    sequence: tuple[int, ...] = field(default=())
    letters: tuple[str, ...] = field(default=())  # lone letters ("Compañía B", "7-A")
    place_tail: int = 0  # trailing initials that are a state ("... de Oaxaca")
    # The countries the name names ("PHIL ARMY", "Armed Forces of Ukraine"), ISO codes:
    # a gate on the unit's country, never words to match.
    countries: frozenset[str] = field(default=frozenset())


def parse_unit(text: str) -> UnitName:
    """Read a unit name into numbers, vocabulary concepts, states and words."""
    lex = lexicon()
    shown = clean(text)
    tokens = tokenize(shown)
    keys = [lex.abbreviations.get(token.key, token.key) for token in tokens]
    readings = text_notes(text, shown, tokens)
    named = _country_tokens(keys, lex)
    for index, key in enumerate(keys):
        if tokens[index].number is None and index not in named and (fixed := _correct(key)):
            readings.append(f'"{tokens[index].text}" read as "{fixed}"{MISSPELT_NOTE}')
            keys[index] = fixed
    used = [False] * len(tokens)
    concepts: dict[str, str] = {}
    states: dict[str, str] = {}
    spans: list[tuple[int, int, str]] = []  # vocabulary spans: start, end, kind
    said: dict[tuple[str, ...], int] = {}  # how often each unit word is said
    numbers: list[tuple[int, int]] = []  # (position, value)
    signs: list[int] = []  # the positions right after a number sign
    sign_tokens: set[int] = set()
    found_countries: list[tuple[int, int, str, tuple[str, ...]]] = []

    def written(start: int, end: int) -> str:
        last = tokens[end - 1]
        return shown[tokens[start].start: last.end + (last.dotted and last.number is None)]

    index = 0
    while index < len(tokens):
        reach = lex.starts.get(keys[index], 0)
        for size in range(min(reach, len(tokens) - index), 0, -1):
            entry = lex.phrases.get(tuple(keys[index: index + size]))
            if entry is None or any(
                tokens[i].number is not None for i in range(index, index + size)
            ):
                continue
            kind, values = entry
            if kind.startswith("country"):
                spans.append((index, index + size, kind))
                found_countries.append((index, index + size, kind, values))
                for i in range(index, index + size):
                    used[i] = True
                index += size
                break
            for value in values:
                target = concepts if kind == "concept" else states
                target.setdefault(value, written(index, index + size))
            if kind == "concept" and (codes := lex.national.get(tuple(keys[index:index + size]))):
                found_countries.append((index, index + size, "country", codes))
            if kind == "sign":
                signs.append(index + size)
                sign_tokens.update(range(index, index + size))
            spans.append((index, index + size, kind))
            if kind == "concept":
                said[values] = said.get(values, 0) + 1
            for i in range(index, index + size):
                used[i] = True
            index += size
            break
        else:
            index += 1
    countries: set[str] = set()
    for start, end, kind, codes in found_countries:
        if kind == "country" or _names_the_country(shown, tokens, keys, spans, lex, start, end,
                                                   alone=kind == "country-name"):
            countries.update(codes)
        else:
            # "Niger Delta", "Jordan Valley": a country's name in a place's is a word.
            spans.remove((start, end, kind))
            for i in range(start, end):
                used[i] = False
    for index, token in enumerate(tokens):
        if token.number is not None:
            numbers.append((index, token.number))
            used[index] = True
            if not token.text.isdigit() and token.number < DESIGNATOR:
                readings.append(f'"{token.text}" read as {token.number}')
    free = [i for i in range(len(tokens)) if not used[i]]
    for start, end, value in read_number_words([keys[i] for i in free]):
        first, last = free[start], free[end - 1]
        if not all(free[start + k] == first + k for k in range(end - start)):
            continue  # a run broken by vocabulary is not one number
        if end - start == 1 and keys[first] in lex.weak_numbers and first not in signs:
            continue
        numbers.append((first, value))
        readings.append(f'"{written(first, last + 1)}" read as {value}')
        for i in range(first, last + 1):
            used[i] = True
    type_edges = {start for start, _, kind in spans if kind == "concept"} | {
        end for _, end, kind in spans if kind == "concept"
    }
    for index, token in enumerate(tokens):
        if used[index]:
            continue
        # A Roman numeral counts where it numbers a unit: next to a unit word, in
        # capitals when it is a single letter (so the pronoun "I" is never one).
        if not (index in type_edges or index + 1 in type_edges):
            continue
        value = roman_value(keys[index]) or _roman_ordinal(token.text)
        if value is None:
            continue
        if len(keys[index]) == 1 and not (token.text.isupper() and keys[index] in "ivx"):
            continue  # "Compañía C" is a letter: a lone L or C numbers no unit
        numbers.append((index, value))
        readings.append(f'"{token.text}" read as {value}')
        used[index] = True
    letters: list[int] = []
    state_tokens = {
        i for start, end, kind in spans if kind == "state" for i in range(start, end)
    } if states else set()
    words: list[str] = []
    words_written: list[str] = []
    weak: list[str] = []
    initials: list[str] = []
    initials_written: list[str] = []
    initial_at: list[int] = []
    for index, token in enumerate(tokens):
        key = keys[index]
        if token.number is None and key not in lex.stopwords and index not in sign_tokens:
            initials.append(key)
            initials_written.append(token.text)
            initial_at.append(index)
        if used[index]:
            continue
        if len(key) == 1 and _is_letter(shown, tokens, keys, spans, lex, index):
            letters.append(index)
            continue
        if key in lex.stopwords:
            continue
        if key in lex.weak_words or len(key) == 1:
            weak.append(key)
        elif key:
            words.append(key)
            words_written.append(token.text)
    place_tail = 0
    while place_tail < len(initial_at) and initial_at[-1 - place_tail] in state_tokens:
        place_tail += 1
    acronyms = _acronym_candidates(tokens, keys, used, lex)
    return UnitName(
        text=text,
        key=" ".join(token.key for token in tokens),
        numbers=frozenset(value for _, value in numbers),
        concepts=concepts,
        states=states,
        words=tuple(words),
        words_written=tuple(words_written),
        weak=tuple(weak),
        readings=tuple(readings),
        initials=tuple(initials),
        initials_written=tuple(initials_written),
        acronyms=acronyms,
        sequence=(
            _sequence(numbers, max(said.values(), default=0)) if len(numbers) > 1
            else tuple(value for _, value in numbers)
        ),
        letters=tuple(keys[i] for i in letters) if letters else (),
        place_tail=place_tail if place_tail < len(initials) else 0,
        countries=frozenset(countries),
    )


_PIECE_BREAK = re.compile(r"[,:;()/\[\]]")


def _names_the_country(
    shown: str,
    tokens: Sequence[Token],
    keys: Sequence[str],
    spans: Sequence[tuple[int, int, str]],
    lex: _Lexicon,
    start: int,
    end: int,
    *,
    alone: bool,
) -> bool:
    """Whether a country's name at tokens [start, end) names the country, not a place.

    It does beside a force or unit word, small words apart ("Armed Forces of
    Ukraine", "Egypt Air Force", "Ejército de Colombia"), or, for its English
    name (`alone`), alone in its piece of a path ("…, Odesa, Ukraine"); "Niger
    Delta Command" names a delta, and "…, Santa Lucia, Estado de Mexico" a town
    (Saint Lucia in Spanish).
    """
    concept_at = {i for first, last, kind in spans if kind == "concept"
                  for i in range(first, last)}

    def apart(left: int, right: int) -> bool:
        return bool(_PIECE_BREAK.search(shown[tokens[left].end:tokens[right].start]))

    before = start - 1
    while before >= 0 and keys[before] in lex.stopwords and not apart(before, before + 1):
        before -= 1
    after = end
    while after < len(tokens) and keys[after] in lex.stopwords and not apart(after - 1, after):
        after += 1
    near = [i for i in (before, after) if 0 <= i < len(tokens)
            and not (apart(i, start) if i < start else apart(end - 1, i))]
    if not near:
        return alone  # alone in its piece
    return any(i in concept_at and _unit_word(i, spans, keys, lex) for i in near)


def _unit_word(index: int, spans: Sequence[tuple[int, int, str]], keys: Sequence[str],
               lex: _Lexicon) -> bool:
    """Whether the vocabulary span holding token `index` names a force or a unit type."""
    for first, last, kind in spans:
        if kind == "concept" and first <= index < last:
            entry = lex.phrases.get(tuple(keys[first:last]))
            return entry is not None and any(
                lex.concepts[concept].facet in ("force", "type", "arm") for concept in entry[1])
    return False


def _country_tokens(keys: Sequence[str], lex: _Lexicon) -> set[int]:
    """The words that spell a country's whole name as written ("United Arab Emirates"):
    spelt right, so never corrected ("United" is no misspelt "Unité")."""
    found: set[int] = set()
    for index in range(len(keys)):
        for size in range(min(lex.starts.get(keys[index], 0), len(keys) - index), 0, -1):
            entry = lex.phrases.get(tuple(keys[index:index + size]))
            if entry is not None and entry[0].startswith("country"):
                found.update(range(index, index + size))
                break
    return found


_APOSTROPHES = "'\u2019\u02bc`\u00b4"


def _is_letter(
    shown: str,
    tokens: Sequence[Token],
    keys: Sequence[str],
    spans: Sequence[tuple[int, int, str]],
    lex: _Lexicon,
    index: int,
) -> bool:
    """Whether an unread one-letter word may tell units apart: "Compañía B", "7-A", "1 B".

    A letter inside dotted initials ("R.A.SE.") or beside an apostrophe ("Police's")
    is not one. A letter that is also a word (`letter_words` in words.yaml: "y",
    "e", "o", "u", "a") is that word when written in small letters. In capitals it
    is a word only where case says nothing (text in capitals or Title Case) and it
    stands between two words; right after a unit type it is still a letter
    ("COMPAÑÍA A DEL 7/o.", "Compañía A Batallón 7"), unless it is a conjunction
    before a word ("REGIMIENTO Y ESCUELA").
    """
    token = tokens[index]
    key = keys[index]
    if not key.isalpha():
        return False
    if (token.start and shown[token.start - 1] in _APOSTROPHES) or (
        token.end < len(shown) and shown[token.end] in _APOSTROPHES
    ):
        return False
    if _in_initials(shown, tokens, keys, index):
        return False
    if key not in lex.conjunctions and key not in lex.prepositions:
        return True
    if not token.text.isupper():
        return False
    before = tokens[index - 1] if index else None
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    if before is None or after is None or before.number is not None or (
        after.number is not None
    ):
        return True
    if not _caps_or_title(shown, tokens, keys, lex):
        return True
    joins = key in lex.conjunctions and keys[index + 1] not in lex.stopwords
    after_type = any(end == index for _, end, kind in spans if kind == "concept")
    return after_type and not joins


def _caps_or_title(
    shown: str, tokens: Sequence[Token], keys: Sequence[str], lex: _Lexicon
) -> bool:
    """Whether a name is written all in capitals or in Title Case, so case says nothing."""
    if not any(char.islower() for char in shown):
        return True
    words = [(token, key) for token, key in zip(tokens, keys, strict=True)
             if len(key) > 1 and key.isalpha()]
    return any(key in lex.stopwords and token.text[:1].isupper() for token, key in words) or (
        bool(words) and all(token.text[:1].isupper() for token, _ in words)
    )


def _in_initials(shown: str, tokens: Sequence[Token], keys: Sequence[str], index: int) -> bool:
    """Whether a letter is one of dotted initials written together ("R.A.SE.", "Z.M")."""
    token = tokens[index]
    if index + 1 < len(tokens):
        after = tokens[index + 1]
        if (shown[token.end: after.start] == "." and after.number is None
                and len(keys[index + 1]) <= 3):
            return True
    if index:
        before = tokens[index - 1]
        if (shown[before.end: token.start] == "." and before.number is None
                and len(keys[index - 1]) <= 3):
            return True
    return False


_ROMAN_ORDINAL = re.compile(r"([IVXLC]+)(\w{1,3})")


def _roman_ordinal(written: str) -> int | None:
    """A Roman numeral in capitals with an ordinal ending: `VIIº`, `XXIa`, `IIIer`."""
    found = _ROMAN_ORDINAL.fullmatch(written)
    if found is None or not found.group(2).islower():
        return None
    lex = lexicon()
    if _strip_marks(written) in lex.stopwords or _strip_marks(written) in lex.known:
        return None  # "Lo", a word, is not L (50) with an ending
    if _strip_marks(found.group(2)) not in _ordinal_endings():
        return None
    return roman_value(found.group(1).lower())


def _sequence(numbers: list[tuple[int, int]], restated: int) -> tuple[int, ...]:
    """The numbers in the order written; one said as often as its unit type, once.

    "4/a. Zona Naval Militar (ZN-4)" names the naval zone twice and 4 twice: one
    number. "Base Aérea Militar No. 1 1" and "7 7 Batallón" name their unit once
    and a number twice: two numbers, which no single-number name fits.
    """
    ordered = [value for _, value in sorted(numbers)]
    kept: list[int] = []
    for value in ordered:
        if value in kept and 1 < ordered.count(value) <= restated:
            continue
        kept.append(value)
    return tuple(kept)


def _acronym_candidates(
    tokens: Sequence[Token], keys: Sequence[str], used: Sequence[bool], lex: _Lexicon
) -> tuple[tuple[str, str], ...]:
    """Words that may be acronyms: capitals (`GOPES`), dotted letters (`R.A.SE.`)."""
    found: list[tuple[str, str]] = []
    letters = [i for i, token in enumerate(tokens) if token.number is None]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        group = index
        while (
            group < len(tokens)
            and tokens[group].number is None
            and tokens[group].dotted
            and len(tokens[group].key) <= 3
        ):
            group += 1
        if group - index >= 2:
            joined = "".join(keys[index:group])
            if not all(used[index:group]):
                found.append((joined, "".join(t.text + "." for t in tokens[index:group])))
            index = group
            continue
        key = keys[index]
        alone = len(letters) == 1
        if (
            token.number is None
            and not used[index]
            and (token.caps or alone)
            and 2 <= len(key) <= 8
            and key.isalpha()
            and key not in lex.stopwords
            and roman_value(key) is None
        ):
            found.append((key, token.text))
        index += 1
    return tuple(dict.fromkeys(found))


def initials_fit(acronym: str, words: Sequence[str], longest: int = 4) -> tuple[str, ...] | None:
    """How an acronym is read from words' beginnings, or None.

    Every word gives one to `longest` first letters (or a short form listed in
    words.yaml, `sureste` → SE), in order, and the letters spell the acronym:
    GOPES from "grupo operaciones especiales" is G·OP·ES, SEDENA from
    "secretaria defensa nacional" is SE·DE·NA.
    """
    if not acronym or not words or len(words) > len(acronym):
        return None
    short_forms = lexicon().initials

    @cache
    def fit(position: int, word: int) -> tuple[str, ...] | None:
        if word == len(words):
            return () if position == len(acronym) else None
        remaining = len(words) - word - 1
        text = words[word]
        pieces = [text[:size] for size in range(1, min(longest, len(text)) + 1)]
        pieces += short_forms.get(text, ())
        for piece in pieces:
            end = position + len(piece)
            if end > len(acronym) - remaining or acronym[position:end] != piece:
                continue
            rest = fit(end, word + 1)
            if rest is not None:
                return (piece, *rest)
        return None

    return fit(0, 0)


# --- person names ----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonName:
    """One reading of a person's name: given names and surnames, folded.

    `surnames` holds the principal surname first (the father's surname, a
    Portuguese or Filipino last surname, an Arabic family name, an East Slavic
    surname), then the one that tells bearers of it apart (the mother's surname,
    a Filipino middle name, an Arabic father's name, a patronymic); `labels`
    names the two as the person's naming culture does.
    """

    given: tuple[str, ...]
    surnames: tuple[str, ...]
    given_written: tuple[str, ...]
    surnames_written: tuple[str, ...]
    order: str  # how the name was read, for the explanation
    cost: int  # 0 for the usual reading; more for the less likely ones
    middle: tuple[str, ...] = ()  # grandfathers' names of an Arabic chain, in order
    middle_written: tuple[str, ...] = ()
    labels: tuple[str, str] = ("first surname", "second surname")


@dataclass(frozen=True)
class PersonReadings:
    """Every plausible reading of a person's name, the usual one first."""

    text: str
    key: str  # the folded name without ranks, for the vectorised first pass
    set_aside: tuple[str, ...]  # ranks and titles, as written
    readings: tuple[PersonName, ...]
    notes: tuple[str, ...] = ()  # invisible characters removed, look-alikes read
    culture: str = ""  # the naming culture it was read by (naming.yaml)
    generation: str = ""  # "jr", "iii", ...: set aside, but it tells a son from his father


SINGLE_NAME = "a single name"


@dataclass(frozen=True)
class Culture:
    """A naming culture of vocab/naming.yaml."""

    name: str
    read: str
    labels: tuple[str, str]
    particles: frozenset[str]  # people.yaml's and its own
    sounds: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _PeopleVocab:
    ranks: frozenset[tuple[str, ...]]
    rank_longest: int
    suffixes: frozenset[str]
    generations: dict[str, str]  # a generation suffix -> the first of its line
    compounds: dict[str, tuple[tuple[str, ...], ...]]  # by first word
    sounds: tuple[tuple[str, str], ...]
    variants: dict[str, str]  # a spelling -> the one that stands for its line
    abd_prefixes: frozenset[str]
    articles: tuple[str, ...]  # longest first
    patronymics: tuple[tuple[str, str], ...]  # (ending, read as), longest first
    cultures: dict[str, Culture]
    countries: dict[str, str]  # ISO code -> culture
    default: str


_READS = ("two-surnames", "principal-last", "chain", "patronymic", "single-names")


@cache
def _people_vocab() -> _PeopleVocab:
    ranks = frozenset(_form_keys(str(rank)) for rank in _section("people.yaml", "ranks", list))
    sounds = _pairs(_section("people.yaml", "sounds", list), "people.yaml: sounds")
    variants: dict[str, str] = {}
    several: list[tuple[str, ...]] = []
    for line in _section("name_variants.yaml", "variants", list):
        if not isinstance(line, list) or len(line) < 2:
            raise VocabularyError("vocabulary file vetting/vocab/name_variants.yaml: each "
                                  "line of `variants` is a list of two spellings or more")
        forms = [_form_keys(str(form)) for form in line]
        head = " ".join(forms[0])
        for form in forms:
            if " ".join(form) in variants and variants[" ".join(form)] != head:
                raise VocabularyError(f"vocabulary file vetting/vocab/name_variants.yaml: "
                                      f"{' '.join(form)!r} is on two lines")
            variants[" ".join(form)] = head
            if len(form) > 1:
                several.append(form)
    particles = frozenset(_strip_marks(str(p)) for p in _section("people.yaml", "particles", list))
    patronymics = [
        (_strip_marks(str(ending)), _strip_marks(str(read)))
        for read, endings in _section("naming.yaml", "patronymic_endings", dict).items()
        for ending in endings
    ]
    cultures: dict[str, Culture] = {}
    countries: dict[str, str] = {}
    for name, entry in _section("naming.yaml", "cultures", dict).items():
        if not isinstance(entry, dict) or entry.get("read") not in _READS or not (
            isinstance(entry.get("labels"), list) and len(entry["labels"]) == 2
        ):
            raise VocabularyError(f"vocabulary file vetting/vocab/naming.yaml: culture {name!r} "
                                  f"needs `read` (one of {', '.join(_READS)}) and two `labels`")
        cultures[name] = Culture(
            str(name), entry["read"], (str(entry["labels"][0]), str(entry["labels"][1])),
            particles | {_strip_marks(str(p)) for p in entry.get("particles") or ()},
            _pairs(entry.get("sounds") or [], f"naming.yaml: culture {name!r}: sounds"),
        )
        for code in entry.get("countries") or ():
            countries[str(code)] = str(name)
    default = str(_vocab("naming.yaml").get("default"))
    if default not in cultures:
        raise VocabularyError(f"vocabulary file vetting/vocab/naming.yaml: the default "
                              f"culture {default!r} is not one of its cultures")
    return _PeopleVocab(
        ranks=ranks,
        rank_longest=max(len(rank) for rank in ranks),
        suffixes=frozenset(" ".join(_form_keys(str(suffix)))
                           for suffix in _section("people.yaml", "suffixes", list)),
        generations={" ".join(_form_keys(str(form))): " ".join(_form_keys(str(line[0])))
                     for line in _section("people.yaml", "generations", list)
                     for form in line},
        compounds=_by_first_word([
            *(_form_keys(str(c)) for c in _section("people.yaml", "compound_surnames", list)),
            *several,
        ]),
        sounds=sounds,
        variants=variants,
        abd_prefixes=frozenset(
            _strip_marks(str(p)) for p in _section("name_variants.yaml", "abd_prefixes", list)
        ),
        articles=tuple(sorted(
            (_strip_marks(str(a)) for a in _section("name_variants.yaml", "articles", list)),
            key=len, reverse=True,
        )),
        patronymics=tuple(sorted(patronymics, key=lambda pair: len(pair[0]), reverse=True)),
        cultures=cultures,
        countries=countries,
        default=default,
    )


def _pairs(rules: object, where: str) -> tuple[tuple[str, str], ...]:
    """Rewriting rules [written, read as], checked."""
    if not isinstance(rules, list) or not all(
        isinstance(rule, list) and len(rule) == 2 for rule in rules
    ):
        raise VocabularyError(f"vocabulary file vetting/vocab/{where}: each rule is a pair "
                              f"[written, read as]")
    return tuple((str(rule[0]), str(rule[1] or "")) for rule in rules)


def spelling_line(key: str) -> str | None:
    """The line of name_variants.yaml a folded name is on (its first spelling), or None.

    Two names on one line are spellings of one name (`mohamed`, `muhammad`, `md`);
    each keeps its own key, so a line never changes how a name compares with
    others (`Elena` still sounds as `Helena`).
    """
    return _people_vocab().variants.get(key)


def culture_of(country: str | None) -> str:
    """The naming culture of a country (naming.yaml); the default for others and none."""
    vocab = _people_vocab()
    return vocab.countries.get((country or "").upper(), vocab.default)


def _by_first_word(phrases: Iterable[tuple[str, ...]]) -> dict[str, tuple[tuple[str, ...], ...]]:
    table: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        if phrase:
            table.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(sorted(found, key=len, reverse=True)) for first, found in table.items()}


@lru_cache(maxsize=200_000)
def sound_key(word: str) -> str:
    """A folded word as Spanish sounds it: `espinoza` and `espinosa` give one key."""
    for written, read in _people_vocab().sounds:
        word = word.replace(written, read)
    return word


SCRIPT = "~"  # starts the key of a name written in Arabic script: its consonants only
_ARABIC = re.compile("[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_VOWELS = re.compile(r"[^a-z]|[aeiouwy]")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def skeleton(key: str) -> str:
    """The consonants of a folded name, doubled letters once: `mohammed` gives `mhmd`.

    Arabic script writes no short vowels, so a name transliterated from it
    (`محمد`, `mhmd`) is compared with a Latin spelling by its consonants.
    """
    return _REPEATS.sub(r"\1", _VOWELS.sub("", key))


@dataclass(frozen=True, slots=True)
class _Part:
    """One name of a person's name (a word, or words that stay together), folded."""

    key: str
    written: str
    start: int
    end: int
    caps: bool


_REMARK = re.compile(r"\s*\([^()]*\)\s*$")


def parse_person(text: str, culture: str | None = None) -> PersonReadings:
    """Read a person's name: set ranks aside, group particles, list the plausible orders.

    `culture`: a naming culture of naming.yaml (`culture_of(country)`); the
    default one when None.
    """
    vocab = _people_vocab()
    chosen = vocab.cultures.get(culture or vocab.default) or vocab.cultures[vocab.default]
    shown = clean(text)
    set_aside: list[str] = []
    trailing: list[str] = []
    # A remark in brackets at the end ("(PN)", "(Ret.)") is no part of the name.
    while (remark := _REMARK.search(shown)) and any(c.isalnum() for c in shown[:remark.start()]):
        trailing.insert(0, remark.group(0).strip())
        shown = shown[:remark.start()].rstrip(" ,")
    all_tokens = tokenize(shown)
    tokens = [token for token in all_tokens if token.number is None]
    notes = tuple(text_notes(text, shown, tokens))
    # A rank is set aside while two words of name remain ("Juan Mayor López" keeps
    # Mayor), or one where single names are usual ("Kolonel Sutrisno"); so is a
    # suffix at the end ("Jr.", "III", "Ret.").
    remain = 1 if chosen.read == "single-names" else 2
    generation = ""
    while all_tokens and len(tokens) > remain and (
            all_tokens[-1].key in vocab.suffixes or all_tokens[-1].key in vocab.generations):
        last = all_tokens.pop()
        trailing.insert(0, shown[last.start: last.end + last.dotted])
        generation = vocab.generations.get(last.key, generation)
        if last.number is None:
            tokens.pop()
    while tokens:
        for size in range(min(vocab.rank_longest, len(tokens) - remain), 0, -1):
            if tuple(token.key for token in tokens[:size]) in vocab.ranks:
                last = tokens[size - 1]
                set_aside.append(shown[tokens[0].start: last.end + last.dotted])
                tokens = tokens[size:]
                break
        else:
            break
    parts = _group(shown, tokens, vocab, chosen)
    comma = shown.find(",")
    before = [part for part in parts if comma >= 0 and part.end <= comma]
    if not before or len(before) == len(parts):
        before = []
    caps = [part.caps for part in parts]
    upper = [part for part in parts if part.caps] if 0 < sum(caps) < len(parts) else []
    read = {
        "two-surnames": _two_surnames, "principal-last": _principal_last, "chain": _chain,
        "patronymic": _patronymic, "single-names": _single_names,
    }[chosen.read]
    readings = [
        replace(reading, labels=chosen.labels) if reading.labels != chosen.labels else reading
        for reading in (read(parts, before, upper, vocab) if parts else ())
    ]
    readings.sort(key=lambda reading: reading.cost)
    key = " ".join(token.key for token in tokens)
    return PersonReadings(shown, key, (*set_aside, *trailing),
                          tuple(dict.fromkeys(readings)), notes, chosen.name, generation)


_Readings = list[PersonName]


def _two_surnames(
    parts: list[_Part], before: list[_Part], upper: list[_Part], vocab: _PeopleVocab
) -> _Readings:
    """Given names, father's surname, mother's surname: the Spanish reading."""
    if before:
        after = [part for part in parts if part not in before]
        return [_reading(after, _merged(before), "surnames first (before the comma)", 0)]
    readings: _Readings = []
    if upper and len(upper) <= 2:
        lower = [part for part in parts if part not in upper]
        readings.append(_reading(lower, upper, "surnames in capitals", 0))
    # Surnames in capitals make every other reading less likely.
    other = 2 if readings else 0
    count = len(parts)
    if count == 1:
        readings.append(_reading([], parts, "a surname alone", 1 + other))
    for surnames in (2, 1):
        given = count - surnames
        if given >= 1:
            usual = surnames == (2 if count >= 3 else 1)
            readings.append(_reading(parts[:given], _merged(parts[given:]),
                                     "given names first", (0 if usual else 2) + other))
    for surnames in (2, 1):
        if count - surnames >= 1:
            readings.append(_reading(parts[surnames:], parts[:surnames],
                                     "surnames first", 3 + other))
    return readings


def _principal_last(
    parts: list[_Part], before: list[_Part], upper: list[_Part], vocab: _PeopleVocab
) -> _Readings:
    """Given names, then surnames whose last is the principal one (Portuguese, Filipino)."""
    if before or (upper and len(upper) <= 2):
        surnames = before or upper
        rest = [part for part in parts if part not in surnames]
        order = "surnames first (before the comma)" if before else "surnames in capitals"
        readings = [_reading(rest, surnames[::-1], order, 0)]
        if len(surnames) == 1 and len(rest) >= 2:
            # "DELA CRUZ, Juan Santos": the last given name may be the middle name.
            readings.append(_reading(rest[:-1], [surnames[0], rest[-1]], order, 1))
        return readings
    count = len(parts)
    if count == 1:
        return [_reading([], parts, "a surname alone", 1)]
    if count == 2:
        return [_reading(parts[:1], parts[1:], "given names first", 0),
                _reading(parts[1:], parts[:1], "surnames first", 3)]
    return [
        _reading(parts[:-2], [parts[-1], parts[-2]], "given names first", 0),
        _reading(parts[:-1], parts[-1:], "given names first", 2),
    ]


def _chain(
    parts: list[_Part], before: list[_Part], upper: list[_Part], vocab: _PeopleVocab
) -> _Readings:
    """Given name, father's, grandfathers', family name (Arabic)."""
    family = before or (upper if len(upper) == 1 else [])
    if family:
        chain = [part for part in parts if part not in family]
        order = ("family name first (before the comma)" if before
                 else "family name in capitals")
        return [_chain_reading(chain, family, order)] if chain else []
    if len(parts) == 1:
        return [_reading([], parts, "a family name alone", 1)]
    return [_chain_reading(parts[:-1], parts[-1:], "given name, father's names, family name")]


def _chain_reading(chain: list[_Part], family: list[_Part], order: str) -> PersonName:
    reading = _reading(chain[:1], [_joined(family), *chain[1:2]], order, 0)
    middle = chain[2:]
    return replace(reading, middle=tuple(part.key for part in middle),
                   middle_written=tuple(part.written for part in middle))


def _patronymic(
    parts: list[_Part], before: list[_Part], upper: list[_Part], vocab: _PeopleVocab
) -> _Readings:
    """Given name, patronymic, surname, or surname first (East Slavic).

    The patronymic is known by its ending; so are some surnames (`Karpovich`),
    so each word that may be the patronymic gives a reading, the one after the
    given name first.
    """
    marked = [i for i, part in enumerate(parts) if _is_patronymic(part.key, vocab)]
    surname = before or (upper if len(upper) == 1 else [])
    if surname:
        rest = [part for part in parts if part not in surname]
        patronymic = [part for part in rest if _is_patronymic(part.key, vocab)][-1:]
        given = [part for part in rest if part not in patronymic]
        order = ("surname first (before the comma)" if before else "surname in capitals")
        return [_reading(given, [_joined(surname), *patronymic], order, 0)] if given else []
    count = len(parts)
    readings: _Readings = []
    if count >= 3:
        for at in marked:
            if at == count - 1:
                readings.append(_reading(parts[1:at], [parts[0], parts[at]], "surname first",
                                         1 if len(marked) > 1 else 0))
            elif at >= 1:
                readings.append(_reading(parts[:at], [_joined(parts[at + 1:]), parts[at]],
                                         "given names first", 0))
    if readings:
        return readings
    if count == 1:
        return [_reading([], parts, "a surname alone", 1)]
    return [_reading(parts[:-1], parts[-1:], "given names first", 0),
            _reading(parts[1:], parts[:1], "surnames first", 3)]


def _is_patronymic(key: str, vocab: _PeopleVocab) -> bool:
    # `_patronymic_key` has given every patronymic one of the endings it is read as.
    return any(key.endswith(read) and len(key) - len(read) >= 3 for _, read in vocab.patronymics)


def _single_names(
    parts: list[_Part], before: list[_Part], upper: list[_Part], vocab: _PeopleVocab
) -> _Readings:
    """One name, or names without a family name (Indonesian)."""
    if len(parts) == 1:
        return [_reading([], parts, SINGLE_NAME, 0)]
    return [_reading(parts[:-1], parts[-1:], "given names first", 0),
            _reading(parts[1:], parts[:1], "surnames first", 3)]


def _merged(surnames: list[_Part]) -> list[_Part]:
    """At most two surnames: more than two keep the last as the second surname."""
    return surnames if len(surnames) <= 2 else [_joined(surnames[:-1]), surnames[-1]]


def _joined(parts: Sequence[_Part]) -> _Part:
    """Several names read as one ("Abdel Rahman Hassan" as a family name)."""
    if len(parts) == 1:
        return parts[0]
    return _Part(" ".join(p.key for p in parts), " ".join(p.written for p in parts),
                 parts[0].start, parts[-1].end, all(p.caps for p in parts))


def _reading(
    given: Sequence[_Part], surnames: Sequence[_Part], order: str, cost: int
) -> PersonName:
    return PersonName(
        given=tuple(part.key for part in given),
        surnames=tuple(part.key for part in surnames[:2]),
        given_written=tuple(part.written for part in given),
        surnames_written=tuple(part.written for part in surnames[:2]),
        order=order,
        cost=cost,
    )


def _group(
    shown: str, tokens: Sequence[Token], vocab: _PeopleVocab, culture: Culture
) -> list[_Part]:
    """Names of a name: particles and compound surnames kept with their surname, `Abd`
    with the name it joins, names of several words in name_variants.yaml together."""
    parts: list[_Part] = []
    keys = [_word_key(token, vocab, culture) for token in tokens]
    index = 0
    while index < len(tokens):
        # Particles lead the name after them: "de la Garza", "bin Abdul Razak".
        lead = 0
        while index + lead < len(tokens) - 1 and keys[index + lead] in culture.particles:
            lead += 1
        size, key = _abd(tokens, keys, index + lead, vocab)
        if size:
            key = " ".join((*keys[index: index + lead], key))
        else:
            size = next((len(compound) for compound in vocab.compounds.get(keys[index + lead], ())
                         if tuple(keys[index + lead: index + lead + len(compound)]) == compound),
                        1)
            key = " ".join(keys[index: index + lead + size])
        size += lead
        group = tokens[index: index + size]
        parts.append(_Part(key, " ".join(token.text for token in group), group[0].start,
                           group[-1].end, all(token.caps for token in group)))
        index += size
    return parts


def _word_key(token: Token, vocab: _PeopleVocab, culture: Culture) -> str:
    """A word of a name as compared: folded, a patronymic's ending read as one, or
    its consonants when written in Arabic script."""
    if not token.text.isascii() and _ARABIC.search(token.text):
        # The article is written joined to the name (الرحمن, "al-Rahman"): it goes, as
        # `al` goes from a Latin name compared without its particles.
        text = token.text[2:] if token.text.startswith("ال") and len(token.text) > 3 else (
            token.text)
        return SCRIPT + skeleton(_fold_word(text, False))
    key = token.key
    if culture.sounds and key not in vocab.variants:
        key = _culture_sounds(key, culture.sounds)
    if culture.read == "patronymic":
        return _patronymic_key(key)
    return key


@lru_cache(maxsize=50_000)
def _culture_sounds(key: str, sounds: tuple[tuple[str, str], ...]) -> str:
    for written, read in sounds:
        key = key.replace(written, read)
    return key


@lru_cache(maxsize=50_000)
def _patronymic_key(key: str) -> str:
    """A patronymic as its given name's line and one ending: `Yuriyovych`, `Yurievich`
    and `Юрійович` all give `yuriyovich`. The stem a listed name fits is taken
    (`yuri` of `yuriyovych`, not `yur`); else the longest stem."""
    vocab = _people_vocab()
    fits = [(key[: len(key) - len(ending)], read) for ending, read in vocab.patronymics
            if key.endswith(ending) and len(key) - len(ending) >= 3]
    for stem, read in fits:
        if stem in vocab.variants:
            return vocab.variants[stem] + read
    if fits:
        stem, read = max(fits, key=lambda fit: len(fit[0]))
        return stem + read
    return key


def _abd(
    tokens: Sequence[Token], keys: Sequence[str], index: int, vocab: _PeopleVocab
) -> tuple[int, str]:
    """An `Abd` name and how many words it takes: Abdel Rahman, Abd al-Rahman,
    Abdulrahman, Abderrahmane and عبد الرحمن are all `abdrahman` (or its consonants)."""
    key = keys[index]
    if key in (SCRIPT + "bd", "abd", *vocab.abd_prefixes) and index + 1 < len(tokens):
        after = index + 1
        if keys[after] in vocab.articles and after + 1 < len(tokens):
            after += 1
        rest = keys[after]
        if rest.startswith(SCRIPT):
            return after - index + 1, SCRIPT + skeleton("bd" + rest[1:])
        return after - index + 1, "abd" + _without_article(rest, ("al", "el", "ul", "il"))
    if key.startswith("abd") and key not in vocab.variants:  # Abdullah: on its line
        tail = _without_article(key[3:], vocab.articles)
        if tail != key[3:]:
            return 1, "abd" + tail
    return 0, ""


def _without_article(word: str, articles: Iterable[str]) -> str:
    for article in articles:
        if word.startswith(article) and len(word) - len(article) >= 3:
            return word[len(article):]
    return word
