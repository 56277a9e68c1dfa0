"""Parr & Howard's own worked examples, as fixed cases.

Each is checked two ways, independently: the grader accepts the paper's answer (and rejects a
typical wrong one), and central finite differences of the function, computed here in 50-digit
arithmetic, agree with the paper's answer.  Where an example is one of the generated exercises
(``scalar_rules``, ``explicit_jacobian``, ``sum_reduction``, ``chain_rules``), the exercise is
found among the family's seeds and its key is checked against the paper's answer too.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import mpmath
import pytest

from generator.families import registry
from generator.family import build
from grader import check
from grader.evaluation import Mat, Point, evaluate
from grader.exercise_set import Exercise
from grader.language.parser import parse, parse_declarations

STEP = mpmath.mpf(10) ** -20
TOLERANCE = mpmath.mpf(10) ** -15
Values = dict[str, Any]  # a name's value: a number, or a list of rows


# --- finite differences, written here (not generator.verify's) ------------------------------

def _point(values: Values, sizes: dict[str, int] | None = None) -> Point:
    mats: dict[str, Mat] = {}
    for name, value in values.items():
        rows = value if isinstance(value, list) else [[value]]
        rows = [row if isinstance(row, list) else [row] for row in rows]  # a column [a, b, c]
        mats[name] = Mat(len(rows), len(rows[0]),
                         tuple(Fraction(v) for row in rows for v in row))
    return Point(dict(sizes or {}), mats)


def _flat(m: Mat) -> list[Any]:
    """Column-major entries."""
    return [m.at(i, j) for j in range(m.cols) for i in range(m.rows)]


def _shift(point: Point, name: str, index: int, delta: Any) -> Point:
    values = dict(point.values)
    old = values[name]
    data = [_mpf(v) for v in old.data]
    row, col = index % old.rows, index // old.rows  # column-major index
    data[row * old.cols + col] += delta
    values[name] = Mat(old.rows, old.cols, tuple(data))
    return Point(point.sizes, values)


def finite_differences(function: str, given: str, wrt: str, point: Point) -> list[list[Any]]:
    """Numerator-layout derivative of ``function`` by ``wrt`` (a name, or "x, y" scalars) by
    central differences: one column per entry of the variable (column-major)."""
    tree = parse(function, parse_declarations(given))
    names = [name.strip() for name in wrt.split(",")]
    if len(names) > 1:
        entries = [(name, 0) for name in names]
    else:
        variable = point.values[names[0]]
        entries = [(names[0], k) for k in range(variable.rows * variable.cols)]
    columns = []
    with mpmath.workdps(60):
        for name, index in entries:
            up = _flat(evaluate(tree, _shift(point, name, index, STEP), exact=False))
            down = _flat(evaluate(tree, _shift(point, name, index, -STEP), exact=False))
            columns.append([(a - b) / (2 * STEP) for a, b in zip(up, down, strict=True)])
    return [[column[i] for column in columns] for i in range(len(columns[0]))]


def value(answer: str, given: str, point: Point) -> list[list[Any]]:
    return evaluate(parse(answer, parse_declarations(given)), point, exact=False).entries()


def _mpf(v: Any) -> Any:
    return mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else v


def assert_close(a: Sequence[Sequence[Any]], b: Sequence[Sequence[Any]]) -> None:
    assert (len(a), len(a[0])) == (len(b), len(b[0])), (a, b)
    for row_a, row_b in zip(a, b, strict=True):
        for x, y in zip(map(_mpf, row_a), map(_mpf, row_b), strict=True):
            assert abs(x - y) <= TOLERANCE * max(1, abs(x), abs(y)), (a, b)


def assert_derivative(function: str, answer: str, given: str, wrt: str,
                      points: Sequence[Point]) -> None:
    for point in points:
        assert_close(finite_differences(function, given, wrt, point), value(answer, given, point))


def assert_correct(key: str, answer: str, given: str) -> None:
    verdict = check(key, answer, given)
    assert verdict.status == "correct", (key, answer, verdict.status, verdict.feedback)


def assert_wrong(key: str, answer: str, given: str) -> None:
    verdict = check(key, answer, given)
    assert verdict.status in ("incorrect", "wrong_shape"), (key, answer, verdict.status)


def scalar_points(names: str, *rows: Sequence[str]) -> list[Point]:
    return [_point(dict(zip(names.split(), (Fraction(v) for v in row), strict=True)))
            for row in rows]


# --- finding the examples among the generated exercises -------------------------------------

_FOUND: dict[tuple[str, int, str, str, str], int] = {}


def exercise(family: str, difficulty: int, form: str, function: str, wrt: str,
             layout: str = "numerator") -> Exercise:
    """The family's exercise asking for the derivative of ``function`` by ``wrt`` (the first
    seed that drafts it)."""
    found = (family, difficulty, form, function, wrt)
    if found not in _FOUND:
        drafting = registry()[family].draft
        for seed in range(5000):
            draft = drafting(random.Random(seed), difficulty, form)  # type: ignore[arg-type]
            if (draft.function, draft.wrt) == (function, wrt):
                _FOUND[found] = seed
                break
        else:
            pytest.fail(f"{family} never drafts {function!r} by {wrt}")
    made = build(registry()[family], _FOUND[found], difficulty,
                 form, layout, "paper")  # type: ignore[arg-type]
    declarations = parse_declarations(made.given)
    assert parse(made.function, declarations) == parse(function, declarations)  # canonical text
    assert made.wrt == wrt
    return made


# --- §3: partial derivatives and the gradient -----------------------------------------------

def test_gradient_of_3x2y() -> None:
    function, paper, given = "3 x^2 y", "[6 y x, 3 x^2]", "x, y"
    assert_derivative(function, paper, given, "x, y",
                      scalar_points("x y", ("7/5", "-2/3"), ("-3", "1/7"), ("1/2", "5")))
    generated = exercise("scalar_rules", 1, "explicit", function, "x, y")
    assert generated.given == given and generated.wrt == "x, y"
    assert_correct(generated.answer, paper, given)
    assert_correct(paper, r"\begin{bmatrix} 6xy & 3x^2 \end{bmatrix}", given)
    assert_wrong(paper, "[6 y x; 3 x^2]", given)  # a column: the other layout
    assert_wrong(paper, "[6 x y + 3 x^2, 3 x^2 + 6 x y]", given)  # y treated as a function of x
    denominator = exercise("scalar_rules", 1, "explicit", function, "x, y", "denominator")
    assert_correct(denominator.answer, "[6 y x; 3 x^2]", given)


# --- §4.1: the Jacobian ----------------------------------------------------------------------

def test_jacobian_of_3x2y_and_2x_plus_y8() -> None:
    function, paper, given = "[3 x^2 y; 2 x + y^8]", "[6 y x, 3 x^2; 2, 8 y^7]", "x, y"
    assert_derivative(function, paper, given, "x, y",
                      scalar_points("x y", ("6/5", "-4/7"), ("-2", "3/2"), ("1/3", "1")))
    generated = exercise("explicit_jacobian", 1, "explicit", function, "x, y")
    assert generated.kind == "jacobian"
    assert_correct(generated.answer, paper, given)
    assert_wrong(paper, "[6 y x, 2; 3 x^2, 8 y^7]", given)  # the transpose
    # ∇g for g = 2x + y⁸ on its own, and the denominator layout's Jᵀ.
    assert_derivative("2 x + y^8", "[2, 8 y^7]", given, "x, y",
                      scalar_points("x y", ("1/2", "-3/2")))
    denominator = exercise("explicit_jacobian", 1, "explicit", function, "x, y",
                           "denominator")
    assert_correct(denominator.answer, "[6 y x, 2; 3 x^2, 8 y^7]", given)


# --- §4.4 and §5: the dot product, the affine function and the neuron -----------------------

VECTORS = "w[n], x[n], b"
NEURON_POINTS = [
    # w·x + b = 17/6 > 0: active
    _point({"w": [1, Fraction(-1, 2), 2], "x": [Fraction(3, 2), 2, 1], "b": Fraction(1, 3)},
           {"n": 3}),
    # w·x + b = -31/60 < 0: not active
    _point({"w": [Fraction(-2, 3), 1, Fraction(1, 5), 3], "x": [1, Fraction(-1, 4), 2, 1],
            "b": -3}, {"n": 4}),
]


def test_affine_by_w_and_b() -> None:
    assert_derivative("w^T x + b", "x^T", VECTORS, "w", NEURON_POINTS)
    assert_derivative("w^T x + b", "1", VECTORS, "b", NEURON_POINTS)
    assert_correct("x^T", r"\mathbf{x}^\top", VECTORS)
    assert_correct("x^T", "ones(n)^T diag(x)", VECTORS)  # the paper's 1ᵀ diag(x)
    assert_wrong("x^T", "x", VECTORS)
    assert_wrong("x^T", "w^T", VECTORS)
    by_w = exercise("sum_reduction", 1, "symbolic", "w^T x", "w")
    by_x = exercise("sum_reduction", 1, "symbolic", "sum(w .* x)", "x")  # w·x = sum(w ⊗ x)
    assert_correct(by_x.answer, "w^T", by_x.given)
    assert_correct(by_w.answer, "x^T", by_w.given)
    assert_derivative(by_w.function, "x^T", by_w.given, "w", [
        _point({"w": [1, 2, Fraction(-1, 3)], "x": [Fraction(5, 7), -1, 4]}, {"n": 3})])


def test_neuron_activation() -> None:
    function, given = "max(0, w^T x + b)", VECTORS
    active, inactive = NEURON_POINTS
    for point in NEURON_POINTS:
        z = value("w^T x + b", given, point)[0][0]
        expected_w = "x^T" if z > 0 else "0 x^T"  # xᵀ when active, 0ᵀ when not
        expected_b = "1" if z > 0 else "0"
        assert_derivative(function, expected_w, given, "w", [point])
        assert_derivative(function, expected_b, given, "b", [point])
        assert_derivative(function, "step(w^T x + b) x^T", given, "w", [point])
    assert value("w^T x + b", given, active)[0][0] > 0
    assert value("w^T x + b", given, inactive)[0][0] < 0
    assert_correct("step(w^T x + b) x^T", "x^T step(b + x^T w)", given)
    assert_correct("step(w^T x + b)", r"\operatorname{step}(\mathbf{w}^\top \mathbf{x} + b)",
                   given)
    assert_wrong("step(w^T x + b) x^T", "step(w^T x + b) w^T", given)
    assert_wrong("step(w^T x + b) x^T", "step(w^T x + b) x", given)


# --- §6: the gradient of the MSE loss for a small fixed data set ---------------------------

DATA_X = ([1, 2], [-2, 1], [3, -1])
DATA_Y = (3, -1, 2)
LOSS_GIVEN = "w[2], b"


def _column(v: Sequence[int]) -> str:
    return "[" + "; ".join(str(c) for c in v) + "]"


def _row(v: Sequence[int]) -> str:
    return "[" + ", ".join(str(c) for c in v) + "]"


def _z(i: int) -> str:
    return f"(w^T {_column(DATA_X[i])} + b)"


LOSS = "(1/3) (" + " + ".join(
    f"({y} - max(0, {_z(i)}))^2" for i, y in enumerate(DATA_Y)) + ")"
# ∂C/∂w = (2/N) Σ_active eᵢ xᵢᵀ, eᵢ = w·xᵢ + b − yᵢ (the step picks the active samples).
GRAD_W = "(2/3) (" + " + ".join(
    f"step{_z(i)} ({_z(i)} - {y}) {_row(DATA_X[i])}" for i, y in enumerate(DATA_Y)) + ")"
GRAD_B = "(2/3) (" + " + ".join(
    f"step{_z(i)} ({_z(i)} - {y})" for i, y in enumerate(DATA_Y)) + ")"


def test_mse_loss_gradient() -> None:
    points = [_point({"w": [Fraction(1, 2), -1], "b": Fraction(1, 4)}),
              _point({"w": [Fraction(3, 2), Fraction(2, 3)], "b": Fraction(-1, 5)}),
              _point({"w": [Fraction(-1, 3), Fraction(1, 7)], "b": 2})]
    for point in points:
        # The paper's sum over the active samples, computed here in plain Python.
        w = [point.values["w"].data[0], point.values["w"].data[1]]
        b = point.values["b"].value
        grad_w, grad_b = [Fraction(0), Fraction(0)], Fraction(0)
        active = 0
        for xi, yi in zip(DATA_X, DATA_Y, strict=True):
            z = w[0] * xi[0] + w[1] * xi[1] + b
            if z > 0:
                active += 1
                e = z - yi
                grad_w = [g + Fraction(2, 3) * e * c for g, c in zip(grad_w, xi, strict=True)]
                grad_b += Fraction(2, 3) * e
        assert_close(finite_differences(LOSS, LOSS_GIVEN, "w", point), [grad_w])
        assert_close(finite_differences(LOSS, LOSS_GIVEN, "b", point), [[grad_b]])
        assert_close(value(GRAD_W, LOSS_GIVEN, point), [grad_w])
        assert_close(value(GRAD_B, LOSS_GIVEN, point), [[grad_b]])
    counts = {int(sum(value(f"step{_z(i)}", LOSS_GIVEN, p)[0][0] for i in range(3)))
              for p in points}
    assert counts == {1, 2, 3}  # some samples active, some not
    # The chain rule written the paper's way, −(2/N) Σ (yᵢ − act(zᵢ)) ∂act/∂w: the same function.
    chain = "-(2/3) (" + " + ".join(
        f"({y} - max(0, {_z(i)})) step{_z(i)} {_row(DATA_X[i])}"
        for i, y in enumerate(DATA_Y)) + ")"
    assert_correct(GRAD_W, chain, LOSS_GIVEN)
    assert_wrong(GRAD_W, "-" + GRAD_W, LOSS_GIVEN)  # sign of eᵢ
    assert_wrong(GRAD_W, GRAD_W.replace("(2/3)", "(1/3)", 1), LOSS_GIVEN)  # missing 2


# --- §4.5: the chain rules ------------------------------------------------------------------

CHAIN_POINTS = scalar_points("x", ("7/5",), ("-6/7",), ("1/3",), ("9/4",))


@pytest.mark.parametrize(("function", "paper", "difficulty"), [
    ("sin(x^2)", "2 x cos(x^2)", 1),
    ("ln(sin(x^3)^2)", "6 x^2 cos(x^3) / sin(x^3)", 3),
    ("x + x^2", "1 + 2 x", 2),
    ("sin(x + x^2)", "cos(x + x^2) (1 + 2 x)", 2),
    ("x x^2", "3 x^2", 2),
    ("[ln(x^2); sin(3 x)]", "[2/x; 3 cos(3 x)]", 3),
])
def test_chain_rule_examples(function: str, paper: str, difficulty: int) -> None:
    assert_derivative(function, paper, "x", "x", CHAIN_POINTS)
    generated = exercise("chain_rules", difficulty, "explicit", function, "x")
    assert generated.given == "x" and generated.wrt == "x"
    assert_correct(generated.answer, paper, "x")
    for mistake in generated.mistakes:
        assert_wrong(paper, mistake.answer, "x")


def test_chain_rule_wrong_answers() -> None:
    assert_wrong("1 + 2 x", "2 x", "x")  # the direct path dropped
    assert_wrong("cos(x + x^2) (1 + 2 x)", "cos(x + x^2)", "x")
    assert_wrong("2 x cos(x^2)", "cos(2 x)", "x")
    assert_wrong("[2/x; 3 cos(3 x)]", "[2/x, 3 cos(3 x)]", "x")  # a row: the other layout
    # ln x² → 2/x (§2), the scalar example behind the first component.
    assert_derivative("ln(x^2)", "2 / x", "x", "x", CHAIN_POINTS)


def test_vector_chain_rule_elementwise_is_diagonal() -> None:
    """f(g(x)) with element-wise pieces: diag(f'(g(x)) ⊙ g'(x))."""
    given = "x[n]"
    points = [_point({"x": [Fraction(3, 5), Fraction(-4, 3), Fraction(7, 4)]}, {"n": 3})]
    assert_derivative("sin(x .^ 2)", "2 diag(x .* cos(x .^ 2))", given, "x", points)
    generated = exercise("chain_rules", 2, "symbolic", "sin(x .^ 2)", "x")
    assert_correct(generated.answer, "diag(2 x .* cos(x .^ 2))", given)
    assert_wrong(generated.answer, "2 x .* cos(x .^ 2)", given)
