"""Reading the derivative off a differential (Magnus & Neudecker's identification theorems).

- scalar f: df = tr(Gᵀ dX) (= gᵀ dx for a vector) identifies G, the gradient, of X's shape.  G is
  found by moving everything around dX out of the trace: tr(Gᵀ L dX R) = tr((Lᵀ G Rᵀ)ᵀ dX),
  tr(Gᵀ (A ⊙ dX)) = tr((G ⊙ A)ᵀ dX), tr(Gᵀ dXᵀ) = tr(G dX), …
- vector or matrix F: d vec F = J d vec X identifies J = ∂vec F/∂vec X, using
  vec(L dX R) = (Rᵀ ⊗ L) vec dX and vec(A ⊙ dX) = diag(vec A) vec dX.
- a scalar variable t: dF = G dt identifies G = dF/dt, of F's shape.
"""

from __future__ import annotations

from generator.calculus import UnsupportedOperation
from generator.calculus import algebra as a
from generator.calculus.differentials import Differential
from grader.language import nodes as n
from grader.language.shapes import Dim, Shape


def contains(node: n.Node) -> bool:
    return any(isinstance(m, Differential) for m in n.walk(node))


def gradient(df: n.Node, variable: Shape) -> n.Node:
    """G with df = tr(Gᵀ dX), for a scalar differential df."""
    parts: list[n.Node] = []
    _adjoint(df, a.number(1), parts)
    return a.add(*parts) if parts else a.zeros(variable)


def _one_containing(factors: tuple[n.Node, ...]) -> int:
    found = [i for i, f in enumerate(factors) if contains(f)]
    if len(found) != 1:
        raise UnsupportedOperation("a product with the differential in two factors")
    return found[0]


def _adjoint(node: n.Node, g: n.Node, out: list[n.Node]) -> None:
    """Add to ``out`` the G of tr(gᵀ node), for ``g`` of node's shape."""
    if not contains(node):
        return
    s = a.shape(node)
    if isinstance(node, Differential):
        out.append(g)
    elif isinstance(node, n.Neg):
        _adjoint(node.arg, a.neg(g), out)
    elif isinstance(node, n.Add):
        for term in node.terms:
            _adjoint(term, g if a.shape(term) == s else a.total(g), out)
    elif isinstance(node, n.Mul):
        index = _one_containing(node.factors)
        factor = node.factors[index]
        others = node.factors[:index] + node.factors[index + 1:]
        if a.is_scalar(factor):
            rest = a.mul(*others) if others else a.number(1)
            _adjoint(factor, a.inner(g, rest), out)
            return
        scalars = [f for f in node.factors if a.is_scalar(f)]
        chain = [f for f in node.factors if not a.is_scalar(f)]
        position = next(i for i, f in enumerate(chain) if f is factor)
        left, right = chain[:position], chain[position + 1:]
        pieces = [*scalars]
        if left:
            pieces.append(a.transpose(a.mul(*left)))
        pieces.append(g)
        if right:
            pieces.append(a.transpose(a.mul(*right)))
        _adjoint(factor, a.mul(*pieces), out)
    elif isinstance(node, n.Div):
        _adjoint(node.left, a.div(g, node.right), out)
    elif isinstance(node, n.Hadamard):
        linear, other = (node.left, node.right) if contains(node.left) else \
            (node.right, node.left)
        if a.shape(linear) == s:
            _adjoint(linear, a.hadamard(g, other), out)
        else:
            _adjoint(linear, a.inner(g, other), out)
    elif isinstance(node, n.ElemDiv):
        reciprocal = a.elemdiv(a.number(1), node.right)
        if a.shape(node.left) == s:
            _adjoint(node.left, a.elemdiv(g, node.right), out)
        else:
            _adjoint(node.left, a.inner(g, reciprocal), out)
    elif isinstance(node, n.Transpose):
        _adjoint(node.arg, a.transpose(g), out)
    elif isinstance(node, n.Trace):
        _adjoint(node.arg, a.mul(g, a.identity(a.shape(node.arg).rows)), out)
    elif isinstance(node, n.Sum):
        _adjoint(node.arg, a.mul(g, a.ones_like(a.shape(node.arg))), out)
    elif isinstance(node, n.Diag):
        arg_shape = a.shape(node.arg)
        adjoint = a.diag(g)
        _adjoint(node.arg, a.transpose(adjoint) if arg_shape.rows.is_one else adjoint, out)
    elif isinstance(node, n.Vec):
        _adjoint(node.arg, _unvec(g, a.shape(node.arg)), out)
    elif isinstance(node, n.Kron):
        _adjoint_kron(node, g, out)
    elif isinstance(node, n.Matrix):
        rows, cols = len(node.rows), len(node.rows[0])
        for i, row in enumerate(node.rows):
            for j, entry in enumerate(row):
                picked = a.mul(a.transpose(a.unit(rows, i)), g, a.unit(cols, j)) \
                    if not s.is_scalar else g
                _adjoint(entry, picked, out)
    else:
        raise UnsupportedOperation(
            f"identifying a gradient through {type(node).__name__}")


def _unvec(g: n.Node, target: Shape) -> n.Node:
    """The m×n matrix whose vec is ``g``: (vec(I_n)ᵀ ⊗ I_m)(I_n ⊗ g)."""
    if target.cols.is_one:
        return g
    if target.rows.is_one:
        return a.transpose(g)
    return a.mul(a.kron(a.transpose(a.vec(a.identity(target.cols))), a.identity(target.rows)),
                 a.kron(a.identity(target.cols), g))


def _adjoint_kron(node: n.Kron, g: n.Node, out: list[n.Node]) -> None:
    left, right = node.left, node.right
    sl, sr = a.shape(left), a.shape(right)
    if not (sl.cols.is_one and sr.cols.is_one):
        if sl.rows.is_one and sr.rows.is_one:  # rows: (a ⊗ b) = (aᵀ ⊗ bᵀ)ᵀ
            column = a.kron(a.transpose(left), a.transpose(right))
            _adjoint(column, a.transpose(g), out)
            return
        raise UnsupportedOperation("the gradient through a Kronecker product of matrices")
    if contains(left):  # a ⊗ b = (I_m ⊗ b) a
        _adjoint(left, a.mul(a.kron(a.identity(sl.rows), a.transpose(right)), g), out)
    if contains(right):  # a ⊗ b = (a ⊗ I_p) b
        _adjoint(right, a.mul(a.kron(a.transpose(left), a.identity(sr.rows)), g), out)


# --- Jacobians ----------------------------------------------------------------------------------


def jacobian(df: n.Node, variable: Shape) -> n.Node:
    """J with vec dF = J vec dX."""
    count = a.numel(variable)
    result = _jacobian(df, count)
    if result is None:
        return a.zeros(Shape(a.numel(a.shape(df)), count))
    return result


def _jacobian(node: n.Node, count: Dim) -> n.Node | None:
    if not contains(node):
        return None
    s = a.shape(node)
    size = a.numel(s)

    def sub(child: n.Node) -> n.Node:
        result = _jacobian(child, count)
        assert result is not None
        return result

    if isinstance(node, Differential):
        return a.identity(count)
    if isinstance(node, n.Neg):
        return a.neg(sub(node.arg))
    if isinstance(node, n.Add):
        parts = []
        for term in node.terms:
            if contains(term):
                j = sub(term)
                parts.append(a.mul(a.ones(size), j) if a.shape(term) != s else j)
        return a.add(*parts)
    if isinstance(node, n.Mul):
        index = _one_containing(node.factors)
        factor = node.factors[index]
        others = node.factors[:index] + node.factors[index + 1:]
        if a.is_scalar(factor):
            rest = a.mul(*others) if others else a.number(1)
            return a.mul(a.vec(rest), sub(factor))
        scalars = [f for f in node.factors if a.is_scalar(f)]
        chain = [f for f in node.factors if not a.is_scalar(f)]
        position = next(i for i, f in enumerate(chain) if f is factor)
        left, right = chain[:position], chain[position + 1:]
        fs = a.shape(factor)
        right_t = a.transpose(a.mul(*right)) if right else a.identity(fs.cols)
        left_m = a.mul(*left) if left else a.identity(fs.rows)
        return a.mul(*scalars, a.kron(right_t, left_m), sub(factor))
    if isinstance(node, n.Div):
        return a.div(sub(node.left), node.right)
    if isinstance(node, (n.Hadamard, n.ElemDiv)):
        if isinstance(node, n.Hadamard):
            linear, other = (node.left, node.right) if contains(node.left) else \
                (node.right, node.left)
        else:
            linear, other = node.left, a.elemdiv(a.number(1), node.right)
        if a.is_scalar(other):
            return a.mul(other, sub(linear))
        if a.shape(linear) == s:
            return a.mul(a.diag(a.vec(other)), sub(linear))
        return a.mul(a.vec(other), sub(linear))
    if isinstance(node, n.Transpose):
        if s.is_vector:
            return sub(node.arg)
        raise UnsupportedOperation(
            "the Jacobian of a transposed matrix (it needs the commutation matrix, which the "
            "answer language does not have)")
    if isinstance(node, n.Trace):
        rows = a.shape(node.arg).rows
        return a.mul(a.transpose(a.vec(a.identity(rows))), sub(node.arg))
    if isinstance(node, n.Sum):
        return a.mul(a.transpose(a.ones(a.numel(a.shape(node.arg)))), sub(node.arg))
    if isinstance(node, n.Diag):
        arg_shape = a.shape(node.arg)
        if arg_shape.is_vector:
            k = arg_shape.rows * arg_shape.cols
            return a.mul(a.diag(a.vec(a.identity(k))), a.kron(a.ones(k), a.identity(k)),
                         sub(node.arg))
        k = arg_shape.rows
        return a.mul(a.kron(a.transpose(a.ones(k)), a.identity(k)),
                     a.diag(a.vec(a.identity(k))), sub(node.arg))
    if isinstance(node, n.Vec):
        return sub(node.arg)
    if isinstance(node, n.Kron):
        sl, sr = a.shape(node.left), a.shape(node.right)
        if not (sl.cols.is_one and sr.cols.is_one):
            raise UnsupportedOperation("the Jacobian of a Kronecker product of matrices")
        parts = []
        if contains(node.left):
            parts.append(a.mul(a.kron(a.identity(sl.rows), node.right), sub(node.left)))
        if contains(node.right):
            parts.append(a.mul(a.kron(node.left, a.identity(sr.rows)), sub(node.right)))
        return a.add(*parts)
    if isinstance(node, n.Matrix):
        height, width = len(node.rows), len(node.rows[0])
        parts = []
        for row_index, row in enumerate(node.rows):
            for col_index, entry in enumerate(row):
                if contains(entry):
                    place = col_index * height + row_index  # column-major, as vec stacks
                    parts.append(a.mul(a.unit(height * width, place), sub(entry)))
        return a.add(*parts)
    raise UnsupportedOperation(f"identifying a Jacobian through {type(node).__name__}")


def at(df: n.Node, values: dict[str, n.Node | None]) -> n.Node | None:
    """``df`` with each dX replaced by ``values[X]`` (None: zero)."""
    def leaf(node: n.Node) -> n.Node | None:
        if isinstance(node, Differential):
            return values.get(node.name)
        return node
    return a.rebuild(df, leaf)
