"""Folding numeric constants, for display only: ``2 · 3 xᵀ`` reads ``6 xᵀ`` and ``2 · (-3) xᵀ``
reads ``-6 xᵀ``.

Parameters enter a tree as numbers, so a product or a sum can hold several numbers side by side;
a person writes them as one.  The folded tree means the same as the unfolded one (scalars commute,
and a sign can be taken out of any factor of a product); nothing here is used for grading.
"""

from __future__ import annotations

from fractions import Fraction

from generator.calculus.algebra import constant_value as value_of
from generator.calculus.algebra import number
from grader.language import nodes as n
from grader.language.shapes import Shape


def fold(node: n.Node) -> n.Node:
    """``node`` with its numbers multiplied and added out, zero terms dropped and double
    negations removed; shapes are carried along but the caller re-reads the printed result."""
    node = node.map_children(fold)
    if isinstance(node, n.Neg):
        return _scaled(Fraction(-1), [node.arg], node.shape)
    if isinstance(node, n.Mul):
        return _scaled(Fraction(1), list(node.factors), node.shape)
    if isinstance(node, n.Div):
        divisor = value_of(node.right)
        if divisor is not None and divisor != 0:
            return _scaled(1 / divisor, [node.left], node.shape)
        return node
    if isinstance(node, n.Add):
        return _sum(node)
    if isinstance(node, n.Pow):
        base, exponent = value_of(node.base), value_of(node.exponent)
        if base is not None and exponent is not None and exponent.denominator == 1 \
                and abs(exponent) <= 64 and (base != 0 or exponent >= 0):
            return number(base ** int(exponent))
    return node


_SCALAR = Shape.of(1, 1)


def zero(shape: Shape | None) -> n.Node:
    if shape is None or shape.is_scalar:
        return n.Number(Fraction(0), shape=_SCALAR)
    return n.Zeros(shape.rows, shape.cols, shape=shape)


def is_zero(node: n.Node) -> bool:
    return isinstance(node, n.Zeros) or value_of(node) == 0


def _scaled(coefficient: Fraction, factors: list[n.Node], shape: Shape | None) -> n.Node:
    """coefficient × factors, with every number and every sign taken into the coefficient."""
    kept: list[n.Node] = []
    for factor in factors:
        while True:
            if isinstance(factor, n.Neg):
                coefficient, factor = -coefficient, factor.arg
                continue
            divisor = value_of(factor.right) if isinstance(factor, n.Div) else None
            if isinstance(factor, n.Div) and divisor and value_of(factor.left) is None:
                coefficient, factor = coefficient / divisor, factor.left
                continue
            break
        value = value_of(factor)
        if value is not None:
            coefficient *= value
        elif isinstance(factor, n.Zeros):
            coefficient = Fraction(0)
        elif isinstance(factor, n.Mul):  # a product inside a product: one coefficient for both
            inner = _scaled(Fraction(1), list(factor.factors), factor.shape)
            while isinstance(inner, n.Neg):
                coefficient, inner = -coefficient, inner.arg
            if isinstance(inner, n.Mul) and value_of(inner.factors[0]) is not None:
                coefficient *= value_of(inner.factors[0])  # type: ignore[operator]
                rest = inner.factors[1:]
                kept.append(rest[0] if len(rest) == 1 else n.Mul(rest, shape=inner.shape))
            else:
                kept.append(inner)
        else:
            kept.append(factor)
    if coefficient == 0:
        return zero(shape)
    if not kept:
        return number(coefficient)
    body = kept[0] if len(kept) == 1 else n.Mul(tuple(kept), shape=shape)
    magnitude = abs(coefficient)
    if magnitude != 1:
        head = number(magnitude)
        if isinstance(head, n.Div):  # (1/3) x prints as x / 3
            body = n.Div(body, head.right, shape=shape) if head.left == n.Number(Fraction(1)) \
                else n.Div(n.Mul((head.left, body), shape=shape), head.right, shape=shape)
        else:
            body = n.Mul((head, *(body.factors if isinstance(body, n.Mul) else (body,))),
                         shape=shape)
    return n.Neg(body, shape=shape) if coefficient < 0 else body


def _sum(node: n.Add) -> n.Node:
    terms: list[n.Node] = []
    constant = Fraction(0)
    for term in node.terms:
        parts = term.terms if isinstance(term, n.Add) else (term,)
        for part in parts:
            value = value_of(part)
            if value is not None and part.shape is not None and part.shape.is_scalar:
                constant += value
            elif not is_zero(part):
                terms.append(part)
    if constant != 0:
        terms.append(number(constant))
    if not terms:
        return zero(node.shape)
    return terms[0] if len(terms) == 1 else n.Add(tuple(terms), shape=node.shape)
