"""Exercise records and exercise sets (``format: "matcalc-set/1"``), as JSON.

Records are frozen dataclasses; JSON is written with sorted keys and fixed separators, numbers as
exact strings, so the same seed gives byte-identical files on any machine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from grader.errors import MatcalcError
from grader.verdict import Mistake

FORMAT = "matcalc-set/1"
Form = Literal["symbolic", "explicit", "numeric"]
FORMS: tuple[Form, ...] = ("symbolic", "explicit", "numeric")
Kind = Literal["derivative", "gradient", "jacobian", "hessian"]


class ExerciseSetError(MatcalcError):
    """An exercise set or roster that can't be read or built; the message names the place."""


@dataclass(frozen=True)
class Exercise:
    id: str
    family: str
    difficulty: int
    seed: int
    layout: str
    form: str
    kind: str
    given: str
    wrt: str
    function: str
    answer: str
    shape: tuple[str, str]
    prompt_latex: str
    answer_latex: str
    steps_latex: tuple[str, ...]
    mistakes: tuple[Mistake, ...]
    sympy: tuple[tuple[str, str], ...]  # (("answer", srepr), ("function", srepr))
    values: tuple[tuple[str, str], ...] = ()  # numeric form: (name, matrix in the language)

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": self.id, "family": self.family, "difficulty": self.difficulty,
            "seed": self.seed, "layout": self.layout, "form": self.form, "kind": self.kind,
            "given": self.given, "wrt": self.wrt, "function": self.function,
            "answer": self.answer, "shape": list(self.shape),
            "prompt_latex": self.prompt_latex, "answer_latex": self.answer_latex,
            "steps_latex": list(self.steps_latex),
            "mistakes": [{"answer": m.answer, "note": m.note, "feedback": m.feedback}
                         for m in self.mistakes],
            "sympy": dict(self.sympy),
        }
        if self.values:
            record["values"] = dict(self.values)
        return record

    @staticmethod
    def from_json(record: dict[str, Any], where: str = "exercise") -> Exercise:
        try:
            return Exercise(
                id=str(record["id"]), family=str(record["family"]),
                difficulty=int(record["difficulty"]), seed=int(record["seed"]),
                layout=str(record["layout"]), form=str(record.get("form", "symbolic")),
                kind=str(record["kind"]), given=str(record["given"]), wrt=str(record["wrt"]),
                function=str(record["function"]), answer=str(record["answer"]),
                shape=(str(record["shape"][0]), str(record["shape"][1])),
                prompt_latex=str(record["prompt_latex"]),
                answer_latex=str(record["answer_latex"]),
                steps_latex=tuple(str(s) for s in record["steps_latex"]),
                mistakes=tuple(Mistake(str(m["answer"]), str(m["note"]), str(m["feedback"]))
                               for m in record.get("mistakes", [])),
                sympy=tuple(sorted((str(k), str(v)) for k, v in record["sympy"].items())),
                values=tuple(sorted((str(k), str(v))
                                    for k, v in record.get("values", {}).items())),
            )
        except (KeyError, TypeError, ValueError, IndexError) as problem:
            raise ExerciseSetError(f"{where}: missing or malformed field {problem}") from None


@dataclass(frozen=True)
class Variant:
    """One student's exercises (or the single variant of an anonymous set)."""

    id: str
    seed: int
    exercises: tuple[Exercise, ...]
    name: str = ""
    email: str = ""
    #: The student's Canvas user ID, from a Canvas roster: it names their Canvas downloads.
    canvas_id: str = ""

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"id": self.id, "seed": self.seed,
                                  "exercises": [e.to_json() for e in self.exercises]}
        if self.name:
            record["name"] = self.name
        if self.email:
            record["email"] = self.email
        if self.canvas_id:
            record["canvas_id"] = self.canvas_id
        return record

    @staticmethod
    def from_json(record: dict[str, Any], where: str = "variant") -> Variant:
        try:
            exercises = tuple(Exercise.from_json(e, f"{where}, exercise {j}")
                              for j, e in enumerate(record["exercises"], start=1))
            return Variant(str(record["id"]), int(record["seed"]), exercises,
                           str(record.get("name", "")), str(record.get("email", "")),
                           str(record.get("canvas_id", "")))
        except (KeyError, TypeError, ValueError) as problem:
            raise ExerciseSetError(f"{where}: missing or malformed field {problem}") from None


@dataclass(frozen=True)
class AuthoredSource:
    """An exercise an instructor wrote (TOML), recorded by content so the set can be rebuilt."""

    id: str
    sha256: str
    source: str
    file: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "sha256": self.sha256, "source": self.source, "file": self.file}


@dataclass(frozen=True)
class ExerciseSet:
    seed: int
    layout: str
    variants: tuple[Variant, ...]
    title: str = "Matrix calculus"
    generator: str = field(default="matcalc")
    #: The options that made the set, as ``(name, JSON value)`` pairs (the generator reads
    #: them back to rebuild it); empty for a set written by other means.
    options: tuple[tuple[str, Any], ...] = ()
    #: The authored exercises the set uses (absent from the JSON when there are none).
    authored: tuple[AuthoredSource, ...] = ()

    def to_json(self) -> dict[str, Any]:
        record = {"format": FORMAT, "title": self.title, "seed": self.seed,
                  "layout": self.layout, "generator": self.generator,
                  "variants": [v.to_json() for v in self.variants]}
        if self.options:
            record["options"] = dict(self.options)
        if self.authored:
            record["authored"] = [a.to_json() for a in self.authored]
        return record

    def dumps(self) -> str:
        """Deterministic JSON text: the same set gives the same bytes everywhere."""
        return json.dumps(self.to_json(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    @staticmethod
    def loads(text: str, where: str = "set") -> ExerciseSet:
        try:
            record = json.loads(text)
        except json.JSONDecodeError as problem:
            raise ExerciseSetError(f"{where}: not JSON ({problem})") from None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise ExerciseSetError(f"{where}: not a {FORMAT} exercise set")
        variants = [Variant.from_json(variant, f"{where}: variant {index}")
                    for index, variant in enumerate(record.get("variants", []), start=1)]
        options = record.get("options", {})
        if not isinstance(options, dict):
            raise ExerciseSetError(f"{where}: options is not an object")
        try:
            authored = tuple(AuthoredSource(str(a["id"]), str(a["sha256"]), str(a["source"]),
                                            str(a["file"])) for a in record.get("authored", []))
        except (KeyError, TypeError) as problem:
            raise ExerciseSetError(f"{where}: authored: missing or malformed field {problem}") \
                from None
        return ExerciseSet(int(record.get("seed", 0)), str(record.get("layout", "numerator")),
                           tuple(variants), str(record.get("title", "Matrix calculus")),
                           str(record.get("generator", "matcalc")),
                           tuple(sorted((str(k), _frozen(v)) for k, v in options.items())),
                           authored)


def _frozen(value: Any) -> Any:
    """A JSON value with its lists as tuples, so that a set stays hashable."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value
