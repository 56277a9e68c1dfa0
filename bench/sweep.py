"""A sweep over every family × difficulty × form × layout × seed: are the numeric keys
informative and computable by hand, and do sheets avoid repeats?

Each case is one sheet of ``--count`` exercises from one family at one difficulty, made as
``matcalc generate`` makes it (unverified, for speed).  Every exercise on it is then taken at
concrete numbers as the Moodle and Canvas exports take it
(:func:`generator.export.instances.numeric_instance`), and the sweep counts

* ``zero keys``: keys whose every entry is 0 (the all-zero answer would be right);
* ``tiny entries``: keys with an entry 0 < |v| < 0.01;
* ``big numbers``: keys with an exact entry whose numerator or denominator exceeds 1000, or an
  irrational entry larger than 1000 in magnitude;
* ``zeros accepted``: keys for which an all-zeros answer is inside the exported Moodle or
  Canvas tolerance of every entry;
* ``repeats``: sheets with two exercises alike once digits are masked
  (:func:`generator.distinct.signature`);
* ``refused``: sheets refused because the family × difficulty can't give that many distinct
  exercises (the message says how many it can; the keys are then swept on a sheet of one),
  and ``failed``: any other error.

Run by hand:  python bench/sweep.py [--seeds 50] [--count 3] [--jobs 2] [--family NAME ...]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction

from generator.export import canvas, moodle
from generator.export.instances import numeric_instance
from generator.families import registry
from generator.layout import LAYOUTS
from grader.errors import MatcalcError

try:  # the check of distinct exercises, where this checkout has it
    from generator.distinct import signature
except ImportError:  # pragma: no cover - measuring an older checkout
    signature = None  # type: ignore[assignment]

LIMIT = 1000
SMALLEST = Fraction(1, 100)

Case = tuple[str, int, str, str, int, int]


def cases(families: list[str], seeds: int, count: int) -> list[Case]:
    return [(name, difficulty, form, layout, seed, count)
            for name in families
            for difficulty in registry()[name].difficulties
            for form in registry()[name].forms
            for layout in LAYOUTS
            for seed in range(seeds)]


def zeros_accepted(value: Fraction) -> bool:
    """An all-zeros answer is inside the exported tolerance of this entry (Moodle or Canvas), as
    the exports print it."""
    low, high = canvas.bounds(value)
    in_canvas = Fraction(low) <= 0 <= Fraction(high)
    exact, tolerance = moodle._blank(value).strip("{}").split(":=")[1].split(":")
    in_moodle = abs(Fraction(exact)) <= Fraction(tolerance)
    return in_canvas or in_moodle


def run(case: Case) -> Counter[str]:
    from generator.sets import SetOptions, Student, make_variant

    name, difficulty, form, layout, seed, count = case
    tally: Counter[str] = Counter(sheets=1)
    options = SetOptions((name,), difficulty, form, count, seed, layout)  # type: ignore[arg-type]
    try:
        variant = make_variant(options, Student("v1"), check=False)
    except MatcalcError as problem:
        if "distinct" not in str(problem):
            tally["failed"] += 1
            return tally
        tally["refused"] += 1  # its keys are still swept, on a sheet of one
        variant = make_variant(SetOptions((name,), difficulty, form, 1, seed,  # type: ignore[arg-type]
                                          layout), Student("v1"), check=False)
    if signature is not None:
        texts = [signature(e) for e in variant.exercises]
    else:
        texts = [f"{e.given}|{e.wrt}|{e.function}" for e in variant.exercises]
    texts = ["".join("#" if c.isdigit() else c for c in t) for t in texts]
    tally["repeats"] += len(set(texts)) != len(texts)
    for exercise in variant.exercises:
        try:
            instance = numeric_instance(exercise)
        except MatcalcError:
            tally["no instance"] += 1
            continue
        tally["keys"] += 1
        values = [v for row in instance.answer for v in row]
        tally["zero keys"] += all(v == 0 for v in values)
        tally["tiny entries"] += any(0 < abs(v) < SMALLEST for v in values)
        if instance.exact:
            big = any(abs(v.numerator) > LIMIT or v.denominator > LIMIT for v in values)
        else:
            big = any(abs(v) > LIMIT for v in values)
        tally["big numbers"] += big
        tally["zeros accepted"] += all(zeros_accepted(v) for v in values)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--count", type=int, default=3, help="exercises per sheet")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--family", action="append", default=[])
    args = parser.parse_args()
    todo = cases(args.family or list(registry()), args.seeds, args.count)
    start = time.perf_counter()
    total: Counter[str] = Counter()
    by_family: dict[str, Counter[str]] = {}
    with ProcessPoolExecutor(args.jobs) as pool:
        for case, tally in zip(todo, pool.map(run, todo, chunksize=16), strict=True):
            total.update(tally)
            by_family.setdefault(case[0], Counter()).update(tally)
    columns = ("sheets", "keys", "zero keys", "tiny entries", "big numbers", "zeros accepted",
               "repeats", "refused", "failed", "no instance")
    print(f"{'family':<20}" + "".join(f"{c:>15}" for c in columns))
    for name, tally in by_family.items():
        print(f"{name:<20}" + "".join(f"{tally[c]:>15}" for c in columns))
    print(f"{'all':<20}" + "".join(f"{total[c]:>15}" for c in columns))
    print(f"({args.seeds} seeds, {args.count} exercises a sheet, "
          f"{time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
