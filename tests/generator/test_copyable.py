"""Formulas copied out of our own PDFs read back as what they show, or are refused; never as a
different expression.

Real answer keys, rendered with real LuaLaTeX and read with real ``pdftotext`` (what a student's
copy and paste gives): every family, every form, both layouts, ``SEEDS`` students (seeds) each.
From every exercise the answer's line, the function in the prompt and each given value are
parsed with the project's parser and compared, as trees, with the set's own ASCII forms.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.copyable import (
    PREAMBLE,
    actual_text,
    copyable,
    copyable_function,
    copyable_values,
)
from generator.render import render
from generator.sets import SetOptions, Student, eligible, make_set
from grader.errors import ParseError
from grader.exercise_set import Exercise, ExerciseSet
from grader.language.parser import parse

needs_tex = pytest.mark.skipif(
    shutil.which("lualatex") is None or shutil.which("pdftotext") is None,
    reason="needs lualatex and pdftotext")

#: Students (each a seed) per form and layout; each student gets every family of the form once.
#: With 3 forms x 2 layouts that is 6 LuaLaTeX runs over 8 x (16 + 3 + 14) x 2 = 528 exercises,
#: about 15 s.
SEEDS = 8
CASES = [(form, layout) for form in ("symbolic", "explicit", "numeric")
         for layout in ("numerator", "denominator")]


# ---------------------------------------------------------------------------------------------
# the marked-content string


def test_actual_text_is_utf16_hex_with_a_byte_order_mark() -> None:
    assert actual_text("X^-1") == "<FEFF0058005E002D0031>"
    assert actual_text("") == "<FEFF>"


@given(st.text(max_size=200))
def test_actual_text_carries_any_text_and_nothing_tex_or_pdf_can_act_on(text: str) -> None:
    encoded = actual_text(text)
    assert re.fullmatch(r"<FEFF[0-9A-F]*>", encoded)
    assert bytes.fromhex(encoded[1:-1]).decode("utf-16") == text


def test_a_prompt_without_the_usual_form_is_left_as_it_is() -> None:
    prompt = r"Differentiate $g(\mathbf{x})$ where $g = 2$."
    assert copyable_function(prompt, "2") == prompt
    assert copyable_values(prompt, (("x", "[1; 2]"),)) == prompt
    listed = r"Find it of $f = x$. Use $x = 2, y = 3$."
    assert copyable_values(listed, (("x", "2"),)) == listed  # two shown, one listed
    assert copyable_values(listed, (("y", "3"), ("x", "2"))) == listed  # not in that order
    typeset = r"Find it. Use $W_{1} = 2, \mathbf{b}_{1} = 3$."
    assert copyable_values(typeset, (("W1", "2"), ("b1", "3"))) != typeset
    assert copyable_values(listed, (("x", "2"), ("y", "3"))) == (
        rf"Find it of $f = x$. Use $x = {copyable('2', '2')}, y = {copyable('3', '3')}$.")


# ---------------------------------------------------------------------------------------------
# real keys


@dataclass(frozen=True)
class Copied:
    """What pdftotext gives for one exercise of the key."""

    exercise: Exercise
    function: str
    values: tuple[str, ...]
    answer: str


def pdf_text(path: Path) -> str:
    """pdftotext in content-stream order (``-raw``): each formula's copied text stays in one
    piece where reading order would interleave the rows of tall matrices beside it."""
    done = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True)
    return unicodedata.normalize("NFC", done.stdout)


#: A page's footer and the next page's header (title, kind, name, id and variant), which land
#: inside a prompt broken across pages.
PAGE_TURN = re.compile(r"matcalc set seed \d+ page \d+\n\f(?:[^\n]*\n){3}id [^\n]* variant "
                       r"[0-9A-F]{6}\n")


def copied(exercise_set: ExerciseSet, text: str) -> list[Copied]:
    """Each exercise's function (after ``of f =``), values (after ``Use``, by name) and answer
    (the line after its ``Given: … .``), in order through the key."""
    found: list[Copied] = []
    position = 0
    text = PAGE_TURN.sub("", text)
    for variant in exercise_set.variants:
        for number, exercise in enumerate(variant.exercises, start=1):
            start = text.index(f"{number}. Find ", position)
            given = text.index("Given:", start)
            stop = text.index(".", given)  # declarations hold no '.'
            prompt = " ".join(text[start:given].split())
            function = re.search(r" of f = (.*?) \((?:numerator|denominator) lay", prompt)
            assert function is not None, prompt
            listed = prompt[prompt.index(" Use ") + 5 :].removesuffix(".") if \
                exercise.values else ""
            names = [name for name, _ in exercise.values]
            values = []
            for i, name in enumerate(names):  # "W1 = [..], b = 5, x = [..]"
                assert listed.startswith(f"{name} = "), (name, listed)
                listed = listed[len(name) + 3 :]
                after = re.search(rf" ?, {names[i + 1]} = ", listed) if i + 1 < len(names) \
                    else None
                values.append((listed[: after.start()] if after else listed).strip())
                listed = listed[after.start() :].lstrip(" ,") if after else ""
            rest = text[stop + 1 :].lstrip(" ")
            answer = rest.split("\n", 1)[0].strip() or rest.lstrip().split("\n", 1)[0].strip()
            found.append(Copied(exercise, function.group(1), tuple(values), answer))
            position = stop
    return found


def same_or_refused(text: str, expected: str, given: str) -> str | None:
    """None when ``text`` reads as ``expected``; otherwise what went wrong."""
    key = parse(expected, given)
    try:
        tree = parse(text, given)
    except ParseError as problem:
        return f"refused: {problem}"
    if tree != key:
        return f"MISREAD as a different expression: {text!r} is not {expected!r}"
    return None


@pytest.fixture(scope="module", params=CASES, ids=[f"{f}-{layout}" for f, layout in CASES])
def key_copy(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[ExerciseSet, list[Copied]]:
    if shutil.which("lualatex") is None or shutil.which("pdftotext") is None:
        pytest.skip("needs lualatex and pdftotext")
    form, layout = request.param
    students = [Student(f"s{seed}", f"Student {seed}") for seed in range(SEEDS)]
    families = len(eligible(SetOptions(form=form)))  # a count of one each
    exercise_set = make_set(SetOptions(form=form, layout=layout, count=families, seed=11),
                            students, check=False)
    directory = tmp_path_factory.mktemp(f"copy-{form}-{layout}")
    rendered = render(exercise_set, directory, kinds=("key",), split=False)
    return exercise_set, copied(exercise_set, pdf_text(rendered.combined["key"]))


@needs_tex
def test_every_family_is_in_the_key(key_copy: tuple[ExerciseSet, list[Copied]]) -> None:
    exercise_set, found = key_copy
    assert len(found) == sum(len(v.exercises) for v in exercise_set.variants)
    for variant in exercise_set.variants:
        assert len({e.family for e in variant.exercises}) == len(variant.exercises)


@needs_tex
def test_copied_answers_read_back_as_the_key(key_copy: tuple[ExerciseSet, list[Copied]]
                                             ) -> None:
    _, found = key_copy
    problems = [(c.exercise.family, problem) for c in found
                if (problem := same_or_refused(c.answer, c.exercise.answer, c.exercise.given))]
    assert not [p for p in problems if "MISREAD" in p[1]], problems
    assert problems == []  # the ASCII form is the printer's, which the parser reads


@needs_tex
def test_copied_functions_and_values_read_back(key_copy: tuple[ExerciseSet, list[Copied]]
                                               ) -> None:
    _, found = key_copy
    problems = []
    for c in found:
        problem = same_or_refused(c.function, c.exercise.function, c.exercise.given)
        if problem:
            problems.append((c.exercise.family, "function", problem))
        assert len(c.values) == len(c.exercise.values), (c.values, c.exercise.values)
        for text, (name, value) in zip(c.values, c.exercise.values, strict=True):
            problem = same_or_refused(text, value, "")
            if problem:
                problems.append((c.exercise.family, name, problem))
    assert problems == []


@needs_tex
def test_the_issue_example_copies_as_typed(tmp_path: Path) -> None:
    """4 det(X) X⁻¹ used to come out of the key as '4 det(X)X −1', read as 4 det(X) X - 1."""
    exercise_set = make_set(SetOptions(families=("determinant_inverse",), count=1, seed=3),
                            check=False)
    variant = exercise_set.variants[0]
    exercise = dataclasses.replace(variant.exercises[0], given="X[n,n]",
                                   answer="4 det(X) X^-1", answer_latex=r"4 \det(X) X^{-1}")
    exercise_set = dataclasses.replace(exercise_set, variants=(
        dataclasses.replace(variant, exercises=(exercise,)),))
    rendered = render(exercise_set, tmp_path, kinds=("key", "solutions"), split=False)
    for kind in ("key", "solutions"):
        lines = pdf_text(rendered.combined[kind]).splitlines()
        assert "4 det(X) X^-1" in [line.strip().removeprefix("Answer: ") for line in lines]
        assert not any("X −1" in line or "X-1" in line for line in lines)
    assert same_or_refused("4 det(X) X^-1", exercise.answer, exercise.given) is None
    assert "MISREAD" in str(same_or_refused("4 det(X)X −1", exercise.answer, exercise.given))


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                    reason="needs pdflatex and pdftotext")
def test_the_span_works_under_pdftex_too(tmp_path: Path) -> None:
    """The preamble picks the engine's literal primitive: pdfTeX's \\pdfliteral here."""
    source = tmp_path / "span.tex"
    formula = copyable(r"4 \det(X) X^{-1}", "4 det(X) X^-1")
    source.write_text("\n".join([r"\documentclass{article}", PREAMBLE, r"\begin{document}",
                                 rf"\[ {formula} \]", r"\end{document}"]))
    subprocess.run(["pdflatex", "-no-shell-escape", "-interaction=nonstopmode",
                    "-halt-on-error", source.name], cwd=tmp_path, capture_output=True,
                   check=True, stdin=subprocess.DEVNULL)
    assert "4 det(X) X^-1" in pdf_text(tmp_path / "span.pdf").splitlines()
