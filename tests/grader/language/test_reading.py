"""How answers are read as students write them: compact notation, typeset keys, wrappers, pasted
symbols.  One test per rule of the README's reading table, each with the verdict it should lead
to; the readings are compared with trees written out spaced, in the canonical form."""

from __future__ import annotations

import pytest

from grader import ParseError, check, parse, read

GIVEN = ("x, y, z, k, m, lambda, X[n,n], A[n,n], B[n,n], C[n,n], a[n], b[n], u[n], v[n], "
         "W1[n,n], W2[n,n], b1[n]")


def same(compact: str, spaced: str, given: str = GIVEN) -> None:
    assert parse(compact, given) == parse(spaced, given), compact


def refused(text: str, *fragments: str, given: str = GIVEN, code: str | None = None) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, given)
    for fragment in fragments:
        assert fragment in caught.value.message, caught.value.message
    if code is not None:
        assert caught.value.code == code


# --- runs of names ----------------------------------------------------------------------------


@pytest.mark.parametrize(("compact", "spaced"), [
    ("3xy^2", "3 x y^2"),
    ("3xy^{2}", "3 x y^2"),
    ("12xy^2", "12 x y^2"),
    ("-3X^{-1}AX^{-1}", "-3 X^-1 A X^-1"),
    ("-3X^-1AX^-1", "-3 X^-1 A X^-1"),
    ("A^TXB^T", "A^T X B^T"),
    ("A'XB'", "A^T X B^T"),
    ("ab^T", "a b^T"),
    ("ab'", "a b^T"),
    ("X^-TA^T", "X^-T A^T"),
    ("yexp(x)", "y exp(x)"),
    ("W2tanh(W1u+b1)", "W2 tanh(W1 u + b1)"),
    ("lambdasign(x)", "lambda sign(x)"),
    ("x^TAx", "x^T A x"),
    ("zI_{n}", "z I_n"),
    ("zI_n", "z I_n"),
    ("X+lambdaI", "X + lambda I"),
    ("2pix", "2 pi x"),
    ("CW_{1}", "C W1"),
])
def test_runs_of_names_are_products_and_postfixes_bind_to_the_last(compact: str,
                                                                    spaced: str) -> None:
    same(compact, spaced)


def test_a_run_of_names_is_flagged_in_the_echo() -> None:
    answer = read("3xy^2", GIVEN)
    assert [note.kind for note in answer.notes] == ["split_name"]
    assert "x y" in answer.messages[0]
    assert answer.notes[0].span == (1, 3)  # the place in the text as typed


def test_the_false_accept_of_12xy2_is_gone() -> None:
    verdict = check("12 x^2 y^2", "12xy^2", "x, y")
    assert verdict.status == "incorrect"
    assert verdict.interpreted_as is not None
    assert verdict.interpreted_as.ascii == "12 x y^2"


def test_kronecker_key_as_typeset_is_accepted() -> None:
    key = "-kron(B^T X^-T, A X^-1)"
    typed = r"-B^{\top}X^{-\top}\otimes\left(AX^{-1}\right)"
    assert check(key, typed, GIVEN).status == "correct"


def test_two_readings_of_a_run_are_refused_naming_both() -> None:
    refused("abc", "ab c", "a bc", given="ab, a, bc, c", code="ambiguous")


def test_a_declared_name_wins_over_a_split() -> None:
    assert parse("ab", "ab, a, b") == parse("ab", "ab")


def test_a_function_word_at_the_start_is_not_split() -> None:
    refused("sinx", "did you mean sin(x)?", given="s, i, n, x")


# --- functions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "spaced"), [
    (r"\tanh^2(z)", "tanh(z)^2"),
    ("tanh²(z)", "tanh(z)^2"),
    (r"\tanh^{2}(z)", "tanh(z)^2"),
    (r"\tanh^2(u)", "tanh(u) .^ 2"),
    ("tanh²(u)", "tanh(u) .^ 2"),
    (r"\sin^2 x", "sin(x)^2"),
    (r"\cos 2x", "cos(2 x)"),
    (r"\cos 2 x", "cos(2 x)"),
    (r"\sin x \cos x", "sin(x) cos(x)"),
    (r"\sin x^2", "sin(x^2)"),
    (r"\log \det X", "log(det(X))"),
    (r"\det(X) X^{-1}", "det(X) X^-1"),
])
def test_functions_as_texts_write_them(typed: str, spaced: str) -> None:
    same(typed, spaced)


def test_a_power_typed_after_the_call_keeps_its_meaning() -> None:
    same("tanh(z)^2", "tanh(z)^2")
    refused("tanh(u)^2", "square", code="shape")  # a matrix power of a vector


def test_worked_solutions_form_of_tanh_derivative_is_accepted() -> None:
    assert check("1 - tanh(z)^2", "1 − tanh²(z)", "z").status == "correct"
    assert check("1 - tanh(u) .^ 2", r"1-\tanh^2(u)", "u[n]").status == "correct"


@pytest.mark.parametrize(("text", "readings"), [
    ("tr X B", ("tr(X B)", "tr(X) B")),
    (r"\det X X^{-1}", ("det(X X^-1)", "det(X) X^-1")),
    (r"\sin x y", ("sin(x y)", "sin(x) y")),
    (r"\operatorname{Tr}XB", ("tr(X B)", "tr(X) B")),
])
def test_a_bare_function_followed_by_a_factor_is_ambiguous(text: str,
                                                           readings: tuple[str, str]) -> None:
    refused(text, *readings, code="ambiguous")


def test_cos_2x_is_no_longer_cos_2_times_x() -> None:
    verdict = check("cos(2 x)", r"\cos 2x", "x")
    assert verdict.status == "correct"
    assert verdict.interpreted_as is not None
    assert any("cos(2 x)" in note for note in verdict.interpreted_as.notes)


def test_an_inverse_sign_on_a_function_is_refused() -> None:
    refused(r"\sin^{-1}(x)", "inverse function")


def test_trans_gets_the_two_spellings_of_a_transpose() -> None:
    refused("trans(C)", "transpose(C)", "C^T", code="unknown_name")
    refused("inverse(A + B)", "inv(A + B)", "(A + B)^-1", code="unknown_name")


# --- wrappers and left-hand sides -------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "$2 a$", "$$2 a$$", r"\(2 a\)", r"\[2 a\]", "2 a.", "2 a,", r"2 a \\", " $2a$. ",
    r"\frac{\partial f}{\partial x} = 2 a",
    r"\frac{\partial f}{\partial \mathbf{x}} = 2 a",
    r"\partial f/\partial x = 2 a",
    "∂f/∂x = 2a",
    "df/dx = 2a",
    r"\frac{df}{dx} = 2a",
    r"\nabla_x f = 2 a",
    r"\nabla_{\mathbf{x}} f(\mathbf{x}) = 2a",
    "f'(x) = 2a",
    r"$\frac{\partial f}{\partial x} = 2a$.",
    r"\frac{\partial f}{\partial x} &= 2a",
])
def test_wrappers_and_left_hand_sides_are_stripped_and_said(typed: str) -> None:
    answer = read(typed, GIVEN)
    assert answer.tree == parse("2 a", GIVEN)
    assert answer.notes and all(note.kind == "stripped" for note in answer.notes)


def test_any_other_equals_sign_stays_an_error() -> None:
    refused("x = 2 a", "right-hand side")
    refused("a = b = 2 a", "right-hand side")


def test_the_echo_names_what_was_stripped() -> None:
    messages = read(r"$df/dx = 2a$.", GIVEN).messages
    assert any("$" in m for m in messages)
    assert any("df/dx =" in m for m in messages)
    assert any("'.'" in m for m in messages)


def test_a_decimal_point_and_a_transpose_are_not_trailing_marks() -> None:
    same("2.5 a", "2.5 a")
    same("a.T", "a^T")


# --- styles and transpose signs ---------------------------------------------------------------


@pytest.mark.parametrize(("typed", "spaced"), [
    (r"\mathbf a", "a"),
    (r"{\bf a}", "a"),
    (r"\boldsymbol a", "a"),
    (r"\vec{a}^{\,T}", "a^T"),
    (r"a^{\prime}", "a^T"),
    ("a⊤", "a^T"),
    ("a^⊤", "a^T"),
    ("X^{-⊤}", "X^-T"),
    (r"\mathbf a^\top \mathbf b", "a^T b"),
])
def test_styles_and_transpose_signs(typed: str, spaced: str) -> None:
    same(typed, spaced)


# --- brackets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "spaced"), [
    ("[1 2; 3 4]", "[1, 2; 3, 4]"),
    ("[1 2]", "[1, 2]"),
    ("[[-56 0] [0 -24]]", "[-56, 0; 0, -24]"),
    ("[1 -2; -3 4]", "[1, -2; -3, 4]"),
    ("[1 - 2]", "[1-2]"),  # a sign spaced on both sides subtracts
])
def test_brackets_of_numbers_read_as_matlab_and_numpy_print_them(typed: str,
                                                                 spaced: str) -> None:
    same(typed, spaced)


def test_the_false_accept_of_1_2_3_4_is_gone() -> None:
    assert check("[2; 12]", "[1 2; 3 4]", "").status == "wrong_shape"
    assert check("[1, 2; 3, 4]", "[1 2; 3 4]", "").status == "correct"


def test_a_bracket_of_products_is_kept_and_flagged() -> None:
    answer = read("[2 x y; 4 y]", GIVEN)
    assert answer.tree == parse("[2*x*y; 4*y]", GIVEN)
    assert answer.tree.typed_shape.as_strings() == ["2", "1"]
    assert [note.kind for note in answer.notes] == ["bracket_products"]


@pytest.mark.parametrize(("text", "hint"), [("[x -y]", "[x, -y]"), ("[2*x y]", "[2*x, y]")])
def test_spacing_that_could_separate_entries_is_ambiguous(text: str, hint: str) -> None:
    refused(text, hint, code="ambiguous")


def test_our_printed_columns_of_products_still_read() -> None:
    same("[-2 y sin(x) + 2 / x; 2 cos(x)]", "[-2*y*sin(x) + 2/x; 2*cos(x)]")


def test_indexing_is_refused_not_read_as_a_product() -> None:
    refused("a[2]", "indexing")
    assert check("2 a", "a[2]", GIVEN).status == "invalid"


# --- bars -------------------------------------------------------------------------------------


def test_bars_around_a_square_matrix_are_ambiguous() -> None:
    refused("|X| X^{-1}", "det(", "abs(", code="ambiguous")
    refused(r"\left|X\right|", "det(", code="ambiguous")


def test_bars_around_a_scalar_or_vector_are_abs() -> None:
    same("|x|", "abs(x)")
    answer = read("|a|", GIVEN)
    assert answer.tree == parse("abs(a)", GIVEN)
    assert [note.kind for note in answer.notes] == ["abs_bars"]


def test_abs_of_a_matrix_prints_as_a_function_and_reads_back() -> None:
    from grader import print_latex

    tree = parse("abs(X)", GIVEN)
    latex = print_latex(tree)
    assert "|" not in latex
    assert parse(latex, GIVEN) == tree
