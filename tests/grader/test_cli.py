"""``matcalc parse``: output, JSON, exit codes, through click and through the installed script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.cli import root

GIVEN = "x[n], A[n,n]"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(root, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_parse_prints_ascii_latex_and_shape() -> None:
    code, out, _ = run("parse", "--given", GIVEN, "x^T (A + A')")
    assert code == 0
    assert out.splitlines() == [
        "ascii:  x^T (A + A^T)",
        r"latex:  \mathbf{x}^{\top} \left(A + A^{\top}\right)",
        "shape:  1×n (row vector)",
    ]


def test_parse_json_valid() -> None:
    code, out, _ = run("parse", "--given", GIVEN, "--json", r"\mathbf{x}^\top A \mathbf{x}")
    assert code == 0
    assert json.loads(out) == {
        "valid": True, "ascii": "x^T A x", "latex": r"\mathbf{x}^{\top} A \mathbf{x}",
        "shape": ["1", "1"], "shape_described": "1×1 (scalar)", "notes": [], "stripped": [],
        "flagged": [], "error": None, "message": None, "caret": None, "position": None,
        "end": None,
    }


def test_parse_expected_gives_identity_its_size() -> None:
    code, _, _ = run("parse", "--given", GIVEN, "I")
    assert code == 1
    code, out, _ = run("parse", "--given", GIVEN, "--expected", "n,n", "--json", "I")
    assert code == 0
    record = json.loads(out)
    assert record["ascii"] == "I_n"
    assert record["expected"] == ["n", "n"]
    code, _, err = run("parse", "--given", GIVEN, "--expected", "n;;", "A")
    assert code == 2 and "--expected" in err


def test_parse_json_splits_stripped_from_flagged() -> None:
    code, out, _ = run("parse", "--given", GIVEN, "--json", "$x^TAx$")
    assert code == 0
    record = json.loads(out)
    assert [entry["message"] for entry in record["stripped"]] == [
        "ignored the math delimiters $ … $"]
    assert record["flagged"] == [{"message": "read 'Ax' as the product A x", "span": [4, 6]}]


def test_parse_shows_what_it_chose() -> None:
    code, out, _ = run("parse", "--given", GIVEN, "$x^TAx$")
    assert code == 0
    assert "ascii:  x^T A x\n" in out
    assert "note:   ignored the math delimiters $ … $" in out
    assert "note:   read 'Ax' as the product A x" in out


def test_parse_json_invalid_exits_1() -> None:
    code, out, _ = run("parse", "--given", GIVEN, "--json", "x + x^T")
    assert code == 1
    result = json.loads(out)
    assert result["valid"] is False
    assert result["shape"] is None and result["ascii"] is None
    assert "can't add n×1 and 1×n" in result["error"]


def test_parse_invalid_text_goes_to_stderr_with_a_caret() -> None:
    code, out, err = run("parse", "--given", GIVEN, "Sin(x)")
    assert code == 1
    assert out == ""
    assert "did you mean sin?" in err
    assert "Sin(x)\n" in err and "^^^" in err


def test_parse_reads_standard_input() -> None:
    code, out, _ = run("parse", "--given", GIVEN, "--json", "-", stdin="2 A x\n")
    assert code == 0
    assert json.loads(out)["shape"] == ["n", "1"]


def test_an_answer_may_start_with_a_minus_sign() -> None:
    code, out, _ = run("parse", "--given", GIVEN, "--json", "-2 A x")
    assert code == 0
    assert json.loads(out)["ascii"] == "-2 A x"


def test_usage_errors_exit_2() -> None:
    assert run("parse")[0] == 2
    assert run("parse", "--nonsense", "x")[0] == 2
    code, _, err = run("parse", "--given", "x[n", "x")
    assert code == 2
    assert "--given" in err and "never closed" in err


def test_help_teaches_the_language() -> None:
    code, out, _ = run("parse", "--help")
    assert code == 0
    assert "--given" in out and "x[n]" in out and "Exit status" in out
    code, out, _ = run("--help")
    assert code == 0 and "parse" in out


def test_installed_console_script() -> None:
    script = shutil.which("matcalc", path=str(Path(sys.executable).parent))
    assert script is not None, "matcalc is not installed in this environment"
    done = subprocess.run(
        [script, "parse", "--given", GIVEN, "--json", "A x"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ascii"] == "A x"


def test_check_correct_exits_0_and_explains() -> None:
    code, out, _ = run("check", "--given", GIVEN, "(A + A^T) x", "A x + A' x")
    assert code == 0
    assert out.splitlines()[0] == "status:   correct (score 1)"
    assert "read as:  A x + A^T x" in out
    assert "Schwartz–Zippel" in out


def test_check_json_holds_every_verdict_field() -> None:
    code, out, _ = run("check", "--given", GIVEN, "--json", "--layout", "denominator",
                       "(A + A^T) x", "x^T (A + A^T)")
    assert code == 1
    verdict = json.loads(out)
    assert set(verdict) == {"status", "score", "expected_shape", "answer_shape", "note",
                            "feedback", "interpreted_as", "method", "wrong_entries"}
    assert verdict["status"] == "wrong_shape"
    assert verdict["note"] == "transpose"
    assert verdict["expected_shape"] == ["n", "1"] and verdict["answer_shape"] == ["1", "n"]
    assert "denominator layout" in verdict["feedback"]


def test_check_names_the_mistake() -> None:
    code, out, _ = run("check", "--given", GIVEN, "--json", "(A + A^T) x", "2 A x")
    assert code == 1
    assert json.loads(out)["note"] == "assumed_symmetric"


def test_check_invalid_answer_is_a_verdict_not_a_usage_error() -> None:
    code, out, _ = run("check", "--given", GIVEN, "--json", "A x", "A x +")
    assert code == 1
    assert json.loads(out)["status"] == "invalid"


def test_check_usage_errors_exit_2() -> None:
    code, _, err = run("check", "--given", GIVEN, "A x +", "A x")
    assert code == 2 and "EXPECTED" in err
    code, _, err = run("check", "--given", "x[n", "x", "x")
    assert code == 2 and "--given" in err
    assert run("check", "--given", GIVEN, "A x")[0] == 2


def test_check_times_out_as_undecided() -> None:
    slow = "sum(" + " ".join(["kron(A, A)^100"] * 10) + ")"  # over 20 s of CPU, within caps
    code, out, _ = run("check", "--given", GIVEN, "--json", "--timeout", "0.5", "x^T x", slow)
    assert code == 1
    verdict = json.loads(out)
    assert verdict["status"] == "undecided"
    assert verdict["note"] in ("time_limit", "cpu_limit")
