"""Benchmark of ``grader.check`` against SymPy; run by hand: ``.venv/bin/python bench/grade.py``.

The corpus (``bench/grade_corpus.py``) holds (given, expected, answer, label) pairs built from
the standard identities (Matrix Cookbook §2, Parr & Howard §4–6): each identity's key, the right
answer in several written forms (ASCII, LaTeX, factored, distributed) and typical wrong answers,
plus traps (``sin(pi a)`` vs ``0``, ``abs(a)`` vs ``a``, ``max(0, z)`` vs ``z``,
``a + 10^-20`` vs ``a``, ``2 A x`` vs ``(A + A^T) x``, σ' written with ``exp``, the softmax
Jacobian written out, det/inverse, trace, log det, norms, answers defined on a smaller domain than
the key).

Before anything is timed, every hand label is checked independently with NumPy, by a small
evaluator of the typed tree written in this file (not ``grader.evaluation``): both sides at 3
random points (n=3, m=4, k=5, p=2; well-conditioned non-symmetric matrices), in float64 and again
in 80-digit mpmath numbers held in NumPy object arrays (float64 cannot see ``a + 10^-20``).
Points are drawn in the key's domain; an answer undefined at such a point (``log(a)`` for
``log(abs(a))``), or of a different shape, is a different answer.  Every key that is a derivative
is also checked against central finite differences of the function it differentiates.  Any
disagreement aborts the run.

Three methods, per pair, in this process:

* matcalc: ``grader.check(expected, answer, given)``, uncached (``parse_key.cache_clear()`` before
  each call) and with the key cache warm; a pair is judged right iff the label is "right" ⇔ the
  status is "correct".  The declarations cache and the LALR parser stay warm in both.
* ``sympy.simplify(a - b) == 0`` and ``(a - b).expand().doit()`` compared with 0 or a zero
  matrix, where a, b are ``to_sympy`` of the parsed trees (a shape mismatch is "different").  Each
  call has a wall-clock limit (``signal.setitimer``, :data:`TIMEOUT_S`); an exception or a timeout
  is a failure to decide and counts as a wrong verdict.  Their time includes parsing and
  conversion, as matcalc's does.  Each SymPy method runs as its own pass over the corpus with
  SymPy's cache left warm (which favours SymPy); a sensitivity line repeats ``simplify`` on every
  4th pair with the cache cleared before each call.

Reported: accuracy (with false accepts and false rejects), median and p99 latency per answer
(``time.perf_counter_ns``), the median over answers of at most 60 characters, and the ratio of the
SymPy medians to matcalc's.  Everything random is seeded.

Targets: matcalc right on every pair; median ≤ 2 ms per answer in-process; ≥ 20× faster than the
``simplify`` baseline (ratio of medians).
"""

from __future__ import annotations

import math
import os
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grade_corpus import FAMILIES, PAIRS, Family

import grader
from grader.checker import parse_key
from grader.language import nodes as n
from grader.language.parser import clear_cache as clear_parse_cache

SEED = 20240611
SIZES = {"n": 3, "m": 4, "k": 5, "p": 2}
POINTS = 3
MP_DIGITS = 80
F64_TOLERANCE = 1e-8
MP_TOLERANCE = mpmath.mpf(10) ** -60
FD_STEP = 1e-5
FD_TOLERANCE = 1e-5
MATCALC_ROUNDS = 5
TIMEOUT_S = 5.0
SHORT = 60


# --- an independent NumPy evaluator of typed trees ---------------------------------------------


class OutsideDomainError(ArithmeticError):
    """The point is outside some function's domain (the caller draws positive values instead)."""


def _mp_guard(function: Callable[[Any], Any], ok: Callable[[Any], bool]) -> Callable[[Any], Any]:
    def guarded(v: Any) -> Any:
        if not ok(v):
            raise OutsideDomainError(f"{function.__name__}({v})")
        return function(v)
    return guarded


_F64_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "tanh": np.tanh, "sqrt": np.sqrt, "abs": np.abs, "sign": np.sign,
    "sigma": lambda v: 1.0 / (1.0 + np.exp(-v)),
    "relu": lambda v: np.maximum(v, 0.0),
    "step": lambda v: (v > 0).astype(float),
}
_MP_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "exp": mpmath.exp, "log": _mp_guard(mpmath.log, lambda v: v > 0), "sin": mpmath.sin,
    "cos": mpmath.cos, "tan": mpmath.tan, "tanh": mpmath.tanh,
    "sqrt": _mp_guard(mpmath.sqrt, lambda v: v >= 0), "abs": abs, "sign": mpmath.sign,
    "sigma": lambda v: 1 / (1 + mpmath.exp(-v)),
    "relu": lambda v: v if v > 0 else mpmath.mpf(0),
    "step": lambda v: mpmath.mpf(1) if v > 0 else mpmath.mpf(0),
}


class NumpyEval:
    """Values of a typed tree as 2-D arrays: float64, or mpmath numbers in object arrays."""

    def __init__(self, values: dict[str, np.ndarray], mp: bool) -> None:
        self.mp = mp
        self.values = {name: self.lift(v) for name, v in values.items()}

    def lift(self, array: np.ndarray) -> np.ndarray:
        if not self.mp:
            return np.asarray(array, dtype=float)
        return np.frompyfunc(mpmath.mpf, 1, 1)(np.asarray(array, dtype=float)).astype(object)

    def scalar(self, value: Any) -> np.ndarray:
        return np.array([[value]], dtype=object if self.mp else float)

    def size(self, dim: Any) -> int:
        return int(dim.evaluate(SIZES))

    def apply(self, function: Callable[[Any], Any], *arrays: np.ndarray) -> np.ndarray:
        if self.mp:
            return np.frompyfunc(function, len(arrays), 1)(*arrays).astype(object)
        return np.asarray(function(*arrays), dtype=float)

    def ev(self, node: n.Node) -> np.ndarray:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise NotImplementedError(type(node).__name__)
        out = np.asarray(method(node))
        assert out.ndim == 2, (type(node).__name__, out.shape)
        return out

    # leaves
    def _Number(self, node: n.Number) -> np.ndarray:
        v: Fraction = node.value
        if self.mp:
            return self.scalar(mpmath.mpf(v.numerator) / v.denominator)
        return self.scalar(v.numerator / v.denominator)

    def _Symbol(self, node: n.Symbol) -> np.ndarray:
        return self.values[node.name]

    def _Constant(self, node: n.Constant) -> np.ndarray:
        if self.mp:
            return self.scalar(+mpmath.e if node.name == "e" else +mpmath.pi)
        return self.scalar(math.e if node.name == "e" else math.pi)

    def _Identity(self, node: n.Identity) -> np.ndarray:
        return self.lift(np.eye(self.size(node.size)))

    def _Ones(self, node: n.Ones) -> np.ndarray:
        return self.lift(np.ones((self.size(node.size), 1)))

    def _Zeros(self, node: n.Zeros) -> np.ndarray:
        return self.lift(np.zeros((self.size(node.rows), self.size(node.cols))))

    def _Matrix(self, node: n.Matrix) -> np.ndarray:
        rows = [[self.ev(entry)[0, 0] for entry in row] for row in node.rows]
        return np.array(rows, dtype=object if self.mp else float)

    # operators
    def _Neg(self, node: n.Neg) -> np.ndarray:
        return -self.ev(node.arg)

    def _Add(self, node: n.Add) -> np.ndarray:
        total = self.ev(node.terms[0])
        for term in node.terms[1:]:
            total = total + self.ev(term)  # a 1×1 term broadcasts: scalar expansion
        return total

    def _Mul(self, node: n.Mul) -> np.ndarray:
        product = self.ev(node.factors[0])
        for factor in node.factors[1:]:
            value = self.ev(factor)
            if product.shape == (1, 1):
                product = product[0, 0] * value
            elif value.shape == (1, 1):
                product = product * value[0, 0]
            else:
                product = product @ value
        return product

    def _Div(self, node: n.Div) -> np.ndarray:
        d = self.ev(node.right)[0, 0]
        if d == 0:
            raise OutsideDomainError("division by zero")
        return self.ev(node.left) / d

    def _Hadamard(self, node: n.Hadamard) -> np.ndarray:
        return self.ev(node.left) * self.ev(node.right)

    def _ElemDiv(self, node: n.ElemDiv) -> np.ndarray:
        right = self.ev(node.right)
        if any(v == 0 for v in right.flat):
            raise OutsideDomainError("division by zero")
        return self.ev(node.left) / right

    def _ElemPow(self, node: n.ElemPow) -> np.ndarray:
        return self.apply(self.power, self.ev(node.base), self.ev(node.exponent))

    def _Kron(self, node: n.Kron) -> np.ndarray:
        return np.kron(self.ev(node.left), self.ev(node.right))

    def _Max(self, node: n.Max) -> np.ndarray:
        left, right = np.broadcast_arrays(self.ev(node.left), self.ev(node.right))
        if self.mp:
            return self.apply(lambda a, b: a if a >= b else b, left, right)
        return np.maximum(left, right)

    def power(self, base: Any, exponent: Any) -> Any:
        if self.mp:
            if exponent == int(exponent):
                if base == 0 and exponent < 0:
                    raise OutsideDomainError("0 to a negative power")
                return mpmath.power(base, int(exponent))
            if base <= 0:
                raise OutsideDomainError("a non-integer power of a non-positive number")
            return mpmath.power(base, exponent)
        return np.power(base, exponent)

    def _Pow(self, node: n.Pow) -> np.ndarray:
        base = self.ev(node.base)
        exponent = self.ev(node.exponent)[0, 0]
        if base.shape == (1, 1):
            return self.scalar(self.power(base[0, 0], exponent))
        k = int(exponent)
        if k < 0:
            base, k = self.inverse(base), -k
        result = self.lift(np.eye(base.shape[0]))
        for _ in range(k):
            result = result @ base
        return result

    def _Transpose(self, node: n.Transpose) -> np.ndarray:
        return self.ev(node.arg).T

    def inverse(self, m: np.ndarray) -> np.ndarray:
        if m.shape == (1, 1):
            if m[0, 0] == 0:
                raise OutsideDomainError("inverse of 0")
            return 1 / m
        if self.mp:
            matrix = mpmath.matrix(m.tolist())
            if mpmath.det(matrix) == 0:
                raise OutsideDomainError("singular")
            return np.array(mpmath.inverse(matrix).tolist(), dtype=object)
        try:
            return np.linalg.inv(m)
        except np.linalg.LinAlgError as problem:
            raise OutsideDomainError("singular") from problem

    def _Inverse(self, node: n.Inverse) -> np.ndarray:
        return self.inverse(self.ev(node.arg))

    def _Apply(self, node: n.Apply) -> np.ndarray:
        table = _MP_FUNCTIONS if self.mp else _F64_FUNCTIONS
        return self.apply(table[node.func], self.ev(node.arg))

    # reductions and matrix functions
    def _Sum(self, node: n.Sum) -> np.ndarray:
        return self.scalar(self.ev(node.arg).sum())

    def _Trace(self, node: n.Trace) -> np.ndarray:
        return self.scalar(np.trace(self.ev(node.arg)))

    def _Det(self, node: n.Det) -> np.ndarray:
        m = self.ev(node.arg)
        if self.mp:
            return self.scalar(mpmath.det(mpmath.matrix(m.tolist())))
        return self.scalar(np.linalg.det(m))

    def _Norm(self, node: n.Norm) -> np.ndarray:
        m = self.ev(node.arg)
        if node.p == 1:
            return self.scalar(abs(m).sum())
        total = (m * m).sum()
        return self.scalar(mpmath.sqrt(total) if self.mp else np.sqrt(total))

    def _Diag(self, node: n.Diag) -> np.ndarray:
        m = self.ev(node.arg)
        if m.shape == (1, 1):
            return m
        if 1 in m.shape:
            out = self.lift(np.zeros((m.size, m.size)))
            for i, v in enumerate(m.flat):
                out[i, i] = v
            return out
        return np.diag(m).reshape(-1, 1).copy()

    def _Softmax(self, node: n.Softmax) -> np.ndarray:
        m = self.ev(node.arg)
        top = max(m.flat)
        exps = self.apply(_MP_FUNCTIONS["exp"] if self.mp else np.exp, m - top)
        return exps / exps.sum()

    def _Vec(self, node: n.Vec) -> np.ndarray:
        return self.ev(node.arg).reshape((-1, 1), order="F")


def evaluate(tree: n.Node, values: dict[str, np.ndarray], mp: bool) -> np.ndarray:
    if mp:
        with mpmath.workdps(MP_DIGITS):
            out = NumpyEval(values, True).ev(tree)
        if any(isinstance(v, mpmath.mpc) for v in out.flat):
            raise OutsideDomainError("complex value")
        return out
    with np.errstate(all="ignore"):
        out = NumpyEval(values, False).ev(tree)
    if not np.all(np.isfinite(out)):
        raise OutsideDomainError("non-finite value")
    return out


def same(a: np.ndarray, b: np.ndarray, mp: bool) -> bool:
    if a.shape != b.shape:
        return False
    scale = max([1, *(abs(v) for v in a.flat), *(abs(v) for v in b.flat)])
    tolerance = MP_TOLERANCE if mp else F64_TOLERANCE
    return all(abs(x - y) <= tolerance * scale for x, y in zip(a.flat, b.flat, strict=True))


def draw_point(given: str, rng: np.random.Generator, positive: bool) -> dict[str, np.ndarray]:
    """Entries of magnitude 0.5..1.5 with random signs; square matrices get +size·I."""
    values: dict[str, np.ndarray] = {}
    for name, shape in grader.parse_declarations(given).entries:
        rows, cols = shape.rows.evaluate(SIZES), shape.cols.evaluate(SIZES)
        entries = rng.uniform(0.5, 1.5, (rows, cols))
        if not positive:
            entries *= rng.choice([-1.0, 1.0], (rows, cols))
        if rows == cols and rows > 1:
            entries += rows * np.eye(rows)
        values[name] = entries
    return values


def points_for(given: str, trees: list[n.Node], rng: np.random.Generator
               ) -> list[dict[str, np.ndarray]]:
    """POINTS points where every tree evaluates (signed values first, then positive ones)."""
    found: list[dict[str, np.ndarray]] = []
    for attempt in range(60):
        point = draw_point(given, rng, positive=attempt >= 6)
        try:
            for tree in trees:
                evaluate(tree, point, mp=False)
                evaluate(tree, point, mp=True)
        except OutsideDomainError:
            continue
        found.append(point)
        if len(found) == POINTS:
            return found
    raise SystemExit(f"ABORT: no {POINTS} points in the domain of {given!r}")


def numpy_verdicts(given: str, key: n.Node, answer: n.Node, index: int) -> tuple[bool, bool]:
    """(equal in float64, equal at MP_DIGITS digits) at POINTS points of the key's domain.

    Points are signed, or positive once the key has failed at signed points; an answer that is
    undefined at a point where the key is defined is a different function."""
    rng = np.random.default_rng([SEED, index])
    f64 = mp = True
    found = key_failures = 0
    while found < POINTS:
        if key_failures >= 60:
            raise SystemExit(f"ABORT: no {POINTS} points in the domain of {given!r}")
        point = draw_point(given, rng, positive=key_failures >= 6)
        try:
            key_f64, key_mp = evaluate(key, point, False), evaluate(key, point, True)
        except OutsideDomainError:
            key_failures += 1
            continue
        try:
            answer_f64, answer_mp = evaluate(answer, point, False), evaluate(answer, point, True)
        except OutsideDomainError:
            return False, False
        f64 = f64 and same(key_f64, answer_f64, False)
        with mpmath.workdps(MP_DIGITS):
            mp = mp and same(key_mp, answer_mp, True)
        found += 1
    return f64, mp


def finite_difference_check(family: Family, index: int) -> str | None:
    """A problem with the key of a derivative family, judged by central differences, or None."""
    assert family.function is not None and family.wrt is not None
    function = grader.parse(family.function, family.given)
    key = grader.parse(family.key, family.given)
    rng = np.random.default_rng([SEED, 10_000 + index])
    for point in points_for(family.given, [function, key], rng):
        variable = point[family.wrt]
        columns = []
        for q in range(variable.size):
            step = np.zeros(variable.size)
            step[q] = FD_STEP
            step = step.reshape(variable.shape, order="F")
            plus = evaluate(function, {**point, family.wrt: variable + step}, False)
            minus = evaluate(function, {**point, family.wrt: variable - step}, False)
            columns.append(((plus - minus) / (2 * FD_STEP)).reshape(-1, order="F"))
        jacobian = np.array(columns).T  # rows: vec(F), columns: vec(variable)
        if family.layout == "G":
            numeric = jacobian.reshape(variable.shape, order="F")
        elif family.layout == "t":
            numeric = jacobian.reshape(evaluate(function, point, False).shape, order="F")
        else:  # J and vec
            numeric = jacobian
        exact = evaluate(key, point, False)
        if exact.shape != numeric.shape:
            return f"key shape {exact.shape}, finite differences {numeric.shape}"
        scale = max(1.0, float(np.abs(numeric).max()))
        error = float(np.abs(exact - numeric).max())
        if error > FD_TOLERANCE * scale:
            return f"key differs from finite differences by {error:.2e}"
    return None


def verify_corpus() -> int:
    """Abort unless every pair parses and every hand label agrees with NumPy; return the number
    of wrong pairs that only the high-precision evaluation tells apart."""
    problems: list[str] = []
    for index, family in enumerate(FAMILIES):
        if family.function is not None:
            problem = finite_difference_check(family, index)
            if problem:
                problems.append(f"[{family.name}] {family.key}: {problem}")
    below_float = 0
    for index, (given, expected, answer, label, name) in enumerate(PAIRS):
        try:
            key = grader.parse(expected, given)
            tree = grader.parse(answer, given)
        except grader.ParseError as error:
            problems.append(f"[{name}] does not parse: {answer!r}: {error}")
            continue
        f64, mp = numpy_verdicts(given, key, tree, index)
        numpy_label = "right" if mp else "wrong"
        if numpy_label != label:
            problems.append(f"[{name}] hand label {label}, NumPy says {numpy_label}: "
                            f"{expected!r} vs {answer!r}")
        elif f64 != mp:
            if mp:  # equal at 80 digits, different in float64: a real disagreement
                problems.append(f"[{name}] float64 and {MP_DIGITS}-digit evaluation disagree: "
                                f"{expected!r} vs {answer!r}")
            else:
                below_float += 1
    if problems:
        print("ABORT: the corpus does not check out with NumPy:")
        for problem in problems:
            print("  " + problem)
        raise SystemExit(1)
    return below_float


# --- the SymPy baselines -------------------------------------------------------------------------


class BaselineTimeoutError(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise BaselineTimeoutError


def _is_zero(value: Any) -> bool:
    import sympy

    if isinstance(value, sympy.MatrixBase):
        return all(entry == 0 for entry in value)
    if isinstance(value, sympy.ZeroMatrix) or getattr(value, "is_ZeroMatrix", False):
        return True
    return bool(value == 0)


def _sympy_pair(expected: str, answer: str, given: str) -> tuple[Any, Any] | None:
    """SymPy objects of both sides, as scalars when either is; None when the shapes differ."""
    import sympy
    from sympy.matrices.expressions.matexpr import MatrixElement

    from grader.language.printing.sympy import to_sympy

    a = to_sympy(grader.parse(expected, given))
    b = to_sympy(grader.parse(answer, given))
    a_matrix = isinstance(a, (sympy.MatrixExpr, sympy.MatrixBase))
    b_matrix = isinstance(b, (sympy.MatrixExpr, sympy.MatrixBase))
    if a_matrix and b_matrix:
        return (a, b) if tuple(a.shape) == tuple(b.shape) else None

    def entry(value: Any, is_matrix: bool) -> Any:
        if not is_matrix:
            return value
        if tuple(value.shape) != (1, 1):
            return None
        if isinstance(value, sympy.MatrixBase):
            return value[0, 0]
        return MatrixElement(value, 0, 0)

    a, b = entry(a, a_matrix), entry(b, b_matrix)
    return None if a is None or b is None else (a, b)


def sympy_simplify(expected: str, answer: str, given: str) -> bool:
    import sympy

    pair = _sympy_pair(expected, answer, given)
    if pair is None:
        return False
    return _is_zero(sympy.simplify(pair[0] - pair[1]))


def sympy_expand(expected: str, answer: str, given: str) -> bool:
    pair = _sympy_pair(expected, answer, given)
    if pair is None:
        return False
    return _is_zero((pair[0] - pair[1]).expand().doit())


def run_baseline(method: Callable[[str, str, str], bool], expected: str, answer: str,
                 given: str) -> tuple[str, int]:
    """("equal" | "different" | "timeout" | "error", ns), with the wall-clock limit."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    start = time.perf_counter_ns()
    try:
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT_S)
        try:
            outcome = "equal" if method(expected, answer, given) else "different"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except BaselineTimeoutError:
        outcome = "timeout"
    except Exception as problem:
        outcome = f"error: {type(problem).__name__}"
    elapsed = time.perf_counter_ns() - start
    signal.signal(signal.SIGALRM, previous)
    return outcome, elapsed


# --- reporting -------------------------------------------------------------------------------


def percentile(samples: list[int], fraction: float) -> float:
    ordered = sorted(samples)
    return float(ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)])


def ms(ns: float) -> str:
    return f"{ns / 1e6:9.2f} ms"


def latency_lines(label: str, samples: list[int], short: list[int]) -> None:
    print(f"  {label:<28} median {ms(statistics.median(samples))}   "
          f"p99 {ms(percentile(samples, 0.99))}   "
          f"median (answers ≤ {SHORT} chars) {ms(statistics.median(short))}")


def main() -> None:
    started = time.perf_counter()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average at the start (1, 5, 15 min): {load}")
    below_float = verify_corpus()
    labels = [label for _, _, _, label, _ in PAIRS]
    short_index = [i for i, (_, _, answer, _, _) in enumerate(PAIRS) if len(answer) <= SHORT]
    print(f"corpus: {len(PAIRS)} pairs from {len(FAMILIES)} identities "
          f"({labels.count('right')} right, {labels.count('wrong')} wrong; "
          f"{len(short_index)} answers of ≤ {SHORT} characters)")
    keyed = sum(family.function is not None for family in FAMILIES)
    print(f"labels: all agree with NumPy at {POINTS} points (float64 and {MP_DIGITS}-digit); "
          f"{below_float} wrong pair(s) only visible beyond float64; "
          f"{keyed} keys checked by finite differences")

    # --- matcalc ---
    for given, expected, answer, _, _ in PAIRS:  # warm-up: imports, parser tables, first calls
        grader.check(expected, answer, given)
    statuses: list[str] = []
    verdicts: list[grader.Verdict] = []
    uncached: list[list[int]] = [[] for _ in PAIRS]
    cached: list[list[int]] = [[] for _ in PAIRS]
    for round_ in range(MATCALC_ROUNDS):
        # Each pair's uncached call is followed by a cached one (its key was just parsed), so
        # that drift over the run affects both series alike.
        for i, (given, expected, answer, _, _) in enumerate(PAIRS):
            parse_key.cache_clear()
            clear_parse_cache()  # parses of key and answer: uncached does all the work
            start = time.perf_counter_ns()
            verdict = grader.check(expected, answer, given)
            uncached[i].append(time.perf_counter_ns() - start)
            start = time.perf_counter_ns()
            again = grader.check(expected, answer, given)
            cached[i].append(time.perf_counter_ns() - start)
            if round_ == 0:
                verdicts.append(verdict)
                statuses.append(verdict.status)
            if {verdict.status, again.status} != {statuses[i]}:
                raise SystemExit(f"ABORT: matcalc's verdict changed between runs on {answer!r}")

    # --- SymPy ---
    given, expected, answer, _, _ = PAIRS[0]
    for method in (sympy_expand, sympy_simplify):  # warm-up: SymPy's imports and first calls
        run_baseline(method, expected, answer, given)
    baselines: dict[str, list[tuple[str, int]]] = {}
    for name, method in (("expand", sympy_expand), ("simplify", sympy_simplify)):
        baselines[name] = [run_baseline(method, expected, answer, given)
                           for given, expected, answer, _, _ in PAIRS]
    # Sensitivity: simplify with SymPy's cache cleared before each call, on every 4th pair.
    from sympy.core.cache import clear_cache

    subsample = list(range(0, len(PAIRS), 4))
    cold_simplify: list[int] = []
    for i in subsample:
        given, expected, answer, _, _ = PAIRS[i]
        clear_cache()
        cold_simplify.append(run_baseline(sympy_simplify, expected, answer, given)[1])

    # --- report ---
    total = len(PAIRS)
    print()
    print("accuracy (a pair is judged right when 'right' ⇔ accepted):")
    wrong_verdicts: list[tuple[int, str]] = []
    for i, (status, label) in enumerate(zip(statuses, labels, strict=True)):
        if (status == "correct") != (label == "right"):
            wrong_verdicts.append((i, status))
    false_accepts = sum(labels[i] == "wrong" for i, _ in wrong_verdicts)
    false_rejects = sum(labels[i] == "right" for i, _ in wrong_verdicts)
    counts = Counter(statuses)
    print(f"  {'matcalc grader.check':<28} {total - len(wrong_verdicts):4d}/{total}   "
          f"false accepts {false_accepts}, false rejects {false_rejects}   "
          f"(statuses: " + ", ".join(f"{s} {counts[s]}" for s in
                                     ("correct", "incorrect", "wrong_shape", "invalid",
                                      "undecided")) + ")")
    for method in ("simplify", "expand"):
        outcomes = [outcome for outcome, _ in baselines[method]]
        right = sum((o == "equal" and lab == "right") or (o == "different" and lab == "wrong")
                    for o, lab in zip(outcomes, labels, strict=True))
        accepts = sum(o == "equal" and lab == "wrong"
                      for o, lab in zip(outcomes, labels, strict=True))
        rejects = sum(o == "different" and lab == "right"
                      for o, lab in zip(outcomes, labels, strict=True))
        errors = Counter(o.removeprefix("error: ") for o in outcomes if o.startswith("error"))
        timeouts = outcomes.count("timeout")
        name = "sympy simplify(a - b) == 0" if method == "simplify" else \
            "sympy (a-b).expand().doit()"
        print(f"  {name:<28} {right:4d}/{total}   false accepts {accepts}, false rejects "
              f"{rejects}   undecided {sum(errors.values()) + timeouts} "
              f"(exceptions {sum(errors.values())}, timeouts > {TIMEOUT_S:g} s {timeouts})")
        if errors:
            print(f"  {'':<28} exceptions: " + ", ".join(f"{kind} {count}"
                                                       for kind, count in errors.items()))
    print()
    print(f"latency per answer (matcalc: {MATCALC_ROUNDS} calls per pair; SymPy: 1 call per pair, "
          f"a timeout counts as {TIMEOUT_S:g} s+):")
    flat_uncached = [ns for series in uncached for ns in series]
    flat_cached = [ns for series in cached for ns in series]
    short_uncached = [ns for i in short_index for ns in uncached[i]]
    short_cached = [ns for i in short_index for ns in cached[i]]
    latency_lines("matcalc, key uncached", flat_uncached, short_uncached)
    latency_lines("matcalc, cached (key and answer parses)", flat_cached, short_cached)
    medians = {}
    for method in ("simplify", "expand"):
        samples = [ns for _, ns in baselines[method]]
        medians[method] = statistics.median(samples)
        latency_lines(f"sympy {method}", samples, [samples[i] for i in short_index])
    ours = statistics.median(flat_uncached)
    ours_cached = statistics.median(flat_cached)
    print()
    for method, median in medians.items():
        print(f"  ratio of medians, sympy {method:<9} / matcalc: {median / ours:8.1f}× "
              f"(uncached), {median / ours_cached:8.1f}× (cached (key and answer parses))")

    for method in ("simplify", "expand"):
        decided = [ns for (outcome, ns), label in zip(baselines[method], labels, strict=True)
                   if (outcome, label) in (("equal", "right"), ("different", "wrong"))]
        print(f"  sympy {method:<9} median over the {len(decided)} pairs it judged right: "
              f"{ms(statistics.median(decided)).strip()} "
              f"({statistics.median(decided) / ours:.1f}× matcalc's uncached median)")
    sub_ours = statistics.median([ns for i in subsample for ns in uncached[i]])
    print(f"  sensitivity, every 4th pair ({len(subsample)}): simplify with SymPy's cache cleared "
          f"median {ms(statistics.median(cold_simplify)).strip()}, matcalc uncached "
          f"{ms(sub_ours).strip()}, ratio {statistics.median(cold_simplify) / sub_ours:.1f}×")

    print()
    print("targets:")
    print(f"  matcalc right on every pair:   {'MET' if not wrong_verdicts else 'MISSED'} "
          f"({len(wrong_verdicts)} wrong verdict(s))")
    print(f"  median ≤ 2 ms per answer:      {'MET' if ours <= 2e6 else 'MISSED'} "
          f"({ours / 1e6:.2f} ms uncached, {ours_cached / 1e6:.2f} ms with parses cached)")
    ratio = medians["simplify"] / ours
    print(f"  ≥ 20× faster than simplify:    {'MET' if ratio >= 20 else 'MISSED'} ({ratio:.1f}×)")
    if wrong_verdicts:
        print()
        print("matcalc's wrong verdicts:")
        for i, status in wrong_verdicts:
            given, expected, answer, label, name = PAIRS[i]
            print(f"  [{name}] label {label}, status {status} ({verdicts[i].note}): "
                  f"grader.check({expected!r}, {answer!r}, {given!r})")
    print()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"total run time {time.perf_counter() - started:.0f} s on {os.cpu_count()} CPUs; "
          f"load average at the end (1, 5, 15 min): {load}")


if __name__ == "__main__":
    main()
