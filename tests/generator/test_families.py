"""Every family × difficulty × form × layout, over many seeds: the answer agrees with central
finite differences, the grader accepts the key (ASCII and LaTeX) and rejects every listed
mistake, and the ``sympy`` srepr fields evaluate to the same numbers."""

from __future__ import annotations

import contextlib
import random
import re

import mpmath
import pytest
import sympy

from generator.families import registry
from generator.family import build
from generator.layout import LAYOUTS
from generator.verify import verify
from grader.evaluation import Mat, Point, evaluate
from grader.exercise_set import Exercise
from grader.language.parser import parse, parse_declarations
from grader.sampling import Regime, sample_point, size_assignments

SEEDS = 6

CASES = [
    pytest.param(family.name, difficulty, form, layout,
                 id=f"{family.name}-d{difficulty}-{form}-{layout}")
    for family in registry().values()
    for difficulty in family.difficulties
    for form in family.forms
    for layout in LAYOUTS
]


@pytest.mark.parametrize(("name", "difficulty", "form", "layout"), CASES)
def test_family(name: str, difficulty: int, form: str, layout: str) -> None:
    family = registry()[name]
    for seed in range(SEEDS):
        exercise = build(family, 7919 * seed + difficulty, difficulty, form,  # type: ignore[arg-type]
                         layout, "q1")  # type: ignore[arg-type]
        verify(exercise, seed=seed)
        assert exercise.layout == layout and exercise.difficulty == difficulty
        check_sympy(exercise, seed)
        check_latex_text(exercise)


_MATRICES = re.compile(r"\\begin\{[pbBv]?matrix\}.*?\\end\{[pbBv]?matrix\}", re.S)
_SPECIAL = re.compile(r"(?<!\\)[&%#]")


def check_latex_text(exercise: Exercise) -> None:
    """Steps and prompts are LaTeX: a bare & % # outside a matrix breaks the whole class's PDF."""
    for text in (exercise.prompt_latex, *exercise.steps_latex):
        bare = _SPECIAL.search(_MATRICES.sub("", text))
        assert bare is None, f"{exercise.family}: unescaped {bare.group()!r} in {text!r}"


def check_sympy(exercise: Exercise, seed: int) -> None:
    """srepr of function and answer, evaluated by SymPy, gives our evaluator's numbers."""
    declarations = parse_declarations(exercise.given)
    rng = random.Random(seed)
    sizes = size_assignments(declarations.dim_symbols, 1)[0]
    point = sample_point(declarations, sizes, Regime(exact=False, positive=True), rng)
    point = Point(point.sizes, {name: _conditioned(value) for name, value in point.values.items()})
    namespace = _SYMPY_NAMES
    records = dict(exercise.sympy)
    for field in ("function", "answer"):
        ours = evaluate(parse(getattr(exercise, field), declarations), point, exact=False)
        expression = eval(records[field], namespace)  # our own generated text, in a test
        theirs = _sympy_value(expression, point, declarations)
        assert theirs.shape == (ours.rows, ours.cols), (field, exercise.family)
        for i in range(ours.rows):
            for j in range(ours.cols):
                a, b = complex(theirs[i, j]), complex(ours.at(i, j))
                assert abs(a - b) <= 1e-8 * max(1.0, abs(b)), (field, exercise.family, a, b)


def _sympy_names() -> dict[str, object]:
    import importlib
    import pkgutil

    import sympy.matrices.expressions as expressions

    names: dict[str, object] = {name: getattr(sympy, name) for name in dir(sympy)}
    for module in pkgutil.iter_modules(expressions.__path__):
        if module.name.startswith("test"):
            continue
        loaded = importlib.import_module(f"{expressions.__name__}.{module.name}")
        names.update({k: v for k, v in vars(loaded).items() if isinstance(v, type)})
    names["Str"] = sympy.core.symbol.Str
    return names


_SYMPY_NAMES = _sympy_names()


def _conditioned(value: Mat) -> Mat:
    if value.rows == value.cols and value.rows > 1:
        return Mat.build(value.rows, value.cols,
                         lambda i, j: value.at(i, j) + (5 * value.rows if i == j else 0))
    return value


def _sympy_value(expression: object, point: Point, declarations: object) -> sympy.Matrix:
    replacements: dict[object, object] = {}
    for symbol in getattr(expression, "free_symbols", set()):
        name = str(symbol)
        if name in point.sizes:
            replacements[symbol] = point.sizes[name]
    for symbol in list(_atoms(expression)):
        name = str(getattr(symbol, "name", symbol))
        if name in point.values:
            value = point.values[name]
            rows = [[sympy.Rational(v.numerator, v.denominator) for v in value.data[
                i * value.cols:(i + 1) * value.cols]] for i in range(value.rows)]
            replacements[symbol] = (sympy.ImmutableMatrix(rows)
                                    if isinstance(symbol, sympy.MatrixSymbol) else rows[0][0])
    result = expression.xreplace(replacements)  # type: ignore[attr-defined]
    result = _explicit(result)
    if not isinstance(result, sympy.MatrixBase):
        result = sympy.Matrix([[result]])
    with mpmath.workdps(30):
        return result.evalf(30)


def _atoms(expression: object) -> set[object]:
    found = set()
    for atom in expression.atoms(sympy.MatrixSymbol, sympy.Symbol):  # type: ignore[attr-defined]
        found.add(atom)
    return found


def _explicit(expression: object) -> object:
    """Evaluate bottom-up: doit() alone leaves some matrix expressions unevaluated."""
    if isinstance(expression, sympy.MatrixBase):
        return expression
    if getattr(expression, "args", ()):
        args = [_explicit(a) for a in expression.args]  # type: ignore[attr-defined]
        with contextlib.suppress(Exception):  # some constructors refuse explicit arguments
            expression = expression.func(*args)  # type: ignore[attr-defined]
    result = expression.doit() if hasattr(expression, "doit") else expression
    if isinstance(result, sympy.MatrixExpr) and not isinstance(result, sympy.MatrixBase):
        with contextlib.suppress(Exception):  # symbolic shapes stay symbolic
            result = result.as_explicit()
    return result


def test_registry_is_discovered() -> None:
    assert "quadratic" in registry()
    for family in registry().values():
        assert family.difficulties and family.forms
        assert set(family.difficulties) <= {1, 2, 3, 4, 5}
