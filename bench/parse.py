"""Benchmark of ``grader.parse`` on typical student answers; run by hand: ``python bench/parse.py``.

What it measures, all with ``time.perf_counter_ns`` and in one process:

* the cold start: ``import grader`` and the first parse, which builds the LALR parser;
* after a warm-up, the wall time of single ``grader.parse(answer, given)`` calls on a corpus of
  typical matrix-calculus answers of at most 60 characters (ASCII and LaTeX), each parsed many
  times: median and 95th percentile over all calls, and the slowest answer's median;
* as a baseline, the median time of ``sympy.parsing.sympy_parser.parse_expr`` on equivalent
  Python-syntax forms of a subset of the answers (``x.T*(A + A.T)`` with a ``local_dict`` of
  ``MatrixSymbol``s) -- the ``eval``-based approach other tools use, which is unsafe on untrusted
  text -- and the ratio of the two on that same subset.

Target: at most 1 ms (1000 µs) per answer of at most 60 characters, warm.  The declarations are
passed as text, as the grader does; ``parse_declarations`` caches them, so after the warm-up the
numbers are the cost of reading the answer itself.
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable
from typing import Any

#: (answer, given, Python-syntax form for the SymPy baseline or None).
CORPUS: list[tuple[str, str, str | None]] = [
    ("x^T (A + A^T)", "x[n], A[n,n]", "x.T*(A + A.T)"),
    ("2 A^T (A x - b)", "x[n], A[m,n], b[m]", "2*A.T*(A*x - b)"),
    ("(A + A^T) x", "x[n], A[n,n]", "(A + A.T)*x"),
    ("-2 Sigma^-1 (x - mu)", "x[n], mu[n], Sigma[n,n]", "-2*Sigma.I*(x - mu)"),
    ("diag(sigma(z) .* (1 - sigma(z)))", "z[n]", None),
    ("det(X) X^-T", "X[n,n]", "Determinant(X)*X.I.T"),
    ("[6x y, 3x^2; 2, 8y^7]", "x, y", "Matrix([[6*x*y, 3*x**2], [2, 8*y**7]])"),
    ("\\frac{2}{N} X^\\top (X w - y)", "X[m,n], w[n], y[m], N", "2/N*X.T*(X*w - y)"),
    ("diag(softmax(z)) - softmax(z) softmax(z)^T", "z[n]", None),
    ("diag(s) - s s^T", "s[n]", "DiagMatrix(s) - s*s.T"),
    ("kron(A, B)", "A[m,n], B[p,q]", "KroneckerProduct(A, B)"),
    ("kron(I_n, A) + kron(A^T, I_n)", "A[n,n]",
     "KroneckerProduct(Identity(n), A) + KroneckerProduct(A.T, Identity(n))"),
    ("A \\otimes B + B \\otimes A", "A[n,n], B[n,n]", None),
    ("x^T A x", "x[n], A[n,n]", "x.T*A*x"),
    ("tr(A^T B)", "A[m,n], B[m,n]", "Trace(A.T*B)"),
    ("\\mathbf{x}^\\top(A+A^\\top)", "x[n], A[n,n]", "x.T*(A + A.T)"),
    ("2 (X^T X + lambda I) w - 2 X^T y", "X[m,n], w[n], y[m], lambda",
     "2*(X.T*X + lam*Identity(n))*w - 2*X.T*y"),
    ("-X^{-T} A^T X^{-T}", "X[n,n], A[n,n]", "-X.I.T*A.T*X.I.T"),
    ("\\frac{x}{\\|x\\|_2}", "x[n]", None),
    ("exp(x) ./ sum(exp(x))", "x[n]", None),
    ("\\mathbf{u}\\mathbf{v}^\\top", "u[m], v[n]", "u*v.T"),
    ("(A^T + A) x + b", "x[n], A[n,n], b[n]", "(A.T + A)*x + b"),
    ("2 X^T X w - 2 X^T y", "X[m,n], w[n], y[m]", "2*X.T*X*w - 2*X.T*y"),
    ("\\operatorname{tr}(A) I_n", "A[n,n]", "Trace(A)*Identity(n)"),
    ("\\det(X) \\left(X^{-1}\\right)^\\top", "X[n,n]", "Determinant(X)*X.I.T"),
    ("2 x^T A^T A", "x[n], A[m,n]", "2*x.T*A.T*A"),
    ("[2x, 1; 0, 3y^2]", "x, y", "Matrix([[2*x, 1], [0, 3*y**2]])"),
    ("\\begin{bmatrix} 2x & 0 \\\\ y & x \\end{bmatrix}", "x, y", None),
    ("A x .* exp(A x)", "x[n], A[n,n]", None),
    ("c^T x + x^T B x", "x[n], c[n], B[n,n]", "c.T*x + x.T*B*x"),
    ("(B + B^T) x + c", "x[n], c[n], B[n,n]", "(B + B.T)*x + c"),
    ("\\frac{1}{2} x^\\top (Q + Q^\\top)", "x[n], Q[n,n]", None),
    ("x' * (A + A')", "x[n], A[n,n]", "x.T*(A + A.T)"),
    ("A.T @ (A @ x - b)", "x[n], A[m,n], b[m]", "A.T*(A*x - b)"),
    ("-(x - mu)^T Sigma^{-1}", "x[n], mu[n], Sigma[n,n]", "-(x - mu).T*Sigma.I"),
    ("2 \\Sigma^{-1} \\mu", "mu[n], Sigma[n,n]", "2*Sigma.I*mu"),
    ("softmax(W x) - y", "W[k,n], x[n], y[k]", None),
    ("x^T x I_n + 2 x x^T", "x[n]", None),
    ("\\log\\det X", "X[n,n]", None),
    ("relu(W x + b)", "W[m,n], x[n], b[m]", None),
    ("max(0, 1 - y w^T x)", "w[n], x[n], y", None),
    ("\\sigma(z) \\odot (1 - \\sigma(z))", "z[n]", None),
    ("-2 X^T (y - X w) + 2 lambda w", "X[m,n], w[n], y[m], lambda",
     "-2*X.T*(y - X*w) + 2*lam*w"),
    ("A^{-1} + (A^{-1})^T", "A[n,n]", "A.I + A.I.T"),
    ("\\|A x - b\\|^2", "x[n], A[m,n], b[m]", None),
    ("x ./ (1 + exp(-x))", "x[n]", None),
    ("\\mathbf{1}_n^\\top x", "x[n]", "OneMatrix(1, n)*x"),
    ("W^T (W x - y)", "W[m,n], x[n], y[m]", "W.T*(W*x - y)"),
    # Compact and typeset forms: runs of names, wrappers, function powers, comma-less brackets.
    ("-3X^{-1}AX^{-1}", "X[n,n], A[n,n]", None),
    ("12xy^2", "x, y", None),
    ("$\\frac{\\partial f}{\\partial x} = x^TA+x^TA^T$", "x[n], A[n,n]", None),
    ("W2tanh(W1x+b1)", "W1[m,n], W2[k,m], x[n], b1[m]", None),
    ("1-\\tanh^2(z)", "z[n]", None),
    ("\\cos 2x \\sin x", "x", None),
    ("[1 2; 3 4]", "", None),
    ("ab^T", "a[m], b[n]", None),
]

WARMUP_ROUNDS = 20
ROUNDS = 300
BASELINE_ROUNDS = 60


def timed_ns(call: Callable[[], object]) -> int:
    """One uncached call: the parse cache (repeated answers in a class) is cleared first."""
    from grader.language.parser import clear_cache

    clear_cache()
    start = time.perf_counter_ns()
    call()
    return time.perf_counter_ns() - start


def percentile(samples: list[int], fraction: float) -> float:
    ordered = sorted(samples)
    return float(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))])


def sympy_namespace(given: str, grader: Any) -> dict[str, Any]:
    """A ``local_dict`` of MatrixSymbols (and Symbols for scalars) for the declared names."""
    import sympy

    def dim(value: Any) -> Any:
        return sympy.Integer(value.coefficient) * sympy.Mul(
            *(sympy.Symbol(s) for s in value.symbols)
        )

    namespace: dict[str, Any] = {"n": sympy.Symbol("n")}
    for name, shape in grader.parse_declarations(given).entries:
        key = "lam" if name == "lambda" else name
        if shape.is_scalar:
            namespace[key] = sympy.Symbol(name)
        else:
            namespace[key] = sympy.MatrixSymbol(name, dim(shape.rows), dim(shape.cols))
    return namespace


def main() -> None:
    too_long = [text for text, _, _ in CORPUS if len(text) > 60]
    assert not too_long, f"answers over 60 characters: {too_long}"

    # Cold start: importing the package, then the first parse (which builds the parser).
    start = time.perf_counter_ns()
    grader = importlib.import_module("grader")
    import_ns = time.perf_counter_ns() - start
    first_text, first_given, _ = CORPUS[0]
    cold_ns = timed_ns(lambda: grader.parse(first_text, first_given))

    for _ in range(WARMUP_ROUNDS):
        for text, given, _ in CORPUS:
            grader.parse(text, given)

    samples: dict[str, list[int]] = {text: [] for text, _, _ in CORPUS}
    for _ in range(ROUNDS):
        for text, given, _ in CORPUS:
            samples[text].append(timed_ns(lambda t=text, g=given: grader.parse(t, g)))
    every = [ns for series in samples.values() for ns in series]
    medians = {text: statistics.median(series) for text, series in samples.items()}
    slowest = max(medians, key=lambda text: medians[text])

    # Baseline: SymPy's eval-based parse_expr on the Python forms of a subset.
    from sympy.parsing.sympy_parser import parse_expr

    subset = [(text, given, python) for text, given, python in CORPUS if python is not None]
    namespaces = {given: sympy_namespace(given, grader) for _, given, _ in subset}
    for _ in range(3):
        for _, given, python in subset:
            parse_expr(python, local_dict=dict(namespaces[given]))
    sympy_samples: list[int] = []
    ours_on_subset: list[int] = []
    for _ in range(BASELINE_ROUNDS):
        for text, given, python in subset:
            local = dict(namespaces[given])
            sympy_samples.append(timed_ns(lambda p=python, d=local: parse_expr(p, local_dict=d)))
            ours_on_subset.append(timed_ns(lambda t=text, g=given: grader.parse(t, g)))

    sympy_median = statistics.median(sympy_samples)
    ours_median = statistics.median(ours_on_subset)
    median_us = statistics.median(every) / 1000
    p95_us = percentile(every, 0.95) / 1000
    print(f"answers:                     {len(CORPUS)} (at most 60 characters, ASCII and LaTeX)")
    print(f"calls timed:                 {len(every)} ({ROUNDS} rounds after "
          f"{WARMUP_ROUNDS} warm-up rounds)")
    print(f"cold: import grader          {import_ns / 1e6:8.1f} ms")
    print(f"cold: first parse            {cold_ns / 1e6:8.1f} ms (builds the LALR parser)")
    print(f"warm: median per answer      {median_us:8.1f} µs")
    print(f"warm: p95 per answer         {p95_us:8.1f} µs")
    print(f"warm: slowest answer median  {medians[slowest] / 1000:8.1f} µs  ({slowest})")
    print(f"baseline subset:             {len(subset)} answers, {BASELINE_ROUNDS} rounds")
    print(f"sympy parse_expr median      {sympy_median / 1000:8.1f} µs  (eval-based, unsafe)")
    print(f"grader.parse median (subset) {ours_median / 1000:8.1f} µs")
    print(f"ratio parse_expr / parse     {sympy_median / ours_median:8.2f}x")
    verdict = "meets" if p95_us <= 1000 else "MISSES"
    print(f"target <= 1000 µs per answer: {verdict} (p95 {p95_us:.0f} µs)")


if __name__ == "__main__":
    main()
