"""matcalc diff through its CLI, and the check that refuses a wrong derivative."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from generator.calculus import DerivativeCheckError, UnsupportedOperation
from generator.calculus.checking import check_derivative
from generator.calculus.derivative import derivative
from generator.cli import root
from grader.language.parser import parse, parse_declarations


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(root, ["diff", *args])
    return result.exit_code, result.output


def test_json_fields_and_layouts() -> None:
    code, out = run("--given", "x[n], A[n,n]", "--wrt", "x", "--json", "x^T A x")
    assert code == 0
    record = json.loads(out)
    assert record["derivative"] == "x^T (A + A^T)"
    assert record["shape"] == ["1", "n"]
    assert record["kind"] == "gradient"
    assert record["sympy"] and record["steps_latex"] and record["latex"]
    code, out = run("--given", "x[n], A[n,n]", "--wrt", "x", "--layout", "denominator",
                    "--json", "x^T A x")
    assert json.loads(out)["shape"] == ["n", "1"]


def test_almost_everywhere_is_said() -> None:
    code, out = run("--given", "x[n], W[m,n], b[m]", "--wrt", "x", "relu(W x + b)")
    assert code == 0 and "almost everywhere" in out and "relu" in out


def test_hessian_and_list_of_scalars() -> None:
    code, out = run("--given", "x[n], A[n,n], b[n]", "--wrt", "x", "--hessian",
                    "x^T A x + b^T x")
    assert code == 0 and out.splitlines()[0] == "A + A^T"
    code, out = run("--given", "x, y", "--wrt", "x, y", "[x^2 y; sin(x y)]")
    assert code == 0 and "2×2" in out


def test_unsupported_and_bad_input_are_messages() -> None:
    code, out = run("--given", "X[n,n]", "--wrt", "X", "X^T X")
    assert code == 1 and "transposed matrix" in out and "Traceback" not in out
    code, out = run("--given", "x[n]", "--wrt", "y", "x")
    assert code == 1 and "not declared" in out
    code, out = run("--given", "x[n]", "--wrt", "x", "x +")
    assert code == 1 and "error" in out


def test_the_signature_other_code_calls() -> None:
    declarations = parse_declarations("X[n,n]")
    result = derivative(parse("log(det(X))", declarations), "X", declarations, "denominator")
    assert result == parse("X^-T", declarations)
    with pytest.raises(UnsupportedOperation, match="transposed"):
        derivative(parse("X^T X", declarations), "X", declarations, "numerator")


def test_a_wrong_derivative_is_refused() -> None:
    declarations = parse_declarations("x[n], A[n,n]")
    function = parse("x^T A x", declarations)
    wrong = parse("2 x^T A", declarations)  # right only for a symmetric A
    with pytest.raises(DerivativeCheckError):
        check_derivative(function, "x", declarations, "numerator", wrong)
    check_derivative(function, "x", declarations, "numerator",
                     parse("x^T (A + A^T)", declarations))
