"""Exercise sets to PDF: worksheets, answer keys and worked solutions, a whole class at once.

TeX's start-up dominates the cost of a short document, so each kind of document is one LaTeX run
for the whole class; the combined PDF is then split per student with pypdf, using the page
numbers LaTeX records for each student's first page in the ``.aux`` file.  LaTeX runs with shell
escape off, ``openin_any``/``openout_any`` paranoid, in non-stop mode and under a time limit.
Every piece of user text (course title, student names, ids) goes through :func:`latex_text`.
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

from grader.exercise_set import Exercise, ExerciseSet, ExerciseSetError
from grader.files import file_name
from grader.language.parser import parse_declarations
from grader.language.printing.latex import latex_name
from grader.numeric import tolerance_text

KINDS = {"worksheet": "Worksheet", "key": "Answer key", "solutions": "Worked solutions"}
FILE_NAMES = {"worksheet": "worksheet", "key": "answer-key", "solutions": "solutions"}
INSTALL_HINT = ("install TeX with: sudo apt-get install texlive-latex-base "
                "texlive-latex-recommended texlive-fonts-recommended lmodern")
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
    """User text for LaTeX: escaped, and characters pdfLaTeX's T1 fonts can't show replaced.

    The one escaping path for every piece of user text.  Latin letters with accents (Zoë, Ñúñez)
    are kept exactly; other scripts are replaced by '?', so a name never breaks the build.
    """
    kept = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _TYPESET:
            kept.append(ch)
        elif ch.isspace():
            kept.append(" ")
        else:  # ư → u: the letter without the accent T1 lacks; another script → ?
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if c in _TYPESET)
            kept.append(base if base.isalpha() else "?")
    return str(escape_latex("".join(kept)))


#: The characters pdfLaTeX with T1 fonts and utf8 input typesets: ASCII, Latin-1 and Latin
#: Extended-A, less the few letters T1 has no glyph for.
_TYPESET = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x180)
       if c not in (0xAD, 0x126, 0x127, 0x138, 0x13F, 0x140, 0x149, 0x166, 0x167, 0x17F)]
)


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
    template = _environment().get_template(f"{kind}.tex")
    return template.render(
        title=latex_text(exercise_set.title), seed=exercise_set.seed, kind=KINDS[kind],
        layout_note=_LAYOUT_NOTES.get(exercise_set.layout, ""), variants=variants,
    )


def _exercise(exercise: Exercise) -> dict[str, Any]:
    rows, cols = exercise.shape
    return {
        "id": latex_text(exercise.id),
        "prompt": exercise.prompt_latex,
        "answer": exercise.answer_latex,
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
    latex = shutil.which("pdflatex")
    if latex is None:
        raise RenderError(f"pdflatex not found: the .tex files are in {directory}; "
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
    """Run pdflatex on every source at once; wait for all; report the first failure."""
    environment = dict(os.environ, openin_any="p", openout_any="p", shell_escape="f")
    running = {
        kind: subprocess.Popen(
            [latex, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
             "-file-line-error", source.name],
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
