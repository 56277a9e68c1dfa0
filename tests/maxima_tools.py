"""Real Maxima as an independent evaluator: many expressions in one batch process.

Maxima starts slowly, so a test gathers its expressions as :class:`Case` objects (Maxima text and
the values to bind its names to) and runs them all with :func:`run_maxima`.  Exact cases are
evaluated in Maxima's rational arithmetic and come back as ``Fraction``s; the others are bound to
60-digit bigfloats and come back as ``mpmath.mpf``.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from grader.evaluation import DomainError, Mat, Point, evaluate, is_exact
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.sampling import Regime, sample_point, size_assignments

requires_maxima = pytest.mark.skipif(
    shutil.which("maxima") is None, reason="Maxima is not installed (apt-get install maxima)")

#: Relative tolerance (against max(1, |value|)) between Maxima's bigfloats and our 50 digits.
FLOAT_TOLERANCE = mpmath.mpf(10) ** -20
_MARK = "MATCALC-RESULT"
_SETUP = "display2d: false$ linel: 100000$ fpprec: 60$ load(linearalgebra)$\n"


@dataclass(frozen=True)
class Case:
    """An expression in Maxima syntax, with Maxima text for the value of each name in it."""

    expression: str
    bindings: tuple[tuple[str, str], ...]
    exact: bool


@dataclass(frozen=True)
class Outcome:
    """Maxima's value as rows of numbers (a scalar is 1×1), or the text it gave instead."""

    rows: list[list[Fraction | mpmath.mpf]] | None
    text: str


def maxima_number(value: Fraction | int) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else \
        f"{value.numerator}/{value.denominator}"


def maxima_matrix(value: Mat) -> str:
    if value.is_scalar:
        return maxima_number(value.value)
    rows = ", ".join("[" + ", ".join(maxima_number(v) for v in row) + "]"
                     for row in value.entries())
    return f"matrix({rows})"


def case_for(expression: str, point: Point, exact: bool) -> Case:
    bindings = tuple((name, maxima_matrix(value) if exact else f"bfloat({maxima_matrix(value)})")
                     for name, value in sorted(point.values.items()))
    return Case(expression, bindings, exact)


def _statement(index: int, case: Case) -> str:
    body = case.expression if case.exact else f"bfloat({case.expression})"
    if case.bindings:
        names = ", ".join(f"{name}: {value}" for name, value in case.bindings)
        body = f"block([{names}], {body})"
    return f'printf(true, "~%{_MARK} ~d ~a~%", {index}, string(errcatch({body})))$\n'


def run_maxima(cases: Sequence[Case], timeout: float = 300) -> list[Outcome]:
    """Every case evaluated by one Maxima process, in order."""
    script = _SETUP + "".join(_statement(i, case) for i, case in enumerate(cases))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "cases.mac"
        path.write_text(script, "utf-8")
        finished = subprocess.run(
            ["maxima", "--very-quiet", f"--batch-string=batchload(\"{path}\")$"],
            capture_output=True, text=True, timeout=timeout, check=False)
    found: dict[int, str] = {}
    for line in finished.stdout.splitlines():
        if line.startswith(_MARK + " "):
            _, index, text = line.split(" ", 2)
            found[int(index)] = text.strip()
    outcomes = []
    for i, case in enumerate(cases):
        if i not in found:
            outcomes.append(Outcome(None, f"no output (stderr: {finished.stderr[-500:]})"))
            continue
        outcomes.append(Outcome(_parse_value(found[i], case.exact), found[i]))
    return outcomes


def _parse_value(text: str, exact: bool) -> list[list[Fraction | mpmath.mpf]] | None:
    """``[value]`` from errcatch; ``[]`` (an error) or anything not numeric gives None."""
    if not (text.startswith("[") and text.endswith("]")) or text == "[]":
        return None
    inner = text[1:-1]
    try:
        if inner.startswith("matrix(") and inner.endswith(")"):
            rows = re.findall(r"\[([^\[\]]*)\]", inner[len("matrix("):-1])
            return [[_number(entry, exact) for entry in row.split(",")] for row in rows]
        return [[_number(inner, exact)]]
    except (ValueError, ZeroDivisionError):
        return None


_BIGFLOAT = re.compile(r"^-?\d+(\.\d*)?b[-+]?\d+$")


def _number(text: str, exact: bool) -> Fraction | mpmath.mpf:
    text = text.strip()
    if exact:
        return Fraction(text)
    if not _BIGFLOAT.match(text):
        raise ValueError(f"not a bigfloat: {text}")
    with mpmath.workdps(60):
        return mpmath.mpf(text.replace("b", "e"))


def agrees(ours: Mat, theirs: Outcome, exact: bool) -> bool:
    """Same shape and the same numbers (exactly, or to :data:`FLOAT_TOLERANCE`)."""
    if theirs.rows is None or len(theirs.rows) != ours.rows:
        return False
    if any(len(row) != ours.cols for row in theirs.rows):
        return False
    for mine, other in zip(ours.data, (v for row in theirs.rows for v in row), strict=True):
        if exact:
            if Fraction(mine) != other:
                return False
        else:
            with mpmath.workdps(60):
                reference = mpmath.mpf(mine) if not isinstance(mine, Fraction) else \
                    mpmath.mpf(mine.numerator) / mine.denominator
                if abs(reference - other) > FLOAT_TOLERANCE * max(1, abs(reference)):
                    return False
    return True


def sample(tree: n.Node, declarations: Declarations, rng: random.Random,
           tries: int = 40) -> tuple[Point, Mat, bool] | None:
    """A point where ``tree`` is defined (rational values with small denominators for exact
    trees; non-integer rationals, signed then positive, for the others), and its value there."""
    exact = is_exact(tree)
    sizes = size_assignments(declarations.dim_symbols, 1, rng)[0]
    for attempt in range(tries):
        regime = Regime(exact=exact, positive=attempt >= tries // 2, scale=5 if exact else 0)
        point = sample_point(declarations, sizes, regime, rng)
        try:
            return point, evaluate(tree, point, exact=exact), exact
        except (DomainError, ValueError, ZeroDivisionError):
            continue
    return None
