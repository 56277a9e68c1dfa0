"""Moodle XML export: the quiz's structure, every exported number against an independent
computation (grader.evaluation at the exercise's values; numpy at the values a symbolic
exercise's question states), STACK teacher answers evaluated by real Maxima, escaping of hostile
text, determinism, and a golden file."""

from __future__ import annotations

import html
import json
import os
import random
import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import lxml.html
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from generator.export.common import ExportError, matcalc_version
from generator.export.moodle import DIGITS_ASKED, TOLERANCE, latex_html, moodle_quiz
from generator.sets import SetOptions, Student, make_set
from grader.evaluation import Point, break_arguments, evaluate
from grader.exercise_set import FORMS, Exercise, ExerciseSet, Variant
from grader.language.parser import parse, parse_declarations
from grader.language.printing.latex import latex_name
from grader.numeric import NUMERIC_RELATIVE_TOLERANCE, margin
from tests.grader import numpy_oracle
from tests.maxima_tools import agrees, case_for, requires_maxima, run_maxima, sample

GOLDEN = Path(__file__).parent.parent / "golden" / "moodle_small.xml"
BLANK = re.compile(r"\{1:NUMERICAL:=([^:}]+):([^}]+)\}")
STUDENTS = (Student("s1", "Ada"), Student("s2", "Grace"))


def mixed_set(seed: int, count: int, students: tuple[Student, ...] = (),
              title: str = "Matrix calculus") -> ExerciseSet:
    """``count`` exercises of each form per variant, numbered q1, q2, ... across the forms."""
    parts = [make_set(SetOptions(form=form, count=count, seed=seed, title=title), students,
                      check=False) for form in FORMS]
    variants = []
    for index, variant in enumerate(parts[0].variants):
        exercises = [e for part in parts for e in part.variants[index].exercises]
        numbered = tuple(replace(e, id=f"q{k}") for k, e in enumerate(exercises, start=1))
        variants.append(replace(variant, exercises=numbered))
    return ExerciseSet(seed, "numerator", tuple(variants), title)


Exported = tuple[ExerciseSet, etree._Element, tuple[str, ...]]


@pytest.fixture(scope="module")
def exported() -> Exported:
    exercise_set = mixed_set(11, 5, STUDENTS)
    export = moodle_quiz(exercise_set)
    return exercise_set, etree.fromstring(export.data), export.notes


def _questions(quiz: etree._Element) -> list[etree._Element]:
    return [q for q in quiz if q.get("type") != "category"]


def _record(question: etree._Element) -> dict[str, object]:
    text = question.findtext("questiontext/text") or ""
    match = re.match(r"<!-- matcalc (\{.*?\}) -->", text)
    assert match, text[:200]
    record: dict[str, object] = json.loads(match.group(1))
    return record


def _exercise(exercise_set: ExerciseSet, question: etree._Element) -> tuple[Variant, Exercise]:
    record = _record(question)
    tags = {t.text or "" for t in question.iterfind("tags/tag/text")}
    owner = next(tag.removeprefix("variant:") for tag in tags if tag.startswith("variant:"))
    variant = next(v for v in exercise_set.variants if v.id == owner)
    return variant, next(e for e in variant.exercises if e.id == record["exercise"])


def _blanks(question: etree._Element) -> list[list[tuple[Fraction, Fraction]]]:
    """The blanks of a cloze question, row by row as laid out in its table."""
    fragment = lxml.html.fragment_fromstring(question.findtext("questiontext/text") or "",
                                             create_parent="div")
    tables = fragment.find_class("matcalc-answer")
    assert len(tables) == 1
    rows = []
    for row in tables[0].iter("tr"):
        cells = []
        for cell in row.iter("td"):
            match = BLANK.fullmatch(cell.text_content())
            assert match, cell.text_content()
            cells.append((Fraction(match.group(1)), Fraction(match.group(2))))
        rows.append(cells)
    return rows


def _check_blank(value: Fraction, tolerance: Fraction, expected: float | Fraction) -> None:
    """The blank's value is the expected one to the digits written, and its tolerance is
    the grader's margin, TOLERANCE × |value| (to the 3 digits written)."""
    exact = Fraction(expected)
    scale = abs(exact)
    assert abs(value - exact) <= Fraction(1, 10**9) * max(Fraction(1), scale), (value, exact)
    allowed = margin(exact)
    assert abs(tolerance - allowed) <= allowed / 100, (tolerance, exact)
    # What the students are asked for (DIGITS_ASKED significant digits) passes the tolerance.
    rounded = Fraction(f"{float(exact):.{DIGITS_ASKED - 1}e}")
    assert abs(rounded - value) <= tolerance, (rounded, value, tolerance)


# --- structure ----------------------------------------------------------------------------------


def test_a_category_per_family_then_its_questions(exported: Exported) -> None:
    exercise_set, quiz, _ = exported
    assert quiz.tag == "quiz" and quiz[0].get("type") == "category"
    families: list[str] = []
    current = None
    for element in quiz:
        if element.get("type") == "category":
            path = element.findtext("category/text") or ""
            assert path.startswith("$course$/top/matcalc/")
            current = path.rsplit("/", 1)[1]
            families.append(current)
        else:
            assert _record(element)["family"] == current
    assert families == sorted(set(families))
    exercises = [e for v in exercise_set.variants for e in v.exercises]
    assert set(families) == {e.family for e in exercises}
    assert len(_questions(quiz)) == len(exercises)


def test_question_types_follow_the_form(exported: Exported) -> None:
    exercise_set, quiz, _ = exported
    seen = set()
    for question in _questions(quiz):
        _, exercise = _exercise(exercise_set, question)
        expected = "stack" if exercise.form == "explicit" else "cloze"
        assert question.get("type") == expected, exercise.form
        seen.add(exercise.form)
    assert seen == set(FORMS)


def test_every_question_records_where_it_came_from(exported: Exported) -> None:
    exercise_set, quiz, _ = exported
    keys = set()
    for question in _questions(quiz):
        variant, exercise = _exercise(exercise_set, question)
        record = _record(question)
        assert record["seed"] == exercise.seed and record["difficulty"] == exercise.difficulty
        assert record["matcalc"] == matcalc_version() and record["variant_seed"] == variant.seed
        tags = {t.text for t in question.iterfind("tags/tag/text")}
        assert {f"exercise:{exercise.id}", f"variant:{variant.id}", f"seed:{exercise.seed}",
                f"family:{exercise.family}", f"difficulty:{exercise.difficulty}",
                f"matcalc-{matcalc_version()}"} <= tags
        idnumber = question.findtext("idnumber")
        assert idnumber == f"{variant.id}:{exercise.id}:{exercise.seed}"
        keys.add(idnumber)
        name = question.findtext("name/text") or ""
        assert name.startswith(f"{variant.id} {exercise.id} — {exercise.kind}")
    assert len(keys) == len(_questions(quiz))


def test_a_single_variant_names_questions_by_exercise_id() -> None:
    quiz = etree.fromstring(moodle_quiz(mixed_set(3, 1)).data)
    names = sorted(q.findtext("name/text") or "" for q in _questions(quiz))
    assert [name.split(" ")[0] for name in names] == ["q1", "q2", "q3"]


def test_notes_say_what_was_changed(exported: Exported) -> None:
    exercise_set, _, notes = exported
    symbolic = sum(e.form == "symbolic" for v in exercise_set.variants for e in v.exercises)
    assert any(note.startswith(f"{symbolic} symbolic exercise(s) exported as numeric instances")
               for note in notes)
    numeric_only = moodle_quiz(make_set(SetOptions(form="numeric", count=2), check=False))
    assert not any("symbolic" in note or "STACK" in note for note in numeric_only.notes)


# --- numbers ------------------------------------------------------------------------------------


def test_numeric_blanks_are_the_key_at_the_exercise_values(exported: Exported) -> None:
    exercise_set, quiz, _ = exported
    checked = 0
    for question in _questions(quiz):
        _, exercise = _exercise(exercise_set, question)
        if exercise.form != "numeric":
            continue
        values = {name: evaluate(parse(text), Point({}, {}), exact=True)
                  for name, text in exercise.values}
        key = evaluate(parse(exercise.answer, exercise.given), Point({}, values), exact=True)
        blanks = _blanks(question)
        assert [len(row) for row in blanks] == [key.cols] * key.rows
        assert (key.rows, key.cols) == tuple(int(d) for d in exercise.shape)
        for (value, tolerance), expected in zip((b for row in blanks for b in row), key.data,
                                                strict=True):
            _check_blank(value, tolerance, expected)
            checked += 1
    assert checked >= 10


def _stated_values(question: etree._Element, exercise: Exercise
                   ) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Sizes and values as the question states them in LaTeX, read back independently."""
    text = html.unescape(question.findtext("questiontext/text") or "")
    paragraph = re.search(r'<p class="matcalc-values">(.*?)</p>', text, re.S)
    assert paragraph, text[:300]
    declarations = parse_declarations(exercise.given)
    names = {latex_name(name, bold=shape.is_vector): name for name, shape in declarations.entries}
    sizes: dict[str, int] = {}
    values: dict[str, np.ndarray] = {}
    for statement in re.findall(r"\\\((.*?)\\\)", paragraph.group(1)):
        left, right = statement.split(" = ", 1)
        if left in declarations.dim_symbols:
            sizes[left] = int(right)
            continue
        matrix = re.fullmatch(r"\\begin\{bmatrix\}(.*)\\end\{bmatrix\}", right.strip())
        rows = matrix.group(1).split("\\\\") if matrix else [right]
        values[names[left]] = np.array([[float(c) for c in row.split("&")] for row in rows])
    return sizes, values


def test_symbolic_instances_agree_with_numpy_at_the_stated_values(exported: Exported) -> None:
    exercise_set, quiz, _ = exported
    checked = 0
    for question in _questions(quiz):
        _, exercise = _exercise(exercise_set, question)
        if exercise.form != "symbolic":
            continue
        sizes, values = _stated_values(question, exercise)
        declarations = parse_declarations(exercise.given)
        assert set(sizes) == set(declarations.dim_symbols)
        # distinct sizes where they can be: 2-3, or 2-4 with three size symbols
        assert set(sizes.values()) <= set(range(2, 2 + max(2, len(sizes))))
        assert set(values) == set(declarations.names)
        for name, shape in declarations.entries:
            assert values[name].shape == (shape.rows.evaluate(sizes), shape.cols.evaluate(sizes))
        recorded = _record(question)["values"]
        assert isinstance(recorded, dict)
        for name, value in values.items():
            written = evaluate(parse(str(recorded[name])), Point({}, {}), exact=True)
            assert np.array_equal(np.array(written.entries(), dtype=float).reshape(value.shape),
                                  value)
        tree = parse(exercise.answer, declarations)
        expected = numpy_oracle.evaluate(tree, numpy_oracle.Point(sizes, values)).v
        blanks = _blanks(question)
        assert (len(blanks), len(blanks[0])) == expected.shape
        for row, expected_row in zip(blanks, expected, strict=True):
            for (blank, tolerance), reference in zip(row, expected_row, strict=True):
                scale = abs(float(reference))
                assert abs(float(blank) - float(reference)) <= 1e-9 * max(1.0, scale), (
                    exercise.family, exercise.answer, blank, reference)
                allowed = float(TOLERANCE) * scale
                if float(reference) == int(float(reference)):
                    allowed = min(allowed, 0.49)
                assert abs(float(tolerance) - allowed) <= 1e-2 * allowed
        checked += 1
    assert checked >= 10


def _instance_point(question: etree._Element) -> Point:
    record = _record(question)
    sizes, values = record["sizes"], record["values"]
    assert isinstance(sizes, dict) and isinstance(values, dict)
    return Point(sizes, {name: evaluate(parse(str(text)), Point({}, {}), exact=True)
                         for name, text in values.items()})


def test_instances_keep_off_kinks_and_inside_the_domain() -> None:
    """At the stated values no relu/step/abs/max argument is 0 and the function is defined:
    real families, and made-up exercises whose kinks small integers hit often."""
    exercise_set = make_set(SetOptions(families=("activations", "neuron", "mlp", "least_squares",
                                                 "determinant_inverse"), count=15, seed=5),
                            check=False)
    base = exercise_set.variants[0].exercises[0]
    kinky = tuple(replace(base, id=f"k{seed}", seed=seed, given="a, b, c", wrt="a",
                          function="relu(a - b) + abs(b - c) + max(a, c) + log(a^2 + b^2)",
                          answer="step(a - b) + 1 + 2 a / (a^2 + b^2)")
                  for seed in range(20))
    variants = (*exercise_set.variants, replace(exercise_set.variants[0], id="k",
                                                exercises=kinky))
    exercise_set = replace(exercise_set, variants=variants)
    quiz = etree.fromstring(moodle_quiz(exercise_set).data)
    kinks = 0
    for question in _questions(quiz):
        _, exercise = _exercise(exercise_set, question)
        point = _instance_point(question)
        declarations = parse_declarations(exercise.given)
        function = parse(exercise.function, declarations)
        evaluate(function, point, exact=False)  # raises DomainError off the domain
        for argument in break_arguments(function, parse(exercise.answer, declarations)):
            kinks += 1
            assert all(v != 0 for v in evaluate(argument, point, exact=False).data), (
                exercise.function, point.values)
    assert kinks >= 60


def test_an_exercise_defined_nowhere_is_an_error() -> None:
    exercise_set = make_set(SetOptions(count=1), check=False)
    exercise = replace(exercise_set.variants[0].exercises[0], given="a", wrt="a",
                       function="log(a - a)", answer="1 / (a - a)")
    variant = replace(exercise_set.variants[0], exercises=(exercise,))
    with pytest.raises(ExportError,
                       match=r"variant v1, exercise q1 \(activations\): no values in \d+ draws "
                             r"make an informative key"):
        moodle_quiz(replace(exercise_set, variants=(variant,)))


# --- STACK --------------------------------------------------------------------------------------


def _teacher_answer(question: etree._Element) -> str:
    variables = question.findtext("questionvariables/text") or ""
    match = re.fullmatch(r"ta: (.+);", variables)
    assert match, variables
    return match.group(1)


def test_stack_questions_have_the_documented_elements(exported: Exported) -> None:
    exercise_set, quiz, _ = exported
    stack = [q for q in _questions(quiz) if q.get("type") == "stack"]
    assert len(stack) >= 10
    for question in stack:
        _, exercise = _exercise(exercise_set, question)
        text = question.findtext("questiontext/text") or ""
        assert text.count("[[input:ans1]]") == 1 and text.count("[[validation:ans1]]") == 1
        assert question.findtext("specificfeedback/text") == "[[feedback:prt1]]"
        matrix = exercise.shape != ("1", "1")
        assert question.findtext("input/name") == "ans1"
        assert question.findtext("input/type") == ("matrix" if matrix else "algebraic")
        assert question.findtext("input/tans") == "ta"
        assert _teacher_answer(question).startswith("matrix([") == matrix
        assert question.findtext("prt/name") == "prt1"
        nodes = question.findall("prt/node")
        assert len(nodes) == 1
        node = nodes[0]
        assert [node.findtext(tag) for tag in ("answertest", "sans", "tans", "truescore",
                                               "falsescore")] == ["AlgEquiv", "ans1", "ta",
                                                                  "1", "0"]
        assert (question.findtext("deployedseed") or "").isdigit()
        assert question.findtext("qtest/testinput/value") == "ta"
        assert question.findtext("qtest/expected/expectedscore") == "1.0000000"
        feedback = question.findtext("generalfeedback/text") or ""
        assert "Worked solution" in feedback
        steps = [latex_html(step) for step in exercise.steps_latex]
        assert all(step in feedback for step in steps)


@requires_maxima
def test_stack_teacher_answers_agree_with_the_key_in_maxima(exported: Exported) -> None:
    """``ta`` as exported, evaluated by Maxima at random points, against the key evaluated by
    grader.evaluation (one Maxima run for every STACK question)."""
    exercise_set, quiz, _ = exported
    rng = random.Random(7)
    pending = []
    for question in _questions(quiz):
        if question.get("type") != "stack":
            continue
        _, exercise = _exercise(exercise_set, question)
        declarations = parse_declarations(exercise.given)
        for _ in range(2):
            drawn = sample(parse(exercise.answer, declarations), declarations, rng)
            assert drawn is not None
            point, value, exact = drawn
            pending.append((exercise.answer, case_for(_teacher_answer(question), point, exact),
                            value, exact))
    outcomes = run_maxima([case for _, case, _, _ in pending])
    wrong = [f"{answer}: {case.expression} at {case.bindings} gave {outcome.text}"
             for (answer, case, value, exact), outcome in zip(pending, outcomes, strict=True)
             if not agrees(value, outcome, exact)]
    assert len(pending) >= 20 and not wrong, "\n".join(wrong)


# --- text ---------------------------------------------------------------------------------------


def test_latex_becomes_mathjax_html() -> None:
    assert latex_html("Find $f = a < b$ and $$x \\& y$$ (Parr \\& Howard).") == \
        "Find \\(f = a &lt; b\\) and \\[x \\&amp; y\\] (Parr &amp; Howard)."
    assert latex_html("$\\begin{bmatrix} 1 & 2 \\end{bmatrix}$") == \
        "\\(\\begin{bmatrix} 1 &amp; 2 \\end{bmatrix}\\)"
    assert latex_html("costs \\$5, ~ok") == "costs &#36;5, \u00a0ok"


HOSTILE = "</text>]]><script>alert(1)</script> & ü 数学 {1:NUMERICAL:=1} [[input:x]] $$x$$ @y@"


def test_hostile_titles_and_names_are_escaped() -> None:
    students = (Student("a&b<c>]]>--x", HOSTILE), Student("plain", "Zoë"))
    exercise_set = mixed_set(4, 1, students, title=HOSTILE)
    data = moodle_quiz(exercise_set).data
    quiz = etree.fromstring(data)  # still well-formed
    assert b"<script>" not in data
    for question in _questions(quiz):
        variant, exercise = _exercise(exercise_set, question)
        text = question.findtext("questiontext/text") or ""
        assert "<script>" not in text and "[[input:x]]" not in text
        fragment = lxml.html.fragment_fromstring(text, create_parent="div")
        context = fragment.find_class("matcalc-context")[0].text_content()
        assert context == HOSTILE  # shared question banks never show whose variant it is
        assert variant.name not in text
        assert "$$x$$" not in text and "@y@" not in text  # for MathJax and STACK: plain text
        if question.get("type") == "cloze":
            entries = len(BLANK.findall(text))
            assert entries == sum(len(row) for row in _blanks(question))
            assert text.count("{1:NUMERICAL:") == entries
        else:
            assert text.count("[[") == 2  # the input and its validation, nothing else
        assert _record(question)["variant_seed"] == variant.seed
        assert question.findtext("idnumber") == f"{variant.id}:{exercise.id}:{exercise.seed}"
        assert f"variant:{variant.id}" in {t.text for t in question.iterfind("tags/tag/text")}


def test_unknown_forms_and_empty_sets_are_errors() -> None:
    exercise_set = make_set(SetOptions(form="numeric", count=1), check=False)
    variant = exercise_set.variants[0]
    odd = replace(variant, exercises=(replace(variant.exercises[0], form="oral"),))
    with pytest.raises(ExportError, match=r"exercise q1 .*unknown form 'oral'"):
        moodle_quiz(replace(exercise_set, variants=(odd,)))
    with pytest.raises(ExportError, match="no exercises"):
        moodle_quiz(replace(exercise_set, variants=()))


# --- determinism and the golden file ------------------------------------------------------------


def test_the_same_set_gives_the_same_bytes() -> None:
    first = mixed_set(8, 2, STUDENTS)
    again = ExerciseSet.loads(mixed_set(8, 2, STUDENTS).dumps())
    assert moodle_quiz(first).data == moodle_quiz(again).data


def test_golden_file() -> None:
    data = moodle_quiz(mixed_set(2026, 2)).data
    if os.environ.get("MATCALC_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_bytes(data)
    assert GOLDEN.exists(), f"{GOLDEN} is missing; run with MATCALC_UPDATE_GOLDEN=1 to write it"
    expected = GOLDEN.read_bytes()
    if data != expected:
        old, new = expected.decode().splitlines(), data.decode().splitlines()
        line = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                    min(len(old), len(new)))
        pytest.fail(
            f"the Moodle export of the golden set changed (first difference at line {line + 1}:"
            f"\n  golden: {old[line] if line < len(old) else '<end>'}"
            f"\n  now:    {new[line] if line < len(new) else '<end>'}).\nIf the change is "
            f"intended, rewrite it with MATCALC_UPDATE_GOLDEN=1 and review the diff of {GOLDEN}.")



@given(st.fractions(min_value=-1000, max_value=1000, max_denominator=1000))
def test_the_blanks_use_the_graders_tolerance(value: Fraction) -> None:
    """One relative tolerance everywhere: what students are asked for (DIGITS_ASKED
    significant figures) passes, and 0 passes only for a zero entry."""
    assert TOLERANCE == NUMERIC_RELATIVE_TOLERANCE
    rounded = Fraction(f"{float(value):.{DIGITS_ASKED - 1}e}")
    assert abs(rounded - value) <= TOLERANCE * abs(value)
    assert (abs(0 - value) <= TOLERANCE * abs(value)) == (value == 0)
