"""Which entries of an explicit-matrix answer were wrong, for highlighting them on the page.

The grader's verdict names them (``wrong_entries``: 1-based ``[row, column]`` pairs, or, in its
feedback, "The entries at (1, 2), (2, 1) are wrong.").  The answer is read by the answer
language's parser (never evaluated) to lay its entries out as a grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from grader.errors import MatcalcError
from grader.language import nodes, parse, print_latex

_SENTENCE = re.compile(r"The entr(?:y|ies) at ((?:\(\d+, \d+\)(?:, )?)+) (?:is|are) wrong\.")
_PAIR = re.compile(r"\((\d+), (\d+)\)")


@dataclass(frozen=True)
class Cell:
    latex: str
    wrong: bool


def wrong_entries(verdict: dict[str, Any]) -> set[tuple[int, int]]:
    """1-based (row, column) of each entry the verdict calls wrong; empty when it names none."""
    listed = verdict.get("wrong_entries")
    if isinstance(listed, list):
        return {(int(pair[0]), int(pair[1])) for pair in listed
                if isinstance(pair, list | tuple) and len(pair) == 2}
    found = _SENTENCE.search(str(verdict.get("feedback") or ""))
    if found is None:
        return set()
    return {(int(i), int(j)) for i, j in _PAIR.findall(found.group(1))}


def grid(answer: str, given: str, wrong: set[tuple[int, int]]) -> list[list[Cell]] | None:
    """The answer's entries as LaTeX, row by row, each marked wrong or not; None when the
    answer is not an explicit matrix or nothing is wrong."""
    if not wrong:
        return None
    try:
        tree = parse(answer, given)
    except MatcalcError:
        return None
    if not isinstance(tree, nodes.Matrix):
        return None
    return [[Cell(print_latex(entry), (i + 1, j + 1) in wrong) for j, entry in enumerate(row)]
            for i, row in enumerate(tree.rows)]
