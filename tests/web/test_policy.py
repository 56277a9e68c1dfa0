"""Attempt policy: what each attempt costs and earns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.policy import (
    Attempt,
    Policy,
    PolicyError,
    attempts_left,
    charged,
    feedback_released,
    question_score,
    refusal,
)

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def test_best_attempt_counts_less_the_penalty_per_valid_wrong_attempt() -> None:
    policy = Policy(penalty=0.1)
    attempts = [Attempt("2x", "incorrect", 0.0), Attempt("x^T", "wrong_shape", 0.0),
                Attempt("2 x", "correct", 1.0)]
    assert question_score(policy, attempts) == pytest.approx(0.8)


def test_unreadable_and_repeated_answers_are_free() -> None:
    policy = Policy(penalty=0.25, max_attempts=2)
    attempts = [Attempt("x +", "invalid", 0.0), Attempt("2x", "incorrect", 0.0),
                Attempt(" 2x ", "incorrect", 0.0), Attempt("2 x", "correct", 1.0)]
    assert charged(attempts) == [False, True, False, True]
    assert question_score(policy, attempts) == pytest.approx(0.75)
    assert attempts_left(policy, attempts) == 0
    assert refusal(policy, attempts, "3 x", NOW) is not None
    assert refusal(policy, attempts, "2x", NOW) is None  # a repeat is free


def test_undecided_is_not_penalised() -> None:
    attempts = [Attempt("big", "undecided", 0.0), Attempt("2 x", "correct", 1.0)]
    assert question_score(Policy(penalty=0.5), attempts) == 1.0


def test_due_dates_extensions_and_released_feedback() -> None:
    policy = Policy(due_at=NOW, feedback="after_due")
    later = NOW + timedelta(hours=1)
    assert "due date" in (refusal(policy, [], "x", later) or "")
    assert refusal(policy, [], "x", later, extension_until=NOW + timedelta(days=1)) is None
    assert not feedback_released(policy, NOW - timedelta(hours=1))
    assert feedback_released(policy, later)
    assert not feedback_released(policy, later, NOW + timedelta(days=1))
    assert feedback_released(Policy(), NOW)


def test_pending_attempt_blocks_the_next() -> None:
    assert "being graded" in (refusal(Policy(), [Attempt("x", None, None)], "y", NOW) or "")


def test_override_wins() -> None:
    assert question_score(Policy(), [Attempt("x", "correct", 1.0)], override=0.5) == 0.5


@pytest.mark.parametrize("bad", [dict(max_attempts=0), dict(penalty=-0.1), dict(penalty=2.0),
                                 dict(feedback="never"), dict(due_at=datetime(2026, 1, 1))])
def test_nonsense_policies_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(PolicyError):
        Policy(**bad)  # type: ignore[arg-type]


attempt = st.builds(Attempt, st.sampled_from(["a", "b", "c", "d"]),
                    st.sampled_from(["correct", "incorrect", "wrong_shape", "invalid",
                                     "undecided"]),
                    st.sampled_from([0.0, 0.5, 1.0]))


@given(st.lists(attempt, max_size=8), st.floats(0, 1))
def test_score_is_between_zero_and_the_best_raw_score(attempts: list[Attempt],
                                                      penalty: float) -> None:
    score = question_score(Policy(penalty=penalty), attempts)
    assert 0.0 <= score <= max((a.score or 0.0 for a in attempts), default=0.0)
    assert question_score(Policy(), attempts) >= score  # a penalty never raises a score
