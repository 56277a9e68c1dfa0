"""Distractors made from a key: each kind appears where it applies, and none is the key."""

from __future__ import annotations

import pytest

from generator.authored.distractors import distractors
from grader.checker import check
from grader.language.parser import parse, parse_declarations


@pytest.mark.parametrize(("given", "key", "notes"), [
    ("x[n], A[n,n]", "x^T (A + A^T)", {"transposed", "dropped_term", "sign",
                                       "assumed_symmetric"}),
    ("X[n,n], A[n,n], B[n,n]", "A B", {"transposed", "factor", "sign", "hadamard_for_product"}),
    ("x[n]", "2 x^T", {"transposed", "factor", "sign"}),
    ("x[n], X[n,n]", "x^T X^-T", {"assumed_symmetric", "sign"}),
])
def test_each_kind_where_it_applies(given: str, key: str, notes: set[str]) -> None:
    declarations = parse_declarations(given)
    tree = parse(key, declarations)
    made = distractors(tree, declarations)
    assert notes <= {m.note for m in made}
    assert len({m.answer for m in made}) == len(made)
    for mistake in made:
        assert check(tree, mistake.answer, declarations).status in ("incorrect", "wrong_shape")


def test_the_factor_mistake_drops_a_coefficient() -> None:
    declarations = parse_declarations("x[n]")
    made = {m.note: m.answer for m in distractors(parse("2 x^T", declarations), declarations)}
    assert made["factor"] == "x^T"
    assert made["sign"] == "-2 x^T"


def test_a_transform_equal_to_the_key_is_not_kept() -> None:
    declarations = parse_declarations("x[n], A[n,n]")
    made = distractors(parse("A + A^T", declarations), declarations)  # a Hessian: symmetric
    assert "transposed" not in {m.note for m in made}  # (A + A^T)^T is the key itself
    assert {"assumed_symmetric", "sign", "dropped_term"} <= {m.note for m in made}
