"""Naming the mistake in a wrong answer, by comparing it with transforms of the key.

Tried only once an answer is known to be wrong, in this order: the exercise's listed mistakes,
the transpose (the other layout), a scalar multiple c·key (c = -1: the sign), a dropped term of a
sum (told apart when the sum is the argument of a function, ``sigma(w^T x)`` for
``sigma(w^T x + b)``: no term of the whole is missing there), an extra term, "correct only if A
were symmetric", and an element-wise product where a matrix product belongs (or the reverse).
Every comparison reuses the points of the identity test, exact or float alike: float values are
scaled and compared at the points' own precision, so each diagnosis works in both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath

from grader.equivalence import PointSet, close, same_values
from grader.evaluation import Mat, matmul
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.printing import print_ascii
from grader.verdict import Layout, Mistake

_LAYOUT_HINT = {
    "numerator": "this sheet uses numerator layout, where the derivative of a scalar by an "
                 "n-vector is a 1×n row",
    "denominator": "this sheet uses denominator layout, where the derivative of a scalar by a "
                   "vector or matrix has the shape of that vector or matrix",
}


@dataclass(frozen=True)
class Diagnosis:
    note: str
    feedback: str
    #: One of the exercise's listed mistakes (its feedback stands on its own).
    listed: bool = False


def transpose_feedback(layout: Layout | None) -> str:
    hint = f": {_LAYOUT_HINT[layout]}" if layout else ""
    return f"This is the transpose of the right answer{hint}."


def diagnose(
    key: n.Node,
    answer: n.Node,
    declarations: Declarations,
    pointset: PointSet,
    key_values: Sequence[Mat | None],
    answer_values: Sequence[Mat | None],
    mistakes: Sequence[tuple[Mistake, n.Node]],
    layout: Layout | None,
    *,
    same: Callable[[Mat, Mat], bool] | None = None,
    stated: bool = False,
) -> Diagnosis | None:
    """The first known mistake the answer's values match.  ``same`` compares an answer's value
    with a transform of the key's (default: exactly, or to the digits computed); ``stated``:
    the points are a numeric exercise's stated values, which no substitution may change."""
    exact = pointset.exact

    def agree(a: Sequence[Mat | None], b: Sequence[Mat | None]) -> bool:
        """Whether b (an answer, or a rewritten one) has a's values (the key's, or a
        transform's)."""
        if same is not None:
            return all((x is None) == (y is None) for x, y in zip(a, b, strict=True)) and any(
                x is not None for x in a) and all(
                same(y, x) for x, y in zip(a, b, strict=True) if x is not None and y is not None)
        return _agree(a, b, exact, pointset.digits)

    def matches(values: Sequence[Mat | None]) -> bool:
        return agree(values, answer_values)

    for mistake, tree in mistakes:
        if matches(pointset.values(tree)):
            return Diagnosis(mistake.note, mistake.feedback, listed=True)
    if matches([None if v is None else v.transpose() for v in key_values]) and not matches(
        key_values
    ):
        return Diagnosis("transpose", transpose_feedback(layout))
    digits = pointset.digits
    factor = _ratio(key_values, answer_values, exact, digits)
    if factor is not None and _plausible(factor, exact, digits) and matches(
            _scaled(factor, key_values, exact, digits)):
        if _is_minus_one(factor, exact, digits):
            return Diagnosis("sign", "Your answer has the wrong sign.")
        # At stated values any number is a multiple of any other: only a matrix whose entries
        # are all off by one factor says something.
        if not stated or _nonzero_entries(key_values) >= 2:
            return Diagnosis("scalar_multiple",
                             f"Your answer is {_show(factor, exact, digits)} times the right "
                             "answer.")
    for variant, inside in _dropped_terms(key):
        if matches(pointset.values(variant)):
            if inside is None:
                return Diagnosis("missing_term", "Your answer is missing a term of the sum.")
            return Diagnosis("missing_term_in_argument",
                             f"Your answer is missing a term inside {_describe(inside)}: check "
                             "the sum it is applied to; the rest of your answer is right.")
    key_values_list = list(key_values)
    for variant, dropped in _rewrites(answer, _drop_a_term):
        if agree(key_values_list, pointset.values(variant)):
            return Diagnosis("extra_term", f"The term {print_ascii(dropped)} does not belong in "
                                           "your answer; without it the answer would be right.")
    symmetric = [] if stated else _assumed_symmetric(key, answer, declarations, pointset)
    if symmetric:
        names = " and ".join(symmetric)
        verb = "were" if len(symmetric) == 1 else "were all"
        return Diagnosis(
            "assumed_symmetric",
            f"This would be right only if {names} {verb} symmetric, and that is not given.",
        )
    for variant, _ in _rewrites(answer, _swap_product):
        if agree(key_values_list, pointset.values(variant)):
            return Diagnosis(
                "elementwise_vs_matrix_product",
                "You used an element-wise product where a matrix product belongs, or the "
                "reverse.",
            )
    return None


def _agree(a: Sequence[Mat | None], b: Sequence[Mat | None], exact: bool, digits: int) -> bool:
    """Defined at the same points, equal there, and defined at one at least: a diagnosis never
    calls two functions related when one is undefined where the other is not."""
    return all((x is None) == (y is None) for x, y in zip(a, b, strict=True)) and \
        same_values(a, b, exact, digits)


def _plausible(factor: Any, exact: bool, digits: int) -> bool:
    """A factor worth naming: not 0 or 1 (no "1 times the right answer"), and of a size a
    student could have meant."""
    if exact:
        return factor not in (0, 1) and bool(
            abs(factor.numerator) <= 10**12 and factor.denominator <= 10**12)
    with mpmath.workdps(digits):
        if close(Mat.scalar(factor), Mat.scalar(mpmath.mpf(1)), False, digits):
            return False
        return bool(mpmath.mpf(10) ** -12 <= abs(factor) <= mpmath.mpf(10) ** 12)


def _nonzero_entries(values: Sequence[Mat | None]) -> int:
    return sum(x != 0 for value in values if value is not None for x in value.data)


def _is_minus_one(factor: Any, exact: bool, digits: int) -> bool:
    if exact:
        return bool(factor == -1)
    return close(Mat.scalar(factor), Mat.scalar(mpmath.mpf(-1)), False, digits)


def _ratio(key_values: Sequence[Mat | None], answer_values: Sequence[Mat | None], exact: bool,
           digits: int) -> Any:
    """c with answer = c·key, read at one entry of one point: exactly at the first non-zero
    entry of the key; in floats at its largest entry (a tiny one is certified only to a few
    digits), at the points' precision."""
    for k, a in zip(key_values, answer_values, strict=True):
        if k is None or a is None or (k.rows, k.cols) != (a.rows, a.cols):
            continue
        if exact:
            for x, y in zip(k.data, a.data, strict=True):
                if x != 0:
                    return Fraction(y) / Fraction(x)
            continue
        with mpmath.workdps(digits):
            x, y = max(zip(k.data, a.data, strict=True), key=lambda pair: abs(pair[0]))
            if x != 0:
                return y / x
    return None


def _scaled(factor: Any, values: Sequence[Mat | None], exact: bool, digits: int
            ) -> list[Mat | None]:
    """factor·value at each point, at the points' precision (the process's default would round
    float values to 15 digits, and they would no longer match to the digits compared)."""
    if exact:
        return [None if v is None else matmul(Mat.scalar(factor), v) for v in values]
    with mpmath.workdps(digits):
        return [None if v is None else v.map(lambda x: factor * x) for v in values]


def _show(factor: Any, exact: bool, digits: int) -> str:
    if exact and isinstance(factor, Fraction):
        return str(factor)
    with mpmath.workdps(digits):
        nice = Fraction(str(factor)).limit_denominator(1000)
        if close(Mat.scalar(mpmath.mpf(nice.numerator) / nice.denominator),
                 Mat.scalar(factor), False, digits):
            return str(nice)
        return str(mpmath.nstr(factor, 6))


def _rewrites(
    tree: n.Node, local: Callable[[n.Node], Iterator[tuple[n.Node, n.Node]]]
) -> Iterator[tuple[n.Node, n.Node]]:
    """Copies of ``tree`` with one node replaced by one of ``local(node)``'s alternatives,
    each with the node ``local`` reports (the dropped term, the swapped product)."""
    yield from local(tree)
    for field_name in tree.child_fields:
        value = getattr(tree, field_name)
        if isinstance(value, n.Node):
            for variant, info in _rewrites(value, local):
                yield tree.with_field(field_name, variant), info
        elif value and not isinstance(value[0], tuple):
            for index, child in enumerate(value):
                for variant, info in _rewrites(child, local):
                    items = (*value[:index], variant, *value[index + 1 :])
                    yield tree.with_field(field_name, items), info


def _drop_a_term(node: n.Node) -> Iterator[tuple[n.Node, n.Node]]:
    if isinstance(node, n.Add):
        for index, term in enumerate(node.terms):
            rest = node.terms[:index] + node.terms[index + 1 :]
            yield (rest[0] if len(rest) == 1 else node.with_field("terms", rest)), term


#: Where a sum is an argument, not a part of the whole: a term left out there is not a term
#: missing from the expanded answer.  (Div and ElemDiv: their right side only.)
_ARGUMENTS = (n.Apply, n.Softmax, n.Norm, n.Det, n.Inverse, n.Pow, n.ElemPow, n.Max)


def _dropped_terms(tree: n.Node, inside: n.Node | None = None
                   ) -> Iterator[tuple[n.Node, n.Node | None]]:
    """Copies of ``tree`` with one term of one sum left out, each with the innermost node whose
    argument that sum is part of (None when the sum is linear in the whole)."""
    for variant, _ in _drop_a_term(tree):
        yield variant, inside
    for field_name in tree.child_fields:
        value = getattr(tree, field_name)
        within = tree if isinstance(tree, _ARGUMENTS) or (
            isinstance(tree, (n.Div, n.ElemDiv)) and field_name == "right") else inside
        if isinstance(value, n.Node):
            for variant, where in _dropped_terms(value, within):
                yield tree.with_field(field_name, variant), where
        elif value and not isinstance(value[0], tuple):
            for index, child in enumerate(value):
                for variant, where in _dropped_terms(child, within):
                    items = (*value[:index], variant, *value[index + 1 :])
                    yield tree.with_field(field_name, items), where


def _describe(node: n.Node) -> str:
    """Where a term went missing, in words, without showing the right answer."""
    if isinstance(node, n.Apply):
        return f"the argument of {node.func}"
    names = {n.Softmax: "the argument of softmax", n.Norm: "the norm",
             n.Det: "the determinant", n.Inverse: "the inverse", n.Pow: "a power",
             n.ElemPow: "an element-wise power", n.Max: "the max",
             n.Div: "a denominator", n.ElemDiv: "an element-wise denominator"}
    return names.get(type(node), "an argument")


def _swap_product(node: n.Node) -> Iterator[tuple[n.Node, n.Node]]:
    if isinstance(node, n.Hadamard):
        yield n.Mul((node.left, node.right), shape=node.shape), node
    if isinstance(node, n.Mul) and len(node.factors) == 2:
        yield n.Hadamard(node.factors[0], node.factors[1], shape=node.shape), node


def _assumed_symmetric(
    key: n.Node, answer: n.Node, declarations: Declarations, pointset: PointSet
) -> list[str]:
    """The square matrices that, made symmetric, make the answer right (empty if none)."""
    used = {node.name for node in n.walk(key) if isinstance(node, n.Symbol)}
    square = [name for name, shape in declarations.entries
              if name in used and shape.is_square and not shape.is_scalar]
    candidates = [[name] for name in square] + ([square] if len(square) > 1 else [])
    for names in candidates:
        symmetric = PointSet(declarations, pointset.exact, pointset.rng, pointset.wanted,
                             pointset.max_tries, symmetric=tuple(names), digits=pointset.digits,
                             search=False)
        if symmetric.fill([key, answer]) and _agree(
            symmetric.values(key), symmetric.values(answer), pointset.exact, pointset.digits
        ):
            return names
    return []
