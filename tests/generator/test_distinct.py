"""Distinct exercises on a sheet: digits masked for sameness, names too for structures; a
sheet never repeats, and a request past what a family can give says how many it can."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.distinct import signature, structure
from generator.families import registry
from generator.family import build
from generator.sets import SetOptions, Student, capacity, make_variant
from grader.exercise_set import ExerciseSetError


def _exercise(given_: str, wrt: str, function: str):  # type: ignore[no-untyped-def]
    made = build(registry()["quadratic"], 1, 2, "symbolic", "numerator", "q1")
    return dataclasses.replace(made, given=given_, wrt=wrt, function=function)


def test_digits_are_masked_and_names_are_kept_in_a_signature() -> None:
    a = _exercise("x[n], A[n,n]", "x", "3 x^T A x")
    b = _exercise("x[n], A[n,n]", "x", "7 x^T A x")
    c = _exercise("y[n], B[n,n]", "y", "7 y^T B y")
    assert signature(a) == signature(b) != signature(c)
    assert structure(a) == structure(b) == structure(c)  # renaming alone is no new structure


def test_structures_tell_forms_apart_and_keep_functions_and_digits_in_names() -> None:
    a = _exercise("x[n], A[n,n]", "x", "x^T A x")
    b = _exercise("x[n], A[n,n]", "x", "x^T A^T x")
    w = _exercise("W1[m,n], x[n]", "x", "sigma(W1 x)")
    assert structure(a) != structure(b)
    assert "sigma" in structure(w) and "W1" not in structure(w)
    assert re.fullmatch(r"N1\[N2,N3\], N4\[N3\] \| N4 \| sigma\(N1 N4\)", structure(w))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from(["scalar_rules", "elementwise_binary",
                                                "explicit_jacobian", "chain_rules"]))
def test_a_sheet_never_repeats_an_exercise(seed: int, family: str) -> None:
    difficulty = registry()[family].difficulties[0]
    form = registry()[family].forms[0]
    options = SetOptions((family,), difficulty, form, 6, seed)
    variant = make_variant(options, Student("s1"), check=False)
    signatures = [signature(e) for e in variant.exercises]
    assert len(set(signatures)) == len(signatures) == 6


def test_several_families_at_one_difficulty_never_repeat() -> None:
    names = ("least_squares", "linear_maps", "neuron", "softmax_ce", "sum_reduction",
             "trace_forms")
    for seed in range(10):
        options = SetOptions(names, 3, "symbolic", 12, seed)
        variant = make_variant(options, Student("s1"), check=False)
        signatures = [signature(e) for e in variant.exercises]
        assert len(set(signatures)) == len(signatures)


def test_too_many_from_one_family_says_how_many_it_can() -> None:
    family = registry()["least_squares"]  # the family and difficulty with fewest structures
    can = len({signature(build(family, s, 1, "symbolic", "numerator", "q1"))
               for s in range(200)})
    options = SetOptions(("least_squares",), 1, "symbolic", can + 1, 0)
    with pytest.raises(ExerciseSetError, match=rf"least_squares at difficulty 1 .* gives only "
                                               rf"{can} distinct exercise.*needs {can + 1}"):
        make_variant(options, Student("s1"), check=False)
    assert len(make_variant(dataclasses.replace(options, count=can), Student("s1"),
                            check=False).exercises) == can


def test_capacity_from_drafts_counts_what_built_exercises_give() -> None:
    for name, difficulty, form in (("quadratic", 2, "numeric"), ("neuron", 3, "symbolic")):
        family = registry()[name]
        built = {signature(build(family, s, difficulty, form, "denominator", "q1"))  # type: ignore[arg-type]
                 for s in range(200)}
        assert capacity(name, difficulty, form) == len(built)  # type: ignore[arg-type]
