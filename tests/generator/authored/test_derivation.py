"""An exercise without an answer takes the calculus engine's derivative, checked as any key."""

from __future__ import annotations

import importlib.util
import random

import pytest

from generator.authored.check import check_exercise
from generator.authored.derivation import ENGINE
from generator.authored.draws import draw_exercise
from generator.authored.errors import AuthoringError
from generator.authored.reading import read_text

try:
    HAVE_ENGINE = importlib.util.find_spec(ENGINE) is not None
except ModuleNotFoundError:
    HAVE_ENGINE = False

NO_ANSWER = """[[exercise]]
id = "derived"
given = "x[n], y[n], A[n,n]"
wrt = "x"
function = "x^T A y + {c} x^T x"
[exercise.parameters]
c = [-5, -1]
[[exercise.tests]]
answer = "(A y + 2 {c} x)^T"
expect = "correct"
"""


@pytest.mark.skipif(HAVE_ENGINE, reason="this matcalc has the calculus engine")
def test_without_the_engine_an_answer_is_asked_for() -> None:
    (exercise,) = read_text(NO_ANSWER, "d.toml")
    with pytest.raises(AuthoringError, match=r"d.toml:5: derived.function: give an answer: "
                                             "this matcalc cannot derive it"):
        draw_exercise(exercise, random.Random(0))
    (failure,) = check_exercise(exercise)
    assert "give an answer" in str(failure)


@pytest.mark.skipif(not HAVE_ENGINE, reason="needs generator.calculus.derivative")
def test_a_derived_key_passes_the_check() -> None:
    (exercise,) = read_text(NO_ANSWER, "d.toml")
    assert check_exercise(exercise) == []
