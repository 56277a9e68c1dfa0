"""What an exercise family provides, and how its draft becomes a finished, checked exercise.

A family writes a :class:`Draft` in numerator layout (Parr & Howard's): the function, the known
answer written by hand from the identities (never derived by SymPy, whose matrix ``diff`` is
silently wrong on several of them), the worked steps (in each layout, so that a denominator-layout
solution is worked in that layout) and the typical mistakes.  :func:`build`
turns it into an :class:`~grader.exercise_set.Exercise` in the requested layout and form.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from generator import informative
from generator.layout import Layout, derivative_shape, transposed
from grader.errors import MatcalcError
from grader.evaluation import Point, break_arguments, is_exact
from grader.exercise_set import Exercise, Form
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_ascii, print_latex
from grader.language.printing.latex import latex_name
from grader.language.shapes import Shape
from grader.verdict import Mistake

#: Draws of values tried for a numeric exercise before giving up.
TRIES = 400


class GenerationError(MatcalcError):
    """A family was asked for something it can't make (unknown name, difficulty, form)."""


@dataclass(frozen=True)
class Draft:
    """An exercise as a family writes it, in numerator layout."""

    given: str
    wrt: str
    function: str
    answer: str
    kind: str
    steps: tuple[str, ...]
    mistakes: tuple[Mistake, ...] = ()
    #: The worked solution in denominator layout, where it differs from ``steps``; empty for a
    #: Hessian (the same in both layouts) or a draft that only says the result is transposed.
    denominator_steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    #: Where the mathematics comes from: public references (paper sections, Matrix Cookbook
    #: equation numbers).
    source: str
    difficulties: tuple[int, ...]
    forms: tuple[Form, ...]
    #: ``draft(rng, difficulty, form)``; for the numeric form it returns a symbolic draft, which
    #: :func:`build` instantiates with concrete values.
    draft: Callable[[random.Random, int, Form], Draft]


def variable_shape(wrt: str, declarations: Declarations) -> Shape:
    """The declared shape of ``wrt``, or a column for a list of scalars ``"x, y"``."""
    names = [name.strip() for name in wrt.split(",")]
    if len(names) > 1:
        return Shape.of(len(names), 1)
    shape = declarations.shape_of(names[0])
    if shape is None:
        raise GenerationError(f"wrt {wrt!r} is not declared")
    return shape


def build(family: Family, seed: int, difficulty: int, form: Form, layout: Layout,
          exercise_id: str) -> Exercise:
    """The finished exercise (unchecked: :mod:`generator.verify` checks it)."""
    if difficulty not in family.difficulties:
        raise GenerationError(
            f"family {family.name} has difficulties {_listing(family.difficulties)}, "
            f"not {difficulty}")
    if form not in family.forms:
        raise GenerationError(
            f"family {family.name} has forms {', '.join(family.forms)}, not {form}")
    rng = random.Random(seed)
    draft = family.draft(rng, difficulty, form)
    declarations = symbolic = parse_declarations(draft.given)
    function = parse(draft.function, declarations)
    variable = variable_shape(draft.wrt, declarations)
    key = parse(draft.answer, declarations)
    hessian = draft.kind == "hessian"
    expected = Shape(variable.rows, variable.rows) if hessian else derivative_shape(
        function.typed_shape, variable, "numerator")
    if key.typed_shape != expected:
        raise GenerationError(f"{family.name}: the key is {key.typed_shape}, not {expected}")
    steps = list(draft.steps)
    # Every text is stored in canonical form, however the family wrote it; a mistake listed
    # twice (or equal to the key) is kept once (or dropped).
    unique: dict[str, Mistake] = {}
    for m in draft.mistakes:
        text = print_ascii(parse(m.answer, declarations))
        unique.setdefault(text, Mistake(text, m.note, m.feedback))
    unique.pop(print_ascii(key), None)
    mistakes = list(unique.values())
    if layout == "denominator" and not hessian:
        numerator_shape = key.typed_shape
        key = transposed(key)
        mistakes = [_in_denominator(m, declarations, numerator_shape) for m in mistakes]
        if draft.denominator_steps:
            steps = list(draft.denominator_steps)
        else:
            steps.append(f"In denominator layout the result is the transpose: "
                         f"${print_latex(key)}$.")
    given: str = draft.given
    values: tuple[tuple[str, str], ...] = ()
    if form == "numeric":
        key, given, values, declarations = _instantiate(key, function, declarations, rng)
        function = parse(draft.function, declarations)
        mistakes = []  # numbers: any wrong number is wrong; feedback comes from the grader
    import sympy

    from grader.language.printing.sympy import to_sympy

    answer_text = print_ascii(key)
    return Exercise(
        id=exercise_id, family=family.name, difficulty=difficulty, seed=seed, layout=layout,
        form=form, kind=draft.kind, given=given, wrt=draft.wrt,
        function=print_ascii(parse(draft.function, declarations)),
        answer=answer_text, shape=(str(key.typed_shape.rows), str(key.typed_shape.cols)),
        prompt_latex=_prompt(function, draft, layout, symbolic)
        + _values_latex(values, declarations),
        answer_latex=print_latex(key), steps_latex=tuple(steps),
        mistakes=tuple(m for m in mistakes if m.answer != answer_text),
        sympy=(("answer", sympy.srepr(to_sympy(key))),
               ("function", sympy.srepr(to_sympy(function)))),
        values=values,
    )


def _in_denominator(mistake: Mistake, declarations: Declarations, key_shape: Shape) -> Mistake:
    """A mistake of the key's shape (or the other layout's) is transposed with the key; a shape
    mistake (a vector where diag(...) belongs) is what a student writes in either layout."""
    tree = parse(mistake.answer, declarations)
    if tree.typed_shape not in (key_shape, key_shape.transposed):
        return mistake
    return Mistake(print_ascii(transposed(tree)), mistake.note, mistake.feedback)


def _prompt(function: n.Node, draft: Draft, layout: Layout, declarations: Declarations) -> str:
    names = [name.strip() for name in draft.wrt.split(",")]
    shown = [latex_name(name, bold=_is_vector(declarations, name)) for name in names]
    variable = shown[0] if len(shown) == 1 else f"({', '.join(shown)})"
    f = print_latex(function)
    if draft.kind == "hessian":
        return (f"Find the Hessian $\\nabla^2 f$ with respect to ${variable}$ of $f = {f}$.")
    what = {"gradient": "gradient", "jacobian": "Jacobian"}.get(draft.kind, "derivative")
    return (f"Find the {what} $\\partial f / \\partial {variable}$ of $f = {f}$ "
            f"({layout} layout)."
            + (_convention(function.typed_shape, names[0], layout, declarations)
               if len(names) == 1 else ""))


def _convention(function: Shape, variable: str, layout: Layout,
                declarations: Declarations) -> str:
    """The convention a derivative by a matrix relies on, stated on the sheet: the shape of a
    scalar's derivative, and vec (column stacking) for a matrix function."""
    shape = declarations.shape_of(variable)
    if shape is None or shape.is_vector or shape.is_scalar:
        return ""
    x = latex_name(variable, bold=False)
    if function.is_scalar:
        like = f"${x}^{{\\top}}$" if layout == "numerator" else f"${x}$"
        return f" In {layout} layout $\\partial f/\\partial {x}$ has the shape of {like}."
    return (f" Here $\\partial f/\\partial {x}$ means $\\partial\\operatorname{{vec}}(f)/"
            f"\\partial\\operatorname{{vec}}({x})$, where $\\operatorname{{vec}}$ stacks the "
            f"columns of a matrix into one column (column-major order).")


def _is_vector(declarations: Declarations, name: str) -> bool:
    shape = declarations.shape_of(name)
    return shape is not None and shape.is_vector


def _values_latex(values: tuple[tuple[str, str], ...], declarations: Declarations) -> str:
    if not values:
        return ""
    shown = ", ".join(f"{latex_name(name, bold=_is_vector(declarations, name))} = "
                      f"{print_latex(parse(text, ''))}" for name, text in values)
    return f" Use ${shown}$."


def _instantiate(key: n.Node, function: n.Node, declarations: Declarations,
                 rng: random.Random
                 ) -> tuple[n.Node, str, tuple[tuple[str, str], ...], Declarations]:
    """A numeric exercise: concrete sizes and small integer values, redrawn (at most
    :data:`TRIES` times) until the key is informative and computable by hand
    (:mod:`generator.informative`); the key becomes numbers."""
    if not is_exact(key):
        raise GenerationError("the numeric form needs a key that is rational at rational points")
    symbols = declarations.dim_symbols
    sizes = dict(zip(symbols, rng.sample([2, 3, 4], len(symbols)), strict=True))
    breaks = break_arguments(function, key)
    known = informative.profile(key, function, declarations, sizes, rng)
    reasons: Counter[str] = Counter()
    for regime in informative.regimes(TRIES, TRIES // 2):
        values = informative.draw(declarations, sizes, rng, regime)
        point = Point(sizes, values)
        if any(_on_kink(argument, point) for argument in breaks):
            reasons["a relu/step/abs argument is on its kink"] += 1
            continue
        if informative.value(function, point) is None:
            reasons["the function is undefined there"] += 1
            continue
        result = informative.value(key, point)
        if result is None:
            reasons["the key is undefined there"] += 1
            continue
        reason = informative.rejection(key, function, point, result, known)
        if reason is None:
            break
        reasons[reason] += 1
    else:
        raise GenerationError(
            f"no values in {TRIES} draws make an informative key for {print_ascii(key)} "
            f"(most often: {reasons.most_common(1)[0][0]})")
    number_key = _matrix_node(result.entries()) if not result.is_scalar else \
        _number(result.value)
    numbers = parse(print_ascii(number_key), "")
    concrete = [(name, Shape.of(values[name].rows, values[name].cols))
                for name in declarations.names]
    given = Declarations(tuple(concrete))
    listed = tuple((name, print_ascii(_matrix_node(value.entries())))
                   for name, value in sorted(values.items()))
    return numbers, str(given), listed, given


def _on_kink(argument: n.Node, point: Point) -> bool:
    value = informative.value(argument, point)
    return value is None or any(v == 0 for v in value.data)


def _number(value: Fraction | int) -> n.Node:
    value = Fraction(value)
    magnitude = abs(value)
    node: n.Node = n.Number(Fraction(magnitude.numerator))
    if magnitude.denominator != 1:
        node = n.Div(node, n.Number(Fraction(magnitude.denominator)))
    return n.Neg(node) if value < 0 else node


def _matrix_node(entries: Sequence[Sequence[Fraction | int]]) -> n.Node:
    if len(entries) == 1 and len(entries[0]) == 1:
        return _number(entries[0][0])
    return n.Matrix(tuple(tuple(_number(v) for v in row) for row in entries))


def _listing(values: tuple[int, ...]) -> str:
    return ", ".join(str(v) for v in values)

