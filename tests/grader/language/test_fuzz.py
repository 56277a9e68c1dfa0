"""Hypothesis fuzzing of the answer language: only ``ParseError`` escapes; printing round-trips.

Each test is bounded by ``max_examples`` so that it finishes in well under 20 s; ``deadline=None``
because the timing bound of a single parse is checked by ``test_hostile.py``, not here.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import grader
from grader import ParseError
from grader.language import nodes as n

GIVEN = "x[n], y[n], z[n], w[n], mu[n], A[n,n], B[n,n], S[n,n], X[m,n], W[m,n], b, c, t, lambda"
CODES = {"syntax", "unknown_name", "unbalanced", "ragged", "shape", "limit", "character",
         "declaration", "ambiguous"}

#: Single characters of the language, weighted by repetition.
LANGUAGE_CHARACTERS = "xyAb0123456789+-*/^'()[]{},;.|\\&_ " + "xxyAAb  ()^T"
#: Multi-character pieces: LaTeX commands, operators, function names and Unicode stand-ins.
LANGUAGE_PIECES = (
    "\\frac", "\\mathbf{", "\\left(", "\\right)", "\\left[", "\\right]", "\\begin{bmatrix}",
    "\\end{bmatrix}", "\\begin{pmatrix}", "\\end{pmatrix}", "\\|", "\\top", "\\cdot", "\\times",
    "\\odot", "\\circ", "\\otimes", "\\oslash", "\\sqrt", "\\det", "\\log", "\\exp", "\\sigma",
    "\\lambda", "\\mu", "\\operatorname{tr}", "\\mathrm{T}", "\\\\", "\\,", "\\left|", "\\right|",
    "\\lVert", "\\rVert", "\\input", "\\def", "^T", "^{-1}", "^{\\top}", "^-T", ".*", "./", ".^",
    ".T", "**", "@", "_n", "_{n}", "_{m \\times n}", "I", "e", "pi", "T", "mu", "S", "X", "W", "z",
    "sum", "tr", "det", "diag", "softmax", "sigma", "exp", "log", "norm", "kron", "max", "eye",
    "ones", "zeros", "relu", "vec", "inv", "1e5", "0.5", "\u2212", "\u00d7", "\u1d40",
    "\u207b\u00b9", "\u00b2", "\u03c3", "\u03bb", "\uff58", "\u0445", "\u200b", "\u00a0", "\x00",
    "\n",
)

language_text = st.lists(
    st.one_of(st.sampled_from(LANGUAGE_CHARACTERS), st.sampled_from(LANGUAGE_PIECES)),
    max_size=40,
).map("".join)
any_text = st.one_of(st.text(max_size=80), st.text(alphabet=LANGUAGE_CHARACTERS, max_size=80),
                     language_text)

DECLARATION_CHARACTERS = "xyAbnmW_1209[],; \\-.^"
DECLARATION_PIECES = ("x", "A", "W1", "W_1", "n", "m", "[n]", "[n,n]", "[m, n]", "[3]", "[0]",
                      "[101]", "[1.5]", "[n,n,n]", ", ", "e", "pi", "I", "T", "exp", "sigma",
                      "\\sigma", "\\alpha", "\u03b1", "\u0445", "\uff41", "mu", "lambda")
declaration_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=DECLARATION_CHARACTERS, max_size=40),
    st.lists(st.one_of(st.sampled_from(DECLARATION_CHARACTERS),
                       st.sampled_from(DECLARATION_PIECES)), max_size=20).map("".join),
)

#: Valid answers (each parses against GIVEN) to mutate.
CORPUS = (
    "x^T (A + A^T)", "2 A^T (A x - b x)", "(A + A^T) x", "-2 S^-1 (x - mu)",
    "diag(sigma(z) .* (1 - sigma(z)))", "det(A) A^-T", "[6 b c, 3 b^2; 2, 8 c^7]",
    "\\frac{2}{t} X^\\top (X w - W y)", "\\mathbf{x}^\\top(A+A^\\top)",
    "diag(softmax(z)) - softmax(z) softmax(z)^T", "kron(A, B)", "A \\otimes B", "\\|x - y\\|^2",
    "norm(x, 1)", "tr(A^T B)", "\\sin(b) + \\cos(c)^2", "x x^T", "I_n - A", "eye(n) + A",
    "\\mathbf{1}_n^\\top x", "zeros(m, n)", "max(0, z)", "x ./ (1 + exp(-x))", "b^{-1/2}",
    "x.^2", "\\sqrt{b}", "|b| + |c|", "\\left( A + B \\right)^{-1}",
    "\\begin{bmatrix} b & c \\\\ 1 & 0 \\end{bmatrix}", "vec(A)", "sum(x .* y)", "\\log\\det S",
    "-(x - mu)^T S^{-1}", "0.5 x^T A x", "A^2 + 3A", "A.T @ x", "e^b", "\\lambda x",
    "x\u1d40 A x", "S\u207b\u00b9 (x \u2212 \u03bc)",
)


def check_error(error: ParseError, text: str) -> None:
    """A refusal is a plain message with a known code and a position inside the text."""
    assert error.message.strip()
    assert error.message.isprintable()
    assert error.code in CODES
    if error.position is not None:
        assert 0 <= error.position <= len(text)
    str(error)  # the caret rendering must not fail either


def parse_or_refuse(text: str, given: str = GIVEN) -> n.Node | None:
    """The tree of ``text``, or None when it is refused with a well-formed ``ParseError``."""
    try:
        return grader.parse(text, given)
    except ParseError as error:
        check_error(error, text)
        return None


def check_round_trip(tree: n.Node, given: str = GIVEN) -> None:
    """Both printers' output parses back to a tree equal to ``tree``."""
    ascii_text = grader.print_ascii(tree)
    assert grader.parse(ascii_text, given) == tree, ascii_text
    latex_text = grader.print_latex(tree)
    assert grader.parse(latex_text, given) == tree, latex_text


@pytest.fixture(scope="module", autouse=True)
def warm_parser() -> None:
    """Build the parser once so the first example does not pay for it."""
    grader.parse("x^T A x", GIVEN)


def test_corpus_parses_and_round_trips() -> None:
    """The mutation corpus is valid, so mutants start from real answers."""
    for text in CORPUS:
        check_round_trip(grader.parse(text, GIVEN))


#: Inputs the fuzzers once found breaking the properties (parser bugs since fixed).
FOUND_BY_FUZZING = [
    # I_2n: a dimension symbol named "2n"; its LaTeX I_{2n} reads back as size 2*n.
    pytest.param("I_2n + b", id="regression-I_2n-latex-round-trip"),
    # I_0A: a dimension symbol "0A" although A is a declared matrix; I_{0A} is refused.
    pytest.param("I_0A", id="regression-I_0A-latex-round-trip"),
    # A size 0*n is accepted in a subscript; its ASCII form ones(0*n) is refused.
    pytest.param("\\mathbf{1}_{0 n}", id="regression-zero-size-ascii-round-trip"),
    # 4,301 leading zeros pass the digit limit, then int() raises ValueError.
    pytest.param("0" * 4301 + "1", id="regression-leading-zeros-ValueError"),
    # A function name as a size: I_exp parses, its LaTeX I_{exp} is refused.
    pytest.param("I_exp", id="regression-I_exp-latex-round-trip"),
]


@pytest.mark.parametrize("text", FOUND_BY_FUZZING)
def test_found_by_fuzzing(text: str) -> None:
    """Minimal failing inputs found by the fuzz tests below."""
    tree = parse_or_refuse(text)
    if tree is not None:
        check_round_trip(tree)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
@example(text="")
@example(text="\\")
@example(text="x^")
def test_parse_raises_only_parse_error(text: str) -> None:
    """Arbitrary text is parsed or refused with ParseError; a parse round-trips."""
    tree = parse_or_refuse(text)
    if tree is not None:
        check_round_trip(tree)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=declaration_text)
@example(text="x[n], A[n,n], b")
@example(text="x[")
def test_parse_declarations_raises_only_parse_error(text: str) -> None:
    """Arbitrary declaration text is read or refused with ParseError."""
    try:
        declarations = grader.parse_declarations(text)
    except ParseError as error:
        check_error(error, text)
    else:
        # What was read can be written back and read again.
        assert grader.parse_declarations(str(declarations)) == declarations


@st.composite
def mutants(draw: st.DrawFn) -> str:
    """A corpus answer after a few random character insertions, deletions and swaps."""
    text = draw(st.sampled_from(CORPUS))
    alphabet = st.one_of(st.sampled_from(LANGUAGE_CHARACTERS), st.sampled_from(LANGUAGE_PIECES),
                         st.characters())
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(("insert", "delete", "swap", "replace")))
        where = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:where] + draw(alphabet) + text[where:]
        elif kind == "delete" and text:
            stop = min(len(text), where + draw(st.integers(1, 3)))
            text = text[:where] + text[stop:]
        elif kind == "swap" and len(text) >= 2:
            i = min(where, len(text) - 2)
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        elif kind == "replace" and where < len(text):
            text = text[:where] + draw(alphabet) + text[where + 1 :]
    return text


@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutants())
@example(text="I_xA")  # the size of I is one word, in ASCII and in LaTeX braces alike
def test_mutated_answers(text: str) -> None:
    """A mutated answer is parsed or refused with ParseError; a parse round-trips."""
    tree = parse_or_refuse(text)
    if tree is not None:
        check_round_trip(tree)
