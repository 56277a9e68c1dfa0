"""Printing and re-parsing gives back the tree: the printers and the parser agree everywhere."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from grader import parse, parse_declarations, print_ascii, print_latex
from grader.language import nodes as n
from grader.language.shapes import Shape
from tests.grader.language.compact import compact_ascii, compact_latex
from tests.grader.language.strategies import GIVEN, typed_trees

SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@SETTINGS
@given(typed_trees())
def test_ascii_round_trip(case: tuple[n.Node, Shape]) -> None:
    tree, shape = case
    text = print_ascii(tree)
    parsed = parse(text, GIVEN)
    assert parsed == tree, text
    assert parsed.shape == shape, text
    assert print_ascii(parsed) == text  # canonical: printing is a fixed point


@SETTINGS
@given(typed_trees())
def test_latex_round_trip(case: tuple[n.Node, Shape]) -> None:
    tree, _ = case
    assert parse(print_latex(tree), GIVEN) == tree
    typed = parse(print_ascii(tree), GIVEN)  # with shapes: vectors print bold
    latex = print_latex(typed)
    assert parse(latex, GIVEN) == tree, latex


@SETTINGS
@given(typed_trees())
def test_every_node_of_a_parsed_tree_has_its_shape(case: tuple[n.Node, Shape]) -> None:
    parsed = parse(print_ascii(case[0]), GIVEN)
    stack = [parsed]
    while stack:
        node = stack.pop()
        assert node.shape is not None, node
        assert not isinstance(node, (n.Name, n.TransposeMark, n.FunctionPower))
        stack.extend(node.children())


@SETTINGS
@given(typed_trees())
def test_compact_ascii_round_trip(case: tuple[n.Node, Shape]) -> None:
    """Without the spaces a student leaves out (`x^TAx`, `2xy^2`), the reading is the same."""
    tree, _ = case
    text = compact_ascii(print_ascii(tree), parse_declarations(GIVEN))
    assert parse(text, GIVEN) == tree, text


@SETTINGS
@given(typed_trees())
def test_compact_latex_round_trip(case: tuple[n.Node, Shape]) -> None:
    """The LaTeX printer's output without insignificant spaces (`-X^{-1}AX^{-1}`) reads back."""
    typed = parse(print_ascii(case[0]), GIVEN)
    text = compact_latex(print_latex(typed))
    assert parse(text, GIVEN) == case[0], text
