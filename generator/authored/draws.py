"""One draw of an authored exercise (parameter values and the trees they make), and the
:class:`~generator.family.Family` an authored exercise is, so that sets treat it as a family.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from generator.authored.derivation import derive
from generator.authored.distractors import distractors
from generator.authored.errors import AuthoringError
from generator.authored.parameters import Values, describe, draw
from generator.authored.reading import AuthoredExercise
from generator.family import Draft, Family, variable_shape
from generator.layout import derivative_shape
from grader.errors import MatcalcError
from grader.evaluation import is_exact
from grader.exercise_set import Form
from grader.language import nodes as n
from grader.language.printing import print_ascii, print_latex
from grader.language.printing.latex import latex_name
from grader.verdict import Mistake


@dataclass(frozen=True)
class Draw:
    """The exercise at one set of parameter values, in numerator layout."""

    values: Values
    function: n.Node
    key: n.Node
    mistakes: tuple[n.Node, ...]   # the file's mistakes, in its order
    tests: tuple[n.Node | None, ...]  # None: a test expecting invalid that does not read

    @property
    def described(self) -> str:
        return describe(self.values)


def draw_exercise(exercise: AuthoredExercise, rng: random.Random) -> Draw:
    """Draw the parameters from ``rng`` and build every tree; the key is derived when the file
    gives none.  Raises :class:`AuthoringError` naming the entry and the draw."""
    values = draw(exercise.parameters, rng)
    template = exercise.template
    declarations = exercise.declarations

    def tree(entry: str, text: str) -> n.Node:
        try:
            return template.instantiate(template.read(text), values, declarations)
        except AuthoringError:
            raise
        except MatcalcError as problem:  # an error at these values (a zero divisor, say)
            raise AuthoringError(f"{exercise.place(entry)}: {problem} (draw: "
                                 f"{describe(values)})") from None

    function = tree("function", exercise.function)
    if exercise.answer is not None:
        key = tree("answer", exercise.answer)
    else:
        try:
            key = derive(function, exercise.wrt, declarations, hessian=exercise.hessian)
        except AuthoringError as problem:
            raise AuthoringError(f"{exercise.place('function')}: {problem}") from None
    variable = variable_shape(exercise.wrt, declarations)
    expected = derivative_shape(function.typed_shape, variable, "numerator") \
        if not exercise.hessian else type(variable)(variable.rows, variable.rows)
    if key.typed_shape != expected:
        raise AuthoringError(
            f"{exercise.place('answer')}: the answer is {key.typed_shape}, but ∂f/∂{exercise.wrt} "
            f"in numerator layout is {expected} (write answers in numerator layout)")
    mistakes = tuple(tree(f"mistakes[{i}]", m.answer) for i, m in enumerate(exercise.mistakes))
    tests: list[n.Node | None] = []
    for i, test in enumerate(exercise.tests):
        if test.expect == "invalid":
            try:
                tests.append(tree(f"tests[{i}]", test.answer))
            except AuthoringError:
                tests.append(None)
        else:
            tests.append(tree(f"tests[{i}]", test.answer))
    return Draw(values, function, key, mistakes, tuple(tests))


def kind_of(exercise: AuthoredExercise, function: n.Node) -> str:
    if exercise.hessian:
        return "hessian"
    variable = variable_shape(exercise.wrt, exercise.declarations)
    if function.typed_shape.is_scalar and variable.is_vector and not variable.is_scalar:
        return "gradient"
    if function.typed_shape.is_vector and not function.typed_shape.is_scalar \
            and variable.is_vector and not variable.is_scalar:
        return "jacobian"
    return "derivative"


def draft(exercise: AuthoredExercise, rng: random.Random, difficulty: int, form: Form) -> Draft:
    """The family's draft: the file's mistakes, or distractors made from the key."""
    made = draw_exercise(exercise, rng)
    declarations = exercise.declarations
    if form == "numeric":
        mistakes: tuple[Mistake, ...] = ()  # numbers: any wrong number is wrong
    elif exercise.mistakes:
        mistakes = tuple(Mistake(print_ascii(tree), m.note, m.feedback or m.note)
                         for tree, m in zip(made.mistakes, exercise.mistakes, strict=True))
    else:
        mistakes = distractors(made.key, declarations)
    steps = exercise.steps or (
        f"Differentiating ${print_latex(made.function)}$ with respect to "
        f"${latex_name(exercise.wrt, bold=False)}$ gives ${print_latex(made.key)}$ "
        "(numerator layout).",)
    return Draft(exercise.given, exercise.wrt, print_ascii(made.function),
                 print_ascii(made.key), kind_of(exercise, made.function), tuple(steps), mistakes)


def family_of(exercise: AuthoredExercise) -> Family:
    """The exercise as a family named by its id.  It offers the numeric form when its key is
    rational at rational points, and the explicit form when every name is a scalar."""
    sample = draw_exercise(exercise, random.Random(0))
    scalars_only = all(shape.is_scalar for _, shape in exercise.declarations.entries)
    forms: list[Form] = ["symbolic"]
    if scalars_only:
        forms.append("explicit")
    if is_exact(sample.key):
        forms.append("numeric")
    return Family(name=exercise.id, title=exercise.title, source=f"{exercise.path} (authored)",
                  difficulties=(exercise.difficulty,), forms=tuple(forms),
                  draft=functools.partial(draft, exercise))
