"""``grader.pool``: checks in worker processes under CPU, memory and wall-clock caps.

Everything here runs real worker processes (no mocks).  The crafted answers are legal within the
language's limits and within the evaluator's own caps (which stop a huge power or Kronecker
product at once), and were measured in-process on the development machine:

- ``SLOW``, ten 25×25 matrix powers multiplied together in exact big-integer arithmetic: over
  20 s of CPU in many short steps, so SIGXCPU can interrupt it (and the wall clock stops it).
- ``HUNGRY``, a dozen nested 64×64 matrices of 63,000-bit integers held at once: 380 MB within
  0.8 s.

Timing bounds are generous because the suite may share the machine with other work.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

import grader
from grader import CheckOptions, Mistake, ParseError, Verdict
from grader.pool import Caps, CheckJob, GradingPool

GIVEN = "x[n], A[n,n], b[n]"
KEY = "(A + A^T) x"
SCALAR_KEY = "x^T A x"
SLOW = "sum(" + " ".join(["kron(A, A)^100"] * 10) + ")"
_BIG = "((x^T x)^100)^15 M"
HUNGRY = "sum(" + " + -(".join([_BIG] * 12) + ")" * 11 + ")"
#: HUNGRY's declarations: M is 64×64 whatever the size n.
HUNGRY_GIVEN = GIVEN + ", M[64, 64]"
#: Allowance for process start-up and a busy machine, on top of a cap.
SLACK = 2.0

#: (key, answer) pairs covering every ordinary status.
ORDINARY = [
    (KEY, "(A + A^T) x"),
    (KEY, "A x + A' x"),
    (KEY, "2 A x"),
    (KEY, "x^T (A + A^T)"),
    (KEY, "A^T x"),
    (KEY, "x +"),
    (KEY, "A y"),
    (SCALAR_KEY, "x^T A^T x"),
    (SCALAR_KEY, "2 x^T A x"),
    ("b^T A x", "x^T A^T b"),
]


def job(answer: str, key: str = SCALAR_KEY) -> CheckJob:
    return CheckJob(key, answer, GIVEN)


def in_process(task: CheckJob) -> Verdict:
    return grader.check(task.expected, task.answer, task.given, layout=task.layout,
                        options=task.options)


def quick_jobs() -> list[CheckJob]:
    return [job(answer, key) for key, answer in ORDINARY]


@pytest.fixture
def pool() -> Iterator[GradingPool]:
    with GradingPool(workers=2, caps=Caps(wall_seconds=10, cpu_seconds=10)) as opened:
        yield opened


def wait_until_dead(pid: int) -> None:
    """Until the process is a zombie (or gone): its pipe end is closed by then."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
        except FileNotFoundError:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not die")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# --- ordinary answers ----------------------------------------------------------------------


def test_map_gives_the_in_process_verdicts_in_order(pool: GradingPool) -> None:
    jobs = quick_jobs()
    verdicts = list(pool.map(jobs))
    assert verdicts == [in_process(task) for task in jobs]
    assert {v.status for v in verdicts} == {"correct", "incorrect", "wrong_shape", "invalid"}


def test_check_passes_layout_and_options(pool: GradingPool) -> None:
    options = CheckOptions(points=6, seed=3, mistakes=(
        Mistake("2 A x", "forgot_transpose", "Differentiate x^T A x term by term."),))
    for layout in (None, "numerator", "denominator"):
        task = CheckJob(KEY, "x^T (A + A^T)", GIVEN, layout, options)
        assert pool.check(KEY, "x^T (A + A^T)", GIVEN, layout=layout, options=options) \
            == in_process(task)
    assert pool.check(KEY, "2 A x", GIVEN, options=options).note == "forgot_transpose"


def test_imap_unordered_does_not_wait_for_a_slow_answer() -> None:
    jobs = [job(SLOW), *quick_jobs()[:4]]
    with GradingPool(workers=2, caps=Caps(wall_seconds=1, cpu_seconds=10)) as pool:
        pairs = list(pool.imap_unordered(jobs))
    assert sorted(index for index, _ in pairs) == list(range(len(jobs)))
    assert pairs[-1][0] == 0 and pairs[-1][1].note == "time_limit"
    assert all(verdict == in_process(jobs[index]) for index, verdict in pairs[:-1])


def test_an_abandoned_map_does_not_block_the_pool() -> None:
    with GradingPool(workers=1, caps=Caps(wall_seconds=1, cpu_seconds=10)) as pool:
        verdicts = pool.map([job("x^T A x"), job(SLOW), job("x^T A x")])
        assert next(verdicts).status == "correct"  # SLOW is running now; left unread
        start = time.monotonic()
        assert pool.check(SCALAR_KEY, "x^T A^T x", GIVEN).status == "correct"
        assert time.monotonic() - start <= 1 + SLACK


def test_map_batches_gives_each_batchs_verdicts_in_order(pool: GradingPool) -> None:
    jobs = quick_jobs()
    batches = [jobs[:3], [], jobs[3:4], jobs[4:]]
    results = list(pool.map_batches(batches))
    assert [len(r) for r in results] == [3, 0, 1, len(jobs) - 4]
    assert [v for r in results for v in r] == [in_process(task) for task in jobs]


def test_each_check_of_a_batch_has_its_own_wall_clock_cap() -> None:
    """Two answers that never finish in one batch: each is stopped at the cap (not the batch at
    one cap, nor both at twice it), and the batch's other answers are graded by a new worker."""
    caps = Caps(wall_seconds=1, cpu_seconds=10)
    batch = [job("x^T A x"), job(SLOW), job("2 x^T A x"), job(SLOW), job("x^T A^T x")]
    with GradingPool(workers=1, caps=caps) as pool:
        pool.check(SCALAR_KEY, "x^T A x", GIVEN)  # start-up is not what is timed
        start = time.monotonic()
        (verdicts,) = list(pool.map_batches([batch]))
        elapsed = time.monotonic() - start
    assert [verdicts[i].note for i in (1, 3)] == ["time_limit", "time_limit"]
    assert [verdicts[i] for i in (0, 2, 4)] == [in_process(batch[i]) for i in (0, 2, 4)]
    assert 2 * caps.wall_seconds <= elapsed <= 2 * caps.wall_seconds + 2 * SLACK


def test_a_worker_killed_mid_batch_loses_only_the_running_check(pool: GradingPool) -> None:
    pool.check(SCALAR_KEY, "x^T A x", GIVEN)
    (pid,) = pool.pids
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGKILL))
    killer.start()
    try:
        (verdicts,) = list(pool.map_batches([[quick_jobs()[0], job(SLOW),
                                              *quick_jobs()[1:]]]))
    finally:
        killer.cancel()
    assert verdicts[1].note == "worker_crashed"
    assert [verdicts[0], *verdicts[2:]] == [in_process(task) for task in quick_jobs()]
    assert pid not in pool.pids


# --- caps ----------------------------------------------------------------------------------


def test_wall_clock_cap_kills_the_worker_and_the_run_goes_on() -> None:
    caps = Caps(wall_seconds=1, cpu_seconds=10)
    with GradingPool(workers=2, caps=caps) as pool:
        pool.check(SCALAR_KEY, "x^T A x", GIVEN)  # start-up is not what is timed
        jobs = [*quick_jobs()[:3], job(SLOW), *quick_jobs()[3:]]
        start = time.monotonic()
        verdicts = list(pool.map(jobs))
        elapsed = time.monotonic() - start
        assert len(pool.pids) <= 2
    assert elapsed <= caps.wall_seconds + SLACK
    assert verdicts[3] == Verdict(
        status="undecided", score=0.0, expected_shape=None, answer_shape=None, note="time_limit",
        feedback="Your answer took too long to check (over 1 s), so it was not marked.",
        interpreted_as=None, method="resource cap: 1 s wall clock")
    others = [v for i, v in enumerate(verdicts) if i != 3]
    assert others == [in_process(task) for i, task in enumerate(jobs) if i != 3]


def test_cpu_cap_stops_the_check_but_keeps_the_worker() -> None:
    caps = Caps(wall_seconds=8, cpu_seconds=1)
    with GradingPool(workers=1, caps=caps) as pool:
        pool.check(SCALAR_KEY, "x^T A x", GIVEN)
        (pid,) = pool.pids
        start = time.monotonic()
        verdicts = list(pool.map([job(SLOW), job("x^T A x"), job("x^T A^T x")]))
        elapsed = time.monotonic() - start
        assert pool.pids == (pid,)  # SIGXCPU was caught in the worker: no restart
    # RLIMIT_CPU counts whole seconds: the check gets between 1 and 2 s of CPU.
    assert elapsed <= caps.cpu_seconds + 1 + 2 * SLACK
    assert verdicts[0].status == "undecided"
    assert verdicts[0].note == "cpu_limit"
    assert verdicts[0].method == "resource cap: 1 s CPU time"
    assert [v.status for v in verdicts[1:]] == ["correct", "correct"]


def test_memory_cap_stops_the_check_and_the_run_goes_on() -> None:
    # The cap counts the worker's whole address space, which it inherits from this process.
    with open("/proc/self/statm") as statm:
        here = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") >> 20
    caps = Caps(memory_mb=max(300, here + 200), wall_seconds=10, cpu_seconds=10)
    jobs = [job("x^T A x"), CheckJob(SCALAR_KEY, HUNGRY, HUNGRY_GIVEN), job("2 x^T A x"),
            job("x^T A x")]
    with GradingPool(workers=1, caps=caps) as pool:
        start = time.monotonic()
        verdicts = list(pool.map(jobs))
        elapsed = time.monotonic() - start
        assert len(pool.pids) == 1
    assert elapsed < caps.wall_seconds
    assert verdicts[1].status == "undecided"
    assert verdicts[1].note == "memory_limit", verdicts[1].method
    assert verdicts[1].feedback == (f"Your answer needed too much memory to check (over "
                                    f"{caps.memory_mb} MB), so it was not marked.")
    assert [v.status for v in verdicts] == ["correct", "undecided", "incorrect", "correct"]
    assert verdicts[2] == in_process(jobs[2])


def test_a_memory_cap_below_the_workers_size_is_refused() -> None:
    with GradingPool(workers=1, caps=Caps(memory_mb=5)) as pool, \
            pytest.raises(grader.MatcalcError, match="memory cap of 5 MB is too small"):
        pool.check(SCALAR_KEY, "x^T A x", GIVEN)


# --- crashes and reuse ---------------------------------------------------------------------


def test_a_worker_killed_mid_check_is_reported_and_replaced(pool: GradingPool) -> None:
    pool.check(SCALAR_KEY, "x^T A x", GIVEN)
    (pid,) = pool.pids
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGKILL))
    killer.start()
    try:
        start = time.monotonic()
        verdicts = list(pool.map([job(SLOW), *quick_jobs()]))
        elapsed = time.monotonic() - start
    finally:
        killer.cancel()
    assert elapsed < 0.5 + SLACK
    assert verdicts[0].status == "undecided"
    assert verdicts[0].note == "worker_crashed"
    assert verdicts[0].method == "worker crashed (killed by SIGKILL)"
    assert verdicts[1:] == [in_process(task) for task in quick_jobs()]
    assert pid not in pool.pids
    assert not alive(pid)


def test_a_worker_killed_while_idle_is_replaced_silently() -> None:
    with GradingPool(workers=1) as pool:
        pool.check(SCALAR_KEY, "x^T A x", GIVEN)
        (pid,) = pool.pids
        os.kill(pid, signal.SIGKILL)
        wait_until_dead(pid)
        assert pool.check(SCALAR_KEY, "x^T A x", GIVEN).status == "correct"
        (replacement,) = pool.pids
        assert replacement != pid


def test_workers_are_started_lazily_and_reused() -> None:
    with GradingPool(workers=2) as pool:
        assert not pool.pids
        pool.check(SCALAR_KEY, "x^T A x", GIVEN)
        (pid,) = pool.pids  # one check needed one worker
        for _ in range(3):
            assert pool.check(SCALAR_KEY, "2 x^T A x", GIVEN).status == "incorrect"
            assert pool.pids == (pid,)
        list(pool.map(quick_jobs()))
        assert pid in pool.pids and len(pool.pids) == 2


def test_default_size_is_the_cpu_count() -> None:
    with GradingPool() as pool:
        assert pool.size == (os.cpu_count() or 1)
    with pytest.raises(ValueError):
        GradingPool(workers=0)
    with pytest.raises(ValueError):
        Caps(wall_seconds=0)


# --- the caller's errors -------------------------------------------------------------------


@pytest.mark.parametrize(("key", "given"), [("(A + ", GIVEN), ("A x", "x[n"), ("A z", GIVEN)])
def test_a_bad_key_or_declaration_raises_parse_error_here(
    pool: GradingPool, key: str, given: str
) -> None:
    with pytest.raises(ParseError) as here:
        grader.check(key, "x", given)
    with pytest.raises(ParseError) as there:
        pool.check(key, "x", given)
    fields = ("message", "text", "position", "end", "code")
    assert [getattr(there.value, f) for f in fields] == [getattr(here.value, f) for f in fields]
    assert str(there.value) == str(here.value)
    assert pool.check(KEY, "(A + A^T) x", GIVEN).status == "correct"  # the pool still works


def test_map_raises_parse_error_when_the_bad_job_is_due(pool: GradingPool) -> None:
    verdicts = pool.map([job("x^T A x"), job("x", key="(A"), job("x^T A x")])
    assert next(verdicts).status == "correct"
    with pytest.raises(ParseError):
        next(verdicts)
    assert pool.check(SCALAR_KEY, "x^T A x", GIVEN).status == "correct"


def test_map_refuses_what_is_not_a_job(pool: GradingPool) -> None:
    with pytest.raises(TypeError, match="CheckJob"):
        list(pool.map([("x^T A x", "x^T A x", GIVEN)]))  # type: ignore[list-item]


# --- closing -------------------------------------------------------------------------------


def test_close_stops_the_workers_and_is_idempotent() -> None:
    pool = GradingPool(workers=2)
    list(pool.map(quick_jobs()[:4]))
    pids = pool.pids
    assert len(pids) == 2
    pool.close()
    pool.close()
    assert not pool.pids
    assert not any(alive(pid) for pid in pids)
    with pytest.raises(ValueError, match="closed"):
        pool.check(SCALAR_KEY, "x^T A x", GIVEN)


def test_a_forgotten_pool_stops_its_workers_when_collected() -> None:
    pool = GradingPool(workers=1)
    pool.check(SCALAR_KEY, "x^T A x", GIVEN)
    (pid,) = pool.pids
    del pool
    gc.collect()
    assert not alive(pid)


def test_an_error_raised_while_handling_a_failed_allocation_is_the_memory_cap() -> None:
    from grader.pool import _from_memory

    try:
        try:
            raise MemoryError
        except MemoryError:
            raise RuntimeError("a library's own error") from None
    except RuntimeError as problem:
        assert _from_memory(problem)  # `from None` hides the cause from tracebacks, not from us
    try:
        try:
            raise MemoryError
        except MemoryError as cause:
            raise RuntimeError("a library's own error") from cause
    except RuntimeError as problem:
        assert _from_memory(problem)
    assert not _from_memory(ValueError("unrelated"))
