"""A seeded synthetic registry, realistic in shape and valid, for benchmarks.

Every name here is invented. Units carry Spanish names with ordinals and unit
types (`102/o. Batallón de Infantería`, `Policía Municipal de San Tomás
Ocampo`), English and abbreviated aliases, a parent hierarchy (institution →
region → zone → battalion), start and end dates and a few predecessors. Half
the people hold posts in units of their country; each allegation names units
and/or people and cites sources, and every source is cited.

    from bench.synth import write_registry
    write_registry(Path("bench/out/big"), units=50_000, people=50_000, allegations=20_000)

The same arguments and seed always give the same files, byte for byte.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

HEADER = "# yaml-language-server: $schema={schema}\n# Synthetic registry: every name is invented.\n"

# Country code, country name, armed forces name, states or departments.
COUNTRIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("MX", "México", "Ejército Mexicano", (
        "Sonora", "Chihuahua", "Coahuila", "Tamaulipas", "Durango", "Sinaloa", "Zacatecas",
        "Jalisco", "Michoacán", "Guerrero", "Oaxaca", "Chiapas", "Veracruz", "Puebla",
        "Hidalgo", "Querétaro", "Guanajuato", "Nayarit", "Colima", "Tabasco", "Campeche",
        "Yucatán", "Quintana Roo", "Morelos", "Tlaxcala", "Aguascalientes",
    )),
    ("GT", "Guatemala", "Ejército de Guatemala", (
        "Petén", "Izabal", "Alta Verapaz", "Quiché", "Huehuetenango", "Escuintla",
        "Jutiapa", "Zacapa", "Chiquimula", "San Marcos",
    )),
    ("HN", "Honduras", "Ejército de Honduras", (
        "Cortés", "Atlántida", "Colón", "Olancho", "Yoro", "Choluteca", "Copán", "Lempira",
    )),
    ("SV", "El Salvador", "Fuerza Armada de El Salvador", (
        "San Miguel", "Usulután", "La Libertad", "Sonsonate", "Chalatenango", "Morazán",
    )),
    ("CO", "Colombia", "Ejército Nacional de Colombia", (
        "Antioquia", "Cauca", "Nariño", "Meta", "Caquetá", "Putumayo", "Arauca", "Bolívar",
        "Córdoba", "Santander", "Chocó", "Guaviare",
    )),
)
COUNTRY_WEIGHTS = (6, 1, 1, 1, 2)

# Institutions at the top of each country's hierarchy: key, force, Spanish name, English alias.
INSTITUTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("army", "army", "{army}", "Army of {country}"),
    ("navy", "navy", "Armada de {country}", "Navy of {country}"),
    ("air", "air_force", "Fuerza Aérea de {country}", "Air Force of {country}"),
    ("guard", "national_guard", "Guardia Nacional de {country}", "National Guard of {country}"),
    ("police", "federal_police", "Policía Nacional de {country}", "National Police of {country}"),
    ("migration", "migration", "Instituto Nacional de Migración de {country}",
     "National Migration Institute of {country}"),
    ("intel", "intelligence", "Centro Nacional de Inteligencia de {country}",
     "National Intelligence Centre of {country}"),
)


@dataclass(frozen=True)
class UnitType:
    """A kind of unit: its names from a number (and a place), and what it reports to."""

    key: str
    force: str
    parent: str  # the key of the unit type or institution it reports to; "" for none
    spanish: str
    english: str
    abbreviation: str
    weight: int
    ordinal: str = "o"  # the Spanish ordinal mark: 102/o. (masculine) or 22/a. (feminine)


UNIT_TYPES: tuple[UnitType, ...] = (
    UnitType("region", "army", "army", "{n}/a. Región Militar", "{th} Military Region",
             "{n} RM", 1, "a"),
    UnitType("zone", "army", "region", "{n}/a. Zona Militar", "{th} Military Zone", "{n} ZM", 4,
             "a"),
    UnitType("battalion", "army", "zone", "{n}/o. Batallón de Infantería",
             "{th} Infantry Battalion", "{n} BI", 30),
    UnitType("cavalry", "army", "zone", "{n}/o. Regimiento de Caballería Motorizada",
             "{th} Motorized Cavalry Regiment", "{n} RCM", 8),
    UnitType("special", "army", "region", "{n}/o. Batallón de Fuerzas Especiales",
             "{th} Special Forces Battalion", "{n} BFE", 3),
    UnitType("company", "army", "zone", "{n}/a. Compañía de Infantería No Encuadrada",
             "{th} Independent Infantry Company", "{n} CINE", 6, "a"),
    UnitType("naval-region", "navy", "navy", "{n}/a. Región Naval", "{th} Naval Region",
             "{n} RN", 1, "a"),
    UnitType("naval-zone", "navy", "naval-region", "{n}/a. Zona Naval", "{th} Naval Zone",
             "{n} ZN", 2, "a"),
    UnitType("marines", "marines", "naval-zone", "{n}/o. Batallón de Infantería de Marina",
             "{th} Marine Infantry Battalion", "{n} BIM", 8),
    UnitType("air-base", "air_force", "air", "Base Aérea Militar No. {n}", "Air Base {n}",
             "BAM {n}", 2),
    UnitType("guard-company", "national_guard", "guard",
             "{n}/a. Compañía de la Guardia Nacional en {state}",
             "{th} National Guard Company in {state}", "{n} CGN", 10, "a"),
    UnitType("police-division", "federal_police", "police", "División {n} de la Policía Nacional",
             "National Police Division {n}", "DPN {n}", 3, "a"),
    UnitType("migration-office", "migration", "migration",
             "Oficina de Representación No. {n} en {state}",
             "Migration Office {n} in {state}", "OR {n}", 3),
    UnitType("state-police", "state_police", "", "{n}/o. Agrupamiento de la Policía Estatal de "
             "{state}", "{th} Group of the {state} State Police", "{n} APE", 10),
    UnitType("municipal-police", "municipal_police", "", "Policía Municipal de {town}",
             "{town} Municipal Police", "PM {town}", 20),
    UnitType("investigative", "investigative_police", "", "{n}/a. Unidad de Policía de "
             "Investigación de {state}", "{th} Investigative Police Unit of {state}", "{n} UPI",
             4, "a"),
)

TOWN_FIRST = (
    "San", "Santa", "Villa", "Ciudad", "Puerto", "Santo", "Real", "Nueva", "Nuevo", "Valle",
    "Cerro", "Llano", "Río", "Paso", "Loma", "Cañada", "Rancho", "Mina", "Laguna", "Boca",
)
TOWN_SECOND = (
    "Tomás", "Lucía", "Andrés", "Miguel", "Rosa", "Isabel", "Pedro", "Marcos", "Elena", "Jacinto",
    "Bernabé", "Águeda", "Felipe", "Teresa", "Gabriel", "Leonor", "Matías", "Clara", "Simón",
    "Úrsula", "Nicolás", "Inés", "Baltasar", "Dolores", "Cayetano", "Remedios", "Aurelio",
    "Fabiola", "Gregorio", "Jimena",
)
TOWN_THIRD = (
    "Ocampo", "del Monte", "de las Flores", "Tlacuilo", "Amatitlán", "Xochiapa", "del Río",
    "Huitzilan", "de Abajo", "de Arriba", "Zapotal", "Coyolar", "Mezquital", "las Palmas",
    "Ixcatlán", "Tepalcingo", "la Sierra", "Chicahua", "el Alto", "Tecomate", "Nopalera",
    "Guayabal", "Ceibas", "Tamarindo", "Encinal",
)
GIVEN = (
    "Alejandro", "Beatriz", "Carlos", "Daniela", "Eduardo", "Fernanda", "Gonzalo", "Hilda",
    "Ignacio", "Josefina", "Leonardo", "Mariana", "Néstor", "Olga", "Pablo", "Raquel", "Sergio",
    "Tomasa", "Ulises", "Verónica", "Wilfredo", "Ximena", "Yolanda", "Zacarías", "Adrián",
    "Brenda", "Cristóbal", "Dulce", "Efraín", "Graciela", "Héctor", "Irene", "Joaquín",
    "Lorena", "Mauricio", "Noemí", "Octavio", "Patricia", "Ramiro", "Sofía",
)
SURNAMES = (
    "Aguilar", "Barrientos", "Cárdenas", "Domínguez", "Escobedo", "Fuentes", "Galindo", "Hurtado",
    "Ibarra", "Jiménez", "Lozano", "Maldonado", "Navarrete", "Orozco", "Peralta", "Quintero",
    "Rosales", "Salazar", "Tovar", "Urbina", "Valdivia", "Zamudio", "Arellano", "Bustamante",
    "Cisneros", "Delgado", "Espinoza", "Figueroa", "Guerrero", "Herrera", "Iturbe", "Juárez",
    "Ledesma", "Montoya", "Núñez", "Ochoa", "Pacheco", "Quiroz", "Rentería", "Sandoval",
    "Treviño", "Uribe", "Villaseñor", "Yáñez", "Zavala", "Acosta", "Beltrán", "Cervantes",
)
RANKS = {
    "army": ("General de Brigada", "Coronel", "Teniente Coronel", "Mayor", "Capitán", "Teniente",
             "Sargento Primero", "Cabo"),
    "police": ("Comisario General", "Comisario", "Inspector", "Subinspector", "Oficial",
               "Policía Primero", "Policía"),
}
VIOLATIONS = (
    ("extrajudicial_killing", 8), ("torture", 6), ("enforced_disappearance", 5),
    ("rape_under_color_of_law", 1), ("cruel_inhuman_degrading_treatment", 4),
    ("prolonged_detention_without_charges", 2),
    ("other_flagrant_denial_of_life_liberty_security", 1), ("corruption", 5),
    ("collusion_with_criminal_groups", 5), ("extortion", 3), ("obstruction_of_justice", 4),
    ("other_misconduct", 2),
)
VIOLATION_WORDS = {
    "extrajudicial_killing": "killed {n} people",
    "torture": "tortured {n} detainees",
    "enforced_disappearance": "detained {n} people who were never seen again",
    "rape_under_color_of_law": "sexually assaulted a detainee",
    "cruel_inhuman_degrading_treatment": "beat {n} detainees",
    "prolonged_detention_without_charges": "held {n} people for months without charges",
    "other_flagrant_denial_of_life_liberty_security": "threatened {n} witnesses",
    "corruption": "took bribes",
    "collusion_with_criminal_groups": "protected a criminal group",
    "extortion": "extorted {n} shopkeepers",
    "obstruction_of_justice": "altered the scene",
    "other_misconduct": "abused their authority",
}
CREDIBILITY = (("credible", 5), ("under_investigation", 4), ("not_credible", 1))
PUBLISHERS = (
    "Observatorio Ciudadano de Derechos Humanos", "Diario del Golfo", "Red de Periodistas del Sur",
    "Comisión Estatal de Derechos Humanos", "Centro de Estudios sobre Seguridad",
    "Boletín de Transparencia Regional", "Monitor de Fuerzas de Seguridad", "La Voz del Valle",
)
_PLAIN = re.compile(r"[A-Za-zÁÉÍÓÚÑáéíóúñÜü][\w .,/()'-]*")
_RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def english_ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def scalar(text: str, *, in_flow: bool = False) -> str:
    """A string as YAML: plain when that reads back as the same text, else double-quoted."""
    plain = _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and not text.endswith(" ")
    if plain and not (in_flow and "," in text):  # a comma ends an item in [a, b]
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def flow(items: list[str]) -> str:
    return "[" + ", ".join(scalar(item, in_flow=True) for item in items) + "]"


@dataclass
class _Unit:
    id: str
    name: str
    aliases: list[str]
    country: str
    force: str
    kind: str
    parent: str | None
    start: int | None
    end: int | None
    predecessors: list[str] = field(default_factory=list)


@dataclass
class _Generator:
    rng: random.Random
    units: list[_Unit] = field(default_factory=list)
    by_kind: dict[tuple[str, str], list[_Unit]] = field(default_factory=lambda: defaultdict(list))
    by_country: dict[str, list[_Unit]] = field(default_factory=lambda: defaultdict(list))
    counters: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    towns: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, unit: _Unit) -> None:
        self.units.append(unit)
        self.by_kind[(unit.country, unit.kind)].append(unit)
        self.by_country[unit.country].append(unit)

    def institutions(self) -> None:
        for code, country, army, _ in COUNTRIES:
            for key, force, spanish, english in INSTITUTIONS:
                name = spanish.format(army=army, country=country)
                self.add(_Unit(
                    id=f"{code.lower()}-{key}", name=name,
                    aliases=[english.format(country=country)], country=code, force=force,
                    kind=key, parent=None, start=None, end=None,
                ))

    def town(self, code: str) -> str:
        # Town names are unique per country: municipal police are named after them.
        while True:
            town = " ".join((self.rng.choice(TOWN_FIRST), self.rng.choice(TOWN_SECOND),
                             self.rng.choice(TOWN_THIRD)))
            if town not in self.towns[code]:
                self.towns[code].add(town)
                return town
            if len(self.towns[code]) > 0.9 * len(TOWN_FIRST) * len(TOWN_SECOND) * len(TOWN_THIRD):
                town = f"{town} {len(self.towns[code])}"
                self.towns[code].add(town)
                return town

    def unit(self, kind: UnitType, code: str, states: tuple[str, ...]) -> _Unit | None:
        parents = self.by_kind.get((code, kind.parent), []) if kind.parent else []
        if kind.parent and not parents:
            return None
        self.counters[(code, kind.key)] += 1
        number = self.counters[(code, kind.key)]
        state = self.rng.choice(states)
        town = self.town(code) if "{town}" in kind.spanish else ""
        values = {"n": number, "th": english_ordinal(number), "state": state, "town": town}
        name = kind.spanish.format(**values)
        aliases = [kind.english.format(**values), kind.abbreviation.format(**values)]
        if "{n}/" in kind.spanish:
            aliases.append(name.replace(f"{number}/{kind.ordinal}.", str(number), 1))
        parent = self.rng.choice(parents) if parents else None
        start = self.rng.randint(1975, 2022) if self.rng.random() < 0.7 else None
        end = None
        if start is not None and self.rng.random() < 0.15:
            end = self.rng.randint(start, 2024)
        unit_id = f"{code.lower()}-{kind.key}-{number}"
        if town:
            unit_id = f"{code.lower()}-pm-{slug(town)}"
        unit = _Unit(unit_id, name, aliases, code, kind.force, kind.key,
                     parent.id if parent else None, start, end)
        siblings = self.by_kind.get((code, kind.key), [])
        if siblings and self.rng.random() < 0.03:
            unit.predecessors.append(self.rng.choice(siblings).id)
        return unit


def _units(rng: random.Random, count: int) -> list[_Unit]:
    generator = _Generator(rng)
    generator.institutions()
    country_weights = list(COUNTRY_WEIGHTS)
    type_weights = [kind.weight for kind in UNIT_TYPES]
    while len(generator.units) < count:
        code, _, _, states = rng.choices(COUNTRIES, country_weights)[0]
        kind = rng.choices(UNIT_TYPES, type_weights)[0]
        unit = generator.unit(kind, code, states)
        if unit is not None:
            generator.add(unit)
    return generator.units[:count]


def _write_units(handle: TextIO, units: list[_Unit], people_lines: list[str]) -> None:
    write = handle.write
    write("units:\n")
    for unit in units:
        write(f"  - id: {unit.id}\n    name: {scalar(unit.name)}\n")
        if unit.aliases:
            write(f"    aliases: {flow(unit.aliases)}\n")
        write(f"    country: {unit.country}\n    force: {unit.force}\n")
        if unit.parent:
            write(f"    parent: {unit.parent}\n")
        if unit.predecessors:
            write(f"    predecessors: [{', '.join(unit.predecessors)}]\n")
        if unit.start is not None:
            write(f"    start: {unit.start}\n")
        if unit.end is not None:
            write(f"    end: {unit.end}\n")
    write("people:\n")
    write("".join(people_lines))


def _people(rng: random.Random, count: int, units: list[_Unit]) -> tuple[list[str], list[str],
                                                                         dict[str, list[str]]]:
    """The people's YAML lines, their ids, and the person ids by country."""
    by_country: dict[str, list[_Unit]] = defaultdict(list)
    for unit in units:
        by_country[unit.country].append(unit)
    codes = list(by_country)
    lines: list[str] = []
    ids: list[str] = []
    ids_by_country: dict[str, list[str]] = defaultdict(list)
    for index in range(count):
        code = rng.choice(codes)
        given = rng.choice(GIVEN)
        if rng.random() < 0.4:
            given += " " + rng.choice(GIVEN)
        surnames = f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
        name = f"{given} {surnames}"
        person_id = f"{code.lower()}-{slug(name)}-{index:06d}"
        ids.append(person_id)
        ids_by_country[code].append(person_id)
        lines.append(f"  - id: {person_id}\n    name: {scalar(name)}\n")
        if rng.random() < 0.2:
            lines.append(f"    aliases: {flow([f'{given[0]}. {surnames}'])}\n")
        lines.append(f"    country: {code}\n")
        if rng.random() < 0.3:
            lines.append(f"    birth_date: {rng.randint(1945, 1995)}\n")
        if index % 2 == 0:  # half the people hold posts
            lines.append("    posts:\n")
            year = rng.randint(1990, 2015)
            for _ in range(rng.randint(1, 3)):
                unit = rng.choice(by_country[code])
                ranks = RANKS["police" if "police" in unit.force else "army"]
                role = rng.choices(("commander", "deputy_commander", "member"), (2, 1, 7))[0]
                end = year + rng.randint(0, 6)
                lines.append(
                    f"      - unit: {unit.id}\n        role: {role}\n"
                    f"        rank: {scalar(rng.choice(ranks))}\n"
                    f"        start: {year}-{rng.randint(1, 12):02d}\n"
                    f"        end: {end}\n"
                )
                year = end
    return lines, ids, ids_by_country


def _write_allegations(
    handle: TextIO, rng: random.Random, count: int, units: list[_Unit],
    people_by_country: dict[str, list[str]],
) -> None:
    write = handle.write
    units_by_country: dict[str, list[_Unit]] = defaultdict(list)
    for unit in units:
        units_by_country[unit.country].append(unit)
    codes = [code for code in units_by_country if people_by_country.get(code)] or list(
        units_by_country
    )
    source_count = max(1, count // 4)
    source_ids: list[str] = []
    write("sources:\n")
    for index in range(source_count):
        publisher = rng.choice(PUBLISHERS)
        year = rng.randint(2000, 2024)
        acronym = "".join(word[0] for word in slug(publisher).split("-") if len(word) > 3)
        source_ids.append(f"{acronym}-{year}-{index:06d}")
        write(
            f"  - id: {source_ids[-1]}\n"
            f"    title: {scalar(f'Informe {index + 1} sobre abusos de fuerzas de seguridad')}\n"
            f"    publisher: {scalar(publisher)}\n"
            f"    published: {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
            f"    url: https://example.org/informes/{index + 1}\n"
        )
    write("allegations:\n")
    violation_names = [name for name, _ in VIOLATIONS]
    violation_weights = [weight for _, weight in VIOLATIONS]
    for index in range(count):
        code = rng.choice(codes)
        unit_pool = units_by_country[code]
        people_pool = people_by_country.get(code, [])
        unit_count = min(len(unit_pool), rng.choice((0, 1, 1, 1, 2)))
        subject_units = [unit.id for unit in rng.sample(unit_pool, unit_count)]
        subject_people = rng.sample(people_pool, min(len(people_pool), rng.choice((0, 0, 1, 2))))
        if not subject_units and not subject_people:
            subject_units = [rng.choice(unit_pool).id]
        violations = sorted(set(rng.choices(violation_names, violation_weights,
                                            k=rng.randint(1, 3))))
        year = rng.randint(1995, 2024)
        town = " ".join((rng.choice(TOWN_FIRST), rng.choice(TOWN_SECOND), rng.choice(TOWN_THIRD)))
        deeds = ", ".join(VIOLATION_WORDS[name].format(n=rng.randint(2, 30)) for name in violations)
        summary = f"Members of the security forces {deeds} in {town} in {year}."
        write(
            f"  - id: {code.lower()}-{year}-{slug(town)}-{index:06d}\n"
            f"    summary: {scalar(summary)}\n"
            f"    date: {year}-{rng.randint(1, 12):02d}\n"
            f"    place: {scalar(town)}\n"
            f"    country: {code}\n"
            f"    violations: [{', '.join(violations)}]\n"
            f"    units: [{', '.join(subject_units)}]\n"
            f"    people: [{', '.join(subject_people)}]\n"
            f"    credibility: {rng.choices(*zip(*CREDIBILITY, strict=True))[0]}\n"
        )
        if rng.random() < 0.03:
            write(
                "    remediation:\n      kind: effective_steps\n"
                f"      date: {min(year + 2, 2024)}\n"
                f"      reference: {scalar(f'Determinación {index + 1} del Departamento')}\n"
            )
        write("    evidence:\n")
        # The first citation walks the sources in turn, so every source is cited.
        cited = [index % source_count, *(rng.randrange(source_count)
                                         for _ in range(rng.randint(0, 2)))]
        for number in cited:
            write(
                f"      - source: {source_ids[number]}\n"
                f"        quote: {scalar(f'«{summary[:80]}»')}\n"
            )



def write_registry(
    folder: Path, *, units: int, people: int, allegations: int, seed: int = 2378
) -> Path:
    """Write `units.yaml` and `allegations.yaml` of a synthetic registry into `folder`."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    unit_records = _units(rng, max(units, len(COUNTRIES) * len(INSTITUTIONS)))[:units]
    people_lines, _, people_by_country = _people(rng, people, unit_records)
    schemas = "../../../vetting/schemas"  # bench/out/NAME/ → the repository's schemas
    with (folder / "units.yaml").open("w", encoding="utf-8") as handle:
        handle.write(HEADER.format(schema=f"{schemas}/units.schema.json"))
        _write_units(handle, unit_records, people_lines)
    with (folder / "allegations.yaml").open("w", encoding="utf-8") as handle:
        handle.write(HEADER.format(schema=f"{schemas}/allegations.schema.json"))
        _write_allegations(handle, rng, allegations, unit_records, people_by_country)
    return folder
