"""Parameters enter the parsed tree as numbers, and constants are folded for display."""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.authored.folding import fold
from generator.authored.parameters import Parameter, Template
from grader.evaluation import Point, evaluate
from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_ascii
from grader.sampling import Regime, sample_point

GIVEN = parse_declarations("x[n], y[n], A[n,n]")


def instantiate(text: str, **values: int) -> str:
    template = Template.of(GIVEN, tuple(values))
    tree = template.instantiate(template.read(text),
                                tuple((k, Fraction(v)) for k, v in values.items()), GIVEN)
    return print_ascii(tree)


def test_a_negative_parameter_is_a_number_not_pasted_text() -> None:
    assert instantiate("2 {c} x^T", c=-3) == "-6 x^T"  # not "2 - 3 x^T"
    assert instantiate("2 {c} x^T", c=3) == "6 x^T"
    assert instantiate("x^T A y + {c} x^T x", c=-3) == "x^T A y - 3 x^T x"
    assert instantiate("y^T A^T + 2 {c} x^T", c=-1) == "y^T A^T - 2 x^T"


def test_zero_and_one_fold_away() -> None:
    assert instantiate("x^T A y + {c} x^T x", c=0) == "x^T A y"
    assert instantiate("{c} x^T A", c=1) == "x^T A"
    assert instantiate("{c} {d} + x^T y", c=2, d=-5) == "x^T y - 10"


def test_a_parameter_before_a_letter_and_in_an_exponent_stays_one_number() -> None:
    assert instantiate("{c}x^T x", c=-4) == "-4 x^T x"
    assert instantiate("sum(x .^ {k})", k=3) == "sum(x .^ 3)"


def test_latex_braces_are_left_alone() -> None:
    assert instantiate(r"\mathbf{x}^{T} A \mathbf{y} + \frac{1}{2} {c}", c=-3) == \
        "x^T A y - 3 / 2"


def test_a_parse_error_points_into_the_text_as_written() -> None:
    template = Template.of(GIVEN, ("c",))
    try:
        template.read("{c} x^T A + y^T )")
    except Exception as problem:
        assert "column 17" in str(problem)
    else:
        raise AssertionError("no error")


def test_negative_ranges_draw_inside_the_range() -> None:
    parameter = Parameter("c", -9, -2)
    rng = random.Random(1)
    drawn = {parameter.draw(rng) for _ in range(400)}
    assert drawn == {Fraction(v) for v in range(-9, -1)}


TEXTS = ["2 {c} x^T A + {d} y^T", "{c} ({d} x - {c} y)^T A", "x^T A y / {d} + {c} {d} {c}",
         "-{c} (-{d}) x^T (A + {c} A^T)"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(TEXTS), st.integers(-9, 9), st.integers(-9, 9).filter(bool),
       st.integers(0, 2**32))
def test_folding_keeps_the_value(text: str, c: int, d: int, seed: int) -> None:
    """The folded, printed and re-read tree has the value of the unfolded one."""
    template = Template.of(GIVEN, ("c", "d"))
    values = (("c", Fraction(c)), ("d", Fraction(d)))
    folded = template.instantiate(template.read(text), values, GIVEN)
    pasted = parse(text.replace("{c}", f"({c})").replace("{d}", f"({d})"), GIVEN)
    point = sample_point(GIVEN, {"n": 3}, Regime(exact=True), random.Random(seed))
    with mpmath.workdps(30):
        assert evaluate(folded, point, exact=True) == evaluate(pasted, point, exact=True)
    assert fold(folded) == folded or print_ascii(fold(folded)) == print_ascii(folded)


def test_point_helper_is_exact() -> None:
    point = sample_point(GIVEN, {"n": 2}, Regime(exact=True), random.Random(0))
    assert isinstance(point, Point)
