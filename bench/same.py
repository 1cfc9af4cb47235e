"""Are the answers the same? `vet batch` JSONL of one version of vet against another's.

    python -m bench.same record NAME [--units 20000 ...]   # run every case, keep the output
    python -m bench.same compare OLD NEW                   # line by line, byte for byte

A change meant to make vet faster must not change a single answer. `record`
runs `vet batch --format jsonl` on fixed cases, in fresh processes with a cache
folder of their own, and keeps each output under bench/out/same/NAME/; `compare`
reads two such records and reports, per case, how many lines differ and the
first differences. To record another version of vet, run `record` with that
version's source as `--source` (e.g. `git archive main | tar -x -C /tmp/main`, then
`python -m bench.same record main --source /tmp/main`): vet runs from that folder.

The cases: the scale roster against the scale registry (bench/scale.py's
recipe), with one process and with two workers; the Security Force Monitor
sample's unit and officer names (tests/data/sfm-mx/, 490 real spellings) as a
roster against the same registry and against the bundled one; and the
Foreign Military Training Report's Mexican rows, when ../shared is there.
`--extra` passes options to every `vet batch` (e.g. `--extra=--max-candidates=0`).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.scale import AS_OF, OUT, make_roster
from bench.synth import write_registry

ROOT = Path(__file__).resolve().parent.parent
SFM = ROOT / "tests" / "data" / "sfm-mx"
FMTR_MX = ROOT.parent.parent / "shared" / "data" / "fmtr" / "fmtr-mx.csv"
RECORDS = OUT / "same"


def sfm_roster() -> bytes:
    """Every name and alias of the SFM sample, units as unit rows and officers as people."""
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["name", "unit", "country"])
    for unit in json.loads((SFM / "units.json").read_text(encoding="utf-8")):
        for name in (unit["name"], *unit.get("aliases", ())):
            writer.writerow(["", name, "MX"])
    for person in json.loads((SFM / "people.json").read_text(encoding="utf-8")):
        for name in (person["name"], *person.get("aliases", ())):
            writer.writerow([name, "", ""])
    return stream.getvalue().encode("utf-8")


def cases(args: argparse.Namespace) -> dict[str, tuple[Path, Path | None, list[str]]]:
    """Case name -> (roster, registry folder or None for the bundled one, extra options)."""
    name = f"scale-{args.units}-{args.people}-{args.allegations}-{args.seed}"
    folder = OUT / name
    roster = OUT / f"{name}-roster-{args.roster}.csv"
    if not (folder / "allegations.yaml").is_file() or not roster.is_file():
        write_registry(folder, units=args.units, people=args.people,
                       allegations=args.allegations, seed=args.seed)
        roster.write_bytes(make_roster(folder, args.roster)[0])
    sfm = OUT / "sfm-roster.csv"
    sfm.write_bytes(sfm_roster())
    found = {
        "scale": (roster, folder, ["--jobs", "1"]),
        "scale-jobs2": (roster, folder, ["--jobs", "2"]),
        "sfm-scale": (sfm, folder, []),
        "sfm-bundled": (sfm, None, []),
    }
    if FMTR_MX.is_file():
        found["fmtr-mx-bundled"] = (FMTR_MX, None, [])
        found["fmtr-mx-scale"] = (FMTR_MX, folder, [])
    return found


def record(args: argparse.Namespace) -> int:
    where = RECORDS / args.name
    where.mkdir(parents=True, exist_ok=True)
    cache = OUT / f"same-cache-{args.name}"
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, VET_CACHE_DIR=str(cache))
    for case, (roster, folder, options) in cases(args).items():
        if args.only and case not in args.only:
            continue
        out = where / f"{case}.jsonl"
        command = [sys.executable, "-m", "vetting", "batch", str(roster), "--format", "jsonl",
                   "--out", str(out), "--as-of", AS_OF, *options, *args.extra]
        if folder is not None:
            command += ["--data", str(folder)]
        begun = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False,
                              cwd=args.source)
        if done.returncode not in (0, 1, 2, 3) or not out.is_file():
            print(f"{case}: vet batch failed ({done.returncode}): {done.stderr[-2000:]}")
            return 1
        print(f"{case}: {sum(1 for _ in out.open('rb')):,} lines "
              f"[{time.perf_counter() - begun:.0f} s, exit {done.returncode}]")
    shutil.rmtree(cache, ignore_errors=True)
    return 0


def strip(lines: list[bytes], patterns: list[str]) -> list[bytes]:
    for pattern in patterns:
        compiled = re.compile(pattern.encode())
        lines = [compiled.sub(b"", line) for line in lines]
    return lines


def compare(args: argparse.Namespace) -> int:
    old, new = RECORDS / args.old, RECORDS / args.new
    differing = 0
    for path in sorted(old.glob("*.jsonl")):
        other = new / path.name
        if not other.is_file():
            print(f"{path.stem}: not in {args.new}")
            differing += 1
            continue
        before = strip(path.read_bytes().splitlines(), args.strip)
        after = strip(other.read_bytes().splitlines(), args.strip)
        changed = [n for n, (a, b) in enumerate(zip(before, after, strict=False)) if a != b]
        if len(before) != len(after):
            print(f"{path.stem}: {len(before):,} lines against {len(after):,}")
        print(f"{path.stem}: {len(before) - len(changed):,} of {len(before):,} lines the same")
        for number in changed[: args.show]:
            print(f"  line {number + 1}:\n  - {before[number][:args.width].decode()}\n"
                  f"  + {after[number][:args.width].decode()}")
        differing += bool(changed) or len(before) != len(after)
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.same", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    recording = commands.add_parser("record", help="run every case and keep the output")
    recording.add_argument("name")
    recording.add_argument("--units", type=int, default=20_000)
    recording.add_argument("--people", type=int, default=20_000)
    recording.add_argument("--allegations", type=int, default=8_000)
    recording.add_argument("--roster", type=int, default=40_000)
    recording.add_argument("--seed", type=int, default=2378)
    recording.add_argument("--source", type=Path, default=ROOT,
                           help="the source tree of the vet to run (default: this one)")
    recording.add_argument("--only", action="append", default=[], metavar="CASE",
                           help="run only this case (repeatable): scale, scale-jobs2, "
                           "sfm-scale, sfm-bundled, fmtr-mx-bundled, fmtr-mx-scale")
    recording.add_argument("--extra", action="append", default=[],
                           help="an option for every vet batch (repeatable)")
    comparing = commands.add_parser("compare", help="compare two records line by line")
    comparing.add_argument("old")
    comparing.add_argument("new")
    comparing.add_argument("--strip", action="append", default=[], metavar="REGEX",
                           help="remove what matches from every line first (repeatable), "
                           "e.g. a key one version adds: '--strip=, \"more_matches\": 0'")
    comparing.add_argument("--show", type=int, default=3, help="differences shown per case")
    comparing.add_argument("--width", type=int, default=600, help="characters shown per line")
    args = parser.parse_args(argv)
    return record(args) if args.command == "record" else compare(args)


if __name__ == "__main__":
    raise SystemExit(main())
