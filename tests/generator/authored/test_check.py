"""``matcalc author check``: good files pass, broken ones fail naming file, line, entry, draw."""

from __future__ import annotations

import re
from pathlib import Path

from tests.generator.authored.conftest import FILES, matcalc


def test_a_good_file_passes() -> None:
    done = matcalc("author", "check", FILES / "good.toml")
    assert done.returncode == 0, done.stderr
    assert "2 exercise(s) pass: 20 draws in each layout" in done.stdout


def test_a_wrong_answer_fails_by_finite_differences() -> None:
    done = matcalc("author", "check", FILES / "wrong_answer.toml")
    assert done.returncode == 1
    assert "wrong_answer.toml:6: quadratic_form.answer: answer '2 x^T A' disagrees with finite " \
        "differences" in done.stderr
    assert "(draw 1 of 20: no parameters; numerator layout)" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_failing_test_is_named_with_its_line() -> None:
    done = matcalc("author", "check", FILES / "failing_test.toml")
    assert done.returncode == 1
    assert "failing_test.toml:12: linear.tests[1]: 'a' is wrong_shape, expected correct" \
        in done.stderr
    assert "linear.tests[0]" not in done.stderr  # the passing test is not reported


def test_a_failure_at_one_draw_names_the_parameters_of_that_draw() -> None:
    # c = 0 makes the "incorrect" test equal to the key: only the draws with c = 0 fail
    done = matcalc("author", "check", FILES / "zero_draw.toml")
    assert done.returncode == 1
    assert "zero_draw.toml:11: scaled.tests[0]: 'x^T' is correct, expected incorrect" \
        in done.stderr
    assert "c = 0;" in done.stderr


def test_a_bad_parameter_and_a_syntax_error_are_named() -> None:
    done = matcalc("author", "check", FILES / "bad_parameter.toml")
    assert done.returncode == 1
    assert "bad_parameter.toml:9: scaled.parameters.c: the range [9, 2] is empty" in done.stderr
    done = matcalc("author", "check", FILES / "syntax_error.toml")
    assert done.returncode == 1
    assert "syntax_error.toml:5: not valid TOML" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_folder_is_searched_and_every_file_is_reported() -> None:
    done = matcalc("author", "check", FILES)
    assert done.returncode == 1
    for name in ("bad_parameter.toml:9:", "syntax_error.toml:5:", "wrong_answer.toml:6:",
                 "failing_test.toml:12:", "zero_draw.toml:11:"):
        assert name in done.stderr
    assert "good.toml" not in done.stderr and "explicit.toml" not in done.stderr
    assert "2 file(s) could not be read" in done.stderr


def test_the_readmes_worked_example_passes_as_written(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text("utf-8")
    section = readme.split("## Writing your own exercises", 1)[1]
    (example, *_) = re.findall(r"```toml\n(.*?)```", section, re.S)
    (tmp_path / "bilinear.toml").write_text(example, "utf-8")
    done = matcalc("author", "check", "bilinear.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in section  # the output the README shows
    wrong = example.replace('answer = "y^T A^T + 2 {c} x^T"', 'answer = "y^T A + 2 {c} x^T"')
    (tmp_path / "wrong.toml").write_text(wrong, "utf-8")
    done = matcalc("author", "check", "wrong.toml", cwd=tmp_path)
    assert done.returncode == 1
    for line in done.stderr.splitlines():
        assert line in section
