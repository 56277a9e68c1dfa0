"""Canvas QTI packages: structure, ranges that hold the key, escaping, determinism, golden files.

No copy of the IMS QTI 1.2 schema (``ims_qtiasiv1p2p1.xsd`` or its DTD) ships in a package on
the registries this project uses, so the assessments are validated against :data:`QTI_RNG`, a
RelaxNG grammar written from the content models of the QTI 1.2.1 ASI DTD for the elements a
Canvas numerical quiz uses (element order, required attributes, enumerated attribute values,
decimal numbers), and by explicit checks of what Canvas reads.

The answer ranges are checked against values computed independently: the stated values are read
back from the question text a student sees, and the key is evaluated with numpy (the float64
oracle of :mod:`tests.grader.numpy_oracle`); for numeric exercises the symbolic key is rebuilt
from the family's draft, so the check does not trust the numbers stored in the set.

``MATCALC_UPDATE_GOLDEN=1`` rewrites ``tests/golden/canvas_small/``.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import io
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from generator.export.canvas import (
    CAP,
    TOLERANCE,
    ZIP_TIME,
    bounds,
    canvas_math,
    canvas_package,
)
from generator.export.common import ExportError, matcalc_version
from generator.families import registry
from generator.sets import SetOptions, Student, make_set
from grader.checker import check
from grader.exercise_set import Exercise, ExerciseSet, Variant
from grader.language.declarations import name_key
from grader.language.parser import parse, parse_declarations
from grader.numeric import NUMERIC_RELATIVE_TOLERANCE, tolerance_percent
from grader.verdict import CheckOptions
from tests.grader.numpy_oracle import NumpyEvaluator
from tests.grader.numpy_oracle import Point as NumpyPoint

QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS = "http://canvas.instructure.com/xsd/cccv1p0"
NS = {"q": QTI, "cp": CP, "c": CANVAS}
GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "canvas_small"
GOLDEN_OPTIONS = SetOptions(form="numeric", count=3, seed=2026, title="Canvas golden set")
HOSTILE = '</mattext><script>alert("x")</script> & <b>bold</b> Ünïcödé ∂f/∂x 数学 \x07'

# Written from the QTI 1.2.1 ASI DTD (ims_qtiasiv1p2p1.dtd) content models, restricted to the
# elements a Canvas numerical quiz uses; attribute value lists are the DTD's.
QTI_RNG = """\
<grammar xmlns="http://relaxng.org/ns/structure/1.0"
         ns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
         datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <start>
    <element name="questestinterop">
      <optional>
        <attribute name="schemaLocation" ns="http://www.w3.org/2001/XMLSchema-instance"/>
      </optional>
      <optional><ref name="qticomment"/></optional>
      <ref name="assessment"/>
    </element>
  </start>
  <define name="ident">
    <attribute name="ident"><data type="string"><param name="minLength">1</param></data>
    </attribute>
  </define>
  <define name="qticomment"><element name="qticomment"><text/></element></define>
  <define name="assessment">
    <element name="assessment">
      <ref name="ident"/>
      <optional><attribute name="title"/></optional>
      <optional><ref name="qticomment"/></optional>
      <zeroOrMore><ref name="qtimetadata"/></zeroOrMore>
      <oneOrMore><ref name="section"/></oneOrMore>
    </element>
  </define>
  <define name="section">
    <element name="section">
      <ref name="ident"/>
      <optional><attribute name="title"/></optional>
      <optional><ref name="qticomment"/></optional>
      <zeroOrMore><ref name="qtimetadata"/></zeroOrMore>
      <zeroOrMore><choice><ref name="item"/><ref name="section"/></choice></zeroOrMore>
    </element>
  </define>
  <define name="qtimetadata">
    <element name="qtimetadata">
      <oneOrMore>
        <element name="qtimetadatafield">
          <element name="fieldlabel"><text/></element>
          <element name="fieldentry"><text/></element>
        </element>
      </oneOrMore>
    </element>
  </define>
  <define name="item">
    <element name="item">
      <ref name="ident"/>
      <optional><attribute name="title"/></optional>
      <optional><attribute name="maxattempts"/></optional>
      <optional><attribute name="label"/></optional>
      <optional><ref name="qticomment"/></optional>
      <optional>
        <element name="itemmetadata"><zeroOrMore><ref name="qtimetadata"/></zeroOrMore></element>
      </optional>
      <optional><ref name="presentation"/></optional>
      <zeroOrMore><ref name="resprocessing"/></zeroOrMore>
    </element>
  </define>
  <define name="presentation">
    <element name="presentation">
      <optional><attribute name="label"/></optional>
      <optional><ref name="qticomment"/></optional>
      <oneOrMore><choice><ref name="material"/><ref name="response_str"/></choice></oneOrMore>
    </element>
  </define>
  <define name="material">
    <element name="material">
      <optional><attribute name="label"/></optional>
      <optional><ref name="qticomment"/></optional>
      <oneOrMore>
        <element name="mattext">
          <optional><attribute name="texttype"/></optional>
          <optional><attribute name="label"/></optional>
          <optional><attribute name="charset"/></optional>
          <text/>
        </element>
      </oneOrMore>
    </element>
  </define>
  <define name="response_str">
    <element name="response_str">
      <ref name="ident"/>
      <optional>
        <attribute name="rcardinality">
          <choice><value>Single</value><value>Multiple</value><value>Ordered</value></choice>
        </attribute>
      </optional>
      <optional>
        <attribute name="rtiming"><choice><value>Yes</value><value>No</value></choice></attribute>
      </optional>
      <optional><ref name="material"/></optional>
      <element name="render_fib">
        <optional>
          <attribute name="fibtype">
            <choice>
              <value>String</value><value>Integer</value><value>Decimal</value>
              <value>Scientific</value>
            </choice>
          </attribute>
        </optional>
        <optional><attribute name="rows"/></optional>
        <optional><attribute name="columns"/></optional>
        <optional><attribute name="maxchars"/></optional>
        <zeroOrMore>
          <choice>
            <ref name="material"/>
            <element name="response_label">
              <ref name="ident"/>
              <optional>
                <attribute name="rshuffle"><choice><value>Yes</value><value>No</value></choice>
                </attribute>
              </optional>
              <zeroOrMore><ref name="material"/></zeroOrMore>
            </element>
          </choice>
        </zeroOrMore>
      </element>
      <optional><ref name="material"/></optional>
    </element>
  </define>
  <define name="resprocessing">
    <element name="resprocessing">
      <optional><attribute name="scoremodel"/></optional>
      <optional><ref name="qticomment"/></optional>
      <element name="outcomes">
        <optional><ref name="qticomment"/></optional>
        <oneOrMore>
          <element name="decvar">
            <optional><attribute name="varname"/></optional>
            <optional>
              <attribute name="vartype">
                <choice>
                  <value>Integer</value><value>String</value><value>Decimal</value>
                  <value>Scientific</value><value>Boolean</value><value>Enumerated</value>
                  <value>Set</value>
                </choice>
              </attribute>
            </optional>
            <optional><attribute name="defaultval"/></optional>
            <optional><attribute name="minvalue"><data type="decimal"/></attribute></optional>
            <optional><attribute name="maxvalue"><data type="decimal"/></attribute></optional>
            <optional><attribute name="cutvalue"/></optional>
            <empty/>
          </element>
        </oneOrMore>
      </element>
      <oneOrMore><ref name="respcondition"/></oneOrMore>
    </element>
  </define>
  <define name="respcondition">
    <element name="respcondition">
      <optional>
        <attribute name="continue"><choice><value>Yes</value><value>No</value></choice>
        </attribute>
      </optional>
      <optional><attribute name="title"/></optional>
      <optional><ref name="qticomment"/></optional>
      <element name="conditionvar"><oneOrMore><ref name="condition"/></oneOrMore></element>
      <zeroOrMore>
        <element name="setvar">
          <optional><attribute name="varname"/></optional>
          <optional>
            <attribute name="action">
              <choice>
                <value>Set</value><value>Add</value><value>Subtract</value>
                <value>Multiply</value><value>Divide</value>
              </choice>
            </attribute>
          </optional>
          <data type="decimal"/>
        </element>
      </zeroOrMore>
    </element>
  </define>
  <define name="condition">
    <choice>
      <element name="not"><ref name="condition"/></element>
      <element name="and"><oneOrMore><ref name="condition"/></oneOrMore></element>
      <element name="or"><oneOrMore><ref name="condition"/></oneOrMore></element>
      <element name="other"><empty/></element>
      <element name="varequal"><ref name="comparison"/></element>
      <element name="varlt"><ref name="comparison"/></element>
      <element name="varlte"><ref name="comparison"/></element>
      <element name="vargt"><ref name="comparison"/></element>
      <element name="vargte"><ref name="comparison"/></element>
    </choice>
  </define>
  <define name="comparison">
    <attribute name="respident"/>
    <optional><attribute name="index"/></optional>
    <data type="decimal"/>
  </define>
</grammar>
"""


# --- building and reading packages ------------------------------------------------------------


@pytest.fixture(scope="module")
def numeric_set() -> ExerciseSet:
    return make_set(GOLDEN_OPTIONS, check=False)


@pytest.fixture(scope="module")
def mixed_set() -> ExerciseSet:
    """Symbolic exercises for two students (one in denominator layout) and explicit ones."""
    symbolic = make_set(SetOptions(form="symbolic", count=4, seed=5),
                        [Student("s1", "Ann"), Student("s2")], check=False)
    denominator = make_set(SetOptions(form="symbolic", count=3, seed=6, layout="denominator"),
                           [Student("s3")], check=False)
    explicit = make_set(SetOptions(form="explicit", count=3, seed=7), [Student("s4")],
                        check=False)
    numeric = make_set(SetOptions(form="numeric", count=3, seed=8, layout="denominator"),
                       [Student("s5")], check=False)
    return dataclasses.replace(symbolic, variants=symbolic.variants + denominator.variants
                               + explicit.variants + numeric.variants)


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()
                if not info.is_dir()}


def parse_xml(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


def fields(node: etree._Element) -> dict[str, str]:
    return {f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", default="",
                                                                   namespaces=NS)
            for f in node.iterfind("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", NS)}


def assessments(files: dict[str, bytes]) -> dict[str, etree._Element]:
    return {name: parse_xml(data) for name, data in files.items()
            if name.endswith(".xml") and not name.endswith("assessment_meta.xml")
            and name != "imsmanifest.xml"}


# --- independent values ------------------------------------------------------------------------


def question_html(item: etree._Element) -> etree._Element:
    text = item.findtext("q:presentation/q:material/q:mattext", namespaces=NS)
    assert text
    return lxml_html.fragment_fromstring(text, create_parent="div")


def stated_values(item: etree._Element) -> dict[str, np.ndarray]:
    """The values the question text shows, read back from its ``Use \\( ... \\).``."""
    prose = question_html(item).text_content()
    match = re.search(r"Use \\\((.*?)\\\)\.", prose, re.S)
    assert match, prose
    pieces: list[str] = []
    for piece in match.group(1).split(", "):
        if " = " in piece or not pieces:
            pieces.append(piece)
        else:
            pieces[-1] += ", " + piece
    values: dict[str, np.ndarray] = {}
    for piece in pieces:
        left, right = piece.split(" = ", 1)
        name = re.sub(r"\\(mathbf|mathit|boldsymbol)\{|[\\{}_]", "", left).strip()
        values[name] = NumpyEvaluator(NumpyPoint({}, {})).evaluate(parse(right, "")).v
    return values


def independent_key(exercise: Exercise, values: dict[str, np.ndarray]) -> np.ndarray:
    """The key at the stated values, by numpy; for a numeric exercise from the family's
    symbolic key (the draft is what :func:`generator.family.build` starts from)."""
    if exercise.form != "numeric":
        declarations = parse_declarations(exercise.given)
        stated_sizes = {s: int(values[s][0, 0]) for s in declarations.dim_symbols}
        named = {d: values[name_key(d)] for d in declarations.names}
        key = parse(exercise.answer, declarations)
        return NumpyEvaluator(NumpyPoint(stated_sizes, named)).evaluate(key).v
    family = registry()[exercise.family]
    draft = family.draft(random.Random(exercise.seed), exercise.difficulty, "numeric")
    declarations = parse_declarations(draft.given)
    named = {d: values[name_key(d)] for d in declarations.names}
    sizes: dict[str, int] = {}
    for name, shape in declarations.entries:
        for dim, actual in zip((shape.rows, shape.cols), named[name].shape, strict=True):
            if len(dim.symbols) == 1 and dim.coefficient == 1:
                sizes[dim.symbols[0]] = actual
    value = NumpyEvaluator(NumpyPoint(sizes, named)).evaluate(
        parse(draft.answer, declarations)).v
    if exercise.layout == "denominator" and exercise.kind != "hessian":
        value = value.T
    return np.asarray(value)


def exercises_by_item(exercise_set: ExerciseSet) -> dict[tuple[str, str], Exercise]:
    return {(v.id, e.id): e for v in exercise_set.variants for e in v.exercises}


# --- tests -------------------------------------------------------------------------------------


def test_manifest_resources_point_at_files_in_the_package(mixed_set: ExerciseSet) -> None:
    files = unpack(canvas_package(mixed_set).data)
    manifest = parse_xml(files["imsmanifest.xml"])
    assert manifest.tag == f"{{{CP}}}manifest" and manifest.get("identifier")
    resources = {r.get("identifier"): r for r in manifest.iterfind("cp:resources/cp:resource", NS)}
    referenced = set()
    for resource in resources.values():
        for file in resource.iterfind("cp:file", NS):
            assert file.get("href") in files
            referenced.add(file.get("href"))
        for dependency in resource.iterfind("cp:dependency", NS):
            assert dependency.get("identifierref") in resources
    assert referenced == set(files) - {"imsmanifest.xml"}
    quizzes = [r for r in resources.values() if r.get("type") == "imsqti_xmlv1p2"]
    assert len(quizzes) == len(mixed_set.variants) == 5
    for quiz in quizzes:
        ident = quiz.get("identifier")
        assert quiz.find("cp:file", NS).get("href") == f"{ident}/{ident}.xml"
        meta = resources[quiz.find("cp:dependency", NS).get("identifierref")]
        assert meta.get("href") == f"{ident}/assessment_meta.xml"


def test_assessments_validate_against_the_qti_grammar(mixed_set: ExerciseSet) -> None:
    grammar = etree.RelaxNG(etree.fromstring(QTI_RNG.encode()))
    for name, root in assessments(unpack(canvas_package(mixed_set).data)).items():
        assert grammar.validate(root), (name, grammar.error_log)


def test_the_grammar_rejects_what_canvas_would_not_read(numeric_set: ExerciseSet) -> None:
    grammar = etree.RelaxNG(etree.fromstring(QTI_RNG.encode()))
    root = next(iter(assessments(unpack(canvas_package(numeric_set).data)).values()))
    broken = [
        ("q:assessment/q:section/q:item/q:presentation/q:response_str/q:render_fib",
         "fibtype", "Float"),
        ("q:assessment/q:section/q:item//q:vargte", None, "1e-3"),
        ("q:assessment/q:section/q:item", "ident", None),
    ]
    for path, attribute, value in broken:
        copy = etree.fromstring(etree.tostring(root))
        node = copy.find(path, NS)
        if attribute is None:
            node.text = value
        elif value is None:
            del node.attrib[attribute]
        else:
            node.set(attribute, value)
        assert not grammar.validate(copy), path


def test_items_have_canvas_numerical_structure(mixed_set: ExerciseSet) -> None:
    files = unpack(canvas_package(mixed_set).data)
    version = matcalc_version()
    by_item = exercises_by_item(mixed_set)
    seen: set[tuple[str, str]] = set()
    for name, root in assessments(files).items():
        assert root.tag == f"{{{QTI}}}questestinterop"
        assessment = root.find("q:assessment", NS)
        ident = assessment.get("ident")
        assert name == f"{ident}/{ident}.xml"
        points: dict[str, float] = {}
        items = assessment.findall("q:section/q:item", NS)
        assert items
        for item in items:
            meta = fields(item)
            assert meta["question_type"] == "numerical_question"
            exercise = by_item[(meta["matcalc_variant"], meta["matcalc_exercise"])]
            seen.add((meta["matcalc_variant"], exercise.id))
            assert meta["matcalc_family"] == exercise.family
            assert meta["matcalc_seed"] == str(exercise.seed)
            assert meta["matcalc_difficulty"] == str(exercise.difficulty)
            assert meta["matcalc_version"] == version
            assert exercise.id in item.get("title") and exercise.id in item.get("ident")
            assert f"seed {exercise.seed}" in item.findtext("q:qticomment", namespaces=NS)
            points[exercise.id] = points.get(exercise.id, 0.0) + float(meta["points_possible"])
            mattext = item.find("q:presentation/q:material/q:mattext", NS)
            assert mattext.get("texttype") == "text/html"
            assert "\\(" in mattext.text and "$" not in mattext.text
            fib = item.find("q:presentation/q:response_str/q:render_fib", NS)
            assert fib.get("fibtype") == "Decimal"
            assert fib.find("q:response_label", NS) is not None
            decvar = item.find("q:resprocessing/q:outcomes/q:decvar", NS)
            assert decvar.get("varname") == "SCORE" and decvar.get("vartype") == "Decimal"
            condition = item.find("q:resprocessing/q:respcondition", NS)
            assert condition.find(".//q:vargte", NS) is not None
            assert condition.find(".//q:varlte", NS) is not None
            setvar = condition.find("q:setvar", NS)
            assert (setvar.get("varname"), setvar.get("action"), setvar.text) == \
                ("SCORE", "Set", "100")
        assert all(abs(total - 1) < 1e-8 for total in points.values()), points
        meta_root = parse_xml(files[f"{ident}/assessment_meta.xml"])
        assert meta_root.tag == f"{{{CANVAS}}}quiz" and meta_root.get("identifier") == ident
        assert meta_root.findtext("c:title", namespaces=NS) == assessment.get("title")
        assert meta_root.findtext("c:assignment/c:quiz_identifierref", namespaces=NS) == ident
        assert float(meta_root.findtext("c:points_possible", namespaces=NS)) == len(points)
    assert seen == set(by_item)


def test_every_range_holds_the_key_computed_with_numpy(mixed_set: ExerciseSet) -> None:
    by_item = exercises_by_item(mixed_set)
    checked = 0
    for root in assessments(unpack(canvas_package(mixed_set).data)).values():
        for item in root.iterfind("q:assessment/q:section/q:item", NS):
            meta = fields(item)
            exercise = by_item[(meta["matcalc_variant"], meta["matcalc_exercise"])]
            expected = independent_key(exercise, stated_values(item))
            rows, cols = (int(v) for v in meta["matcalc_entry"].split(" of ")[1].split("x"))
            assert expected.shape == (rows, cols), (exercise.answer, expected.shape)
            row, col = (int(v) for v in meta["matcalc_entry"].split(" of ")[0].split(","))
            value = float(expected[row - 1, col - 1])
            low = float(item.findtext(".//q:vargte", namespaces=NS))
            high = float(item.findtext(".//q:varlte", namespaces=NS))
            margin = float(TOLERANCE) * abs(value)
            if value == int(value):
                margin = min(margin, float(CAP))
            assert low <= value <= high, (exercise.id, row, col, low, value, high)
            assert value - 2 * margin <= low and high <= value + 2 * margin  # not too wide
            assert abs(float(item.findtext(".//q:varequal", namespaces=NS)) - value) <= margin
            checked += 1
    assert checked > 30


def test_converted_exercises_are_reported(mixed_set: ExerciseSet) -> None:
    export = canvas_package(mixed_set)
    converted = [e for v in mixed_set.variants for e in v.exercises if e.form != "numeric"]
    # one line per kind of note, with its count, however many students: not one per exercise
    assert f"{len(converted)} exercises symbolic or explicit: asked at concrete sizes and " \
           "values, stated in each question" in export.notes
    assert len(export.notes) <= 4
    assert not any(note.startswith("variant ") for note in export.notes)
    assert converted and any("one quiz per variant" in note for note in export.notes)
    assert any(f"within {tolerance_percent()} of its exact value" in note
               for note in export.notes)


def test_hostile_text_is_escaped_and_still_parses(numeric_set: ExerciseSet) -> None:
    variant = numeric_set.variants[0]
    first = dataclasses.replace(variant.exercises[0], id="q<1>&",
                                prompt_latex=HOSTILE + " " + variant.exercises[0].prompt_latex)
    hostile = dataclasses.replace(
        numeric_set, title=HOSTILE,
        variants=(dataclasses.replace(variant, id='s"1</title>', name=HOSTILE,
                                      exercises=(first, *variant.exercises[1:])),))
    files = unpack(canvas_package(hostile).data)
    cleaned = HOSTILE.replace("\x07", "\ufffd")
    for name, data in files.items():
        root = parse_xml(data)  # every file is well-formed XML
        assert b"<script" not in data, name
        for mattext in root.iter(f"{{{QTI}}}mattext"):
            fragment = lxml_html.fragment_fromstring(mattext.text, create_parent="div")
            assert not fragment.xpath("//script | //b"), name
    root = next(iter(assessments(files).values()))
    title = root.find("q:assessment", NS).get("title")
    assert title == f'{cleaned} — {cleaned} (s"1</title>)'
    item = root.find("q:assessment/q:section/q:item", NS)
    assert re.fullmatch(r"[A-Za-z0-9_]+", item.get("ident"))
    assert item.get("title").startswith("q<1>&")
    assert cleaned in question_html(item).text_content()
    meta = parse_xml(files[next(n for n in files if n.endswith("assessment_meta.xml"))])
    description = lxml_html.fragment_fromstring(meta.findtext("c:description", namespaces=NS),
                                                create_parent="div")
    assert not description.xpath("//script") and cleaned in description.text_content()


def test_the_same_set_gives_the_same_bytes(numeric_set: ExerciseSet) -> None:
    first = canvas_package(numeric_set).data
    assert canvas_package(numeric_set).data == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert all(info.date_time == ZIP_TIME for info in archive.infolist())
    other = make_set(dataclasses.replace(GOLDEN_OPTIONS, seed=2027), check=False)
    assert canvas_package(other).data != first


def test_the_bytes_do_not_depend_on_the_hash_seed(numeric_set: ExerciseSet) -> None:
    script = (
        "import hashlib, sys\n"
        "from generator.export.canvas import canvas_package\n"
        "from generator.sets import SetOptions, make_set\n"
        "s = make_set(SetOptions(form='symbolic', count=3, seed=4), check=False)\n"
        "sys.stdout.write(hashlib.sha256(canvas_package(s).data).hexdigest())\n"
    )
    digests = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=True, env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout
               for seed in (1, 2)}
    here = make_set(SetOptions(form="symbolic", count=3, seed=4), check=False)
    assert digests == {hashlib.sha256(canvas_package(here).data).hexdigest()}


def test_an_empty_set_is_an_error() -> None:
    with pytest.raises(ExportError):
        canvas_package(ExerciseSet(1, "numerator", (Variant("v1", 1, ()),)))


@pytest.mark.parametrize(("text", "expected"), [
    ("Find $f = x$ now.", "Find \\(f = x\\) now."),
    ("costs \\$5 and $a \\$ b$", "costs $5 and \\(a \\$ b\\)"),
    ("$a$$b$", "\\(a\\)\\(b\\)"),
    ("open $x + 1 left", "open $x + 1 left"),
    ("no math", "no math"),
])
def test_dollar_math_becomes_canvas_inline_math(text: str, expected: str) -> None:
    assert canvas_math(text) == expected


@given(st.fractions(max_denominator=10**6).filter(lambda v: abs(v) < 10**9))
def test_bounds_contain_the_value_and_no_more_than_the_tolerance(value: Fraction) -> None:
    low, high = bounds(value)
    margin = TOLERANCE * abs(value)
    if value.denominator == 1:
        margin = min(margin, CAP)
    assert Fraction(low) <= value - margin and value + margin <= Fraction(high)
    slack = max(margin / 1000, abs(value) / 10**11)  # 12 significant digits of rounding
    assert value - margin - slack <= Fraction(low) and Fraction(high) <= value + margin + slack
    assert "e" not in low.lower() and "e" not in high.lower()
    if value.denominator == 1:  # a whole number never accepts its neighbours
        assert value - 1 < Fraction(low) and Fraction(high) < value + 1


# --- golden files ------------------------------------------------------------------------------


def normalized(data: bytes) -> str:
    """The file's text with the matcalc version taken out (it changes on every release)."""
    text = data.decode("utf-8").replace(f"matcalc {matcalc_version()}", "matcalc VERSION")
    return re.sub(r"(<fieldlabel>matcalc_version</fieldlabel>\s*<fieldentry>)[^<]*",
                  r"\1VERSION", text)


def test_golden_package(numeric_set: ExerciseSet) -> None:
    files = {name: normalized(data)
             for name, data in unpack(canvas_package(numeric_set).data).items()}
    if os.environ.get("MATCALC_UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in files.items():
            path = GOLDEN / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
    stored = {path.relative_to(GOLDEN).as_posix(): path.read_text("utf-8")
              for path in sorted(GOLDEN.rglob("*")) if path.is_file()}
    hint = "rerun with MATCALC_UPDATE_GOLDEN=1 if the change is intended"
    assert sorted(stored) == sorted(files), hint
    for name, text in files.items():
        if stored[name] != text:
            diff = "\n".join(list(difflib.unified_diff(stored[name].splitlines(),
                                                       text.splitlines(), name, name,
                                                       lineterm=""))[:40])
            pytest.fail(f"{name} differs from the golden file ({hint}):\n{diff}")


@settings(max_examples=40, deadline=None)
@given(st.fractions(min_value=-1000, max_value=1000, max_denominator=1000))
def test_the_ranges_are_the_graders_tolerance(value: Fraction) -> None:
    """Canvas takes what the grader takes: five significant figures of a fraction pass both, and
    0 passes neither for a non-zero entry."""
    assert TOLERANCE == NUMERIC_RELATIVE_TOLERANCE
    low, high = (Fraction(bound) for bound in bounds(value))
    answer = f"{float(value):.5g}"
    options = CheckOptions(values=(("a", "1"),))
    key = f"{value.numerator}/{value.denominator}"
    assert low <= Fraction(answer) <= high
    assert check(key, answer, "a", options=options).status == "correct"
    if value != 0:
        assert not low <= 0 <= high
        assert check(key, "0", "a", options=options).status == "incorrect"
