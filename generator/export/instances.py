"""Numeric instances of exercises, for platforms that can only grade numbers (Canvas, Moodle).

A learning platform's numeric question compares a typed number with a stored one, so a symbolic
exercise (``(A + A^T) x``) or an explicit one (``[3x^2 y; 2x + y^8]``) is exported as an
*instance*: concrete sizes and small integer values for its names, stated in the question, and
the key's value there as the answer.

Rules, so that every export shows the same instance of an exercise:

* the random stream is seeded from the exercise's own seed, so the instance can be rebuilt from
  the exercise record alone, and the same set gives the same instance everywhere;
* dim symbols get distinct sizes from 2–3 (from 2 upwards when there are more than two symbols):
  a matrix answer becomes one number per entry, and small sizes keep those few;
* values are nonzero integers in ±5 (then ±3, ±2, ±1), square matrices unimodular up to a
  small determinant (so every inverse exists and is small); a point where the function or the
  key is undefined (log of a negative, a singular matrix) or where a relu/abs/step/max argument
  sits on its kink is redrawn, after :data:`SIGNED_TRIES` failures from positive values only;
* values whose key is not informative or not computable by hand are redrawn
  (:mod:`generator.informative`: no all-zero key, no entry below 0.01 unless structurally
  zero, no number above 1000, σ/tanh off their flat tails, relu units mixed); after
  :data:`TRIES` draws the export stops with a message naming the exercise;
* the key is evaluated exactly (rationals) when every operation in it is rational; otherwise
  (exp, log, sigma, softmax, norms...) in 50-digit arithmetic, kept to :data:`FLOAT_DIGITS`
  significant digits, and the instance is marked inexact.

Numeric-form exercises already have values and a numeric key: they are used as they are.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from generator import informative
from generator.export.common import ExportError
from generator.family import GenerationError
from grader.errors import MatcalcError
from grader.evaluation import (
    DomainError,
    Mat,
    Number,
    Point,
    break_arguments,
    evaluate,
    is_exact,
    working_digits,
)
from grader.exercise_set import Exercise
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_latex
from grader.language.printing.latex import latex_name

#: Attempts at a point before giving up on an exercise.
TRIES = 200
#: Failed signed draws after which values are drawn positive only (log, sqrt, log det).
SIGNED_TRIES = 40
#: Significant digits kept of an irrational key entry.
FLOAT_DIGITS = 30


@dataclass(frozen=True)
class NumericInstance:
    """One exercise at concrete numbers: what to state in the question, and the exact answer."""

    exercise_id: str
    #: Sizes given to the exercise's dim symbols, ``(("n", 3),)``; empty for numeric exercises.
    sizes: tuple[tuple[str, int], ...]
    #: ``(name, value in the answer language)``, e.g. ``("A", "[7, 1; -2, 8]")``.
    values: tuple[tuple[str, str], ...]
    #: ``(LaTeX name, LaTeX value)``, e.g. ``("\\mathbf{x}", "\\begin{bmatrix} ...")``.
    values_latex: tuple[tuple[str, str], ...]
    #: The question with every size and value stated; math between ``$...$``.
    prompt_latex: str
    #: The answer, row by row (a scalar is 1×1).
    answer: tuple[tuple[Fraction, ...], ...]
    #: False when an entry is irrational and ``answer`` holds it to FLOAT_DIGITS digits.
    exact: bool
    #: True when the exercise was symbolic or explicit and numbers were chosen here.
    converted: bool
    #: What was done, for the instructor (empty for a numeric exercise used as it is).
    notes: tuple[str, ...]

    @property
    def rows(self) -> int:
        return len(self.answer)

    @property
    def cols(self) -> int:
        return len(self.answer[0])

    def entries(self) -> list[tuple[int, int, Fraction]]:
        """``(row, column, value)`` with 1-based indices, row by row."""
        return [(i + 1, j + 1, value) for i, row in enumerate(self.answer)
                for j, value in enumerate(row)]


def numeric_instance(exercise: Exercise) -> NumericInstance:
    """The exercise at concrete numbers; raises ExportError (naming the exercise) if its key
    can't be evaluated anywhere in the range tried."""
    try:
        if exercise.form == "numeric":
            return _as_given(exercise)
        return _instantiate(exercise)
    except ExportError:
        raise
    except MatcalcError as problem:
        raise ExportError(f"exercise {exercise.id} ({exercise.family}): {problem}") from None


def _as_given(exercise: Exercise) -> NumericInstance:
    declarations = parse_declarations(exercise.given)
    key = parse(exercise.answer, declarations)
    point = Point({}, {name: _constant(text) for name, text in exercise.values})
    answer, exact = _evaluate_key(key, point)
    if answer is None:
        raise ExportError(f"exercise {exercise.id} ({exercise.family}): its key can't be "
                          "evaluated at its stated values")
    shown = tuple((latex_name(name, bold=_is_vector(declarations, name)),
                   print_latex(parse(text, ""))) for name, text in exercise.values)
    return NumericInstance(exercise.id, (), exercise.values, shown, exercise.prompt_latex,
                           answer, exact, converted=False, notes=())


def _instantiate(exercise: Exercise) -> NumericInstance:
    declarations = parse_declarations(exercise.given)
    function = parse(exercise.function, declarations)
    key = parse(exercise.answer, declarations)
    rng = random.Random(f"matcalc numeric instance {exercise.seed} {exercise.id}")
    symbols = declarations.dim_symbols
    pool = [2, 3] if len(symbols) <= 2 else list(range(2, 2 + len(symbols)))
    sizes = dict(zip(symbols, rng.sample(pool, len(symbols)), strict=True))
    breaks = break_arguments(function, key)
    known = informative.profile(key, function, declarations, sizes, rng)
    reasons: Counter[str] = Counter()
    for regime in informative.regimes(TRIES, SIGNED_TRIES):
        values = informative.draw(declarations, sizes, rng, regime)
        point = Point(sizes, values)
        if not _defined(function, point) or not _off_kinks(breaks, point):
            reasons["the function is undefined or on a kink"] += 1
            continue
        value = _value(key, point)
        if value is None or not _finite(value):
            reasons["the key is undefined"] += 1
            continue
        reason = informative.rejection(key, function, point, value, known)
        if reason is None:
            break
        reasons[reason] += 1
    else:
        raise GenerationError(
            f"no values in {TRIES} draws make an informative key for {exercise.answer} "
            f"(most often: {reasons.most_common(1)[0][0]})")
    answer, exact = _evaluate_key(key, point)
    assert answer is not None  # the key has a value at the point: it was just evaluated
    texts = tuple((name, _matrix_text(values[name])) for name in declarations.names)
    shown = tuple((latex_name(name, bold=_is_vector(declarations, name)),
                   print_latex(parse(text, ""))) for name, text in texts)
    stated = [f"{symbol} = {size}" for symbol, size in sizes.items()]
    stated += [f"{name} = {value}" for name, value in shown]
    prompt = f"{exercise.prompt_latex} Use ${', '.join(stated)}$."
    plain = ", ".join([f"{s} = {v}" for s, v in sizes.items()] + [f"{k} = {v}" for k, v in texts])
    note = (f"exercise {exercise.id} ({exercise.family}, {exercise.form}) is asked at "
            f"{plain}")
    if not exact:
        note += f"; its answer is irrational there and is given to {FLOAT_DIGITS} digits"
    return NumericInstance(exercise.id, tuple(sizes.items()), texts, shown, prompt, answer,
                           exact, converted=True, notes=(note,))


def _defined(function: n.Node, point: Point) -> bool:
    """The function has a value at the point (a question about log x at x = -2 makes no
    sense, even where the key 1/x has one)."""
    return _value(function, point) is not None


def _off_kinks(breaks: list[n.Node], point: Point) -> bool:
    for argument in breaks:
        value = _value(argument, point)
        # exact values are Fractions, others mpf: compare both with an int
        if value is None or any(abs(v) * 10**9 < 1 for v in value.data):
            return False
    return True


def _value(tree: n.Node, point: Point) -> Mat | None:
    try:
        if is_exact(tree):
            return evaluate(tree, point, exact=True)
        return evaluate(tree, point, exact=False, digits=working_digits(tree))
    except (DomainError, ZeroDivisionError, ValueError, OverflowError):
        return None


def _finite(value: Mat) -> bool:
    return all(not isinstance(v, mpmath.mpf) or mpmath.isfinite(v) for v in value.data)


def _evaluate_key(key: n.Node, point: Point
                  ) -> tuple[tuple[tuple[Fraction, ...], ...] | None, bool]:
    value = _value(key, point)
    if value is None:
        return None, True
    exact = is_exact(key)
    if not exact and not all(mpmath.isfinite(v) for v in value.data):
        return None, False
    rows = tuple(tuple(_fraction(v, exact) for v in row) for row in value.entries())
    return rows, exact


def _fraction(value: Number, exact: bool) -> Fraction:
    """An exact value as it is; a 50-digit one rounded to FLOAT_DIGITS significant digits."""
    if exact:
        return Fraction(value)
    return Fraction(str(mpmath.nstr(value, FLOAT_DIGITS, min_fixed=-1, max_fixed=-1)))


def _constant(text: str) -> Mat:
    return evaluate(parse(text, ""), Point({}, {}), exact=True)


def _matrix_text(value: Mat) -> str:
    """The value in the answer language: ``3``, ``[1; 2]`` (a column), ``[1, 2; 3, 4]``."""
    if value.is_scalar:
        return str(value.value)
    return "[" + "; ".join(", ".join(str(v) for v in row) for row in value.entries()) + "]"


def _is_vector(declarations: Declarations, name: str) -> bool:
    shape = declarations.shape_of(name)
    return shape is not None and shape.is_vector
