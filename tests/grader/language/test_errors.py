"""Errors: plain messages, a code, and a caret under the right place in the original text."""

from __future__ import annotations

import pytest

from grader import Limits, MatcalcError, ParseError, parse, parse_declarations
from grader.language.declarations import Declarations
from grader.language.shapes import SCALAR, Shape

GIVEN = "x[n], y[n], A[n,n], b, W1[n,n]"


def error_of(text: str, given: str = GIVEN, **kwargs: object) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse(text, given, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_parse_error_is_the_project_error() -> None:
    assert issubclass(ParseError, MatcalcError)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("Sin(x)", "did you mean sin?"),
        ("EXP(x)", "did you mean exp?"),
        ("sinx", "did you mean sin(x)?"),
        ("expb", "did you mean exp(b)?"),
        ("W2 x", "did you mean W1?"),
        ("lambda x", "the declared names are x, y, A, b, W1"),
        ("z", "the declared names are x, y, A, b, W1"),
    ],
)
def test_unknown_names_list_the_declared_ones_and_the_nearest(text: str, hint: str) -> None:
    problem = error_of(text)
    assert problem.code == "unknown_name"
    assert hint in problem.message
    assert problem.position == 0


def test_unknown_name_with_nothing_declared() -> None:
    assert "nothing is declared" in error_of("x", "").message


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("(x + y", "'(' is never closed", 1),
        ("x + y)", "')' has no matching opening bracket", 6),
        ("[x + y)", "')' does not match the '['", 7),
        ("A (x + [y)]", "')' does not match the '['", 10),
        (r"\frac{b}{2", "'{' is never closed", 9),
        (r"\begin{bmatrix} 1 & 2", r"'\begin{bmatrix}' is never closed", 1),
        (r"\begin{bmatrix} 1 \end{pmatrix}", "ends a different environment", 19),
        (r"\left( b \right]", r"'\right]' does not match", 10),
        (r"\|x", r"'\|' is never closed", 1),
    ],
)
def test_unbalanced_brackets_name_the_brackets(text: str, message: str, column: int) -> None:
    problem = error_of(text)
    assert problem.code == "unbalanced"
    assert message in problem.message
    assert problem.line_and_column == (1, column)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2; 3]", "row 2 has 1 entry but row 1 has 2"),
        ("[[1, 2], [3]]", "row 2 has 1 entry but row 1 has 2"),
        (r"\begin{bmatrix} 1 & 2 \\ 3 & 4 & 5 \end{bmatrix}", "row 2 has 3 entries"),
        ("[[1, 2], 3]", "can't mix nested [ ] rows with plain entries"),
    ],
)
def test_ragged_matrices(text: str, message: str) -> None:
    problem = error_of(text)
    assert problem.code == "ragged"
    assert message in problem.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x +", "ends too soon"),
        ("* x", "unexpected '*'"),
        ("x, y", "commas separate matrix entries"),
        ("x.y", "unexpected character '.'"),
        ("2e-3", "ambiguous: write 2*10^-3"),
        (r"\foo x", r"the LaTeX command \foo is not known"),
        (r"\input{/etc/passwd}", r"the LaTeX command \input is not allowed"),
        ("", "the answer is empty"),
        ("   ", "the answer is empty"),
        (r"\begin{array} 1 \end{array}", "unsupported environment 'array'"),
        (r"\|x\|_3", "unknown norm subscript '3'"),
        ("max(x)", "max takes 2 arguments, not 1"),
        ("exp(x, y)", "exp takes 1 argument, not 2"),
        ("eye(2.5)", "must be a positive integer"),
        ("T", "T means transpose only right after ^"),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    assert message in error_of(text).message


def test_caret_points_into_the_original_text_after_unicode_normalisation() -> None:
    # λ becomes "\lambda " internally (8 characters); the caret must still point at 'z'.
    problem = error_of("λ − z", "lambda")
    assert problem.position == 4
    assert str(problem).endswith("λ − z\n    ^")


def test_error_string_shows_message_column_and_caret() -> None:
    problem = error_of("x + x^T")
    assert str(problem) == (
        "can't add n×1 and 1×n; one of them needs a transpose (at column 1)\n"
        "x + x^T\n^^^^^^^"
    )


def test_multi_line_answers_report_the_line() -> None:
    problem = error_of("[1, 2;\n 3, q]")
    assert problem.line_and_column == (2, 5)
    assert "line 2, column 5" in str(problem)


@pytest.mark.parametrize(
    ("text", "limits", "message"),
    [
        ("x" * 50, Limits(max_length=40), "too long (50 characters; the limit is 40)"),
        ("-" * 120 + "b", Limits(), "nested too deeply"),
        ("b^101", Limits(), "exponent too large"),
        ("b^(10^3)", Limits(), "exponent too large"),
        ("9^9^9^9", Limits(), "exponent too large"),
        ("1" * 31, Limits(), "number too long (31 digits"),
        ("eye(101)", Limits(), "a size must be from 1 to 100"),
        ("[" + ", ".join(["1"] * 401) + "]", Limits(), "matrix too large (401 entries"),
    ],
)
def test_limits(text: str, limits: Limits, message: str) -> None:
    problem = error_of(text, limits=limits)
    assert problem.code == "limit"
    assert message in problem.message


def test_declarations() -> None:
    declared = parse_declarations("x[n], w[1,n], A[m,n], b, D[3, 2], lambda")
    assert declared.shape_of("x") == Shape.of("n", 1)
    assert declared.shape_of("w") == Shape.of(1, "n")
    assert declared.shape_of("A") == Shape.of("m", "n")
    assert declared.shape_of("b") == SCALAR
    assert declared.shape_of("D") == Shape.of(3, 2)
    assert declared.dim_symbols == ("m", "n")
    assert str(declared) == "x[n], w[1,n], A[m,n], b, D[3,2], lambda"
    assert parse_declarations(str(declared)) == declared
    assert parse_declarations("") == Declarations()
    assert parse_declarations(r"\mu[n], \Sigma[n,n]").names == ("mu", "Sigma")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("x[0]", "a dimension must be a whole number from 1 to 100"),
        ("x[n,n,n]", "at most 2"),
        ("exp[n]", "'exp' is a function name"),
        ("e", "'e' is reserved for the constant e"),
        ("I[n,n]", "'I' is reserved for the identity"),
        ("T", "'T' is reserved for the transpose"),
        ("x, x", "'x' is declared twice"),
        ("W1, W_1", "'W_1' would be confused with 'W1'"),
        ("x[n], n", "'n' is used both as a name and as a dimension"),
        ("x[n", "'[' is never closed"),
        ("x[n] y", "can't read the declarations: unexpected 'y'"),
    ],
)
def test_bad_declarations(given: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_declarations(given)
    assert message in caught.value.message
    assert caught.value.code == "declaration"
