"""Rebuildable sets: the options recorded, the same bytes in any order, rebuilds of a set or
one student's variant, and refusals that say why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import root
from generator.rebuild import rebuild
from generator.sets import SetOptions, Student, make_set, matcalc_version
from grader.exercise_set import ExerciseSet, ExerciseSetError

OPTIONS = SetOptions(("neuron", "linear_maps", "trace_forms"), 3, "symbolic", 4, 7,
                     "denominator", "Week 3")
CLASS = [Student("s1", "Ann", "ann@example.org"), Student("s2", "Bob")]


def test_the_set_records_every_option_and_the_version() -> None:
    record = json.loads(make_set(OPTIONS, CLASS, check=False).dumps())["options"]
    assert record == {"families": ["linear_maps", "neuron", "trace_forms"], "difficulty": 3,
                      "form": "symbolic", "count": 4, "seed": 7, "layout": "denominator",
                      "title": "Week 3", "matcalc": matcalc_version()}


def test_the_same_options_in_any_order_give_the_same_bytes() -> None:
    shuffled = SetOptions(("trace_forms", "neuron", "linear_maps", "neuron"), 3, "symbolic",
                          4, 7, "denominator", "Week 3")
    assert shuffled == OPTIONS
    assert make_set(shuffled, CLASS, check=False).dumps() == \
        make_set(OPTIONS, CLASS, check=False).dumps()


def test_a_set_and_one_variant_rebuild_from_the_file_alone() -> None:
    made = make_set(OPTIONS, CLASS)
    recorded = ExerciseSet.loads(made.dumps())
    assert rebuild(recorded, "set.json").dumps() == made.dumps()
    alone = rebuild(recorded, "set.json", "s2")
    assert alone.variants == (made.variants[1],)
    anonymous = make_set(OPTIONS)
    assert rebuild(ExerciseSet.loads(anonymous.dumps()), "set.json").dumps() == \
        anonymous.dumps()


def _with_version(exercise_set: ExerciseSet, version: str, **changes: object) -> ExerciseSet:
    record = json.loads(exercise_set.dumps())
    record["options"].update(matcalc=version, **changes)
    return ExerciseSet.loads(json.dumps(record))


def test_another_version_rebuilds_only_when_its_exercises_are_the_same() -> None:
    made = make_set(OPTIONS, CLASS, check=False)
    same = rebuild(_with_version(made, "0.0.1"), "set.json")
    assert same.variants == made.variants
    assert dict(same.options)["matcalc"] == "0.0.1"  # the record keeps what made it
    edited = json.loads(made.dumps())
    edited["options"]["matcalc"] = "0.0.1"
    edited["variants"][0]["exercises"][1]["function"] = "x"
    with pytest.raises(ExerciseSetError, match=r"set.json was made by matcalc 0.0.1; this is "
                                               r"matcalc .*variant s1, exercise q2 differs"):
        rebuild(ExerciseSet.loads(json.dumps(edited)), "set.json")


def test_bad_records_are_refused_with_the_reason() -> None:
    made = make_set(OPTIONS, CLASS, check=False)
    bare = ExerciseSet(made.seed, made.layout, made.variants, made.title)
    with pytest.raises(ExerciseSetError, match="records no options"):
        rebuild(bare, "old.json")
    with pytest.raises(ExerciseSetError, match="no student 's9'"):
        rebuild(made, "set.json", "s9")
    with pytest.raises(ExerciseSetError, match="unknown options colour"):
        rebuild(_with_version(made, matcalc_version(), colour="red"), "set.json")
    with pytest.raises(ExerciseSetError, match=r"options\.layout 'sideways' is none of"):
        rebuild(_with_version(made, matcalc_version(), layout="sideways"), "set.json")
    with pytest.raises(ExerciseSetError, match=r"options\.count is not a whole number"):
        rebuild(_with_version(made, matcalc_version(), count="4"), "set.json")


def test_the_command_rebuilds_and_refuses_other_options(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\ns1,Ann\ns2,Bob\n", "utf-8")
    first, again, one = tmp_path / "set.json", tmp_path / "again.json", tmp_path / "s2.json"
    runner = CliRunner()
    made = runner.invoke(root, ["generate", "--family", "trace_forms", "--family", "neuron",
                                "--count", "2", "--seed", "4", "--roster", str(roster),
                                "--jobs", "1", "-o", str(first)])
    assert made.exit_code == 0, made.output
    done = runner.invoke(root, ["generate", "--rebuild", str(first), "--jobs", "1",
                                "-o", str(again)])
    assert done.exit_code == 0, done.output
    assert again.read_bytes() == first.read_bytes()
    done = runner.invoke(root, ["generate", "--rebuild", str(first), "--student", "s2",
                                "-o", str(one)])
    assert done.exit_code == 0, done.output
    assert [v["id"] for v in json.loads(one.read_text("utf-8"))["variants"]] == ["s2"]
    refused = runner.invoke(root, ["generate", "--rebuild", str(first), "--seed", "5"])
    assert refused.exit_code == 2 and "leave out --seed" in refused.output
    refused = runner.invoke(root, ["generate", "--student", "s2"])
    assert refused.exit_code == 2 and "--student needs --rebuild" in refused.output
    assert "Traceback" not in refused.output
