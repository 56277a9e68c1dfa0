"""Numeric exercises: answers judged at the exercise's stated values, with one stated tolerance.

A numeric exercise states concrete values for its names (``X = [-9, -2; 1, -14]``) and its key is
numbers.  Every answer is evaluated at those values, so an answer written as an expression
(``det(X) X^-1``) is judged by its value there, exactly as if the student had worked out the
numbers.  An entry is right when it is exact (``262/3``) or within :func:`margin` of the exact
value: :data:`NUMERIC_RELATIVE_TOLERANCE` of it (``87.333`` for 262/3; a zero entry must be 0),
and less than half a unit for a whole number (so a neighbour never passes).  The same rule is
what the worksheet, the answer key and the Moodle and Canvas exports state and use.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath

from grader.equivalence import Outcome, PointSet, close
from grader.errors import ParseError
from grader.evaluation import DomainError, Mat, Point, evaluate, is_exact, working_digits
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.parser import parse

#: An entry ``a`` for the exact value ``v`` is right when |a - v| <= this × |v|.  Five
#: significant figures always pass (they are off by at most 5·10⁻⁵ of the value).
NUMERIC_RELATIVE_TOLERANCE = Fraction(1, 10**4)

#: The margin never reaches half a unit for a whole-number value: 20001 is not 20000.
WHOLE_NUMBER_MARGIN = Fraction(49, 100)

#: Values, in the form a numeric exercise records them: (name, matrix in the answer language).
Values = tuple[tuple[str, str], ...]


def margin(value: Fraction) -> Fraction:
    """How far an entry may be from its exact value ``value`` and still be right."""
    allowed = NUMERIC_RELATIVE_TOLERANCE * abs(value)
    return min(allowed, WHOLE_NUMBER_MARGIN) if value.denominator == 1 else allowed


def tolerance_percent() -> str:
    """The tolerance as a percentage (``0.01%``), for the texts that state it."""
    return f"{float(NUMERIC_RELATIVE_TOLERANCE * 100):g}%"


def tolerance_text() -> str:
    """What a numeric exercise accepts, in one sentence for students (sheets, keys, exports)."""
    return (f"Give each entry exactly (a whole number, or a fraction such as 262/3) or as a "
            f"decimal within {tolerance_percent()} of its exact value (five significant figures "
            f"are enough: 87.333 for 262/3; a zero entry is 0).")


@functools.lru_cache(maxsize=256)
def stated_point(values: Values, declarations: Declarations) -> Point:
    """The stated values as a point; a value that can't be read, names an undeclared name or
    has the wrong shape is the author's error (:class:`ParseError`, naming the value)."""
    found: dict[str, Mat] = {}
    for name, text in values:
        shape = declarations.shape_of(name)
        if shape is None:
            raise ParseError(f"the stated value of {name} names nothing declared "
                             f"(declared: {', '.join(declarations.names) or 'nothing'})",
                             code="declaration")
        try:
            value = evaluate(parse(text), Point({}, {}), exact=True)
        except ParseError as problem:
            raise ParseError(f"the stated value of {name} can't be read: {problem.message}",
                             text=problem.text, position=problem.position, end=problem.end,
                             code=problem.code) from None
        except DomainError as problem:
            raise ParseError(f"the stated value of {name} can't be computed: {problem}",
                             code="declaration") from None
        if not (shape.rows.is_concrete and shape.cols.is_concrete):
            raise ParseError(f"{name} is declared {shape}: with stated values, declare concrete "
                             f"sizes ({name}[{value.rows},{value.cols}])", code="declaration")
        if (shape.rows.coefficient, shape.cols.coefficient) != (value.rows, value.cols):
            raise ParseError(f"the stated value of {name} is {value.rows}×{value.cols}, but "
                             f"{name} is declared {shape}", code="declaration")
        found[name] = value
    missing = [name for name in declarations.names if name not in found]
    if missing:
        raise ParseError(f"no value is stated for {', '.join(missing)}", code="declaration")
    return Point({}, found)


def entry_test(exact: bool, digits: int, stated: bool) -> Callable[[Any, Any], bool]:
    """Whether an answer entry (first argument) matches a key entry: within :func:`margin` at
    stated values, else exactly or (float evaluation) to the digits compared."""
    if not stated:
        return lambda a, v: close(Mat.scalar(a), Mat.scalar(v), exact, digits)
    if exact:
        return lambda a, v: abs(Fraction(a) - Fraction(v)) <= margin(Fraction(v))

    def within(a: Any, v: Any) -> bool:
        with mpmath.workdps(digits):
            allowed = abs(v) * NUMERIC_RELATIVE_TOLERANCE.numerator / \
                NUMERIC_RELATIVE_TOLERANCE.denominator
            if v == mpmath.nint(v):
                allowed = min(allowed, mpmath.mpf(WHOLE_NUMBER_MARGIN.numerator)
                              / WHOLE_NUMBER_MARGIN.denominator)
            return bool(abs(a - v) <= allowed)
    return within


def same_values(test: Callable[[Any, Any], bool]) -> Callable[[Mat, Mat], bool]:
    """A whole-value comparison from an entry test (answer first)."""
    return lambda a, v: (a.rows, a.cols) == (v.rows, v.cols) and all(
        test(x, y) for x, y in zip(a.data, v.data, strict=True))


def test_at_values(key: n.Node, answer: n.Node, declarations: Declarations, values: Values
                   ) -> tuple[Outcome, PointSet, list[Mat | None], list[Mat | None]]:
    """Compare the answer with the key at the stated values (the numeric form's identity
    test): one point, the one the student was given."""
    point = stated_point(values, declarations)
    exact = is_exact(key, answer)
    digits = working_digits(key, answer)
    pointset = PointSet(declarations, exact, random.Random(0), 1, 0, digits=digits,
                        search=False, points=[point])
    how = "exactly" if exact else f"in {digits}-digit ball arithmetic"
    method = (f"evaluated at the stated values {how}; each entry right when within "
              f"{tolerance_percent()} of the exact value")
    key_values, key_limited = pointset.evaluations(key)
    answer_values, answer_limited = pointset.evaluations(answer)
    if key_values[0] is None:
        reason = "limit" if key_limited else "domain"
        return Outcome(None, "the expected answer can't be computed at the stated values",
                       reason), pointset, key_values, answer_values
    if answer_values[0] is None:
        if answer_limited:
            return Outcome(None, "the answer can't be computed at the stated values within "
                           "the evaluation caps", "limit"), pointset, key_values, answer_values
        return Outcome(False, "the answer is undefined at the stated values", witness=0), \
            pointset, key_values, answer_values
    equal = same_values(entry_test(exact, digits, True))(answer_values[0], key_values[0])
    return Outcome(equal, method), pointset, key_values, answer_values

