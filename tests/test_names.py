"""Reading names: folding, numbers and ordinals, unit vocabulary, acronyms, person names."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from importlib import resources

import pytest

from vetting import names
from vetting.names import (
    FORMAT_RANGES,
    VocabularyError,
    clean,
    fold,
    initials_fit,
    parse_person,
    parse_unit,
    read_number_words,
    roman_value,
    sound_key,
    text_notes,
    tokenize,
)

# --- text -----------------------------------------------------------------------------


def test_fold_ignores_case_accents_and_punctuation() -> None:
    assert fold("Batallón de INFANTERÍA") == fold("batallon de infanteria")
    assert fold("Z.M.") == "z m"


def test_fold_applies_compatibility_forms() -> None:
    assert fold("１０２ Batallón") == "102 batallon"  # full-width digits
    assert fold("ﬁcticio") == "ficticio"  # a ligature


def test_zero_width_and_format_characters_vanish() -> None:
    assert clean("Bat\u200ballón\u00ad de\u2060 Infan\ufefftería") == "Batallón de Infantería"
    assert fold("33 Bat\u200ballón") == fold("33 Batallón")


def test_every_format_character_is_removed() -> None:
    # The ranges are written out for speed; Python's own Unicode tables check them.
    missing = [
        f"U+{code:04X}" for code in range(0x110000)
        if unicodedata.category(chr(code)) == "Cf"
        and not any(first <= code <= last for first, last in FORMAT_RANGES)
    ]
    assert missing == []


def test_control_characters_become_spaces() -> None:
    assert clean("33\tBatallón\nde\x00Infantería") == "33 Batallón de Infantería"


def test_cyrillic_look_alike_in_a_latin_word_is_read_as_latin() -> None:
    spoofed = "B\u0430tall\u00f3n"  # Cyrillic а
    assert fold(spoofed) == "batallon"
    assert "battalion" in parse_unit(f"33 {spoofed}").concepts
    notes = parse_unit(f"33 {spoofed}").readings
    assert any("look-alike letters" in note for note in notes)


def test_greek_look_alikes_are_read_as_latin_inside_latin_text() -> None:
    assert fold("Z\u03bfna Militar") == "zona militar"  # Greek ο


def test_a_word_wholly_in_another_script_is_transliterated_by_sound_not_shape() -> None:
    # "сор" is a Russian word made of look-alikes; in Cyrillic text it is read as it
    # sounds, so it can never pass for the Latin "cop".
    assert fold("сор") == "sor"
    assert fold("Полиция сор") != fold("Полиция cop")


@pytest.mark.parametrize(
    ("written", "latin"),
    [("Коваленко", "kovalenko"), ("Одеса", "odesa"), ("Παπαδόπουλος", "papadopoylos"),
     ("محمد", "mhmd"), ("Søren", "soren")],
)
def test_other_scripts_fold_to_their_latin_transliteration(written: str, latin: str) -> None:
    assert fold(written) == latin


def test_a_transliteration_is_noted() -> None:
    shown = "Олександр Коваленко"
    notes = text_notes(shown, shown, tokenize(shown))
    assert notes == ['"Олександр" transliterated as "oleksandr"',
                     '"Коваленко" transliterated as "kovalenko"']


# --- numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("102nd Battalion", 102), ("102º Batallón", 102), ("102/o. Batallón", 102),
        ("8va Brigada", 8), ("1er Batallón", 1), ("3/er. Batallón", 3),
        ("12ava Zona Militar", 12), ("1/a. Zona Militar", 1), ("46/0. Batallón", 46),
        ("33° Batallón", 33), ("7ª Zona Militar", 7), ("33rd Battalion", 33),
        ("1st Military Region", 1), ("6to Regimiento", 6), ("2zm", 2), ("ZN-4", 4),
        ("B. A. M. No. 15", 15), ("Base Aérea Militar número dos", 2),
    ],
)
def test_digits_with_ordinal_endings(written: str, number: int) -> None:
    assert parse_unit(written).numbers == {number}


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("primer Batallón", 1), ("Décimo Batallón", 10), ("Vigésimo Octava Zona Militar", 28),
        ("Trigésimo Tercer Batallón", 33), ("ciento dos Batallón", 102),
        ("First Military Region", 1), ("Twenty-Ninth Military Zone", 29),
        ("Thirty-Third Infantry Battalion", 33), ("One Hundred and Second Battalion", 102),
        ("treinta y tres Batallón", 33), ("Doceava Zona Militar", 12),
        ("Décimo Cuarta Zona Naval", 14), ("Décimo Tercero Regimiento", 13),
        ("Onceava Región Militar", 11), ("Eighteenth Military Zone", 18),
    ],
)
def test_number_words(written: str, number: int) -> None:
    assert parse_unit(written).numbers == {number}


def test_number_words_add_up_only_by_place() -> None:
    assert read_number_words(["vigesimo", "octava"]) == [(0, 2, 28)]
    # "dos tres" is two numbers, not five
    assert read_number_words(["dos", "tres"]) == [(0, 1, 2), (1, 2, 3)]


def test_an_article_is_not_a_number() -> None:
    assert parse_unit("Una Unidad de Policía").numbers == frozenset()
    assert parse_unit("One Police Unit").numbers == frozenset()
    assert parse_unit("treinta y una Zona Militar").numbers == {31}


def test_reading_is_explained() -> None:
    assert '"Thirty-Third" read as 33' in parse_unit("Thirty-Third Battalion").readings


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("XXI Zona Militar", 21), ("VIII Región Naval", 8), ("Región Militar VIII", 8),
        ("I R.M.", 1), ("I Military Region", 1), ("XXXIII Batallón de Infantería", 33),
        ("XIV Zona Naval", 14), ("VI RM", 6),
    ],
)
def test_roman_numerals_that_number_a_unit(written: str, number: int) -> None:
    assert parse_unit(written).numbers == {number}


@pytest.mark.parametrize(
    "written", ["I", "What I saw", "i zona militar", "Vi algo", "Civil Police"],
)
def test_roman_letters_that_number_nothing(written: str) -> None:
    assert parse_unit(written).numbers == frozenset()


def test_roman_values() -> None:
    assert roman_value("xxi") == 21
    assert roman_value("xliv") == 44
    assert roman_value("iiii") is None
    assert roman_value("") is None
    assert roman_value("mix") is None  # M and D number no unit


# --- unit vocabulary ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "concepts"),
    [
        ("Batallón", {"battalion"}), ("Battalion", {"battalion"}), ("Bn", {"battalion"}),
        ("BTN.", {"battalion"}), ("B.I.", {"battalion", "infantry"}),
        ("Zona Militar", {"military-zone"}), ("Military Zone", {"military-zone"}),
        ("Z.M.", {"military-zone"}), ("Región Militar", {"military-region"}),
        ("R.M.", {"military-region"}), ("RGTO.", {"regiment"}), ("Regiment", {"regiment"}),
        ("Compañía de Infantería No Encuadrada", {"company", "infantry", "independent"}),
        ("Independent Infantry Company", {"company", "infantry", "independent"}),
        ("Base Aérea Militar", {"air-base"}), ("Military Air Base", {"air-base"}),
        ("B.A.M.", {"air-base"}), ("Zona Naval", {"naval-zone"}), ("ZN", {"naval-zone"}),
        ("Infantería de Marina", {"marine-infantry"}), ("Marine Infantry", {"marine-infantry"}),
        ("Guarnición Militar", {"garrison"}), ("Military Garrison", {"garrison"}),
        ("Policía Municipal", {"police", "municipal"}),
        ("Municipal Police", {"police", "municipal"}),
        ("Grupo de Operaciones Especiales", {"group", "special-operations"}),
        ("Special Operations Group", {"group", "special-operations"}),
    ],
)
def test_unit_words_map_to_shared_concepts(written: str, concepts: set[str]) -> None:
    assert set(parse_unit(written).concepts) == concepts


def test_a_misspelt_unit_word_is_read_and_explained() -> None:
    parsed = parse_unit("18ava. Zona Miliar")
    assert parsed.concepts.keys() == {"military-zone"}
    assert any('"Miliar" read as "militar"' in note for note in parsed.readings)


@pytest.mark.parametrize(
    ("written", "letters"),
    [("Compañía B del 12/o. Batallón", ("b",)), ("Compañía A del 12/o. Batallón", ("a",)),
     ("COMPAÑÍA A DEL 12/O. BATALLÓN", ("a",)), ("Batallón 12-A", ("a",)),
     ("12A Batallón", ("a",)), ("Sector Naval 3 C", ("c",)), ("C-4 Villa Nube", ("c",)),
     ("Regimiento y Escuela", ()), ("REGIMIENTO Y ESCUELA", ()),
     ("Regimiento Y Escuela De Artillería", ()), ("Unidad de Apoyo a la Población", ()),
     ("12/o. B.I.", ()), ("12a Zona Militar", ()), ("12/a. Z.M.", ()), ("R.A.SE.", ()),
     ("Harbour Police's Unit", ())],
)
def test_lone_letters_that_may_tell_units_apart(written: str, letters: tuple[str, ...]) -> None:
    assert parse_unit(written).letters == letters


def test_numbers_in_order_with_repeats() -> None:
    assert parse_unit("Compañía I del Batallón 9").sequence == (1, 9)
    assert parse_unit("Base Aérea Militar No. 4 4").sequence == (4, 4)
    assert parse_unit("Compañía 3 del Batallón 3").sequence == (3, 3)
    # The unit type said twice with its number: one number, restated.
    assert parse_unit("6/a. ZONA NAVAL MILITAR (ZN-6)").sequence == (6,)


def test_roman_numerals_with_an_ordinal_ending() -> None:
    assert parse_unit("VIIº Batallón").numbers == {7}
    assert parse_unit("XXIa Zona Militar").numbers == {21}
    assert parse_unit("Lo Batallón").numbers == frozenset()  # a word, not L with an ending
    assert parse_unit("Compañía C").numbers == frozenset()  # a lone C is a letter


def test_a_number_word_after_a_number_sign() -> None:
    assert parse_unit("Base Aérea Militar Número Uno").numbers == {1}


def test_a_trailing_state_is_marked_for_acronyms() -> None:
    parsed = parse_unit("Grupo de Operaciones Especiales de Oaxaca")
    assert parsed.initials == ("grupo", "operaciones", "especiales", "oaxaca")
    assert parsed.place_tail == 1


def test_places_and_states() -> None:
    parsed = parse_unit("Gn. Mil. de Nuevo Laredo, Tamps.")
    assert parsed.words == ("nuevo", "laredo")
    assert set(parsed.states) == {"MX-TAM"}


# --- acronyms -------------------------------------------------------------------------


def test_initials_read_from_word_beginnings() -> None:
    assert initials_fit("gopes", ["grupo", "operaciones", "especiales"]) == ("g", "op", "es")
    assert initials_fit("sedena", ["secretaria", "defensa", "nacional"]) == ("se", "de", "na")
    assert initials_fit("caiet", ["centro", "analisis", "informacion", "estudios", "tamaulipas"])
    assert initials_fit("rase", ["region", "aerea", "sureste"]) == ("r", "a", "se")


def test_initials_that_do_not_fit() -> None:
    assert initials_fit("xyz", ["grupo", "operaciones"]) is None
    assert initials_fit("go", ["grupo", "operaciones", "especiales"]) is None  # a word unused


def test_capitals_and_dotted_letters_are_acronym_candidates() -> None:
    assert ("gopes", "GOPES") in parse_unit("GOPES").acronyms
    assert parse_unit("R.A.SE.").acronyms == (("rase", "R.A.SE."),)
    assert parse_unit("33/o. BTN. INF.").acronyms == ()  # abbreviations, read as vocabulary


# --- person names ---------------------------------------------------------------------


def usual(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    reading = parse_person(text).readings[0]
    return reading.given, reading.surnames


def test_given_names_then_two_surnames() -> None:
    assert usual("Iván Reyes Arzate") == (("ivan",), ("reyes", "arzate"))
    assert usual("Carlos César Gómez López") == (("carlos", "cesar"), ("gomez", "lopez"))


def test_surnames_before_a_comma() -> None:
    assert usual("REYES ARZATE, Iván") == (("ivan",), ("reyes", "arzate"))


def test_surnames_in_capitals_without_a_comma() -> None:
    assert usual("REYES ARZATE Iván") == (("ivan",), ("reyes", "arzate"))


def test_surname_first_without_a_comma_is_a_less_likely_reading() -> None:
    readings = parse_person("Reyes Arzate Iván").readings
    assert (("ivan",), ("reyes", "arzate")) in [(r.given, r.surnames) for r in readings]
    assert readings[0].order == "given names first"


def test_particles_stay_with_their_surname() -> None:
    assert usual("Eusebio de la Garza Treviño") == (("eusebio",), ("de la garza", "trevino"))
    assert usual("Ana del Río Paz") == (("ana",), ("del rio", "paz"))


def test_compound_surnames() -> None:
    assert usual("María Montes de Oca Villaseñor") == (
        ("maria",), ("montes de oca", "villasenor")
    )


@pytest.mark.parametrize(
    "written",
    ["Gral. Iván Reyes Arzate", "General Iván Reyes Arzate", "Cap. Iván Reyes Arzate",
     "Tte. Iván Reyes Arzate", "Cor. Iván Reyes Arzate", "Gral. Brig. D.E.M. Iván Reyes Arzate"],
)
def test_rank_prefixes_are_set_aside(written: str) -> None:
    parsed = parse_person(written)
    assert parsed.set_aside
    assert usual(written) == (("ivan",), ("reyes", "arzate"))


def test_a_rank_word_that_is_a_surname_stays() -> None:
    assert usual("Juan Mayor López") == (("juan",), ("mayor", "lopez"))
    assert parse_person("Juan Mayor López").set_aside == ()


def test_initials_are_given_names() -> None:
    assert usual("R. Quintanar Ybarra") == (("r",), ("quintanar", "ybarra"))


def test_spellings_that_sound_alike() -> None:
    assert sound_key("espinosa") == sound_key("espinoza")
    assert sound_key("mujica") == sound_key("mugica")
    assert sound_key("ibarra") == sound_key("ybarra")
    assert sound_key("fregoso") != sound_key("fragoso")


# --- vocabulary files -----------------------------------------------------------------


def test_vocabulary_files_ship_in_the_package_with_a_header() -> None:
    folder = resources.files("vetting").joinpath("vocab")
    shipped = sorted(entry.name for entry in folder.iterdir())
    assert {"units.yaml", "numbers.yaml", "people.yaml", "places.yaml", "words.yaml",
            "confusables.tsv", "naming.yaml", "name_variants.yaml"} <= set(shipped)
    for name in shipped:
        assert folder.joinpath(name).read_text("utf-8").startswith("# "), name


@pytest.fixture
def fresh_vocabulary() -> Iterator[None]:
    def clear() -> None:
        for cached in (names._vocab, names.lexicon, names._people_vocab, names._correct,
                       names._ordinal_endings, names._confusables, names._patronymic_key):
            cached.cache_clear()

    clear()
    yield
    clear()


def test_a_malformed_vocabulary_file_is_reported(
    monkeypatch: pytest.MonkeyPatch, fresh_vocabulary: None
) -> None:
    monkeypatch.setattr(names, "_vocab_text", lambda name: "- just\n- a list\n")
    with pytest.raises(VocabularyError, match="expected a mapping"):
        parse_unit("33 Batallón")


def test_a_concept_without_forms_is_reported(
    monkeypatch: pytest.MonkeyPatch, fresh_vocabulary: None
) -> None:
    real = names._vocab_text

    def broken(name: str) -> str:
        return "concepts:\n  battalion: {facet: type}\ncombined: {}\n" if name == "units.yaml" \
            else real(name)

    monkeypatch.setattr(names, "_vocab_text", broken)
    with pytest.raises(VocabularyError, match="battalion"):
        parse_unit("33 Batallón")


def test_a_word_equally_near_two_vocabulary_words_is_not_corrected() -> None:
    # "Nueva" is one letter from "nuevo" and from "nueve" (9): a guess either way, and
    # a guessed number could make a match. Run under several hash seeds, since a tie
    # settled by set order would differ between them.
    script = (
        "from vetting.names import parse_unit;"
        "name = parse_unit('Policía Municipal de Nueva Tomás Guayabal');"
        "print(sorted(name.numbers), name.words)"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(4)
    }
    assert seen == {"[] ('nueva', 'tomas', 'guayabal')\n"}


@pytest.mark.parametrize(
    ("naming", "message"),
    [
        ("default: spanish\ncultures:\n  spanish: {read: sideways, labels: [a, b]}\n"
         "patronymic_endings: {}\n", "read"),
        ("default: nowhere\ncultures:\n  spanish: {read: two-surnames, labels: [a, b]}\n"
         "patronymic_endings: {}\n", "default culture 'nowhere'"),
        ("default: spanish\ncultures:\n  spanish: {read: two-surnames, labels: [a, b],\n"
         "    sounds: [[h]]}\npatronymic_endings: {}\n", "pair"),
    ],
)
def test_a_malformed_naming_culture_is_reported(
    monkeypatch: pytest.MonkeyPatch, fresh_vocabulary: None, naming: str, message: str
) -> None:
    real = names._vocab_text
    monkeypatch.setattr(names, "_vocab_text",
                        lambda name: naming if name == "naming.yaml" else real(name))
    with pytest.raises(VocabularyError, match=message):
        parse_person("Iván Reyes Arzate")


def test_a_spelling_on_two_lines_is_reported(
    monkeypatch: pytest.MonkeyPatch, fresh_vocabulary: None
) -> None:
    real = names._vocab_text
    variants = "variants:\n  - [Omar, Umar]\n  - [Umar, Omer]\nabd_prefixes: []\narticles: []\n"
    monkeypatch.setattr(names, "_vocab_text",
                        lambda name: variants if name == "name_variants.yaml" else real(name))
    with pytest.raises(VocabularyError, match="'umar' is on two lines"):
        parse_person("Omar Ahmed Hassan")
