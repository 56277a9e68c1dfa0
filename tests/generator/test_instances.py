"""Numeric instances: the stated values, checked against answers recomputed with numpy.

The numpy side reads the values from the instance's stated text with its own small reader and
computes each answer from a formula written here (or, across every family, with the float64
oracle of :mod:`tests.grader.numpy_oracle`), never with :mod:`grader.evaluation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest

from generator.export.common import ExportError
from generator.export.instances import FLOAT_DIGITS, NumericInstance, numeric_instance
from generator.families import registry
from generator.family import Family, build
from generator.layout import Layout
from grader.evaluation import break_arguments
from grader.exercise_set import Exercise, Form
from grader.language.parser import parse, parse_declarations
from tests.grader.numpy_oracle import NumpyEvaluator
from tests.grader.numpy_oracle import Point as NumpyPoint


def exercise(given: str, wrt: str, function: str, answer: str, *, seed: int = 1,
             form: Form = "symbolic", kind: str = "gradient") -> Exercise:
    key = parse(answer, given).typed_shape
    return Exercise(
        id="q1", family="test", difficulty=1, seed=seed, layout="numerator", form=form,
        kind=kind, given=given, wrt=wrt, function=function, answer=answer,
        shape=(str(key.rows), str(key.cols)),
        prompt_latex=f"Find the derivative of $f = {function}$.", answer_latex=answer,
        steps_latex=(), mistakes=(), sympy=(),
    )


def read_matrix(text: str) -> np.ndarray:
    """``3``, ``[1; 2]``, ``[1, 2; 3, 4]`` as a 2-D float array (the instance's stated text)."""
    body = text.strip()
    if not body.startswith("["):
        return np.array([[float(Fraction(body))]])
    rows = body.strip("[]").split(";")
    return np.array([[float(Fraction(v)) for v in row.split(",")] for row in rows])


def stated(instance: NumericInstance) -> dict[str, np.ndarray]:
    return {name: read_matrix(text) for name, text in instance.values}


def answer_array(instance: NumericInstance) -> np.ndarray:
    return np.array([[float(v) for v in row] for row in instance.answer])


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-z)))


# Each case: the exercise, and the answer computed by hand with numpy from the stated values.
Formula = Callable[[dict[str, np.ndarray]], np.ndarray]
CASES: dict[str, tuple[Exercise, Formula]] = {
    "quadratic form x^T A x": (
        exercise("x[n], A[n,n]", "x", "x^T A x", "x^T (A + A^T)"),
        lambda v: v["x"].T @ (v["A"] + v["A"].T)),
    "affine map W x + b": (
        exercise("W[m,n], x[n], b[m]", "x", "W x + b", "W", kind="jacobian"),
        lambda v: v["W"]),
    "trace form tr(A X)": (
        exercise("A[p,q], X[q,p]", "X", "tr(A X)", "A"),
        lambda v: v["A"]),
    "log det": (
        exercise("X[n,n]", "X", "log(det(X))", "X^-1"),
        lambda v: np.linalg.inv(v["X"])),
    "inverse quadratic": (
        exercise("x[n], A[n,n]", "x", "x^T A^-1 x", "x^T (A^-1 + A^-T)"),
        lambda v: v["x"].T @ (np.linalg.inv(v["A"]) + np.linalg.inv(v["A"]).T)),
    "sigmoid (irrational)": (
        exercise("z[n]", "z", "sigma(z)", "diag(sigma(z) .* (1 - sigma(z)))", kind="jacobian"),
        lambda v: np.diag((sigmoid(v["z"]) * (1 - sigmoid(v["z"]))).ravel())),
    "explicit Jacobian": (
        exercise("x, y", "x, y", "[3 x^2 y; 2 x + y^8]", "[6 x y, 3 x^2; 2, 8 y^7]",
                 form="explicit", kind="jacobian"),
        lambda v: np.array([[6 * v["x"][0, 0] * v["y"][0, 0], 3 * v["x"][0, 0] ** 2],
                            [2, 8 * v["y"][0, 0] ** 7]])),
    "relu kink": (
        exercise("z[n]", "z", "relu(z)", "diag(step(z))", kind="jacobian"),
        lambda v: np.diag((v["z"] > 0).astype(float).ravel())),
    "log needs positive values": (
        exercise("x[n]", "x", "sum(log(x))", "(1 ./ x)^T"),
        lambda v: (1 / v["x"]).T),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_answer_matches_numpy_from_the_stated_values(name: str) -> None:
    source, formula = CASES[name]
    instance = numeric_instance(source)
    expected = formula(stated(instance))
    got = answer_array(instance)
    assert got.shape == expected.shape, name
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-12), (name, got, expected)
    assert instance.converted and instance.notes and "q1" in instance.notes[0]


def test_sizes_are_small_distinct_and_match_the_values() -> None:
    source, _ = CASES["affine map W x + b"]
    instance = numeric_instance(source)
    sizes = dict(instance.sizes)
    assert set(sizes) == {"m", "n"} and sorted(sizes.values()) == [2, 3]
    values = stated(instance)
    assert values["W"].shape == (sizes["m"], sizes["n"])
    assert values["x"].shape == (sizes["n"], 1) and values["b"].shape == (sizes["m"], 1)
    assert all(abs(v) >= 1 for array in values.values() for v in array.ravel())


def test_every_value_and_size_is_stated_in_the_question() -> None:
    source, _ = CASES["inverse quadratic"]
    instance = numeric_instance(source)
    assert instance.prompt_latex.startswith(source.prompt_latex)
    for symbol, size in instance.sizes:
        assert f"{symbol} = {size}" in instance.prompt_latex
    for name_latex, value_latex in instance.values_latex:
        assert f"{name_latex} = {value_latex}" in instance.prompt_latex
    assert "\\mathbf{x} = \\begin{bmatrix}" in instance.prompt_latex  # vectors in bold


def test_exact_answers_are_fractions_and_irrational_ones_are_marked() -> None:
    exact = numeric_instance(CASES["log det"][0])
    assert exact.exact and all(isinstance(v, Fraction) for row in exact.answer for v in row)
    irrational = numeric_instance(CASES["sigmoid (irrational)"][0])
    assert not irrational.exact
    assert f"{FLOAT_DIGITS} digits" in irrational.notes[0]
    diagonal = irrational.answer[0][0]
    digits = len(str(abs(diagonal.numerator)).rstrip("0"))
    assert FLOAT_DIGITS - 2 <= digits <= FLOAT_DIGITS


def test_kinks_and_undefined_points_are_avoided() -> None:
    for seed in range(20):
        relu = numeric_instance(exercise("z[n], w[n]", "z", "relu(z - w)", "diag(step(z - w))",
                                         seed=seed, kind="jacobian"))
        values = stated(relu)
        assert np.all(values["z"] != values["w"]), seed
        logs = numeric_instance(exercise("x[n]", "x", "sum(log(x))", "(1 ./ x)^T", seed=seed))
        assert np.all(stated(logs)["x"] > 0), seed


def test_kinks_with_irrational_arguments_are_avoided() -> None:
    for seed in range(10):  # max(exp(w), exp(x)) has its kink where exp(w) - exp(x) = 0
        instance = numeric_instance(exercise(
            "w[n], x[n]", "w", "sum(max(exp(w), exp(x)))",
            "(step(exp(w) - exp(x)) .* exp(w))^T", seed=seed))
        values = stated(instance)
        assert np.all(values["w"] != values["x"]), seed


def test_the_same_exercise_gives_the_same_instance_and_seeds_differ() -> None:
    source, _ = CASES["quadratic form x^T A x"]
    assert numeric_instance(source) == numeric_instance(source)
    others = {numeric_instance(exercise("x[n], A[n,n]", "x", "x^T A x", "x^T (A + A^T)",
                                        seed=seed)).values for seed in range(5)}
    assert len(others) > 1


def test_numeric_exercises_are_used_as_they_are() -> None:
    family = registry()["quadratic"]
    numeric = build(family, 3, family.difficulties[0], "numeric", "numerator", "q4")
    instance = numeric_instance(numeric)
    assert not instance.converted and instance.notes == ()
    assert instance.values == numeric.values and instance.prompt_latex == numeric.prompt_latex
    assert answer_array(instance).shape == (int(numeric.shape[0]), int(numeric.shape[1]))
    numbers = [Fraction(t) for t in re.findall(r"-?\d+(?:/\d+)?", numeric.answer)]
    assert [v for row in instance.answer for v in row] == numbers


def test_a_key_undefined_everywhere_is_an_error_naming_the_exercise() -> None:
    impossible = exercise("x[n]", "x", "x^T x", "(1 / (x^T x - x^T x)) x^T")
    with pytest.raises(ExportError, match="q1"):
        numeric_instance(impossible)


SYMBOLIC: list[tuple[Family, Form]] = [(family, form) for family in registry().values()
                                       for form in family.forms if form != "numeric"]


@pytest.mark.parametrize("family, form", SYMBOLIC,
                         ids=[f"{f.name}-{form}" for f, form in SYMBOLIC])
def test_every_family_instance_agrees_with_the_numpy_oracle(family: Family, form: Form) -> None:
    for seed in range(3):
        layout: Layout = "denominator" if seed % 2 else "numerator"
        difficulty = family.difficulties[seed % len(family.difficulties)]
        source = build(family, seed, difficulty, form, layout, "q1")
        instance = numeric_instance(source)
        declarations = parse_declarations(source.given)
        point = NumpyPoint(dict(instance.sizes), stated(instance))
        key = parse(source.answer, declarations)
        expected = NumpyEvaluator(point).evaluate(key).v
        got = answer_array(instance)
        assert got.shape == expected.shape, source.answer
        assert np.allclose(got, expected, rtol=1e-9, atol=1e-9), (source.answer, got, expected)
        function = parse(source.function, declarations)
        NumpyEvaluator(point).evaluate(function)  # defined there (raises if not)
        for argument in break_arguments(function, key):
            assert np.all(NumpyEvaluator(point).evaluate(argument).v != 0), source.function
