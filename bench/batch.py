"""Rows per second of `vet batch` on a 10,000-row roster, on two registries.

    python -m bench.batch [--rows 10000] [--units 50000] [--repeat 1]

Registries: the bundled one (data/), and a seeded synthetic one of `--units`
units (bench/synth.py, written under bench/out/). For each, a seeded roster is
made from the registry's own names, as rosters come: half the rows name people
or units of the registry (some without accents, in capitals, in another word
order, or with a word missing), the rest name people who are not in it, some
rows give a person and a unit, and one row in fifty cannot be vetted.

Timed, best of `--repeat` runs each (the registry is read once, outside):
- read: decoding, sniffing and parsing the roster;
- vet: matching and verdicts for every row (`roster.vet_roster`), the matcher
  prepared first (`Matcher.from_registry`, reported apart);
- write: the CSV renderer to a file.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from bench.synth import write_registry
from bench.validate import best_of
from vetting import render, roster
from vetting.matching import Matcher
from vetting.model import Law
from vetting.records import bundled
from vetting.registry import Registry, open_registry

OUT = Path(__file__).resolve().parent / "out"
AS_OF = date(2024, 6, 30)
T = TypeVar("T")
GIVEN = ("Ana", "Luis", "María", "José", "Rosa", "Jorge", "Lucía", "Andrés", "Elena", "Tomás",
         "Marta", "Raúl", "Sofía", "Iván", "Teresa", "Héctor", "Paula", "Ramón", "Inés", "Óscar")
SURNAMES = ("Quiroga", "Salcedo", "Benítez", "Olmedo", "Zamora", "Aranda", "Cifuentes",
            "Villalba", "Ordóñez", "Larrea", "Montaño", "Escobedo", "Ibarra", "Peñaloza",
            "Robles", "Tejeda", "Urrutia", "Valdivia", "Yáñez", "Zúñiga")


def timed(repeat: int, action: Callable[[], T]) -> tuple[float, T]:
    """The seconds of the first run, or of the fastest of `repeat`, and the first's result."""
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    if repeat > 1:
        seconds = min(seconds, best_of(repeat - 1, action))
    return seconds, result


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _as_written(rng: random.Random, name: str) -> str:
    """A registry name the way a roster might write it."""
    words = name.split()
    change = rng.random()
    if change < 0.2:
        return _unaccented(name)
    if change < 0.3:
        return name.upper()
    if change < 0.4 and len(words) > 2:
        return " ".join(words[1:] + words[:1])
    if change < 0.45 and len(words) > 3:
        del words[rng.randrange(1, len(words))]
        return " ".join(words)
    return name


def roster_csv(
    units: Sequence[Mapping[str, Any]], people: Sequence[Mapping[str, Any]], rows: int,
    seed: int = 5,
) -> bytes:
    """A roster of `rows` rows drawn from registry records (as in the YAML) and invented names."""
    names = {unit["id"]: unit["name"] for unit in units}
    rng = random.Random(seed)
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Nombre", "Unidad", "Fecha de nacimiento", "País", "Curso"])
    for number in range(rows):
        pick = rng.random()
        name = unit = born = country = ""
        if number % 50 == 49:
            born = "31/02/1980"  # a row that cannot be vetted
        elif pick < 0.25 and people:
            person = rng.choice(people)
            name = _as_written(rng, rng.choice([person["name"], *person.get("aliases", [])]))
            country = person["country"] if rng.random() < 0.5 else ""
            posts = person.get("posts") or []
            if posts and rng.random() < 0.5:
                unit = names.get(posts[0]["unit"], "")
        elif pick < 0.5:
            chosen = rng.choice(units)
            unit = _as_written(rng, rng.choice([chosen["name"], *chosen.get("aliases", [])]))
            country = chosen["country"] if rng.random() < 0.5 else ""
        else:
            name = f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
            if rng.random() < 0.3:
                born = f"{rng.randint(1960, 2000)}-{rng.randint(1, 12):02d}"
            if rng.random() < 0.3:
                unit = _as_written(rng, rng.choice(units)["name"])
        writer.writerow([name, unit, born, country, f"Curso {number % 12 + 1}"])
    return stream.getvalue().encode("utf-8")


def make_roster(registry: Registry, rows: int, seed: int = 5) -> bytes:
    """A roster of `rows` rows drawn from a loaded registry's names and invented ones."""
    units = [unit.model_dump() for unit in registry.units.values()]
    people = [person.model_dump() for person in registry.people.values()]
    return roster_csv(units, people, rows, seed)


def measure(label: str, registry: Registry, rows: int, repeat: int) -> None:
    raw = make_roster(registry, rows)
    read_time, read = timed(repeat, lambda: roster.read_roster(raw, "bench.csv"))
    distinct = len({roster.query_of(row) for row in read.rows} - {None})
    prepare_time, matcher = timed(1, lambda: Matcher.from_registry(registry))
    vet_time, batch = timed(repeat, lambda: roster.vet_roster(
        read, registry, matcher, as_of=AS_OF, law=Law.STATE,
    ))
    write = render.get("batch", "csv")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "vetted.csv"

        def written() -> None:
            with roster.atomic_output(target) as stream:
                write(batch, stream)

        write_time = best_of(repeat, written)
    total = read_time + vet_time + write_time
    counts = ", ".join(f"{count} {verdict}" for verdict, count in batch.counts.items() if count)
    print(f"\n{label}: {len(registry.units):,} units, {len(registry.people):,} people, "
          f"{len(registry.allegations):,} allegations")
    print(f"  roster: {rows:,} rows, {distinct:,} distinct queries; {counts}")
    print(f"  matcher prepared once: {prepare_time:.2f} s")
    print(f"  read {read_time:.3f} s, vet {vet_time:.2f} s, write {write_time:.3f} s")
    print(f"  vetting: {rows / vet_time:,.0f} rows/s; read + vet + write: {rows / total:,.0f} "
          f"rows/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.batch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="rows in each roster")
    parser.add_argument("--units", type=int, default=50_000,
                        help="units of the synthetic registry (as many people, and "
                        "allegations for two units in five)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best counts")
    args = parser.parse_args(argv)

    measure("bundled registry", open_registry(bundled()), args.rows, args.repeat)
    folder = OUT / f"batch-{args.units}"
    write_registry(folder, units=args.units, people=args.units,
                   allegations=args.units * 2 // 5)
    measure(f"synthetic registry ({folder.name})", open_registry(folder), args.rows,
            args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
