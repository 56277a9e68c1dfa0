"""Shape inference on every operator, with symbolic and concrete dims, and its errors."""

from __future__ import annotations

import pytest

from grader import ParseError, parse
from grader.language.shapes import Dim, Shape

GIVEN = "a, x[n], y[n], v[m], w[1,n], A[n,n], B[n,n], C[m,n], D[3,2], p[3], X[n,n]"


@pytest.mark.parametrize(
    ("text", "rows", "cols"),
    [
        ("a", 1, 1), ("x", "n", 1), ("w", 1, "n"), ("C", "m", "n"), ("D", 3, 2),
        ("x + y", "n", 1), ("A - B", "n", "n"), ("-C", "m", "n"),
        ("x + 1", "n", 1), ("1 - x", "n", 1), ("A + a", "n", "n"),  # scalar expansion
        ("A x", "n", 1), ("C x", "m", 1), ("x^T A", 1, "n"), ("x^T A x", 1, 1),
        ("x x^T", "n", "n"), ("C^T v", "n", 1), ("D^T p", 2, 1), ("p^T D", 1, 2),
        ("(x^T y) A", "n", "n"), ("A (x^T y)", "n", "n"), ("x (x^T x)", "n", 1),
        ("2 a x", "n", 1), ("x / a", "n", 1), ("A / (x^T x)", "n", "n"),
        ("x .* y", "n", 1), ("x ./ y", "n", 1), ("x .^ 2", "n", 1), ("a .* x", "n", 1),
        ("max(0, x)", "n", 1), ("max(x, y)", "n", 1),
        ("kron(A, C)", "m*n", "n^2"), ("kron(x, w)", "n", "n"), ("vec(C)", "m*n", 1),
        ("a^2", 1, 1), ("A^3", "n", "n"), ("A^-2", "n", "n"), ("(x^T x)^2", 1, 1),
        ("A^T", "n", "n"), ("C^T", "n", "m"), ("x'", 1, "n"), ("A^-1", "n", "n"),
        ("A^-T", "n", "n"), ("a^-1", 1, 1),
        ("exp(x)", "n", 1), ("sigma(C)", "m", "n"), ("relu(w)", 1, "n"), ("log(a)", 1, 1),
        ("sum(C)", 1, 1), ("tr(A)", 1, 1), ("det(X)", 1, 1), ("norm(x)", 1, 1),
        ("norm(C)", 1, 1), ("norm(w, 1)", 1, 1),
        ("diag(x)", "n", "n"), ("diag(w)", "n", "n"), ("diag(A)", "n", 1), ("diag(a)", 1, 1),
        ("softmax(x)", "n", 1), ("softmax(w)", 1, "n"),
        ("I", None, None), ("A + I", "n", "n"), ("I x", "n", 1), ("C I", "m", "n"),
        ("I C", "m", "n"), ("x^T I", 1, "n"), ("I_3", 3, 3), ("eye(m)", "m", "m"),
        ("ones(n)", "n", 1), ("1_m", "m", 1), (r"\mathbf{1}^T x", 1, 1),
        (r"x + \mathbf{1}", "n", 1), (r"C + \mathbf{0}", "m", "n"), ("zeros(m, n)", "m", "n"),
        ("[1, 2; 3, 4]", 2, 2), ("[1, 2, 3]", 1, 3), ("[1; 2; 3]", 3, 1), ("[a]", 1, 1),
        ("[1, 2; 3, 4] D^T", 2, 3), ("D [1, 2; 3, 4]", 3, 2),
    ],
)
def test_inferred_shape(text: str, rows: int | str | None, cols: int | str | None) -> None:
    if rows is None:  # a size no context fixes
        with pytest.raises(ParseError, match="can't tell the size of I"):
            parse(text, GIVEN)
        return
    shape = parse(text, GIVEN).shape
    assert shape is not None
    assert (str(shape.rows), str(shape.cols)) == (str(rows), str(cols))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x + x^T", "can't add n×1 and 1×n; one of them needs a transpose"),
        ("x + v", "can't add n×1 and m×1"),
        ("p + [1; 2]", "can't add 3×1 and 2×1"),
        ("A C", "can't multiply n×n by m×n: the inner sizes n and m differ"),
        ("x y", "can't multiply n×1 by n×1"),
        ("x y", "to multiply two n×1 factors entry by entry, write .*"),
        ("C x^T", "the right factor may need a transpose"),
        ("x / y", "can't divide by a n×1 matrix"),
        ("x .* w", "can't multiply element-wise n×1 and 1×n"),
        ("x ./ v", "can't divide element-wise n×1 and m×1"),
        ("max(x, v)", "max of n×1 and m×1"),
        ("x^2", "only a square matrix has powers, and this is n×1; write .^"),
        ("A^0.5", "can only be raised to a whole-number power"),
        ("A^a", "can only be raised to a whole-number power"),
        ("a^x", "an exponent must be a scalar"),
        ("e^x", "write exp(...) for the element-wise exponential"),
        ("C^-1", "an inverse needs a square matrix, and this is m×n"),
        ("inv(x)", "an inverse needs a square matrix"),
        ("tr(C)", "a trace needs a square matrix, and this is m×n"),
        ("det(D)", "a determinant needs a square matrix, and this is 3×2"),
        ("diag(C)", "diag needs a vector or a square matrix"),
        ("softmax(A)", "softmax needs a vector"),
        ("norm(A, 1)", "the 1-norm is for vectors"),
        ("[x, 1]", "a matrix entry must be a scalar, and this one is n×1"),
        ("A + I_3", "can't add n×n and 3×3"),
        ("eye(x)", "'x' is a value, not a dimension"),
        ("I", "can't tell the size of I here"),
        (r"\mathbf{1}", "can't tell the size of the vector of ones"),
    ],
)
def test_shape_errors_name_both_shapes(text: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, GIVEN)
    assert message in caught.value.message
    assert caught.value.code == "shape"
    assert caught.value.position is not None


def test_unknown_sizes_are_unified_across_the_expression() -> None:
    tree = parse("(I + A) x + I x", GIVEN)
    assert tree.shape == Shape.of("n", 1)


def test_dim_products_print_as_powers() -> None:
    assert str(Dim.of("n") * Dim.of("n") * Dim.of("m")) == "m*n^2"
    assert (Dim.of("n") * Dim.of(3)).as_product() == "3*n"
    assert Shape.of("n", 1).as_strings() == ["n", "1"]
    assert Shape.of("n", 1).describe() == "n×1 (column vector)"
