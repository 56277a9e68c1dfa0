"""A malformed exercise file gets one message naming its place: file, line, exercise, entry."""

from __future__ import annotations

import pytest

from generator.authored.errors import AuthoringError
from generator.authored.reading import read_text
from tests.generator.authored.conftest import FILES

HEAD = '[[exercise]]\nid = "e"\ngiven = "x[n], A[n,n]"\nwrt = "x"\nfunction = "x^T A x"\n'


def problem(text: str) -> str:
    with pytest.raises(AuthoringError) as caught:
        read_text(text, "f.toml")
    return str(caught.value)


def test_the_good_file_reads_with_lines_and_digests() -> None:
    (bilinear, scaled) = read_text((FILES / "good.toml").read_text("utf-8"), "good.toml")
    assert bilinear.place("tests[1]") == "good.toml:20: bilinear.tests[1]"
    assert bilinear.place("parameters.c") == "good.toml:12: bilinear.parameters.c"
    assert bilinear.digest != scaled.digest and scaled.source.startswith("[[exercise]]")
    assert [str(c) for c in scaled.parameters[0].choices] == ["-3", "2", "1/2"]


@pytest.mark.parametrize(("text", "message"), [
    (HEAD.replace('wrt = "x"\n', ""), "f.toml:1: e.wrt: missing"),
    (HEAD + "colour = 3\n", "f.toml:6: e.colour: unknown key"),
    (HEAD + "difficulty = 7\n", "f.toml:6: e.difficulty: a whole number from 1 to 5"),
    (HEAD.replace('wrt = "x"', 'wrt = "z"'), "f.toml:4: e.wrt: 'z' is not declared"),
    (HEAD.replace('"x^T A x"', '"x^T A x +"'), "f.toml:5: e.function: "),
    (HEAD + 'answer = "2 {k} x^T A"\n', "{k} is not a parameter"),
    (HEAD + "[exercise.parameters]\nc = [1.5, 3]\n",
     "f.toml:7: e.parameters.c: an inclusive range of whole numbers"),
    (HEAD + "[exercise.parameters]\nc = { choose = [] }\n",
     "f.toml:7: e.parameters.c: a choice is"),
    (HEAD + "[exercise.parameters]\nA = [1, 3]\n", "e.parameters.A: A is also declared"),
    (HEAD + '[[exercise.tests]]\nanswer = "x^T"\nexpect = "right"\n',
     "f.toml:6: e.tests[0]: expect is one of correct, incorrect, wrong_shape, invalid"),
    (HEAD + '[[exercise.mistakes]]\nanswer = "x^T A +"\n', "f.toml:6: e.mistakes[0]:"),
    (HEAD + HEAD, "f.toml:6: id 'e' is used twice (first at line 1)"),
    ('title = "x"\n' + HEAD, "f.toml:1: unknown top-level key 'title'"),
    (HEAD.replace('function = "x^T A x"', 'function = "x^T A x'), "f.toml:5: not valid TOML"),
])
def test_problems_name_their_place(text: str, message: str) -> None:
    assert message in problem(text)


def test_the_syntax_error_file() -> None:
    text = (FILES / "syntax_error.toml").read_text("utf-8")
    assert problem(text).startswith("f.toml:5: not valid TOML")
