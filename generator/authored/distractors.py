"""Typical mistakes made from a key, for an exercise whose file lists none.

Each is a transform of the numerator-layout key a student plausibly makes: the transpose, a
dropped term, a lost or extra factor, the sign, assuming a matrix symmetric, and ⊙ in place of a
matrix product.  Each is kept only if the grader tells it apart from the key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction

from generator.authored.folding import fold
from generator.layout import transposed
from grader.checker import check
from grader.errors import ParseError
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.parser import parse
from grader.language.printing import print_ascii
from grader.language.shapes import Shape
from grader.verdict import CheckOptions, Mistake

_FEEDBACK = {
    "transposed": "That is the transpose of the derivative: mind the layout and the order of "
                  "the factors.",
    "dropped_term": "A term is missing: every term of the function that holds the variable "
                    "contributes.",
    "factor": "A constant factor is wrong: check the coefficients (the power rule brings one "
              "down).",
    "sign": "The sign is wrong.",
    "assumed_symmetric": "The matrices here are not symmetric: keep each transpose.",
    "hadamard_for_product": "That is an element-wise product where the derivative has a matrix "
                            "product.",
}
#: At most this many of each kind (a sum of many terms would give many dropped-term mistakes).
_EACH = 2


def distractors(key: n.Node, declarations: Declarations) -> tuple[Mistake, ...]:
    """The transforms of ``key`` that the grader rejects, each once, in a fixed order."""
    kept: dict[str, Mistake] = {}
    key_text = print_ascii(key)
    options = CheckOptions(diagnose=False, points=2)
    for note, make in _TRANSFORMS:
        for count, candidate in enumerate(make(key, declarations)):
            if count >= _EACH:
                break
            try:
                text = print_ascii(parse(print_ascii(fold(candidate)), declarations))
            except (ParseError, TypeError, ValueError):
                continue
            if text == key_text or text in kept:
                continue
            verdict = check(key, text, declarations, options=options)
            if verdict.status in ("incorrect", "wrong_shape"):
                kept[text] = Mistake(text, note, _FEEDBACK[note])
    return tuple(kept.values())


def _transpose(key: n.Node, declarations: Declarations) -> Iterator[n.Node]:
    if not key.typed_shape.is_scalar:
        yield transposed(key)


def _dropped_term(key: n.Node, declarations: Declarations) -> Iterator[n.Node]:
    for node in n.walk(key):
        if isinstance(node, n.Add):
            for index in range(len(node.terms)):
                rest = node.terms[:index] + node.terms[index + 1:]
                replacement = rest[0] if len(rest) == 1 else n.Add(rest, shape=node.shape)
                yield _replace(key, node, replacement)
            return


def _factor(key: n.Node, declarations: Declarations) -> Iterator[n.Node]:
    for node in n.walk(key):  # a coefficient other than 1 is lost...
        if isinstance(node, n.Div) and isinstance(node.right, n.Number):
            yield _replace(key, node, node.left)
            return
        if isinstance(node, n.Mul) and isinstance(node.factors[0], n.Number) \
                and node.factors[0].value != 1:
            rest = node.factors[1:]
            yield _replace(key, node, rest[0] if len(rest) == 1 else n.Mul(rest, shape=node.shape))
            return
    two = n.Number(Fraction(2), shape=Shape.of(1, 1))
    yield n.Mul((two, key), shape=key.shape)  # ...or one too many appears


def _sign(key: n.Node, declarations: Declarations) -> Iterator[n.Node]:
    yield n.Neg(key, shape=key.shape)


def _symmetric(key: n.Node, declarations: Declarations) -> Iterator[n.Node]:
    square = {name for name, shape in declarations.entries
              if shape.is_square and not shape.is_scalar}

    def assume(node: n.Node) -> n.Node:
        if isinstance(node, n.Transpose):
            inner = node.arg
            if isinstance(inner, n.Symbol) and inner.name in square:
                return inner
            if isinstance(inner, n.Inverse) and isinstance(inner.arg, n.Symbol) \
                    and inner.arg.name in square:
                return inner
        return node.map_children(assume)

    changed = assume(key)
    if changed != key:
        yield changed


def _hadamard(key: n.Node, declarations: Declarations) -> Iterator[n.Node]:
    for node in n.walk(key):
        if not isinstance(node, n.Mul):
            continue
        factors = node.factors
        for i in range(len(factors) - 1):
            a, b = factors[i], factors[i + 1]
            if a.shape is not None and a.shape == b.shape and not a.shape.is_scalar:
                merged = n.Hadamard(a, b, shape=a.shape)
                rest = (*factors[:i], merged, *factors[i + 2:])
                yield _replace(key, node, rest[0] if len(rest) == 1
                               else n.Mul(rest, shape=node.shape))
                return


def _replace(tree: n.Node, old: n.Node, new: n.Node) -> n.Node:
    """``tree`` with the node ``old`` (by identity) replaced by ``new``."""
    if tree is old:
        return new
    return tree.map_children(lambda child: _replace(child, old, new))


_TRANSFORMS: tuple[tuple[str, Callable[[n.Node, Declarations], Iterator[n.Node]]], ...] = (
    ("transposed", _transpose), ("dropped_term", _dropped_term), ("factor", _factor),
    ("sign", _sign), ("assumed_symmetric", _symmetric), ("hadamard_for_product", _hadamard),
)
