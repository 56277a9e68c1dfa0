"""Exercises generated *and verified* per second, per family and overall.

Every exercise is built and then checked the way ``matcalc generate`` checks it: central finite
differences of its function against its answer, the grader accepting the key in ASCII and LaTeX,
and rejecting every listed mistake.  Target: 1,000 verified exercises across all families in
≤ 10 s on a 2-core machine (with ``--jobs 2``).

Run by hand:  python bench/generate.py [--count 1000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from generator.families import registry
from generator.family import build
from generator.layout import LAYOUTS
from generator.verify import verify


def plan(count: int) -> list[tuple[str, int, str, str, int]]:
    """``count`` (family, difficulty, form, layout, seed) jobs, spread over every family."""
    families = list(registry().values())
    jobs = []
    for index in range(count):
        family = families[index % len(families)]
        round_ = index // len(families)
        difficulty = family.difficulties[round_ % len(family.difficulties)]
        form = family.forms[round_ % len(family.forms)]
        jobs.append((family.name, difficulty, form, LAYOUTS[round_ % 2], index))
    return jobs


def run(job: tuple[str, int, str, str, int]) -> tuple[str, float]:
    name, difficulty, form, layout, seed = job
    start = time.perf_counter()
    exercise = build(registry()[name], seed, difficulty, form, layout, "q1")  # type: ignore[arg-type]
    verify(exercise, seed=seed)
    return name, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    jobs = plan(args.count)
    run(jobs[0])  # warm: parser tables, imports
    print(f"load average at the start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    start = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(run, jobs, chunksize=8))
    else:
        results = [run(job) for job in jobs]
    wall = time.perf_counter() - start
    per_family: dict[str, list[float]] = {}
    for name, seconds in results:
        per_family.setdefault(name, []).append(seconds)
    print(f"{'family':<22} {'n':>4} {'median ms':>10} {'per s (1 core)':>15}")
    for name, times in sorted(per_family.items()):
        median = statistics.median(times)
        print(f"{name:<22} {len(times):>4} {median * 1000:>10.1f} {1 / median:>15.1f}")
    total = len(results)
    print(f"\n{total} exercises generated and verified in {wall:.1f} s with {args.jobs} "
          f"process(es): {total / wall:.1f} per second")
    verdict = "MET" if total >= 1000 and wall <= 10 else "MISSED"
    print(f"target 1,000 verified exercises in ≤ 10 s: {verdict} "
          f"({wall * 1000 / total:.1f} ms per exercise overall)")
    print(f"load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
