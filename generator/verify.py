"""Checking every generated exercise by methods independent of how its answer was written.

1. Central finite differences of ``function`` at random points and two sets of concrete sizes, in
   50-digit arithmetic (so a step of 1e-15 leaves an error far below the 1e-9 tolerance), laid
   out as the exercise's layout says, against the value of ``answer``.
2. The grader accepts the key in ASCII and in LaTeX and rejects every listed mistake.
3. The ``sympy`` srepr fields evaluate to the same numbers as ``function`` and ``answer``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import mpmath

from generator.family import GenerationError, variable_shape
from grader.checker import check
from grader.errors import ParseError
from grader.evaluation import DomainError, Mat, Point, evaluate
from grader.exercise_set import Exercise
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.parser import parse, parse_declarations
from grader.sampling import Regime, sample_point, size_assignments
from grader.verdict import CheckOptions

STEP = mpmath.mpf(10) ** -15
TOLERANCE = mpmath.mpf(10) ** -9


class VerificationError(GenerationError):
    """A generated exercise failed a check: a bug in its family."""


def verify(exercise: Exercise, *, seed: int = 0, grader_checks: bool = True) -> None:
    """Raise :class:`VerificationError` saying what failed; return quietly if all is well."""
    declarations = parse_declarations(exercise.given)
    function = parse(exercise.function, declarations)
    key = parse(exercise.answer, declarations)
    if exercise.form != "numeric":
        finite_differences(exercise, declarations, function, key, seed)
    if grader_checks:
        self_check(exercise)


def finite_differences(exercise: Exercise, declarations: Declarations, function: n.Node,
                       key: n.Node, seed: int) -> None:
    rng = random.Random(seed)
    names = [name.strip() for name in exercise.wrt.split(",")]
    scalar_variable = variable_shape(exercise.wrt, declarations).is_scalar
    failure: DomainError | None = None
    for sizes in size_assignments(declarations.dim_symbols, 2):
        for attempt in range(6):  # off a domain (log of a negative): signed, then positive
            regime = Regime(exact=False, positive=attempt >= 3)
            point = _well_conditioned(sample_point(declarations, sizes, regime, rng))
            with mpmath.workdps(50):
                try:
                    expected = evaluate(key, point, exact=False)
                    if exercise.kind == "hessian":
                        numeric = _hessian(function, point, names)
                    else:
                        numeric = _jacobian(function, point, names, exercise.layout,
                                            scalar_variable)
                    break
                except DomainError as problem:
                    failure = problem
        else:
            raise VerificationError(f"{exercise.family}: {failure} at every test point")
        with mpmath.workdps(50):
            if (expected.rows, expected.cols) != (numeric.rows, numeric.cols):
                raise VerificationError(
                    f"{exercise.family}: answer is {expected.rows}×{expected.cols}, finite "
                    f"differences give {numeric.rows}×{numeric.cols} (sizes {sizes})")
            for a, b in zip(expected.data, numeric.data, strict=True):
                if abs(a - b) > TOLERANCE * max(1, abs(a), abs(b)):
                    raise VerificationError(
                        f"{exercise.family}: answer {exercise.answer!r} disagrees with finite "
                        f"differences of {exercise.function!r} ({mpmath.nstr(a, 8)} vs "
                        f"{mpmath.nstr(b, 8)}, sizes {sizes})")


def _well_conditioned(point: Point) -> Point:
    """Square matrices made diagonally dominant, so inverses and log det are well defined."""
    values = {}
    for name, value in point.values.items():
        values[name] = _dominant(value) if value.rows == value.cols and value.rows > 1 else value
    return Point(point.sizes, values)


def _dominant(value: Mat) -> Mat:
    size = value.rows
    return Mat.build(size, size, lambda i, j: value.at(i, j) + (5 * size if i == j else 0))


def _entries(point: Point, names: list[str]) -> list[tuple[str, int]]:
    """(name, flat index) of every entry of the variable, column-major."""
    if len(names) > 1:
        return [(name, 0) for name in names]
    value = point.values[names[0]]
    return [(names[0], i * value.cols + j) for j in range(value.cols) for i in range(value.rows)]


def _shifted(point: Point, changes: list[tuple[str, int, Any]]) -> Point:
    values = dict(point.values)
    for name, index, delta in changes:
        old = values[name]
        data = list(mpmath.mpf(v.numerator) / v.denominator if not isinstance(v, mpmath.mpf)
                    else v for v in old.data)
        data[index] += delta
        values[name] = Mat(old.rows, old.cols, tuple(data))
    return Point(point.sizes, values)


def _jacobian(function: n.Node, point: Point, names: list[str], layout: str,
              scalar_variable: bool) -> Mat:
    f: Callable[[Point], Mat] = lambda p: evaluate(function, p, exact=False)  # noqa: E731
    columns = []
    for name, index in _entries(point, names):
        up = f(_shifted(point, [(name, index, STEP)]))
        down = f(_shifted(point, [(name, index, -STEP)]))
        columns.append(Mat(up.rows, up.cols, tuple((a - b) / (2 * STEP)
                                                   for a, b in zip(up.data, down.data,
                                                                   strict=True))))
    value = f(point)
    if value.is_scalar and len(names) == 1 and not scalar_variable:
        # ∂f/∂X for scalar f: q×p in numerator layout (entry (j, i) is ∂f/∂X_ij)
        variable = point.values[names[0]]
        derivative = Mat.build(variable.cols, variable.rows,
                               lambda j, i: columns[j * variable.rows + i].value)
    elif len(columns) == 1:  # by a scalar: the shape of the function
        derivative = columns[0]
    else:  # ∂vec(f)/∂vec(v): one column per entry of the variable
        flat = [[c.at(i, j) for j in range(c.cols) for i in range(c.rows)] for c in columns]
        derivative = Mat.build(len(flat[0]), len(columns), lambda r, c: flat[c][r])
    return derivative if layout == "numerator" or derivative.is_scalar else \
        derivative.transpose()


def _hessian(function: n.Node, point: Point, names: list[str]) -> Mat:
    h = mpmath.mpf(10) ** -10
    entries = _entries(point, names)
    def f(p: Point) -> Any:
        return evaluate(function, p, exact=False).value

    def second(a: tuple[str, int], b: tuple[str, int]) -> Any:
        total = mpmath.mpf(0)
        for sa, sb, sign in ((1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)):
            total += sign * f(_shifted(point, [(a[0], a[1], sa * h), (b[0], b[1], sb * h)]))
        return total / (4 * h * h)

    size = len(entries)
    return Mat.build(size, size, lambda i, j: second(entries[i], entries[j]))


def self_check(exercise: Exercise) -> None:
    """The grader accepts the key (ASCII and LaTeX) and rejects every listed mistake."""
    options = CheckOptions(diagnose=False)
    declarations = parse_declarations(exercise.given)
    key = parse(exercise.answer, declarations)
    for text, how in ((exercise.answer, "ASCII"), (exercise.answer_latex, "LaTeX")):
        try:
            if parse(text, declarations, expected=key.typed_shape) == key:
                continue  # the very same tree: the grader accepts it by construction
        except ParseError:
            pass
        verdict = check(exercise.answer, text, exercise.given, options=options)
        if verdict.status != "correct":
            raise VerificationError(
                f"{exercise.family}: the grader does not accept the key in {how} "
                f"({verdict.status}: {verdict.feedback})")
    # A wrong answer needs one mismatching point: two points are plenty to reject it.
    mistake_options = CheckOptions(diagnose=False, points=2)
    for mistake in exercise.mistakes:
        verdict = check(exercise.answer, mistake.answer, exercise.given, options=mistake_options)
        if verdict.status == "correct":
            raise VerificationError(
                f"{exercise.family}: listed mistake {mistake.answer!r} ({mistake.note}) is "
                "accepted as correct")
        if verdict.status == "invalid":
            raise VerificationError(
                f"{exercise.family}: listed mistake {mistake.answer!r} can't be read: "
                f"{verdict.feedback}")
