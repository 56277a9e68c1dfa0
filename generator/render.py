"""Exercise sets to PDF: worksheets, answer keys and worked solutions, a whole class at once.

TeX's start-up dominates the cost of a short document, so each kind of document is one LaTeX run
for the whole class; the combined PDF is then split per student with pypdf, using the page
numbers LaTeX records for each student's first page in the ``.aux`` file.  The engine is
LuaLaTeX, so that names and titles print in any script (:mod:`generator.typefaces`); every
formula of the answers copies as the answer language (:mod:`generator.copyable`).  LuaLaTeX runs
with shell escape and sockets off, ``openin_any``/``openout_any`` paranoid (TeX reads and writes
only in the job's folder and the TeX trees), in non-stop mode and under a time limit.  Every
piece of user text (course title, student names, ids) goes through :func:`latex_text`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from pylatex.utils import escape_latex
from pypdf import PdfReader, PdfWriter

from generator import typefaces
from generator.copyable import PREAMBLE as COPYABLE_PREAMBLE
from generator.copyable import copyable, copyable_function, copyable_values
from grader.exercise_set import Exercise, ExerciseSet, ExerciseSetError
from grader.files import file_name
from grader.language.parser import parse_declarations
from grader.language.printing.latex import latex_name
from grader.numeric import tolerance_text

KINDS = {"worksheet": "Worksheet", "key": "Answer key", "solutions": "Worked solutions"}
FILE_NAMES = {"worksheet": "worksheet", "key": "answer-key", "solutions": "solutions"}
PACKAGES = ("texlive-latex-base", "texlive-latex-recommended", "texlive-fonts-recommended",
            "texlive-luatex", "lmodern", *typefaces.PACKAGES)
INSTALL_HINT = f"install TeX and the fonts with: sudo apt-get install {' '.join(PACKAGES)}"
#: LuaLaTeX's options: no shell escape (``os.execute`` and ``io.popen`` refuse too), no sockets.
LATEX_FLAGS = ("--no-shell-escape", "--nosocket", "-interaction=nonstopmode", "-halt-on-error",
               "-file-line-error")
#: kpathsea's file rules for the run: TeX opens no file outside the job's folder and the TeX
#: trees, and writes none outside the job's folder ("p": paranoid).
LATEX_ENVIRONMENT = {"openin_any": "p", "openout_any": "p", "shell_escape": "f"}
LATEX_SECONDS = 300
_LAYOUT_NOTES = {
    "numerator": r"This sheet uses \emph{numerator layout}: for a scalar $f$ and "
                 r"$\mathbf{x}\in\mathbb{R}^n$, $\partial f/\partial\mathbf{x}$ is a row "
                 r"($1\times n$); for $\mathbf{y}\in\mathbb{R}^m$, "
                 r"$\partial\mathbf{y}/\partial\mathbf{x}$ is $m\times n$.",
    "denominator": r"This sheet uses \emph{denominator layout}: for a scalar $f$, "
                   r"$\partial f/\partial\mathbf{x}$ has the shape of $\mathbf{x}$ (a column); "
                   r"for $\mathbf{y}\in\mathbb{R}^m$ and $\mathbf{x}\in\mathbb{R}^n$, "
                   r"$\partial\mathbf{y}/\partial\mathbf{x}$ is $n\times m$.",
}


class RenderError(ExerciseSetError):
    """LaTeX is missing or failed; the message says where and what to do."""


@dataclass(frozen=True)
class Rendered:
    """What one render wrote."""

    combined: dict[str, Path]                     # kind → the class's PDF (or .tex without TeX)
    per_student: dict[str, dict[str, Path]]       # student id → kind → PDF


def latex_text(text: str) -> str:
    """User text for LaTeX: escaped, printed exactly as written.

    The one escaping path for every piece of user text.  Letters of any script, accents and
    typographic punctuation are kept (Unicode NFC); whitespace becomes a space; control and
    format characters (a NUL, an escape sequence, a right-to-left override) and unassigned code
    points become '?', so they can neither break the build nor reorder the line.
    """
    kept = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) in _UNPRINTABLE:
            kept.append("?")
        else:
            kept.append(ch)
    return str(escape_latex("".join(kept)))


#: Unicode categories printed as '?': control, format, surrogate, private use, unassigned.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _environment() -> jinja2.Environment:
    folder = resources.files("templates")
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: folder.joinpath(name).read_text("utf-8")),
        block_start_string=r"\BLOCK{", block_end_string="}",
        variable_start_string=r"\VAR{", variable_end_string="}",
        comment_start_string=r"\#{", comment_end_string="}",
        trim_blocks=True, lstrip_blocks=True, autoescape=False,
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )


def variant_code(seed: int) -> str:
    """A short code printed on every page, telling variants apart at a glance."""
    return hashlib.sha256(str(seed).encode()).hexdigest()[:6].upper()


def latex_source(exercise_set: ExerciseSet, kind: str) -> str:
    """The LaTeX of one document kind for every variant of the set."""
    variants = [
        {
            "index": index, "id": latex_text(variant.id),
            "name": latex_text(variant.name or variant.id), "code": variant_code(variant.seed),
            "exercises": [_exercise(e) for e in variant.exercises],
        }
        for index, variant in enumerate(exercise_set.variants, start=1)
    ]
    try:
        fonts = typefaces.preamble()
    except typefaces.MissingFontsError as problem:
        raise RenderError(f"{problem} (the fonts for names in other scripts)") from None
    template = _environment().get_template(f"{kind}.tex")
    return template.render(
        fonts=fonts, copyable=COPYABLE_PREAMBLE,
        title=latex_text(exercise_set.title), seed=exercise_set.seed, kind=KINDS[kind],
        layout_note=_LAYOUT_NOTES.get(exercise_set.layout, ""), variants=variants,
    )


def _exercise(exercise: Exercise) -> dict[str, Any]:
    rows, cols = exercise.shape
    return {
        "id": latex_text(exercise.id),
        "prompt": copyable_values(copyable_function(exercise.prompt_latex, exercise.function),
                                  exercise.values),
        "answer": copyable(exercise.answer_latex, exercise.answer),
        "steps": list(exercise.steps_latex),
        "given": _given(exercise.given),
        "shape": _shape(rows, cols),
        "space": _space(rows, cols),
        # numeric answers: what is accepted, stated as the grader applies it
        "numbers": latex_text(tolerance_text()) if exercise.form == "numeric" else "",
    }


def _given(given: str) -> str:
    parts = []
    for name, shape in parse_declarations(given).entries:
        bold = shape.is_vector
        space = r"\mathbb{R}" if shape.is_scalar else (
            rf"\mathbb{{R}}^{{{shape.rows}}}" if shape.cols.is_one
            else rf"\mathbb{{R}}^{{{shape.rows}\times {shape.cols}}}")
        parts.append(f"${latex_name(name, bold=bold)} \\in {space}$")
    return ", ".join(parts)


def _shape(rows: str, cols: str) -> str:
    if rows == "1" and cols == "1":
        return "a scalar"
    return f"${rows}\\times {cols}$".replace("*", r"\,")


def _space(rows: str, cols: str) -> str:
    """Answer space grows with the answer's shape."""
    if rows == "1" and cols == "1":
        return "2.2cm"
    if rows == "1" or cols == "1":
        return "3cm"
    return "4.5cm"


def render(
    exercise_set: ExerciseSet,
    directory: Path,
    *,
    kinds: Sequence[str] = ("worksheet", "key", "solutions"),
    split: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Rendered:
    """Write ``<kind>.tex`` and ``<kind>.pdf`` for the class and, with ``split``, each student's
    ``<id>/<kind>.pdf``.  Without TeX the ``.tex`` files are written and RenderError says how to
    install it."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise RenderError(f"unknown document kind {unknown[0]!r}; choose from "
                          f"{', '.join(KINDS)}")
    if not exercise_set.variants:
        raise RenderError("the set has no variants")
    directory.mkdir(parents=True, exist_ok=True)
    sources = {kind: directory / f"{FILE_NAMES[kind]}.tex" for kind in kinds}
    for kind, path in sources.items():
        path.write_text(latex_source(exercise_set, kind), "utf-8")
    latex = shutil.which("lualatex")
    if latex is None:
        raise RenderError(f"lualatex not found: the .tex files are in {directory}; "
                          f"{INSTALL_HINT}")
    if progress is not None:
        progress(f"typesetting {', '.join(FILE_NAMES[k] for k in kinds)}")
    combined = _compile_all(latex, sources, exercise_set)  # independent: run together
    per_student: dict[str, dict[str, Path]] = {}
    if split and len(exercise_set.variants) > 1:
        if progress is not None:
            progress(f"splitting into {len(exercise_set.variants)} students' PDFs")
        jobs = [job for kind in kinds
                for job in _split_jobs(combined[kind], sources[kind].with_suffix(".aux"),
                                       exercise_set, kind, directory)]
        with ProcessPoolExecutor(min(len(jobs), os.cpu_count() or 1)) as pool:
            for kind, written in pool.map(_split, jobs):
                for student, path in written:
                    per_student.setdefault(student, {})[kind] = path
    return Rendered(combined, per_student)


def _compile_all(latex: str, sources: dict[str, Path], exercise_set: ExerciseSet
                 ) -> dict[str, Path]:
    """Run LuaLaTeX on every source at once; wait for all; report the first failure."""
    environment = dict(os.environ, **LATEX_ENVIRONMENT)
    running = {
        kind: subprocess.Popen(
            [latex, *LATEX_FLAGS, source.name],
            cwd=source.parent, env=environment, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for kind, source in sources.items()
    }
    deadline = time.monotonic() + LATEX_SECONDS
    failed: list[str] = []
    for kind, process in running.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for other in running.values():
                other.kill()
            raise RenderError(f"LaTeX took longer than {LATEX_SECONDS} s on "
                              f"{sources[kind]}") from None
        if process.returncode != 0 or not sources[kind].with_suffix(".pdf").exists():
            failed.append(kind)
    if failed:
        raise RenderError(_explain_failure(sources[failed[0]], exercise_set))
    return {kind: source.with_suffix(".pdf") for kind, source in sources.items()}


def _explain_failure(source: Path, exercise_set: ExerciseSet) -> str:
    """The student and exercise the error is in, and the log lines about it."""
    log = source.with_suffix(".log")
    text = log.read_text("utf-8", errors="replace") if log.exists() else ""
    lines = text.splitlines()
    found = next((i for i, line in enumerate(lines)
                  if re.match(rf".*{re.escape(source.name)}:\d+: ", line) or
                  line.startswith("! ")), None)
    if found is None:
        return f"LaTeX failed on {source} (see {log})"
    excerpt = "\n".join(line for line in lines[found : found + 6]
                         if line.strip() and not line.startswith("Here is how much"))
    where = ""
    number = re.search(rf"{re.escape(source.name)}:(\d+):", lines[found])
    if number:
        tex = source.read_text("utf-8").splitlines()[: int(number.group(1))]
        marker = next((re.match(r"% matcalc: variant (\d+) exercise (\d+)", line)
                       for line in reversed(tex) if line.startswith("% matcalc: ")), None)
        if marker:
            variant = exercise_set.variants[int(marker.group(1)) - 1]
            exercise = variant.exercises[int(marker.group(2)) - 1]
            where = f"variant {variant.id} exercise {exercise.id}: "
    return f"LaTeX failed in {where or source.name + ': '}\n{excerpt}\n(full log: {log})"


@dataclass(frozen=True)
class _SplitJob:
    """Cut some students' pages out of one combined PDF (run in a worker process)."""

    pdf: Path
    kind: str
    directory: Path
    students: tuple[tuple[str, int, int], ...]  # (id, first page index, end page index)


def _split_jobs(pdf: Path, aux: Path, exercise_set: ExerciseSet, kind: str, directory: Path,
                batch: int = 50) -> list[_SplitJob]:
    """Page ranges from the labels LaTeX wrote to the .aux, in batches of students."""
    starts = {int(index): int(page) for index, page in re.findall(
        r"\\newlabel\{matcalc-variant-(\d+)\}\{\{[^}]*\}\{(\d+)\}", aux.read_text("utf-8"))}
    count = len(exercise_set.variants)
    if sorted(starts) != list(range(1, count + 1)):
        raise RenderError(f"{aux}: page marks for {len(starts)} of {count} students")
    total = len(PdfReader(pdf).pages)
    ranges = [(variant.id, starts[index] - 1, starts[index + 1] - 1 if index < count else total)
              for index, variant in enumerate(exercise_set.variants, start=1)]
    return [_SplitJob(pdf, kind, directory, tuple(ranges[i : i + batch]))
            for i in range(0, len(ranges), batch)]


def _split(job: _SplitJob) -> tuple[str, list[tuple[str, Path]]]:
    reader = PdfReader(job.pdf)
    written: list[tuple[str, Path]] = []
    for student, first, last in job.students:
        writer = PdfWriter()
        for page in reader.pages[first:last]:
            writer.add_page(page)
        folder = job.directory / file_name(student)
        folder.mkdir(exist_ok=True)
        target = folder / f"{FILE_NAMES[job.kind]}.pdf"
        temporary = target.with_name(f".{target.name}.tmp")
        with temporary.open("wb") as handle:
            writer.write(handle)
        temporary.replace(target)
        written.append((student, target))
    return job.kind, written
