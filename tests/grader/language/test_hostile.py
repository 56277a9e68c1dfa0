"""Hostile input to ``grader.parse`` and ``grader.parse_declarations``.

For every case: nothing but :class:`grader.ParseError` escapes; a refusal has a plain, non-empty
message (with the expected words where given), a known code and a position inside the text; text
that is a valid answer after Unicode normalisation parses to the same tree as its ASCII twin; each
call takes at most 100 ms of wall time; and nothing is opened, executed or evaluated on the way.
The cases are in ``hostile_cases.py``, which the web app's test sends over HTTP too.

Each case runs in a forked child process, so that a runaway parse (a hang, or memory blow-up) is
killed by a watchdog and reported instead of stalling the suite.  The child inherits the parser
that the module fixture built, so the timed calls measure parsing, not parser construction.
"""

from __future__ import annotations

import builtins
import gc
import io
import math
import multiprocessing
import os
import subprocess
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from typing import Any

import pytest

import grader
from grader import MatcalcError, ParseError
from grader.language.parser import clear_cache
from tests.grader.language.hostile_cases import CASES, GIVEN, Case

#: Wall-time bound of one parse call, in seconds.
TIME_LIMIT = 0.100
#: A child that has not answered by then is killed and the case fails.
WATCHDOG = 10.0
CODES = {"syntax", "unknown_name", "unbalanced", "ragged", "shape", "limit", "character",
         "declaration", "ambiguous"}
#: Signs of an internal error leaking into a message meant for a student.
NOT_PLAIN = ("Traceback", "Token(", "UnexpectedToken", "UnexpectedCharacters", "lark.",
             "object at 0x")


# --- the checks (run in the child) ----------------------------------------------------------


@contextmanager
def sandbox() -> Iterator[list[str]]:
    """Make opening files, running programs and evaluating code fail, recording each attempt."""
    attempts: list[str] = []

    def forbidden(name: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            attempts.append(name)
            raise AssertionError(f"the parser called {name}{args!r}")

        return refuse

    targets = [(builtins, "open"), (io, "open"), (os, "open"), (os, "system"), (os, "popen"),
               (os, "execv"), (os, "execve"), (subprocess, "Popen"), (builtins, "eval"),
               (builtins, "exec"), (builtins, "compile")]
    with pytest.MonkeyPatch.context() as patch:
        for module, name in targets:
            patch.setattr(module, name, forbidden(f"{module.__name__}.{name}"))
        yield attempts


def timed(call: Callable[[], object]) -> tuple[object, float]:
    """The result (or ParseError) of ``call`` and its wall time; one retry absorbs noise."""
    best = math.inf
    outcome: object = None
    for attempt in range(2):
        if attempt:
            time.sleep(1.0)  # let a burst of machine noise pass before the retry
        gc.collect()
        start = time.perf_counter()
        try:
            outcome = call()
        except ParseError as error:
            outcome = error
        best = min(best, time.perf_counter() - start)
        if best <= TIME_LIMIT:
            break
    return outcome, best


def check_refusal(error: ParseError, case: Case) -> None:
    """A plain message, a known code, the expected words and a position inside the text."""
    assert isinstance(error, MatcalcError)
    message = error.message
    assert message.strip(), "empty message"
    assert message.isprintable(), f"message with unprintable characters: {message!r}"
    leaked = [sign for sign in NOT_PLAIN if sign in message]
    assert not leaked, f"message is not plain ({leaked}): {message!r}"
    assert error.code in CODES, error.code
    if case.code is not None:
        assert error.code == case.code, f"code {error.code!r} for {message!r}"
    for word in case.words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    if error.position is None:
        assert not error.text.strip(), f"no position for {message!r}"
    else:
        assert 0 <= error.position <= len(error.text), (error.position, len(error.text))
        assert error.end is None or error.position <= error.end <= len(error.text) + 1
    shown = str(error)
    assert message in shown
    if error.position is not None:
        assert "^" in shown.splitlines()[-1], f"no caret in {shown!r}"


def check_case(case: Case) -> None:
    """Everything a hostile case must satisfy."""
    if case.declarations:
        def call() -> object:
            return grader.parse_declarations(case.text)
    else:
        def call() -> object:
            return grader.parse(case.text, case.given)

    with sandbox() as attempts:
        outcome, seconds = timed(call)
    assert not attempts, f"the parser tried to use {attempts}"
    assert seconds <= TIME_LIMIT, f"took {seconds * 1000:.1f} ms (limit {TIME_LIMIT * 1000:.0f})"
    if case.twin is not None:
        assert not isinstance(outcome, ParseError), f"refused: {outcome}"
        assert outcome == grader.parse(case.twin, case.given)
    elif isinstance(outcome, ParseError):
        check_refusal(outcome, case)
    else:
        assert case.may_parse, f"expected a ParseError, got {outcome!r}"


# --- running a check in a child process -----------------------------------------------------


def _report(send: Connection, function: Callable[..., None], args: tuple[Any, ...]) -> None:
    try:
        function(*args)
    except BaseException:
        send.send(traceback.format_exc(limit=-12))
    else:
        send.send("")
    finally:
        send.close()


def in_child(function: Callable[..., None], *args: Any, watchdog: float = WATCHDOG) -> None:
    """Run ``function(*args)`` in a forked child, failing on its error or on the watchdog."""
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not Linux
        function(*args)
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_report, args=(send, function, args), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(watchdog):
            pytest.fail(f"no answer after {watchdog:.1f} s (the limit is "
                        f"{TIME_LIMIT * 1000:.0f} ms)", pytrace=False)
        report = receive.recv()
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    if report:
        pytest.fail(report, pytrace=False)


# --- tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def warm_parser() -> None:
    """Build the parser (and cache the usual declarations) before any timed call."""
    grader.parse("x^T (A + A^T) x", GIVEN)
    grader.parse_declarations(GIVEN)


@pytest.mark.parametrize("case", CASES)
def test_hostile_input(case: Case) -> None:
    in_child(check_case, case)


def test_sandbox_catches_file_access() -> None:
    """The sandbox itself works: reading a file inside it is caught and recorded."""
    with sandbox() as attempts, pytest.raises(AssertionError):
        open("/etc/passwd")  # noqa: SIM115
    assert attempts == ["builtins.open"]
    with sandbox() as attempts, pytest.raises(AssertionError):
        subprocess.Popen(["true"])
    assert attempts == ["subprocess.Popen"]


def test_watchdog_reports_a_hang() -> None:
    """A child that never answers is killed and reported, not waited for."""
    start = time.perf_counter()
    with pytest.raises(pytest.fail.Exception, match="no answer"):
        in_child(time.sleep, 30, watchdog=0.5)
    assert time.perf_counter() - start < 10


#: Pairs of texts that mean different things, so must not give equal trees.
DIFFERENT_MEANINGS = [
    pytest.param("\\|A\\|_2", "\\|A\\|_F", id="regression-spectral-vs-frobenius-norm"),
    pytest.param("\\sqrt[3]{b}", "\\sqrt{3} b", id="regression-cube-root-vs-sqrt-3"),
]


@pytest.mark.parametrize(("first", "second"), DIFFERENT_MEANINGS)
def test_different_meanings_parse_differently(first: str, second: str) -> None:
    """Either text may be refused, but they must not parse to the same tree."""
    try:
        trees = grader.parse(first, GIVEN), grader.parse(second, GIVEN)
    except ParseError:
        return
    assert trees[0] != trees[1], f"{first!r} and {second!r} both read as {trees[0]!r}"


#: Inputs of a size parameter k, for the scaling test.
CHAINS: dict[str, tuple[Callable[[int], str], str]] = {
    "sum": (lambda k: "+".join(["x"] * k), GIVEN),
    "product": (lambda k: "b " * k, GIVEN),
    "transposes": (lambda k: "x'" * k, GIVEN),
    "identity-sum": (lambda k: "I+" * k + "A", "A[n,n]"),
    "name-run": (lambda k: "b" * k, "b"),
    "ambiguous-name-run": (lambda k: "a" * k + "c", "a, aa"),
    "greek-run": (lambda k: "\u03b1" * k, "alpha"),
}


def check_linear(chain: str) -> None:
    """8x the input takes well under 64x the time (min of interleaved runs): no blow-up."""
    build, given = CHAINS[chain]
    small, large = build(250), build(2000)
    best = {small: math.inf, large: math.inf}
    for _ in range(3):
        for text in (small, large):
            clear_cache()
            start = time.perf_counter()
            with suppress(ParseError):
                grader.parse(text, given)
            best[text] = min(best[text], time.perf_counter() - start)
    ratio = best[large] / best[small]
    assert ratio < 16, f"{chain}: 8x the input took {ratio:.0f}x the time"


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_long_chains_scale_linearly(chain: str) -> None:
    """No quadratic or exponential blow-up, independently of the machine's speed."""
    in_child(check_linear, chain)


def test_non_text_is_refused() -> None:
    """Only text is parsed: other objects are refused with ParseError, not a TypeError."""
    for value in (None, 1, b"x", ["x"]):
        with pytest.raises(ParseError):
            grader.parse(value, GIVEN)  # type: ignore[arg-type]
        with pytest.raises(ParseError):
            grader.parse_declarations(value)  # type: ignore[arg-type]
