"""What a reading shows a student: the fields of ``matcalc parse --json`` and of the web app's
live echo, built in one place so that the command line and the answer page never disagree.

The echo is faithful: it prints the tree as read, never simplified, and it never says whether the
answer is right.
"""

from __future__ import annotations

import re
from typing import Any

from grader.errors import ParseError
from grader.language.declarations import Declarations
from grader.language.parser import read
from grader.language.printing import print_ascii, print_latex
from grader.language.shapes import Dim, Shape

__all__ = ["echo", "parse_shape"]

_DIM = re.compile(r"\s*(?:(\d+)|([A-Za-z]))(?:\s*\^\s*(\d))?\s*")


def _dim(text: str) -> Dim:
    coefficient = 1
    symbols: list[str] = []
    for factor in text.split("*"):
        match = _DIM.fullmatch(factor)
        if match is None:
            raise ParseError(f"can't read the dimension {text.strip()!r}: write 3, n, m*n or n^2",
                             code="declaration")
        number, symbol, power = match.groups()
        times = int(power or 1)
        if number is not None:
            coefficient *= int(number) ** times
        else:
            symbols.extend([symbol] * times)
    if coefficient < 1:
        raise ParseError(f"a dimension must be positive, not {text.strip()!r}", code="declaration")
    return Dim(coefficient, tuple(sorted(symbols)))


def parse_shape(text: str | list[str] | tuple[str, ...]) -> Shape:
    """``"n,1"``, ``"n×1"``, ``"n x 1"``, ``["n", "1"]`` or a single ``"n"`` (a column)."""
    if isinstance(text, list | tuple):
        parts = [str(part) for part in text]
    else:
        parts = [part for part in re.split(r"\s*(?:,|×|\bx\b|\bby\b)\s*", text.strip()) if part]
    if len(parts) == 1:
        parts.append("1")
    if len(parts) != 2:
        raise ParseError(f"can't read the shape {text!r}: write rows,cols such as n,1 or m,n",
                         code="declaration")
    return Shape(_dim(parts[0]), _dim(parts[1]))


def echo(text: str, declarations: Declarations, expected: Shape | None = None) -> dict[str, Any]:
    """The reading of ``text`` as JSON-ready data: ``valid``, ``ascii``, ``latex``, ``shape``,
    ``shape_described``, ``notes`` (messages) split into ``stripped`` and ``flagged`` (each with
    its span in the text as typed), and on failure ``error`` (the message with its caret lines,
    as the command line prints it), ``message``, ``caret``, ``position``, ``end``."""
    result: dict[str, Any] = {
        "valid": False, "ascii": None, "latex": None, "shape": None, "shape_described": None,
        "notes": [], "stripped": [], "flagged": [], "error": None, "message": None, "caret": None,
        "position": None, "end": None,
    }
    if expected is not None:
        result["expected"] = expected.as_strings()
        result["expected_described"] = expected.describe()
    try:
        reading = read(text, declarations, expected=expected)
    except ParseError as problem:
        result.update(error=str(problem), message=problem.message, caret=problem.caret or None,
                      position=problem.position, end=problem.end)
        return result
    tree = reading.tree
    shape = tree.typed_shape
    result.update(valid=True, ascii=print_ascii(tree), latex=print_latex(tree),
                  shape=shape.as_strings(), shape_described=shape.describe(),
                  notes=list(reading.messages))
    for note in reading.notes:
        entry = {"message": note.message, "span": list(note.span) if note.span else None}
        result["stripped" if note.kind == "stripped" else "flagged"].append(entry)
    return result
