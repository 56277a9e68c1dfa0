"""Canvas quizzes: an exercise set as a QTI 1.2 package in Canvas's flavour (a .zip).

The package holds ``imsmanifest.xml`` and, per quiz, ``<id>/<id>.xml`` (questestinterop ›
assessment › section › item) and ``<id>/assessment_meta.xml`` (Canvas's quiz settings).  Each
variant of the set (one per student) is its own quiz, since a QTI import can't hand different
questions to different students; the instructor assigns each quiz to its student.

Canvas grades numbers only, one per question: every exercise becomes one
``numerical_question`` per entry of its answer, in order, each worth 1/k of the exercise's
point (an exercise is worth 1).  The entries are not put in a Canvas question group, because a
group shows its questions in random order, and each question repeats the whole statement, so
that it stands alone when the quiz shows one question at a time.  Symbolic and explicit
exercises are asked at concrete numbers (:mod:`generator.export.instances`); the notes of the
export list them.

Tolerance: an answer ``a`` to an entry whose exact value is ``v`` scores if
``|a - v| <= TOLERANCE * |v|``, the grader's tolerance for decimals (so a zero entry must be
0); for a whole number the margin is at most ``CAP``, so that a neighbour is never accepted.
The bounds are printed with :data:`DIGITS` significant digits, rounded outwards, so the exact
value is always inside.

Every item records where it came from (the exercise, its variant, seed, family, difficulty and
the matcalc version) in its title, ident, a ``qticomment`` and ``matcalc_*`` metadata fields.
The same set gives the same bytes (with the same zlib): fixed zip timestamps and attributes,
entries sorted.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR
from fractions import Fraction

from lxml import etree

from generator.export.common import Export, ExportError, decimal_text, matcalc_version
from generator.export.instances import FLOAT_DIGITS, NumericInstance, numeric_instance
from grader.exercise_set import Exercise, ExerciseSet, Variant
from grader.numeric import (
    NUMERIC_RELATIVE_TOLERANCE,
    WHOLE_NUMBER_MARGIN,
    margin,
    tolerance_percent,
)

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
LOM_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"
LOM_XSD = "http://www.imsglobal.org/xsd/imsmd_v1p2p2.xsd"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
CANVAS_XSD = "https://canvas.instructure.com/xsd/cccv1p0.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_RESOURCE = "imsqti_xmlv1p2"
META_RESOURCE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"
NON_CC_FOLDER = "non_cc_assessments"

#: Relative tolerance: the grader's.
TOLERANCE = NUMERIC_RELATIVE_TOLERANCE
#: Largest tolerance for a whole-number value: below half a unit, so 20001 is not accepted for
#: 20000 (students are told to enter whole numbers exactly).
CAP = WHOLE_NUMBER_MARGIN
#: Significant digits of the printed value and bounds.
DIGITS = 12
#: Zip entry time (the earliest a zip can hold): the same set gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: The kinds of note an export summarises, one line each with its count.
CONVERTED_NOTE = ("symbolic or explicit: asked at concrete sizes and values, stated in each "
                  "question")
IRRATIONAL_NOTE = ("with irrational answers: the questions hold them to "
                   f"{FLOAT_DIGITS} significant digits")
#: Longest quiz title Canvas keeps.
TITLE_LENGTH = 255
ANSWER_HINT = (f"Type a number: a whole number exactly, any other as a decimal within "
               f"{tolerance_percent()} of its exact value (five significant figures are "
               f"enough: 0.33333 for 1/3; a zero entry is 0).")
TOLERANCE_NOTE = (
    f"Canvas accepts an entry within {tolerance_percent()} of its exact value (relative, so a "
    f"zero entry must be 0), as matcalc's grader does; whole numbers must be exact; "
    f"each exercise is worth 1 point, split equally between the entries of its answer.")

_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class _Quiz:
    ident: str
    title: str
    variant: Variant
    instances: tuple[tuple[Exercise, NumericInstance], ...]


def canvas_package(exercise_set: ExerciseSet) -> Export:
    """The set as a Canvas QTI .zip (Settings › Import Course Content › QTI .zip file)."""
    if not exercise_set.variants or not any(v.exercises for v in exercise_set.variants):
        raise ExportError("the set has no exercises to export")
    version = matcalc_version()
    kinds: Counter[str] = Counter()
    quizzes: list[_Quiz] = []
    single = len(exercise_set.variants) == 1
    for variant in exercise_set.variants:
        instances = []
        for exercise in variant.exercises:
            instance = numeric_instance(exercise)
            instances.append((exercise, instance))
            if instance.converted:
                kinds[CONVERTED_NOTE] += 1
            if not instance.exact:
                kinds[IRRATIONAL_NOTE] += 1
        quizzes.append(_Quiz(_quiz_ident(exercise_set, variant),
                             _quiz_title(exercise_set, variant, single), variant,
                             tuple(instances)))
    idents = [q.ident for q in quizzes]
    if len(set(idents)) != len(idents):
        raise ExportError("two variants have the same id, seed and exercises; give each its "
                          "own id")
    files: dict[str, bytes] = {"imsmanifest.xml": _serialize(_manifest(exercise_set, quizzes)),
                               # the folder Canvas's own exports keep quizzes in; text2qti's
                               # packages, which Canvas imports, carry it empty too
                               f"{NON_CC_FOLDER}/": b""}
    for quiz in quizzes:
        files[f"{quiz.ident}/{quiz.ident}.xml"] = _serialize(
            _assessment(exercise_set, quiz, version))
        files[f"{quiz.ident}/assessment_meta.xml"] = _serialize(
            _assessment_meta(exercise_set, quiz, version))
    questions = sum(i.rows * i.cols for q in quizzes for _, i in q.instances)
    summary = (f"{len(quizzes)} Canvas quiz{'zes' if len(quizzes) != 1 else ''} with "
               f"{questions} questions in all, one per entry of each answer"
               + ("" if single else "; one quiz per variant: assign each to its student"))
    notes = tuple(f"{count} exercise{'s' if count != 1 else ''} {what}"
                  for what, count in sorted(kinds.items()))
    return Export(_zip(files), (summary, TOLERANCE_NOTE, *notes))


# --- the assessment ------------------------------------------------------------------------


def _assessment(exercise_set: ExerciseSet, quiz: _Quiz, version: str) -> etree._Element:
    root = etree.Element(f"{{{QTI_NS}}}questestinterop", nsmap={None: QTI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
    assessment = _sub(root, "assessment", ident=quiz.ident, title=quiz.title)
    _metadata(_sub(assessment, "qtimetadata"), [("cc_maxattempts", "1")])
    section = _sub(assessment, "section", ident=f"{quiz.ident}_root")
    for position, (exercise, instance) in enumerate(quiz.instances, start=1):
        for row, col, value in instance.entries():
            section.append(_item(exercise_set, quiz, position, exercise, instance,
                                 (row, col, value), version))
    return root


def _item(exercise_set: ExerciseSet, quiz: _Quiz, position: int, exercise: Exercise,
          instance: NumericInstance, entry: tuple[int, int, Fraction],
          version: str) -> etree._Element:
    row, col, value = entry
    count = instance.rows * instance.cols
    scalar = count == 1
    where = "" if scalar else f" entry ({row}, {col})"
    ident = f"{quiz.ident}_{position:03d}_{_safe(exercise.id)}_r{row}c{col}"
    item = etree.Element(f"{{{QTI_NS}}}item", ident=ident,
                         title=_clean(f"{exercise.id}{where}")[:TITLE_LENGTH])
    origin = (f"matcalc {version}; variant {quiz.variant.id}; exercise {exercise.id}; "
              f"family {exercise.family}; difficulty {exercise.difficulty}; "
              f"seed {exercise.seed}; form {exercise.form}; layout {exercise.layout}")
    _sub(item, "qticomment").text = _clean(origin)
    fields = [
        ("question_type", "numerical_question"),
        ("points_possible", _points(count)),
        ("matcalc_version", version),
        ("matcalc_set_seed", str(exercise_set.seed)),
        ("matcalc_variant", quiz.variant.id),
        ("matcalc_variant_seed", str(quiz.variant.seed)),
        ("matcalc_exercise", exercise.id),
        ("matcalc_family", exercise.family),
        ("matcalc_difficulty", str(exercise.difficulty)),
        ("matcalc_seed", str(exercise.seed)),
        ("matcalc_form", exercise.form),
        ("matcalc_layout", exercise.layout),
        ("matcalc_entry", f"{row},{col} of {instance.rows}x{instance.cols}"),
        ("matcalc_values", "; ".join(
            [f"{s} = {v}" for s, v in instance.sizes]
            + [f"{name} = {text}" for name, text in instance.values])),
        ("matcalc_value", str(value) if instance.exact else f"{decimal_text(value, 30)} (rounded)"),
    ]
    _metadata(_sub(_sub(item, "itemmetadata"), "qtimetadata"), fields)
    presentation = _sub(item, "presentation")
    material = _sub(presentation, "material")
    _sub(material, "mattext", texttype="text/html").text = _question_html(
        exercise, instance, row, col)
    response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
    fib = _sub(response, "render_fib", fibtype="Decimal")
    _sub(fib, "response_label", ident="answer1")
    processing = _sub(item, "resprocessing")
    outcomes = _sub(processing, "outcomes")
    _sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    condition = _sub(processing, "respcondition", **{"continue": "No"})
    either = _sub(_sub(condition, "conditionvar"), "or")
    _sub(either, "varequal", respident="response1").text = decimal_text(value, DIGITS)
    low, high = bounds(value)
    both = _sub(either, "and")
    _sub(both, "vargte", respident="response1").text = low
    _sub(both, "varlte", respident="response1").text = high
    _sub(condition, "setvar", action="Set", varname="SCORE").text = "100"
    return item


def bounds(value: Fraction) -> tuple[str, str]:
    """The accepted range for an entry of exact value ``value``, as printed decimals that
    contain it (lower rounded down, upper rounded up)."""
    allowed = margin(value)  # the grader's: TOLERANCE × |value|, at most CAP for whole numbers
    return (decimal_text(value - allowed, DIGITS, ROUND_FLOOR),
            decimal_text(value + allowed, DIGITS, ROUND_CEILING))


def _question_html(exercise: Exercise, instance: NumericInstance, row: int, col: int) -> str:
    count = instance.rows * instance.cols
    body = etree.Element("div")
    heading = _html(body, "p")
    _html(heading, "strong").text = _clean(f"Exercise {exercise.id}")
    _html(body, "p").text = canvas_math(_clean(instance.prompt_latex))
    size = f"{instance.rows}×{instance.cols}"
    if count == 1:
        ask = "Enter the answer (a number)."
    elif instance.cols == 1:
        ask = f"The answer is a {size} column vector. Enter its entry in row {row}."
    elif instance.rows == 1:
        ask = f"The answer is a {size} row vector. Enter its entry in column {col}."
    else:
        ask = f"The answer is a {size} matrix. Enter its entry in row {row}, column {col}."
    _html(body, "p").text = ask
    _html(body, "p").text = ANSWER_HINT
    text: str = etree.tostring(body, method="html", encoding="unicode")
    return text


def canvas_math(text: str) -> str:
    """``$...$`` math as ``\\(...\\)``, which Canvas's math rendering reads in HTML; ``\\$``
    outside math is a dollar sign; an unmatched ``$`` is left as it is."""
    pieces: list[str] = []
    buffer: list[str] = []
    in_math = False
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            pair = text[i: i + 2]
            buffer.append(pair if in_math or pair != "\\$" else "$")
            i += 2
            continue
        if ch == "$":
            if in_math:
                pieces.append("\\(" + "".join(buffer) + "\\)")
            else:
                pieces.append("".join(buffer))
                start = i
            buffer = []
            in_math = not in_math
        else:
            buffer.append(ch)
        i += 1
    if in_math:  # no closing $: the text stays as it was from the opening one
        pieces.append(text[start:])
    else:
        pieces.append("".join(buffer))
    return "".join(pieces)


# --- the quiz settings and the manifest ----------------------------------------------------


def _assessment_meta(exercise_set: ExerciseSet, quiz: _Quiz, version: str) -> etree._Element:
    root = etree.Element(f"{{{CANVAS_NS}}}quiz", nsmap={None: CANVAS_NS, "xsi": XSI_NS},
                         identifier=quiz.ident)
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{CANVAS_NS} {CANVAS_XSD}")
    points = str(len(quiz.instances))
    description = etree.Element("div")
    title = _html(description, "p")
    title.text = quiz.title
    title.set("class", "tex2jax_ignore mathjax_ignore")  # a title is never typeset as math
    _html(description, "p").text = TOLERANCE_NOTE
    _html(description, "p").text = _clean(
        f"Made by matcalc {version} from set seed {exercise_set.seed}, variant "
        f"{quiz.variant.id} (seed {quiz.variant.seed}).")
    settings = [
        ("title", quiz.title),
        ("description", etree.tostring(description, method="html", encoding="unicode")),
        ("shuffle_answers", "false"),
        ("scoring_policy", "keep_highest"),
        ("hide_results", ""),
        ("quiz_type", "assignment"),
        ("points_possible", points),
        ("show_correct_answers", "true"),
        ("anonymous_submissions", "false"),
        ("allowed_attempts", "1"),
        ("one_question_at_a_time", "false"),
        ("cant_go_back", "false"),
        ("available", "false"),
    ]
    for tag, text in settings:
        _canvas(root, tag).text = text
    assignment = _canvas(root, "assignment", identifier=f"{quiz.ident}_assignment")
    for tag, text in [("title", quiz.title), ("workflow_state", "unpublished"),
                      ("quiz_identifierref", quiz.ident), ("points_possible", points),
                      ("grading_type", "points"), ("submission_types", "online_quiz")]:
        _canvas(assignment, tag).text = text
    return root


def _manifest(exercise_set: ExerciseSet, quizzes: list[_Quiz]) -> etree._Element:
    digest = hashlib.sha256(" ".join(q.ident for q in quizzes).encode()).hexdigest()[:20]
    root = etree.Element(f"{{{CP_NS}}}manifest", nsmap={None: CP_NS, "imsmd": LOM_NS,
                                                           "xsi": XSI_NS},
                         identifier=f"matcalc_manifest_{digest}")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{CP_NS} {CP_XSD} {LOM_NS} {LOM_XSD}")
    metadata = _cp(root, "metadata")
    _cp(metadata, "schema").text = "IMS Content"
    _cp(metadata, "schemaversion").text = "1.1.3"
    lom = etree.SubElement(metadata, f"{{{LOM_NS}}}lom")
    general = etree.SubElement(lom, f"{{{LOM_NS}}}general")
    title = etree.SubElement(general, f"{{{LOM_NS}}}title")
    etree.SubElement(title, f"{{{LOM_NS}}}string").text = _clean(exercise_set.title)
    _cp(root, "organizations")
    resources = _cp(root, "resources")
    for quiz in quizzes:
        meta = f"{quiz.ident}/assessment_meta.xml"
        resource = _cp(resources, "resource", identifier=quiz.ident, type=QTI_RESOURCE)
        _cp(resource, "file", href=f"{quiz.ident}/{quiz.ident}.xml")
        _cp(resource, "dependency", identifierref=f"{quiz.ident}_meta")
        dependency = _cp(resources, "resource", identifier=f"{quiz.ident}_meta",
                         type=META_RESOURCE, href=meta)
        _cp(dependency, "file", href=meta)
    return root


# --- helpers -------------------------------------------------------------------------------


def _quiz_ident(exercise_set: ExerciseSet, variant: Variant) -> str:
    """Stable across exports of the same set (re-importing updates the quiz) and different
    for different sets made with the same seed."""
    identity = [exercise_set.seed, exercise_set.layout, variant.id, variant.seed,
                [[e.id, e.family, e.seed, e.difficulty, e.form, e.layout, e.answer]
                 for e in variant.exercises]]
    digest = hashlib.sha256(json.dumps(identity, ensure_ascii=True).encode()).hexdigest()
    return f"matcalc_{digest[:24]}"


def _quiz_title(exercise_set: ExerciseSet, variant: Variant, single: bool) -> str:
    title = exercise_set.title.strip() or "Matrix calculus"
    if not (single and variant.id == "v1" and not variant.name):
        who = f"{variant.name} ({variant.id})" if variant.name else variant.id
        title = f"{title} — {who}"
    return _clean(title)[:TITLE_LENGTH]


def _points(count: int) -> str:
    """1/count as a decimal (10 places at most): the entries of an exercise add up to 1."""
    return decimal_text(Fraction(1, count), 10)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)[:40] or "_"


def _clean(text: str) -> str:
    """Text as XML can hold it: characters XML 1.0 forbids become U+FFFD."""
    return _XML_UNSAFE.sub("\ufffd", text)


def _sub(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{QTI_NS}}}{tag}", {k: _clean(v) for k, v in
                                                          attributes.items()})


def _canvas(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CANVAS_NS}}}{tag}", attributes)


def _cp(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CP_NS}}}{tag}", attributes)


def _html(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, tag)


def _metadata(parent: etree._Element, fields: list[tuple[str, str]]) -> None:
    for label, entry in fields:
        field = _sub(parent, "qtimetadatafield")
        _sub(field, "fieldlabel").text = label
        _sub(field, "fieldentry").text = _clean(entry)


def _serialize(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                 pretty_print=True)
    return data


def _zip(files: dict[str, bytes]) -> bytes:
    """Entries sorted, with fixed times and attributes: the same files give the same bytes
    (with the same zlib).  A name ending in ``/`` is a folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3
            if name.endswith("/"):
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
                continue
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()
