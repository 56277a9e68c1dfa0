"""How a verdict is shown to a student: a plain record the page templates read, built from a
:class:`grader.verdict.Verdict` (practice) or its stored record (assignments) and the answer as
typed.  Both pages show a verdict alike.  No HTTP here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.errors import ParseError
from grader.language import nodes as n
from grader.language.echo import parse_shape
from grader.language.parser import parse
from grader.language.printing import print_latex
from grader.verdict import Verdict

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

#: The grader's sentence naming an explicit matrix's wrong entries, and each (row, column).
_WRONG_SENTENCE = re.compile(
    r"The entr(?:y|ies) at ((?:\(\d+, \d+\)(?:, )?)+) (?:is|are) wrong\.")
_PAIR = re.compile(r"\((\d+), (\d+)\)")


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
    #: ``n×1 (column vector)``; None when the answer could not be read.
    answer_shape: str | None
    expected_shape: str | None
    #: 1-based (row, column) of wrong entries of an explicit matrix answer.
    wrong_entries: tuple[tuple[int, int], ...]
    #: The answer's matrix with the wrong entries boxed, as LaTeX; None if there are none.
    grid_latex: str | None

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def view(verdict: Verdict | Mapping[str, Any], answer: str, given: str) -> VerdictView:
    """What a page shows of ``verdict`` (or its stored record, :meth:`Verdict.to_json`) on
    ``answer`` to an exercise declaring ``given``."""
    record = verdict.to_json() if isinstance(verdict, Verdict) else verdict
    status = str(record.get("status"))
    feedback, caret = str(record.get("feedback") or ""), None
    wrong = _wrong(record, feedback) if status == "incorrect" else ()
    note = record.get("note")
    diagnosis = None
    if isinstance(note, str) and note and status in ("incorrect", "wrong_shape"):
        diagnosis = DIAGNOSES.get(note, note.replace("_", " "))
    if status == "invalid" and "\n" in feedback:  # the message, then its caret lines
        feedback, caret = feedback.split("\n", 1)
    reading = record.get("interpreted_as")
    return VerdictView(
        status=status, label=STATUS_LABELS.get(status, status),
        feedback=feedback, caret=caret, diagnosis=diagnosis,
        reading_latex=reading.get("latex") if isinstance(reading, Mapping) else None,
        answer_shape=_described(record.get("answer_shape")),
        expected_shape=_described(record.get("expected_shape")),
        wrong_entries=wrong, grid_latex=marked_grid(answer, given, wrong) if wrong else None)


def _described(shape: Any) -> str | None:
    try:
        return parse_shape(shape).describe() if shape else None
    except (ParseError, TypeError, ValueError):
        return None


def _wrong(record: Mapping[str, Any], feedback: str) -> tuple[tuple[int, int], ...]:
    """The verdict's wrong entries; from its feedback sentence for verdicts stored before the
    verdict named them."""
    listed = record.get("wrong_entries")
    if isinstance(listed, list | tuple):
        pairs = {(int(pair[0]), int(pair[1])) for pair in listed
                 if isinstance(pair, list | tuple) and len(pair) == 2}
        return tuple(sorted(pairs))
    return wrong_entries(feedback)


def wrong_entries(feedback: str) -> tuple[tuple[int, int], ...]:
    """The wrong entries the grader's feedback names ("The entries at (1, 2), (2, 1) are
    wrong."), 1-based, in order; empty when it names none."""
    found = _WRONG_SENTENCE.search(feedback)
    if found is None:
        return ()
    return tuple(sorted({(int(i), int(j)) for i, j in _PAIR.findall(found.group(1))}))


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
