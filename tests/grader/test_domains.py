"""Keys defined only on part of the sampled region, or only for some sizes: test points are
searched for, and an answer is *undecided* only when the search really fails."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grader import CheckOptions, check
from grader.equivalence import identity_test, sizes_clause
from grader.evaluation import Mat, Point
from grader.language.parser import parse, parse_declarations

# --- far and narrow regions ---------------------------------------------------------------

FAR_OR_NARROW = [
    ("sqrt(x-5)", "sqrt(x-6)"),
    ("log(x-4)", "log(x-3)"),
    ("sqrt(x-10)", "sqrt(x-10) + 10^-3"),
    ("log(x-40)", "log(x-41)"),
    ("log(x - 1000)", "log(x - 1000) + log(x - 1000)"),
    ("sqrt(x - 10^5)", "(x - 10^5)^0.25"),
    ("log(0.01 - x^2)", "log(0.01 - x^2) - 0.01"),          # defined on |x| < 0.1 only
    ("log(x - 40) + sqrt(-7 - y)", "log(x - 40) + sqrt(7 - y)"),
]


@pytest.mark.parametrize(("key", "wrong"), FAR_OR_NARROW)
def test_a_key_on_a_far_or_narrow_region_is_correct_against_itself(key: str, wrong: str) -> None:
    verdict = check(key, key, "x, y")
    assert verdict.status == "correct", verdict
    assert "search of the domain" in verdict.method


@pytest.mark.parametrize(("key", "wrong"), FAR_OR_NARROW)
def test_and_a_wrong_answer_is_incorrect(key: str, wrong: str) -> None:
    assert check(key, wrong, "x, y").status == "incorrect"


@pytest.mark.parametrize(("key", "answer"), [
    ("sqrt(x-10)", "(x - 10)^0.5"),
    ("log(x-40)", "log((x - 40)^2) / 2"),     # defined on more than the key: equal where it is
    ("log(x-4)", "-log(1 / (x - 4))"),
])
def test_equal_answers_on_a_far_region_are_correct(key: str, answer: str) -> None:
    assert check(key, answer, "x").status == "correct"


def _points(key: str, given: str, seed: int = 0) -> list[dict[str, Fraction]]:
    declarations = parse_declarations(given)
    tree = parse(key, declarations)
    _, pointset, values, _ = identity_test(tree, tree, declarations, points=4, max_tries=40,
                                           seed=seed)
    assert all(value is not None for value in values)
    return [{name: Fraction(value.value) for name, value in point.values.items()}
            | {f"size {s}": Fraction(v) for s, v in point.sizes.items()}
            for point in pointset.points]


@pytest.mark.parametrize("seed", range(5))
def test_searched_points_lie_in_the_domain(seed: int) -> None:
    points = _points("log(x - 40)", "x", seed)
    assert len(points) >= 4
    assert all(point["x"] > 40 for point in points)
    assert all(point["x"].denominator != 1 for point in points)  # non-integer, as promised


# --- sizes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_a_key_defined_only_for_tall_matrices_gets_tall_sizes(seed: int) -> None:
    # X^T X is q×q of rank min(p, q): log det needs p > q.
    points = _points("log(det(X^T X))", "X[p,q]", seed)
    assert len(points) >= 4
    assert all(point["size p"] > point["size q"] for point in points)
    assert len({point["size p"] for point in points}) > 1
    assert len({point["size q"] for point in points}) > 1


@pytest.mark.parametrize("seed", range(3))
def test_sizes_are_searched_for_verdicts(seed: int) -> None:
    options = CheckOptions(seed=seed)
    given = "X[p,q], b[p]"
    assert check("log(det(X^T X))", "log(det(X^T X))", given, options=options).status \
        == "correct"
    assert check("log(det(X^T X))", "log(det((X^T X)^T))", given, options=options).status \
        == "correct"
    assert check("log(det(X^T X))", "log(det(X^T X)) + 1", given, options=options).status \
        == "incorrect"
    # Exact keys are searched too: inv(X^T X) needs p ≥ q.
    assert check("inv(X^T X) X^T b", "inv(X^T X) X^T b", given, options=options).status \
        == "correct"
    assert check("inv(X^T X) X^T b", "inv(X^T X) X^T b + X^T b", given,
                 options=options).status == "incorrect"


def test_the_method_line_names_the_sizes_actually_used() -> None:
    method = check("log(det(X^T X))", "log(det(X^T X))", "X[p,q]").method
    assert "several sizes per dimension" in method
    # A symbol that took one size only is named with it, never as "several sizes".
    one = Mat.scalar(Fraction(1))
    points = [Point({"p": 5, "q": 2}, {"a": one}), Point({"p": 6, "q": 2}, {"a": one})]
    assert sizes_clause(points) == "sizes p ∈ {5, 6}, q ∈ {2}"
    assert sizes_clause([Point({}, {"a": one})]) == ""


# --- when the search fails -----------------------------------------------------------------


@pytest.mark.parametrize("key", [
    "sqrt(-1 - a^2)",            # nowhere
    "log(10^-12 - a^2)",         # |a| < 10^-6: narrower than any region searched
])
def test_undecided_only_when_the_search_fails(key: str) -> None:
    verdict = check(key, key, "a")
    assert verdict.status == "undecided"
    assert verdict.note == "outside_domain"
    assert "searched" in verdict.method


def test_searches_are_reproducible() -> None:
    one = check("log(x-40)", "log(x-41)", "x", options=CheckOptions(seed=7))
    two = check("log(x-40)", "log(x-41)", "x", options=CheckOptions(seed=7))
    assert one == two


# --- feedback on a domain difference -------------------------------------------------------


def test_a_domain_difference_says_where_and_never_claims_equality() -> None:
    verdict = check("1", "sqrt(k/m)*sqrt(m/k)", "k, m")
    assert verdict.status == "incorrect"
    assert verdict.note == "domain"
    assert "undefined at points where the expected answer is defined" in verdict.feedback
    assert "k / m < 0" in verdict.feedback
    assert "times the right answer" not in verdict.feedback


@pytest.mark.parametrize(("key", "answer", "where"), [
    ("x", "sqrt(x)^2", "x < 0"),
    ("log(x^2)", "2 log(x)", "x ≤ 0"),
    ("x", "x^2 / x", "x = 0"),               # exact: 0 is a removable point, never sampled
    ("2 x", "2 x + log(x) - log(x)", "x ≤ 0"),
])
def test_domain_feedback_names_the_condition(key: str, answer: str, where: str) -> None:
    verdict = check(key, answer, "x")
    if where == "x = 0":
        assert verdict.status == "correct"
        return
    assert verdict.status == "incorrect"
    assert where in verdict.feedback
    assert "times the right answer" not in verdict.feedback
    assert "Correct" not in verdict.feedback


def test_no_diagnosis_claims_a_ratio_of_one() -> None:
    for key, answer in [("1", "sqrt(k/m)*sqrt(m/k)"), ("k", "sqrt(k)^2"),
                        ("k m", "sqrt(k m)^2")]:
        verdict = check(key, answer, "k, m")
        assert verdict.status == "incorrect"
        assert "1 times" not in verdict.feedback and verdict.note != "scalar_multiple"


def test_a_listed_mistake_keeps_its_own_feedback_on_a_domain_difference() -> None:
    from grader import Mistake

    mistake = Mistake("log(x)", "dropped_abs", "log |x| is defined for negative x too.")
    verdict = check("log(abs(x))", "log(x)", "x", options=CheckOptions(mistakes=(mistake,)))
    assert verdict.status == "incorrect"
    assert verdict.note == "dropped_abs"
    assert verdict.feedback == mistake.feedback


def test_undefined_entries_of_an_explicit_matrix_are_named() -> None:
    verdict = check("[1, k]", "[sqrt(k/m)*sqrt(m/k), k]", "k, m",
                    options=CheckOptions(partial_credit=True))
    assert verdict.status == "incorrect"
    assert "(1, 1)" in verdict.feedback and "(1, 2)" not in verdict.feedback
    assert verdict.score == 0.5
