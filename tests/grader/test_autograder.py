"""The Gradescope runtime, in process: the variant comes from the account, every outcome is a
valid results.json (checked field by field), and a failure is a failed test, not a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader.autograder import AutograderOptions, run
from grader.exercise_set import ExerciseSet
from tests.grader.classes import class_set, one_sheet, right_answers, submission_text
from tests.grader.gradescope_results import load_results


def tree(tmp_path: Path, exercise_set: ExerciseSet, files: dict[str, bytes],
         email: str | None = "s001@uni.example") -> Path:
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "source" / "set.json").write_text(exercise_set.dumps(), "utf-8")
    (root / "submission").mkdir()
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    if email is not None:
        metadata = {"id": 1, "users": [{"email": email, "id": 77, "name": "A Student"}],
                    "assignment": {"total_points": 3}}
        (root / "submission_metadata.json").write_text(json.dumps(metadata), "utf-8")
    return root


def grade(root: Path) -> dict[str, Any]:
    returned = run(root)
    written = load_results(root / "results" / "results.json")
    assert written == returned
    return written


def test_the_variant_comes_from_the_account_email(tmp_path: Path) -> None:
    text = submission_text(None, right_answers(3))  # s001 has k = 3
    results = grade(tree(tmp_path, class_set(3), {"answers.txt": text.encode()}))
    assert results["score"] == 3.0
    assert [t["status"] for t in results["tests"]] == ["passed"] * 3
    assert results["tests"][1]["name"].startswith("q2: gradient with respect to w")
    assert all(t["output_format"] == "md" and t["max_score"] == 1.0 for t in results["tests"])


def test_a_file_claiming_another_student_is_graded_as_the_account(tmp_path: Path) -> None:
    text = submission_text("s002", right_answers(4))  # s002's answers, from s001's account
    results = grade(tree(tmp_path, class_set(3), {"answers.txt": text.encode()}))
    assert results["score"] == 2.0  # q2 is wrong for s001
    assert "the file says 'student: s002', but it was graded against the worksheet of your " \
           "account (A Student (s001@uni.example))" in results["output"]


def test_partly_wrong_answers_get_feedback(tmp_path: Path) -> None:
    answers = right_answers(3) | {"q1": "2 x^T A", "q2": "3 x"}
    results = grade(tree(tmp_path, class_set(3), {"a.txt": submission_text(None, answers)
                                                  .encode()}))
    assert [t["score"] for t in results["tests"]] == [0.0, 0.0, 1.0]
    assert "You assumed A is symmetric." in results["tests"][0]["output"]
    assert "numerator layout" in results["tests"][1]["output"]
    assert results["tests"][0]["extra_data"]["note"] == "assumed_symmetric"


@pytest.mark.parametrize("files, expected", [
    ({}, "no file was submitted"),
    ({"answers.txt": b"\xff\xfe\x00garbage" * 50}, "not UTF-8 text"),
    ({"a.txt": b"q1: x\n", "b.txt": b"q1: y\n"}, "2 files were submitted"),
])
def test_missing_garbage_and_ambiguous_submissions_fail_every_test(
        tmp_path: Path, files: dict[str, bytes], expected: str) -> None:
    results = grade(tree(tmp_path, class_set(3), files))
    assert results["score"] == 0.0 and expected in results["output"]
    assert len(results["tests"]) == 3 and all(t["status"] == "failed" for t in results["tests"])


def test_an_empty_file_is_three_missing_answers(tmp_path: Path) -> None:
    results = grade(tree(tmp_path, class_set(3), {"answers.txt": b""}))
    assert results["score"] == 0.0
    assert all("No gradable answer: no answer." in t["output"] for t in results["tests"])


def test_several_files_prefer_answers_txt(tmp_path: Path) -> None:
    text = submission_text(None, right_answers(3)).encode()
    results = grade(tree(tmp_path, class_set(3), {"answers.txt": text, "notes.md": b"hi"}))
    assert results["score"] == 3.0


def test_an_account_not_on_the_roster(tmp_path: Path) -> None:
    results = grade(tree(tmp_path, class_set(3), {"a.txt": b"q1: x\n"}, email="who@else.org"))
    assert results["score"] == 0.0
    assert "A Student (who@else.org) is not on this assignment's roster" in results["output"]


def test_one_sheet_needs_no_metadata(tmp_path: Path) -> None:
    text = submission_text(None, right_answers(3)).encode()
    results = grade(tree(tmp_path, one_sheet(), {"answers.txt": text}, email=None))
    assert results["score"] == 3.0


def test_a_broken_set_still_writes_results(tmp_path: Path) -> None:
    root = tree(tmp_path, one_sheet(), {"answers.txt": b"q1: x\n"})
    (root / "source" / "set.json").write_text("{", "utf-8")
    results = grade(root)
    assert results["score"] == 0.0 and results["tests"][0]["name"] == "Autograder"
    assert "The autograder failed" in results["output"]


def test_options_come_from_autograder_json(tmp_path: Path) -> None:
    root = tree(tmp_path, one_sheet(), {"answers.txt": submission_text(
        None, right_answers(3)).encode()})
    options = AutograderOptions(points=2.5)
    (root / "source" / "autograder.json").write_text(json.dumps(options.to_json()), "utf-8")
    results = grade(root)
    assert results["score"] == 7.5 and results["tests"][0]["max_score"] == 2.5


def test_gradescope_internal_ids_never_pick_another_students_sheet(tmp_path: Path) -> None:
    roster = class_set(3)
    root = tree(tmp_path, roster, {"a.txt": submission_text(None, right_answers(4)).encode()},
                email="s002@uni.example")
    metadata = json.loads((root / "submission_metadata.json").read_text("utf-8"))
    metadata["users"][0]["id"] = "s000"  # Gradescope's own id, equal to another roster id
    (root / "submission_metadata.json").write_text(json.dumps(metadata), "utf-8")
    assert grade(root)["score"] == 3.0  # graded on s002's sheet (k = 4)


def test_the_roster_id_may_come_as_the_student_id_field(tmp_path: Path) -> None:
    root = tree(tmp_path, class_set(3), {"a.txt": submission_text(None, right_answers(2))
                                         .encode()}, email=None)
    metadata = {"users": [{"email": "personal@mail.example", "sid": "S000"}]}
    (root / "submission_metadata.json").write_text(json.dumps(metadata), "utf-8")
    assert grade(root)["score"] == 3.0


def group(root: Path, users: list[dict[str, str]]) -> Path:
    """Gradescope's metadata for a group submission: one entry per member in ``users``
    (https://gradescope-autograders.readthedocs.io/en/latest/submission_metadata/)."""
    metadata = {"id": 1, "users": users, "assignment": {"total_points": 3}}
    (root / "submission_metadata.json").write_text(json.dumps(metadata), "utf-8")
    return root


ANN = {"email": "s001@uni.example", "id": "501", "name": "Ann Lee", "sid": "s001"}
BO = {"email": "s002@uni.example", "id": "502", "name": "Bo Chen", "sid": "s002"}


def test_a_group_sharing_one_worksheet_is_graded(tmp_path: Path) -> None:
    text = submission_text(None, right_answers(3)).encode()
    root = group(tree(tmp_path, one_sheet(), {"answers.txt": text}), [ANN, BO])
    assert grade(root)["score"] == 3.0
    # two accounts that find the same roster student (by e-mail and by sid) share a sheet too
    again = group(tree(tmp_path / "again", class_set(3), {"answers.txt": text}),
                  [ANN, {"email": "ann.personal@mail.example", "sid": "S001"}])
    results = grade(again)
    assert results["score"] == 3.0 and "Problems" not in results["output"]


def test_a_group_with_different_worksheets_is_refused_naming_them(tmp_path: Path) -> None:
    text = submission_text("s001", right_answers(3)).encode()
    results = grade(group(tree(tmp_path, class_set(3), {"answers.txt": text}), [ANN, BO]))
    assert results["score"] == 0.0 and results["tests"][0]["status"] == "failed"
    assert ("This group submission can't be graded: its members have different worksheets "
            "(Ann Lee (s001@uni.example) has s001's; Bo Chen (s002@uni.example) has s002's). "
            "Gradescope records one result for the whole group") in results["output"]


def test_a_group_with_a_member_off_the_roster_is_refused_naming_them(tmp_path: Path) -> None:
    text = submission_text(None, right_answers(3)).encode()
    stranger = {"email": "who@else.org", "name": "Who Else"}
    results = grade(group(tree(tmp_path, class_set(3), {"answers.txt": text}), [ANN, stranger]))
    assert "This group submission can't be graded: Who Else (who@else.org) is not on this " \
           "assignment's roster" in results["output"]


def test_missing_metadata_is_said_so(tmp_path: Path) -> None:
    text = submission_text(None, right_answers(3)).encode()
    results = grade(tree(tmp_path, class_set(3), {"answers.txt": text}, email=None))
    assert "submission_metadata.json is missing or unreadable" in results["output"]


def test_a_pdf_is_named_as_one(tmp_path: Path) -> None:
    results = grade(tree(tmp_path, class_set(3), {"answers.pdf": b"%PDF-1.7\n" + bytes(64)}))
    assert "answers.pdf: this is a PDF file: submit answers.txt" in results["output"]
