"""How a verdict is shown to a student: a plain record the page templates read, built from a
:class:`grader.verdict.Verdict` and the answer as typed.  No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass

from grader.errors import ParseError
from grader.language import nodes as n
from grader.language.parser import parse
from grader.language.printing import print_latex
from grader.verdict import Verdict
from web import entries

#: What each status is called on the page.
STATUS_LABELS = {
    "correct": "Correct",
    "incorrect": "Not correct",
    "wrong_shape": "Wrong shape",
    "invalid": "Could not be read",
    "undecided": "Could not be decided",
}

#: Names of the grader's diagnoses; a listed mistake's own note is shown with its underscores
#: as spaces.
DIAGNOSES = {
    "transpose": "transposed: the other layout",
    "layout": "transposed: the other layout",
    "other_layout": "transposed: the other layout",
    "layout_swapped": "transposed: the other layout",
    "scalar_multiple": "a constant multiple of the answer",
    "sign": "the sign is wrong",
    "missing_term": "a term is missing",
    "missing_term_in_argument": "a term is missing inside a function",
    "extra_term": "an extra term",
    "assumed_symmetric": "right only if the matrix were symmetric",
    "elementwise_vs_matrix_product": "element-wise and matrix products confused",
    "domain": "undefined where the answer is defined",
    "wrong_entries": "some entries are wrong",
    "outside_domain": "outside the functions' domain",
    "evaluation_limit": "too large to evaluate",
}



@dataclass(frozen=True)
class VerdictView:
    status: str
    label: str
    feedback: str
    #: An unreadable answer's caret lines (the answer with ``^`` under the place), or None.
    caret: str | None
    #: The diagnosis, named for a student; None when there is none.
    diagnosis: str | None
    #: LaTeX of the answer as read (never simplified).
    reading_latex: str | None
    answer_shape: str | None
    expected_shape: str | None
    #: 1-based (row, column) of wrong entries of an explicit matrix answer.
    wrong_entries: tuple[tuple[int, int], ...]
    #: The answer's matrix with the wrong entries boxed, as LaTeX; None if there are none.
    grid_latex: str | None

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def view(verdict: Verdict, answer: str, given: str) -> VerdictView:
    """What the page shows of ``verdict`` on ``answer`` (to an exercise declaring ``given``)."""
    wrong = wrong_entries(verdict.feedback) if verdict.status == "incorrect" else ()
    note = verdict.note
    diagnosed = note is not None and verdict.status in ("incorrect", "wrong_shape")
    diagnosis = DIAGNOSES.get(note, note.replace("_", " ")) if diagnosed and note else None
    feedback, caret = verdict.feedback, None
    if verdict.status == "invalid" and "\n" in feedback:  # the message, then its caret lines
        feedback, caret = feedback.split("\n", 1)
    return VerdictView(
        status=verdict.status, label=STATUS_LABELS.get(verdict.status, verdict.status),
        feedback=feedback, caret=caret, diagnosis=diagnosis,
        reading_latex=None if verdict.interpreted_as is None else verdict.interpreted_as.latex,
        answer_shape=None if verdict.answer_shape is None else verdict.answer_shape.describe(),
        expected_shape=(None if verdict.expected_shape is None
                        else verdict.expected_shape.describe()),
        wrong_entries=wrong, grid_latex=marked_grid(answer, given, wrong) if wrong else None)


def wrong_entries(feedback: str) -> tuple[tuple[int, int], ...]:
    """The wrong entries the grader's feedback names, 1-based, in order (read by
    :func:`web.entries.wrong_entries`, which the assignment pages use too)."""
    return tuple(sorted(entries.wrong_entries({"feedback": feedback})))


def marked_grid(answer: str, given: str, wrong: tuple[tuple[int, int], ...]) -> str | None:
    """The explicit matrix ``answer`` as a bmatrix with each wrong entry boxed (a frame, so
    that colour is not the only sign); None if the answer is not an explicit matrix."""
    try:
        tree = parse(answer, given)
    except ParseError:
        return None
    if not isinstance(tree, n.Matrix):
        return None
    marked = set(wrong)
    rows = []
    for i, row in enumerate(tree.rows, start=1):
        cells = []
        for j, entry in enumerate(row, start=1):
            latex = print_latex(entry)
            cells.append(rf"\boxed{{{latex}}}" if (i, j) in marked else latex)
        rows.append(" & ".join(cells))
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"
