"""Grading on a Dask cluster: a LocalCluster, and a real `dask scheduler` with two `dask worker`
processes on loopback.  Reports and gradebooks must be byte-identical to a local run, a worker
killed mid-run must cost nothing, and a worker with another matcalc must be refused by name.

Every Dask client runs in a child process (``matcalc grade``, or a spawned helper): a client's
threads leave this process a large address space, which later pools forked from it would count
against their memory cap."""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import root
from grader.cluster import Cluster, ClusterError, parse_cluster
from grader.grading_run import RunOptions, find_submissions, grade_class
from grader.report import StudentReport
from tests.grader.classes import class_set
from tests.grader.test_grading_run import snapshot, write_class

if importlib.util.find_spec("distributed") is None:  # pragma: no cover - the test extra has it
    pytest.skip("needs matcalc[dask]", allow_module_level=True)

DASK = Path(sys.executable).parent / "dask"
STUDENTS = 24


def spawned() -> ProcessPoolExecutor:
    """A fresh process for code that opens Dask clients."""
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))


def grade(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``matcalc grade ARGS`` in its own process."""
    return subprocess.run([sys.executable, "-c", "from generator.cli import main; main()",
                           "grade", *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.mark.parametrize("text, expected", [
    ("local:3", Cluster(workers=3)),
    ("tcp://127.0.0.1:8786", Cluster(address="tcp://127.0.0.1:8786")),
    ("tls://scheduler.uni.example:8786", Cluster(address="tls://scheduler.uni.example:8786")),
    ("tcp://[::1]:8786", Cluster(address="tcp://[::1]:8786")),
])
def test_cluster_addresses(text: str, expected: Cluster) -> None:
    assert parse_cluster(text) == expected


@pytest.mark.parametrize("text", ["local:0", "local:x", "8786", "http://h:8786", "tcp://h",
                                  "tcp://h:99999", "tcp://h:1; rm -rf /", ""])
def test_bad_cluster_addresses_are_usage_errors(tmp_path: Path, text: str) -> None:
    with pytest.raises(ClusterError, match="--cluster"):
        parse_cluster(text)
    set_path = write_class(tmp_path, 1)
    done = CliRunner().invoke(root, ["grade", str(set_path), str(tmp_path / "submissions"),
                                     "-o", str(tmp_path / "out"), "--cluster", text])
    assert done.exit_code == 2 and "--cluster" in done.output


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A class graded locally: its folder and the reports and gradebook, byte for byte."""
    folder = tmp_path_factory.mktemp("class")
    set_path = write_class(folder, STUDENTS)
    done = CliRunner().invoke(root, ["grade", str(set_path), str(folder / "submissions"),
                                     "-o", str(folder / "local"), "--jobs", "2"])
    assert done.exit_code == 0, done.output
    return folder, snapshot(folder / "local")


def test_a_local_cluster_writes_what_a_local_run_writes(
        reference: tuple[Path, dict[str, bytes]]) -> None:
    folder, expected = reference
    out = folder / "local-cluster"
    command = [str(folder / "set.json"), str(folder / "submissions"), "-o", str(out),
               "--cluster", "local:2", "--batch", "5"]
    done = grade(*command)
    assert done.returncode == 0, done.stderr
    assert snapshot(out) == expected
    again = grade(*command, "--resume")
    assert f"graded 0, reused {STUDENTS}" in again.stdout  # --resume works unchanged
    assert snapshot(out) == expected


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_worker(scheduler: str, name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(DASK), "worker", scheduler, "--name", name, "--nthreads", "1", "--nworkers", "1",
         "--host", "127.0.0.1", "--no-dashboard", "--memory-limit", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wait_for(scheduler: str, names: set[str]) -> None:
    with spawned() as child:
        child.submit(wait_for_here, scheduler, names).result()


def wait_for_here(scheduler: str, names: set[str]) -> None:
    import distributed

    with distributed.Client(scheduler, timeout=30) as client:
        deadline = time.monotonic() + 60
        while True:
            workers = client.scheduler_info(n_workers=-1)["workers"].values()
            if {str(w["name"]) for w in workers} == names:
                return
            assert time.monotonic() < deadline, f"workers {names} did not join"
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A `dask scheduler` and two `dask worker` processes on free loopback ports."""
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False", "MALLOC_ARENA_MAX": "2"}
    processes = [subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
         "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)]
    try:
        processes += [start_worker(address, name, env) for name in ("w1", "w2")]
        wait_for(address, {"w1", "w2"})
        yield address
    finally:
        for process in reversed(processes):
            stop(process)


def test_a_scheduler_and_two_workers_write_what_a_local_run_writes(
        scheduler: str, reference: tuple[Path, dict[str, bytes]]) -> None:
    folder, expected = reference
    out = folder / "remote"
    done = grade(str(folder / "set.json"), str(folder / "submissions"), "-o", str(out),
                 "--cluster", scheduler)
    assert done.returncode == 0, done.stderr
    assert snapshot(out) == expected


def grade_and_kill_a_worker(scheduler: str, folder: Path, out: Path
                            ) -> tuple[list[str], list[str], int]:
    """Grade the class on the cluster while a worker seen holding a batch is SIGKILLed: the
    worker killed, the reports in the order written, the students graded."""
    import distributed

    from grader.gradebook import gradebook_csv

    killed: list[str] = []
    written: list[str] = []
    running = threading.Event()
    with distributed.Client(scheduler, timeout=30) as client:
        pids = client.run(os.getpid)

        def kill_a_busy_worker() -> None:
            while running.is_set() and not killed:
                for worker, keys in client.processing().items():
                    if any(str(key).startswith("matcalc-batch") for key in keys):
                        os.kill(pids[worker], signal.SIGKILL)
                        killed.append(worker)
                        return
                time.sleep(0.002)

        def progress(report: StudentReport, reused: bool) -> None:
            written.append(report.source)
            if len(written) == 1:
                time.sleep(0.5)  # the batches after the first are out on the workers

        running.set()
        killer = threading.Thread(target=kill_a_busy_worker)
        killer.start()
        try:
            result = grade_class(class_set(STUDENTS), find_submissions([folder / "submissions"]),
                                 out, RunOptions(cluster=Cluster(address=scheduler, chunk=1)),
                                 progress=progress)
        finally:
            running.clear()
            killer.join()
    (out / "gradebook.csv").write_text(
        gradebook_csv(result.rows, class_set(STUDENTS), "plain"), "utf-8")
    return killed, written, result.graded


def test_a_worker_killed_mid_run_loses_nothing(
        scheduler: str, reference: tuple[Path, dict[str, bytes]]) -> None:
    folder, expected = reference
    out = folder / "killed"
    with spawned() as child:
        killed, written, graded = child.submit(grade_and_kill_a_worker, scheduler, folder,
                                               out).result()
    assert killed, "no worker was seen with a batch"
    assert len(written) == len(set(written)) == STUDENTS  # every report, each once
    assert graded == STUDENTS
    assert snapshot(out) == expected
    wait_for(scheduler, {"w1", "w2"})  # the nanny restarted it, for the tests after this one


def worker_address(scheduler: str, name: str) -> str:
    import distributed

    with distributed.Client(scheduler, timeout=30) as client:
        return next(str(a) for a, w in client.scheduler_info(n_workers=-1)["workers"].items()
                    if w["name"] == name)


@pytest.mark.parametrize("why", ["version", "daemon"])
def test_a_worker_unlike_the_client_is_refused_by_name(
        scheduler: str, reference: tuple[Path, dict[str, bytes]], tmp_path: Path,
        why: str) -> None:
    folder, _ = reference
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False", "MALLOC_ARENA_MAX": "2"}
    if why == "version":  # another matcalc installed where the worker looks first
        info = tmp_path / "site" / "matcalc-9.9.9.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: matcalc\nVersion: 9.9.9\n",
                                       "utf-8")
        env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"),
                                             *filter(None, [env.get("PYTHONPATH")])])
    else:
        env["DASK_DISTRIBUTED__WORKER__DAEMON"] = "True"
    odd = start_worker(scheduler, "odd", env)
    try:
        wait_for(scheduler, {"w1", "w2", "odd"})
        with spawned() as child:
            address = child.submit(worker_address, scheduler, "odd").result()
        out = tmp_path / "out"
        done = grade(str(folder / "set.json"), str(folder / "submissions"), "-o", str(out),
                     "--cluster", scheduler)
        assert done.returncode == 1, done.stderr
        assert f"worker {address} is refused" in done.stderr
        assert ("matcalc 9.9.9" if why == "version" else "DAEMON=False") in done.stderr
        assert "Traceback" not in done.stderr
        assert not list(out.glob("*.json"))  # nothing graded by a worker that was refused
    finally:
        stop(odd)
    wait_for(scheduler, {"w1", "w2"})


def refusals() -> tuple[str, list[str]]:
    """A batch from a client like this process, then from unlike ones: the verdict's status,
    and the messages of the refusals."""
    from grader.cluster import Batch, run_batch, worker_environment
    from grader.pool import CheckJob

    options = RunOptions()
    job = CheckJob("2 x", "2 x", "x[n]")
    mine = worker_environment()
    status = run_batch(Batch(tuple(mine.items()), options, options.fingerprint(), ((job,),))
                       )[0][0].status
    messages = []
    for environment, fingerprint in (({**mine, "sympy": "1.0"}, options.fingerprint()),
                                     (mine, options.fingerprint() + " ")):
        try:
            run_batch(Batch(tuple(environment.items()), options, fingerprint, ((job,),)))
        except ClusterError as problem:
            messages.append(str(problem))
    return status, messages


def test_a_batch_from_a_client_unlike_the_worker_is_refused() -> None:
    """A worker that joins after the run's start is checked with every batch it takes."""
    with spawned() as child:
        status, messages = child.submit(refusals).result()
    assert status == "correct"
    assert len(messages) == 2
    assert re.search(r"is refused: it runs sympy .* \(here 1\.0\)", messages[0])
    assert "is refused: it reads the grading options" in messages[1]


def write_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate and its key (the CA of the scheduler, workers and client)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "matcalc test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(hours=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert, private = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, private


def test_tls_with_dasks_security_settings(
        reference: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    folder, expected = reference
    cert, key = write_certificate(tmp_path)
    tls = ["--tls-ca-file", str(cert), "--tls-cert", str(cert), "--tls-key", str(key)]
    port = free_port()
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False", "MALLOC_ARENA_MAX": "2"}
    processes = [subprocess.Popen(
        [str(DASK), "scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port", str(port),
         "--no-dashboard", *tls], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)]
    try:
        processes.append(subprocess.Popen(
            [str(DASK), "worker", f"tls://127.0.0.1:{port}", "--nthreads", "1", "--host",
             "127.0.0.1", "--no-dashboard", *tls], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True))
        out = tmp_path / "out"
        client_env = {**env, "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(cert),
                      "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(cert),
                      "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(key),
                      "DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True"}
        done = grade(str(folder / "set.json"), str(folder / "submissions"), "-o", str(out),
                     "--cluster", f"tls://127.0.0.1:{port}", "--batch", "4", env=client_env)
        assert done.returncode == 0, done.stderr
        assert snapshot(out) == expected
    finally:
        for process in reversed(processes):
            stop(process)
