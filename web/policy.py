"""Attempt policy and scoring of one question: plain rules, no HTTP and no database.

STACK's rules, made per assignment: an unreadable answer, or one identical to an earlier attempt,
costs nothing; each *valid* wrong attempt (``incorrect``, ``wrong_shape``) lowers what later
attempts can earn by ``penalty``; the best attempt counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from grader.errors import MatcalcError

Feedback = Literal["immediate", "after_due"]
FEEDBACK: tuple[Feedback, ...] = ("immediate", "after_due")

#: Statuses of a valid wrong attempt: the ones that cost a penalty.
PENALISED = frozenset({"incorrect", "wrong_shape"})


class PolicyError(MatcalcError):
    """An attempt policy that makes no sense (a negative penalty, zero attempts)."""


@dataclass(frozen=True)
class Policy:
    #: Attempts a question allows (unreadable and repeated answers are free); None: no limit.
    max_attempts: int | None = None
    #: Fraction of the question's worth each valid wrong attempt takes off later attempts.
    penalty: float = 0.0
    due_at: datetime | None = None
    #: Verdicts and feedback shown at once, or only after the due date (exams).
    feedback: Feedback = "immediate"
    #: Show the question's answer shape beside the student's: off by default, since it gives
    #: away wrong-shape answers and, in layout exercises, the answer itself.
    show_expected_shape: bool = False

    def __post_init__(self) -> None:
        if self.max_attempts is not None and self.max_attempts < 1:
            raise PolicyError(f"maximum attempts must be at least 1, not {self.max_attempts}")
        if not 0.0 <= self.penalty <= 1.0:
            raise PolicyError(f"the penalty is a fraction between 0 and 1, not {self.penalty}")
        if self.feedback not in FEEDBACK:
            raise PolicyError(f"feedback is released {' or '.join(FEEDBACK)}, "
                              f"not {self.feedback!r}")
        if self.due_at is not None and self.due_at.tzinfo is None:
            raise PolicyError("a due date needs a time zone")


@dataclass(frozen=True)
class Attempt:
    answer: str
    #: The verdict's status, or None while it waits in the grading queue.
    status: str | None = None
    #: The verdict's score (0–1; partial credit possible), or None while waiting.
    score: float | None = None


def _same(answer: str) -> str:
    return " ".join(answer.split())


def charged(attempts: Sequence[Attempt]) -> list[bool]:
    """Whether each attempt uses up one of the allowed attempts: not when it is unreadable or
    repeats an earlier one.  An attempt still waiting for its verdict counts (it may be wrong)."""
    seen: set[str] = set()
    result = []
    for attempt in attempts:
        text = _same(attempt.answer)
        repeat = text in seen
        seen.add(text)
        result.append(not repeat and attempt.status != "invalid")
    return result


def worth(policy: Policy, attempts: Sequence[Attempt]) -> list[float]:
    """What each attempt earns: its score less ``penalty`` per valid wrong attempt before it."""
    values: list[float] = []
    wrong = 0
    for attempt, counts in zip(attempts, charged(attempts), strict=True):
        values.append(max(0.0, (attempt.score or 0.0) * (1.0 - policy.penalty * wrong)))
        if counts and attempt.status in PENALISED:
            wrong += 1
    return values


def question_score(policy: Policy, attempts: Sequence[Attempt],
                   override: float | None = None) -> float:
    """The question's score, 0–1: the instructor's override, else the best attempt."""
    if override is not None:
        return override
    return max(worth(policy, attempts), default=0.0)


def attempts_left(policy: Policy, attempts: Sequence[Attempt]) -> int | None:
    if policy.max_attempts is None:
        return None
    return max(0, policy.max_attempts - sum(charged(attempts)))


def deadline(policy: Policy, extension_until: datetime | None) -> datetime | None:
    """The student's due date: their extension when it is later than the assignment's."""
    if policy.due_at is None:
        return None
    if extension_until is not None and extension_until > policy.due_at:
        return extension_until
    return policy.due_at


def refusal(policy: Policy, attempts: Sequence[Attempt], answer: str, now: datetime,
            extension_until: datetime | None = None) -> str | None:
    """Why a new attempt can't be taken, or None when it can.  A repeat of an earlier answer is
    taken (and costs nothing) even when no attempts are left."""
    due = deadline(policy, extension_until)
    if due is not None and now > due:
        return f"the due date has passed ({due:%Y-%m-%d %H:%M} UTC)"
    repeat = any(_same(attempt.answer) == _same(answer) for attempt in attempts)
    left = attempts_left(policy, attempts)
    if left == 0 and not repeat:
        return f"no attempts left (this question allows {policy.max_attempts})"
    if any(attempt.status is None for attempt in attempts):
        return "the previous attempt is still being graded"
    return None


def feedback_released(policy: Policy, now: datetime,
                      extension_until: datetime | None = None) -> bool:
    """Whether verdicts may be shown now.  With feedback after the due date, a student with an
    extension sees nothing until their own due date has passed."""
    if policy.feedback == "immediate":
        return True
    due = deadline(policy, extension_until)
    return due is not None and now > due
