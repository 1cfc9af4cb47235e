"""Countries and their subdivisions: ISO 3166 from pycountry, and what no library has.

pycountry is the maintained source: ISO 3166-1 names (the short, common and
official names, in English and in the languages of `LANGUAGES` from its
translations), ISO 3166-3 former names whose code passed to one country
(`Burma`, `Zaire`, `East Timor`), and ISO 3166-2 subdivisions with their names
for the countries places.yaml lists under `subdivisions`. vocab/places.yaml
adds only what no library has: demonyms (`Nigerian`, `Filipino`), roster
abbreviations (`PHIL`, `MEX`, `D.F.`, `Edomex`), short forms of a
subdivision's name (`Coahuila`, `Tamps.`) and English names rosters use that
ISO does not (`Cape Verde`, `Swaziland`).

Everything here is built once per process, when first asked (the subdivision
tables are pycountry's largest) by `vetting.names`, which hands this module
places.yaml's tables and reads the forms returned as it reads every vocabulary
table.
"""

from __future__ import annotations

import gettext
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry

LANGUAGES = ("es", "fr", "pt", "id")  # besides English: the unit vocabulary's languages
# Words of a country's name that say its form of government, not which country:
# "Cape Verde, Republic of" is Cape Verde; "Korea, Republic of South" South Korea.
_GOVERNMENT = frozenset({
    "republic", "state", "states", "kingdom", "federation", "federal", "united", "union",
    "democratic", "people", "peoples", "popular", "islamic", "arab", "socialist",
    "plurinational", "bolivarian", "government", "commonwealth", "principality",
    "sultanate", "emirate", "grand", "duchy", "of", "the", "and",
})
_BRACKETS = re.compile(r"\([^)]*\)")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold_name(text: str) -> str:
    """A country name for lookup: accents, case, brackets, punctuation and `&` folded."""
    text = _BRACKETS.sub(" ", text.replace("&", " and ")).casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    words = _NOT_WORD.sub(" ", text.replace("'", "").replace("\u2019", "")).split()
    return " ".join("saint" if word in ("st", "ste") else word for word in words)


def _bag(folded: str, drop: frozenset[str] = frozenset({"the", "of", "and"})) -> str:
    return " ".join(sorted(set(folded.split()) - drop))


@dataclass(frozen=True)
class Countries:
    """Country names by their folded form, each with the ISO 3166-1 codes it may name."""

    names: dict[str, frozenset[str]]  # pycountry names, any language: nouns
    words: dict[str, frozenset[str]]  # places.yaml: demonyms and abbreviations
    bags: dict[str, frozenset[str]]  # names as a bag of words, for rosters' word orders
    lean: dict[str, frozenset[str]]  # the bags without words of government
    not_a_gate: frozenset[str]  # countries whose names say where, not whose
    # The same as written, for reading them in unit names as every name is read (only
    # when built, not when read back from `vetting.derived`).
    name_forms: tuple[tuple[str, frozenset[str]], ...] = ()  # English (ISO's own)
    translated_forms: tuple[tuple[str, frozenset[str]], ...] = ()  # only in translations
    word_forms: tuple[tuple[str, frozenset[str]], ...] = ()


def _add(table: dict[str, set[str]], form: str, code: str,
         written: dict[str, str] | None = None) -> None:
    folded = fold_name(form)
    if folded:
        table.setdefault(folded, set()).add(code)
        if written is not None:
            written.setdefault(folded, form)


def build_countries(places: Mapping[str, Any], not_a_gate: Iterable[str]) -> Countries:
    """Every country name pycountry knows, with places.yaml's demonyms and abbreviations
    (`places`: its `countries` table)."""
    names: dict[str, set[str]] = {}
    heads: dict[str, set[str]] = {}
    written: dict[str, str] = {}  # folded -> a form as written
    english: set[str] = set()
    translations = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR,
                                        languages=[language], fallback=True)
                    for language in LANGUAGES]
    for country in pycountry.countries:
        code = country.alpha_2
        given = [country.name, getattr(country, "common_name", None),
                 getattr(country, "official_name", None)]
        for name in [name for name in given if name]:
            _add(names, name, code, written)
            english.add(fold_name(name))
            for translation in translations:
                _add(names, translation.gettext(name), code, written)
            head, comma, tail = name.partition(", ")
            if comma:
                _add(names, f"{tail} {head}", code, written)  # "Republic of Korea"
                _add(heads, head, code, written)  # "Korea": kept only when one country has it
                english.update((fold_name(f"{tail} {head}"), fold_name(head)))
    current = {country.alpha_2 for country in pycountry.countries}
    for former in pycountry.historic_countries:
        successor = former.alpha_4[2:]
        if successor in current:  # BUMM: Burma is now MM; YUCS has no one successor
            _add(heads, former.name.partition(", ")[0], successor, written)
            english.add(fold_name(former.name.partition(", ")[0]))
    for head, codes in heads.items():
        if len(codes) == 1 and head not in names:
            names[head] = codes
    words: dict[str, set[str]] = {}
    said: dict[str, str] = {}
    for code, forms in places.items():
        if str(code) not in current and not str(code).startswith("X"):
            raise ValueError(f"countries: {code!r} is no ISO 3166-1 alpha-2 code")
        for form in forms:
            _add(words, str(form), str(code), said)
    bags: dict[str, set[str]] = {}
    lean: dict[str, set[str]] = {}
    for table in (names, words):
        for name, codes in table.items():
            bags.setdefault(_bag(name), set()).update(codes)
            lean.setdefault(_bag(name, _GOVERNMENT), set()).update(codes)
    frozen = {name: frozenset(codes) for name, codes in names.items()}
    return Countries(
        names=frozen,
        words={word: frozenset(codes) for word, codes in words.items()},
        bags={bag: frozenset(codes) for bag, codes in bags.items()},
        lean={bag: frozenset(codes) for bag, codes in lean.items() if bag},
        not_a_gate=frozenset(str(code) for code in not_a_gate),
        name_forms=tuple((written[name], codes) for name, codes in frozen.items()
                         if name in english),
        translated_forms=tuple((written[name], codes) for name, codes in frozen.items()
                               if name not in english),
        word_forms=tuple((said[word], frozenset(codes)) for word, codes in words.items()),
    )


def country_code(table: Countries, text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a roster's country cell gives: a code or a name.

    `MX`, `MEX`, `Mexico`, `México`, `Gambia, The`, `Korea - South`, `Congo,
    Republic of (Brazzaville)`, `St Kitts & Nevis`, `Burma` (now MM); None when
    the cell names no one country (`Yugoslavia`, whose code passed to no single
    successor; a region; a typo).
    """
    written = text.strip()
    if len(written) in (2, 3) and written.isalpha() and written.isascii():
        found = pycountry.countries.get(**{f"alpha_{len(written)}": written.upper()})
        if found is not None:
            return str(found.alpha_2)
        if len(written) == 2 and written.upper()[0] == "X":
            return written.upper()  # XA-XZ: user-assigned (Kosovo is XK)
    # Brackets usually add a capital or an owner ("Congo (Brazzaville)", "Belize (UK)"),
    # and sometimes finish the name ("Korea (Republic of)").
    for folded in dict.fromkeys((fold_name(written),
                                 fold_name(written.replace("(", " ").replace(")", " ")))):
        for lookup, key in ((table.names, folded), (table.words, folded),
                            (table.bags, _bag(folded)),
                            (table.lean, _bag(folded, _GOVERNMENT))):
            codes = lookup.get(key)
            if codes and len(codes) == 1:
                return next(iter(codes))
            if codes:
                break  # "Korea": two countries; the bracket may say which
    return None


@dataclass(frozen=True)
class Subdivision:
    code: str  # ISO 3166-2, e.g. MX-TAM
    country: str
    forms: tuple[str, ...]


def _iso_3166_2() -> list[dict[str, str]]:
    """pycountry's ISO 3166-2 table as it ships it.

    Read as JSON rather than through `pycountry.subdivisions`, whose index of all
    5,000 subdivisions takes longer to build than the rest of a query.
    """
    path = Path(pycountry.DATABASE_DIR) / "iso3166-2.json"
    return list(json.loads(path.read_text("utf-8"))["3166-2"])


def build_subdivisions(
    table: Mapping[str, Any], names: Mapping[str, Any]
) -> tuple[Subdivision, ...]:
    """The ISO 3166-2 subdivisions of the countries places.yaml lists, with its short forms
    (`table`: its `subdivisions` entry; `names`: `Countries.names`).

    A subdivision whose name is also a country's (`México`, the state) is named
    only by its other forms (`Estado de México`), so the country word stays the
    country's.
    """
    extra = table.get("forms") or {}
    translations = [gettext.translation("iso3166-2", pycountry.LOCALES_DIR,
                                        languages=[language], fallback=True)
                    for language in ("en", *LANGUAGES)]
    found: list[Subdivision] = []
    wanted = {f"{country}-" for country in table.get("countries") or []}
    for division in _iso_3166_2():
        code = division["code"]
        if code[:3] not in wanted or division.get("parent"):
            continue  # first-level divisions of the countries listed: a state, not a town
        name = division["name"]
        forms = dict.fromkeys(form for form in (name, *(tr.gettext(name) for tr in translations))
                              if fold_name(form) not in names)
        forms.update(dict.fromkeys(str(form) for form in extra.get(code, [])))
        found.append(Subdivision(code, code[:2], tuple(forms)))
    known = {division.code for division in found}
    unknown = sorted(set(extra) - known)
    if unknown:
        raise ValueError(f"subdivisions: forms for unknown subdivision(s) "
                         f"{', '.join(map(str, unknown))}")
    return tuple(found)
