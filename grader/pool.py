"""Grading runs under resource caps: a reusable pool of worker processes.

Student text is hostile and some legal answers are very expensive to check exactly
(``det(kron(kron(A, A), kron(A, A)))``, ``(((x^T x)^100)^100)^100``).  Every check of a run
therefore goes to a worker process with a CPU-time cap and a memory cap, and the parent enforces
a wall-clock cap.  An answer that hits a cap becomes an *undecided* verdict, a worker that had to
be killed (or died) is replaced, and the run goes on.  Nothing here is global: callers own pools.

A pool is not thread-safe: use one per thread.
"""

from __future__ import annotations

import contextlib
import gc
import math
import multiprocessing
import os
import signal
import sys
import time
import weakref
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Literal

import mpmath

from grader.checker import check as _check_here
from grader.errors import MatcalcError, ParseError
from grader.language.parser import parse
from grader.verdict import CheckOptions, Layout, Verdict

__all__ = ["Caps", "CheckJob", "GradingPool"]


@dataclass(frozen=True)
class CheckJob:
    """The arguments of one :func:`grader.check` call, as plain (picklable) data."""

    expected: str
    answer: str
    given: str
    layout: Layout | None = None
    options: CheckOptions | None = None


@dataclass(frozen=True)
class Caps:
    """Resource caps on one check.

    Any legal answer of ordinary size is checked in milliseconds (the language's own limits keep
    inputs small), so the caps only ever stop crafted or pathological answers.
    """

    #: Wall-clock seconds from dispatch, enforced by the parent (SIGKILL, then a fresh worker).
    #: 2 s is hundreds of times an ordinary check, yet a class of 300 hostile answers still
    #: finishes in minutes on a few cores.  It is the one cap that always holds: it also stops
    #: a worker stuck in one long C-level operation (a huge integer power) or starved of CPU.
    wall_seconds: float = 2.0
    #: CPU seconds of one check, enforced inside the worker with RLIMIT_CPU/SIGXCPU so that a
    #: compute-bound check is stopped without killing the (warm) worker.  Same budget as the wall
    #: clock, as a check is single-threaded.  RLIMIT_CPU counts whole seconds, so a check gets
    #: between ``cpu_seconds`` and ``cpu_seconds + 1`` s.  CPU time never outruns wall time, so
    #: this cap is only sure to act first when ``cpu_seconds + 1 <= wall_seconds``; with the
    #: equal defaults a compute-bound check usually ends at the wall clock (worker replaced).
    #: A signal cannot interrupt one long C-level operation, which only the wall clock stops.
    cpu_seconds: float = 2.0
    #: Address space of a worker (RLIMIT_AS), in MiB.  It counts the whole process: about 35 MiB
    #: for the interpreter with the grader loaded (more if the parent, which workers are forked
    #: from, has loaded e.g. numpy's thread pools).  1 GiB is ~30× what an ordinary check uses and
    #: lets a machine with a few GiB run one worker per core.
    memory_mb: int = 1024

    def __post_init__(self) -> None:
        if not (self.wall_seconds > 0 and self.cpu_seconds > 0 and self.memory_mb > 0):
            raise ValueError(f"caps must be positive: {self}")


# --- the worker ------------------------------------------------------------------------------


class _CpuLimit(BaseException):
    """Raised by the SIGXCPU handler; a BaseException so that no ``except Exception`` eats it."""


#: Whether a check is running in this worker (SIGXCPU outside a check is ignored).
_checking = False

_Reply = tuple[str, object]
# Built in advance: at the memory cap even a small tuple may not be allocatable.
_MEMORY: _Reply = ("memory", None)
_MEMORY_ALL: _Reply = ("memory_all", None)
_CPU: _Reply = ("cpu", None)


def _on_sigxcpu(signum: int, frame: FrameType | None) -> None:
    if _checking:
        raise _CpuLimit


def _worker_main(conn: Connection, caps: Caps, inherited: tuple[Connection, ...]) -> None:
    """Set the caps, warm up, say ready; then answer batches of jobs until ``None`` or the parent
    is gone.  Each job of a batch gets its own reply, sent as soon as it is checked, so the
    parent times every check on its own."""
    for other in inherited:  # forked copies of the parent's pipe ends: keep EOF detection working
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Objects inherited from the parent (a class's whole exercise set, say) are never garbage
    # here: keep the collector from walking them on every full collection.
    gc.freeze()
    try:
        _limit_memory(caps.memory_mb)
        _check_here("x", "x", "x")  # builds the parser (if not inherited) outside any deadline
        size = _address_space_mb()
        fits = size is None or size < caps.memory_mb
    except MemoryError:
        size, fits = _address_space_mb(), False
    if not fits:
        uses = f": a worker uses {size} MB before checking anything" if size else ""
        conn.send(("failed", f"the memory cap of {caps.memory_mb} MB is too small{uses}"))
        return
    if sys.platform != "win32":
        signal.signal(signal.SIGXCPU, _on_sigxcpu)
    conn.send(("ready", None))
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        except MemoryError:  # the batch could not even be received: all of it is lost
            if not _send(conn, _MEMORY_ALL):
                return
            continue
        if batch is None:
            return
        for job in batch:
            if not _send(conn, _run(job, caps)):
                return


def _from_memory(problem: BaseException) -> bool:
    """Whether a MemoryError is in the chain of exceptions that led to ``problem``."""
    seen: set[int] = set()
    current: BaseException | None = problem
    while current is not None and id(current) not in seen:
        if isinstance(current, MemoryError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _send(conn: Connection, reply: _Reply) -> bool:
    """Send a reply (a short one if the reply itself can't be built); False if the parent is
    gone."""
    try:
        conn.send(reply)
    except MemoryError:
        try:
            conn.send(_MEMORY)
        except (MemoryError, OSError, ValueError):
            return False
    except (OSError, ValueError):
        return False
    return True


def _run(job: CheckJob, caps: Caps) -> _Reply:
    """One check, turned into a reply whatever happens."""
    global _checking
    precision = mpmath.mp.prec
    reply: _Reply | None = None
    try:
        _arm_cpu_limit(caps.cpu_seconds)
        _checking = True
        try:
            verdict = _check_here(job.expected, job.answer, job.given, layout=job.layout,
                                  options=job.options)
        except MemoryError:
            reply = _MEMORY
        except ParseError as problem:  # the key or the declarations: the caller's bug
            reply = ("parse_error", (problem.message, problem.text, problem.position, problem.end,
                                     problem.code))
        except Exception as problem:
            # an error raised while handling a failed allocation (a library that catches
            # MemoryError and raises its own) is the memory cap too
            reply = _MEMORY if _from_memory(problem) else (
                "error", f"{type(problem).__name__}: {problem}"[:500])
        else:
            reply = ("ok", verdict)
    except _CpuLimit:
        reply = _CPU
    finally:
        _checking = False
        _disarm_cpu_limit()
    if reply is _MEMORY or reply is _CPU:  # the traceback and its frames are gone by now
        _recover(precision)
    return reply if reply is not None else _CPU


def _recover(precision: int) -> None:
    """After a check stopped at an arbitrary point: the process state it may have left changed.

    An interruption inside ``mpmath.workdps``'s exit would leave mpmath's global precision
    raised; the rest of the grader's state is per check or in C-level caches that stay whole.
    """
    mpmath.mp.prec = precision
    gc.collect()


def _limit_memory(megabytes: int) -> None:
    """RLIMIT_AS: allocations beyond it fail with MemoryError instead of the machine swapping."""
    if sys.platform == "win32":
        return
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = megabytes << 20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space_mb() -> int | None:
    """This process's address space (what RLIMIT_AS limits), where /proc tells it."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") >> 20


def _arm_cpu_limit(seconds: float) -> None:
    """Soft RLIMIT_CPU at the CPU time used so far plus ``seconds``; SIGXCPU comes at it (and
    every second after), the hard limit is left as it is (unlimited)."""
    if sys.platform == "win32":
        return
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _disarm_cpu_limit() -> None:
    if sys.platform == "win32":
        return
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))


# --- the parent ------------------------------------------------------------------------------


@dataclass(eq=False)
class _Task:
    job: CheckJob
    #: Set once the job is over: its verdict, or the key's ParseError to raise.
    outcome: Verdict | ParseError | None = None


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    #: The batch it was sent, minus the checks already replied to: the first is running.
    tasks: deque[_Task] = field(default_factory=deque)
    #: When the running check's wall-clock cap runs out.
    deadline: float = 0.0


def _stop(worker: _Worker, how: Literal["kill", "terminate"] = "kill") -> None:
    """End a worker's process and reap it."""
    with contextlib.suppress(Exception):
        if how == "kill":
            worker.process.kill()
        else:
            worker.process.terminate()
        worker.process.join(1.0)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(1.0)
    with contextlib.suppress(Exception):
        worker.conn.close()


def _shutdown(workers: list[_Worker]) -> None:
    """Stop every worker (idle ones are blocked in recv, so SIGTERM is enough)."""
    for worker in workers:
        with contextlib.suppress(Exception):
            worker.process.terminate()
    while workers:
        _stop(workers.pop(), "terminate")


class GradingPool:
    """Worker processes that run :func:`grader.check` under :class:`Caps`.

    Workers are started on demand, up to ``workers`` at once, and reused, so they keep the parsed
    keys cached.  ``check`` grades one answer; ``map`` grades many, ``workers`` at a time, in
    order; ``map_batches`` grades batches (a student's answers, say), each sent to one worker in
    one message, in order; ``imap_unordered`` yields ``(index, verdict)`` as checks finish.  Every
    check of a batch is capped on its own, as a lone one is.  A malformed key or declaration list
    raises :class:`ParseError` here, as :func:`grader.check` would.
    """

    #: Batches ``map`` and ``map_batches`` may run ahead of the one they are waiting for, per
    #: worker.
    LOOKAHEAD = 64
    #: Checks ``map`` and ``map_batches`` queue on a busy worker (in its pipe), so that it goes
    #: on while this process is busy with the verdicts it has (writing reports, say).  Each
    #: check's wall clock starts only when the one before it is replied to.
    QUEUED = 16
    #: Seconds a new worker may take to start (spawn re-imports the grader; fork takes ms).
    STARTUP_SECONDS = 60.0

    def __init__(self, workers: int | None = None, caps: Caps = Caps(),
                 start_method: str | None = None) -> None:
        """``start_method`` "forkserver" suits a long-lived, threaded parent (the web app):
        workers then start from a small fresh process, not from a copy of a parent whose
        address space its threads have grown past the memory cap."""
        size = workers if workers is not None else (os.cpu_count() or 1)
        if size < 1:
            raise ValueError(f"a pool needs at least one worker, not {size}")
        self.size = size
        self.caps = caps
        method = start_method or ("fork" if sys.platform.startswith("linux") else "spawn")
        self._context: BaseContext = multiprocessing.get_context(method)
        if method == "forkserver":
            self._context.set_forkserver_preload(["grader.pool", "grader.checker"])
        self._workers: list[_Worker] = []
        #: The unchecked rest of batches whose worker died: sent again before anything new.
        self._retry: deque[list[_Task]] = deque()
        self._closed = False
        self._warm = False
        # Also runs at garbage collection and at interpreter exit.
        self._finalizer = weakref.finalize(self, _shutdown, self._workers)

    # --- public API --------------------------------------------------------------------------

    def check(
        self,
        expected: str,
        answer: str,
        given: str,
        *,
        layout: Layout | None = None,
        options: CheckOptions | None = None,
    ) -> Verdict:
        """Grade one answer in a worker (see :func:`grader.check`)."""
        return next(self.map([CheckJob(expected, answer, given, layout, options)]))

    def map(self, jobs: Iterable[CheckJob]) -> Iterator[Verdict]:
        """Verdicts of ``jobs`` in order, with up to ``size`` checks running at once.

        ``jobs`` is read lazily.  A :class:`ParseError` of a job's key is raised when its verdict
        is due; checks still running then finish in the background.
        """
        self._ensure_open()
        return (verdicts[0] for verdicts in self._ordered((job,) for job in jobs))

    def map_batches(self, batches: Iterable[Sequence[CheckJob]]) -> Iterator[list[Verdict]]:
        """The verdicts of each batch, batches in order.

        A batch goes to one worker in one message and its verdicts come back as each check
        ends: fewer round trips than one job at a time, the same caps.  Each worker runs one
        batch and holds up to :attr:`QUEUED` checks more.  ``batches`` is read lazily; an empty
        batch gives an empty list in its turn.
        """
        self._ensure_open()
        return self._ordered(iter(batches))

    def imap_unordered(self, jobs: Iterable[CheckJob]) -> Iterator[tuple[int, Verdict]]:
        """``(index in jobs, verdict)`` pairs as checks finish: no waiting on a slow one."""
        self._ensure_open()
        return self._unordered(iter(jobs))

    @property
    def pids(self) -> tuple[int, ...]:
        """Process ids of the live workers (for monitoring)."""
        return tuple(w.process.pid for w in self._workers if w.process.pid is not None)

    def close(self) -> None:
        """Stop every worker; checks in flight are lost.  Idempotent."""
        self._closed = True
        self._finalizer()

    def __enter__(self) -> GradingPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- scheduling --------------------------------------------------------------------------

    def _ordered(self, batches: Iterator[Sequence[CheckJob]]) -> Iterator[list[Verdict]]:
        queue: deque[list[_Task]] = deque()
        more = True
        while True:
            self._ensure_open()
            self._resend()
            while (more and len(queue) < self.LOOKAHEAD * self.size
                   and self._can_dispatch(self.QUEUED)):
                batch = next(batches, None)
                if batch is None:
                    more = False
                    break
                tasks = [_Task(_job(job)) for job in batch]
                queue.append(tasks)
                if tasks:
                    self._dispatch(tasks, self.QUEUED)
            if not queue and not more:
                return
            if not queue or any(task.outcome is None for task in queue[0]):
                self._step()  # workers may all be busy with the jobs of an abandoned iterator
                continue
            yield [_result(task) for task in queue.popleft()]

    def _unordered(self, jobs: Iterator[CheckJob]) -> Iterator[tuple[int, Verdict]]:
        running: dict[_Task, int] = {}
        more = True
        count = 0
        while True:
            self._ensure_open()
            self._resend()
            while more and self._can_dispatch():
                job = next(jobs, None)
                if job is None:
                    more = False
                    break
                task = _Task(_job(job))
                running[task] = count
                count += 1
                self._dispatch([task])
            if not running and not more:
                return
            done = [task for task in running if task.outcome is not None]
            if not done:
                self._step()
                continue
            for task in done:
                yield running.pop(task), _result(task)

    def _ensure_open(self) -> None:
        if self._closed:
            raise ValueError("the grading pool is closed")

    def _can_dispatch(self, queued: int = 0) -> bool:
        """Whether a worker can take a batch: an idle one, room for a new one, or (with
        ``queued``) one with fewer checks than that waiting."""
        return len(self._workers) < self.size or any(
            len(w.tasks) <= queued for w in self._workers)

    def _resend(self) -> None:
        """Batches cut short by a worker's death go again, to an idle worker, before new work."""
        while self._retry and self._can_dispatch():
            self._dispatch(self._retry.popleft())

    def _dispatch(self, tasks: list[_Task], queued: int = 0) -> None:
        """Send a batch to an idle worker, else start one, else queue it on the least busy
        worker with at most ``queued`` checks waiting (assumes one of those exists)."""
        for _ in range(2):  # an idle worker may have died since its last job: retry once
            idle = [w for w in self._workers if not w.tasks]
            if idle or len(self._workers) < self.size:
                worker = idle[0] if idle else self._spawn()
            else:
                worker = min(self._workers, key=lambda w: len(w.tasks))
                assert len(worker.tasks) <= queued
            try:
                worker.conn.send(tuple(task.job for task in tasks))
            except (OSError, ValueError):
                self._retire(worker, kill=True)
                continue
            if not worker.tasks:  # its clock starts now; a queued batch's, at its turn
                worker.deadline = time.monotonic() + self.caps.wall_seconds
            worker.tasks.extend(tasks)
            return
        for task in tasks:
            task.outcome = self._crashed(None)

    def _spawn(self) -> _Worker:
        """Start a worker and wait until it is ready, so that no deadline pays for its start."""
        forked = self._context.get_start_method() == "fork"
        if forked and not self._warm:
            parse("x", "x")  # build the parser once here: forked workers inherit it
            self._warm = True
        parent_end, child_end = self._context.Pipe(duplex=True)
        inherited = (parent_end, *(w.conn for w in self._workers)) if forked else ()
        process = self._context.Process(  # type: ignore[attr-defined]  # on every concrete context
            target=_worker_main, args=(child_end, self.caps, inherited), daemon=True,
            name="matcalc-grader",
        )
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        try:
            if not parent_end.poll(self.STARTUP_SECONDS):
                raise MatcalcError(f"a grading worker did not start in {self.STARTUP_SECONDS} s")
            kind, detail = parent_end.recv()
        except (EOFError, OSError):
            _stop(worker)
            raise MatcalcError("a grading worker stopped while starting "
                               f"({_describe_exit(process.exitcode)})") from None
        except BaseException:
            _stop(worker)
            raise
        if kind != "ready":
            _stop(worker)
            raise MatcalcError(f"a grading worker could not start: {detail}")
        self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker, *, kill: bool) -> None:
        """Stop a worker; the unchecked rest of its batch (after the running check, which the
        caller settles) is sent again."""
        rest = list(worker.tasks)[1:]
        worker.tasks.clear()
        if rest:
            self._retry.append(rest)
        if kill:
            _stop(worker)
        else:  # it is exiting by itself: just reap it
            worker.process.join(1.0)
            _stop(worker)
        self._workers.remove(worker)

    def _step(self) -> None:
        """Wait for the first reply or the nearest deadline, and settle what is over."""
        busy = [w for w in self._workers if w.tasks]
        if not busy:
            return
        timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
        ready = wait([w.conn for w in busy], timeout)
        now = time.monotonic()
        for worker in busy:
            if worker.conn in ready or (now >= worker.deadline and worker.conn.poll()):
                # every reply already there, in one go
                while worker in self._workers and worker.tasks and worker.conn.poll():
                    self._collect(worker)
            elif now >= worker.deadline:
                worker.tasks[0].outcome = self._capped("time_limit")
                self._retire(worker, kill=True)

    def _collect(self, worker: _Worker) -> None:
        """Read the reply to the running check; the next check of the batch starts its clock."""
        task = worker.tasks[0]
        try:
            kind, payload = worker.conn.recv()
        except (EOFError, OSError):
            self._retire(worker, kill=False)
            task.outcome = self._crashed(worker.process.exitcode)
            return
        except Exception as problem:  # a garbled reply: don't trust this worker again
            task.outcome = _error_verdict(f"unreadable reply ({type(problem).__name__})")
            self._retire(worker, kill=True)
            return
        if kind == "memory_all":  # the worker could not even take the batch in
            for lost in worker.tasks:
                lost.outcome = self._capped("memory_limit")
            worker.tasks.clear()
            return
        worker.tasks.popleft()
        task.outcome = self._outcome(kind, payload)
        worker.deadline = time.monotonic() + self.caps.wall_seconds

    def _outcome(self, kind: str, payload: object) -> Verdict | ParseError:
        if kind == "ok" and isinstance(payload, Verdict):
            return payload
        if kind == "parse_error" and isinstance(payload, tuple):
            message, text, position, end, code = payload
            return ParseError(message, text=text, position=position, end=end, code=code)
        if kind == "memory":
            return self._capped("memory_limit")
        if kind == "cpu":
            return self._capped("cpu_limit")
        return _error_verdict(str(payload))

    # --- verdicts for failed checks ----------------------------------------------------------

    def _capped(self, note: Literal["time_limit", "cpu_limit", "memory_limit"]) -> Verdict:
        caps = self.caps
        if note == "time_limit":
            over, cap = f"{caps.wall_seconds:g} s", f"{caps.wall_seconds:g} s wall clock"
            problem = "took too long to check"
        elif note == "cpu_limit":
            over, cap = f"{caps.cpu_seconds:g} s", f"{caps.cpu_seconds:g} s CPU time"
            problem = "took too long to check"
        else:
            over, cap = f"{caps.memory_mb} MB", f"{caps.memory_mb} MB memory"
            problem = "needed too much memory to check"
        return _undecided(note, f"Your answer {problem} (over {over}), so it was not marked.",
                          f"resource cap: {cap}")

    def _crashed(self, exitcode: int | None) -> Verdict:
        return _undecided(
            "worker_crashed",
            "Your answer could not be checked because the checking process stopped, so it was "
            "not marked.",
            f"worker crashed ({_describe_exit(exitcode)})",
        )


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "no reply"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def _undecided(note: str, feedback: str, method: str) -> Verdict:
    return Verdict(status="undecided", score=0.0, expected_shape=None, answer_shape=None,
                   note=note, feedback=feedback, interpreted_as=None, method=method)


def _error_verdict(detail: str) -> Verdict:
    """An unexpected exception in the grader: the student is not penalised for our bug."""
    return _undecided("grader_error", "Your answer could not be checked because of an error in "
                      "the grader, so it was not marked.", f"grader error: {detail}")


def _job(job: object) -> CheckJob:
    if not isinstance(job, CheckJob):
        raise TypeError(f"expected a CheckJob, got {type(job).__name__}")
    return job


def _result(task: _Task) -> Verdict:
    outcome = task.outcome
    if isinstance(outcome, ParseError):
        raise outcome
    assert outcome is not None
    return outcome
