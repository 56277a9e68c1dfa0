"""Display simplification: results as a textbook writes them.  Never used for grading (the grader
decides equivalence by evaluation); every simplified result is checked again before it is shown.

The constructors of :mod:`~generator.calculus.algebra` fold numbers, drop products with 1 or I,
put scalars in front, push transposes to the symbols and fold diag(v) w into v ⊙ w; on top of
that, like terms are collected: A x + Aᵀ x = (A + Aᵀ) x, xᵀ A + xᵀ Aᵀ = xᵀ (A + Aᵀ).
"""

from __future__ import annotations

from fractions import Fraction

from generator.calculus import algebra as a
from grader.language import nodes as n
from grader.language.declarations import Declarations


def simplify(tree: n.Node, declarations: Declarations) -> n.Node:
    """``tree`` rebuilt through the constructors, with like terms collected (display only)."""
    rebuilt = a.rebuild(tree)
    assert rebuilt is not None
    return _collect(rebuilt)


def _collect(node: n.Node) -> n.Node:
    node = a.rebuild(node.map_children(_collect)) or node
    if isinstance(node, n.Add):
        diagonal = _one_diagonal(node)
        return diagonal if diagonal is not None else _factor(list(node.terms), node)
    return node


def _one_diagonal(node: n.Add) -> n.Node | None:
    """diag(u) - 2 diag(v) = diag(u - 2 v)."""
    inside = []
    for term in node.terms:
        c, rest = a.split(term)
        if not (isinstance(rest, n.Diag) and a.shape(rest.arg).cols.is_one):
            return None
        inside.append(a.scaled(c, rest.arg))
    return a.diag(a.add(*inside))


_Parts = tuple[Fraction, list[n.Node], list[n.Node]]


def _parts(term: n.Node) -> _Parts:
    """coefficient, scalar factors, chain of matrices."""
    c, rest = a.split(term)
    if rest is None:
        return c, [], []
    if isinstance(rest, n.Mul):
        return (c, [f for f in rest.factors if a.is_scalar(f)],
                [f for f in rest.factors if not a.is_scalar(f)])
    if a.is_scalar(rest):
        return c, [rest], []
    return c, [], [rest]


def _factor(terms: list[n.Node], whole: n.Node) -> n.Node:
    for side in (-1, 0):  # common right factors first, then common left ones
        groups: dict[n.Node, list[int]] = {}
        split = [_parts(t) for t in terms]
        for index, (_, _, chain) in enumerate(split):
            if len(chain) >= 2:
                groups.setdefault(chain[side], []).append(index)
        merged = {key: members for key, members in groups.items() if len(members) > 1}
        if not merged:
            continue
        done: set[int] = set()
        result: list[n.Node] = []
        for index, term in enumerate(terms):
            if index in done:
                continue
            key = next((k for k, members in merged.items() if index in members), None)
            if key is None:
                result.append(term)
                continue
            members = merged.pop(key)
            done.update(members)
            inner = []
            for member in members:
                c, scalars, chain = split[member]
                rest = chain[:-1] if side == -1 else chain[1:]
                inner.append(a.scaled(c, a.mul(*scalars, *rest)))
            inner_sum = a.add(*inner)
            if isinstance(inner_sum, n.Add):
                inner_sum = _factor(list(inner_sum.terms), inner_sum)
            negated = isinstance(inner_sum, n.Add) and all(
                isinstance(t, n.Neg) for t in inner_sum.terms)
            if negated:  # -(A + B) x rather than (-A - B) x
                inner_sum = a.neg(inner_sum)
            product = a.mul(inner_sum, key) if side == -1 else a.mul(key, inner_sum)
            result.append(a.neg(product) if negated else product)
        terms = result
    if len(terms) == 1:
        return terms[0]
    combined = a.add(*terms)
    return combined if a.shape(combined) == a.shape(whole) else whole
