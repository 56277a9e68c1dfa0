"""The corpus of ``bench/grade.py``: identities of the Matrix Cookbook §2 and Parr & Howard §4–6,
answered right and wrong.

Each :class:`Family` is one identity: the declarations (``given``), the key, answers written by hand
in the ``right`` and ``wrong`` lists (the hand labels), and, where the identity is a derivative, the
function it differentiates (``function``, ``wrt``, ``layout``) so that ``grade.py`` can check the
key itself by central finite differences.  Layouts: ``G`` (a scalar's gradient has the variable's
shape), ``J`` (numerator-layout Jacobian of a vector by a vector), ``vec`` (Jacobian of vec(F) by
vec(X)), ``t`` (entry-wise derivative of a matrix by the scalar ``wrt``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    name: str
    given: str
    key: str
    right: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()
    function: str | None = None
    wrt: str | None = None
    layout: str = "G"


FAMILIES: tuple[Family, ...] = (
    # --- scalar rules and partials (P&H §2-3) --------------------------------------------------
    Family(
        "gradient of 3x^2 y (row)", "x, y", "[6 x y, 3 x^2]",
        right=("[6xy, 3x^2]", "[6 y x, 3 x x]", "3x [2y, x]",
               "\\begin{bmatrix} 6xy & 3x^2 \\end{bmatrix}"),
        wrong=("[6xy; 3x^2]", "[3 x^2, 6 x y]", "[6 x y, 3 x^2 y]", "[6 x, 3 x^2]"),
    ),
    Family(
        "Jacobian of [3x^2 y, 2x + y^8]", "x, y", "[6 x y, 3 x^2; 2, 8 y^7]",
        right=("[6xy, 3x^2; 2, 8y^7]", "[[6 x y, 3 x^2], [2, 8 y^7]]",
               "\\begin{bmatrix} 6xy & 3x^2 \\\\ 2 & 8y^7 \\end{bmatrix}"),
        wrong=("[6xy, 2; 3x^2, 8y^7]", "[6xy, 3x^2; 2, 7y^8]", "[6xy, 3x^2; 2x, 8y^7]"),
    ),
    Family(
        "d sin(x^2)/dx", "x", "2 x cos(x^2)",
        right=("cos(x^2) 2x", "2x\\cos x^2", "x cos(x^2) + x cos(x^2)"),
        wrong=("cos(x^2)", "2 x cos(2x)", "-2 x cos(x^2)", "2x sin(x^2)"),
        function="sin(x^2)", wrt="x",
    ),
    Family(
        "d ln(sin(x^3)^2)/dx", "x", "6 x^2 cos(x^3) / sin(x^3)",
        right=("6 x^2 / tan(x^3)", "2 * 3 x^2 cos(x^3) / sin(x^3)",
               "\\frac{6x^2\\cos(x^3)}{\\sin(x^3)}"),
        wrong=("6x^2 tan(x^3)", "2 cos(x^3)/sin(x^3)", "3x^2 cos(x^3)/sin(x^3)"),
        function="log(sin(x^3)^2)", wrt="x",
    ),
    Family(
        "d sin(x + x^2)/dx", "x", "cos(x + x^2)(1 + 2x)",
        right=("(1 + 2x) cos(x + x^2)", "cos(x + x^2) + 2x cos(x + x^2)"),
        wrong=("2x cos(x + x^2)", "cos(1 + 2x)", "(1 + 2x) sin(x + x^2)"),
        function="sin(x + x^2)", wrt="x",
    ),
    # --- scalar traps --------------------------------------------------------------------------
    Family(
        "trap: sin(pi a)", "a", "sin(pi a)",
        right=("sin(pi a + 2 pi)", "-sin(-pi a)", "2 sin(pi a / 2) cos(pi a / 2)"),
        wrong=("0", "pi a", "sin(a)"),
    ),
    Family("trap: 0 vs sin(pi a)", "a", "0", right=("sin(2 pi)",), wrong=("sin(pi a)",)),
    Family("trap: 1 vs cos^2 + sin^2", "a", "1",
           right=("cos(pi a)^2 + sin(pi a)^2",), wrong=("cos(pi a)^2 - sin(pi a)^2",)),
    Family(
        "trap: abs(a)", "a", "abs(a)",
        right=("sqrt(a^2)", "a sign(a)", "\\left| a \\right|"),
        wrong=("a", "-a", "a^2"),
    ),
    Family(
        "trap: a + 10^-20", "a", "a",
        right=("a + 10^-20 - 10^-20", "(a^2 + a) / (a + 1)"),
        wrong=("a + 10^-20", "a (1 + 10^-20)"),
    ),
    Family("trap: sin(a) + 10^-40 (float mode)", "a", "sin(a)",
           right=("e^(log(2)) sin(a) / 2",), wrong=("sin(a) + 10^-40",)),
    Family(
        "trap: domain, log|a|", "a", "log(abs(a))",
        right=("log(a^2) / 2", "log(sqrt(a^2))"), wrong=("log(a)", "2 log(a) / 2"),
    ),
    Family(
        "trap: domain, answer defined only for a > 0", "a", "abs(a)",
        right=("max(a, -a)",), wrong=("sqrt(a)^2", "exp(log(a))"),
    ),
    Family(
        "trap: domain, sign", "x[n]", "sign(x)",
        right=("x ./ sqrt(x .^ 2)",), wrong=("x ./ sqrt(x) .^ 2", "ones(n) + 0 log(x)"),
    ),
    Family("trap: e^a", "a", "exp(a)", right=("e^a",), wrong=("a e",)),
    Family(
        "trap: max(0, z)", "z[n]", "max(0, z)",
        right=("relu(z)", "(z + abs(z)) / 2", "max(z, 0)", "z .* step(z)"),
        wrong=("z", "abs(z)", "step(z)"),
    ),
    Family(
        "trap: sigma' (vector)", "z[n]", "sigma(z) .* (1 - sigma(z))",
        right=("exp(-z) ./ (1 + exp(-z)).^2", "exp(z) ./ (1 + exp(z)).^2",
               "sigma(z) - sigma(z) .^ 2", "sigma(z) .* sigma(-z)"),
        wrong=("sigma(z)", "sigma(z) .* (1 + sigma(z))", "1 - sigma(z) .^ 2",
               "exp(-z) ./ (1 + exp(-z))"),
    ),
    Family(
        "trap: sigma' (scalar)", "z", "sigma(z) (1 - sigma(z))",
        right=("exp(-z) / (1 + exp(-z))^2", "e^(-z) / (1 + e^(-z))^2", "sigma(z) sigma(-z)"),
        wrong=("sigma(z)^2", "1 - sigma(z)^2", "sigma(z)"),
    ),
    # --- scalar by vector (G) ------------------------------------------------------------------
    Family(
        "a^T x", "a[n], x[n]", "a",
        right=("(a^T)^T", "\\mathbf{a}", "I a"),
        wrong=("a^T", "x", "2a", "a^T x"),
        function="a^T x", wrt="x",
    ),
    Family(
        "x^T x", "x[n]", "2 x",
        right=("x + x", "2 I x", "x .* 2", "2\\mathbf{x}"),
        wrong=("x", "2 x^T", "x^T x", "x .^ 2", "2 x .* x"),
        function="x^T x", wrt="x",
    ),
    Family(
        "x^T A x", "x[n], A[n,n]", "(A + A^T) x",
        right=("A x + A^T x", "A^T x + A x", "\\left(A + A^\\top\\right)\\mathbf{x}",
               "(A' + A)*x", "A@x + A.T@x", "(x^T (A + A^T))^T", "(x^T A)^T + A x",
               "transpose(A) x + A x", "2 (A + A^T) x / 2"),
        wrong=("2 A x", "2 A^T x", "A x", "A^T x", "x^T (A + A^T)", "(A - A^T) x",
               "-(A + A^T) x", "((A + A^T) .* (x ones(n)^T)) ones(n)", "2 A .* A^T x"),
        function="x^T A x", wrt="x",
    ),
    Family(
        "x^T (L L^T) x (symmetric S = L L^T)", "x[n], L[n,n]", "2 L L^T x",
        right=("(L L^T + (L L^T)^T) x", "2 L (L^T x)", "L L^T x + L L^T x"),
        wrong=("2 L^T L x", "L L^T x", "2 L^T x"),
        function="x^T L L^T x", wrt="x",
    ),
    Family(
        "Hessian of x^T A x", "x[n], A[n,n]", "A + A^T",
        right=("A^T + A", "(A + A^T)^T", "A + A'"),
        wrong=("2 A", "A", "2 A^T", "A - A^T"),
        function="(A + A^T) x", wrt="x", layout="J",
    ),
    Family(
        "x^T A^T A x", "x[n], A[n,n]", "2 A^T A x",
        right=("2 (A^T A) x", "2 A^T (A x)", "(A^T A + (A^T A)^T) x", "A^T A x + A^T A x"),
        wrong=("2 A A^T x", "A^T A x", "2 (A^T .* A) x", "2 A^T A^T x"),
        function="x^T A^T A x", wrt="x",
    ),
    Family(
        "||x||_2", "x[n]", "x / norm(x)",
        right=("x/\\|x\\|", "\\frac{\\mathbf{x}}{\\|\\mathbf{x}\\|_2}", "x / sqrt(x^T x)",
               "(x^T x)^(-1/2) x", "x ./ norm(x)", "1/norm(x) x"),
        wrong=("x / norm(x)^2", "x / (x^T x)", "2x", "x", "x^T / norm(x)", "norm(x) x"),
        function="norm(x)", wrt="x",
    ),
    Family(
        "||x - a||_2", "x[n], a[n]", "(x - a) / norm(x - a)",
        right=("x/norm(x - a) - a/norm(x - a)", "-(a - x)/norm(a - x)",
               "\\frac{x - a}{\\lVert x - a \\rVert}"),
        wrong=("(a - x)/norm(x - a)", "(x - a)/norm(x)", "x/norm(x)", "(x - a)/norm(x - a)^2"),
        function="norm(x - a)", wrt="x",
    ),
    Family(
        "||x||_1", "x[n]", "sign(x)",
        right=("x ./ abs(x)", "step(x) - step(-x)", "abs(x) ./ x"),
        wrong=("abs(x)", "x", "ones(n)", "step(x)"),
        function="norm(x, 1)", wrt="x",
    ),
    Family(
        "||A x - b||^2", "x[n], A[m,n], b[m]", "2 A^T (A x - b)",
        right=("2 A^T A x - 2 A^T b", "2 (A^T A x - A^T b)", "-2 A^T (b - A x)",
               "2 A' * (A*x - b)", "A^T (A x - b) + A^T (A x - b)",
               "(2 (A x - b)^T A)^T", "2A^\\top(A\\mathbf{x}-\\mathbf{b})",
               "2 (A^T A) x - 2 A^T b"),
        wrong=("A^T (A x - b)", "2 A^T (A x + b)", "2 A^T (b - A x)", "2 A^T A x",
               "2 (A x - b)", "2 (A x - b)^T A", "2 A^T A x - A^T b"),
        function="norm(A x - b)^2", wrt="x",
    ),
    Family(
        "ridge", "x[n], A[m,n], b[m], lambda", "2 A^T (A x - b) + 2 lambda x",
        right=("2 (A^T A + lambda I) x - 2 A^T b", "2 A^T A x - 2 A^T b + 2 lambda x",
               "2(A^T(Ax - b) + lambda x)",
               "2 A^\\top (A\\mathbf{x} - \\mathbf{b}) + 2\\lambda \\mathbf{x}",
               "2 (A^T A + \\lambda I_n) x - 2 A^T b"),
        wrong=("2 A^T (A x - b) + lambda x", "2 A^T (A x - b)", "2 (A^T A + lambda) x - 2 A^T b",
               "2 A^T (A x - b) - 2 lambda x"),
        function="norm(A x - b)^2 + lambda norm(x)^2", wrt="x",
    ),
    Family(
        "(1/N)||X w - y||^2", "X[m,n], w[n], y[m], N", "2/N X^T (X w - y)",
        right=("\\frac{2}{N} X^\\top (X w - y)", "(2 X^T X w - 2 X^T y)/N",
               "2 X^T (X w - y) / N", "(2/N) (X^T X w - X^T y)"),
        wrong=("2 X^T (X w - y)", "1/N X^T (X w - y)", "2/N X^T (y - X w)",
               "2 N X^T (X w - y)"),
        function="norm(X w - y)^2 / N", wrt="w",
    ),
    Family(
        "Mahalanobis, Sigma = L L^T, by mu", "x[n], mu[n], L[n,n]", "-2 (L L^T)^-1 (x - mu)",
        right=("-2 inv(L L^T) (x - mu)", "2 (L L^T)^{-1} (mu - x)", "-2 L^-T L^-1 (x - mu)",
               "-2 (L L^T)^-1 x + 2 (L L^T)^-1 mu", "-((L L^T)^-1 + (L L^T)^-T)(x - mu)"),
        wrong=("2 (L L^T)^-1 (x - mu)", "-2 L^-1 L^-T (x - mu)", "-(L L^T)^-1 (x - mu)",
               "-2 L L^T (x - mu)", "-2 (x - mu)^T (L L^T)^-1"),
        function="(x - mu)^T (L L^T)^-1 (x - mu)", wrt="mu",
    ),
    Family(
        "Mahalanobis, non-symmetric Sigma, by mu", "x[n], mu[n], Sigma[n,n]",
        "-(Sigma^-1 + Sigma^-T)(x - mu)",
        right=("-Sigma^-1 (x - mu) - Sigma^-T (x - mu)", "(Sigma^-1 + Sigma^-T)(mu - x)"),
        wrong=("-2 Sigma^-1 (x - mu)", "-2 Sigma^-T (x - mu)", "-Sigma^-1 (x - mu)"),
        function="(x - mu)^T Sigma^-1 (x - mu)", wrt="mu",
    ),
    Family(
        "logsumexp", "z[n]", "softmax(z)",
        right=("exp(z) / sum(exp(z))", "exp(z) / (ones(n)^T exp(z))",
               "\\frac{\\exp(z)}{\\operatorname{sum}(\\exp(z))}", "exp(z) ./ sum(exp(z))",
               "1/sum(exp(z)) exp(z)"),
        wrong=("exp(z)", "softmax(z) .* (1 - softmax(z))", "exp(z) / sum(z)",
               "log(softmax(z))", "softmax(z)^T"),
        function="log(sum(exp(z)))", wrt="z",
    ),
    Family(
        "cross-entropy of softmax (general y)", "z[n], y[n]", "softmax(z) sum(y) - y",
        right=("sum(y) softmax(z) - y", "softmax(z) (ones(n)^T y) - y",
               "exp(z) sum(y) / sum(exp(z)) - y"),
        wrong=("softmax(z) - y", "y - softmax(z) sum(y)", "softmax(z) .* y - y",
               "softmax(z) sum(y)"),
        function="-y^T log(softmax(z))", wrt="z",
    ),
    Family(
        "logistic loss", "w[n], x[n], y", "-y sigma(-y w^T x) x",
        right=("-y x / (1 + exp(y w^T x))", "-y exp(-y w^T x) / (1 + exp(-y w^T x)) x",
               "-y (1 - sigma(y w^T x)) x", "y (sigma(y x^T w) - 1) x"),
        wrong=("-y sigma(y w^T x) x", "y sigma(-y w^T x) x", "-sigma(-y w^T x) x",
               "-y sigma(-y w^T x) w", "-y sigma(-y w^T x) x^T"),
        function="log(1 + exp(-y w^T x))", wrt="w",
    ),
    Family(
        "binary cross-entropy of sigma(w^T x + b)", "w[n], x[n], b, t", "(sigma(w^T x + b) - t) x",
        right=("sigma(w^T x + b) x - t x", "(1/(1 + exp(-(w^T x + b))) - t) x",
               "x (sigma(x^T w + b) - t)"),
        wrong=("(t - sigma(w^T x + b)) x", "sigma(w^T x + b) (1 - sigma(w^T x + b)) x",
               "(sigma(w^T x + b) - t) w", "(sigma(w^T x) - t) x"),
        function="-(t log(sigma(w^T x + b)) + (1 - t) log(1 - sigma(w^T x + b)))", wrt="w",
    ),
    # --- scalar by matrix (G) ------------------------------------------------------------------
    Family(
        "a^T X b", "a[m], X[m,n], b[n]", "a b^T",
        right=("(b a^T)^T", "a * b'", "\\mathbf{a}\\mathbf{b}^\\top", "kron(a, b^T)"),
        wrong=("b a^T", "2 a b^T", "a b^T X^T X"),
        function="a^T X b", wrt="X",
    ),
    Family(
        "a^T X b (square X)", "a[n], X[n,n], b[n]", "a b^T",
        right=("(b a^T)'",), wrong=("b a^T", "a^T b", "a b^T + b a^T"),
        function="a^T X b", wrt="X",
    ),
    Family(
        "a^T X^T b", "a[n], X[m,n], b[m]", "b a^T",
        right=("(a b^T)^T", "b \\mathbf{a}^\\top"), wrong=("a b^T", "-b a^T"),
        function="a^T X^T b", wrt="X",
    ),
    Family(
        "tr X", "X[n,n]", "I_n",
        right=("eye(n)", "\\mathbf{I}_{n}", "diag(ones(n))", "X X^-1", "X^0"),
        wrong=("ones(n) ones(n)^T", "1", "X^T", "zeros(n, n)", "tr(X) I_n"),
        function="tr(X)", wrt="X",
    ),
    Family(
        "tr(A X)", "A[n,m], X[m,n]", "A^T",
        right=("A'", "transpose(A)", "A.T", "A^\\top", "(A^T)"),
        wrong=("A", "X^T", "X", "-A^T"),
        function="tr(A X)", wrt="X",
    ),
    Family(
        "tr(A X), square", "A[n,n], X[n,n]", "A^T",
        right=("A^{T}", "A^{\\mathsf{T}}"), wrong=("A", "A .* X", "A^T X"),
        function="tr(A X)", wrt="X",
    ),
    Family(
        "tr(X^T A)", "X[m,n], A[m,n]", "A",
        right=("(A^T)^T", "A + 0 X"), wrong=("A^T", "X", "A X^T A"),
        function="tr(X^T A)", wrt="X",
    ),
    Family(
        "tr(A X B)", "A[k,m], X[m,n], B[n,k]", "A^T B^T",
        right=("(B A)^T", "A' * B'", "\\left(BA\\right)^\\top"),
        wrong=("B A", "2 A^T B^T"),
        function="tr(A X B)", wrt="X",
    ),
    Family(
        "tr(A X B), square", "A[n,n], X[n,n], B[n,n]", "A^T B^T",
        right=("(B A)'",), wrong=("B^T A^T", "B A", "A B", "A^T B"),
        function="tr(A X B)", wrt="X",
    ),
    Family(
        "tr(X^T A X)", "X[n,m], A[n,n]", "(A + A^T) X",
        right=("A X + A^T X", "A^T X + A X", "(X^T (A + A^T)^T)^T"),
        wrong=("2 A X", "X^T (A + A^T)", "A X", "(A - A^T) X"),
        function="tr(X^T A X)", wrt="X",
    ),
    Family(
        "tr(X A X^T)", "X[m,n], A[n,n]", "X (A + A^T)",
        right=("X A + X A^T", "((A + A^T) X^T)^T", "X A^T + X A"),
        wrong=("2 X A", "X A", "(A + A^T) X^T", "2 X A^T"),
        function="tr(X A X^T)", wrt="X",
    ),
    Family(
        "||X||_F^2", "X[m,n]", "2 X",
        right=("X + X", "X * 2", "2 X .* (ones(m) ones(n)^T)"),
        wrong=("2 X^T", "X", "2 norm(X) X", "X .* X"),
        function="norm(X)^2", wrt="X",
    ),
    Family(
        "||X||_F", "X[m,n]", "X / norm(X)",
        right=("X / sqrt(tr(X^T X))", "\\frac{X}{\\|X\\|_F}", "X / sqrt(sum(X .* X))",
               "X / sqrt(tr(X X^T))"),
        wrong=("X / tr(X^T X)", "2 X", "X / norm(X)^2", "X^T / norm(X)"),
        function="norm(X)", wrt="X",
    ),
    Family(
        "tr X^2", "X[n,n]", "2 X^T",
        right=("2 X'", "X^T + X^T", "2 transpose(X)", "2 X^\\top"),
        wrong=("2 X", "X^T", "2 X^2", "X + X^T"),
        function="tr(X^2)", wrt="X",
    ),
    Family(
        "tr X^3", "X[n,n]", "3 (X^2)^T",
        right=("3 (X^T)^2", "3 X^T X^T", "3 (X X)^T", "3 X^T^2"),
        wrong=("3 X^2", "3 X^T X", "2 (X^2)^T", "3 (X .^ 2)^T"),
        function="tr(X^3)", wrt="X",
    ),
    Family(
        "det X", "X[n,n]", "det(X) X^-T",
        right=("det(X) inv(X)^T", "det(X) (X^T)^-1", "\\det(X) X^{-\\top}", "det(X) inv(X')",
               "\\det(X) \\left(X^{-1}\\right)^\\top", "det(X^T) X^-T", "X^-T det(X)"),
        wrong=("det(X) X^-1", "X^-T", "det(X) X^T", "-det(X) X^-T", "X^-T / det(X)"),
        function="det(X)", wrt="X",
    ),
    Family(
        "log|det X|", "X[n,n]", "X^-T",
        right=("inv(X)^T", "(X^T)^-1", "inv(X')", "X^{-\\top}", "(X^{-1})^\\top",
               "det(X) X^-T / det(X)"),
        wrong=("X^-1", "X^T", "det(X) X^-T", "1/det(X) X^-T", "-X^-T"),
        function="log(abs(det(X)))", wrt="X",
    ),
    Family(
        "tr(A X^-1 B)", "A[n,n], X[n,n], B[n,n]", "-(X^-1 B A X^-1)^T",
        right=("-X^-T A^T B^T X^-T", "-(inv(X) B A inv(X))'", "-(B A X^-1)^T X^-T"),
        wrong=("-X^-1 B A X^-1", "(X^-1 B A X^-1)^T", "-X^-T B^T A^T X^-T", "-X^-T A^T B^T"),
        function="tr(A X^-1 B)", wrt="X",
    ),
    Family(
        "a^T X^-1 b", "a[n], X[n,n], b[n]", "-X^-T a b^T X^-T",
        right=("-(X^-1 b a^T X^-1)^T", "-(X^-T a)(X^-1 b)^T", "-(inv(X)^T a) (inv(X) b)^T"),
        wrong=("-X^-1 a b^T X^-1", "X^-T a b^T X^-T", "-X^-T b a^T X^-T", "-a b^T X^-2"),
        function="a^T X^-1 b", wrt="X",
    ),
    Family(
        "||X W - Y||_F^2 by W", "X[m,n], W[n,k], Y[m,k]", "2 X^T (X W - Y)",
        right=("2 X^T X W - 2 X^T Y", "-2 X^T (Y - X W)", "2 ((X W - Y)^T X)^T"),
        wrong=("2 (X W - Y)^T X", "X^T (X W - Y)", "2 X^T X W", "2 X^T (X W + Y)"),
        function="norm(X W - Y)^2", wrt="W",
    ),
    Family(
        "u^T (W x + b) by W", "u[m], W[m,n], x[n], b[m]", "u x^T",
        right=("(x u^T)^T", "\\mathbf{u}\\mathbf{x}^\\top", "u x^T + 0 b x^T"),
        wrong=("x u^T", "u x^T + b x^T", "W^T u", "u^T (W x + b) u x^T"),
        function="u^T (W x + b)", wrt="W",
    ),
    Family(
        "a^T X^T X b", "a[n], X[m,n], b[n]", "X (a b^T + b a^T)",
        right=("X a b^T + X b a^T", "(X a) b^T + (X b) a^T", "X (b a^T + a b^T)"),
        wrong=("2 X a b^T", "X a b^T", "X (a b^T - b a^T)", "(a b^T + b a^T) X^T"),
        function="a^T X^T X b", wrt="X",
    ),
    # --- Jacobians (J) -------------------------------------------------------------------------
    Family(
        "A x", "A[m,n], x[n]", "A",
        right=("(A^T)^T", "A I_n", "I A", "I_m A I_n"),
        wrong=("A^T", "A x", "A x ones(n)^T"),
        function="A x", wrt="x", layout="J",
    ),
    Family(
        "A x, square", "A[n,n], x[n]", "A",
        right=("A'^T",), wrong=("A^T", "A + A^T", "A x x^T"),
        function="A x", wrt="x", layout="J",
    ),
    Family(
        "W x + b by x", "W[m,n], x[n], b[m]", "W",
        right=("W + 0 b x^T",), wrong=("W^T", "W + b ones(n)^T"),
        function="W x + b", wrt="x", layout="J",
    ),
    Family(
        "W x + b by b", "W[m,n], x[n], b[m]", "eye(m)",
        right=("I_m", "diag(ones(m))", "I_{m}"),
        wrong=("ones(m)", "ones(m) ones(m)^T", "W", "zeros(m, m)"),
        function="W x + b", wrt="b", layout="J",
    ),
    Family(
        "w .* x by x", "w[n], x[n]", "diag(w)",
        right=("diag(w .* ones(n))", "I_n .* (w ones(n)^T)", "\\operatorname{diag}(\\mathbf{w})",
               "diag(w)^T"),
        wrong=("diag(x)", "w", "w ones(n)^T", "w^T", "diag(w .* x)"),
        function="w .* x", wrt="x", layout="J",
    ),
    Family(
        "w ./ x by x", "w[n], x[n]", "diag(-w ./ x.^2)",
        right=("-diag(w ./ (x .* x))", "-diag(w) diag(x)^-2", "-diag(w ./ x) diag(x)^-1",
               "diag(-w ./ (x .^ 2))", "-diag(w) inv(diag(x .* x))"),
        wrong=("diag(w ./ x.^2)", "diag(1 ./ x)", "diag(-1 ./ x.^2)", "-w ./ x.^2",
               "diag(-w ./ x)"),
        function="w ./ x", wrt="x", layout="J",
    ),
    Family(
        "w ./ x by w", "w[n], x[n]", "diag(1 ./ x)",
        right=("diag(x)^-1", "inv(diag(x))", "diag(x .^ -1)"),
        wrong=("diag(x)", "diag(-1 ./ x)", "1 ./ x"),
        function="w ./ x", wrt="w", layout="J",
    ),
    Family(
        "x z by z", "x[n], z", "x",
        right=("x * 1", "I x", "\\mathbf{x}"), wrong=("z x", "ones(n)", "x^T"),
        function="x z", wrt="z", layout="J",
    ),
    Family(
        "x z by x", "x[n], z", "z eye(n)",
        right=("diag(z ones(n))", "z I_n", "I_n z", "diag(ones(n)) z"),
        wrong=("z ones(n)", "x", "z ones(n) ones(n)^T", "z"),
        function="x z", wrt="x", layout="J",
    ),
    Family(
        "sigma(x)", "x[n]", "diag(sigma(x) .* (1 - sigma(x)))",
        right=("diag(sigma(x) - sigma(x) .^ 2)", "diag(sigma(x)) - diag(sigma(x))^2",
               "diag(exp(-x) ./ (1 + exp(-x)).^2)", "diag(sigma(x) .* sigma(-x))",
               "diag(sigma(x)) (I - diag(sigma(x)))", "diag(exp(x) ./ (1 + exp(x)).^2)",
               "\\operatorname{diag}(\\sigma(x) \\odot (1 - \\sigma(x)))"),
        wrong=("diag(sigma(x))", "sigma(x) .* (1 - sigma(x))", "diag(sigma(x) .* (1 + sigma(x)))",
               "diag(sigma(x)) - sigma(x) sigma(x)^T", "sigma(x) (1 - sigma(x))^T"),
        function="sigma(x)", wrt="x", layout="J",
    ),
    Family(
        "tanh(x)", "x[n]", "diag(1 - tanh(x).^2)",
        right=("I - diag(tanh(x))^2", "diag(1 - tanh(x) .* tanh(x))",
               "diag(4 ./ (exp(x) + exp(-x)).^2)", "diag(1 - tanh(x).^2)^T"),
        wrong=("diag(1 - tanh(x))", "diag(1 + tanh(x).^2)", "I - tanh(x) tanh(x)^T",
               "1 - tanh(x).^2"),
        function="tanh(x)", wrt="x", layout="J",
    ),
    Family(
        "relu(x)", "x[n]", "diag(step(x))",
        right=("diag(sign(relu(x)))", "diag(sign(max(0, x)))", "diag(step(x))^2"),
        wrong=("diag(relu(x))", "step(x)", "diag(max(0, x))", "I_n", "diag(sign(x))"),
        function="relu(x)", wrt="x", layout="J",
    ),
    Family(
        "softmax", "z[n]", "diag(softmax(z)) - softmax(z) softmax(z)^T",
        right=("diag(exp(z)/sum(exp(z))) - exp(z) exp(z)^T / sum(exp(z))^2",
               "diag(softmax(z)) - softmax(z) * softmax(z)'",
               "(softmax(z) ones(n)^T) .* (I - ones(n) softmax(z)^T)",
               "diag(softmax(z)) (I - ones(n) softmax(z)^T)",
               "(I - softmax(z) ones(n)^T) diag(softmax(z))",
               "(diag(softmax(z)) - softmax(z) softmax(z)^T)^T",
               "\\operatorname{diag}(\\operatorname{softmax}(z)) - "
               "\\operatorname{softmax}(z)\\operatorname{softmax}(z)^\\top"),
        wrong=("diag(softmax(z))", "diag(softmax(z) .* (1 - softmax(z)))",
               "softmax(z) softmax(z)^T - diag(softmax(z))",
               "diag(softmax(z)) - softmax(z)^T softmax(z)",
               "diag(softmax(z)) (I - softmax(z) ones(n)^T)", "I - softmax(z) ones(n)^T"),
        function="softmax(z)", wrt="z", layout="J",
    ),
    Family(
        "softmax with s declared", "s[n]", "diag(s) - s s^T",
        right=("diag(s) - s s'", "diag(s) (I - ones(n) s^T)",
               "(s ones(n)^T) .* (I - ones(n) s^T)"),
        wrong=("diag(s) - s^T s", "diag(s .* (1 - s))", "diag(s) - (s s^T) .* I",
               "s s^T - diag(s)"),
    ),
    Family(
        "tanh(W x + b) by x", "W[m,n], x[n], b[m]", "diag(1 - tanh(W x + b).^2) W",
        right=("diag(1 - tanh(W x + b) .* tanh(W x + b)) W", "W - diag(tanh(W x + b))^2 W",
               "(I - diag(tanh(W x + b).^2)) W", "((1 - tanh(W x + b).^2) ones(n)^T) .* W"),
        wrong=("W^T diag(1 - tanh(W x + b).^2)", "diag(1 - tanh(W x + b).^2)",
               "diag(1 - tanh(W x + b)) W", "diag(1 - tanh(W x).^2) W",
               "(1 - tanh(W x + b).^2) x^T"),
        function="tanh(W x + b)", wrt="x", layout="J",
    ),
    Family(
        "x / ||x||", "x[n]", "(I - x x^T / norm(x)^2) / norm(x)",
        right=("I / norm(x) - x x^T / norm(x)^3", "(norm(x)^2 I - x x^T) / norm(x)^3",
               "(x^T x I - x x^T)/(x^T x)^(3/2)",
               "\\frac{1}{\\|x\\|}\\left(I - \\frac{x x^\\top}{\\|x\\|^2}\\right)"),
        wrong=("I_n / norm(x)", "(I - x x^T) / norm(x)", "(I - x x^T / norm(x)^2) / norm(x)^2",
               "(I + x x^T / norm(x)^2) / norm(x)", "(I_n - x^T x / norm(x)^2) / norm(x)"),
        function="x / norm(x)", wrt="x", layout="J",
    ),
    Family(
        "d(X^-1)/dt, X = A + t B", "A[n,n], B[n,n], t", "-(A + t B)^-1 B (A + t B)^-1",
        right=("-inv(A + t B) B inv(A + t B)", "-(A + B t)^{-1} B (A + B t)^{-1}"),
        wrong=("-(A + t B)^-2 B", "(A + t B)^-1 B (A + t B)^-1", "-B (A + t B)^-2",
               "-(A + t B)^-1 B^T (A + t B)^-1", "-inv(A + t B)^2"),
        function="(A + t B)^-1", wrt="t", layout="t",
    ),
    # --- vec and Kronecker ---------------------------------------------------------------------
    Family(
        "d vec(A X B) / d vec X", "A[m,n], X[n,p], B[p,k]", "kron(B^T, A)",
        right=("kron(B', A)", "B^T \\otimes A", "kron(B, A^T)^T"),
        wrong=("kron(A, B^T)", "kron(B, A)", "kron(A^T, B)^T", "-kron(B^T, A)"),
        function="A X B", wrt="X", layout="vec",
    ),
    Family(
        "vec trick", "A[m,n], X[n,p], B[p,k]", "vec(A X B)",
        right=("kron(B^T, A) vec(X)",), wrong=("kron(A, B^T) vec(X)", "kron(B, A^T)^T vec(X^T)"),
    ),
    Family(
        "d vec(X^-1) / d vec X", "X[n,n]", "-kron(X^-T, X^-1)",
        right=("-kron(X', X)^-1", "kron(-X^-T, X^-1)", "-kron(inv(X)^T, inv(X))",
               "-(X^{-\\top} \\otimes X^{-1})"),
        wrong=("-kron(X^-1, X^-T)", "kron(X^-T, X^-1)", "-kron(X^-1, X^-1)", "-kron(X, X)^-T"),
        function="X^-1", wrt="X", layout="vec",
    ),
    # --- chains --------------------------------------------------------------------------------
    Family(
        "relu neuron by w", "w[n], x[n], b", "step(w^T x + b) x",
        right=("x step(x^T w + b)", "sign(relu(w^T x + b)) x", "x .* step(w^T x + b)"),
        wrong=("relu(w^T x + b) x", "x", "step(w^T x + b) w", "step(w^T x + b) x^T"),
        function="relu(w^T x + b)", wrt="w",
    ),
    Family(
        "MSE by bias", "X[m,n], w[n], y[m], b, N", "2/N sum(X w + b - y)",
        right=("2/N ones(m)^T (X w + b ones(m) - y)", "(2/N) (sum(X w) + sum(b ones(m)) - sum(y))"),
        wrong=("2 sum(X w + b - y)", "2/N sum(X w + b - y) ones(m)", "2/N (X w + b - y)",
               "2/N sum(X w - y)"),
        function="norm(X w + b - y)^2 / N", wrt="b",
    ),
    Family(
        "MLP output layer dL/dW2", "W2[k,m], h[m], b2[k], y[k]", "2 (W2 h + b2 - y) h^T",
        right=("2 W2 h h^T + 2 (b2 - y) h^T", "2 (h (W2 h + b2 - y)^T)^T"),
        wrong=("2 h (W2 h + b2 - y)^T", "(W2 h + b2 - y) h^T", "2 (y - W2 h - b2) h^T"),
        function="norm(W2 h + b2 - y)^2", wrt="W2",
    ),
    Family(
        "MLP dL/dx", "W1[m,n], b1[m], W2[k,m], b2[k], x[n], y[k]",
        "W1^T ((2 W2^T (W2 relu(W1 x + b1) + b2 - y)) .* step(W1 x + b1))",
        right=("2 W1^T diag(step(W1 x + b1)) W2^T (W2 relu(W1 x + b1) + b2 - y)",
               "2 W1^T (step(W1 x + b1) .* (W2^T (W2 max(0, W1 x + b1) + b2 - y)))"),
        wrong=("2 W1^T W2^T (W2 relu(W1 x + b1) + b2 - y)",
               "W1^T ((W2^T (W2 relu(W1 x + b1) + b2 - y)) .* step(W1 x + b1))",
               "W1^T ((2 W2^T (y - W2 relu(W1 x + b1) - b2)) .* step(W1 x + b1))"),
        function="norm(W2 relu(W1 x + b1) + b2 - y)^2", wrt="x",
    ),
    Family(
        "MLP dL/dW1", "W1[m,n], b1[m], W2[k,m], b2[k], x[n], y[k]",
        "((2 W2^T (W2 relu(W1 x + b1) + b2 - y)) .* step(W1 x + b1)) x^T",
        right=("2 diag(step(W1 x + b1)) W2^T (W2 relu(W1 x + b1) + b2 - y) x^T",),
        wrong=("x ((2 W2^T (W2 relu(W1 x + b1) + b2 - y)) .* step(W1 x + b1))^T",
               "(2 W2^T (W2 relu(W1 x + b1) + b2 - y)) x^T"),
        function="norm(W2 relu(W1 x + b1) + b2 - y)^2", wrt="W1",
    ),
)

#: (given, expected, answer, label, family name), labels from the lists above.
PAIRS: list[tuple[str, str, str, str, str]] = [
    (family.given, family.key, answer, label, family.name)
    for family in FAMILIES
    for label, answers in (("right", family.right), ("wrong", family.wrong))
    for answer in answers
]
