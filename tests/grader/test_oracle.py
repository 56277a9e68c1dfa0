"""``grader.check`` against an independent numpy oracle (:mod:`tests.grader.numpy_oracle`).

Two kinds of test: a hand-written table of answers on the correct/incorrect boundary of matrix
calculus (the identities of the Matrix Cookbook §2 and Parr & Howard §4–6, near misses and
traps), and a hypothesis property over random typed trees, value-preserving rewrites and
mutations.  In both, the grader must say *correct* exactly when the oracle finds the two
expressions equal.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import grader
from grader.language import nodes as n
from grader.language.shapes import SCALAR, Dim, Shape
from tests.grader.language.strategies import GIVEN, expr
from tests.grader.numpy_oracle import exact_scalar, oracle_equal, same_shape


@dataclass(frozen=True)
class Case:
    """An answer to grade against a key: ``equal`` is what mathematics says."""

    given: str
    key: str
    answer: str
    equal: bool
    why: str


# Declarations shared by several families.
VEC = "x[n], y[n], u[n], v[n], b[n], w[n], z[n], mu[n], A[n,n], S[n,n], lambda, t, N"
MAT = "X[n,n], A[n,n], B[n,n], u[n], v[n]"
LSQ = "A[m,n], x[n], b[m], lambda, N, X[m,n], w[n], y[m]"

CASES: tuple[Case, ...] = (
    # --- scalar by vector (gradient, denominator layout) -----------------------------------
    Case(VEC, "u", "(u^T)^T", True, "a^T x -> a, transposed twice"),
    Case(VEC, "u", "u^T", False, "a^T x -> a: row instead of column (wrong shape)"),
    Case(VEC, "2 x", "x + x", True, "x^T x -> 2x"),
    Case(VEC, "2 x", "x", False, "x^T x: missing factor 2"),
    Case(VEC, "2 x", "2 x .* x", False, "x^T x: element-wise square instead of 2x"),
    Case(VEC, "(A + A^T) x", "A x + A^T x", True, "x^T A x, expanded"),
    Case(VEC, "(A + A^T) x", "(x^T (A + A^T))^T", True, "x^T A x, via the row form"),
    Case(VEC, "(A + A^T) x", "2 A x", False, "x^T A x: 2Ax assumes A symmetric"),
    Case(VEC, "(A + A^T) x", "2 A^T x", False, "x^T A x: 2A^T x assumes A symmetric"),
    Case(VEC, "(A + A^T) x", "x^T (A + A^T)", False, "x^T A x: row layout (wrong shape)"),
    Case(VEC, "2 (S + S^T) x", "((S + S^T) + (S + S^T)^T) x", True,
         "x^T M x with M = S + S^T symmetric: 2Mx is right"),
    Case(VEC, "x / norm(x)", "x / sqrt(x^T x)", True, "||x|| -> x/||x||"),
    Case(VEC, "x / norm(x)", "x ./ norm(x)", True, "||x||: ./ by a scalar expands"),
    Case(VEC, "x / norm(x)", "x / norm(x)^2", False, "||x||: x/||x||^2 is the gradient of log"),
    Case(VEC, "x / norm(x)", "x / norm(x, 1)", False, "||x||: 1-norm in the denominator"),
    Case(VEC, "(x - u) / norm(x - u)", "(u - x) / norm(u - x)", False, "||x - a||: sign"),
    Case(VEC, "sign(x)", "x ./ abs(x)", True, "||x||_1 -> sign(x)"),
    Case(VEC, "sign(x)", "step(x)", False, "||x||_1: step instead of sign"),
    Case(LSQ, "2 A^T (A x - b)", "2 A^T A x - 2 A^T b", True, "||Ax - b||^2, expanded"),
    Case(LSQ, "2 A^T (A x - b)", "2 ((A x - b)^T A)^T", True, "||Ax - b||^2 via the row form"),
    Case(LSQ, "2 A^T (A x - b)", "A^T (A x - b)", False, "||Ax - b||^2: missing 2"),
    Case(LSQ, "2 A^T (A x - b)", "2 A^T (b - A x)", False, "||Ax - b||^2: sign flip"),
    Case(LSQ, "2 A^T (A x - b)", "2 (A x - b)^T A", False, "||Ax - b||^2: row (wrong shape)"),
    Case(LSQ, "2 A^T (A x - b) + 2 lambda x", "2 (A^T A + lambda I) x - 2 A^T b", True,
         "ridge, factored"),
    Case(LSQ, "2 A^T (A x - b) + 2 lambda x", "2 A^T (A x - b) + lambda x", False,
         "ridge: lambda instead of 2 lambda"),
    Case(LSQ, "(2 / N) X^T (X w - y)", "2 X^T (X w - y) / N", True, "mean squared error"),
    Case(LSQ, "(2 / N) X^T (X w - y)", "2 X^T (X w - y)", False, "MSE: dropped 1/N"),
    Case(VEC, "-(S^-1 + S^-T) (x - mu)", "(inv(S) + inv(S^T)) (mu - x)", True,
         "(x - mu)^T S^-1 (x - mu) by mu, general S"),
    Case(VEC, "-(S^-1 + S^-T) (x - mu)", "-2 S^-1 (x - mu)", False,
         "Mahalanobis: -2 S^-1 (x - mu) assumes S symmetric"),
    Case(VEC, "softmax(z)", "exp(z) / sum(exp(z))", True, "logsumexp -> softmax"),
    Case(VEC, "softmax(z)", "exp(z)", False, "logsumexp: unnormalised"),
    Case(VEC, "softmax(z) sum(y) - y", "exp(z) (ones(n)^T y) / (ones(n)^T exp(z)) - y", True,
         "cross-entropy, general y"),
    Case(VEC, "softmax(z) sum(y) - y", "softmax(z) - y", False,
         "cross-entropy: s - y needs 1^T y = 1"),
    Case(VEC, "softmax(z) sum(y) - y", "y - softmax(z) sum(y)", False, "cross-entropy: sign"),
    Case(VEC, "-t sigma(-t w^T x) x", "-t x / (1 + exp(t w^T x))", True, "logistic loss"),
    Case(VEC, "-t sigma(-t w^T x) x", "-t sigma(t w^T x) x", False, "logistic: sign inside"),
    Case(VEC, "(sigma(w^T x + lambda) - t) x", "(1 / (1 + exp(-(w^T x + lambda))) - t) x", True,
         "binary cross-entropy"),
    Case(VEC, "(sigma(w^T x + lambda) - t) x", "(t - sigma(w^T x + lambda)) x", False,
         "binary cross-entropy: sign"),
    Case(VEC, "A + A^T", "2 A", False, "Hessian of x^T A x: 2A"),
    # --- scalar by matrix (gradient) ----------------------------------------------------------
    Case(MAT, "u v^T", "(v u^T)^T", True, "u^T X v -> u v^T"),
    Case(MAT, "u v^T", "kron(u, v^T)", True, "u^T X v: u ⊗ v^T is u v^T"),
    Case(MAT, "u v^T", "v u^T", False, "u^T X v: transpose of a square result"),
    Case(MAT, "u v^T", "u .* v", False, "u^T X v: vector (wrong shape)"),
    Case(MAT, "A^T", "(I_n A)^T", True, "tr(AX) -> A^T"),
    Case(MAT, "A^T", "A", False, "tr(AX): A instead of A^T"),
    Case(MAT, "A", "A^T", False, "tr(X^T A) -> A, not A^T"),
    Case(MAT, "A^T B^T", "(B A)^T", True, "tr(AXB) -> A^T B^T"),
    Case(MAT, "A^T B^T", "B A", False, "tr(AXB): B A"),
    Case(MAT, "A^T B^T", "B^T A^T", False, "tr(AXB): factors swapped"),
    Case(MAT, "(A + A^T) X", "A X + A^T X", True, "tr(X^T A X)"),
    Case(MAT, "(A + A^T) X", "2 A X", False, "tr(X^T A X): assumes A symmetric"),
    Case(MAT, "(A + A^T) X", "X (A + A^T)", False, "tr(X^T A X): factors swapped"),
    Case(MAT, "X (A + A^T)", "X A + X A^T", True, "tr(X A X^T)"),
    Case(MAT, "2 X", "X + X", True, "||X||_F^2 -> 2X"),
    Case(MAT, "2 X", "2 X^T", False, "||X||_F^2: transposed"),
    Case(MAT, "X / norm(X)", "X / sqrt(tr(X^T X))", True, "||X||_F"),
    Case(MAT, "X / norm(X)", "X / tr(X^T X)", False, "||X||_F: squared norm"),
    Case(MAT, "2 X^T", "(X + X)^T", True, "tr X^2 -> 2 X^T"),
    Case(MAT, "2 X^T", "2 X", False, "tr X^2: missing transpose"),
    Case(MAT, "3 (X^2)^T", "3 X^T X^T", True, "tr X^3 -> 3 (X^2)^T"),
    Case(MAT, "3 (X^2)^T", "3 (X^T)^2", True, "tr X^3, transpose inside"),
    Case(MAT, "3 (X^2)^T", "3 X^2", False, "tr X^3: missing transpose"),
    Case(MAT, "det(X) X^-T", "det(X) inv(X^T)", True, "det X -> det(X) X^-T"),
    Case(MAT, "det(X) X^-T", "det(X^T) inv(X)^T", True, "det X, another form"),
    Case(MAT, "det(X) X^-T", "det(X) X^-1", False, "det X: missing transpose"),
    Case(MAT, "det(X) X^-T", "X^-T", False, "det X: missing det factor"),
    Case(MAT, "X^-T", "inv(X)^T", True, "log|det X| -> X^-T"),
    Case(MAT, "X^-T", "-X^-T", False, "log|det X|: sign"),
    Case(MAT, "-(X^-1 B A X^-1)^T", "-X^-T A^T B^T X^-T", True, "tr(A X^-1 B)"),
    Case(MAT, "-(X^-1 B A X^-1)^T", "-X^-1 B A X^-1", False, "tr(A X^-1 B): no transpose"),
    Case(MAT, "-(X^-1 B A X^-1)^T", "(X^-1 B A X^-1)^T", False, "tr(A X^-1 B): sign"),
    Case(MAT, "-X^-T u v^T X^-T", "-(X^-1 v u^T X^-1)^T", True, "u^T X^-1 v"),
    Case(MAT, "-X^-T u v^T X^-T", "-X^-1 u v^T X^-1", False, "u^T X^-1 v: no transposes"),
    Case("X[m,n], W[n,k], Y[m,k]", "2 X^T (X W - Y)", "2 X^T X W - 2 X^T Y", True,
         "||XW - Y||_F^2 by W"),
    Case("X[m,n], W[n,k], Y[m,k]", "2 X^T (X W - Y)", "2 (W^T X^T - Y^T) X", False,
         "||XW - Y||_F^2: transposed (wrong shape)"),
    Case("u[m], W[m,n], x[n], b[m]", "u x^T", "kron(x^T, u)", True, "u^T (Wx + b) by W"),
    Case("u[m], W[m,n], x[n], b[m]", "u x^T", "x u^T", False, "u^T (Wx + b): wrong shape"),
    Case(MAT, "X (u v^T + v u^T)", "X u v^T + X v u^T", True, "u^T X^T X v"),
    Case(MAT, "X (u v^T + v u^T)", "2 X u v^T", False, "u^T X^T X v: assumes u = v"),
    # --- Jacobians (numerator layout) ------------------------------------------------------
    Case(VEC, "diag(w)", "diag(w) I", True, "w ⊙ x by x"),
    Case(VEC, "diag(w)", "w", False, "w ⊙ x: vector instead of diag (wrong shape)"),
    Case(VEC, "diag(-w ./ x.^2)", "-diag(w) diag(x)^-2", True, "w ⊘ x by x"),
    Case(VEC, "diag(-w ./ x.^2)", "diag(1 ./ x)", False, "w ⊘ x: derivative by w"),
    Case(VEC, "diag(sigma(x) .* (1 - sigma(x)))", "diag(sigma(x) .* sigma(-x))", True,
         "sigma' = sigma(x) sigma(-x)"),
    Case(VEC, "diag(sigma(x) .* (1 - sigma(x)))", "diag(exp(-x) ./ (1 + exp(-x)).^2)", True,
         "sigma', written out"),
    Case(VEC, "diag(sigma(x) .* (1 - sigma(x)))", "diag(sigma(x))", False, "sigma' = sigma"),
    Case(VEC, "diag(1 - tanh(x).^2)", "I - diag(tanh(x))^2", True, "tanh'"),
    Case(VEC, "diag(1 - tanh(x).^2)", "diag(4 ./ (exp(x) + exp(-x)).^2)", True, "tanh' = sech^2"),
    Case(VEC, "diag(1 - tanh(x).^2)", "diag(1 - tanh(x))", False, "tanh' = 1 - tanh"),
    Case(VEC, "diag(step(x))", "diag(relu(x) ./ x)", True, "ReLU'"),
    Case(VEC, "diag(step(x))", "diag((sign(x) + 1) / 2)", True, "ReLU' from sign"),
    Case(VEC, "diag(step(x))", "diag(relu(x))", False, "ReLU' = ReLU"),
    Case(VEC, "diag(softmax(z)) - softmax(z) softmax(z)^T",
         "(softmax(z) ones(n)^T) .* (I - ones(n) softmax(z)^T)", True, "softmax Jacobian"),
    Case(VEC, "diag(softmax(z)) - softmax(z) softmax(z)^T", "diag(softmax(z))", False,
         "softmax Jacobian: diag(s) only"),
    Case(VEC, "diag(softmax(z)) - softmax(z) softmax(z)^T",
         "diag(softmax(z) .* (1 - softmax(z)))", False, "softmax Jacobian: sigmoid confusion"),
    Case(VEC, "diag(softmax(z)) - softmax(z) softmax(z)^T",
         "diag(softmax(z)) - softmax(z)^T softmax(z)", False,
         "softmax Jacobian: s^T s is a scalar, expanded over the matrix"),
    Case("W[n,n], x[n], b[n]", "diag(1 - tanh(W x + b).^2) W",
         "W diag(1 - tanh(W x + b).^2)", False, "tanh(Wx + b): factors swapped"),
    Case("W[m,n], x[n], b[m]", "diag(1 - tanh(W x + b).^2) W",
         "((1 - tanh(W x + b).^2) ones(n)^T) .* W", True, "tanh(Wx + b), by row scaling"),
    Case(VEC, "(I - x x^T / norm(x)^2) / norm(x)", "I / norm(x) - x x^T / norm(x)^3", True,
         "x / ||x||"),
    Case(VEC, "(I - x x^T / norm(x)^2) / norm(x)", "(I - x x^T) / norm(x)", False,
         "x / ||x||: unnormalised projection"),
    # --- vec and Kronecker -----------------------------------------------------------------
    Case(MAT, "kron(B^T, A)", "kron(B, A^T)^T", True, "d vec(AXB) / d vec X"),
    Case(MAT, "kron(B^T, A)", "kron(A, B^T)", False, "d vec(AXB) / d vec X: order"),
    Case(MAT, "vec(A X B)", "kron(B^T, A) vec(X)", True, "vec(AXB) = (B^T ⊗ A) vec X"),
    Case(MAT, "vec(A X B)", "kron(A, B^T) vec(X)", False, "vec(AXB): Kronecker order"),
    Case("C[m,n]", "vec(C)", "vec(C^T)", False, "vec is column-major"),
    Case(MAT, "-kron(X^-T, X^-1)", "-kron(X^-T, I_n) kron(I_n, X^-1)", True,
         "d vec(X^-1) / d vec X, mixed product"),
    Case(MAT, "-kron(X^-T, X^-1)", "-kron(X^-1, X^-T)", False, "d vec(X^-1): order"),
    Case(MAT + ", t", "-(A + t B)^-1 B (A + t B)^-1", "-B (A + t B)^-2", False,
         "d (A + tB)^-1 / dt: inverse factors don't commute with B"),
    # --- chains ---------------------------------------------------------------------------
    Case("W1[k,n], W2[m,k], x[n], b1[k], b2[m], y[m]",
         "((W2^T (2 (W2 relu(W1 x + b1) + b2 - y))) .* step(W1 x + b1)) x^T",
         "2 diag(step(W1 x + b1)) W2^T (W2 relu(W1 x + b1) + b2 - y) x^T", True,
         "two-layer MLP, dL/dW1"),
    Case("W1[k,n], W2[m,k], x[n], b1[k], b2[m], y[m]",
         "((W2^T (2 (W2 relu(W1 x + b1) + b2 - y))) .* step(W1 x + b1)) x^T",
         "(W2^T (2 (W2 relu(W1 x + b1) + b2 - y))) x^T", False,
         "two-layer MLP: missing ReLU' (step)"),
    # --- det, inverse, trace and norm identities --------------------------------------------
    Case(MAT, "det(A B)", "det(A) det(B)", True, "det is multiplicative"),
    Case(MAT, "det(A + B)", "det(A) + det(B)", False, "det is not additive"),
    Case(MAT, "det(2 A)", "2 det(A)", False, "det(2A) = 2^n det A"),
    Case(MAT, "det(A^-1)", "1 / det(A)", True, "det of the inverse"),
    Case(MAT, "inv(A B)", "inv(B) inv(A)", True, "inverse of a product"),
    Case(MAT, "inv(A B)", "inv(A) inv(B)", False, "inverse of a product: order"),
    Case(MAT, "(A^T)^-1", "(A^-1)^T", True, "inverse and transpose commute"),
    Case(MAT, "A^-1", "A^T", False, "A^-1 is not A^T"),
    Case(MAT, "tr(A^T B)", "sum(A .* B)", True, "Frobenius inner product"),
    Case(MAT, "tr(A B)", "tr(A) tr(B)", False, "trace is not multiplicative"),
    Case(MAT, "tr(A X)", "tr(A^T X)", False, "A vs A^T inside a trace"),
    Case(MAT, "u^T A u", "u^T A^T u", True, "a scalar equals its transpose"),
    Case(MAT, "norm(A)^2", "tr(A^T A)", True, "Frobenius norm"),
    Case(MAT, "norm(A)^2", "tr(A A)", False, "Frobenius norm: A A instead of A^T A"),
    Case("A[2,2]", "zeros(2, 2)", "A^2 - tr(A) A + det(A) I", True, "Cayley-Hamilton, 2×2"),
    Case(MAT, "zeros(n, n)", "A^2 - tr(A) A + det(A) I", False, "Cayley-Hamilton needs n = 2"),
    Case(VEC, "sum(abs(x))", "norm(x, 1)", True, "1-norm"),
    Case(VEC, "sum(abs(x))", "norm(x)", False, "1-norm vs 2-norm"),
    Case(VEC, "x^T x", "norm(x)^2", True, "squared 2-norm"),
    Case(VEC, "norm(x - y)", "norm(x) - norm(y)", False, "norm of a difference"),
    # --- scalar traps ---------------------------------------------------------------------
    Case("a", "0", "sin(pi a)", False, "sin(pi a) vanishes only at integers"),
    Case("a", "a", "abs(a)", False, "abs(a) = a only for a >= 0"),
    Case("z", "z", "max(0, z)", False, "max(0, z) = z only for z >= 0"),
    Case("z", "max(0, z)", "relu(z)", True, "ReLU is max(0, z)"),
    Case("a", "abs(a)", "sqrt(a^2)", True, "sqrt(a^2) = |a|"),
    Case("a", "a", "sqrt(a^2)", False, "sqrt(a^2) = a only for a >= 0"),
    Case("a", "1", "cos(a)^2 + sin(a)^2", True, "Pythagoras"),
    Case("a", "a", "sign(a) abs(a)", True, "a = sign(a) |a|"),
    Case("a", "a", "log(exp(a))", True, "log exp"),
    Case("a", "exp(a)", "e^a", True, "e^a is exp(a)"),
    # Traps that a grader testing only at large integers (exact mode), only at fractions in ±4
    # with a fixed set of denominators (float mode), or only at a few sizes, would accept.
    Case("x[n]", "x.^2 - x", "abs(x - x.^2)", False, "|x - x^2| = x^2 - x except on (0, 1)"),
    Case("x[n]", "zeros(n)", "relu(x - x.^2)", False, "x - x^2 > 0 on (0, 1)"),
    Case("a", "a^2", "max(a, a^2)", False, "a > a^2 on (0, 1)"),
    Case("a", "step(a)", "relu(a + 1) - relu(a)", False,
         "a finite difference of ReLU is not its derivative: they differ on (-1, 0)"),
    Case("a", "step(a)", "step(a + 1)", False, "ReLU' with a shifted threshold"),
    Case("z[n]", "softmax(z)", "softmax(z - relu(z - 5))", False,
         "logits clipped at 5 change softmax only where some z_i > 5"),
    Case("a", "exp(5)", "exp(max(5, a))", False, "max(5, a) = 5 only for a <= 5"),
    Case("a", "0", "sin(97 pi a) sin(101 pi a) sin(103 pi a) sin(107 pi a) sin(109 pi a)",
         False, "a product of sines that vanishes at k/97, k/101, ... only"),
    Case("x[n]", "0 sum(x)",
         "sum(x) (sum(ones(n)) - 2) (sum(ones(n)) - 3) (sum(ones(n)) - 4)", False,
         "(n - 2)(n - 3)(n - 4) is 0 for n = 2, 3, 4 only"),
)


def _seed(*parts: str) -> int:
    return zlib.crc32("\x00".join(parts).encode())


def _case_id(case: Case) -> str:
    return f"{case.key} ~ {case.answer}"


def test_the_table_is_large_enough() -> None:
    """At least 60 pairs, both verdicts well represented."""
    assert len(CASES) >= 60
    assert sum(c.equal for c in CASES) >= 25
    assert sum(not c.equal for c in CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_table(case: Case) -> None:
    """The oracle confirms the table; the grader says correct exactly when the oracle does."""
    declarations = grader.parse_declarations(case.given)
    key = grader.parse(case.key, declarations)
    answer = grader.parse(case.answer, declarations)
    equal = oracle_equal(key, answer, declarations,
                         np.random.default_rng(_seed(case.given, case.key, case.answer)))
    assert equal is not None, "the oracle should decide every case of the table"
    assert equal == case.equal, f"the table is wrong about {case.why!r}"
    try:
        verdict = grader.check(case.key, case.answer, declarations)
    except Exception as problem:  # a verdict is due for any answer that parses
        pytest.fail(f"grader bug: grader.check({case.key!r}, {case.answer!r}, {case.given!r}) "
                    f"raised {problem!r}")
    if not same_shape(key.typed_shape, answer.typed_shape):
        assert verdict.status == "wrong_shape"
    assert (verdict.status == "correct") == equal, (
        f"grader bug: {case.why}: grader.check({case.key!r}, {case.answer!r}, "
        f"{case.given!r}) is {verdict.status!r} ({verdict.method}); the oracle says "
        f"{'equal' if equal else 'different'}"
    )


#: Disagreements found by ``test_random_trees`` (shrunk by hand), kept as fixed cases.
FOUND: tuple[Case, ...] = (
    Case("A[n,n]", "sign(A)", "sign(A + 1)", False, "sign shifted by 1 differs on (-1, 0]"),
    Case("C[m,n]", "C .* C", "max(C .* C, C + C)", False, "2c > c^2 on (0, 2)"),
    Case("w[1,n], B[n,n]", "step(w B)", "step((w + 1) B)", False,
         "the shift is invisible when w B is of order 10^12"),
    Case("y[n]", "softmax(max(46, ones(n)))", "softmax(max(46, y))", False,
         "max(46, y) = 46 only for y <= 46"),
    Case("C[m,n]", "tr(C^T C)", "tr((C^T + 1) C)", False,
         "diagnosis: dropping the term C^T leaves tr(1 C), a trace of a non-square matrix"),
    Case("C[m,n]", "diag(C^T C)", "diag((C + 1)^T C)", False,
         "diagnosis: dropping a term leaves diag(1 C) of a non-square matrix"),
)


@pytest.mark.parametrize("case", FOUND, ids=_case_id)
def test_found_by_random_trees(case: Case) -> None:
    """Fixed reproducers of what the property test below found."""
    test_table(case)


# The oracle is skipped for these: the answers differ by about 1e-20, far below float64's
# resolution (numpy sees a + 10^-20 == a), so only exact arithmetic can tell them apart.
TINY_DIFFERENCES = (
    ("a", "a", "a + 10^-20"),
    ("a, b", "a b", "a b (1 + 10^-20)"),
    ("a", "a^-1", "1 / (a + 10^-20)"),
)


@pytest.mark.parametrize(("declared", "key_text", "answer_text"), TINY_DIFFERENCES)
def test_differences_below_float64_resolution(
    declared: str, key_text: str, answer_text: str
) -> None:
    """Exact evaluation sees the difference, numpy can't, and the grader says incorrect."""
    declarations = grader.parse_declarations(declared)
    key = grader.parse(key_text, declarations)
    answer = grader.parse(answer_text, declarations)
    values = {"a": Fraction(3, 7), "b": Fraction(-5, 11)}
    assert exact_scalar(key, values) != exact_scalar(answer, values)
    # Why the oracle is skipped: float64 can't tell them apart.
    assert oracle_equal(key, answer, declarations, np.random.default_rng(0)) is True
    assert grader.check(key_text, answer_text, declarations).status == "incorrect"


# --- random trees -------------------------------------------------------------------------------

DECLARATIONS = grader.parse_declarations(GIVEN)
S = SCALAR
NDIM, MDIM, ONE = Dim.of("n"), Dim.of("m"), Dim.of(1)
SHAPES = (S, Shape(NDIM, ONE), Shape(ONE, NDIM), Shape(NDIM, NDIM), Shape(MDIM, NDIM))
#: Replacement leaves for mutations, by shape.
LEAVES: dict[Shape, tuple[str, ...]] = {
    S: ("a", "b", "2"), Shape(NDIM, ONE): ("x", "y", "mu"), Shape(ONE, NDIM): ("w", "x^T"),
    Shape(NDIM, NDIM): ("A", "B", "W1"), Shape(MDIM, NDIM): ("C", "v w"),
    Shape(NDIM, MDIM): ("C^T",), Shape(MDIM, ONE): ("v", "C x"), Shape(ONE, MDIM): ("v^T",),
}
ZERO, ONE_NUMBER = n.Number(Fraction(0)), n.Number(Fraction(1))


def typed(node: n.Node) -> n.Node:
    """The tree as the grader reads it: printed, then parsed and type-checked."""
    return grader.parse(grader.print_ascii(node), DECLARATIONS)


def positions(node: n.Node, path: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    """Paths to every node, exponents excluded (a matrix power needs a foldable constant)."""
    found = [path]
    for index, child in enumerate(node.children()):
        if isinstance(node, (n.Pow, n.ElemPow)) and index == 1:
            continue
        found += positions(child, (*path, index))
    return found


def at(node: n.Node, path: tuple[int, ...]) -> n.Node:
    for index in path:
        node = list(node.children())[index]
    return node


def replace_at(node: n.Node, path: tuple[int, ...], new: n.Node) -> n.Node:
    """A copy of ``node`` with the subtree at ``path`` replaced (children counted in order)."""
    if not path:
        return new
    counter = iter(range(10**9))
    head, rest = path[0], path[1:]

    def swap(child: n.Node) -> n.Node:
        return replace_at(child, rest, new) if next(counter) == head else child

    return node.map_children(swap)


def _reverse_product(node: n.Mul) -> n.Node:
    return n.Transpose(n.Mul(tuple(n.Transpose(f) for f in reversed(node.factors))))


def preserving_rewrites(node: n.Node) -> list[n.Node]:
    """Rewrites that keep the value of ``node`` (a typed tree)."""
    shape = node.typed_shape
    out: list[n.Node] = [
        n.Neg(n.Neg(node)), n.Add((node, ZERO)), n.Transpose(n.Transpose(node)),
        n.Mul((ONE_NUMBER, node)), n.Div(node, ONE_NUMBER),
    ]
    if isinstance(node, n.Mul):
        out.append(_reverse_product(node))
        scalars = [f for f in node.factors if f.typed_shape.is_scalar]
        others = [f for f in node.factors if not f.typed_shape.is_scalar]
        if scalars and others:
            out.append(n.Mul((*others, *scalars)))
    if isinstance(node, n.Add):
        out.append(n.Add(tuple(reversed(node.terms))))
    if isinstance(node, (n.Hadamard, n.Max)):
        out.append(type(node)(node.right, node.left))
    if isinstance(node, (n.Trace, n.Det, n.Sum)):
        out.append(type(node)(n.Transpose(node.arg)))
    if isinstance(node, n.Norm) and node.p == 2:
        out.append(n.Norm(n.Neg(n.Transpose(node.arg)), 2))
    if isinstance(node, n.Inverse):
        out.append(n.Transpose(n.Inverse(n.Transpose(node.arg))))
    if isinstance(node, n.Pow) and not shape.is_scalar:
        out.append(n.Transpose(n.Pow(n.Transpose(node.base), node.exponent)))
    if isinstance(node, n.Diag) and node.arg.typed_shape.cols.is_one \
            and not node.arg.typed_shape.is_scalar:
        out.append(n.Diag(n.Transpose(node.arg)))
    return out


def changing_rewrites(node: n.Node) -> list[n.Node]:
    """Rewrites that usually change the value (the oracle decides whether they did)."""
    shape = node.typed_shape
    out: list[n.Node] = [n.Neg(node), n.Add((node, ONE_NUMBER)), n.Mul((n.Number(Fraction(2)),
                                                                         node))]
    out += [grader.parse(text, DECLARATIONS) for text in LEAVES.get(shape, ())]
    if shape.is_square and not shape.is_scalar:
        out.append(n.Transpose(node))
    if isinstance(node, n.Mul) and len(node.factors) >= 2:
        out.append(n.Mul(tuple(reversed(node.factors))))
    return out


@st.composite
def tree_pairs(draw: st.DrawFn) -> tuple[str, n.Node, n.Node]:
    """(kind, t1, t2): two independent trees of one shape, or a tree and a rewrite of it."""
    shape = draw(st.sampled_from(SHAPES))
    kind = draw(st.sampled_from(["independent", "preserving", "changing"]))
    first = typed(draw(expr(shape, 2)))
    if kind == "independent":
        return kind, first, typed(draw(expr(shape, 2)))
    path = draw(st.sampled_from(positions(first)))
    target = at(first, path)
    options = (preserving_rewrites if kind == "preserving" else changing_rewrites)(target)
    options = [o for o in options if _fits(o, target)]
    return kind, first, replace_at(first, path, draw(st.sampled_from(options)))


def _fits(new: n.Node, old: n.Node) -> bool:
    """A replacement of the old node's shape (a leaf of the wrong shape would not type-check)."""
    try:
        shape = grader.parse(grader.print_ascii(new), DECLARATIONS).typed_shape
    except grader.ParseError:
        return False
    return same_shape(shape, old.typed_shape)


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(tree_pairs(), st.integers(0, 2**32 - 1))
def test_random_trees(pair: tuple[str, n.Node, n.Node], seed: int) -> None:
    """Whenever the oracle is decisive and the grader is not undecided, they agree."""
    kind, first, second = pair
    key_text, answer_text = grader.print_ascii(first), grader.print_ascii(second)
    try:
        answer = grader.parse(answer_text, DECLARATIONS)
    except grader.ParseError:
        event("rewrite does not type-check in context")
        return
    key = grader.parse(key_text, DECLARATIONS)
    equal = oracle_equal(key, answer, DECLARATIONS, np.random.default_rng(seed))
    if kind == "preserving":
        assert equal is not False, f"oracle: {key_text!r} vs {answer_text!r}"
    if equal is None:
        event("oracle undecidable")
        return
    try:
        verdict = grader.check(key_text, answer_text, DECLARATIONS)
    except Exception as problem:  # a verdict is due for any answer that parses
        pytest.fail(f"grader bug: grader.check({key_text!r}, {answer_text!r}, GIVEN) raised "
                    f"{problem!r}")
    if verdict.status == "undecided":
        event("grader undecided")
        return
    event(f"{kind}: {'equal' if equal else 'different'}")
    assert (verdict.status == "correct") == equal, (
        f"grader.check({key_text!r}, {answer_text!r}, GIVEN) is {verdict.status!r} "
        f"({verdict.method}); the oracle says {'equal' if equal else 'different'}"
    )
