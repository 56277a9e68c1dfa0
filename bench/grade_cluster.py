"""Grading on a Dask cluster against the local pool, measured in the same run.

1. Answers per second for a synthetic class (the mix of bench/grade_class.py), graded by
   ``grade_class`` in this process on the local pool (``--jobs 2``), then on a cluster of 2
   workers of one thread each (a scheduler started beforehand, as a course's would be: the run
   connects to it, checks its workers and sends batches of ``--batch`` students).  Target:
   the cluster's overhead ≤ 15% on 2 cores.  Reports are compared byte for byte.
2. The overhead of one batch, in ms, at several batch sizes, batches sent one at a time to a
   1-worker cluster: scheduling and transfer alone (a task that carries the batch and returns
   as many bytes as its verdicts take), and the whole difference between grading the batch on
   the worker (with the version check) and on a local pool of one process.

Medians of ``--rounds``; the load average is printed with each figure: the figures mean little
on a busy machine.

    python bench/grade_cluster.py [--students 400] [--count 10] [--batch 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import dask
from distributed import Client, LocalCluster

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grade_class import write_class

from generator.sets import SetOptions, Student, make_set
from grader.cluster import Batch, Cluster, run_batch, worker_environment
from grader.exercise_set import Exercise
from grader.grading_run import RunOptions, find_submissions, grade_class
from grader.pool import CheckJob, GradingPool
from grader.verdict import CheckOptions


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def local_cluster(workers: int) -> LocalCluster:
    with dask.config.set({"distributed.worker.daemon": False}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=None, memory_limit=None)


def by_student(graded: Sequence[tuple[Exercise, str]], count: int) -> list[tuple[CheckJob, ...]]:
    """The class's checks (every answer, none reused) in groups of ``count``, one a student."""
    jobs = [CheckJob(e.answer, text, e.given, e.layout,  # type: ignore[arg-type]
                     CheckOptions(mistakes=e.mistakes)) for e, text in graded]
    per = max(1, count)
    return [tuple(jobs[i:i + per]) for i in range(0, len(jobs), per)]


def carry(batch: Batch, size: int) -> bytes:
    """A task that only carries: a batch in, as many bytes out as its verdicts take."""
    return bytes(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=400)
    parser.add_argument("--count", type=int, default=10, help="answers per student")
    parser.add_argument("--batch", type=int, default=10, help="students per cluster task")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="1,5,25,100", help="batch sizes for part 2")
    args = parser.parse_args()

    roster = [Student(f"s{i:04d}", f"Student {i}") for i in range(args.students)]
    exercise_set = make_set(SetOptions(count=args.count, seed=2026), roster, check=False, jobs=2)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "submissions"
        folder.mkdir()
        graded = write_class(exercise_set, folder, seed=7)
        sources = find_submissions([folder])
        print(f"class: {args.students} students × {args.count} exercises, {len(graded)} answers")

        # 1. answers per second
        start = time.perf_counter()
        cluster = local_cluster(2)
        print(f"a 2-worker local cluster starts in {time.perf_counter() - start:.2f} s "
              "(not counted below)")
        address = str(cluster.scheduler_address)
        local_walls, cluster_walls = [], []
        try:
            for round_ in range(args.rounds):
                for name, options, walls in (
                        ("local pool, --jobs 2", RunOptions(jobs=2), local_walls),
                        (f"cluster, 2 workers, --batch {args.batch}",
                         RunOptions(cluster=Cluster(address=address, chunk=args.batch)),
                         cluster_walls)):
                    before = load()
                    out = Path(work) / f"{len(walls)}-{'cluster' if options.cluster else 'local'}"
                    start = time.perf_counter()
                    grade_class(exercise_set, sources, out, options)
                    walls.append(time.perf_counter() - start)
                    print(f"round {round_ + 1}, {name}: {walls[-1]:.2f} s "
                          f"(load average before: {before})")
            same = all(snapshot(Path(work) / f"{i}-local") == snapshot(Path(work) / f"{i}-cluster")
                       for i in range(args.rounds))
        finally:
            cluster.close()
        local, remote = statistics.median(local_walls), statistics.median(cluster_walls)
        overhead = remote / local - 1
        print(f"\nlocal pool:  {len(graded) / local:,.0f} answers/s (median {local:.2f} s)")
        print(f"cluster:     {len(graded) / remote:,.0f} answers/s (median {remote:.2f} s)")
        print(f"cluster overhead: {overhead:+.1%} (target ≤ 15%: "
              f"{'met' if overhead <= 0.15 else 'missed'}); reports identical: {same}")

        # 2. per-batch overhead
        students = by_student(graded, args.count)
        options = RunOptions(jobs=1)
        environment = tuple(sorted(worker_environment().items()))
        print(f"\nper-batch overhead, 1 worker, batches sent one at a time "
              f"(load average: {load()}):")
        cluster = local_cluster(1)
        pool = GradingPool(workers=1, caps=options.caps)
        try:
            with Client(cluster, set_as_default=False) as client:
                for size in (int(s) for s in args.sizes.split(",")):
                    batches = [tuple(students[i:i + size])
                               for i in range(0, len(students), size)][:max(4, 200 // size)]
                    work_items = [Batch(environment, options, options.fingerprint(), b)
                                  for b in batches]
                    client.submit(run_batch, work_items[0], pure=False).result()  # warm
                    list(pool.map_batches(batches[0]))
                    sizes = [len(pickle.dumps(list(pool.map_batches(b)))) for b in batches]
                    here, there, carried = [], [], []
                    for _ in range(args.rounds):
                        start = time.perf_counter()
                        for batch in batches:
                            list(pool.map_batches(batch))
                        here.append(time.perf_counter() - start)
                        start = time.perf_counter()
                        for item in work_items:
                            client.submit(run_batch, item, pure=False).result()
                        there.append(time.perf_counter() - start)
                        start = time.perf_counter()
                        for item, size_ in zip(work_items, sizes, strict=True):
                            client.submit(carry, item, size_, pure=False).result()
                        carried.append(time.perf_counter() - start)
                    extra = (statistics.median(there) - statistics.median(here)) / len(batches)
                    trip = statistics.median(carried) / len(batches)
                    checks = sum(len(s) for s in batches[0])
                    print(f"  {size:4d} students ({checks:4d} checks, {sizes[0] >> 10:4d} KiB of "
                          f"verdicts): scheduling and transfer {trip * 1000:6.2f} ms per batch; "
                          f"cluster − local {extra * 1000:6.2f} ms per batch "
                          f"({extra * 1000 / size:5.2f} ms per student; the checks take "
                          f"{statistics.median(here) / len(batches) * 1000:7.2f} ms)")
        finally:
            pool.close()
            cluster.close()


if __name__ == "__main__":
    main()
