"""Grading a whole class: a synthetic class of 1,000 students × 10 answers, graded by
``matcalc grade`` (a separate process, as instructors run it), against a baseline measured in the
same run: the same answers checked one after another in one process with ``grader.check``.

The class has a per-student set (every student's keys differ, as with a roster) and a realistic
mix of answers: right (in ASCII or LaTeX), a listed typical mistake, the transpose, a scalar
multiple, unreadable text, and unanswered questions, plus a few files that are not submissions.
A run checks each distinct (key, answer, options) once; the number of distinct checks is printed
beside the number of answers, since it is what the run's time depends on.

Target: ≤ 10 s wall time on 2 cores (the median of the rounds).  Peak memory is the parent's and
the largest worker's RSS.  The load average is printed before each round: the figures mean
little on a busy machine.

    python bench/grade_class.py [--students 1000] [--count 10] [--jobs 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator.sets import SetOptions, Student, make_set
from grader import check
from grader.exercise_set import Exercise, ExerciseSet
from grader.verdict import CheckOptions

#: Shares of each kind of answer (they add up to 1).
MIX = {"right": 0.55, "latex": 0.10, "mistake": 0.12, "transpose": 0.08, "multiple": 0.05,
       "invalid": 0.06, "missing": 0.04}


def answer(exercise: Exercise, kind: str, rng: random.Random) -> str | None:
    if kind == "latex":
        return exercise.answer_latex
    if kind == "mistake" and exercise.mistakes:
        return rng.choice(exercise.mistakes).answer
    if kind == "transpose":
        return f"({exercise.answer})^T"
    if kind == "multiple":
        return f"2 ({exercise.answer})"
    if kind == "invalid":
        return exercise.answer[: max(1, len(exercise.answer) // 2)] + " +* ("
    if kind == "missing":
        return None
    return exercise.answer


def write_class(exercise_set: ExerciseSet, folder: Path, seed: int) -> list[tuple[Exercise, str]]:
    """One text file per student (and three bad files); returns every (exercise, answer)."""
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    graded: list[tuple[Exercise, str]] = []
    for variant in exercise_set.variants:
        lines = [f"student: {variant.id}"]
        for exercise in variant.exercises:
            text = answer(exercise, rng.choices(kinds, weights)[0], rng)
            if text is not None:
                lines.append(f"{exercise.id}: {text}")
                graded.append((exercise, text))
        (folder / f"{variant.id}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    (folder / "junk.bin").write_bytes(os.urandom(50_000))
    (folder / "huge.txt").write_bytes(b"q1: " + b"x" * (10 << 20))
    (folder / "stranger.txt").write_text("student: nobody\nq1: x\n", "utf-8")
    return graded


def grade_run(set_path: Path, folder: Path, out: Path, jobs: int) -> tuple[float, int, dict]:
    """Wall time, peak RSS in kB (parent and its workers) and the summary of one class run."""
    probe = (
        "import resource, sys\n"
        "from generator.cli import main\n"
        "sys.argv = ['matcalc'] + sys.argv[1:]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "    print(f'MAXRSS {me} {kids}', file=sys.stderr)\n"
    )
    command = [sys.executable, "-c", probe, "grade", str(set_path), str(folder), "-o", str(out),
               "--jobs", str(jobs), "--json"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"matcalc grade failed:\n{done.stderr[-2000:]}")
    rss = [line.split()[1:] for line in done.stderr.splitlines() if line.startswith("MAXRSS")]
    parent, workers = (int(v) for v in rss[-1])
    return wall, max(parent, workers), json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--count", type=int, default=10, help="answers per student")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=1500,
                        help="answers checked serially in process for the baseline")
    args = parser.parse_args()

    start = time.perf_counter()
    roster = [Student(f"s{i:04d}", f"Student {i}") for i in range(args.students)]
    exercise_set = make_set(SetOptions(count=args.count, seed=2026), roster, check=False,
                            jobs=args.jobs)
    print(f"set: {args.students} students × {args.count} exercises, made in "
          f"{time.perf_counter() - start:.1f} s (not timed below)")

    with tempfile.TemporaryDirectory() as work:
        folder, set_path = Path(work) / "submissions", Path(work) / "set.json"
        folder.mkdir()
        set_path.write_text(exercise_set.dumps(), "utf-8")
        graded = write_class(exercise_set, folder, seed=7)
        distinct = len({(e.answer, text, e.given, e.layout, e.mistakes) for e, text in graded})
        print(f"submissions: {args.students} files + 3 bad ones, {len(graded)} answers to "
              f"grade, {distinct} distinct checks (mix: "
              f"{', '.join(f'{k} {v:.0%}' for k, v in MIX.items())})")

        walls = []
        for round_ in range(args.rounds):
            load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) \
                if Path("/proc/loadavg").exists() else "unknown"
            wall, rss, summary = grade_run(set_path, folder, Path(work) / f"out{round_}",
                                           args.jobs)
            walls.append(wall)
            print(f"round {round_ + 1}: {wall:.2f} s wall, peak RSS {rss / 1024:.0f} MB; "
                  f"graded {summary['graded']}, rejected {summary['rejected']} "
                  f"(load average before: {load})")
        statuses: dict[str, int] = {}
        for path in (Path(work) / "out0").glob("*.json"):
            for question in json.loads(path.read_text("utf-8"))["questions"]:
                statuses[question["status"]] = statuses.get(question["status"], 0) + 1

        rng = random.Random(1)
        sample = rng.sample(graded, min(args.baseline, len(graded)))
        start = time.perf_counter()
        for exercise, text in sample:
            check(exercise.answer, text, exercise.given,
                  layout=exercise.layout,  # type: ignore[arg-type]
                  options=CheckOptions(mistakes=exercise.mistakes))
        serial = (time.perf_counter() - start) / len(sample)

    wall = statistics.median(walls)
    print(f"\nmatcalc grade, {args.jobs} workers: median {wall:.2f} s for {len(graded)} answers "
          f"= {len(graded) / wall:,.0f} answers/s (target ≤ 10 s: "
          f"{'met' if wall <= 10 else 'missed'})")
    print(f"baseline, grader.check serially in one process on {len(sample)} of the answers: "
          f"{serial * 1000:.2f} ms each, {serial * len(graded):.1f} s projected for the class")
    print(f"ratio (serial projection / class run): {serial * len(graded) / wall:.2f}×")
    print("statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))


if __name__ == "__main__":
    main()
