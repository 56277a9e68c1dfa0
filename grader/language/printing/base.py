"""The printer pattern shared by every printer: one ``_print_<NodeClass>`` method per node type."""

from __future__ import annotations

from fractions import Fraction
from typing import Generic, TypeVar

from grader.language import nodes as n

R = TypeVar("R")

# Binding strength, loosest first.
ADD = 10
NEG = 15
PRODUCT = 20
POWER = 30
POSTFIX = 40
ATOM = 50


class Printer(Generic[R]):
    """Dispatches on the node's class, falling back along its MRO (as SymPy's printers do)."""

    def doprint(self, node: n.Node) -> R:
        return self._print(node)

    def _print(self, node: n.Node) -> R:
        for cls in type(node).__mro__:
            method = getattr(self, f"_print_{cls.__name__}", None)
            if method is not None:
                result: R = method(node)
                return result
        raise TypeError(f"{type(self).__name__} can't print {type(node).__name__}")


class TextPrinter(Printer[str]):
    """Operator precedence and parenthesisation common to the ASCII and LaTeX printers."""

    left_paren = "("
    right_paren = ")"

    def precedence(self, node: n.Node) -> int:
        if isinstance(node, n.Add):
            return ADD
        if isinstance(node, n.Neg) or (isinstance(node, n.Number) and node.value < 0):
            return NEG
        if isinstance(node, (n.Mul, n.Div, n.Hadamard, n.ElemDiv, n.Kron)):
            return PRODUCT
        if isinstance(node, (n.Pow, n.ElemPow)):
            return POWER
        if isinstance(node, (n.Transpose, n.Inverse)):
            return POSTFIX
        return ATOM

    def paren(self, text: str) -> str:
        return f"{self.left_paren}{text}{self.right_paren}"

    def at_least(self, node: n.Node, level: int) -> str:
        """``node`` printed, in parentheses if it binds more loosely than ``level``."""
        text = self._print(node)
        return self.paren(text) if self.precedence(node) < level else text

    def product_operand(self, node: n.Node, first: bool) -> str:
        """A factor of a product chain: chains fold left, so only the first may be a product."""
        if isinstance(node, n.Mul) or (not first and self.precedence(node) <= PRODUCT):
            return self.paren(self._print(node))
        return self.at_least(node, PRODUCT)

    def sum_terms(self, node: n.Add) -> str:
        parts = [self.at_least(node.terms[0], NEG) if not isinstance(node.terms[0], n.Add)
                 else self.paren(self._print(node.terms[0]))]
        for term in node.terms[1:]:
            if isinstance(term, n.Neg):
                inner = term.arg
                text = self.paren(self._print(inner)) if self.precedence(inner) <= ADD \
                    else self._print(inner)
                parts.append(f" - {text}")
            else:
                text = self.paren(self._print(term)) if isinstance(term, n.Add) \
                    else self._print(term)
                parts.append(f" + {text}")
        return "".join(parts)

    def negation(self, node: n.Neg) -> str:
        inner = node.arg
        needs = self.precedence(inner) < PRODUCT
        return "-" + (self.paren(self._print(inner)) if needs else self._print(inner))


def decimal(value: Fraction) -> str | None:
    """The exact decimal of a non-negative terminating fraction, or None."""
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return None
    places = max(twos, fives)
    scaled = value.numerator * 10**places // value.denominator
    digits = str(scaled).rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}"
