"""The grading pipeline for one answer: read it, check its shape, test equivalence, diagnose.

Each step can end the check with its own outcome: *invalid* (unreadable; no penalty), *wrong
shape*, *incorrect* (with a named mistake where one matches), *correct*, or *undecided* (too few
points found inside the key's domain, or values past the evaluation caps; the time and memory
caps of a grading run are enforced by :mod:`grader.pool`).  Every answer gets a verdict: nothing
the evaluation meets escapes as an exception.  A numeric exercise's answer is compared with the
key at the exercise's stated values instead of random points (:mod:`grader.numeric`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from grader.diagnosis import Diagnosis, diagnose, transpose_feedback
from grader.equivalence import identity_test
from grader.errors import ParseError
from grader.evaluation import DomainError, EvaluationLimitError, Mat, Point, evaluate
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.limits import DEFAULT_LIMITS, Limits
from grader.language.parser import parse, parse_declarations, read
from grader.language.printing import print_ascii, print_latex
from grader.numeric import entry_test, same_values, test_at_values
from grader.verdict import CheckOptions, Interpretation, Layout, Mistake, Verdict


@functools.lru_cache(maxsize=2048)
def parse_key(expected: str, declarations: Declarations, limits: Limits = DEFAULT_LIMITS) -> n.Node:
    """Keys are parsed once per process: a class run checks the same key many times."""
    return parse(expected, declarations, limits=limits)


def check(
    expected: str | n.Node,
    answer: str,
    given: str | Declarations,
    *,
    layout: Layout | None = None,
    options: CheckOptions | None = None,
) -> Verdict:
    """Grade ``answer`` against the key ``expected``, in this process.

    A malformed key or declaration list is the author's error and raises :class:`ParseError`;
    anything wrong with the answer is a verdict.
    """
    options = options or CheckOptions()
    declarations = given if isinstance(given, Declarations) else parse_declarations(given)
    key = expected if isinstance(expected, n.Node) else parse_key(expected, declarations)
    expected_shape = key.typed_shape
    try:
        answer_reading = read(answer, declarations, expected=expected_shape)
    except ParseError as problem:
        return Verdict("invalid", 0.0, expected_shape, None, problem.code, str(problem), None,
                       "could not be read")
    tree = answer_reading.tree
    shape = tree.typed_shape
    seen = Interpretation(print_ascii(tree), print_latex(tree), answer_reading.messages)

    def verdict(status: str, score: float, note: str | None, feedback: str, method: str,
                wrong: tuple[tuple[int, int], ...] = ()) -> Verdict:
        return Verdict(status, score, expected_shape, shape, note, feedback, seen,  # type: ignore[arg-type]
                       method, wrong)

    mistakes = _parse_mistakes(options.mistakes, declarations)
    shapes_differ = shape != expected_shape and not (shape.is_scalar and expected_shape.is_scalar)
    if shapes_differ and shape != expected_shape.transposed and not any(
        tree_.typed_shape == shape for _, tree_ in mistakes
    ):  # nothing to diagnose from values: don't evaluate at all
        return verdict("wrong_shape", 0.0, None,
                       f"Your answer is {shape.describe()} but the answer is "
                       f"{expected_shape.describe()}.", "shape check")
    stated = bool(options.values)
    try:
        if stated:
            outcome, points, key_values, answer_values = test_at_values(
                key, tree, declarations, options.values)
        else:
            outcome, points, key_values, answer_values = identity_test(
                key, tree, declarations, points=options.points, max_tries=options.max_tries,
                seed=options.seed,
            )
    except (ArithmeticError, RecursionError) as problem:  # a cap the evaluator did not foresee
        return verdict("undecided", 0.0, "evaluation_limit", _UNDECIDED["limit"],
                       f"evaluation stopped: {type(problem).__name__}")
    # Entries match exactly, to the digits computed, or (at stated values) within the stated
    # tolerance.
    same_entry = entry_test(points.exact, points.digits, stated)

    def diagnosis() -> Diagnosis | None:
        if not options.diagnose:
            return None
        try:
            return diagnose(key, tree, declarations, points, key_values, answer_values,
                            mistakes, layout, same=same_values(same_entry) if stated else None,
                            stated=stated)
        except (ArithmeticError, RecursionError):  # a rewritten tree past a cap: no diagnosis
            return None

    if shapes_differ:
        found = diagnosis()
        if found is not None and found.note == "transpose":
            return verdict("wrong_shape", 0.0, "transpose",
                           f"Your answer is {shape} but the answer is {expected_shape}. "
                           + transpose_feedback(layout), outcome.method)
        if found is not None and found.note not in ("missing_term", "extra_term"):
            return verdict("wrong_shape", 0.0, found.note,
                           f"Your answer is {shape} but the answer is {expected_shape}. "
                           + found.feedback, outcome.method)
        return verdict("wrong_shape", 0.0, None,
                       f"Your answer is {shape.describe()} but the answer is "
                       f"{expected_shape.describe()}.", "shape check")
    if outcome.equal is None:
        reason = outcome.reason or "domain"
        return verdict("undecided", 0.0, _UNDECIDED_NOTE[reason], _UNDECIDED[reason],
                       outcome.method)
    if outcome.equal:
        return verdict("correct", 1.0, None, "Correct.", outcome.method)
    found = diagnosis()
    if outcome.witness is not None and (found is None or not found.listed):
        found = Diagnosis(found.note if found is not None else "domain", _domain_feedback(
            tree, declarations, points.points[outcome.witness], exact=points.exact,
            digits=points.digits, extra=found.feedback if found is not None else None,
            stated=stated))
    if isinstance(key, n.Matrix) or isinstance(tree, n.Matrix) or (
            stated and not expected_shape.is_scalar):
        wrong = _wrong_entries(key_values, answer_values, same_entry)
        if outcome.witness is not None:  # undefined entries are wrong too
            wrong = sorted(set(wrong) | _undefined_entries(tree, points.points, answer_values,
                                                            points.exact, points.digits))
        total = expected_shape.rows.coefficient * expected_shape.cols.coefficient
        score = (total - len(wrong)) / total if options.partial_credit and total else 0.0
        listed = ", ".join(f"({i + 1}, {j + 1})" for i, j in wrong)
        plural = "entries" if len(wrong) > 1 else "entry"
        text = f"The {plural} at {listed} {'are' if len(wrong) > 1 else 'is'} wrong."
        if found is not None:
            text = f"{found.feedback} {text}"
        return verdict("incorrect", score, found.note if found else "wrong_entries", text,
                       f"entry by entry; {outcome.method}",
                       tuple((i + 1, j + 1) for i, j in wrong))
    if found is not None:
        return verdict("incorrect", 0.0, found.note, found.feedback, outcome.method)
    return verdict("incorrect", 0.0, None, "Incorrect.", outcome.method)


def _wrong_entries(
    key_values: list[Mat | None], answer_values: list[Mat | None],
    same_entry: Callable[[Any, Any], bool],
) -> list[tuple[int, int]]:
    wrong: set[tuple[int, int]] = set()
    for k, a in zip(key_values, answer_values, strict=True):
        if k is None or a is None:
            continue
        for i in range(k.rows):
            for j in range(k.cols):
                if not same_entry(a.at(i, j), k.at(i, j)):
                    wrong.add((i, j))
    return sorted(wrong)


def _undefined_entries(answer: n.Node, points: list[Point], answer_values: list[Mat | None],
                       exact: bool, digits: int) -> set[tuple[int, int]]:
    """The entries of an explicit matrix undefined at some point where the whole is; every
    entry when the answer is not written entry by entry."""
    shape = answer.typed_shape
    everything = {(i, j) for i in range(shape.rows.coefficient)
                  for j in range(shape.cols.coefficient)}
    if not isinstance(answer, n.Matrix):
        return everything
    found: set[tuple[int, int]] = set()
    for point, value in zip(points, answer_values, strict=True):
        if value is not None:
            continue
        for i, row in enumerate(answer.rows):
            for j, entry in enumerate(row):
                try:
                    evaluate(entry, point, exact=exact, digits=digits)
                except EvaluationLimitError:
                    continue
                except DomainError:
                    found.add((i, j))
    return found or everything


def _parse_mistakes(
    mistakes: tuple[Mistake, ...], declarations: Declarations
) -> list[tuple[Mistake, n.Node]]:
    parsed = []
    for mistake in mistakes:
        try:
            parsed.append((mistake, parse_key(mistake.answer, declarations)))
        except ParseError:
            continue  # a listed mistake that does not parse can never match
    return parsed


_UNDECIDED = {
    "domain": "Your answer could not be checked: too few test points were found inside the "
              "domain of the expected answer's functions. It was not marked.",
    "limit": "Your answer could not be checked: its values, or the expected answer's, are too "
             "large or too sensitive to rounding to compute at enough test points. It was not "
             "marked.",
}

_UNDECIDED_NOTE = {"domain": "outside_domain", "limit": "evaluation_limit"}


def _domain_feedback(answer: n.Node, declarations: Declarations, point: Point, *, exact: bool,
                     digits: int, extra: str | None, stated: bool = False) -> str:
    """Where the answer is undefined though the key is defined, from a witness point (the
    stated values of a numeric exercise, when it has them)."""
    where = None
    try:
        evaluate(answer, point, exact=exact, digits=digits)
    except EvaluationLimitError:
        pass
    except DomainError as problem:
        where = problem.where
    if stated:
        text = "Your answer is undefined at the stated values"
        if where:
            text += f", where {where}"
    else:
        text = "Your answer is undefined at points where the expected answer is defined"
        if where:
            text += f", for example where {where}"
            shown = _show_point(point, declarations)
            if shown:
                text += f" (such as {shown})"
    text += "."
    return f"{text} {extra}" if extra else text


def _show_point(point: Point, declarations: Declarations) -> str:
    """A scalar point's values, rounded for reading; empty when it holds matrices or many."""
    if len(point.values) > 3 or any(not v.is_scalar for v in point.values.values()):
        return ""
    return ", ".join(f"{name} ≈ {float(value.value):.3g}" for name, value in point.values.items())
