"""How long `vet validate` takes against a bare `yaml.load` of the same files.

    python -m bench.validate --units 50000 --people 50000 --allegations 20000

Writes a seeded synthetic registry (bench/synth.py) under bench/out/, then
times, best of `--repeat` runs each:

- baseline: reading both files and `yaml.load(text, Loader=yaml.CSafeLoader)`,
  the fastest way PyYAML offers to turn them into Python values;
- vet: `checks.validate(folder)`, the whole of `vet validate` short of printing:
  reading, the positioned safe loader, the schema and the integrity checks.

The target (issue 2) is a ratio of at most 2.0.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from bench.synth import write_registry
from vetting import checks
from vetting.records import LAYOUT

OUT = Path(__file__).resolve().parent / "out"


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """The fastest of `repeat` runs, in seconds, with the garbage collector as in normal use."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_load(folder: Path) -> None:
    for filename in LAYOUT:
        text = (folder / filename).read_text(encoding="utf-8")
        yaml.load(text, Loader=yaml.CSafeLoader)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.validate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--allegations", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2378)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    args = parser.parse_args(argv)

    folder = OUT / f"validate-{args.units}-{args.people}-{args.allegations}-{args.seed}"
    write_registry(folder, units=args.units, people=args.people,
                   allegations=args.allegations, seed=args.seed)
    size = sum((folder / name).stat().st_size for name in LAYOUT)
    shown = folder.relative_to(Path.cwd()) if folder.is_relative_to(Path.cwd()) else folder
    print(f"registry: {shown} ({size / 1e6:.1f} MB)")

    result = checks.validate(folder)
    print(f"vet validate: {result.errors} errors, {result.warnings} warnings; "
          + ", ".join(f"{count} {section}" for section, count in result.counts.items()))
    for finding in result.findings[:5]:
        print(f"  {finding.path}:{finding.line}:{finding.col}: {finding.code} {finding.message}")

    baseline = best_of(args.repeat, lambda: bare_load(folder))
    full = best_of(args.repeat, lambda: checks.validate(folder))
    print(f"yaml.load (CSafeLoader), both files: {baseline:.2f} s")
    print(f"vet validate (read + schema + checks): {full:.2f} s")
    print(f"ratio: {full / baseline:.2f} (target ≤ 2.0)")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
