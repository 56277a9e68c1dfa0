"""Small exercise sets written out by hand, for grading-run tests: the keys are known, each
variant's differ (so a submission graded against the wrong variant shows), and they need no
generator."""

from __future__ import annotations

from grader.exercise_set import Exercise, ExerciseSet, Variant
from grader.verdict import Mistake

SYMMETRIC = Mistake("2 x^T A", "assumed_symmetric", "You assumed A is symmetric.")


def exercise(id: str, given: str, wrt: str, function: str, answer: str, shape: tuple[str, str],
             mistakes: tuple[Mistake, ...] = (), form: str = "symbolic") -> Exercise:
    return Exercise(id=id, family="handmade", difficulty=1, seed=7, layout="numerator",
                    form=form, kind="gradient", given=given, wrt=wrt, function=function,
                    answer=answer, shape=shape, prompt_latex=f"${function}$",
                    answer_latex=answer, steps_latex=(), mistakes=mistakes, sympy=())


def sheet(k: int) -> tuple[Exercise, ...]:
    """Three questions; the second's key depends on ``k``."""
    return (
        exercise("q1", "x[n], A[n,n]", "x", "x^T A x", "x^T (A + A^T)", ("1", "n"),
                 (SYMMETRIC,)),
        exercise("q2", "x[n], w[n], b", "w", f"{k} w^T x + b", f"{k} x^T", ("1", "n")),
        exercise("q3", "x, y", "x, y", "x^2 y", "[2 x y, x^2]", ("1", "2"), form="explicit"),
    )


RIGHT = {"q1": "(A^T x + A x)^T", "q2": "{k} x'", "q3": "[2xy, x^2]"}


def class_set(students: int) -> ExerciseSet:
    variants = tuple(Variant(f"s{i:03d}", 1000 + i, sheet(i + 2), f"Student {i}",
                             f"s{i:03d}@uni.example") for i in range(students))
    return ExerciseSet(seed=1, layout="numerator", variants=variants, title="Test class")


def one_sheet() -> ExerciseSet:
    return ExerciseSet(seed=1, layout="numerator", variants=(Variant("v1", 1, sheet(3)),),
                       title="Test class")


def right_answers(k: int) -> dict[str, str]:
    return {q: text.format(k=k) for q, text in RIGHT.items()}


def submission_text(student: str | None, answers: dict[str, str]) -> str:
    lines = [f"student: {student}"] if student else []
    lines += [f"{q}: {a}" for q, a in answers.items()]
    return "\n".join(lines) + "\n"
