"""Moodle XML quizzes: cloze questions for numbers, STACK questions for explicit expressions.

The quiz holds one category per family (``$course$/top/matcalc/<family>``), each followed by
that family's questions from every variant of the set.

* Numeric exercises become cloze questions (Moodle's "embedded answers", ``type="cloze"``, the
  type name Moodle's own exporter writes for multianswer questions): one NUMERICAL blank per
  entry of the answer, laid out as the matrix in an HTML table.  A blank accepts values within
  :data:`TOLERANCE` × |value| of the exact value, less than 1/2 for a whole number (the
  grader's tolerance, so a zero entry must be 0), which is written with :data:`DIGITS`
  significant digits.
* Explicit exercises (matrices of scalar expressions in scalar variables) become STACK questions:
  the teacher's answer ``ta`` in Maxima, one input (``matrix`` or ``algebraic``) and a
  potential response tree with a single ``AlgEquiv`` node.  They need the STACK question type.
* Symbolic exercises (matrix expressions of symbolic size) can be graded by neither, so each is
  exported as a numeric instance: sizes 2 or 3 and small integer values drawn from the
  exercise's seed (square matrices diagonally dominant, so invertible; points where the
  function or the answer is undefined, or on a kink of relu/abs/step/max, are redrawn); the
  question states the values, and the answer is evaluated exactly where it is rational.

Every question records where it came from (exercise and variant id, seeds, family, difficulty,
matcalc version) in its ``idnumber`` and tags, and all but the variant id in a JSON comment at
the top of its text, so it can be rebuilt.  Question text never names the student or their id:
a question drawn at random from a family's category is seen by the whole class.  The same set
always gives the same bytes.
"""

from __future__ import annotations

import html
import json
import re
from fractions import Fraction
from typing import Any

from lxml import etree

from generator.export.common import Export, ExportError, decimal_text, matcalc_version
from generator.export.instances import NumericInstance, numeric_instance
from generator.families import registry
from grader.errors import MatcalcError
from grader.exercise_set import Exercise, ExerciseSet, Variant
from grader.language import nodes as n
from grader.language.parser import parse
from grader.language.printing import MaximaError, print_latex, print_maxima
from grader.numeric import NUMERIC_RELATIVE_TOLERANCE, margin, tolerance_percent

#: A blank accepts |answer - value| <= TOLERANCE * |value| (under 1/2 for a whole number): the
#: grader's tolerance (:func:`grader.numeric.margin`).
TOLERANCE = NUMERIC_RELATIVE_TOLERANCE
#: Significant digits of the value written into each blank (and shown in feedback).
DIGITS = 15
#: The significant digits students are asked for; TOLERANCE leaves room for that rounding.
DIGITS_ASKED = 5
#: The STACK version whose XML this follows (castext with ``{@...@}`` and ``[[...]]`` blocks).
STACK_VERSION = "2025030700"
#: Moodle's limits on question names, idnumbers and tags.
NAME_LENGTH, IDNUMBER_LENGTH, TAG_LENGTH = 255, 100, 50


def moodle_quiz(exercise_set: ExerciseSet) -> Export:
    """The set as a Moodle XML quiz (UTF-8 bytes), with notes on what was changed and why."""
    if not any(variant.exercises for variant in exercise_set.variants):
        raise ExportError("the set has no exercises to export")
    single = len(exercise_set.variants) == 1
    by_family: dict[str, list[etree._Element]] = {}
    counts = {"symbolic": 0, "explicit": 0}
    for variant in exercise_set.variants:
        for exercise in variant.exercises:
            where = f"variant {variant.id}, exercise {exercise.id} ({exercise.family})"
            try:
                question = _question(exercise_set, variant, exercise, single)
            except ExportError as problem:  # it names the exercise already
                raise ExportError(f"variant {variant.id}, {problem}") from None
            except (MatcalcError, ArithmeticError) as problem:  # DomainError is arithmetic
                raise ExportError(f"{where}: {problem}") from None
            by_family.setdefault(exercise.family, []).append(question)
            if exercise.form in counts:
                counts[exercise.form] += 1
    quiz = etree.Element("quiz")
    for family in sorted(by_family):
        quiz.append(_category(family))
        quiz.extend(by_family[family])
    data = etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Export(data, _notes(counts))


def _notes(counts: dict[str, int]) -> tuple[str, ...]:
    notes = []
    if counts["symbolic"]:
        notes.append(
            f"{counts['symbolic']} symbolic exercise(s) exported as numeric instances (sizes "
            "and values chosen per exercise; the values are stated in each question)")
    if counts["explicit"]:
        notes.append(
            f"{counts['explicit']} explicit exercise(s) exported as STACK questions; importing "
            "them needs the STACK question type (qtype_stack) on the Moodle site")
    notes.append(f"numeric blanks accept answers within {tolerance_percent()} of the exact "
                 "value (relative, so a zero entry must be 0), as matcalc's grader does")
    notes.append("Moodle gives a cloze question one mark per blank: set each question's "
                 "maximum mark in the quiz (e.g. to 1) so that large matrices don't outweigh "
                 "the rest")
    return tuple(notes)


# --- XML helpers ----------------------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, text: str | None = None,
         **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _text(parent: etree._Element, tag: str, text: str, html_format: bool = False
          ) -> etree._Element:
    """``<tag><text>...</text></tag>``; HTML goes in CDATA unless it can't (``]]>`` inside)."""
    element = _sub(parent, tag, format="html") if html_format else _sub(parent, tag)
    inner = _sub(element, "text")
    inner.text = etree.CDATA(text) if html_format and text and "]]>" not in text else text
    return element


def _category(family: str) -> etree._Element:
    question = etree.Element("question", type="category")
    # In a category path "/" separates levels; a literal one is written "//".
    _text(question, "category", f"$course$/top/matcalc/{family.replace('/', '//')}")
    known = registry().get(family)
    title = known.title if known is not None else family
    _text(question, "info", f"<p>{_user_span(title)}</p>", html_format=True)
    return question


def _question(exercise_set: ExerciseSet, variant: Variant, exercise: Exercise,
              single: bool) -> etree._Element:
    if exercise.form == "explicit":
        return _stack(exercise_set, variant, exercise, single)
    if exercise.form in ("numeric", "symbolic"):
        return _cloze(exercise_set, variant, exercise, single, numeric_instance(exercise))
    raise ExportError(f"exercise {exercise.id} ({exercise.family}): unknown form "
                      f"{exercise.form!r}")


def _header(question: etree._Element, exercise_set: ExerciseSet, variant: Variant,
            exercise: Exercise, single: bool, text: str, feedback: str) -> None:
    """The elements every question type starts with (Moodle's import_headers)."""
    label = exercise.id if single else f"{variant.id} {exercise.id}"
    name = f"{label} — {exercise.kind} ({exercise.family})"
    name_element = _sub(question, "name")
    _sub(name_element, "text", _clip(name, NAME_LENGTH))
    _text(question, "questiontext", text, html_format=True)
    _text(question, "generalfeedback", feedback, html_format=True)


def _record(exercise_set: ExerciseSet, variant: Variant, exercise: Exercise,
            instance: NumericInstance | None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "format": "matcalc-moodle/1", "matcalc": matcalc_version(), "set_seed": exercise_set.seed,
        "variant_seed": variant.seed, "exercise": exercise.id,
        "seed": exercise.seed, "family": exercise.family, "difficulty": exercise.difficulty,
        "form": exercise.form, "layout": exercise.layout,
    }
    if instance is not None and instance.converted:
        record["sizes"] = dict(sorted(instance.sizes))
        record["values"] = dict(sorted(instance.values))
    return record


def _comment(record: dict[str, Any]) -> str:
    """An HTML comment holding the record as JSON."""
    return f"<!-- matcalc {_json(record)} -->"


def _json(value: Any) -> str:
    """JSON whose strings have every character that could end an HTML comment or mean something
    to Moodle's cloze parser, STACK's castext or MathJax written as a ``\\u`` escape."""
    if isinstance(value, dict):
        items = (f"{_json(str(key))}: {_json(item)}" for key, item in sorted(value.items()))
        return "{" + ", ".join(items) + "}"
    if not isinstance(value, str):
        return json.dumps(value)
    text = json.dumps(value, ensure_ascii=True)
    for character in "<>&@#[]{}$":
        text = text.replace(character, f"\\u{ord(character):04x}")
    while "--" in text:
        text = text.replace("--", "-\\u002d")
    return text


def _idnumber(question: etree._Element, variant: Variant, exercise: Exercise) -> None:
    """Unique within the family's category: variant, exercise and seed (the variant id is
    shortened if the whole would pass Moodle's limit)."""
    tail = f"{exercise.id}:{exercise.seed}"
    _sub(question, "idnumber", _clip(f"{variant.id}:", IDNUMBER_LENGTH - len(tail)) + tail)


def _tags(question: etree._Element, exercise_set: ExerciseSet, variant: Variant,
          exercise: Exercise) -> None:
    """The record in the form Moodle shows in its question bank."""
    tags = _sub(question, "tags")
    for tag in ("matcalc", f"matcalc-{matcalc_version()}", f"family:{exercise.family}",
                f"difficulty:{exercise.difficulty}", f"form:{exercise.form}",
                f"exercise:{exercise.id}", f"variant:{variant.id}", f"seed:{exercise.seed}",
                f"set-seed:{exercise_set.seed}"):
        _sub(_sub(tags, "tag"), "text", _clip(tag, TAG_LENGTH))


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: max(0, length - 1)] + "…"


# --- cloze (numbers) ------------------------------------------------------------------------


def _cloze(exercise_set: ExerciseSet, variant: Variant, exercise: Exercise, single: bool,
           instance: NumericInstance) -> etree._Element:
    question = etree.Element("question", type="cloze")
    parts = [
        _comment(_record(exercise_set, variant, exercise, instance)),
        _context(exercise_set, variant),
        f"<p>{latex_html(exercise.prompt_latex)}</p>",
    ]
    if instance.converted:
        parts.append(_values_html(instance))
    parts.append(f"<p>Enter each entry as a decimal within {tolerance_percent()} of its exact "
                 f"value ({DIGITS_ASKED} significant figures are enough; a zero entry is 0), "
                 "or exactly.</p>")
    parts.append(_blanks(instance.answer))
    feedback = _steps_html(exercise)
    if instance.converted:
        at = _escape(_grid_latex(instance.answer, instance.exact))
        feedback += f"<p>At these values: \\({at}\\).</p>"
    _header(question, exercise_set, variant, exercise, single, "\n".join(parts), feedback)
    _sub(question, "penalty", "0.3333333")
    _sub(question, "hidden", "0")
    _idnumber(question, variant, exercise)
    _tags(question, exercise_set, variant, exercise)
    return question


def _blanks(answer: tuple[tuple[Fraction, ...], ...]) -> str:
    rows = ["<tr>" + "".join(f"<td>{_blank(v)}</td>" for v in row) + "</tr>" for row in answer]
    style = "border-left: 2px solid; border-right: 2px solid; border-collapse: separate;"
    return f'<table class="matcalc-answer" style="{style}">{"".join(rows)}</table>'


def _blank(value: Fraction) -> str:
    tolerance = margin(value)  # the grader's: TOLERANCE × |value|, under 1/2 for whole numbers
    return f"{{1:NUMERICAL:={decimal_text(value, DIGITS)}:{decimal_text(tolerance, 3)}}}"


def _values_html(instance: NumericInstance) -> str:
    sizes = [f"\\({size_name} = {size}\\)" for size_name, size in instance.sizes]
    values = [f"\\({_escape(name)} = {_escape(value)}\\)" for name, value in instance.values_latex]
    return f'<p class="matcalc-values">Use {", ".join(sizes + values)}.</p>'


def _grid_latex(answer: tuple[tuple[Fraction, ...], ...], exact: bool) -> str:
    def entry(value: Fraction) -> str:
        return print_latex(n.Number(value)) if exact else decimal_text(value, DIGITS)

    if len(answer) == 1 and len(answer[0]) == 1:
        return entry(answer[0][0])
    rows = " \\\\ ".join(" & ".join(entry(v) for v in row) for row in answer)
    return f"\\begin{{bmatrix}} {rows} \\end{{bmatrix}}"


# --- STACK (explicit expressions) -----------------------------------------------------------


def _stack(exercise_set: ExerciseSet, variant: Variant, exercise: Exercise,
           single: bool) -> etree._Element:
    key = parse(exercise.answer, exercise.given)
    try:
        teacher = print_maxima(key)
    except MaximaError as problem:
        raise ExportError(f"the answer can't be written for STACK: {problem}") from None
    shape = key.typed_shape
    matrix = not shape.is_scalar
    if matrix:
        rows, cols = shape.rows.coefficient, shape.cols.coefficient
        how = (f"Enter the {rows} × {cols} matrix entry by entry, in Maxima syntax "
               "(<code>*</code> for products, <code>^</code> for powers).")
    else:
        how = "Enter an expression in Maxima syntax (<code>*</code> for products)."
    text = "\n".join([
        _comment(_record(exercise_set, variant, exercise, None)),
        _context(exercise_set, variant),
        f"<p>{_castext_safe(latex_html(exercise.prompt_latex))}</p>",
        f"<p>{how}</p>",
        "<p>[[input:ans1]] [[validation:ans1]]</p>",
    ])
    question = etree.Element("question", type="stack")
    _header(question, exercise_set, variant, exercise, single, text,
            _castext_safe(_steps_html(exercise)))
    _sub(question, "defaultgrade", "1")
    _sub(question, "penalty", "0.1")
    _sub(question, "hidden", "0")
    _idnumber(question, variant, exercise)
    _text(question, "stackversion", STACK_VERSION)
    _text(question, "questionvariables", f"ta: {teacher};")
    _text(question, "specificfeedback", "[[feedback:prt1]]", html_format=True)
    _text(question, "questionnote", "{@ta@}", html_format=True)
    _text(question, "questiondescription", "", html_format=True)
    for tag, value in (("questionsimplify", "1"), ("assumepositive", "0"), ("assumereal", "0")):
        _sub(question, tag, value)
    _text(question, "prtcorrect", "Correct answer, well done.", html_format=True)
    _text(question, "prtpartiallycorrect", "Your answer is partially correct.", html_format=True)
    _text(question, "prtincorrect", "Incorrect answer.", html_format=True)
    for tag, value in (("decimals", "."), ("scientificnotation", "*10"),
                       ("multiplicationsign", "dot"), ("sqrtsign", "1"), ("complexno", "i"),
                       ("inversetrig", "cos-1"), ("logicsymbol", "lang"), ("matrixparens", "[")):
        _sub(question, tag, value)
    _sub(question, "variantsselectionseed", "")
    _input(question, matrix)
    _prt(question)
    # The question has no random variables; one deployed variant, numbered from the seed
    # (STACK stores it as a 32-bit integer).
    _sub(question, "deployedseed", str(exercise.seed % 2**31))
    _qtest(question)
    _tags(question, exercise_set, variant, exercise)
    return question


def _input(question: etree._Element, matrix: bool) -> None:
    element = _sub(question, "input")
    for tag, value in (
        ("name", "ans1"), ("type", "matrix" if matrix else "algebraic"), ("tans", "ta"),
        ("boxsize", "8" if matrix else "25"), ("strictsyntax", "1"), ("insertstars", "1"),
        ("syntaxhint", ""), ("syntaxattribute", "0"), ("forbidwords", ""), ("allowwords", ""),
        ("forbidfloat", "1"), ("requirelowestterms", "0"), ("checkanswertype", "1"),
        ("mustverify", "1"), ("showvalidation", "1"), ("options", ""),
    ):
        _sub(element, tag, value)


def _prt(question: etree._Element) -> None:
    prt = _sub(question, "prt")
    for tag, value in (("name", "prt1"), ("value", "1.0000000"), ("autosimplify", "1"),
                       ("feedbackstyle", "1")):
        _sub(prt, tag, value)
    _text(prt, "feedbackvariables", "")
    node = _sub(prt, "node")
    for tag, value in (("name", "0"), ("description", ""), ("answertest", "AlgEquiv"),
                       ("sans", "ans1"), ("tans", "ta"), ("testoptions", ""), ("quiet", "0"),
                       ("truescoremode", "="), ("truescore", "1"), ("truepenalty", ""),
                       ("truenextnode", "-1"), ("trueanswernote", "prt1-1-T")):
        _sub(node, tag, value)
    _text(node, "truefeedback", "", html_format=True)
    for tag, value in (("falsescoremode", "="), ("falsescore", "0"), ("falsepenalty", ""),
                       ("falsenextnode", "-1"), ("falseanswernote", "prt1-1-F")):
        _sub(node, tag, value)
    _text(node, "falsefeedback", "", html_format=True)


def _qtest(question: etree._Element) -> None:
    """STACK's own question test: the teacher's answer gets full marks."""
    test = _sub(question, "qtest")
    _sub(test, "testcase", "1")
    _sub(test, "description", "")
    given = _sub(test, "testinput")
    _sub(given, "name", "ans1")
    _sub(given, "value", "ta")
    expected = _sub(test, "expected")
    for tag, value in (("name", "prt1"), ("expectedscore", "1.0000000"),
                       ("expectedpenalty", "0.0000000"), ("expectedanswernote", "prt1-1-T")):
        _sub(expected, tag, value)


def _castext_safe(text: str) -> str:
    """Keep STACK from reading generated text as its own blocks (``[[...]]``, ``{@...@}``)."""
    return text.replace("[[", "&#91;[").replace("{@", "&#123;@").replace("{#", "&#123;#")


# --- text -----------------------------------------------------------------------------------


def _context(exercise_set: ExerciseSet, variant: Variant) -> str:
    """The set's title.  Never the student's name or id: a question drawn at random from its
    family's category is seen by classmates (the question's name, idnumber and tags, which
    only teachers see, say whose variant it is)."""
    return f'<p class="matcalc-context"><em>{_user_span(exercise_set.title)}</em></p>'


def _steps_html(exercise: Exercise) -> str:
    steps = "".join(f"<p>{latex_html(step)}</p>" for step in exercise.steps_latex)
    answer = f"<p>Answer: \\({_escape(exercise.answer_latex)}\\)</p>"
    return f"<p><strong>Worked solution</strong></p>{steps}{answer}"


_USER_ENTITIES = {ord(c): f"&#{ord(c)};" for c in "{}[]@$\\"}


def _user(text: str) -> str:
    """Plain text for HTML: escaped, and with the characters that Moodle's cloze parser, STACK's
    castext or MathJax would act on written as character references."""
    return html.escape(text, quote=False).translate(_USER_ENTITIES)


def _user_span(text: str) -> str:
    """Names and titles: escaped, and marked for MathJax to leave alone (the browser decodes
    the character references before MathJax reads the page)."""
    return f'<span class="nolink tex2jax_ignore mathjax_ignore">{_user(text)}</span>'


def _escape(latex: str) -> str:
    """LaTeX inside HTML: ``&``, ``<`` and ``>`` escaped (MathJax reads the decoded text); a
    cloze-like ``{1:`` can't occur in printed LaTeX, but is defused all the same."""
    return re.sub(r"\{(\d*:)", r"&#123;\1", html.escape(latex, quote=False))


_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.DOTALL)
_TEXT_ESCAPES = {"\\&": "&", "\\%": "%", "\\#": "#", "\\$": "$", "\\_": "_", "\\{": "{",
                 "\\}": "}", "~": "\u00a0"}


def latex_html(text: str) -> str:
    """A worksheet's LaTeX text as HTML for Moodle's MathJax filter: ``$..$`` → ``\\(..\\)``,
    ``$$..$$`` → ``\\[..\\]``, text-mode escapes (``\\&``) undone and the rest HTML-escaped."""
    parts: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        parts.append(_plain(text[position:match.start()]))
        display, inline = match.group(1), match.group(2)
        if display is not None:
            parts.append(f"\\[{_escape(display)}\\]")
        else:
            parts.append(f"\\({_escape(inline)}\\)")
        position = match.end()
    parts.append(_plain(text[position:]))
    return "".join(parts)


def _plain(text: str) -> str:
    for escaped, character in _TEXT_ESCAPES.items():
        text = text.replace(escaped, character)
    return _user(text)
