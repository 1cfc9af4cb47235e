"""vet at scale: validate, a cold and a warm `vet batch`, a warm `vet unit`, index recall.

    python -m bench.scale                      # 2,000 units and people, 4,000 rows: < 1 min
    python -m bench.scale --units 50000 --people 50000 --allegations 20000 --roster 100000

Writes a seeded synthetic registry (bench/synth.py: Spanish unit and person
names with realistic collisions of common names, a parent hierarchy, half the
people with posts) and a seeded roster built from it (bench/batch.py's recipe:
half the rows name entries of the registry, some unaccented, in capitals,
reordered or with a word missing; the rest name people who are not in it; one
row in fifty cannot be vetted) under bench/out/, then runs, each in a fresh
process so that its wall time and peak memory are its own:

- `vet validate` of the registry (never uses the cache);
- a cold `vet unit NAME --format json`: no cache yet, so it reads the YAML,
  prepares the matcher and stores the compiled registry cache;
- a cold `vet batch --format jsonl --out FILE`, with a cache folder of its own
  that starts empty (`--no-cold-batch` skips it: at full size it is slow);
- a warm `vet batch`, the same with the cache the cold `vet unit` stored, in
  one process (`--jobs 1`) and with one worker per CPU;
- a warm `vet unit`, `--unit-runs` times (median and worst).

Peak memory is each child's maximum resident set (GNU time's %M, else
`os.wait4`): that of its largest process. With workers, the most the process
and its workers held together (the sum of their proportional set sizes, so a
page the workers share with their parent counts once) is sampled from /proc
every second and shown too.
The caches go to folders of their own under bench/out/, never to the user's.

Last, in this process, the candidate index's recall: for `--sample` roster
rows, every registry entry that scoring against *every* registry name places
in the `match` or `possible` band must also be found through the index. The
exhaustive side skips only pairs the rules themselves rule out first (two
different unit numbers; first surnames that differ in every reading), so it
scores exactly what scoring everything would.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.batch import roster_csv
from bench.synth import write_registry
from vetting.matching import Band, Matcher

OUT = Path(__file__).resolve().parent / "out"
AS_OF = "2024-06-30"


@dataclass(frozen=True)
class Run:
    label: str
    seconds: float
    peak_mb: float  # the largest process's own peak
    status: int
    rows: int | None = None
    tree_mb: float = 0.0  # the most the process and its workers held at once (sampled)
    cpu: float = 0.0  # seconds of CPU, its workers' included

    def line(self) -> str:
        rate = f", {self.rows / self.seconds:,.0f} rows/s" if self.rows else ""
        tree = (f"; with its workers {self.tree_mb:,.0f} MB"
                if self.tree_mb > self.peak_mb * 1.05 else "")
        return (f"  {self.label:<28} {self.seconds:8.2f} s{rate}, peak {self.peak_mb:,.0f} MB"
                f"{tree} (exit {self.status}; {self.cpu:.1f} s of CPU)")


def vet_command() -> list[str]:
    """The installed `vet` script beside this Python, else `python -m vetting`."""
    script = Path(sys.executable).with_name("vet")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "vetting"]


TIME = Path("/usr/bin/time")


def tree_rss(pid: int) -> int:
    """Kilobytes held by process `pid` and all its descendants together (Linux; else 0).

    Each process's proportional set size: a page that forked workers share with
    their parent counts once among them, not once in each (VmRSS where the kernel
    gives no PSS).
    """
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
            try:
                status = Path(f"/proc/{current}/smaps_rollup").read_text()
                field = "Pss:"
            except OSError:
                status = Path(f"/proc/{current}/status").read_text()
                field = "VmRSS:"
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith(field):
                total += int(line.split()[1])
                break
        pending += [int(child) for child in children.split()]
    return total


def run(label: str, arguments: Sequence[str], env: dict[str, str], rows: int | None = None,
        timeout: float | None = None) -> Run:
    """Run `vet ARGUMENTS` in a fresh process: its wall time and its own peak memory.

    Through GNU time when there is one: a child forked from this (large) process
    would otherwise count this process's memory as its own peak.
    """
    report = OUT / f".scale-time-{os.getpid()}"
    wrapper = [str(TIME), "-f", "%M", "-o", str(report)] if TIME.is_file() else []
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink, subprocess.Popen(
        [*wrapper, *vet_command(), *arguments], stdout=sink, stderr=subprocess.PIPE, env=env,
    ) as child:
        # wait4 gives this child's own resource use; RUSAGE_CHILDREN would give the
        # largest of every child so far.
        deadline = None if timeout is None else start + timeout
        tree = 0
        polls = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            polls += 1
            if polls % 200 == 0:  # every second: a large process's PSS costs time to read
                tree = max(tree, tree_rss(child.pid))
            if deadline is not None and time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        errors = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
    if child.returncode not in (0, 1, 2, 3):
        print(f"  {label}: exit {child.returncode}\n{errors[-2000:]}", file=sys.stderr)
    peak = usage.ru_maxrss  # kilobytes on Linux
    if wrapper:
        lines = report.read_text().split() if report.is_file() else []
        peak = int(lines[-1]) if lines and lines[-1].isdigit() else peak
        report.unlink(missing_ok=True)
    # The child's CPU time includes its workers' (reaped before it exits): on a machine
    # others share, it moves far less than the wall time does.
    cpu = usage.ru_utime + usage.ru_stime
    return Run(label, seconds, peak / 1024, child.returncode, rows, tree / 1024, cpu)


# --- the roster ------------------------------------------------------------------------


def make_roster(folder: Path, rows: int, seed: int = 5) -> tuple[bytes, str]:
    """A roster drawn from the registry's names and invented ones, and a unit name to ask."""
    with (folder / "units.yaml").open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=yaml.CSafeLoader)
    units = data["units"]
    battalion = next((unit["name"] for unit in units if "Batallón" in unit["name"]),
                     units[-1]["name"])
    return roster_csv(units, data["people"], rows, seed), battalion


# --- recall of the candidate index ----------------------------------------------------


class Exhaustive(Matcher):
    """The matcher scoring a query against every registry name (no index, no shortlist).

    Only pairs its own rules rule out before anything else are skipped: unit
    names whose numbers and the query's are both given and share none, and
    people whose first surname differs from the query's in every reading.
    """

    def _unit_candidates(self, query, context=None):  # type: ignore[no-untyped-def]
        numbered = getattr(self, "_by_number", None)
        if numbered is None:
            numbered = self._by_number = {}
            for index, entry in enumerate(self._unit_entries):
                for number in entry.name.numbers or (None,):
                    numbered.setdefault(number, []).append(index)
        if not query.numbers:
            return range(len(self._unit_entries))
        found = set(numbered.get(None, ()))
        for number in query.numbers:
            found.update(numbered.get(number, ()))
        return sorted(found)

    def _person_candidates(self, query):  # type: ignore[no-untyped-def]
        from vetting.matching import _similar

        by_surname = getattr(self, "_by_surname", None)
        if by_surname is None:
            by_surname = self._by_surname = {}
            for index, entry in enumerate(self._person_entries):
                for reading in entry.name.readings:
                    if reading.surnames:
                        by_surname.setdefault(reading.surnames[0], set()).add(index)
        mine = {reading.surnames[0] for reading in query.readings if reading.surnames}
        found: set[int] = set()
        for surname, indexes in by_surname.items():
            if any(_similar(said, surname)[1] != "different" for said in mine):
                found |= indexes
        return sorted(found)


def _banded(candidates: Iterable) -> set[str]:  # type: ignore[type-arg]
    return {c.id for c in candidates if c.band in (Band.MATCH, Band.POSSIBLE)}


@dataclass
class Recall:
    queries: int = 0
    expected: int = 0  # entries exhaustive scoring places in match/possible
    found: int = 0  # of them, found through the index
    listed: int = 0  # entries of exhaustive scoring's answer (its first LIMIT)
    listed_found: int = 0  # of them, in the index's answer
    misses: list[str] | None = None


LIMIT = 10  # candidates an answer lists (the matcher's default limit)


def recall(registry, raw: bytes, sample: int, seed: int = 11) -> Recall:  # type: ignore[no-untyped-def]
    """How much of what exhaustive scoring finds the index finds too, on `sample` rows."""
    from vetting import roster

    indexed = Matcher.from_registry(registry)
    exhaustive = Exhaustive.from_registry(registry)
    rows = [row for row in roster.read_roster(raw, "roster.csv").rows if not row.errors]
    chosen = random.Random(seed).sample(rows, min(sample, len(rows)))
    result = Recall(misses=[])
    misses = result.misses
    everyone = 10**9  # no limit on how many candidates each side lists
    for row in chosen:
        asks = []
        if row.name is not None:
            asks.append(("person", row.name, dict(birth_date=row.birth_date,
                                                  country=row.country)))
        if row.unit is not None:
            asks.append(("unit", row.unit, dict(country=row.country)))
        for kind, name, context in asks:
            method = "match_person" if kind == "person" else "match_unit"
            every = getattr(exhaustive, method)(name, limit=everyone, **context)
            want = _banded(every)
            got = _banded(getattr(indexed, method)(name, limit=everyone, **context))
            result.expected += len(want)
            result.found += len(want & got)
            misses += [f"{kind} {name!r}: {entry}" for entry in sorted(want - got)]
            answer = _banded(every[:LIMIT])
            result.listed += len(answer)
            result.listed_found += len(answer & _banded(
                getattr(indexed, method)(name, limit=LIMIT, **context)))
    result.queries = len(chosen)
    return result


# --- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--allegations", type=int, default=800)
    parser.add_argument("--roster", type=int, default=4_000, help="rows of the roster")
    parser.add_argument("--sample", type=int, default=500,
                        help="roster rows whose candidates are checked for recall (0: skip)")
    parser.add_argument("--unit-runs", type=int, default=5, help="runs of the warm `vet unit`")
    parser.add_argument("--seed", type=int, default=2378)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step")
    parser.add_argument("--no-cold-batch", action="store_true",
                        help="skip the cold batch (the slowest step); the cold `vet unit` "
                        "still builds the cache the warm steps use")
    args = parser.parse_args(argv)

    name = f"scale-{args.units}-{args.people}-{args.allegations}-{args.seed}"
    folder = OUT / name
    start = time.perf_counter()
    write_registry(folder, units=args.units, people=args.people,
                   allegations=args.allegations, seed=args.seed)
    raw, asked = make_roster(folder, args.roster)
    roster_path = OUT / f"{name}-roster-{args.roster}.csv"
    roster_path.write_bytes(raw)
    size = sum((folder / file).stat().st_size for file in ("units.yaml", "allegations.yaml"))
    print(f"registry: {folder.relative_to(OUT.parent.parent)} ({size / 1e6:.1f} MB): "
          f"{args.units:,} units, {args.people:,} people, {args.allegations:,} allegations")
    print(f"roster: {roster_path.name}, {args.roster:,} rows "
          f"(written in {time.perf_counter() - start:.1f} s)")

    cache = OUT / f"{name}-cache"
    cold_cache = OUT / f"{name}-cache-cold"
    for where in (cache, cold_cache):
        shutil.rmtree(where, ignore_errors=True)
    env = dict(os.environ, VET_CACHE_DIR=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cold_env = env | {"VET_CACHE_DIR": str(cold_cache)}
    result = OUT / f"{name}-vetted.jsonl"
    data = ["--data", str(folder)]
    batch = ["batch", str(roster_path), "--format", "jsonl", "--out", str(result),
             "--as-of", AS_OF, *data]
    timeout = args.timeout
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    runs = [run("vet validate", ["validate", str(folder), "--format", "json"], env,
                timeout=timeout)]
    print(runs[-1].line())
    unit = ["unit", asked, "--format", "json", "--as-of", AS_OF, *data]
    runs.append(run("vet unit, cold (no cache)", unit, env, timeout=timeout))
    print(runs[-1].line() + " (reads the YAML, prepares, stores the cache)")
    if not args.no_cold_batch:
        runs.append(run("vet batch, cold (no cache)", [*batch, "--jobs", "1"], cold_env,
                        args.roster, timeout))
        print(runs[-1].line())
        shutil.rmtree(cold_cache, ignore_errors=True)
    for jobs in dict.fromkeys((1, os.cpu_count() or 1)):
        label = f"vet batch, warm, --jobs {jobs}"
        runs.append(run(label, [*batch, "--jobs", str(jobs)], env, args.roster, timeout))
        print(runs[-1].line())
    units = [run("vet unit, warm", unit, env, timeout=timeout)
             for _ in range(max(1, args.unit_runs))]
    times = [unit.seconds for unit in units]
    print(f"  {'vet unit, warm':<28} {statistics.median(times):8.2f} s median of "
          f"{len(times)} (worst {max(times):.2f} s), peak {max(u.peak_mb for u in units):,.0f} "
          f"MB: {asked!r}")
    if args.sample:
        from vetting.registry import open_registry

        begun = time.perf_counter()
        found = recall(open_registry(folder), raw, args.sample)
        share = 100.0 * found.found / found.expected if found.expected else 100.0
        listed = 100.0 * found.listed_found / found.listed if found.listed else 100.0
        print(f"index recall on {found.queries:,} roster rows: {found.found:,} of "
              f"{found.expected:,} match/possible candidates of exhaustive scoring "
              f"({share:.2f} %); of the {found.listed:,} its answers list (first {LIMIT} "
              f"each), {found.listed_found:,} ({listed:.2f} %) "
              f"[{time.perf_counter() - begun:.0f} s]")
        for miss in (found.misses or [])[:10]:
            print(f"  missed: {miss}")
        if found.misses:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
