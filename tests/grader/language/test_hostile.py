"""Hostile input to ``grader.parse`` and ``grader.parse_declarations``.

For every case: nothing but :class:`grader.ParseError` escapes; a refusal has a plain, non-empty
message (with the expected words where given), a known code and a position inside the text; text
that is a valid answer after Unicode normalisation parses to the same tree as its ASCII twin; each
call takes at most 100 ms of wall time; and nothing is opened, executed or evaluated on the way.

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
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pytest

import grader
from grader import MatcalcError, ParseError
from grader.language.parser import clear_cache

GIVEN = "x[n], y[n], A[n,n], b"
#: Wall-time bound of one parse call, in seconds.
TIME_LIMIT = 0.100
#: A child that has not answered by then is killed and the case fails.
WATCHDOG = 10.0
CODES = {"syntax", "unknown_name", "unbalanced", "ragged", "shape", "limit", "character",
         "declaration", "ambiguous"}
#: Signs of an internal error leaking into a message meant for a student.
NOT_PLAIN = ("Traceback", "Token(", "UnexpectedToken", "UnexpectedCharacters", "lark.",
             "object at 0x")


@dataclass(frozen=True)
class Case:
    """One hostile input and what must come of it."""

    text: str
    given: str = GIVEN
    #: Words the refusal's message must contain (case-insensitive); implies a refusal.
    words: tuple[str, ...] = ()
    #: The refusal's code, if it matters.
    code: str | None = None
    #: An ASCII twin: the text must parse, to the same tree as the twin.
    twin: str | None = None
    #: Whether a successful parse is acceptable (else the text must be refused).
    may_parse: bool = False
    #: Parse as declarations (``given`` is ignored) instead of as an answer.
    declarations: bool = False


def refused(label: str, text: str, *words: str, code: str | None = None,
            given: str = GIVEN) -> Any:
    """A case that must raise ParseError, mentioning ``words``."""
    return pytest.param(Case(text, given, words=words, code=code), id=label)


def same_as(label: str, text: str, twin: str, given: str = GIVEN) -> Any:
    """A case that must parse to the same tree as ``twin``."""
    return pytest.param(Case(text, given, twin=twin), id=label)


def either(label: str, text: str, given: str = GIVEN) -> Any:
    """A case that may parse or be refused, but quickly and cleanly."""
    return pytest.param(Case(text, given, may_parse=True), id=label)


def bad_declarations(label: str, text: str, *words: str) -> Any:
    """A ``given`` string that parse_declarations must refuse."""
    return pytest.param(Case(text, words=words, code="declaration", declarations=True), id=label)


def regression(case: Any, note: str) -> Any:
    """A case that once exposed a parser bug (``note`` says how it behaved); id ``regression-``."""
    assert note
    return pytest.param(*case.values, marks=case.marks, id=f"regression-{case.id}")


def nested(opening: str, inner: str, closing: str, depth: int) -> str:
    return opening * depth + inner + closing * depth


CODE_INJECTION = [
    refused("dunder-import", "__import__('os').system('id')"),
    refused("dunder-class", "x.__class__"),
    refused("dunder-mro", "x.__class__.__mro__"),
    refused("subclasses", "().__class__.__bases__[0].__subclasses__()"),
    refused("lambda", "lambda", "unknown name", code="unknown_name"),
    refused("lambda-colon", "lambda: 0"),
    refused("eval", "eval('1')"),
    refused("exec", "exec", "unknown name", code="unknown_name"),
    refused("exec-call", "exec('import os')"),
    refused("open", "open('/etc/passwd')"),
    refused("import", "import os"),
    refused("statement-separator", "b; import os"),
    refused("comprehension", "[x for x in y]"),
    refused("conditional", "x if b else y"),
    refused("getattr", "getattr(x, 'T')"),
    refused("string-literal", "'x'"),
    refused("double-quoted", '"x" + y'),
    refused("backtick", "`id`"),
    refused("walrus", "(b := 1)"),
    refused("keyword-args", "exp(x=1)"),
    refused("sympy-function", "Matrix([[1]])"),
]

HUGE_NUMBERS = [
    refused("tower-9^9^9^9", "9^9^9^9", "too large", code="limit"),
    refused("2^(20000*x)", "2^(20000*x)", code="shape"),
    either("2^(20000*b)-symbolic", "2^(20000*b)"),
    refused("b^(2^20000)", "b^(2^20000)", "too large", code="limit"),
    refused("b^(10^1000)", "b^(10^1000)", "too large", code="limit"),
    refused("10^1000", "10^1000", "too large", code="limit"),
    refused("x.^(9^9^9)", "x.^(9^9^9)", "too large", code="limit"),
    refused("A^(2^64)", "A^(2^64)", "too large", code="limit"),
    refused("A^-1000", "A^-1000", "too large", code="limit"),
    refused("40-digit-literal", "1" * 40, "too long", code="limit"),
    refused("40-digit-decimal", "3." + "1" * 39, "too long", code="limit"),
    either("tiny-decimal", "0." + "0" * 40 + "1"),
    refused("1e10-ambiguous", "1e10", "ambiguous"),
    refused("1E-5-ambiguous", "x + 1E-5", "ambiguous"),
    either("0^-1", "0^-1 b"),
    either("divide-by-zero", "\\frac{b}{0}"),
    regression(either("power-tower-of-fractions", "b^(((((1/3)^100)^100)^100)^100)"),
        "exact Fraction powers with |base| < 1 are not bounded: runs for minutes"),
    regression(either("power-tower-of-decimals", "b^(((0.1^100)^100)^100)"),
        "same: 10^-1000000 is computed exactly"),
    regression(either("leading-zeros-literal", "0" * 4301 + "1"),
        "int() of a 4301-digit string raises ValueError (Python's int string limit)"),
    regression(either("leading-zeros-decimal", "b + 0." + "0" * 4400 + "1"),
        "same, through Fraction('0.000...1')"),
]

SIZE_AND_NESTING = [
    refused("10000-nested-parens", nested("(", "x", ")", 10_000), "too long", code="limit"),
    same_as("999-nested-parens", nested("(", "x", ")", 999), "x"),
    same_as("999-nested-braces", nested("{", "x", "}", 999), "x"),
    refused("200-nested-neg", nested("-(", "x", ")", 200), "too deeply", code="limit"),
    refused("200-nested-sin", nested("sin(", "b", ")", 200), "too deeply", code="limit"),
    refused("1999-minus-signs", "-" * 1999 + "x", "too deeply", code="limit"),
    regression(either("2000-term-sum", "+".join(["x"] * 2000)),
        "borderline: ~60 ms when this machine is fast, 100-109 ms in its slow phases"),
    either("1500-transposes", "x" + "^T" * 1500),
    refused("1999-primes", "b" + "'" * 1999, "too deeply", code="limit"),
    refused("1-MB", "x" * 1_000_000, "too long", code="limit"),
    refused("1-MB-of-parens", "(" * 1_000_000, "too long", code="limit"),
    refused("5001-characters", "b" * 5001, "too long", code="limit"),
    refused("500-entry-matrix", "[" + ",".join(["1"] * 500) + "]", "too large", code="limit"),
    refused("500-row-matrix", "[" + ";".join(["1"] * 500) + "]", "too large", code="limit"),
    either("400-entry-matrix", "[" + ",".join(["1"] * 400) + "]"),
    refused("eye(1000)", "eye(1000)", "100", code="limit"),
    refused("zeros(3,500)", "zeros(3, 500)", "100", code="limit"),
    refused("I_1000", "I_1000 + A", "100", code="limit"),
    refused("unbalanced-bars", "|" * 1999, "never closed", code="unbalanced"),
    regression(either("product-of-1500-names", "b " * 1500),
        "an n-ary product is rebuilt for every factor: quadratic, ~300 ms at 2,500 factors"),
    regression(either("product-of-1500-transposes", "x'" * 1500), "same quadratic product"),
    regression(either("2000-greek-letters", "\u03b1" * 2000, given="alpha"),
        "same, and normalisation expands past max_length (7 characters per letter)"),
    regression(either("1000-names-run-together", "b" * 1000, given="b"),
        "splitting bbb... into declared names recurses once per letter: RecursionError"),
    regression(either("xy-run-together", "xy" * 1000),
        "same RecursionError"),
    regression(either("999-nested-brackets", "[" * 999 + "1" + "]" * 999),
        "reading comma-less brackets recursed once per level: RecursionError"),
    either("990-spaced-names-in-a-bracket", "[" + "x " * 990 + "]"),
    refused("990-spaced-numbers-in-a-bracket", "[" + "1 " * 990 + "]", "too large",
            code="limit"),
    either("300-bare-functions", "\\sin " * 300 + "x"),
    either("200-function-powers", "\\sin^2 " * 200 + "x"),
    either("wrappers-repeated", "$$" * 500),
    either("left-hand-sides-repeated", "df/dx = " * 200),
    refused("misspelled-function-nested", "trans(" * 250 + "x" + ")" * 250, "transpose(...)",
            code="unknown_name"),
    either("identity-run", "xI" * 900),
    either("transpose-signs-after-names", "x\u22a4" * 900),
    regression(refused("ambiguous-name-split", "a" * 30 + "c", "unknown name", given="a, aa"),
        "splitting into declared names a/aa backtracks exponentially: ~2 s at 31 characters"),
    regression(either("1000-identity-sum", "I+" * 1000 + "A", given="A[n,n]"),
        "unknown sizes are chained without path compression: quadratic, ~200 ms"),
    regression(either("identity-sum-at-length-cap", "I+" * 999 + "A", given="A[n,n]"),
        "linear now, but ~40 us per term: ~110 ms at the length cap (up to 200 ms under load)"),
]

UNICODE = [
    refused("NUL", "x\x00+y", "control character", code="character"),
    refused("only-NUL", "\x00", "control character", code="character"),
    refused("trailing-NUL", "x + y\x00", "control character", code="character"),
    refused("BEL", "x\x07", "control character", code="character"),
    refused("ANSI-escape", "x\x1b[31m + y", "control character", code="character"),
    refused("DEL", "x\x7f", "control character", code="character"),
    refused("NEL", "x\x85y", "control character", code="character"),
    refused("RLO", "x\u202e+y", "not allowed", code="character"),
    refused("RLI", "x\u2067+y", "not allowed", code="character"),
    refused("surrogate", "x\ud800", "not allowed", code="character"),
    refused("private-use", "x\ue000", "not allowed", code="character"),
    refused("tag-character", "x\U000e0041", "not allowed", code="character"),
    refused("cyrillic-x", "\u0445 + y", "did you mean", "'x'", code="character"),
    refused("cyrillic-A", "x^T \u0410 x", "did you mean", "'A'", code="character"),
    refused("greek-omicron", "\u03bf + b", "did you mean", "'o'", code="character"),
    refused("accented-name", "x\u00e9", "not allowed", code="character"),
    refused("cjk-name", "\u53d8\u91cf", "not allowed", code="character"),
    refused("emoji", "x + \U0001f600", "not allowed", code="character"),
    refused("ligature", "\ufb01", "not allowed", code="character"),
    regression(refused("line-separator", "x\u2028+y", "not allowed", code="character"),
        "the message quotes the raw U+2028, so it is not a plain one-line message"),
    regression(refused("ogham-space", "x\u1680+y", "not allowed", code="character"),
        "same with U+1680"),
    same_as("fullwidth", "\uff58\uff0b\uff59", "x+y"),
    same_as("unicode-minus", "x \u2212 y", "x - y"),
    same_as("en-dash", "x \u2013 y", "x - y"),
    same_as("times-sign", "b \u00d7 b", "b*b"),
    same_as("middle-dot", "b \u00b7 x", "b*x"),
    same_as("zero-width-space", "x\u200b+\u200by", "x+y"),
    same_as("byte-order-mark", "\ufeffx + y", "x + y"),
    same_as("no-break-space", "x\u00a0+\u00a0y", "x + y"),
    same_as("superscript-T", "x\u1d40 A x", "x^T A x"),
    same_as("superscript-inverse", "A\u207b\u00b9 x", "A^(-1) x"),
    same_as("superscript-square", "b\u00b2", "b^2"),
    same_as("greek-name", "\u03bb x", "\\lambda x", given="x[n], lambda"),
    same_as("math-italic", "\U0001d465 + y", "x + y"),
    same_as("prime-sign", "x\u2032 x", "x' x"),
]

LATEX = [
    refused("unterminated-bmatrix", "\\begin{bmatrix} 1 & 2", "never closed",
            code="unbalanced"),
    refused("mismatched-env", "\\begin{bmatrix} 1 \\end{pmatrix}", "different environment",
            code="unbalanced"),
    refused("unknown-env", "\\begin{verbatim} 1 \\end{verbatim}", "environment"),
    refused("input", "\\input{/etc/passwd}", "not allowed"),
    refused("input-inside", "x + \\mathbf{\\input{/etc/passwd}}", "not allowed"),
    refused("include", "\\include{x}", "not allowed"),
    refused("write18", "\\write18{id}", "not allowed"),
    refused("immediate-write18", "\\immediate\\write18{rm -rf /}", "not allowed"),
    refused("def", "\\def\\x{1}", "not allowed"),
    refused("let", "\\let\\x\\y", "not allowed"),
    refused("csname", "\\csname", "not allowed"),
    refused("catcode", "\\catcode`\\^=11", "not allowed"),
    refused("openout", "\\openout1=x", "not allowed"),
    refused("usepackage", "\\usepackage{shellesc}", "not allowed"),
    refused("newcommand", "\\newcommand{\\x}{1}", "not known"),
    refused("unbalanced-dollars", "$x", "'$'"),
    refused("percent-comment", "x % + y", "'%'"),
    refused("hash", "#1", "'#'"),
    refused("NUL-in-command", "\\ma\x00thbf{x}", "control character", code="character"),
    refused("NUL-after-command", "\\mathbf\x00{x}", "control character", code="character"),
    refused("lone-backslash", "x \\", "'\\'"),
    refused("frac-missing-argument", "\\frac{1}", "ends too soon"),
    regression(refused("sqrt-with-index", "\\sqrt[3]{b}"),
        "read as sqrt([3]) b, i.e. sqrt(3) times b, instead of a cube root"),
]

SYNTAX = [
    refused("ragged-rows", "[1, 2; 3]", "row 2", code="ragged"),
    refused("ragged-nested", "[[1,2],[3]]", "row 2", code="ragged"),
    refused("mixed-nesting", "[[1,2], 3]", "mix", code="ragged"),
    refused("lone-close", "]", "no matching", code="unbalanced"),
    refused("wrong-close", "(x]", "does not match", code="unbalanced"),
    refused("empty-parens", "(()"),
    refused("unclosed-paren", "(x + y", "never closed", code="unbalanced"),
    refused("unclosed-norm", "\\|x", "never closed", code="unbalanced"),
    refused("dangling-plus", "x +", "ends too soon"),
    refused("plus", "+", "ends too soon"),
    refused("empty", "", "empty"),
    refused("whitespace", "   ", "empty"),
    refused("newlines-and-tabs", "\n\t \r\n", "empty"),
    refused("leading-underscore", "_x", "start with _"),
    refused("double-dot", "x..y", "'.'"),
    refused("unknown-name", "q", "unknown name", code="unknown_name"),
    refused("dimension-mismatch", "x + A", "can't add", code="shape"),
    refused("multiline", "x\n+ y)", "no matching", code="unbalanced"),
    refused("zero-size-identity", "I_0", "from 1 to 100", code="limit"),
    regression(refused("zero-times-n-identity", "I_{0 n}"),
        "a subscript size 0*n is accepted: I_{0 n} is a 0n x 0n identity"),
    regression(refused("zero-times-n-ones", "\\mathbf{1}_{0 n}"),
        "same for ones; its ASCII form ones(0*n) is then refused"),
    regression(refused("digit-led-dimension", "I_0n"),
        "I_0n makes a dimension symbol named '0n' (I_2n is not I_{2n})"),
]

DECLARATIONS = [
    bad_declarations("x[0]", "x[0]", "dimension"),
    bad_declarations("x[101]", "x[101]", "100"),
    bad_declarations("x[1.5]", "x[1.5]", "whole number"),
    bad_declarations("x[-1]", "x[-1]", "declarations"),
    bad_declarations("x[n,n,n]", "x[n,n,n]", "at most 2"),
    bad_declarations("exp[n]", "exp[n]", "function name"),
    bad_declarations("sigma", "sigma", "function name"),
    bad_declarations("e", "e", "reserved"),
    bad_declarations("pi", "pi", "reserved"),
    bad_declarations("I", "I", "reserved"),
    bad_declarations("T", "T[n]", "reserved"),
    bad_declarations("x,x", "x, x", "twice"),
    bad_declarations("W1,W_1", "W1, W_1", "confused"),
    bad_declarations("name-and-dim", "x[n], n", "both"),
    bad_declarations("unclosed", "x[n", "never closed"),
    bad_declarations("python", "__import__('os')", "declarations"),
    bad_declarations("latex-input", "\\input{x}", "not allowed"),
    pytest.param(Case("x\u00e9[n]", declarations=True, words=("not allowed",),
                      code="character"), id="unicode-name"),
    pytest.param(Case("\u0445[n]", declarations=True, words=("did you mean",),
                      code="character"), id="cyrillic-name"),
    pytest.param(Case("x[n]\x00", declarations=True, words=("control character",),
                      code="character"), id="NUL-declaration"),
    pytest.param(Case("x" * 1_000_000, declarations=True, words=("too long",), code="limit"),
                 id="1-MB-declaration"),
    pytest.param(Case("x", given="x[0]", words=("dimension",), code="declaration"),
                 id="bad-given-to-parse"),
]

CASES = [*CODE_INJECTION, *HUGE_NUMBERS, *SIZE_AND_NESTING, *UNICODE, *LATEX, *SYNTAX,
         *DECLARATIONS]


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
