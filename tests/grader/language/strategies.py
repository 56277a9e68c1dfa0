"""Hypothesis strategies for random well-typed expression trees, with the shape each should have.

Trees are built as the parser builds them (n-ary sums and products, ``a - b`` as ``a + (-b)``,
non-negative literals), so printing and re-parsing must give them back exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction

from hypothesis import strategies as st

from grader.language import nodes as n
from grader.language.shapes import SCALAR, Dim, Shape

GIVEN = "a, b, c, lambda, x[n], y[n], mu[n], w[1,n], A[n,n], B[n,n], W1[n,n], C[m,n], v[m]"
NDIM = Dim.of("n")
S = SCALAR
V = Shape.of("n", 1)
R = Shape.of(1, "n")
M = Shape.of("n", "n")
CM = Shape.of("m", "n")
VM = Shape.of("m", 1)

_LEAVES: dict[Shape, list[n.Node]] = {
    S: [n.Symbol("a"), n.Symbol("b"), n.Symbol("c"), n.Symbol("lambda"), n.Constant("e"),
        n.Constant("pi")],
    V: [n.Symbol("x"), n.Symbol("y"), n.Symbol("mu"), n.Ones(NDIM), n.Zeros(NDIM, Dim.of(1))],
    R: [n.Symbol("w")],
    M: [n.Symbol("A"), n.Symbol("B"), n.Symbol("W1"), n.Identity(NDIM), n.Zeros(NDIM, NDIM)],
    CM: [n.Symbol("C")],
    VM: [n.Symbol("v")],
    CM.transposed: [n.Transpose(n.Symbol("C"))],
    VM.transposed: [n.Transpose(n.Symbol("v"))],
}

numbers = st.one_of(
    st.integers(0, 99).map(Fraction),
    st.sampled_from(["0.5", "0.25", "1.5", "2.75", "0.125", "10.01"]).map(Fraction),
).map(n.Number)
small_exponent = st.one_of(
    st.integers(0, 5).map(lambda k: n.Number(Fraction(k))),
    st.integers(2, 5).map(lambda k: n.Neg(n.Number(Fraction(k)))),
)


def leaves(shape: Shape) -> st.SearchStrategy[n.Node]:
    options = st.sampled_from(_LEAVES[shape])
    return st.one_of(options, numbers) if shape == S else options


@functools.cache
def expr(shape: Shape, depth: int) -> st.SearchStrategy[n.Node]:
    """Trees of the given shape, at most ``depth`` operators deep."""
    if depth <= 0:
        return leaves(shape)
    sub: Callable[[Shape], st.SearchStrategy[n.Node]] = lambda s: expr(s, depth - 1)  # noqa: E731
    same = sub(shape)
    scalar = sub(S)
    options: list[st.SearchStrategy[n.Node]] = [
        leaves(shape),
        st.lists(same, min_size=2, max_size=3).map(lambda ts: n.Add(tuple(ts))),
        same.map(n.Neg),
        st.tuples(same, same).map(lambda p: n.Add((p[0], n.Neg(p[1])))),
        st.tuples(scalar, same).map(lambda p: n.Mul(p)),
        st.tuples(same, scalar).map(lambda p: n.Div(*p)),
        st.tuples(same, same).map(lambda p: n.Hadamard(*p)),
        st.tuples(same, same).map(lambda p: n.ElemDiv(*p)),
        st.tuples(same, small_exponent).map(lambda p: n.ElemPow(*p)),
        st.tuples(st.sampled_from(n.ELEMENTWISE_FUNCTIONS), same).map(lambda p: n.Apply(*p)),
        st.tuples(same, same).map(lambda p: n.Max(*p)),
        sub(shape.transposed).map(n.Transpose),
    ]
    if shape != S:
        options.append(st.tuples(same, scalar).map(lambda p: n.Add(p)))  # scalar expansion
        options.append(st.tuples(scalar, same).map(lambda p: n.Max(*p)))
    if shape == S:
        options += [
            st.lists(scalar, min_size=2, max_size=3).map(lambda fs: n.Mul(tuple(fs))),
            st.tuples(scalar, st.one_of(small_exponent, st.sampled_from(_LEAVES[S])))
            .map(lambda p: n.Pow(*p)),
            scalar.map(n.Inverse),
            st.tuples(sub(R), sub(V)).map(lambda p: n.Mul(p)),
            st.tuples(sub(V), sub(M), sub(V)).map(lambda p: n.Mul((n.Transpose(p[0]), p[1], p[2]))),
            st.one_of(sub(V), sub(M)).map(n.Sum),
            sub(M).map(n.Trace),
            sub(M).map(n.Det),
            st.tuples(sub(V), st.sampled_from([1, 2])).map(lambda p: n.Norm(*p)),
            sub(M).map(lambda m: n.Norm(m, 2)),
            st.lists(scalar.filter(lambda e: not isinstance(e, n.Matrix)), min_size=1,
                     max_size=1).map(lambda e: n.Matrix(((e[0],),))),
        ]
    if shape == V:
        options += [
            st.tuples(sub(M), same).map(lambda p: n.Mul(p)),
            st.tuples(sub(CM), sub(VM)).map(lambda p: n.Mul((n.Transpose(p[0]), p[1]))),
            sub(M).map(n.Diag),
            same.map(n.Softmax),
        ]
    if shape == R:
        options += [st.tuples(same, sub(M)).map(lambda p: n.Mul(p)), sub(V).map(n.Diag).map(
            lambda d: n.Mul((n.Transpose(n.Ones(NDIM)), d)))]
    if shape == M:
        options += [
            st.lists(same, min_size=2, max_size=3).map(lambda fs: n.Mul(tuple(fs))),
            st.tuples(sub(V), sub(R)).map(lambda p: n.Mul(p)),
            same.map(n.Inverse),
            same.map(lambda m: n.Transpose(n.Inverse(m))),
            st.tuples(same, st.integers(0, 4).map(lambda k: n.Number(Fraction(k))))
            .map(lambda p: n.Pow(*p)),
            sub(V).map(n.Diag),
            sub(CM).map(lambda c: n.Mul((n.Transpose(c), c))),
        ]
    if shape == CM:
        options.append(st.tuples(same, sub(M)).map(lambda p: n.Mul(p)))
    if shape == VM:
        options.append(st.tuples(sub(CM), sub(V)).map(lambda p: n.Mul(p)))
    return st.one_of(options)


def explicit_matrix(depth: int) -> st.SearchStrategy[tuple[n.Node, Shape]]:
    entry = expr(S, depth).filter(lambda e: not isinstance(e, n.Matrix))

    def build(size: tuple[int, int]) -> st.SearchStrategy[tuple[n.Node, Shape]]:
        rows, cols = size
        row = st.lists(entry, min_size=cols, max_size=cols).map(tuple)
        return st.lists(row, min_size=rows, max_size=rows).map(
            lambda rs: (n.Matrix(tuple(rs)), Shape.of(rows, cols))
        )

    sizes = st.tuples(st.integers(1, 3), st.integers(1, 3)).filter(lambda s: s != (1, 1))
    return sizes.flatmap(build)


def typed_trees(depth: int = 5) -> st.SearchStrategy[tuple[n.Node, Shape]]:
    """A tree and the shape type checking must give it."""
    by_shape = [expr(shape, depth).map(lambda t, s=shape: (t, s)) for shape in (S, V, R, M, CM)]
    return st.one_of(
        *by_shape,
        explicit_matrix(depth - 1),
        st.tuples(expr(M, depth - 1), expr(M, depth - 1)).map(
            lambda p: (n.Kron(*p), Shape(NDIM * NDIM, NDIM * NDIM))
        ),
        expr(CM, depth - 1).map(lambda c: (n.Vec(c), Shape(Dim.of("m") * NDIM, Dim.of(1)))),
    )
