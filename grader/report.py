"""What a grading run records per student: a JSON report (every verdict field) and the same
feedback as Markdown for the student to read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from grader.verdict import Verdict

#: A question's outcome: a verdict's status, or ``missing`` when nothing gradable was given.
QuestionStatus = Literal["correct", "incorrect", "wrong_shape", "invalid", "undecided", "missing"]
ReportStatus = Literal["graded", "rejected"]
FORMAT = "matcalc-report/1"

_HEADLINES = {
    "correct": "Correct",
    "incorrect": "Not correct",
    "wrong_shape": "Wrong shape",
    "invalid": "Could not be read",
    "undecided": "Could not be decided",
    "missing": "No answer",
}


@dataclass(frozen=True)
class QuestionResult:
    id: str
    title: str
    answer: str | None
    status: QuestionStatus
    score: float
    max_score: float
    feedback: str
    #: Every field of the grader's verdict (``Verdict.to_json``); ``None`` if not graded.
    verdict: dict[str, Any] | None = None

    @staticmethod
    def graded(id: str, title: str, answer: str, verdict: Verdict,
               max_score: float = 1.0) -> QuestionResult:
        return QuestionResult(id, title, answer, verdict.status, verdict.score * max_score,
                              max_score, verdict.feedback, verdict.to_json())

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "answer": self.answer,
                "status": self.status, "score": self.score, "max_score": self.max_score,
                "feedback": self.feedback, "verdict": self.verdict}

    @staticmethod
    def from_json(record: dict[str, Any]) -> QuestionResult:
        return QuestionResult(str(record["id"]), str(record["title"]), record["answer"],
                              record["status"], float(record["score"]),
                              float(record["max_score"]), str(record["feedback"]),
                              record["verdict"])


@dataclass(frozen=True)
class StudentReport:
    """One submission's outcome.  ``rejected`` means it could not be read or matched to a
    student: ``problems`` says why and no question was graded."""

    source: str  # the submission file
    #: Who submitted: the variant's id, or with a one-variant set the id the submission gives
    #: (or its file name).  ``None`` when unknown.
    student: str | None
    name: str
    status: ReportStatus
    questions: tuple[QuestionResult, ...]
    problems: tuple[str, ...]
    #: SHA-256 of the set, the grading options and the submission's bytes: a resumed run
    #: reuses a report only when all three are unchanged.
    digest: str
    variant: str | None = None

    @property
    def score(self) -> float:
        return sum(q.score for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(q.max_score for q in self.questions)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "source": self.source, "student": self.student,
                "name": self.name, "status": self.status, "score": self.score,
                "max_score": self.max_score, "problems": list(self.problems),
                "questions": [q.to_json() for q in self.questions], "digest": self.digest,
                "variant": self.variant}

    @staticmethod
    def from_json(record: dict[str, Any]) -> StudentReport:
        if record.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} report")
        return StudentReport(str(record["source"]), record["student"], str(record["name"]),
                             record["status"],
                             tuple(QuestionResult.from_json(q) for q in record["questions"]),
                             tuple(str(p) for p in record["problems"]), str(record["digest"]),
                             record.get("variant"))


def question_markdown(question: QuestionResult) -> str:
    """One question's feedback: status, what was read, what is wrong, in student terms."""
    lines = [f"**{_HEADLINES[question.status]}** ({_points(question.score)} of "
             f"{_points(question.max_score)})", ""]
    if question.answer is not None:
        lines += ["Your answer:", "", _code_block(question.answer), ""]
    verdict = question.verdict or {}
    read = verdict.get("interpreted_as")
    if read:
        lines += [f"Read as: `{_inline(read['ascii'])}`", ""]
        for message in read.get("notes", ()):
            lines += [f"Note: {plain(message)}", ""]
    if verdict.get("answer_shape") and verdict.get("expected_shape"):
        shown, expected = verdict["answer_shape"], verdict["expected_shape"]
        if shown != expected:
            lines += [f"Shape: {'×'.join(shown)}, expected {'×'.join(expected)}", ""]
    first, _, rest = question.feedback.partition("\n")
    lines.append(plain(first))
    if rest.strip():  # a parse error's quoted text and caret: keep their columns
        lines += ["", _code_block(rest.rstrip())]
    return "\n".join(lines).rstrip() + "\n"


def markdown(report: StudentReport, title: str) -> str:
    """The whole report as Markdown, for the student."""
    who = report.name or report.student or report.source
    lines = [f"# {plain(title)}: feedback for {plain(who)}", ""]
    if report.student:
        lines.append(f"Student id: `{_inline(report.student)}`  ")
    lines.append(f"Submission: `{_inline(report.source)}`")
    lines.append("")
    if report.status == "rejected":
        lines += ["**Your submission could not be graded.**", ""]
    else:
        lines += [f"**Score: {_points(report.score)} / {_points(report.max_score)}**", ""]
    if report.problems:
        lines += ["Problems with the file:", ""]
        lines += [f"- {plain(p)}" for p in report.problems]
        lines.append("")
    for question in report.questions:
        lines += [f"## {plain(question.title)}", "", question_markdown(question)]
    return "\n".join(lines).rstrip() + "\n"


def _points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def plain(text: str) -> str:
    """Student or instructor text in Markdown: no raw HTML, no accidental markup."""
    text = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for special in "`*_[]#|":
        text = text.replace(special, "\\" + special)
    return " ".join(text.split())


def _inline(text: str) -> str:
    """Text inside an inline code span (which can't hold a backtick or a line break)."""
    return " ".join(text.replace("`", "'").split())


def _code_block(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}\n{text}\n{fence}"
