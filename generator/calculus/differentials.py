"""Differentials of typed trees (Magnus & Neudecker, *Matrix Differential Calculus*, ch. 8–9).

``differential(f, {"X"})`` is the tree of df: linear in the leaves ``dX``
(:class:`Differential`), built by the rules d(A + B) = dA + dB, d(AB) = dA B + A dB,
d(X⁻¹) = −X⁻¹ dX X⁻¹, d det X = det X tr(X⁻¹ dX), d f(u) = f′(u) ⊙ du, … (Matrix Cookbook §2).
None stands for a zero differential.  The piecewise functions (abs, relu, max, step, sign, the
1-norm) have derivatives almost everywhere: the names met are recorded in ``Differentials.kinks``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from generator.calculus import UnsupportedOperation
from generator.calculus import algebra as a
from grader.language import nodes as n


@dataclass(frozen=True)
class Differential(n.Symbol):
    """dX, the differential of the declared variable ``name``."""


@dataclass
class Differentials:
    """Differentiates trees with respect to ``variables``, remembering the kinks it met."""

    variables: frozenset[str]
    kinks: set[str] = field(default_factory=set)

    def __call__(self, node: n.Node) -> n.Node | None:
        method: Callable[[n.Node], n.Node | None] | None = getattr(
            self, f"d_{type(node).__name__}", None)
        if method is None:
            raise UnsupportedOperation(f"the engine can't differentiate {type(node).__name__}")
        return method(node)

    # --- leaves ----------------------------------------------------------------------------

    def d_Symbol(self, node: n.Symbol) -> n.Node | None:
        if node.name in self.variables:
            return Differential(node.name, shape=node.shape)
        return None

    def constant(self, node: n.Node) -> None:
        return None

    d_Number = d_Constant = d_Identity = d_Ones = d_Zeros = constant  # noqa: N815

    def d_Matrix(self, node: n.Matrix) -> n.Node | None:
        rows = [[self(entry) for entry in row] for row in node.rows]
        if all(e is None for row in rows for e in row):
            return None
        return a.matrix([[e if e is not None else a.number(0) for e in row] for row in rows])

    # --- arithmetic ------------------------------------------------------------------------

    def d_Neg(self, node: n.Neg) -> n.Node | None:
        d = self(node.arg)
        return None if d is None else a.neg(d)

    def d_Add(self, node: n.Add) -> n.Node | None:
        parts = []
        for term in node.terms:
            d = self(term)
            if d is not None:
                if a.is_scalar(d) and not node.typed_shape.is_scalar:
                    d = a.mul(d, a.ones_like(node.typed_shape))  # scalar expansion
                parts.append(d)
        return a.add(*parts) if parts else None

    def d_Mul(self, node: n.Mul) -> n.Node | None:
        parts = []
        for index, factor in enumerate(node.factors):
            d = self(factor)
            if d is not None:
                parts.append(a.mul(*node.factors[:index], d, *node.factors[index + 1:]))
        return a.add(*parts) if parts else None

    def d_Div(self, node: n.Div) -> n.Node | None:
        top, bottom = self(node.left), self(node.right)
        parts = []
        if top is not None:
            parts.append(a.div(top, node.right))
        if bottom is not None:  # d(u/v) = du/v - u dv/v²
            parts.append(a.neg(a.div(a.mul(bottom, node.left), a.power(node.right, Fraction(2)))))
        return a.add(*parts) if parts else None

    def d_Hadamard(self, node: n.Hadamard) -> n.Node | None:
        left, right = self(node.left), self(node.right)
        parts = []
        if left is not None:
            parts.append(a.hadamard(left, node.right))
        if right is not None:
            parts.append(a.hadamard(node.left, right))
        return a.add(*parts) if parts else None

    def d_ElemDiv(self, node: n.ElemDiv) -> n.Node | None:
        top, bottom = self(node.left), self(node.right)
        parts = []
        if top is not None:
            parts.append(a.elemdiv(top, node.right))
        if bottom is not None:
            parts.append(a.neg(a.elemdiv(a.hadamard(node.left, bottom),
                                         a.elementwise_power(node.right, Fraction(2)))))
        return a.add(*parts) if parts else None

    def d_Kron(self, node: n.Kron) -> n.Node | None:
        left, right = self(node.left), self(node.right)
        parts = []
        if left is not None:
            parts.append(a.kron(left, node.right))
        if right is not None:
            parts.append(a.kron(node.left, right))
        return a.add(*parts) if parts else None

    def d_Max(self, node: n.Max) -> n.Node | None:
        left, right = self(node.left), self(node.right)
        if left is None and right is None:
            return None
        self.kinks.add("max")
        parts = []
        if left is not None:
            parts.append(a.hadamard(a.apply("step", a.subtract(node.left, node.right)), left))
        if right is not None:
            parts.append(a.hadamard(a.apply("step", a.subtract(node.right, node.left)), right))
        result = a.add(*parts)
        if a.is_scalar(result) and not node.typed_shape.is_scalar:
            result = a.mul(result, a.ones_like(node.typed_shape))
        return result

    def d_Pow(self, node: n.Pow) -> n.Node | None:
        base, exponent = self(node.base), self(node.exponent)
        k = a.constant_value(node.exponent)
        if not a.is_scalar(node.base):
            if base is None:
                return None
            if k is None or k.denominator != 1:
                raise UnsupportedOperation("a matrix power with a non-integer exponent")
            if k < 0:  # X^-k = (X^k)^-1
                positive = a.power(node.base, -k)
                inner = self(n.Pow(node.base, a.number(-k), shape=node.shape))
                assert inner is not None
                inv = a.inverse(positive)
                return a.neg(a.mul(inv, inner, inv))
            terms = [a.mul(a.power(node.base, Fraction(j)), base,
                           a.power(node.base, Fraction(int(k) - 1 - j))) for j in range(int(k))]
            return a.add(*terms) if terms else None
        parts = []
        if base is not None:
            if isinstance(node.base, n.Norm) and node.base.p == 2 and k == 2:
                return self.squared_norm(node.base)
            if k is not None:
                parts.append(a.mul(a.number(k), a.power(node.base, k - 1), base))
            else:
                parts.append(a.mul(node.exponent, a.power(node.base, a.subtract(
                    node.exponent, a.number(1))), base))
        if exponent is not None:  # d(b^e) = b^e log(b) de
            parts.append(a.mul(node, _log(node.base), exponent))
        return a.add(*parts) if parts else None

    def squared_norm(self, node: n.Norm) -> n.Node | None:
        """d ‖u‖² = 2 uᵀ du (2 tr(Uᵀ dU) for a matrix)."""
        d = self(node.arg)
        return None if d is None else a.mul(a.number(2), a.inner(node.arg, d))

    def d_ElemPow(self, node: n.ElemPow) -> n.Node | None:
        base, exponent = self(node.base), self(node.exponent)
        k = a.constant_value(node.exponent)
        parts = []
        if base is not None:
            if k is not None:
                parts.append(a.mul(a.number(k), a.hadamard(a.elementwise_power(node.base, k - 1),
                                                             base)))
            else:
                less = a.subtract(node.exponent, a.number(1))
                parts.append(a.hadamard(a.hadamard(node.exponent,
                                                   a.elementwise_power(node.base, less)), base))
        if exponent is not None:
            parts.append(a.hadamard(a.hadamard(node, _log(node.base)), exponent))
        return a.add(*parts) if parts else None

    def d_Transpose(self, node: n.Transpose) -> n.Node | None:
        d = self(node.arg)
        return None if d is None else a.transpose(d)

    def d_Inverse(self, node: n.Inverse) -> n.Node | None:
        d = self(node.arg)
        if d is None:
            return None
        inv = a.inverse(node.arg)
        return a.neg(a.mul(inv, d, inv))

    def d_Apply(self, node: n.Apply) -> n.Node | None:
        if node.func == "log" and isinstance(node.arg, n.Det):  # d log det X = tr(X⁻¹ dX)
            d = self(node.arg.arg)
            return None if d is None else a.trace(a.mul(a.inverse(node.arg.arg), d))
        d = self(node.arg)
        if d is None:
            return None
        u = node.arg
        func = node.func
        if func in ("abs", "relu", "sign", "step"):
            self.kinks.add(func)
        if func in ("sign", "step"):
            return None
        if func == "log":
            return a.elemdiv(d, u)
        if func == "sqrt":
            return a.elemdiv(d, a.mul(a.number(2), node))
        derivative: Callable[[], n.Node] | None = {
            "exp": lambda: node,
            "sin": lambda: a.apply("cos", u),
            "cos": lambda: a.neg(a.apply("sin", u)),
            "tan": lambda: a.add(a.number(1), a.elementwise_power(node, Fraction(2))),
            "tanh": lambda: a.subtract(a.number(1), a.elementwise_power(node, Fraction(2))),
            "sigma": lambda: a.hadamard(node, a.subtract(a.number(1), node)),
            "abs": lambda: a.apply("sign", u),
            "relu": lambda: a.apply("step", u),
        }.get(func)
        if derivative is None:
            raise UnsupportedOperation(f"the engine can't differentiate the function {func}")
        return a.hadamard(derivative(), d)

    # --- reductions and matrix functions ---------------------------------------------------

    def d_Sum(self, node: n.Sum) -> n.Node | None:
        d = self(node.arg)
        return None if d is None else a.total(d)

    def d_Trace(self, node: n.Trace) -> n.Node | None:
        d = self(node.arg)
        return None if d is None else a.trace(d)

    def d_Det(self, node: n.Det) -> n.Node | None:
        d = self(node.arg)
        if d is None:
            return None
        return a.mul(node, a.trace(a.mul(a.inverse(node.arg), d)))

    def d_Norm(self, node: n.Norm) -> n.Node | None:
        d = self(node.arg)
        if d is None:
            return None
        if node.p == 1:
            self.kinks.add("the 1-norm")
            return a.inner(a.apply("sign", node.arg), d)
        return a.div(a.inner(node.arg, d), node)

    def d_Diag(self, node: n.Diag) -> n.Node | None:
        d = self(node.arg)
        return None if d is None else a.diag(d)

    def d_Vec(self, node: n.Vec) -> n.Node | None:
        d = self(node.arg)
        return None if d is None else a.vec(d)

    def d_Softmax(self, node: n.Softmax) -> n.Node | None:
        """ds = s ⊙ du − (sᵀ du) s: the Jacobian diag(s) − s sᵀ."""
        d = self(node.arg)
        if d is None:
            return None
        return a.subtract(a.hadamard(node, d), a.mul(a.inner(node, d), node))


def _log(node: n.Node) -> n.Node:
    return a.apply("log", node)


def differential(node: n.Node, variables: frozenset[str]) -> tuple[n.Node | None, set[str]]:
    """(df, the kinks met): df None when f does not depend on the variables."""
    differentials = Differentials(variables)
    return differentials(node), differentials.kinks

