"""The hostile inputs of the answer language, with what must come of each: one list shared by
the parser's own test (tests/grader/language/test_hostile.py) and the web app's
(tests/web/test_hostile_http.py), so that a case added here is tried everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

GIVEN = "x[n], y[n], A[n,n], b"


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
