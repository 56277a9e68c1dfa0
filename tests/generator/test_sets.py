"""Sets and rosters: determinism, per-student rebuilds, and clear errors that name the row."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import root
from generator.sets import SetOptions, derived_seed, make_set, make_variant
from grader.exercise_set import ExerciseSet
from grader.roster import Student

OPTIONS = SetOptions(families=("quadratic",), count=3, seed=11)


def test_same_seed_gives_byte_identical_json() -> None:
    first = make_set(OPTIONS, [Student("s1"), Student("s2")]).dumps()
    second = make_set(OPTIONS, [Student("s1"), Student("s2")]).dumps()
    assert first == second
    assert make_set(SetOptions(families=("quadratic",), count=3, seed=12)).dumps() != \
        make_set(SetOptions(families=("quadratic",), count=3, seed=11)).dumps()


def test_json_is_the_same_in_a_fresh_interpreter_with_another_hash_seed(tmp_path: Path) -> None:
    script = (
        "from generator.sets import SetOptions, Student, make_set\n"
        "import sys\n"
        "sys.stdout.write(make_set(SetOptions(families=('quadratic',), count=3, seed=11),"
        " [Student('s1'), Student('s2')]).dumps())\n"
    )
    outputs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       check=True, env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout
        for seed in (1, 2)
    ]
    assert outputs[0] == outputs[1] == make_set(OPTIONS, [Student("s1"), Student("s2")]).dumps()


def test_parallel_generation_gives_the_same_set() -> None:
    students = [Student(f"s{i}") for i in range(5)]
    assert make_set(OPTIONS, students, jobs=2).dumps() == make_set(OPTIONS, students).dumps()


def test_one_students_variant_rebuilds_alone() -> None:
    whole = make_set(OPTIONS, [Student("a"), Student("b"), Student("c")])
    alone = make_variant(OPTIONS, Student("b"))
    assert whole.variants[1] == alone
    assert whole.variants[0].exercises != whole.variants[1].exercises


def test_round_trip_through_json() -> None:
    exercise_set = make_set(OPTIONS, [Student("s1", "Ann", "ann@example.org")])
    again = ExerciseSet.loads(exercise_set.dumps())
    assert again == exercise_set
    record = json.loads(exercise_set.dumps())
    exercise = record["variants"][0]["exercises"][0]
    for field in ("id", "family", "difficulty", "seed", "layout", "kind", "given", "wrt",
                  "function", "answer", "shape", "prompt_latex", "answer_latex",
                  "steps_latex", "mistakes", "sympy"):
        assert field in exercise
    assert set(exercise["sympy"]) == {"function", "answer"}


def test_numeric_form_carries_values() -> None:
    exercise_set = make_set(SetOptions(families=("quadratic",), count=2, form="numeric"))
    exercise = exercise_set.variants[0].exercises[0]
    assert exercise.values and exercise.shape[0].isdigit()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--family", "nope"], "unknown family 'nope'"),
        (["--family", "quadratic", "--difficulty", "7"], "difficulty must be from 1 to 5"),
        (["--family", "quadratic", "--form", "explicit"], "family quadratic has no form explicit"),
    ],
)
def test_bad_requests_are_clear_errors_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    output = tmp_path / "set.json"
    result = CliRunner().invoke(root, ["generate", *args, "-o", str(output)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


def test_generate_writes_a_set_and_a_roster_gives_variants(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\ns1,Ann\ns2,Bob\n", "utf-8")
    output = tmp_path / "out" / "set.json"
    result = CliRunner().invoke(root, ["generate", "--family", "quadratic", "--count", "2",
                                       "--roster", str(roster), "-o", str(output)])
    assert result.exit_code == 0, result.output
    exercise_set = ExerciseSet.loads(output.read_text("utf-8"))
    assert [v.id for v in exercise_set.variants] == ["s1", "s2"]
    assert [v.name for v in exercise_set.variants] == ["Ann", "Bob"]
    assert "verified exercises" in result.stderr


def test_a_canvas_export_as_roster_keeps_canvas_ids_in_the_set(tmp_path: Path) -> None:
    """The roster's reading is grader.roster's (tested there); the set records what grading
    needs from it: SIS User ID as the variant id, Canvas's own ID for its downloads."""
    roster = tmp_path / "grades.csv"
    roster.write_bytes("\ufeffStudent;ID;SIS User ID;SIS Login ID;Section\r\n"
                       "    Points Possible;;;;\r\n"
                       '"Lee, Ann";40122;S1001;alee;MATH 210\r\n'.encode())
    output = tmp_path / "set.json"
    result = CliRunner().invoke(root, ["generate", "--family", "quadratic", "--count", "1",
                                       "--roster", str(roster), "-o", str(output)])
    assert result.exit_code == 0, result.output
    record = json.loads(output.read_text("utf-8"))["variants"]
    assert [(v["id"], v["name"], v["canvas_id"]) for v in record] == [
        ("S1001", "Lee, Ann", "40122")]
    assert ExerciseSet.loads(output.read_text("utf-8")).variants[0].canvas_id == "40122"


def test_a_roster_that_cant_be_read_is_an_error_naming_the_line(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("Matrikel Nr;Vorname\n1234;Ann\n", "utf-8")
    result = CliRunner().invoke(root, ["generate", "--roster", str(roster), "-o",
                                       str(tmp_path / "set.json")])
    assert result.exit_code == 1
    assert "line 1: the first row is neither a header" in result.stderr
    assert not (tmp_path / "set.json").exists()


def test_families_command_lists_every_family() -> None:
    result = CliRunner().invoke(root, ["families", "--json"])
    assert result.exit_code == 0
    names = [row["name"] for row in json.loads(result.stdout)]
    assert "quadratic" in names
    assert all({"name", "title", "difficulties", "forms", "source"} <= set(row)
               for row in json.loads(result.stdout))


def test_derived_seeds_are_stable() -> None:
    assert derived_seed(0, "s1") == derived_seed(0, "s1")
    assert derived_seed(0, "s1") != derived_seed(0, "s2")
    assert 0 <= derived_seed("x") < 2**63
