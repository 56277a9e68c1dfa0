"""Every answer gets a verdict in process: overflow, huge exact numbers and lost precision make
an answer *undecided*, never an exception and never a confident verdict on garbage values."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader import Verdict, check
from grader.evaluation import EvaluationLimitError, Mat, Point, evaluate
from grader.language.parser import parse, parse_declarations

STATUSES = {"correct", "incorrect", "wrong_shape", "invalid", "undecided"}
TOWER = "exp(exp(exp(exp(exp(exp(exp(x)))))))"


def verdict(key: str, answer: str, given: str = "x, y, a") -> Verdict:
    return check(key, answer, given)


# --- overflow and huge numbers -------------------------------------------------------------


@pytest.mark.parametrize(("key", "answer"), [("x", TOWER), (TOWER, TOWER), (TOWER, "x")])
def test_an_exponential_tower_is_undecided_not_an_exception(key: str, answer: str) -> None:
    result = verdict(key, answer)
    assert result.status == "undecided"
    assert result.note == "evaluation_limit"
    assert "too large" in result.feedback and "not marked" in result.feedback


@pytest.mark.parametrize(("key", "answer"), [
    ("x", "(((x^100)^100)^100)^100"),                          # 4·10^8-fold bit growth
    ("x^2", "((x^100)^100)^100 - ((x^100)^100)^100 + x^2"),     # equal, but not computable
    ("a", "det(A^100)^100"),                                    # det, then a power of it
    ("a", "det(kron(kron(A, A), kron(A, A)))"),                 # n^8 entries
    ("a", "sum(kron(kron(A, A), A) .^ 100)"),
])
def test_growth_past_the_caps_is_undecided(key: str, answer: str) -> None:
    result = check(key, answer, "x, a, b, A[n,n]")
    assert result.status in ("undecided", "incorrect"), result
    if result.status == "undecided":
        assert result.note == "evaluation_limit"


def test_a_key_undefined_everywhere_is_undecided() -> None:
    result = verdict("1/(x - x)", "1")
    assert result.status == "undecided"
    assert result.note == "outside_domain"


def test_division_by_a_zero_answer_is_incorrect_with_the_place_named() -> None:
    result = verdict("x", "x + 1/(y - y)")
    assert result.status == "incorrect"
    assert "y - y = 0" in result.feedback


# --- precision: cancellation never yields a confident verdict ------------------------------


def test_cancellation_is_not_a_false_accept() -> None:
    # The key is a; the answer is 0.  At 50 digits both used to evaluate to 0 wherever
    # exp(1000 a^2) > 10^50, and the answer was accepted.
    assert verdict("exp(1000*a^2) + a - exp(1000*a^2)",
                   "exp(1000*a^2) - exp(1000*a^2)").status == "incorrect"
    assert verdict("exp(1000*a^2) + 1 - exp(1000*a^2)",
                   "exp(1000*a^2) - exp(1000*a^2)").status == "incorrect"


def test_cancellation_is_not_a_false_reject() -> None:
    assert verdict("a", "a + exp(1000 a^2) - exp(1000 a^2)").status in ("correct", "undecided")
    assert verdict("a", "(a + exp(200 a^2)) - exp(200 a^2)").status == "correct"


def test_a_sign_too_small_for_any_precision_is_never_guessed() -> None:
    # step's argument is 10^-6000 > 0, beyond 16,384 bits: its exact value decides (step = 1).
    assert verdict("sin(a) + 1", "sin(a) + step((1 + (10^-100)^60) - 1)").status == "correct"
    assert verdict("sin(a)", "sin(a) + step((1 + (10^-100)^60) - 1)").status == "incorrect"
    # log of that number needs its digits, which no cap allows: never correct.
    tiny = "log((1 + (10^-100)^60) - 1) + sin(a)"
    assert verdict("sin(a) - 6000 log(10)", tiny).status in ("correct", "undecided")
    assert verdict("sin(a) - 5999 log(10)", tiny).status in ("incorrect", "undecided")


@pytest.mark.parametrize(("key", "answer"), [
    ("exp(a)", "exp(a) + step(x^T x - x^T x)"),  # step(0) = 0, decided exactly
    ("exp(a)", "exp(a) + sign(x^T x - x^T x)"),
    ("exp(a)", "exp(a) + sqrt(x^T x - x^T x)"),
    ("sin(a)", "sin(a) + log(det(x x^T) + 1)"),  # x x^T is singular: det is 0 exactly
])
def test_a_ball_around_zero_is_settled_by_the_exact_value(key: str, answer: str) -> None:
    assert check(key, answer, "a, x[n]").status == "correct"


def test_float_values_are_certified() -> None:
    tree = parse("exp(1000 a^2) + a - exp(1000 a^2)", parse_declarations("a"))
    for a in (Fraction(1, 3), Fraction(3), Fraction(-5, 2)):
        value = evaluate(tree, Point({}, {"a": Mat.scalar(a)}), exact=False).value
        assert abs(Fraction(mpmath.nstr(value, 60, min_fixed=-1, max_fixed=-1)) - a) \
            < Fraction(1, 10**45)
    with pytest.raises(EvaluationLimitError):  # exp(16000): 23,000 bits would be needed
        evaluate(tree, Point({}, {"a": Mat.scalar(Fraction(4))}), exact=False)


# --- property: random towers and big powers never raise ------------------------------------

NAMES = ("x", "y")
FUNCTIONS = ("exp", "log", "sin", "cos", "tan", "tanh", "sqrt", "sigma", "abs", "step", "sign",
             "relu")


def _leaf() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NAMES), st.integers(1, 40).map(str),
                     st.sampled_from(["0.5", "1/3", "pi", "e", "10^-30"]))


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(st.sampled_from(FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, st.integers(-100, 100)).map(lambda t: f"({t[0]})^{t[1]}"),
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner)
        .map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
    )


EXPRESSIONS = st.recursive(_leaf(), _extend, max_leaves=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_random_towers_get_a_verdict_and_are_equal_to_themselves(text: str) -> None:
    key = f"exp({text})"  # positive wherever defined: never 0, so 1.001 times it differs
    same = check(key, key, "x, y")
    assert same.status in ("correct", "undecided"), (key, same)
    rewritten = check(key, f"exp(({text}) / 2)^2", "x, y")  # equal where defined
    assert rewritten.status in ("correct", "undecided"), (key, rewritten)
    wrong = check(key, f"1.001 {key}", "x, y")
    assert wrong.status in ("incorrect", "undecided"), (key, wrong)
    assert {same.status, rewritten.status, wrong.status} <= STATUSES
