"""Grading a class on a Dask cluster: ``matcalc grade --cluster ADDRESS``.

The cluster only ships batches and brings verdicts back.  A batch is one student's checks, or a
chunk of students' checks; on the worker it runs on a :class:`~grader.pool.GradingPool` with the
run's caps, exactly as a local run does, so a verdict never depends on where it was decided.
The client reads the submissions, writes the reports (atomically, in order, as a local run) and
keeps ``--resume`` working: the cluster sees only check jobs.

A worker that dies mid-batch loses nothing: the scheduler gives its batch to another worker and
the client takes each batch's verdicts once.  Every worker must run the client's matcalc and
grading libraries (their versions decide verdicts) and read the run's options as the client
does; a worker that does not is refused by name.  The pool forks its checking processes, so
workers must not be daemonic: ``distributed.worker.daemon: False`` (set here for ``local:N``;
``DASK_DISTRIBUTED__WORKER__DAEMON=False`` for ``dask worker``).

``distributed`` is an optional dependency (``pip install 'matcalc[dask]'``), imported only here.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import re
import sys
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from grader.errors import MatcalcError
from grader.pool import Caps, CheckJob, GradingPool
from grader.verdict import Verdict

if TYPE_CHECKING:
    from grader.grading_run import RunOptions

__all__ = ["Cluster", "ClusterError", "ClusterGrading", "parse_cluster", "worker_environment"]

#: The distributions whose versions decide a verdict: a worker must match the client on each.
GRADING_PACKAGES = ("matcalc", "sympy", "mpmath", "python-flint", "lark")

#: glibc's malloc arenas for a worker process (``MALLOC_ARENA_MAX``).  Each thread that allocates
#: may reserve its own 64 MiB arena, and the pool's processes, forked from the worker, inherit
#: that address space: a worker of 8 threads measured 902 MB with the default, near the 1 GiB
#: memory cap (so checks within it were stopped), and 333 MB with 2.
ARENAS = "2"

#: Seconds to wait for a scheduler to answer, and for its first worker to join.
CONNECT_SECONDS = 30.0

_HOW = ("start each worker with the same matcalc (pip install 'matcalc[dask]' of the same "
        "version, with the same libraries) as this computer")


class ClusterError(MatcalcError):
    """The cluster can't be reached or used, or one of its workers is refused."""


@dataclass(frozen=True)
class Cluster:
    """Where a run's batches go: a scheduler's address, or a local cluster of ``workers``."""

    #: ``tcp://HOST:PORT`` or ``tls://HOST:PORT``; ``None`` for a local cluster.
    address: str | None = None
    #: Worker processes of a local cluster (one thread each).
    workers: int = 0
    #: Students per batch: 1 spreads work finest; more saves a round trip (~10 ms) each.
    chunk: int = 10

    def __post_init__(self) -> None:
        if (self.address is None) == (self.workers == 0) or self.workers < 0 or self.chunk < 1:
            raise ValueError(f"not a cluster: {self}")

    def describe(self) -> str:
        return self.address or f"local:{self.workers}"


_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})")


def parse_cluster(text: str, chunk: int = 10) -> Cluster:
    """``tcp://HOST:PORT``, ``tls://HOST:PORT`` or ``local:N``, checked before anything starts."""
    text = text.strip()
    if text.startswith("local:"):
        count = text.removeprefix("local:")
        if not count.isdecimal() or not 1 <= int(count) <= 256:
            raise ClusterError(f"--cluster {text}: local:N needs N from 1 to 256 workers")
        return Cluster(workers=int(count), chunk=chunk)
    found = _ADDRESS.fullmatch(text)
    if found is None or not 0 < int(found.group(3)) < 65536:
        raise ClusterError(f"--cluster {text}: expected tcp://HOST:PORT, tls://HOST:PORT (a Dask "
                           "scheduler, e.g. tcp://10.0.0.5:8786) or local:N")
    return Cluster(address=text, chunk=chunk)


def worker_environment() -> dict[str, str]:
    """What decides this process's verdicts: the grading libraries' versions and Python's."""
    found = {"python": "{}.{}".format(*sys.version_info[:2])}
    for name in GRADING_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def _differences(mine: dict[str, str], theirs: dict[str, str]) -> list[str]:
    return [f"{name} {theirs.get(name, 'not installed')} (here {mine[name]})"
            for name in mine if theirs.get(name) != mine[name]]


# --- on the worker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """What one task carries: the client's environment and options, and students' checks."""

    environment: tuple[tuple[str, str], ...]
    options: RunOptions
    #: The options' fingerprint as the client computes it.
    fingerprint: str
    students: tuple[tuple[CheckJob, ...], ...]


_pools = threading.local()


def _pool(caps: Caps, size: int) -> GradingPool:
    """This thread's pool (a pool is not thread-safe), kept warm from batch to batch."""
    pools: dict[tuple[Caps, int], GradingPool] = _pools.__dict__.setdefault("pools", {})
    pool = pools.get((caps, size))
    if pool is None:
        for other in pools.values():  # another run's caps: free its processes
            other.close()
        pools.clear()
        pool = pools[(caps, size)] = GradingPool(workers=size, caps=caps)
    return pool


def _where() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "this process"


def _refusal(environment: dict[str, str], options: RunOptions | None = None,
             fingerprint: str = "") -> str | None:
    """Why this worker can't grade for a client with ``environment`` and ``options``, or
    ``None``."""
    different = _differences(environment, worker_environment())
    if different:
        return "it runs " + ", ".join(different) + "; " + _HOW
    if options is not None and options.fingerprint() != fingerprint:
        return ("it reads the grading options as "
                f"{options.fingerprint()}, this computer as {fingerprint}; " + _HOW)
    if multiprocessing.current_process().daemon:
        return ("it is a daemonic process, which can't start "
                "grading processes; start it with DASK_DISTRIBUTED__WORKER__DAEMON=False "
                "(distributed.worker.daemon: False)")
    return None


def check_worker(environment: dict[str, str]) -> str | None:
    """Run on every worker when a run starts: the reason it is refused, or ``None``."""
    return _refusal(environment)


def run_batch(batch: Batch) -> list[list[Verdict]]:
    """The verdicts of each student's checks, on this worker's pool with the run's caps."""
    refusal = _refusal(dict(batch.environment), batch.options, batch.fingerprint)
    if refusal is not None:
        raise ClusterError(f"worker {_where()} is refused: {refusal}")
    pool = _pool(batch.options.caps, batch.options.jobs or 1)
    return list(pool.map_batches(batch.students))


# --- on the client ---------------------------------------------------------------------------


class ClusterGrading:
    """A connection to a cluster for one run, used like a pool: ``map_batches`` in order.

    Each worker thread grades on a pool of ``options.jobs`` processes (default 1): a worker's
    threads (``dask worker --nthreads``) say how many batches it grades at once.
    """

    #: Batches in flight per worker thread, so that no worker waits for the client.
    LOOKAHEAD = 4

    def __init__(self, cluster: Cluster, options: RunOptions) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise ClusterError("--cluster needs Dask: pip install 'matcalc[dask]'") from None
        self.cluster = cluster
        self.options = options
        self._stack = contextlib.ExitStack()
        self._run = uuid.uuid4().hex[:12]
        self._environment = worker_environment()
        try:
            if cluster.address is None:
                with dask.config.set({"distributed.worker.daemon": False,
                                      "distributed.nanny.pre-spawn-environ.MALLOC_ARENA_MAX":
                                          ARENAS}):
                    local = self._stack.enter_context(LocalCluster(  # type: ignore[no-untyped-call]
                        n_workers=cluster.workers, threads_per_worker=1, processes=True,
                        dashboard_address=None, memory_limit=None))
                target: Any = local
            else:
                target = cluster.address
            self.client = self._stack.enter_context(
                Client(target, timeout=CONNECT_SECONDS,  # type: ignore[no-untyped-call]
                       set_as_default=False))
            self.client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as problem:
            self._stack.close()
            raise ClusterError(f"--cluster {cluster.describe()}: no Dask scheduler with workers "
                               f"answered ({type(problem).__name__}: {problem})") from None
        except BaseException:
            self._stack.close()
            raise
        self.threads = self._check_workers()

    def _check_workers(self) -> int:
        """Refuse the run if any worker is refused; the number of worker threads."""
        try:
            answers = self.client.run(check_worker, self._environment, on_error="return")
        except Exception as problem:
            raise ClusterError(f"--cluster {self.cluster.describe()}: the workers could not be "
                               f"asked their versions ({problem})") from None
        for address, answer in sorted(answers.items()):
            if isinstance(answer, BaseException):
                raise ClusterError(f"worker {address} is refused: it can't run matcalc "
                                   f"({type(answer).__name__}: {answer}); {_HOW}")
            if answer is not None:
                raise ClusterError(f"worker {address} is refused: {answer}")
        workers = self.client.scheduler_info(n_workers=-1)["workers"]
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))

    def map_batches(self, batches: Iterable[Sequence[CheckJob]]) -> Iterator[list[Verdict]]:
        """The verdicts of each student's batch, in order (see GradingPool.map_batches).

        Students go out ``cluster.chunk`` at a time; a chunk with nothing to check never leaves
        this computer.
        """
        students = iter(batches)
        waiting: deque[Any] = deque()  # Futures, or the verdicts of a chunk with no checks
        limit = self.LOOKAHEAD * self.threads
        environment = tuple(sorted(self._environment.items()))
        fingerprint = self.options.fingerprint()
        count = itertools.count()
        try:
            while True:
                while len(waiting) < limit:
                    chunk = tuple(tuple(s) for s in itertools.islice(students, self.cluster.chunk))
                    if not chunk:
                        break
                    if not any(chunk):
                        waiting.append([[] for _ in chunk])
                        continue
                    waiting.append(self.client.submit(
                        run_batch, Batch(environment, self.options, fingerprint, chunk),
                        key=f"matcalc-batch-{self._run}-{next(count)}", pure=False))
                if not waiting:
                    return
                yield from self._verdicts(waiting.popleft())
        finally:
            for future in waiting:
                if not isinstance(future, list):
                    future.cancel()

    def _verdicts(self, future: Any) -> list[list[Verdict]]:
        if isinstance(future, list):
            return future
        from distributed import KilledWorker

        try:
            result: list[list[Verdict]] = future.result()
        except KilledWorker as problem:
            raise ClusterError(f"--cluster {self.cluster.describe()}: a batch was lost: every "
                               f"worker that took it died ({problem})") from None
        except ClusterError:
            raise
        except (OSError, TimeoutError) as problem:
            raise ClusterError(f"--cluster {self.cluster.describe()}: lost the scheduler "
                               f"({type(problem).__name__}: {problem}); run again with "
                               "--resume") from None
        future.release()
        return result

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> ClusterGrading:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
