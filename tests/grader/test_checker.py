"""The grading pipeline: each status, each diagnosis, the traps, piecewise functions, domains."""

from __future__ import annotations

import pytest

from grader import CheckOptions, Mistake, ParseError, check
from grader.language.shapes import Shape

GIVEN = "x[n], y[n], b[n], z[n], w[n], A[n,n], B[n,n], X[n,n], C[m,n], a, c, t, N"


def status(key: str, answer: str, given: str = GIVEN, **kwargs: object) -> str:
    return check(key, answer, given, **kwargs).status  # type: ignore[arg-type]


# --- each status ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        ("(A + A^T) x", "A x + A^T x"),
        ("(A + A^T) x", "A^T x + A x"),
        ("(A + A^T) x", r"\left(A + A^\top\right)\mathbf{x}"),
        ("2 A^T (A x - b)", "2 A^T A x - 2 A^T b"),
        ("2 A^T (A x - b)", "2 (A^T A x - A^T b)"),
        ("x^T (A + A^T)", "(A x + A^T x)^T"),
        ("A^T B^T", "(B A)^T"),
        ("det(X) X^-T", "det(X) inv(X)^T"),
        ("det(X) X^-T", "det(X^T) (X^T)^-1"),
        ("tr(A X)", "tr(X A)"),
        ("w .* x", "diag(w) x"),
        ("diag(sigma(z) .* (1 - sigma(z)))", "diag(sigma(z)) - diag(sigma(z) .* sigma(z))"),
        ("sigma(z) .* (1 - sigma(z))", "exp(-z) ./ (1 + exp(-z)).^2"),
        ("(2/N) A^T (A x - y)", r"\frac{2}{N} A^\top (A \mathbf{x} - \mathbf{y})"),
        ("max(0, a)", "(a + abs(a)) / 2"),
        ("x / norm(x)", "x / sqrt(x^T x)"),
        ("a^2 + 2 a c + c^2", "(a + c)^2"),
        ("(x^T x)^2", "x^T x x^T x"),
        ("exp(log(a^2 + 1))", "a^2 + 1"),
        ("1 - tanh(z).^2", "1 - tanh(z) .* tanh(z)"),
    ],
)
def test_correct(key: str, answer: str) -> None:
    verdict = check(key, answer, GIVEN)
    assert verdict.status == "correct", verdict
    assert verdict.score == 1.0
    assert verdict.feedback == "Correct."


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        ("(A + A^T) x", "2 A^T x + x"),
        ("x^T A x", "x^T A^T x + 1"),
        ("a^2", "a^3"),
        ("A B", "B A"),
        ("tr(A X B)", "tr(B X A)"),
    ],
)
def test_incorrect(key: str, answer: str) -> None:
    verdict = check(key, answer, GIVEN)
    assert verdict.status == "incorrect", verdict
    assert verdict.score == 0.0


def test_invalid_carries_the_parse_message_and_no_interpretation() -> None:
    verdict = check("A x", "A x +", GIVEN)
    assert verdict.status == "invalid"
    assert verdict.note == "syntax"
    assert "ends too soon" in verdict.feedback and "^" in verdict.feedback
    assert verdict.interpreted_as is None
    assert verdict.expected_shape == Shape.of("n", 1)


def test_wrong_shape_names_both_shapes() -> None:
    verdict = check("A x", "x^T A x", GIVEN)
    assert verdict.status == "wrong_shape"
    assert verdict.expected_shape == Shape.of("n", 1)
    assert verdict.answer_shape == Shape.of(1, 1)
    assert "1×1 (scalar)" in verdict.feedback and "n×1 (column vector)" in verdict.feedback


def test_undecided_when_the_domains_never_meet() -> None:
    # sqrt(-1 - a^2) is never real, but log(-a^2-1) vs it: no point where both are defined
    verdict = check("sqrt(-1 - a^2)", "sqrt(-2 - a^2)", GIVEN)
    assert verdict.status == "undecided"
    assert verdict.score == 0.0


def test_an_answer_undefined_wherever_the_key_is_defined_is_incorrect() -> None:
    verdict = check("log(a^2 + 1)", "log(-a^2 - 1)", GIVEN)
    assert verdict.status == "incorrect"
    assert "undefined" in verdict.method


def test_a_bad_key_is_the_authors_error() -> None:
    with pytest.raises(ParseError):
        check("A x +", "A x", GIVEN)
    with pytest.raises(ParseError):
        check("A x", "A x", "x[n, A[n,n]")


# --- diagnoses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "answer", "note", "words"),
    [
        ("A^T", "A", "transpose", "transpose of the right answer"),
        ("det(X) X^-T", "det(X) X^-1", "transpose", "transpose"),
        ("2 A^T (A x - b)", "A^T (A x - b)", "scalar_multiple", "1/2 times"),
        ("A^T (A x - b)", "3 A^T (A x - b)", "scalar_multiple", "3 times"),
        ("2 A^T (A x - b)", "-2 A^T (A x - b)", "sign", "wrong sign"),
        ("2 A^T (A x - b)", "2 A^T A x", "missing_term", "missing a term"),
        ("2 A^T (A x - b) + 2 a x", "2 A^T (A x - b)", "missing_term", "missing a term"),
        ("2 A^T (A x - b)", "2 A^T (A x - b) + x", "extra_term", "The term x"),
        ("(A + A^T) x", "2 A x", "assumed_symmetric", "only if A were symmetric"),
        ("x^T (A + A^T)", "2 x^T A", "assumed_symmetric", "only if A were symmetric"),
        ("A + A^T", "2 A", "assumed_symmetric", "A were symmetric"),
        ("X^T X", "X^T .* X", "elementwise_vs_matrix_product", "element-wise product"),
        ("A .* B", "A B", "elementwise_vs_matrix_product", "element-wise product"),
    ],
)
def test_diagnosis(key: str, answer: str, note: str, words: str) -> None:
    verdict = check(key, answer, GIVEN)
    assert verdict.status == "incorrect", verdict
    assert verdict.note == note, verdict
    assert words in verdict.feedback


def test_the_transpose_of_a_vector_is_a_wrong_shape_with_the_layout_named() -> None:
    verdict = check("(A + A^T) x", "x^T (A + A^T)", GIVEN, layout="denominator")
    assert verdict.status == "wrong_shape"
    assert verdict.note == "transpose"
    assert "denominator layout" in verdict.feedback
    verdict = check("x^T (A + A^T)", "(A + A^T) x", GIVEN, layout="numerator")
    assert verdict.note == "transpose" and "numerator layout" in verdict.feedback


def test_listed_mistakes_come_first_and_give_their_own_feedback() -> None:
    options = CheckOptions(mistakes=(
        Mistake("2 A x", "forgot_transpose", "Differentiate x^T A x term by term: A is not "
                "symmetric."),
        Mistake("A x", "half", "Both occurrences of x contribute."),
    ))
    verdict = check("(A + A^T) x", "2 A x", GIVEN, options=options)
    assert (verdict.note, verdict.feedback) == (
        "forgot_transpose", "Differentiate x^T A x term by term: A is not symmetric.")
    assert check("(A + A^T) x", "A x", GIVEN, options=options).note == "half"


def test_diagnosis_can_be_turned_off() -> None:
    verdict = check("A^T", "A", GIVEN, options=CheckOptions(diagnose=False))
    assert (verdict.status, verdict.note, verdict.feedback) == ("incorrect", None, "Incorrect.")


# --- traps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        ("sin(pi a)", "0"),
        ("abs(a)", "a"),
        ("max(0, z)", "z"),
        ("a + 10^-20", "a"),
        ("x + 10^-20", "x"),
        ("(A + A^T) x", "2 A x"),
        ("exp(a) + 10^-30", "exp(a)"),
    ],
)
def test_traps_are_not_fallen_into(key: str, answer: str) -> None:
    assert status(key, answer) == "incorrect"
    assert status(answer, key) == "incorrect"


# --- piecewise functions: both sides of each break are sampled -------------------------------


@pytest.mark.parametrize(
    ("key", "wrong"),
    [
        ("abs(z)", "z"), ("abs(z)", "-z"),
        ("sign(z)", "ones(n)"), ("sign(z)", "-ones(n)"),
        ("relu(z)", "z"), ("relu(z)", "zeros(n)"),
        ("max(0, z)", "z"), ("max(0, z)", "0 z"),
        ("step(z)", "ones(n)"), ("step(z)", "zeros(n)"),
        ("max(x, y)", "x"), ("max(x, y)", "y"),
    ],
)
def test_piecewise_functions(key: str, wrong: str) -> None:
    assert status(key, wrong) == "incorrect"
    assert status(key, key) == "correct"


def test_piecewise_identities_are_accepted() -> None:
    assert status("relu(z)", "max(0, z)") == "correct"
    assert status("relu(z)", "z .* step(z)") == "correct"
    assert status("abs(z)", "sign(z) .* z") == "correct"
    assert status("max(x, y)", "(x + y + abs(x - y)) / 2") == "correct"


# --- domains --------------------------------------------------------------------------------


def test_points_outside_a_functions_domain_are_resampled() -> None:
    assert status("log(a)", "log(a)") == "correct"             # needs a > 0
    assert status("log(x .* x + 1)", "log(1 + x.^2)") == "correct"
    assert status("sqrt(a)", "a^0.5") == "correct"
    assert status("log(det(X))", "log(det(X^T))") == "correct"  # needs det X > 0
    assert status("inv(X) X", "I") == "correct"                 # singular X resampled
    assert status("log(a)", "log(2 a)") == "incorrect"


def test_layout_free_equivalence_is_decided_on_several_sizes() -> None:
    # Equal when n = 2 only would be caught: sizes vary and are never 1.
    assert status("tr(A) I_n", "A + A^T - A - A^T + tr(A) I") == "correct"
    assert status("C^T C", "C C^T") == "wrong_shape"


# --- explicit matrices ----------------------------------------------------------------------

EXPLICIT = "x, y"


def test_explicit_matrices_entry_by_entry() -> None:
    key = "[6 x y, 3 x^2; 2, 8 y^7]"
    assert status(key, r"\begin{bmatrix} 6xy & 3x^{2} \\ 2 & 8y^{7} \end{bmatrix}", EXPLICIT) \
        == "correct"
    verdict = check(key, "[6 x y, 3 x^2; 2, 7 y^8]", EXPLICIT)
    assert verdict.status == "incorrect"
    assert verdict.score == 0.0
    assert verdict.feedback == "The entry at (2, 2) is wrong."
    assert verdict.wrong_entries == ((2, 2),)
    assert verdict.to_json()["wrong_entries"] == [[2, 2]]
    assert check(key, "[6 x y, 3 x^2; 2, 8 y^7]", EXPLICIT).wrong_entries == ()


def test_partial_credit_is_the_fraction_of_entries_right() -> None:
    options = CheckOptions(partial_credit=True)
    verdict = check("[1, 2, 3; 4, 5, 6]", "[1, 2, 0; 4, 0, 6]", EXPLICIT, options=options)
    assert verdict.score == pytest.approx(4 / 6)
    assert verdict.feedback == "The entries at (1, 3), (2, 2) are wrong."
    assert verdict.wrong_entries == ((1, 3), (2, 2))
    transposed = check("[1, 2; 3, 4]", "[1, 3; 2, 4]", EXPLICIT, options=options)
    assert transposed.note == "transpose"
    assert transposed.score == pytest.approx(0.5)


def test_explicit_wrong_size_is_a_wrong_shape() -> None:
    verdict = check("[1, 2; 3, 4]", "[1, 2, 3; 4, 5, 6]", EXPLICIT)
    assert verdict.status == "wrong_shape"
    assert "2×3" in verdict.feedback and "2×2" in verdict.feedback


# --- the record -----------------------------------------------------------------------------


def test_verdict_json_holds_every_field() -> None:
    verdict = check("(A + A^T) x", "A'x + Ax", GIVEN)
    assert verdict.to_json() == {
        "status": "correct", "score": 1.0, "expected_shape": ["n", "1"],
        "answer_shape": ["n", "1"], "note": None, "feedback": "Correct.",
        "interpreted_as": {"ascii": "A^T x + A x", "latex": r"A^{\top} \mathbf{x} + A \mathbf{x}",
                           "notes": ["read 'Ax' as the product A x"]},
        "method": verdict.method, "wrong_entries": [],
    }
    assert "Schwartz–Zippel" in verdict.method and "≈" in verdict.method


def test_float_method_is_stated() -> None:
    assert "50-digit" in check("exp(a)", "exp(a)", GIVEN).method


def test_verdicts_are_reproducible() -> None:
    one = check("(A + A^T) x", "2 A x", GIVEN)
    two = check("(A + A^T) x", "2 A x", GIVEN)
    assert one == two


def test_the_expected_shape_sizes_a_bare_identity() -> None:
    assert status("inv(X) X", "I") == "correct"
    assert status("A^T", r"\mathbf{0} + A^T") == "correct"
    assert status("x", "I") == "wrong_shape"  # I is square: can't be n×1
