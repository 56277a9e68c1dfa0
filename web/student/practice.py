"""Practice pages (no login): pick a family, difficulty and layout; answer a fresh verified
variant; check it in the grading pool; see the worked solution.  Nothing is stored."""

from __future__ import annotations

import random
import secrets
from typing import Any
from urllib.parse import urlencode

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from generator.families import registry
from generator.layout import LAYOUTS
from generator.verify import VerificationError
from grader.exercise_set import Exercise
from web.grading import GradingService, GradingUnavailableError, job_for
from web.student import blueprint
from web.student.prose import pieces
from web.student.variants import (
    Choice,
    PracticeError,
    choice_from,
    default_form,
    exercise,
    family_of,
    fresh,
)
from web.student.verdicts import VerdictView, view

#: Seconds a practice check may wait for the grading pool.
CHECK_TIMEOUT = 20.0
#: Longest answer accepted by the check form (the language's own caps are far below it).
MAX_ANSWER = 4000


@blueprint.get("/practice")
def index() -> str:
    families = [(family, default_form(family)) for family in registry().values()]
    return render_template("practice_index.html", families=families, layouts=LAYOUTS)


@blueprint.get("/practice/start")
def start() -> WerkzeugResponse:
    """The picker's form: on to the family's page."""
    name = request.args.get("family", "")
    try:
        family = family_of(name)
    except PracticeError as problem:
        abort(_refusal(str(problem), 404))
    arguments = {key: value for key, value in request.args.items() if key != "family" and value}
    if arguments.get("difficulty", "").isdigit():  # the family's nearest difficulty
        wanted = int(arguments["difficulty"])
        arguments["difficulty"] = str(min(family.difficulties, key=lambda d: abs(d - wanted)))
    if arguments.get("form") not in family.forms:
        arguments.pop("form", None)
    return redirect(_address(family.name, arguments))


@blueprint.get("/practice/<family>")
def exercise_page(family: str) -> Any:
    choice = _choice(family, request.args)
    if choice.seed is None:  # a fresh variant, at an address that keeps it
        seeded = _fresh(choice)
        return redirect(_address(choice.family, seeded.query()))
    shown = _exercise(choice)
    return render_template("practice.html", **_page(choice, shown, answer="", verdict=None,
                                                      solution=request.args.get("solution")
                                                      == "1"))


@blueprint.post("/practice/<family>/check")
def check(family: str) -> tuple[str, int]:
    """Grade an answer in the capped pool (never in this thread) and show the verdict."""
    choice = _choice(family, request.form)
    if choice.seed is None:
        abort(_refusal("the form names no exercise (its seed is missing)", 400))
    shown = _exercise(choice)
    answer = request.form.get("answer", "")
    if len(answer) > MAX_ANSWER:
        abort(_refusal(f"an answer is at most {MAX_ANSWER} characters", 400))
    service: GradingService = current_app.extensions["matcalc.grading"]
    try:
        verdict = service.check(job_for(shown, answer), timeout=CHECK_TIMEOUT)
    except GradingUnavailableError as problem:
        page = _page(choice, shown, answer=answer, verdict=None, solution=False)
        return render_template("practice.html", unavailable=str(problem), **page), 503
    result = view(verdict, answer, shown.given)
    return render_template("practice.html", **_page(choice, shown, answer=answer,
                                                      verdict=result,
                                                      solution=result.correct)), 200


def _choice(family: str, arguments: Any) -> Choice:
    try:
        return choice_from(family, arguments)
    except PracticeError as problem:
        code = 404 if family not in registry() else 400
        abort(_refusal(str(problem), code))


def _fresh(choice: Choice) -> Choice:
    # The one place practice draws randomness: a generator seeded from the system's source.
    rng = random.Random(secrets.randbits(64))
    try:
        return fresh(choice, rng)
    except PracticeError as problem:
        abort(_refusal(str(problem), 500))


def _exercise(choice: Choice) -> Exercise:
    try:
        return exercise(choice)
    except VerificationError as problem:
        abort(_refusal(f"this exercise failed its own check ({problem}); try another", 500))


def _page(choice: Choice, shown: Exercise, *, answer: str, verdict: VerdictView | None,
          solution: bool) -> dict[str, Any]:
    family = family_of(choice.family)
    return {
        "family": family, "choice": choice, "exercise": shown, "answer": answer,
        "verdict": verdict, "show_solution": solution,
        "prompt": pieces(shown.prompt_latex),
        "steps": [pieces(step) for step in shown.steps_latex],
        "another": _address(choice.family, choice.query(with_seed=False)),
    }


def _address(family: str, query: dict[str, str]) -> str:
    return f"{url_for('student.exercise_page', family=family)}?{urlencode(sorted(query.items()))}"


def _refusal(message: str, code: int) -> Response:
    response = Response(render_template("refusal.html", message=message, code=code), code)
    return response
