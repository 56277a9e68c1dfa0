"""Parameters of an authored exercise: drawing their values, and putting them into parsed trees.

A parameter ``{c}`` is never pasted into the text: the text is read with ``{c}`` standing for a
declared scalar placeholder, and the placeholder's node is then replaced by the drawn number.  So
``2 {c} x^T`` with c = -3 is 2 · (-3) · xᵀ, which :mod:`generator.authored.folding` shows as
``-6 x^T``, never the ``2 - 3 x^T`` that pasting would make.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from fractions import Fraction

from generator.authored.folding import fold
from generator.calculus.algebra import number
from grader.errors import ParseError
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.parser import parse
from grader.language.printing import print_ascii
from grader.language.shapes import Shape

#: ``{name}``, not right after a letter or backslash (``\mathbf{c}`` stays LaTeX).
_REFERENCE = re.compile(r"(?<![A-Za-z\\])\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}")


@dataclass(frozen=True)
class Parameter:
    """An inclusive integer range ``[low, high]``, or a choice among numbers."""

    name: str
    low: int = 0
    high: int = 0
    choices: tuple[Fraction, ...] = ()

    def draw(self, rng: random.Random) -> Fraction:
        if self.choices:
            return rng.choice(self.choices)
        return Fraction(rng.randint(self.low, self.high))

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(str(c) for c in self.choices)
        return f"from {self.low} to {self.high}"


Values = tuple[tuple[str, Fraction], ...]


def draw(parameters: tuple[Parameter, ...], rng: random.Random) -> Values:
    """One value per parameter, in the order the file lists them."""
    return tuple((p.name, p.draw(rng)) for p in parameters)


def describe(values: Values) -> str:
    """``c = -3, k = 2`` (for messages naming a failing draw)."""
    return ", ".join(f"{name} = {value}" for name, value in values) or "no parameters"


def references(text: str) -> list[str]:
    """The names written as ``{name}`` in ``text``."""
    return [match.group(1) for match in _REFERENCE.finditer(text)]


@dataclass(frozen=True)
class Template:
    """Declarations extended with one scalar placeholder per parameter."""

    declarations: Declarations
    placeholders: tuple[tuple[str, str], ...]  # (parameter, placeholder name)

    @staticmethod
    def of(declarations: Declarations, names: tuple[str, ...]) -> Template:
        taken = set(declarations.names)
        placeholders = []
        for index, name in enumerate(names):
            placeholder = f"zparam{index}"
            while placeholder in taken:
                placeholder += "z"
            taken.add(placeholder)
            placeholders.append((name, placeholder))
        extended = Declarations((*declarations.entries,
                                 *((p, Shape.of(1, 1)) for _, p in placeholders)))
        return Template(extended, tuple(placeholders))

    def read(self, text: str) -> n.Node:
        """The tree of ``text`` with each ``{name}`` a placeholder symbol; a parse error points
        into ``text`` as written."""
        known = dict(self.placeholders)
        pieces: list[str] = []
        moves: list[tuple[int, int, int, int]] = []  # (new start, new length, start, end)
        last = 0
        length = 0
        for match in _REFERENCE.finditer(text):
            if match.group(1) not in known:
                continue
            pieces.append(text[last:match.start()])
            length += match.start() - last
            replacement = f"({known[match.group(1)]})"
            moves.append((length, len(replacement), match.start(), match.end()))
            pieces.append(replacement)
            length += len(replacement)
            last = match.end()
        pieces.append(text[last:])
        rewritten = "".join(pieces)
        try:
            return parse(rewritten, self.declarations)
        except ParseError as problem:
            raise ParseError(problem.message, text=text, code=problem.code,
                             position=_back(problem.position, moves),
                             end=None) from None

    def instantiate(self, tree: n.Node, values: Values, declarations: Declarations) -> n.Node:
        """The tree with the drawn numbers in place of the placeholders, constants folded, read
        again under the exercise's own declarations (so every node is typed as usual)."""
        by_placeholder = {placeholder: number(dict(values)[name])
                          for name, placeholder in self.placeholders}

        def put(node: n.Node) -> n.Node:
            if isinstance(node, n.Symbol) and node.name in by_placeholder:
                return by_placeholder[node.name]
            return node.map_children(put)

        return parse(print_ascii(fold(put(tree))), declarations)


def _back(position: int | None, moves: list[tuple[int, int, int, int]]) -> int | None:
    """A position in the rewritten text, as a position in the text as written."""
    if position is None:
        return None
    shift = 0
    for new_start, new_length, start, end in moves:
        if position < new_start:
            break
        if position < new_start + new_length:
            return start
        shift += new_length - (end - start)
    return position - shift
