"""Rendering with real LuaLaTeX: per-student worksheets, keys and solutions read back as text;
hostile roster text that must neither break the build nor run or read anything; LaTeX errors
that name the variant and exercise; the CLI with and without TeX; a rendered page as an image.

Every PDF is read back with ``pdftotext`` (reading order, not ``-layout``), Unicode NFC, and
compared with what the set says should be on it.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.render import Rendered, RenderError, latex_text, render, variant_code
from generator.sets import SetOptions, Student, make_set
from grader.errors import MatcalcError
from grader.exercise_set import Exercise, ExerciseSet, Variant
from grader.numeric import tolerance_percent, tolerance_text

HAVE_TEX = shutil.which("lualatex") is not None
HAVE_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None
needs_tex = pytest.mark.skipif(not (HAVE_TEX and HAVE_POPPLER),
                               reason="needs lualatex and poppler-utils (pdftotext, pdftoppm)")

KINDS = ("worksheet", "key", "solutions")
FILES = {"worksheet": "worksheet", "key": "answer-key", "solutions": "solutions"}
MATCALC = Path(sys.executable).parent / "matcalc"

CLASS = [Student("s01", "Ada Lovelace", "ada@example.org"), Student("s02", "Grace Hopper"),
         Student("s03", "Alan Turing"), Student("s04", "Emmy Noether")]
CLASS_OPTIONS = SetOptions(families=("quadratic", "linear_maps", "sum_reduction"), count=5,
                           seed=7, form="numeric", title="Linear algebra 101")


# ---------------------------------------------------------------------------------------------
# helpers


def pdf_text(path: Path, page: int | None = None, *, raw: bool = False) -> str:
    """pdftotext's reading-order text of a PDF (or one 1-based page), Unicode NFC; with ``raw``
    in content-stream order, which keeps a tall matrix's rows together."""
    options = ["-f", str(page), "-l", str(page)] if page is not None else []
    options += ["-raw"] if raw else []
    done = subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True,
                          text=True, check=True)
    return unicodedata.normalize("NFC", done.stdout)


def flat(text: str) -> str:
    """Whitespace collapsed to single spaces; TeX's minus sign as ASCII '-'; the pieces of
    big brackets (private-use and control characters in the fonts' mapping) dropped."""
    text = "".join(" " if unicodedata.category(ch) in ("Co", "Cc") else ch for ch in text)
    return " ".join(text.replace("\u2212", "-").split())


def squash(text: str) -> str:
    """No whitespace and no hyphens: immune to line breaks and hyphenation."""
    return re.sub(r"[\s\-\u2010\u2011]", "", text)


def pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def integer_rows(exercise: Exercise) -> list[str] | None:
    """The answer's rows as 'a b c' when every entry is an integer, else None."""
    body = exercise.answer.strip()
    if body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    rows = [[cell.strip() for cell in row.split(",")] for row in body.split(";")]
    if not all(re.fullmatch(r"-?\d+", cell) for row in rows for cell in row):
        return None
    return [" ".join(row) for row in rows]


def prose(step: str) -> list[str]:
    """The runs of plain words (two or more) between the math of a LaTeX step."""
    text = re.sub(r"\$[^$]*\$", "\0", step)
    text = re.sub(r"\\(?:emph|textbf|textit)\{([^{}]*)\}", r"\1", text)
    runs = [run.strip(" .,;:()") for run in text.split("\0")]
    return [run for run in runs if len(run.split()) >= 2 and "\\" not in run]


def with_answer_latex(exercise_set: ExerciseSet, variant_index: int, exercise_index: int,
                      answer_latex: str) -> ExerciseSet:
    """The set with one exercise's ``answer_latex`` replaced."""
    variant = exercise_set.variants[variant_index]
    exercises = list(variant.exercises)
    exercises[exercise_index] = dataclasses.replace(exercises[exercise_index],
                                                    answer_latex=answer_latex)
    variants = list(exercise_set.variants)
    variants[variant_index] = dataclasses.replace(variant, exercises=tuple(exercises))
    return dataclasses.replace(exercise_set, variants=tuple(variants))


def no_pythonpath() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


# ---------------------------------------------------------------------------------------------
# a small class, rendered once


@dataclasses.dataclass
class ClassRender:
    exercise_set: ExerciseSet
    directory: Path
    rendered: Rendered
    progress: list[str]

    def text(self, kind: str, student: str | None = None, *, raw: bool = False) -> str:
        path = (self.rendered.combined[kind] if student is None
                else self.rendered.per_student[student][kind])
        return pdf_text(path, raw=raw)


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> ClassRender:
    if not (HAVE_TEX and HAVE_POPPLER):
        pytest.skip("needs lualatex and poppler-utils")
    exercise_set = make_set(CLASS_OPTIONS, CLASS)
    directory = tmp_path_factory.mktemp("class")
    progress: list[str] = []
    rendered = render(exercise_set, directory, progress=progress.append)
    return ClassRender(exercise_set, directory, rendered, progress)


@needs_tex
def test_render_writes_the_combined_and_per_student_files(klass: ClassRender) -> None:
    directory = klass.directory
    for kind in KINDS:
        assert klass.rendered.combined[kind] == directory / f"{FILES[kind]}.pdf"
        assert (directory / f"{FILES[kind]}.tex").is_file()
        assert klass.rendered.combined[kind].read_bytes().startswith(b"%PDF")
    assert set(klass.rendered.per_student) == {s.id for s in CLASS}
    for student in CLASS:
        for kind in KINDS:
            path = klass.rendered.per_student[student.id][kind]
            assert path == directory / student.id / f"{FILES[kind]}.pdf"
            assert path.read_bytes().startswith(b"%PDF")
    assert not list(directory.rglob("*.tmp")), "temporary files left behind"
    typesetting = next(step for step in klass.progress if step.startswith("typesetting"))
    assert all(FILES[kind] in typesetting for kind in KINDS)
    assert any(step.startswith("splitting into 4 students") for step in klass.progress)


@needs_tex
@pytest.mark.parametrize("kind", KINDS)
def test_each_student_gets_only_their_own_pages(klass: ClassRender, kind: str) -> None:
    variants = klass.exercise_set.variants
    for variant in variants:
        text = klass.text(kind, variant.id)
        assert variant.name in text
        assert f"id {variant.id}" in text
        assert variant_code(variant.seed) in text
        for other in variants:
            if other is not variant:
                assert other.name not in text, f"{other.name} on {variant.id}'s {kind}"
                assert f"id {other.id}" not in text
                assert variant_code(other.seed) not in text


@needs_tex
def test_every_page_of_a_students_file_carries_their_header(klass: ClassRender) -> None:
    multi = 0
    for variant in klass.exercise_set.variants:
        path = klass.rendered.per_student[variant.id]["worksheet"]
        count = pages(path)
        multi += count > 1
        for number in range(1, count + 1):
            text = pdf_text(path, number)
            assert variant.name in text and variant_code(variant.seed) in text
            assert f"page {number}" in text  # numbering restarts for every student
    assert multi, "no student's worksheet spans two pages: the split is not exercised"


@needs_tex
@pytest.mark.parametrize("kind", KINDS)
def test_split_page_counts_add_up_to_the_combined_pdf(klass: ClassRender, kind: str) -> None:
    split = [pages(klass.rendered.per_student[s.id][kind]) for s in CLASS]
    assert all(count >= 1 for count in split)
    assert sum(split) == pages(klass.rendered.combined[kind])


@needs_tex
def test_the_key_holds_every_answer(klass: ClassRender) -> None:
    checked = 0
    for variant in klass.exercise_set.variants:
        key = flat(klass.text("key", variant.id, raw=True))
        worksheet = flat(klass.text("worksheet", variant.id, raw=True))
        for exercise in variant.exercises:
            rows = integer_rows(exercise)
            assert rows is not None, f"{exercise.family}: non-integer answer {exercise.answer}"
            # the matrix copies as one line in the answer language (generator/copyable.py)
            assert exercise.answer in key, (variant.id, exercise.id, exercise.answer)
            checked += 1
        # the worksheet asks; it does not answer
        assert not all(e.answer in worksheet for e in variant.exercises)
        assert "Answer:" not in worksheet
    assert checked == len(CLASS) * CLASS_OPTIONS.count


@needs_tex
def test_the_solutions_hold_the_steps_and_the_answers(klass: ClassRender) -> None:
    checked = 0
    for variant in klass.exercise_set.variants:
        solutions = klass.text("solutions", variant.id, raw=True)
        worksheet = klass.text("worksheet", variant.id, raw=True)
        key = klass.text("key", variant.id, raw=True)
        assert flat(solutions).count("Answer:") == len(variant.exercises)
        for exercise in variant.exercises:
            assert exercise.answer in flat(solutions)
            runs = [run for step in exercise.steps_latex for run in prose(step)]
            assert runs, f"{exercise.family}: no prose in the steps to look for"
            for run in runs:
                assert squash(run) in squash(solutions), (variant.id, exercise.id, run)
                if len(run.split()) >= 5:  # the steps are only in the solutions
                    assert squash(run) not in squash(worksheet)
                    assert squash(run) not in squash(key)
                checked += 1
    assert checked >= len(CLASS) * CLASS_OPTIONS.count


@needs_tex
def test_the_worksheet_renders_to_an_image(klass: ClassRender, tmp_path: Path) -> None:
    """A visual smoke check: poppler can rasterise page 1, and it is not blank."""
    worksheet = klass.rendered.combined["worksheet"]
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(worksheet),
                    str(tmp_path / "page")], check=True, capture_output=True)
    images = list(tmp_path.glob("page*.png"))
    assert len(images) == 1
    png = images[0].read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == pytest.approx((413, 585), abs=3)  # A4 at 50 dpi
    # the same page as raw greyscale: a fair share of it is ink
    gray = subprocess.run(["pdftoppm", "-r", "50", "-gray", "-f", "1", "-l", "1",
                           str(worksheet)], check=True, capture_output=True).stdout
    magic, _width, _height, depth, pixels = gray.split(maxsplit=4)
    assert magic == b"P5" and depth == b"255"
    dark = sum(1 for value in pixels if value < 128)
    assert dark > 0.01 * len(pixels)


@needs_tex
def test_no_split_and_a_single_variant_write_no_student_folders(tmp_path: Path) -> None:
    two = make_set(SetOptions(families=("linear_maps",), count=1, seed=1),
                   [Student("a1", "Ann"), Student("b2", "Bob")])
    rendered = render(two, tmp_path / "nosplit", kinds=("worksheet",), split=False)
    assert rendered.per_student == {}
    assert set(rendered.combined) == {"worksheet"}
    assert not (tmp_path / "nosplit" / "a1").exists()
    assert pages(rendered.combined["worksheet"]) == 2
    one = make_set(SetOptions(families=("linear_maps",), count=1, seed=1))
    rendered = render(one, tmp_path / "single", kinds=("worksheet",))
    assert rendered.per_student == {}
    assert "id v1" in pdf_text(rendered.combined["worksheet"])


@needs_tex
def test_numeric_sheets_and_keys_state_the_tolerance(tmp_path: Path) -> None:
    """The worksheet and the key say what a numeric answer may be (the grader's rule); a
    symbolic sheet doesn't."""
    numeric = make_set(SetOptions(families=("linear_maps",), form="numeric", count=2, seed=1))
    rendered = render(numeric, tmp_path / "numeric", kinds=("worksheet", "key"))
    stated = squash(tolerance_text())
    for kind in ("worksheet", "key"):
        assert squash(pdf_text(rendered.combined[kind])).count(stated) == 2, kind
    symbolic = make_set(SetOptions(families=("linear_maps",), count=1, seed=1))
    rendered = render(symbolic, tmp_path / "symbolic", kinds=("worksheet",))
    assert tolerance_percent() not in pdf_text(rendered.combined["worksheet"])


def test_an_unknown_kind_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    one = make_set(SetOptions(families=("linear_maps",), count=1, seed=1))
    with pytest.raises(RenderError, match="unknown document kind 'answers'"):
        render(one, tmp_path / "out", kinds=("worksheet", "answers"))
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# hostile and awkward roster text

LONG_NAME = " ".join(["Wolfeschlegelsteinhausenbergerdorff"] * 12)
SYMBOLS = "$ % & _ # { } ~ ^ \\"
TITLE = r"\input{/etc/passwd} \write18{id} 100% & $x^2$ #1 ~ {oops"


def hostile_students(marker: Path) -> list[Student]:
    return [
        Student("h01", r"\input{/etc/passwd}"),
        Student("h02", r"\write18{id}"),
        Student("h03", r"\immediate\write18{touch /tmp/pwned}"),
        Student("h04", rf"\immediate\write18{{touch {marker}}}"),
        Student("h05", SYMBOLS),
        Student("h06", "Zoë Ñúñez-O'Brien"),
        Student("h07", "李小龙"),
        Student("h08", "Иван Петров"),
        Student("h09", "محمد"),
        Student("h10", LONG_NAME),
        Student("h11", ""),
        Student("h12", r"\newwrite\f\immediate\openout\f=owned.tex\immediate\write\f{x}"
                       r"\immediate\closeout\f"),
        Student("h13", "Zoe\u0308 Dupont"),  # decomposed ë
        Student("h14", "tab\there\nnew\x00line\x1b[31m\u202eevil"),
        Student(r"\input{/etc/passwd}", "Hostile Id"),
        Student(SYMBOLS, "Symbol Id"),
        Student("Ñúñez 李", "Unicode Id"),
    ]


@dataclasses.dataclass
class HostileRender:
    exercise_set: ExerciseSet
    directory: Path
    rendered: Rendered
    marker: Path
    tmp_pwned_existed: bool

    def worksheet(self, student_id: str) -> str:
        return pdf_text(self.rendered.per_student[student_id]["worksheet"])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileRender:
    if not (HAVE_TEX and HAVE_POPPLER):
        pytest.skip("needs lualatex and poppler-utils")
    marker = tmp_path_factory.mktemp("marker") / "pwned"
    existed = Path("/tmp/pwned").exists()
    exercise_set = make_set(SetOptions(families=("linear_maps",), count=1, seed=5, title=TITLE),
                            hostile_students(marker))
    directory = tmp_path_factory.mktemp("hostile")
    rendered = render(exercise_set, directory)  # must not raise
    return HostileRender(exercise_set, directory, rendered, marker, existed)


@needs_tex
def test_hostile_names_build_and_every_student_gets_their_files(hostile: HostileRender) -> None:
    ids = [v.id for v in hostile.exercise_set.variants]
    assert set(hostile.rendered.per_student) == set(ids)
    paths = [p for files in hostile.rendered.per_student.values() for p in files.values()]
    assert len(set(paths)) == len(paths) == 3 * len(ids)
    root = hostile.directory.resolve()
    for path in paths:
        assert path.resolve().parent.parent == root, path  # ids never escape the directory
        assert path.read_bytes().startswith(b"%PDF")
    for kind in KINDS:
        split = sum(pages(hostile.rendered.per_student[i][kind]) for i in ids)
        assert split == pages(hostile.rendered.combined[kind])


@needs_tex
def test_hostile_names_run_nothing_and_read_nothing(hostile: HostileRender) -> None:
    assert not hostile.marker.exists(), r"\write18 ran a shell command"
    if not hostile.tmp_pwned_existed:
        assert not Path("/tmp/pwned").exists(), r"\write18 ran a shell command"
    assert not list(hostile.directory.rglob("owned*")), r"\openout wrote a file"
    first = Path("/etc/passwd").read_text().splitlines()[0]
    needle = ":".join(first.split(":")[:3]) + ":"  # e.g. "root:x:0:"
    for kind in KINDS:
        text = pdf_text(hostile.rendered.combined[kind])
        assert needle not in text and "root:" not in text, "/etc/passwd was read"
        log = (hostile.directory / f"{FILES[kind]}.log").read_text(errors="replace")
        assert "(/etc/passwd" not in log.replace("\n", ""), "TeX opened /etc/passwd"
    # the hostile text is printed, literally
    assert r"\input{/etc/passwd}" in hostile.worksheet("h01")
    assert r"\write18{id}" in hostile.worksheet("h02")
    assert r"\immediate\write18{touch /tmp/pwned}" in pdf_text(
        hostile.rendered.per_student["h03"]["worksheet"], raw=True)


@needs_tex
def test_tex_special_characters_print_as_themselves(hostile: HostileRender) -> None:
    # pdftotext drops the narrow spaces between the symbols; TeX's \^{} prints as U+02C6
    printed = squash(hostile.worksheet("h05")).replace("\u02c6", "^")
    assert squash(SYMBOLS) in printed


@needs_tex
def test_latin_names_render_exactly(hostile: HostileRender) -> None:
    text = hostile.worksheet("h06")
    assert "Zoë Ñúñez-O'Brien" in text  # the straight quote as typed: no TeX ligature
    assert "Zoë Dupont" in hostile.worksheet("h13")  # decomposed input, NFC on the page


@needs_tex
def test_names_in_other_scripts_print_exactly_and_the_id_still_shows(
        hostile: HostileRender) -> None:
    for student_id, shown in (("h07", "李小龙"), ("h08", "Иван Петров")):
        text = hostile.worksheet(student_id)
        assert shown in text and f"id {student_id}" in text
    assert latex_text("李小龙") == "李小龙"
    text = hostile.worksheet("Ñúñez 李")
    assert "Unicode Id" in text and "id Ñúñez 李" in text
    # Arabic is in none of the fonts: boxes (U+FFFD in the text), never a failed build
    arabic = hostile.worksheet("h09")
    assert "\ufffd" * 4 in arabic and "id h09" in arabic


NAMES = ("Nguyễn Thị Minh Khai", "Ελένη", "Дмитрий", "王小明", "Zoë O’Brien",
         "Ngô Trương", "Ħal Għargħur", "“Quoted” – and … €")
WEEK_TITLE = "DL 101 — Week 3 … €"


@needs_tex
def test_names_and_titles_in_any_script_come_back_exactly(tmp_path: Path) -> None:
    """Typographic punctuation, Vietnamese, Greek, Cyrillic and Chinese names, and the title,
    read back from every document of every student, character for character."""
    students = [Student(f"n{index}", name) for index, name in enumerate(NAMES)]
    exercise_set = make_set(SetOptions(families=("linear_maps",), count=1, seed=1,
                                       title=WEEK_TITLE), students)
    rendered = render(exercise_set, tmp_path)
    for index, name in enumerate(NAMES):
        for kind in KINDS:
            text = pdf_text(rendered.per_student[f"n{index}"][kind])
            assert f"{name}\n" in text, (kind, name)
            assert f"{WEEK_TITLE}\n" in text, kind
            assert "?" not in text and "\ufffd" not in text


@needs_tex
def test_a_long_an_empty_and_a_control_character_name(hostile: HostileRender) -> None:
    assert "Wolfeschlegelsteinhausenbergerdorff" in hostile.worksheet("h10")
    empty = hostile.worksheet("h11")
    assert flat(empty).count("h11") >= 2  # the id stands in for the missing name
    odd = flat(hostile.worksheet("h14"))
    assert "tab here new?line?[31m?evil" in odd


@needs_tex
def test_hostile_ids_and_title(hostile: HostileRender) -> None:
    text = hostile.worksheet(r"\input{/etc/passwd}")
    assert "Hostile Id" in text and r"id \input{/etc/passwd}" in text
    assert "Symbol Id" in hostile.worksheet(SYMBOLS)
    title = squash(hostile.worksheet("h01")).replace("\u02c6", "^")
    assert squash(r"\input{/etc/passwd} \write18{id} 100% & $x^2$ #1 ~ {oops") in title


@needs_tex
def test_latin_names_outside_the_t1_fonts_do_not_break_the_build(tmp_path: Path) -> None:
    """BUG: latex_text keeps every character below U+0250, but pdfLaTeX's utf8/T1 set-up has
    181 of them unset (Latin Extended-B almost entirely, and Ħ ħ ĸ Ŀ ŀ ŉ Ŧ ŧ ſ): a Vietnamese
    'Trương' or a Maltese 'Ħal' stops the whole class's build with "Unicode character ư
    (U+01B0) not set up for use with LaTeX".  Either rendering or '?' would do."""
    letters = "".join(chr(c) for c in range(0xA0, 0x250)
                      if unicodedata.category(chr(c))[0] not in "CZ")
    latin = " ".join(letters[i : i + 12] for i in range(0, len(letters), 12))  # it can wrap
    students = [Student("vn", "Ngô Trương"), Student("mt", "Ħal Għargħur"),
                Student("all", latin)]
    exercise_set = make_set(SetOptions(families=("linear_maps",), count=1, seed=1), students)
    rendered = render(exercise_set, tmp_path, kinds=("worksheet",))
    assert "Ngô Trương" in pdf_text(rendered.per_student["vn"]["worksheet"])
    assert "Ħal Għargħur" in pdf_text(rendered.per_student["mt"]["worksheet"])
    # compatibility form: the fonts map the ligature letters Ĳ ĳ to I J, i j for extraction
    text = unicodedata.normalize("NFKC", pdf_text(rendered.per_student["all"]["worksheet"]))
    assert [word for word in latin.split()
            if unicodedata.normalize("NFKC", word) not in text] == []


def word_boxes(path: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of every word on a page, from pdftotext -bbox."""
    done = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path),
                           "-"], capture_output=True, text=True, check=True)
    return [(float(x0), float(y0), float(x1), float(y1), word) for x0, y0, x1, y1, word in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                       r'yMax="([\d.]+)">(.*?)</word>', done.stdout)]


def overprinted(path: Path) -> list[tuple[str, str]]:
    """Pairs of words on page 1 printed on top of each other: by more than 1pt across and by
    more than half the lower one's height (an OpenType font's box, ascender to descender, is
    taller than its line, so the boxes of neighbouring lines touch)."""
    boxes = word_boxes(path)
    return [(a[4], b[4]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if min(a[2], b[2]) - max(a[0], b[0]) > 1
            and min(a[3], b[3]) - max(a[1], b[1]) > 0.5 * min(a[3] - a[1], b[3] - b[1])]


@needs_tex
def test_ordinary_pages_have_no_overprinted_words(klass: ClassRender) -> None:
    for variant in klass.exercise_set.variants:
        for kind in KINDS:
            assert overprinted(klass.rendered.per_student[variant.id][kind]) == []


@needs_tex
def test_a_long_title_and_a_long_name_do_not_overprint_the_header(tmp_path: Path) -> None:
    """BUG: fancyhdr sets the left (course title) and right (student name) header parts in
    overlapping full-width boxes, so a 62-character title next to a 46-character name prints
    one on top of the other, and a name too long for one line grows upwards over the title;
    neither is shortened nor wrapped, and LaTeX only warns that headheight is too small."""
    students = [Student("s1", "María Guadalupe Fernández de la Cruz Rodríguez"),
                Student("s2", "Ann Lee")]
    exercise_set = make_set(SetOptions(
        families=("linear_maps",), count=1, seed=1,
        title="Matrix Calculus for Deep Learning: Problem Set 3 (Autumn 2025)"), students)
    rendered = render(exercise_set, tmp_path, kinds=("worksheet",))
    assert overprinted(rendered.per_student["s2"]["worksheet"]) == []
    assert overprinted(rendered.per_student["s1"]["worksheet"]) == []


@needs_tex
def test_ids_that_differ_only_in_punctuation_get_separate_files(tmp_path: Path) -> None:
    """BUG: the folder name replaces every character outside [\\w.@+-] by '_', so 'ann lee' and
    'ann_lee' (both accepted by the roster) share ann_lee/: the second student's PDFs overwrite
    the first's, and per_student gives both students the same files."""
    students = [Student("ann lee", "Ann Lee"), Student("ann_lee", "Ann Leeds")]
    exercise_set = make_set(SetOptions(families=("linear_maps",), count=1, seed=1), students)
    rendered = render(exercise_set, tmp_path, kinds=("worksheet",))
    first = rendered.per_student["ann lee"]["worksheet"]
    second = rendered.per_student["ann_lee"]["worksheet"]
    assert first != second
    assert "Ann Lee\n" in pdf_text(first) and "Ann Leeds" not in pdf_text(first)
    assert "Ann Leeds" in pdf_text(second)


@needs_tex
def test_lua_in_a_set_files_latex_runs_no_command(tmp_path: Path) -> None:
    """A set file's LaTeX is typeset as written (the README says: render set files you trust),
    but even there LuaLaTeX without shell escape refuses os.execute and io.popen."""
    marker = tmp_path / "ran"
    exercise_set = make_set(SetOptions(families=("linear_maps",), count=1, seed=1), check=False)
    lua = (rf"x \directlua{{os.execute('touch {marker}')"
           rf" if io.popen then local p = io.popen('touch {marker}') end}}")
    rendered = render(with_answer_latex(exercise_set, 0, 0, lua), tmp_path / "out",
                      kinds=("key",))
    assert rendered.combined["key"].is_file()
    assert not marker.exists(), "Lua ran a shell command"


@needs_tex
def test_tex_in_a_set_files_latex_reads_no_file_outside_the_job(tmp_path: Path) -> None:
    exercise_set = make_set(SetOptions(families=("linear_maps",), count=1, seed=1), check=False)
    with pytest.raises(RenderError) as caught:
        render(with_answer_latex(exercise_set, 0, 0, r"x \input{/etc/passwd}"),
               tmp_path / "out", kinds=("key",))
    assert "/etc/passwd" in str(caught.value)  # refused: not found for TeX
    log = (tmp_path / "out" / "answer-key.log").read_text(errors="replace")
    assert "(/etc/passwd" not in log.replace("\n", "") and "root:" not in log


# ---------------------------------------------------------------------------------------------
# LaTeX errors name the variant and the exercise


def _broken(exercise_set: ExerciseSet, variant: int, exercise: int) -> ExerciseSet:
    original = exercise_set.variants[variant].exercises[exercise].answer_latex
    return with_answer_latex(exercise_set, variant, exercise, original + r" + \undefinedmacro")


@needs_tex
def test_a_latex_error_names_the_variant_the_exercise_and_the_log_line(tmp_path: Path) -> None:
    exercise_set = make_set(SetOptions(families=("linear_maps",), count=3, seed=2, form="numeric"),
                            [Student("s1", "Ann"), Student("s2", "Bob"), Student("s3", "Cy")])
    broken = _broken(exercise_set, 1, 1)
    with pytest.raises(RenderError) as caught:
        render(broken, tmp_path)
    message = str(caught.value)
    assert isinstance(caught.value, MatcalcError)
    assert "variant s2 exercise q2" in message
    assert "Undefined control sequence" in message
    assert r"\undefinedmacro" in message
    assert "answer-key" in message  # the worksheet doesn't print answers; the key failed
    assert "This is pdfTeX" not in message and "entering extended mode" not in message
    assert len(message.splitlines()) <= 12, message
    log = (tmp_path / "answer-key.log").read_text(errors="replace")
    assert len(log.splitlines()) > 3 * len(message.splitlines())  # an excerpt, not the log
    assert (tmp_path / "worksheet.pdf").exists() and not (tmp_path / "answer-key.pdf").exists()


@needs_tex
def test_a_latex_error_names_the_student_by_their_real_id(tmp_path: Path) -> None:
    """BUG: the '% matcalc: variant ... exercise ...' marker the message is taken from holds the
    LaTeX-escaped id, so a student 'jane_doe' is reported as 'jane\\_doe' (and 'a&b' as
    'a\\&b'): an id that is not on the roster."""
    exercise_set = make_set(SetOptions(families=("linear_maps",), count=2, seed=2),
                            [Student("s1", "Ann"), Student("jane_doe", "Jane Doe")])
    with pytest.raises(RenderError) as caught:
        render(_broken(exercise_set, 1, 0), tmp_path, kinds=("key",))
    assert "variant jane_doe exercise q1" in str(caught.value)


# ---------------------------------------------------------------------------------------------
# the command line


@pytest.fixture
def set_file(tmp_path: Path) -> Path:
    exercise_set = make_set(SetOptions(families=("linear_maps",), count=2, seed=3),
                            [Student("a1", "Ann"), Student("b2", "Bob")])
    path = tmp_path / "set.json"
    path.write_text(exercise_set.dumps(), "utf-8")
    return path


def test_render_without_tex_writes_the_sources_and_says_how_to_install(
        set_file: Path, tmp_path: Path) -> None:
    if not MATCALC.exists():
        pytest.skip("the matcalc script is not installed next to this Python")
    empty = tmp_path / "empty-bin"
    empty.mkdir()  # PATH with nothing on it: no lualatex, whatever the machine has
    out = tmp_path / "out"
    done = subprocess.run([str(MATCALC), "render", str(set_file), "-o", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, stdin=subprocess.DEVNULL,
                          env={**no_pythonpath(), "PATH": str(empty)}, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "lualatex not found" in done.stderr
    assert "apt-get install" in done.stderr and "texlive-luatex" in done.stderr
    assert "fonts-wqy-microhei" in done.stderr
    assert str(out) in done.stderr
    assert "Traceback" not in done.stderr
    for name in FILES.values():
        source = out / f"{name}.tex"
        assert source.is_file() and r"\begin{document}" in source.read_text("utf-8")
        assert not (out / f"{name}.pdf").exists()


@needs_tex
def test_cli_render_with_what_and_no_split(set_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run([str(MATCALC), "render", str(set_file), "-o", str(out),
                           "--what", "key,solutions", "--no-split"], capture_output=True,
                          text=True, env=no_pythonpath(), cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == ["answer-key.pdf", "solutions.pdf"]
    assert not (out / "a1").exists()


@needs_tex
def test_cli_worksheet_with_no_options(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run([str(MATCALC), "worksheet", "-o", str(out)], capture_output=True,
                          text=True, env=no_pythonpath(), cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    exercise_set = ExerciseSet.loads((out / "set.json").read_text("utf-8"))
    assert [v.id for v in exercise_set.variants] == ["v1"]
    assert len(exercise_set.variants[0].exercises) == 8
    for name in FILES.values():
        assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF")
    assert [p for p in out.iterdir() if p.is_dir()] == []  # one variant: nothing to split
    text = pdf_text(out / "worksheet.pdf")
    assert "Matrix calculus" in text and variant_code(exercise_set.variants[0].seed) in text


@needs_tex
def test_cli_worksheet_with_a_roster_writes_a_folder_per_row(tmp_path: Path) -> None:
    rows = [("id", "name", "email"), ("a1", "Ann One", "ann@example.org"), ("b2", "Bob Two", ""),
            ("c3", "Zoë Ñúñez-O'Brien", ""), ("d4", r"\input{/etc/passwd}", "")]
    roster = tmp_path / "class.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    out = tmp_path / "out"
    done = subprocess.run([str(MATCALC), "worksheet", "--roster", str(roster), "--count", "2",
                           "--family", "quadratic", "--jobs", "1", "-o", str(out)],
                          capture_output=True, text=True, env=no_pythonpath(), cwd=tmp_path,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "set.json").read_text("utf-8"))
    assert [v["id"] for v in record["variants"]] == ["a1", "b2", "c3", "d4"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["a1", "b2", "c3", "d4"]
    for student_id, name, _ in rows[1:]:
        for file in FILES.values():
            assert (out / student_id / f"{file}.pdf").read_bytes().startswith(b"%PDF")
        text = pdf_text(out / student_id / "worksheet.pdf").replace("\u2019", "'")
        assert name in text and f"id {student_id}" in text
    assert "wrote 4 students' PDFs" in done.stderr


# ---------------------------------------------------------------------------------------------
# content seen on the rendered solutions


def _sum_reduction_variants() -> Iterator[Variant]:
    for seed in range(4):
        yield from make_set(SetOptions(families=("sum_reduction",), count=3, seed=seed)).variants


def test_solution_steps_use_the_notation_box_symbols() -> None:
    """BUG (content, seen on the rendered solutions): the notation box on every sheet says
    '⊙ is the element-wise (Hadamard) product ... ⊗ the Kronecker product', and the grammar
    reads \\otimes as Kronecker, but sum_reduction's dot-product step says
    'w·x = sum(w ⊗ x) ... (sum reduction of the element-wise product)'; with ⊗ as Kronecker,
    sum(w ⊗ x) = sum(w)·sum(x), not w·x."""
    steps = [step for variant in _sum_reduction_variants()
             for exercise in variant.exercises for step in exercise.steps_latex
             if "element-wise product" in step]
    assert steps, "no step mentions the element-wise product"
    for step in steps:
        assert r"\otimes" not in step, step
