"""The Maxima printer, checked against real Maxima: printed trees evaluated by Maxima at random
points agree with ``grader.evaluation`` (exactly for rational trees, to 20 digits otherwise);
constructs without a faithful Maxima form raise MaximaError."""

from __future__ import annotations

import random

import hypothesis
import pytest

from generator.sets import SetOptions, make_set
from grader.errors import MatcalcError
from grader.evaluation import Mat, Point
from grader.language import nodes as n
from grader.language.parser import parse, parse_declarations
from grader.language.printing import MaximaError, MaximaPrinter, print_ascii, print_maxima
from grader.language.shapes import Shape
from tests.grader.language.strategies import GIVEN, typed_trees
from tests.maxima_tools import Case, agrees, case_for, requires_maxima, run_maxima, sample

# (given, expression): every node type the printer supports, alone and in the combinations
# where Maxima's operators differ from the answer language's (`.` vs `*`, `^^` vs `^`).
TABLE = [
    ("a", "3"), ("a", "3/4 a"), ("a", "0.125 - a"), ("a", "-a"), ("a", "-(3/4)"),
    ("a", "e^a + pi"), ("a, b", "a - b - (a - b)"), ("a, b", "a b - a (b - 1)"),
    ("a, b", "a / b / (a + b)"), ("a, b", "a / (b / 2)"), ("a, b", "(a / b) a"),
    ("a, b", "a^b"), ("a, b", "a^-2 + (a b)^3 + a^(1/2)"), ("a", "(a^2)^3 - a^2^3"),
    ("a", "-a^2 + (-a)^2"), ("a", "2^-1 a"), ("a", "(-2)^3 a"),
    ("a", "exp(a) + log(a^2 + 1) + sin(a) cos(a) + tan(a / 9)"),
    ("a", "tanh(a) + sqrt(a^2 + 1) + abs(a) + sign(a)"),
    ("a", "sigma(a) + sigma(-a) + sigma(a + 1) + sigma(2 a)"),
    ("a", "relu(a) + relu(-a) + step(a) + step(-a) + max(a, 1/2) + max(0, a)"),
    ("a, b", "a^-1 + (a + b)^-1 + inv(b)"),
    ("x, y", "[6 x^2 y, 2 x^3]"), ("x, y", "[x + y; x y]"), ("x, y", "[x, y; -y, 2 x]"),
    ("x, y", "[x] + [y]^2"), ("x, y", "exp([x, y; y, x])"), ("x, y", "relu([x, -y])"),
    ("x[n], A[n,n]", "A x"), ("x[n], A[n,n]", "x^T A x"), ("x[n], A[n,n]", "x^T (A + A^T)"),
    ("x[n], A[n,n], b", "b A x + A (b x) + (A x) b"),
    ("x[n], A[n,n], B[n,n]", "A B x - (A B) x - A (B x)"),
    ("x[n], y[n], A[n,n]", "x^T y A + A x y^T - (x^T A y) A"),
    ("x[n], y[n], A[n,n]", "(x .* y)^T A (A x .* y)"),
    ("x[n], y[n]", "x .* y + 2 .* x + y .* 3"), ("x[n], y[n]", "x ./ y + 1 ./ x + x ./ 2"),
    ("x[n], y[n]", "x .^ 2 + 2 .^ x + x .^ y + (x + y) .^ -1"),
    ("A[n,n], B[n,n]", "A^2 + A^3 B + (A + B)^2 + A^0"), ("A[n,n]", "A^-2 + A^-1"),
    ("A[n,n], B[n,n]", "A^T B + (A B)^T + inv(A) + A^-T"),
    ("A[n,n], B[n,n], x[n]", "det(A) + det(A B) x^T x + det(A^-1)"),
    ("A[n,n], B[n,n]", "tr(A) + tr(A B^T) + tr(A) B"),
    ("x[n], a", "exp(x) + log(x .* x + 1) + sin(x) .* cos(x) + tanh(a x)"),
    ("x[n], a", "sqrt(x .* x) + abs(x) + sign(x) + sigma(x) + relu(x) + step(x)"),
    ("x[n], y[n], a", "max(x, y) + max(a, x) + max(x, a) + max(0, x - y)"),
    ("x[n], a", "1 + x - a + (x + 1) .* x"), ("w[1,n], x[n]", "w x + (w x)^2 + x^T w^T"),
    ("C[m,n], v[m], x[n]", "v^T C x + C^T v .* x"), ("C[m,n], A[n,n]", "C A C^T C + (C A) .* C"),
    ("A[2,2], c", "I + zeros(2, 2) + c I_2 + ones(2) ones(2)^T"),
    ("x[3], c", "ones(3) + c x - zeros(3) + eye(1) x"), ("A[2,2]", "-ones(2) - A ones(2)"),
    ("a", "[a]^T + det([a]) + tr([a]) + [a]^-1"),
    ("x[n], A[n,n]", "(x^T x)^-1 A x + exp(x^T A x) + sigma(x^T x) x"),
    ("x[n], A[n,n], b", "-(A x) + -b x + (-b) x - -x"),
    ("x[n], a", "0^0 a + (a - a)^0 + x .^ 0 + 0 .^ 0"),
    ("A[n,n]", "(A^0)^2 + (A - A)^0"),
]

UNSUPPORTED = [
    ("A[n,n], B[n,n]", "kron(A, B)", "Kronecker"),
    ("x[n]", "sum(x)", "sum of entries"),
    ("x[n]", "norm(x)", "norm"),
    ("x[n]", "norm(x, 1)", "norm"),
    ("x[n]", "diag(x)", "diag"),
    ("x[n]", "softmax(x)", "softmax"),
    ("A[m,n]", "vec(A)", "vec"),
    ("A[n,n]", "A + I", "identity matrix of symbolic size n"),
    ("x[n]", "x + ones(n)", "column of ones of symbolic size n"),
    ("A[m,n]", "A + zeros(m, n)", "zero matrix of symbolic size m"),
    ("x[n], a", "a + sum(exp(x))", "sum of entries"),
]


Pending = tuple[str, str, Point, Mat, bool]  # text, Maxima text, point, value, exact


def _prepare(given: str, text: str, rng: random.Random) -> Pending | None:
    """The tree printed for Maxima, a point in its domain and its value there (or None)."""
    declarations = parse_declarations(given)
    tree = parse(text, declarations)
    drawn = sample(tree, declarations, rng)
    if drawn is None:
        return None
    point, value, exact = drawn
    return text, print_maxima(tree), point, value, exact


def _compare(pending: list[Pending]) -> None:
    """One Maxima run over every case; all disagreements are reported together."""
    outcomes = run_maxima([case_for(printed, point, exact)
                           for _, printed, point, _, exact in pending])
    failures = [
        f"{text}\n  maxima:   {printed}\n  at:       {point.values}\n  expected: {value.data}\n"
        f"  got:      {outcome.text}"
        for (text, printed, point, value, exact), outcome in zip(pending, outcomes, strict=True)
        if not agrees(value, outcome, exact)
    ]
    assert not failures, f"{len(failures)} of {len(pending)} disagree:\n" + "\n".join(failures)


def _check(cases: list[tuple[str, str]], seed: int) -> None:
    rng = random.Random(seed)
    pending = []
    for given, text in cases:
        prepared = _prepare(given, text, rng)
        assert prepared is not None, f"no point in the domain of {text}"
        pending.append(prepared)
    _compare(pending)


# --- text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "text", "expected"), [
    ("x, y", "[6 x^2 y, 2 x^3]", "matrix([6*x^2*y, 2*x^3])"),
    ("x", "4 x^3 / (x^4 + 3)", "4*x^3/(x^4 + 3)"),
    ("a", "3/4 a - e + pi", "(3/4)*a - %e + %pi"),
    ("x[n], A[n,n]", "x^T A x", "transpose(x) . A . x"),
    ("A[n,n], B[n,n]", "A .* B + (A^2) .^ 2", "A*B + (A^^2)^2"),
    ("A[n,n], B[n,n]", "(A .* B) A", "(A*B) . A"),
    ("A[n,n], B[n,n]", "A B .* A", "(A . B)*A"),
    ("A[n,n]", "A^-1 + A^-T + tr(A) + det(A)",
     "invert(A) + transpose(invert(A)) + mat_trace(A) + determinant(A)"),
    ("x[n]", "relu(x)", "matrixmap(lambda([%u], max(0, %u)), x)"),
    ("a", "sigma(a + 1)", "1/(1 + exp(-(a + 1)))"),
    ("a", "step(a) + sign(a)", "unit_step(a) + signum(a)"),
    ("a", "a^-2", "a^(-2)"),
])
def test_printed_text(given: str, text: str, expected: str) -> None:
    assert print_maxima(parse(text, given)) == expected


def test_printer_covers_every_node_type() -> None:
    """Every node class has a method (supported) or is listed as unsupported by the fallback."""
    printer = MaximaPrinter()
    methods = {name[len("_print_"):] for name in dir(printer) if name.startswith("_print_")}
    concrete = {cls.__name__ for cls in _node_classes()} - {"Name", "TransposeMark",
                                                            "FunctionPower"}
    unsupported = {"Kron", "Sum", "Norm", "Diag", "Softmax", "Vec"}
    assert concrete - unsupported <= methods
    assert not unsupported & methods


def _node_classes() -> list[type[n.Node]]:
    found: list[type[n.Node]] = []
    stack: list[type[n.Node]] = [n.Node]
    while stack:
        cls = stack.pop()
        subclasses = cls.__subclasses__()
        if not subclasses and cls.__module__ == n.__name__:
            found.append(cls)
        stack.extend(subclasses)
    return found


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "text", "construct"), UNSUPPORTED)
def test_unsupported_constructs_raise(given: str, text: str, construct: str) -> None:
    with pytest.raises(MaximaError, match=construct):
        print_maxima(parse(text, given))


def test_maxima_error_is_a_matcalc_error() -> None:
    assert issubclass(MaximaError, MatcalcError)


def test_untyped_and_unresolved_trees_raise() -> None:
    with pytest.raises(MaximaError, match="type-checked"):
        print_maxima(n.Symbol("x"))
    with pytest.raises(MaximaError, match="resolved"):
        print_maxima(n.Name("x", shape=Shape.of(1, 1)))


def test_maxima_keywords_are_not_variables() -> None:
    with pytest.raises(MaximaError, match="keyword"):
        print_maxima(n.Symbol("done", shape=Shape.of(1, 1)))


# --- against Maxima -----------------------------------------------------------------------------


@requires_maxima
def test_table_agrees_with_maxima() -> None:
    _check(TABLE, seed=1)


@requires_maxima
def test_table_agrees_with_maxima_at_other_sizes_and_values() -> None:
    _check(TABLE, seed=2)


@requires_maxima
def test_explicit_exercise_answers_agree_with_maxima() -> None:
    """Every explicit-form answer the generator makes (all families, every difficulty)."""
    cases: list[tuple[str, str]] = []
    families: set[str] = set()
    for seed in range(3):
        exercise_set = make_set(SetOptions(form="explicit", count=12, seed=seed), check=False)
        for exercise in exercise_set.variants[0].exercises:
            cases.append((exercise.given, exercise.answer))
            families.add(exercise.family)
    assert families == {"chain_rules", "explicit_jacobian", "scalar_rules"}
    _check(cases, seed=3)


@requires_maxima
def test_random_trees_agree_with_maxima() -> None:
    """Hypothesis draws typed trees; the supported ones are evaluated in one Maxima run, and the
    rest must fail with MaximaError naming a construct they contain."""
    supported: list[Pending] = []
    declarations = parse_declarations(GIVEN)
    rng = random.Random(4)

    @hypothesis.settings(max_examples=300, deadline=None, database=None,
                         phases=[hypothesis.Phase.generate],
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(typed_trees(4))
    def collect(pair: tuple[n.Node, Shape]) -> None:
        text = print_ascii(pair[0])
        tree = parse(text, declarations)
        try:
            print_maxima(tree)
        except MaximaError:
            unsupported = (n.Kron, n.Sum, n.Norm, n.Diag, n.Softmax, n.Vec, n.Identity, n.Ones,
                           n.Zeros)  # the constants of symbolic size n
            assert any(isinstance(node, unsupported) for node in n.walk(tree)), text
            return
        prepared = _prepare(GIVEN, text, rng)
        if prepared is not None:  # (-C^T C)^-1 is singular at every point when m < n
            supported.append(prepared)

    collect()
    assert len(supported) >= 60, f"only {len(supported)} supported trees drawn"
    _compare(supported)


@requires_maxima
def test_maxima_catches_a_wrong_print() -> None:
    """The comparison can fail: Maxima's * between matrices is not the matrix product."""
    tree = parse("A B", "A[n,n], B[n,n]")
    declarations = parse_declarations("A[n,n], B[n,n]")
    drawn = sample(tree, declarations, random.Random(5))
    assert drawn is not None
    point, value, exact = drawn
    outcomes = run_maxima([case_for("A*B", point, exact), case_for("A . B", point, exact),
                           Case("undefined_function_xyz(1) + ", (), True)])
    assert not agrees(value, outcomes[0], exact)
    assert agrees(value, outcomes[1], exact)
    assert outcomes[2].rows is None
