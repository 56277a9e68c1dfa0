"""What a check returns, and what it can be asked to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from grader.language.shapes import Shape

Status = Literal["correct", "incorrect", "wrong_shape", "invalid", "undecided"]
Layout = Literal["numerator", "denominator"]


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer listed with an exercise: matched answers get its note and feedback."""

    answer: str
    note: str
    feedback: str


@dataclass(frozen=True)
class Interpretation:
    """How the answer was read, echoed back to the student."""

    ascii: str
    latex: str
    #: Choices the reader made that the student should see: wrappers ignored, ``xy`` read as
    #: ``x y``, a function without parentheses, a bracket of products.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckOptions:
    #: Agreeing points needed to accept (more make a false accept less likely).
    points: int = 4
    #: Points drawn at most while looking for points inside every function's domain.
    max_tries: int = 40
    #: Explicit matrices: score the fraction of entries right instead of all or nothing.
    partial_credit: bool = False
    #: Seed of the test points (a fixed seed makes verdicts reproducible).
    seed: int = 0
    #: Typical wrong answers of the exercise, tried when an answer is wrong.
    mistakes: tuple[Mistake, ...] = field(default=())
    #: Whether to look for a known mistake when an answer is wrong.
    diagnose: bool = True
    #: A numeric exercise's stated values, (name, matrix in the answer language): the answer is
    #: judged by its value there (see :mod:`grader.numeric`), not by identity testing.
    values: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class Verdict:
    status: Status
    score: float
    expected_shape: Shape | None
    answer_shape: Shape | None
    #: A stable machine code (``transpose``, ``scalar_multiple``, ``sign``, ``missing_term``,
    #: ``missing_term_in_argument``, ``extra_term``, ``assumed_symmetric``,
    #: ``elementwise_vs_matrix_product``, ``domain`` (undefined where the key is defined), a
    #: listed mistake's note; for *undecided*, ``outside_domain`` or ``evaluation_limit``, or a
    #: resource cap's note; or ``None``).
    note: str | None
    #: One or two plain sentences for the student.
    feedback: str
    interpreted_as: Interpretation | None
    #: How it was decided, with the error bound when probabilistic.
    method: str
    #: An explicit-matrix answer's wrong entries, 1-based (row, column), in order; pages mark
    #: them in the answer's grid.  Empty when none are named.
    wrong_entries: tuple[tuple[int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Every field, shapes as lists of strings (``["n", "1"]``)."""
        return {
            "status": self.status,
            "score": self.score,
            "expected_shape": _shape(self.expected_shape),
            "answer_shape": _shape(self.answer_shape),
            "note": self.note,
            "feedback": self.feedback,
            "interpreted_as": None if self.interpreted_as is None else {
                "ascii": self.interpreted_as.ascii, "latex": self.interpreted_as.latex,
                "notes": list(self.interpreted_as.notes),
            },
            "method": self.method,
            "wrong_entries": [list(pair) for pair in self.wrong_entries],
        }


def _shape(shape: Shape | None) -> list[str] | None:
    return None if shape is None else shape.as_strings()
