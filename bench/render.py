"""A whole class to PDF: ``render()`` against what LuaLaTeX alone costs for the same documents.

Renders a class of 200 students x 8 exercises (worksheet, answer key and worked solutions, each
split per student) with :func:`generator.render.render`, and, in the same run, times one plain
``lualatex`` pass (the same flags and file rules ``render`` uses) over the same three combined
``.tex`` files, one after the other: the floor, what TeX alone costs.  The set is generated
once, untimed, and cached in a temporary file.  The two measurements are interleaved for a few
rounds (the order swapped every round, so a drift in machine load hits both) and the medians are
reported.

Every family is included by default; ``--exclude a,b`` leaves families out.

Targets (from the issue): the whole class in ≤ 2x the floor, and in ≤ 15 s on a 2-core machine.
The machine may be shared, so the load average is printed at the start and the end.

Run by hand:  python bench/render.py [--students 200] [--count 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from generator.families import registry
from generator.render import (
    FILE_NAMES,
    LATEX_ENVIRONMENT,
    LATEX_FLAGS,
    RenderError,
    latex_source,
    render,
)
from generator.sets import SetOptions, Student, make_set
from grader.exercise_set import ExerciseSet, ExerciseSetError

TARGET_RATIO = 2.0
TARGET_SECONDS = 15.0


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def class_set(students: int, count: int, seed: int, exclude: tuple[str, ...], jobs: int
              ) -> tuple[ExerciseSet, Path]:
    """The class's set, generated (and verified) once and then read from a temporary file."""
    without = "".join(f"-no-{name}" for name in sorted(exclude))
    cache = Path(tempfile.gettempdir()) / (
        f"matcalc-bench-render-{students}x{count}-s{seed}{without}.json")
    if cache.exists():
        try:
            return ExerciseSet.loads(cache.read_text("utf-8"), str(cache)), cache
        except ExerciseSetError:
            pass  # an older format: make it again
    print(f"generating {students} students x {count} exercises (once, not timed)…", flush=True)
    roster = [Student(f"s{index:03d}", f"Student {index:03d}") for index in range(1, students + 1)]
    families = tuple(name for name, family in registry().items()
                     if name not in exclude and "symbolic" in family.forms) if exclude else ()
    exercise_set = make_set(SetOptions(families, count=count, seed=seed), roster, jobs=jobs)
    temporary = cache.with_name(f".{cache.name}.tmp")
    temporary.write_text(exercise_set.dumps(), "utf-8")
    temporary.replace(cache)
    return exercise_set, cache


def time_render(exercise_set: ExerciseSet, directory: Path) -> float:
    start = time.perf_counter()
    try:
        render(exercise_set, directory)
    except RenderError as problem:
        sys.exit(f"render failed: {problem}")
    return time.perf_counter() - start


def time_floor(sources: dict[str, str], directory: Path, latex: str) -> float:
    """One plain lualatex pass over each combined .tex file; the sum of the three."""
    directory.mkdir(parents=True)
    environment = dict(os.environ, **LATEX_ENVIRONMENT)
    total = 0.0
    for name, text in sources.items():
        (directory / f"{name}.tex").write_text(text, "utf-8")
        start = time.perf_counter()
        done = subprocess.run([latex, *LATEX_FLAGS, f"{name}.tex"], cwd=directory,
                              env=environment, capture_output=True, stdin=subprocess.DEVNULL,
                              check=False)
        total += time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"lualatex failed on {directory / name}.tex (see its .log)")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--count", type=int, default=8, help="exercises per student")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--exclude", default="",
                        help="comma-separated families to leave out ('' for none)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes for generating the set (not timed)")
    args = parser.parse_args()
    latex = shutil.which("lualatex")
    if latex is None:
        sys.exit("lualatex not found: this benchmark needs TeX")
    exclude = tuple(name.strip() for name in args.exclude.split(",") if name.strip())
    unknown = [name for name in exclude if name not in registry()]
    if unknown:
        sys.exit(f"no family {unknown[0]!r}; see matcalc families")
    print(f"load average at the start: {load_average()}  ({os.cpu_count()} CPUs)")
    exercise_set, cache = class_set(args.students, args.count, args.seed, exclude, args.jobs)
    print(f"set: {cache} ({len(exercise_set.variants)} students; families left out: "
          f"{', '.join(exclude) or 'none'})")
    sources = {FILE_NAMES[kind]: latex_source(exercise_set, kind) for kind in FILE_NAMES}

    renders: list[float] = []
    floors: list[float] = []
    with tempfile.TemporaryDirectory(prefix="matcalc-bench-render-") as scratch:
        root = Path(scratch)
        for round_ in range(1, args.rounds + 1):
            order = ("render", "floor") if round_ % 2 else ("floor", "render")
            for what in order:
                if what == "render":
                    renders.append(time_render(exercise_set, root / f"render-{round_}"))
                else:
                    floors.append(time_floor(sources, root / f"floor-{round_}", latex))
            print(f"round {round_}: render {renders[-1]:6.2f} s   floor {floors[-1]:6.2f} s"
                  f"   (load {load_average()})", flush=True)
        last = root / f"render-{args.rounds}"
        pages = {name: len(PdfReader(last / f"{name}.pdf").pages)
                 for name in FILE_NAMES.values()}
        files = sorted(path for path in last.glob("*/*.pdf"))
        split_pages = sum(len(PdfReader(path).pages) for path in files)

    render_s = statistics.median(renders)
    floor_s = statistics.median(floors)
    ratio = render_s / floor_s
    expected_files = len(exercise_set.variants) * len(FILE_NAMES)
    print()
    print(f"class: {len(exercise_set.variants)} students x {args.count} exercises, "
          f"median of {args.rounds} rounds")
    print(f"pages: {', '.join(f'{name} {n}' for name, n in pages.items())} "
          f"({sum(pages.values())} in all)")
    print(f"per-student files: {len(files)} (expected {expected_files}), "
          f"{split_pages} pages in them")
    print(f"matcalc render (jinja + lualatex + split):  {render_s:6.2f} s")
    print(f"floor (3 plain lualatex runs, summed):      {floor_s:6.2f} s")
    print(f"ratio render/floor:                         {ratio:6.2f}x")
    print(f"target whole class ≤ {TARGET_RATIO:g}x the floor: "
          f"{'MET' if ratio <= TARGET_RATIO else 'MISSED'} ({ratio:.2f}x)")
    print(f"target whole class ≤ {TARGET_SECONDS:g} s: "
          f"{'MET' if render_s <= TARGET_SECONDS else 'MISSED'} ({render_s:.2f} s)")
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
