"""Property: the engine's derivative of random typed trees (depth ≤ 4) agrees with finite
differences, in both layouts; and the trees reach every operation the engine differentiates."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.calculus.checking import check_derivative
from generator.calculus.derivative import differentiate
from generator.layout import LAYOUTS
from grader.language import nodes as n
from grader.language.parser import parse, parse_declarations
from tests.generator.calculus.random_trees import CASES, GIVEN, expression

DECLARATIONS = parse_declarations(GIVEN)


@st.composite
def functions(draw: st.DrawFn) -> tuple[str, str]:
    kind, wrt = draw(st.sampled_from(CASES))
    depth = draw(st.integers(2, 4))
    text = expression(kind, depth, lambda options: draw(st.sampled_from(list(options))))
    return text, wrt


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(functions(), st.sampled_from(LAYOUTS), st.integers(0, 1000))
def test_random_trees_agree_with_finite_differences(case: tuple[str, str], layout: str,
                                                    seed: int) -> None:
    text, wrt = case
    tree = parse(text, DECLARATIONS)
    derivation = differentiate(tree, wrt, DECLARATIONS, layout)  # type: ignore[arg-type]
    check_derivative(tree, wrt, DECLARATIONS, layout, derivation.result,  # type: ignore[arg-type]
                     seed=seed, sizes_count=1)


def _operations(tree: n.Node) -> set[str]:
    found = set()
    for node in n.walk(tree):
        found.add(node.func if isinstance(node, n.Apply) else type(node).__name__)
        if isinstance(node, n.Norm):
            found.add(f"norm{node.p}")
    return found


def test_the_trees_reach_every_operation() -> None:
    rng = random.Random(0)
    reached: set[str] = set()
    for _ in range(400):
        kind, _ = rng.choice(CASES)
        reached |= _operations(parse(expression(kind, 4, rng.choice), DECLARATIONS))
    wanted = {"Add", "Neg", "Mul", "Div", "Transpose", "Inverse", "Det", "Trace", "Sum",
              "norm1", "norm2", "Diag", "Softmax", "Vec", "Kron", "Hadamard", "ElemDiv",
              "ElemPow", "Pow", "Max", *n.ELEMENTWISE_FUNCTIONS}
    assert wanted <= reached, wanted - reached
