"""Reading exercise files (TOML, standard-library ``tomllib``) into checked records.

Everything a file says is checked here, before anything is drawn or written: keys and their
types, ids unique, difficulty 1–5, parameters well formed, names declared, every expression
readable.  Each problem is reported as ``FILE:LINE: ID.ENTRY: what is wrong``.

Each ``[[exercise]]`` block is kept as written (its source text and SHA-256), so an exercise set
records its authored exercises by content and can be rebuilt from the set alone.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from generator.authored.errors import AuthoringError
from generator.authored.parameters import Parameter, Template, references
from grader.errors import ParseError
from grader.language.declarations import Declarations
from grader.language.parser import parse_declarations

VERDICTS = ("correct", "incorrect", "wrong_shape", "invalid")
_EXERCISE_KEYS = {"id", "title", "given", "wrt", "function", "answer", "difficulty", "hessian",
                  "parameters", "mistakes", "tests", "steps"}
_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*exercise[ \t]*\]\][ \t]*(#.*)?$", re.M)
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: A range's bounds are kept small: a parameter is a coefficient, not a stress test.
_BOUND = 10**6


@dataclass(frozen=True)
class AuthoredMistake:
    answer: str
    note: str
    feedback: str


@dataclass(frozen=True)
class AuthoredTest:
    answer: str
    expect: str


@dataclass(frozen=True)
class AuthoredExercise:
    """One ``[[exercise]]`` as written; answers, mistakes and tests in numerator layout."""

    id: str
    title: str
    given: str
    wrt: str
    function: str
    answer: str | None
    difficulty: int
    hessian: bool
    parameters: tuple[Parameter, ...]
    mistakes: tuple[AuthoredMistake, ...]
    tests: tuple[AuthoredTest, ...]
    steps: tuple[str, ...]
    path: str
    #: The ``[[exercise]]`` block as written, and its SHA-256 (hex).
    source: str
    digest: str
    #: (entry, line in the file): ``function``, ``mistakes[0]``, ``parameters.c``...
    lines: tuple[tuple[str, int], ...] = ()

    def place(self, entry: str = "") -> str:
        """``FILE:LINE: ID.ENTRY`` (the line of the entry where known, else of the block)."""
        return f"{self.path}:{line_of(dict(self.lines), entry)}: {self.id}" + \
            (f".{entry}" if entry else "")

    @property
    def declarations(self) -> Declarations:
        return parse_declarations(self.given)

    @property
    def template(self) -> Template:
        return Template.of(self.declarations, tuple(p.name for p in self.parameters))


def read_file(path: Path) -> tuple[AuthoredExercise, ...]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise AuthoringError(f"{path}: can't be read ({problem})") from None
    return read_text(text, str(path))


def read_text(text: str, path: str) -> tuple[AuthoredExercise, ...]:
    """Every exercise of a file's text, checked; the first problem raises
    :class:`AuthoringError` naming its place."""
    document = _load(text, path, 0)
    extra = sorted(set(document) - {"exercise"})
    if extra:
        raise AuthoringError(f"{path}:{_key_line(text, extra[0], 0)}: unknown top-level key "
                             f"{extra[0]!r}: a file holds [[exercise]] tables only")
    tables = document.get("exercise")
    if not isinstance(tables, list) or not tables:
        raise AuthoringError(f"{path}:1: no [[exercise]] tables")
    blocks = _blocks(text)
    if len(blocks) != len(tables):
        raise AuthoringError(f"{path}: write each exercise as an [[exercise]] table "
                             f"(found {len(tables)} exercises, {len(blocks)} headers)")
    exercises: list[AuthoredExercise] = []
    seen: dict[str, int] = {}
    for (start, block), _table in zip(blocks, tables, strict=True):
        line = text.count("\n", 0, start) + 1
        exercise = read_block(block, path, line)
        if exercise.id in seen:
            raise AuthoringError(f"{path}:{line}: id {exercise.id!r} is used twice (first at "
                                 f"line {seen[exercise.id]})")
        seen[exercise.id] = line
        exercises.append(exercise)
    return tuple(exercises)


def read_block(block: str, path: str, line: int = 1) -> AuthoredExercise:
    """One ``[[exercise]]`` block (its own TOML document), its first line being ``line``."""
    document = _load(block, path, line - 1)
    tables = document.get("exercise")
    if set(document) != {"exercise"} or not isinstance(tables, list) or len(tables) != 1:
        raise AuthoringError(f"{path}:{line}: expected one [[exercise]] table")
    table = tables[0]
    lines = _lines(block, line)
    where = f"{path}:{line}"
    raw_id = table.get("id")
    if not isinstance(raw_id, str) or not _ID.match(raw_id):
        raise AuthoringError(f"{where}: each exercise needs an id: a letter, then letters, "
                             "digits, '_' or '-' (at most 64)")
    place = _Places(path, raw_id, dict(lines))
    unknown = sorted(set(table) - _EXERCISE_KEYS)
    if unknown:
        raise AuthoringError(f"{place(unknown[0])}: unknown key; an exercise has "
                             f"{', '.join(sorted(_EXERCISE_KEYS))}")
    given = _text(table, "given", place)
    wrt = _text(table, "wrt", place)
    function = _text(table, "function", place)
    answer = _text(table, "answer", place, required=False) or None
    title = _text(table, "title", place, required=False) or raw_id
    difficulty = table.get("difficulty", 3)
    if isinstance(difficulty, bool) or not isinstance(difficulty, int) or \
            not 1 <= difficulty <= 5:
        raise AuthoringError(f"{place('difficulty')}: a whole number from 1 to 5, not "
                             f"{difficulty!r}")
    hessian = table.get("hessian", False)
    if not isinstance(hessian, bool):
        raise AuthoringError(f"{place('hessian')}: true or false, not {hessian!r}")
    steps = table.get("steps", [])
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        raise AuthoringError(f"{place('steps')}: a list of LaTeX strings")
    try:
        declarations = parse_declarations(given)
    except ParseError as problem:
        raise AuthoringError(f"{place('given')}: {problem}") from None
    parameters = _parameters(table.get("parameters", {}), declarations, place)
    _check_wrt(wrt, declarations, place)
    mistakes = tuple(
        AuthoredMistake(_text(m, "answer", place, f"mistakes[{i}]"),
                        _text(m, "note", place, f"mistakes[{i}]", required=False)
                        or "listed_mistake",
                        _text(m, "feedback", place, f"mistakes[{i}]", required=False))
        for i, m in enumerate(_tables(table, "mistakes", place, {"answer", "note", "feedback"})))
    tests = []
    for i, t in enumerate(_tables(table, "tests", place, {"answer", "expect"})):
        expect = _text(t, "expect", place, f"tests[{i}]")
        if expect not in VERDICTS:
            raise AuthoringError(f"{place(f'tests[{i}]')}: expect is one of "
                                 f"{', '.join(VERDICTS)}, not {expect!r}")
        tests.append(AuthoredTest(_text(t, "answer", place, f"tests[{i}]"), expect))
    exercise = AuthoredExercise(
        id=raw_id, title=title, given=given, wrt=wrt, function=function, answer=answer,
        difficulty=difficulty, hessian=hessian, parameters=parameters, mistakes=mistakes,
        tests=tuple(tests), steps=tuple(steps), path=path, source=block,
        digest=hashlib.sha256(block.encode("utf-8")).hexdigest(), lines=lines)
    _check_expressions(exercise)
    return exercise


class _Places:
    """``FILE:LINE: ID.ENTRY`` for an entry of one exercise."""

    def __init__(self, path: str, exercise_id: str, lines: dict[str, int]) -> None:
        self.path, self.id, self.lines = path, exercise_id, lines

    def __call__(self, entry: str) -> str:
        return f"{self.path}:{line_of(self.lines, entry)}: {self.id}.{entry}"


def line_of(lines: dict[str, int], entry: str) -> int:
    """The line of ``entry``, else of the nearest entry holding it, else of the block."""
    while entry:
        if entry in lines:
            return lines[entry]
        cut = max(entry.rfind("."), entry.rfind("["))
        entry = entry[:cut] if cut > 0 else ""
    return lines[""]


def _load(text: str, path: str, offset: int) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        message = str(problem)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if found:
            line = int(found.group(1)) + offset
            message = message[:found.start()].rstrip() + f" (column {found.group(2)})"
            raise AuthoringError(f"{path}:{line}: not valid TOML: {message}") from None
        raise AuthoringError(f"{path}: not valid TOML: {message}") from None


def _blocks(text: str) -> list[tuple[int, str]]:
    """(start offset, text) of each ``[[exercise]]`` block: from its header to the next."""
    starts = [match.start() for match in _HEADER.finditer(text)]
    return [(start, text[start:stop]) for start, stop in
            zip(starts, [*starts[1:], len(text)], strict=True)]


def _key_line(text: str, key: str, offset: int) -> int:
    found = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.M)
    return offset + (text.count("\n", 0, found.start()) + 1 if found else 1)


def _lines(block: str, first: int) -> tuple[tuple[str, int], ...]:
    """Where each entry of the block is written (best effort: the TOML reader gives no lines)."""
    found: dict[str, int] = {"": first}
    section = ""
    counts: dict[str, int] = {}
    for number, line in enumerate(block.splitlines(), start=first):
        header = re.match(r"^\s*(\[\[?)\s*exercise\.([A-Za-z_]+)\s*\]\]?", line)
        if header:
            section = header.group(2)
            if header.group(1) == "[[":
                index = counts.get(section, 0)
                counts[section] = index + 1
                found[f"{section}[{index}]"] = number
            else:
                found.setdefault(section, number)
            continue
        key = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=", line)
        if key:
            name = key.group(1)
            if section in ("mistakes", "tests"):
                found.setdefault(f"{section}[{counts.get(section, 1) - 1}].{name}", number)
            else:
                found.setdefault(f"{section}.{name}" if section else name, number)
    return tuple(found.items())


def _text(table: Any, key: str, place: _Places, entry: str = "", *,
          required: bool = True) -> str:
    where = f"{entry}.{key}" if entry else key
    if not isinstance(table, dict):
        raise AuthoringError(f"{place(entry or key)}: expected a table")
    value = table.get(key)
    if value is None:
        if required:
            raise AuthoringError(f"{place(where)}: missing")
        return ""
    if not isinstance(value, str):
        raise AuthoringError(f"{place(where)}: expected a string, not {value!r}")
    return value


def _tables(table: dict[str, Any], key: str, place: _Places,
            allowed: set[str]) -> list[dict[str, Any]]:
    items = table.get(key, [])
    if not isinstance(items, list):
        raise AuthoringError(f"{place(key)}: write each as a [[exercise.{key}]] table")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise AuthoringError(f"{place(f'{key}[{i}]')}: expected a table")
        unknown = sorted(set(item) - allowed)
        if unknown:
            raise AuthoringError(f"{place(f'{key}[{i}]')}: unknown key {unknown[0]!r}; "
                                 f"allowed: {', '.join(sorted(allowed))}")
    return items


def _parameters(spec: Any, declarations: Declarations,
                place: _Places) -> tuple[Parameter, ...]:
    if not isinstance(spec, dict):
        raise AuthoringError(f"{place('parameters')}: expected a table of parameters")
    parameters = []
    for name, value in spec.items():
        where = place(f"parameters.{name}")
        if not _NAME.match(name):
            raise AuthoringError(f"{where}: a parameter's name is a letter, then letters, "
                                 "digits or '_'")
        if declarations.shape_of(name) is not None:
            raise AuthoringError(f"{where}: {name} is also declared in given")
        if isinstance(value, dict):
            if set(value) != {"choose"} or not isinstance(value["choose"], list) \
                    or not value["choose"]:
                raise AuthoringError(f"{where}: a choice is {{ choose = [2, 3, 4] }}")
            choices = []
            for choice in value["choose"]:
                if isinstance(choice, bool) or not isinstance(choice, int | float) or \
                        choice != choice or abs(choice) > _BOUND:
                    raise AuthoringError(f"{where}: choices are numbers, not {choice!r}")
                choices.append(Fraction(str(choice)) if isinstance(choice, float)
                               else Fraction(choice))
            parameters.append(Parameter(name, choices=tuple(choices)))
            continue
        if not (isinstance(value, list) and len(value) == 2 and all(
                isinstance(v, int) and not isinstance(v, bool) for v in value)):
            raise AuthoringError(f"{where}: an inclusive range of whole numbers [low, high], "
                                 f"or {{ choose = [...] }}, not {value!r}")
        low, high = value
        if low > high:
            raise AuthoringError(f"{where}: the range [{low}, {high}] is empty (low > high)")
        if max(abs(low), abs(high)) > _BOUND:
            raise AuthoringError(f"{where}: keep the range within ±{_BOUND}")
        parameters.append(Parameter(name, low, high))
    return tuple(parameters)


def _check_wrt(wrt: str, declarations: Declarations, place: _Places) -> None:
    names = [name.strip() for name in wrt.split(",")]
    for name in names:
        shape = declarations.shape_of(name)
        if shape is None:
            raise AuthoringError(f"{place('wrt')}: {name!r} is not declared in given "
                                 f"({declarations})")
        if len(names) > 1 and not shape.is_scalar:
            raise AuthoringError(f"{place('wrt')}: a list of variables holds scalars only; "
                                 f"{name} is {shape.describe()}")


def _check_expressions(exercise: AuthoredExercise) -> None:
    """Every expression reads (with parameters as placeholders), and every ``{name}`` written
    is a parameter."""
    defined = {p.name for p in exercise.parameters}
    template = exercise.template
    texts: list[tuple[str, str, bool]] = [("function", exercise.function, True)]
    if exercise.answer is not None:
        texts.append(("answer", exercise.answer, True))
    texts += [(f"mistakes[{i}]", m.answer, True) for i, m in enumerate(exercise.mistakes)]
    texts += [(f"tests[{i}]", t.answer, t.expect != "invalid")
              for i, t in enumerate(exercise.tests)]
    for entry, text, must_read in texts:
        if not must_read:
            continue
        try:
            template.read(text)
        except ParseError as problem:
            undefined = [name for name in references(text) if name not in defined]
            hint = (f" ({{{undefined[0]}}} is not a parameter: define it under "
                    "[exercise.parameters])") if undefined else ""
            raise AuthoringError(f"{exercise.place(entry)}: {problem}{hint}") from None
