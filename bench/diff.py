"""How long `vet diff` takes on two large registries that differ by one allegation.

    python -m bench.diff --units 50000 --people 50000 --allegations 20000

Writes a seeded synthetic registry (bench/synth.py) under bench/out/ as OLD,
and a copy as NEW with one credible allegation added at the end of
`allegations.yaml`: it names the first person in the registry who commanded a
military zone, and that zone, on a day of the command, so the command rule carries it
down the unit's chain and on to its serving members. It then times, each in a
fresh process (wall time, peak memory):

- `vet validate OLD`: reading one registry whole, for comparison;
- `vet diff OLD NEW --format json`: two folders;
- `vet diff HEAD~1 HEAD --format json` in a git repository holding OLD then NEW;
- `vet diff HEAD --format json` there with NEW's edit reverted in the working
  tree (a registry edit about to be committed);

and checks that the diff found the changes that vetting every unit and person
of both registries finds (`compare(..., everyone=True)`, in this process).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

from bench.scale import OUT, run
from bench.synth import write_registry

AS_OF = "2024-06-30"
_COMMANDER = re.compile(
    r"  - id: (?P<person>[a-z0-9-]+)\n(?:    .*\n)*?      - unit: (?P<unit>[a-z]{2}-zone-[0-9]+)\n"
    r"        role: commander\n(?:        rank: .*\n)?        start: (?P<start>[0-9-]+)\n"
)


def added_allegation(units_text: str) -> str:
    """One credible killing naming the first zone commander found, dated in the command."""
    found = _COMMANDER.search(units_text)
    if found is None:
        raise SystemExit("no commander with a dated post in the synthetic registry")
    year = int(found["start"][:4]) + 1
    return (
        "  - id: bench-added-allegation\n"
        "    summary: Soldiers under the unit's commander killed two villagers.\n"
        f"    date: {year}-03-04\n"
        f"    country: {found['person'][:2].upper()}\n"
        "    violations: [extrajudicial_killing]\n"
        f"    units: [{found['unit']}]\n"
        f"    people: [{found['person']}]\n"
        "    credibility: credible\n"
        "    evidence:\n"
        "      - source: bench-source\n"
    )


def edit(folder: Path, addition: str) -> None:
    path = folder / "allegations.yaml"
    text = path.read_text(encoding="utf-8")
    source = ("  - id: bench-source\n    title: Benchmark report\n"
              "    publisher: Bench Monitor\n")
    text = text.replace("sources:\n", "sources:\n" + source, 1)
    path.write_text(text + addition, encoding="utf-8")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.diff", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--allegations", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2378)
    parser.add_argument("--no-check", action="store_true",
                        help="skip vetting every entity in this process to check the diff")
    args = parser.parse_args(argv)

    base = OUT / f"diff-{args.units}-{args.people}-{args.allegations}-{args.seed}"
    old, new, repo = base / "old", base / "new", base / "repo"
    if not (old / "units.yaml").is_file():
        write_registry(old, units=args.units, people=args.people,
                       allegations=args.allegations, seed=args.seed)
    shutil.rmtree(new, ignore_errors=True)
    shutil.copytree(old, new)
    edit(new, added_allegation((old / "units.yaml").read_text(encoding="utf-8")))
    shutil.rmtree(repo, ignore_errors=True)
    (repo / "data").mkdir(parents=True)
    for name in ("units.yaml", "allegations.yaml"):
        shutil.copy(old / name, repo / "data" / name)
    git(repo, "init", "-q")
    git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.org", "add", "data")
    git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.org",
        "commit", "-qm", "old")
    shutil.copy(new / "allegations.yaml", repo / "data" / "allegations.yaml")
    git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.org",
        "commit", "-qam", "new")
    size = sum((old / name).stat().st_size for name in ("units.yaml", "allegations.yaml"))
    print(f"registry: {old} ({size / 1e6:.1f} MB); NEW adds one allegation")

    env = {**os.environ, "VET_CACHE_DIR": str(base / "cache"), "VET_DATA": ""}
    env.pop("VET_DATA")
    runs = [run("vet validate OLD", ["validate", str(old)], env)]
    runs.append(run("vet diff OLD NEW (folders)",
                    ["diff", str(old), str(new), "--as-of", AS_OF, "-f", "json"], env))
    os.chdir(repo)
    runs.append(run("vet diff HEAD~1 HEAD (git)",
                    ["diff", "HEAD~1", "HEAD", "--data", "data", "--as-of", AS_OF, "-f", "json"],
                    env))
    shutil.copy(old / "allegations.yaml", repo / "data" / "allegations.yaml")
    runs.append(run("vet diff HEAD (working tree)",
                    ["diff", "HEAD", "--data", "data", "--as-of", AS_OF, "-f", "json"], env))
    git(repo, "checkout", "-q", "--", "data")
    for measured in runs:
        print(measured.line())
    if not args.no_check:
        from vetting.diff import compare
        from vetting.model import Law
        from vetting.revisions import read_folder

        before = read_folder(old)
        after = read_folder(new, before)
        day = date.fromisoformat(AS_OF)
        quick = compare(before, after, as_of=day, law=Law.STATE)
        print(f"the diff: {len(quick.changes)} changes, {quick.counts()}")
        started = time.perf_counter()
        everyone = compare(before, after, as_of=day, law=Law.STATE, everyone=True)
        print(f"vetting all {len(before.registry.units) + len(before.registry.people):,} "
              f"entities of each registry: {time.perf_counter() - started:.1f} s, "
              f"{'the same changes' if quick == everyone else 'DIFFERENT CHANGES'}")
        if quick != everyone:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
