"""Cold-start wall time of one `vet unit` query, and verdict throughput on a big registry.

    python -m bench.query                  # `vet unit "102nd Battalion"`, bundled registry
    python -m bench.query --repeat 50 --format table
    python -m bench.query --big            # also: a generated 50,000-unit registry

Each run is a fresh process, so the figure includes starting Python, importing
vet, reading and checking the registry, preparing the matcher, the verdict and
printing it: what a person waits for at the prompt. Python's bytecode cache is
allowed, as it is for an installed vet (pip compiles on install), even where env
PYTHONDONTWRITEBYTECODE is set; `--no-bytecode-cache` measures without it.
`--big` also times, in one process, the engine alone over every unit and person
of a generated registry (bench/synth.py), to show that a verdict costs a walk up
one chain of parents, not a scan of the registry.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

OUT = Path(__file__).parent / "out"
# CPU seconds (user + system) of each child run, in order: on a busy machine wall time
# includes waiting for a CPU, which CPU time does not.
cpu: list[float] = []
VERDICT_EXITS = {0, 1, 3}


def vet_command() -> list[str]:
    """The installed `vet` script beside this Python, else `python -m vetting`."""
    script = Path(sys.executable).with_name("vet")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "vetting"]


def cold_start(
    name: str, repeat: int, output_format: str, data: Path | None, bytecode: bool = True
) -> list[float]:
    command = [*vet_command(), "unit", name, "--format", output_format]
    if data is not None:
        command += ["--data", str(data)]
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False, env=env)
        times.append(time.perf_counter() - start)
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(used.ru_utime + used.ru_stime - sum(cpu))
        if done.returncode not in VERDICT_EXITS:
            sys.exit(f"bench: {' '.join(command)} exited {done.returncode}: "
                     f"{done.stderr.decode(errors='replace').strip()}")
    return times


def report(label: str, times: list[float]) -> None:
    spent = cpu[-len(times):]
    print(f"{label}: wall median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
          f"max {max(times):.3f} s over {len(times)} runs; CPU median "
          f"{statistics.median(spent):.3f} s")


def big(units: int) -> None:
    from bench.synth import write_registry
    from vetting.matching import Matcher
    from vetting.model import Law
    from vetting.registry import open_registry
    from vetting.rules import Engine, Query, vet_queries

    folder = OUT / f"query-{units}"
    if not (folder / "units.yaml").is_file():
        write_registry(folder, units=units, people=units, allegations=units * 2 // 5)
    start = time.perf_counter()
    registry = open_registry(folder)
    opened = time.perf_counter() - start
    start = time.perf_counter()
    matcher = Matcher.from_registry(registry)
    prepared = time.perf_counter() - start
    print(f"big registry: {len(registry.units):,} units, {len(registry.people):,} people, "
          f"{len(registry.allegations):,} allegations; opened in {opened:.2f} s, "
          f"matcher prepared in {prepared:.2f} s")
    engine = Engine(registry, as_of=date.today(), law=Law.STATE)
    start = time.perf_counter()
    verdicts = [engine.unit(unit_id).verdict for unit_id in registry.units]
    verdicts += [engine.person(person_id).verdict for person_id in registry.people]
    spent = time.perf_counter() - start
    barred = sum(verdict.bars for verdict in verdicts)
    print(f"engine: every entity's verdict ({len(verdicts):,}, {barred:,} barred) in "
          f"{spent:.2f} s, {len(verdicts) / spent:,.0f} entities/s")
    first = next(iter(registry.units.values()))
    start = time.perf_counter()
    vet_queries(registry, matcher, [Query("unit", first.name)], as_of=date.today(),
                law=Law.STATE)
    print(f"one query (match and verdict, warm): {time.perf_counter() - start:.3f} s")
    report("cold start on the big registry",
           cold_start(first.name, 3, "json", folder))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.query", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="102nd Battalion")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--format", default="json", choices=("json", "table"))
    parser.add_argument("--data", type=Path, default=None,
                        help="registry folder (default: the bundled registry)")
    parser.add_argument("--big", action="store_true",
                        help="also time the engine on a generated 50,000-unit registry")
    parser.add_argument("--big-units", type=int, default=50_000)
    parser.add_argument("--no-bytecode-cache", dest="bytecode", action="store_false",
                        help="compile every module at each start, as with "
                        "PYTHONDONTWRITEBYTECODE and no cache")
    args = parser.parse_args()
    if shutil.which(vet_command()[0]) is None:
        sys.exit("bench: cannot find vet; run `make .venv/bin/vet` first")
    cold_start(args.name, 2, args.format, args.data, args.bytecode)  # warm the caches
    cached = "" if args.bytecode else ", no bytecode cache"
    report(f"cold start, vet unit {args.name!r} --format {args.format}{cached}",
           cold_start(args.name, args.repeat, args.format, args.data, args.bytecode))
    if args.big:
        big(args.big_units)


if __name__ == "__main__":
    main()
