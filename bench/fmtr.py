"""The whole Foreign Military Training Report as a roster: speed, and what vet cannot read.

    python -m bench.fmtr ../shared/data/fmtr/fmtr.csv.gz             # every row
    python -m bench.fmtr ../shared/data/fmtr/fmtr.csv.gz --sample 30000
    python -m bench.fmtr FMTR --top 15 --examples 5

The FMTR (US Departments of State and Defense, parsed by Security Force
Monitor; see its README) names 222,315 trainees' units as the US side wrote
them, with the country in English. This bench

1. writes the rows (or a sample stratified by country) as a roster of `unit`
   and `country` under bench/out/fmtr/, the country as written, so that `vet
   batch` must read country names;
2. writes a FICTIONAL registry there: the units of the labelled sets
   (tests/data/units/, tests/data/matching_labelled.yaml: generic designations
   and invented names), with invented allegations against invented units only;
3. runs `vet batch` on it in a fresh process and reports rows per second and
   the verdicts;
4. reads every distinct unit cell as `vet batch` does (parts, path pieces) and
   counts, by country, the unit pieces that parse into nothing useful: no
   number, unit word, force, state or country, only words (`DIRIN`, `COFUMACO`,
   `De La Salle University`), which only a registry name with the same words
   can match; and the country cells that name no country.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

from vetting.cells import split_cell
from vetting.context import read_path
from vetting.names import country_code, parse_unit

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out" / "fmtr"
AS_OF = "2024-06-30"
LABELLED = [*sorted((ROOT / "tests" / "data" / "units").glob("*.yaml")),
            ROOT / "tests" / "data" / "matching_labelled.yaml"]


def read_rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        return list(csv.DictReader(handle))


def stratified(rows: Sequence[dict[str, str]], size: int, seed: int = 2378) -> list[dict[str, str]]:
    """About `size` rows, each country's share kept (at least one row of each)."""
    if size >= len(rows):
        return list(rows)
    by_country: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_country[row["country"]].append(row)
    rng = random.Random(seed)
    picked: list[dict[str, str]] = []
    for country in sorted(by_country):
        group = by_country[country]
        picked += rng.sample(group, max(1, round(len(group) * size / len(rows))))
    return picked


def write_registry(folder: Path) -> Path:
    """The fictional registry: the labelled sets' units, invented allegations."""
    units: dict[str, dict[str, object]] = {}
    for path in LABELLED:
        for item in yaml.safe_load(path.read_text("utf-8"))["units"]:
            units.setdefault(item["id"], item)
    invented = sorted(unit_id for unit_id, item in units.items()
                      if "quimera" in str(item["name"]).lower())
    folder.mkdir(parents=True, exist_ok=True)
    header = "# FICTIONAL registry written by python -m bench.fmtr: no allegation is real.\n"
    (folder / "units.yaml").write_text(
        header + yaml.safe_dump({"units": list(units.values())}, allow_unicode=True),
        "utf-8")
    allegations = {
        "sources": [{"id": "xx-invented", "title": "Invented report", "publisher":
                     "Invented Monitor", "published": "2020-01"}],
        "allegations": [{
            "id": f"invented-{unit_id}", "summary": "Invented allegation for a benchmark.",
            "date": "2019-06-01", "country": units[unit_id]["country"],
            "violations": ["torture"], "units": [unit_id], "credibility": "credible",
            "evidence": [{"source": "xx-invented", "quote": "an invented quote"}],
        } for unit_id in invented],
    }
    (folder / "allegations.yaml").write_text(
        header + yaml.safe_dump(allegations, allow_unicode=True), "utf-8")
    return folder


def write_roster(rows: Iterable[dict[str, str]], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "country"])
        for row in rows:
            writer.writerow([row["unit"], row["country"]])
            count += 1
    return count


def run_batch(roster: Path, registry: Path) -> tuple[float, Counter[str]]:
    """Seconds of `vet batch` in a fresh process (reading, vetting, writing), and verdicts."""
    vet = Path(sys.executable).with_name("vet")
    command = [str(vet)] if vet.is_file() else [sys.executable, "-m", "vetting"]
    out = roster.with_suffix(".jsonl")
    start = time.perf_counter()
    subprocess.run([*command, "batch", str(roster), "--data", str(registry), "--as-of", AS_OF,
                    "--format", "jsonl"], stdout=out.open("wb"),
                   stderr=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - start
    verdicts: Counter[str] = Counter()
    with out.open(encoding="utf-8") as handle:
        for line in handle:
            verdicts[json.loads(line)["verdict"]] += 1
    return seconds, verdicts


def useless(piece: str) -> bool:
    """Whether a unit piece says nothing vet can compare but its words."""
    name = parse_unit(piece)
    return not (name.numbers or name.concepts or name.states or name.countries or name.letters)


def analyse(rows: Iterable[dict[str, str]]) -> tuple[dict[str, Counter[str]], Counter[str],
                                                      Counter[str], Counter[str]]:
    """By country: the unit pieces that parse into nothing useful (with their rows), all
    unit pieces' rows, and the country cells that name no country."""
    cells: Counter[tuple[str, str]] = Counter((row["country"], row["unit"]) for row in rows)
    unread: dict[str, Counter[str]] = defaultdict(Counter)
    pieces: Counter[str] = Counter()
    no_country: Counter[str] = Counter()
    names: dict[str, str] = {}
    for (written, unit), count in cells.items():
        if written not in names:
            code = country_code(written)
            names[written] = code or f"? {written}"
            if code is None:
                no_country[written] += count
        country = names[written]
        for part in split_cell(unit):
            for piece in read_path(part).units:
                pieces[country] += count
                if useless(piece):
                    unread[country][piece] += count
    return unread, pieces, no_country, Counter(names.values())


def report(unread: dict[str, Counter[str]], pieces: Counter[str], no_country: Counter[str],
           top: int, examples: int) -> str:
    total = sum(pieces.values())
    bad = sum(sum(counter.values()) for counter in unread.values())
    lines = [f"unit pieces read: {total:,} (rows × pieces); nothing useful: {bad:,} "
             f"({bad / max(total, 1):.1%})", "",
             "| country | pieces | nothing useful | share | most frequent (rows) |",
             "|---|---|---|---|---|"]
    ranked = sorted(unread, key=lambda country: -sum(unread[country].values()))
    for country in ranked[:top]:
        count = sum(unread[country].values())
        shown = "; ".join(f"`{piece}` ({n})" for piece, n in unread[country].most_common(examples))
        lines.append(f"| {country} | {pieces[country]:,} | {count:,} | "
                     f"{count / pieces[country]:.0%} | {shown} |")
    lines += ["", "country cells naming no one country (rows): " + (", ".join(
        f"`{written}` ({n})" for written, n in no_country.most_common()) or "none")]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fmtr", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="fmtr.csv.gz (or a CSV of the same columns)")
    parser.add_argument("--sample", type=int, default=0, help="rows, stratified by country")
    parser.add_argument("--top", type=int, default=15, help="countries listed")
    parser.add_argument("--examples", type=int, default=4, help="examples per country")
    parser.add_argument("--no-batch", action="store_true", help="only read the cells")
    options = parser.parse_args(argv)
    rows = read_rows(options.path)
    if options.sample:
        rows = stratified(rows, options.sample)
    out = io.StringIO()
    if not options.no_batch:
        registry = write_registry(OUT / "registry")
        roster = OUT / "roster.csv"
        count = write_roster(rows, roster)
        seconds, verdicts = run_batch(roster, registry)
        out.write(f"vet batch: {count:,} rows in {seconds:.1f} s ({count / seconds:,.0f} rows/s, "
                  f"one process): " + ", ".join(
                      f"{n:,} {verdict}" for verdict, n in verdicts.most_common()) + "\n\n")
    unread, pieces, no_country, _ = analyse(rows)
    out.write(report(unread, pieces, no_country, options.top, options.examples))
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
