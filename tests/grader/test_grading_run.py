"""Class grading runs on real files and real worker processes: reports, gradebook, bad
submissions in their own rows, and a run killed midway finished by --resume with identical
results."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import root
from grader.grading_run import RunOptions, find_submissions, grade_class
from grader.report import StudentReport
from tests.grader.classes import class_set, one_sheet, right_answers, submission_text

OPTIONS = RunOptions(jobs=2)


def write_class(folder: Path, students: int) -> Path:
    """A set for ``students`` and a mix of submissions: right, a listed mistake, transposed,
    unreadable and missing answers, and four bad files."""
    folder.mkdir(parents=True, exist_ok=True)
    set_path = folder / "set.json"
    set_path.write_text(class_set(students).dumps(), "utf-8")
    submissions = folder / "submissions"
    submissions.mkdir()
    for i in range(students):
        answers = right_answers(i + 2)
        kind = i % 5
        if kind == 1:
            answers["q1"] = "2 x^T A"  # the listed mistake
        elif kind == 2:
            answers["q2"] = f"{i + 2} x"  # the transpose
        elif kind == 3:
            answers["q3"] = "[2xy, x^2"  # unreadable
        elif kind == 4:
            del answers["q2"]
        (submissions / f"{i:03d}.txt").write_text(submission_text(f"s{i:03d}", answers), "utf-8")
    return set_path


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def test_reports_and_gradebook_hold_every_verdict(tmp_path: Path) -> None:
    set_path = write_class(tmp_path, 5)
    out = tmp_path / "out"
    result = grade_class(class_set(5), find_submissions([tmp_path / "submissions"]), out,
                         OPTIONS)
    assert (result.graded, result.reused, result.rejected) == (5, 0, 0)
    scores = {r.student: (r.score, [q.status for q in r.questions]) for r in result.reports}
    assert scores == {
        "s000": (3.0, ["correct", "correct", "correct"]),
        "s001": (2.0, ["incorrect", "correct", "correct"]),
        "s002": (2.0, ["correct", "wrong_shape", "correct"]),
        "s003": (2.0, ["correct", "correct", "invalid"]),
        "s004": (2.0, ["correct", "missing", "correct"]),
    }
    report = json.loads((out / "s001.json").read_text("utf-8"))
    assert report["score"] == 2.0 and report["max_score"] == 3.0 and report["name"] == "Student 1"
    q1 = report["questions"][0]
    assert q1["verdict"]["note"] == "assumed_symmetric"
    assert set(q1["verdict"]) == {"status", "score", "expected_shape", "answer_shape", "note",
                                  "feedback", "interpreted_as", "method", "wrong_entries"}
    assert q1["verdict"]["wrong_entries"] == []
    assert "You assumed A is symmetric." in (out / "s001.md").read_text("utf-8")
    transposed = (out / "s002.md").read_text("utf-8")
    assert "Wrong shape" in transposed and "numerator layout" in transposed
    invalid = (out / "s003.md").read_text("utf-8")
    assert "never closed" in invalid and "^" in invalid  # the caret survives in a code block
    assert set_path.exists()


def test_the_command_writes_a_gradebook_with_bad_submissions_in_their_own_rows(
        tmp_path: Path) -> None:
    set_path = write_class(tmp_path, 3)
    folder = tmp_path / "submissions"
    (folder / "junk.txt").write_bytes(b"\xff\xfe" + os.urandom(200))
    (folder / "huge.txt").write_bytes(b"q1: " + b"x" * (10 << 20))
    (folder / "stranger.txt").write_text("student: nobody\nq1: x\n", "utf-8")
    (folder / "again.json").write_text(json.dumps({"student": "s001", "answers": {}}), "utf-8")
    out = tmp_path / "grades"
    done = CliRunner().invoke(root, ["grade", str(set_path), str(folder), "-o", str(out),
                                     "--jobs", "2"])
    assert done.exit_code == 0, done.output
    assert "graded 2, reused 0 from an earlier run, rejected 5, missing 0" in done.output
    table = rows(out / "gradebook.csv")
    assert list(table[0]) == [
        "student", "name", "submission", "q1", "q2", "q3", "total", "max_score", "status",
        "problems"]
    # the roster's students first, in its order, then what matches nobody, in file order
    assert [(r["student"], r["submission"], r["status"]) for r in table] == [
        ("s000", "000.txt", "graded"), ("s001", "001.txt; again.json", "rejected"),
        ("s002", "002.txt", "graded"), ("", "huge.txt", "rejected"),
        ("", "junk.txt", "rejected"), ("", "stranger.txt", "rejected")]
    book = {r["submission"]: r for r in table}
    assert book["000.txt"]["total"] == "3"
    assert book["002.txt"]["q2"] == "0"
    assert "not UTF-8" in book["junk.txt"]["problems"]
    assert "too large" in book["huge.txt"]["problems"]
    assert "unknown student id 'nobody'" in book["stranger.txt"]["problems"]
    assert book["001.txt; again.json"]["problems"] == (
        "student s001 has 2 submissions (001.txt, again.json): keep one")
    assert book["001.txt; again.json"]["total"] == "0"
    assert book["001.txt; again.json"]["max_score"] == "3"
    assert len(list((out / "rejected").glob("*.json"))) == 5


def test_one_sheet_for_the_class_names_students_by_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ann.txt").write_text(submission_text(None, right_answers(3)), "utf-8")
    (folder / "bob.json").write_text(json.dumps({"student": "bob7", "answers": {"q1": "x"}}),
                                     "utf-8")
    result = grade_class(one_sheet(), find_submissions([folder]), tmp_path / "out", OPTIONS)
    assert [(r.student, r.variant, r.score) for r in result.reports] == [
        ("ann", "v1", 3.0), ("bob7", "v1", 0.0)]


def test_resume_reuses_only_unchanged_reports(tmp_path: Path) -> None:
    write_class(tmp_path, 4)
    sources = find_submissions([tmp_path / "submissions"])
    out = tmp_path / "out"
    grade_class(class_set(4), sources, out, OPTIONS)
    first = (out / "s000.json").read_bytes()
    (tmp_path / "submissions" / "001.txt").write_text(
        submission_text("s001", right_answers(3)), "utf-8")
    again = grade_class(class_set(4), sources, out, RunOptions(jobs=2, resume=True))
    assert (again.graded, again.reused) == (1, 3)
    assert (out / "s000.json").read_bytes() == first
    assert json.loads((out / "s001.json").read_text("utf-8"))["score"] == 3.0
    changed = grade_class(class_set(4), sources, out,
                          RunOptions(jobs=2, resume=True, partial_credit=True))
    assert changed.reused == 0  # other grading options: every report is redone


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_run_killed_midway_is_finished_by_resume_with_identical_results(
        tmp_path: Path) -> None:
    students = 300
    set_path = write_class(tmp_path, students)
    folder = tmp_path / "submissions"
    reference = tmp_path / "reference"
    command = [sys.executable, "-c", "from generator.cli import main; main()", "grade",
               str(set_path), str(folder), "--jobs", "1"]
    done = subprocess.run([*command, "-o", str(reference)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr

    out = tmp_path / "out"
    process = subprocess.Popen([*command, "-o", str(out)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(list(out.glob("*.json"))) < 20 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)  # the run and its workers, without warning
    process.wait()
    written = list(out.glob("*.json"))
    assert 20 <= len(written) < students, "the run was not stopped midway"
    for path in written:  # every report on disk is whole
        StudentReport.from_json(json.loads(path.read_text("utf-8")))
    assert not (out / "gradebook.csv").exists()

    resumed = subprocess.run([*command, "-o", str(out), "--resume"], capture_output=True,
                             text=True, timeout=600, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"graded {students - len(written)}, reused {len(written)}" in resumed.stdout
    assert snapshot(out) == snapshot(reference)


@pytest.mark.parametrize("args, message", [
    (["nope.json", "x"], "does not exist"),
])
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    done = CliRunner().invoke(root, ["grade", *args])
    assert done.exit_code == 2 and message in done.output


def test_a_broken_set_stops_before_grading(tmp_path: Path) -> None:
    broken = class_set(1).dumps().replace('"answer": "x^T (A + A^T)"', '"answer": "x^T (A +"')
    (tmp_path / "set.json").write_text(broken, "utf-8")
    (tmp_path / "a.txt").write_text("q1: x\n", "utf-8")
    done = CliRunner().invoke(root, ["grade", str(tmp_path / "set.json"), str(tmp_path / "a.txt"),
                                     "-o", str(tmp_path / "out")])
    assert done.exit_code == 1
    assert "variant s000, exercise q1: the key can't be read" in done.output


def test_a_fixed_submission_leaves_no_stale_rejection(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "s000.txt").write_bytes(b"q1: \xff\n")
    out = tmp_path / "out"
    first = grade_class(class_set(1), [folder / "s000.txt"], out, OPTIONS)
    assert first.rejected == 1 and len(list((out / "rejected").iterdir())) == 2
    (folder / "s000.txt").write_text(submission_text(None, right_answers(2)), "utf-8")
    again = grade_class(class_set(1), [folder / "s000.txt"], out, RunOptions(resume=True))
    assert (again.graded, again.rejected) == (1, 0)
    assert list((out / "rejected").iterdir()) == []


def test_one_sheet_with_a_folder_per_student(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    for name in ("ann", "bob"):
        (folder / name).mkdir(parents=True)
        (folder / name / "answers.txt").write_text(
            submission_text(None, right_answers(3)), "utf-8")
    result = grade_class(one_sheet(), find_submissions([folder]), tmp_path / "out", OPTIONS,
                         root=folder)
    assert [(r.student, r.source, r.status) for r in result.reports] == [
        ("ann", "ann/answers.txt", "graded"), ("bob", "bob/answers.txt", "graded")]


def test_sources_from_several_folders_keep_their_folder(tmp_path: Path) -> None:
    (tmp_path / "set.json").write_text(class_set(2).dumps(), "utf-8")
    for section in ("secA", "secB"):
        (tmp_path / section).mkdir()
        (tmp_path / section / "answers.txt").write_bytes(b"\xff")
    out = tmp_path / "out"
    done = CliRunner().invoke(root, ["grade", str(tmp_path / "set.json"), str(tmp_path / "secA"),
                                     str(tmp_path / "secB"), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "rejected secA/answers.txt: secA/answers.txt, line 1: not UTF-8" in done.output
    assert len(list((out / "rejected").glob("*.json"))) == 2


def test_ids_differing_in_spelling_get_their_own_reports(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    ids = ["ann lee", "ann_lee-e4959174", "ann_lee", "Ann.Lee"]
    for i, student in enumerate(ids):
        (folder / f"{i}.txt").write_text(submission_text(student, right_answers(3)), "utf-8")
    out = tmp_path / "out"
    result = grade_class(one_sheet(), find_submissions([folder]), out, OPTIONS)
    assert [r.student for r in result.reports] == ids
    names = [p.name.casefold() for p in out.glob("*.json")]
    assert len(names) == len(set(names)) == 4


def test_ids_differing_only_in_case_are_one_student(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i, student in enumerate(["S001", "s001"]):
        (folder / f"{i}.txt").write_text(submission_text(student, right_answers(3)), "utf-8")
    result = grade_class(one_sheet(), find_submissions([folder]), tmp_path / "out", OPTIONS)
    assert [r.status for r in result.reports] == ["rejected", "rejected"]
    assert "student S001 has 2 submissions (0.txt, 1.txt)" in result.reports[0].problems[0]
    assert [(row.student, row.status) for row in result.rows] == [("S001", "rejected")]


def test_a_student_rejected_later_loses_the_old_report(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(submission_text("s000", right_answers(2)), "utf-8")
    out = tmp_path / "out"
    grade_class(class_set(1), find_submissions([folder]), out, OPTIONS)
    assert (out / "s000.md").exists()
    (folder / "b.txt").write_text(submission_text("s000", right_answers(2)), "utf-8")
    again = grade_class(class_set(1), find_submissions([folder]), out, OPTIONS)
    assert again.rejected == 2
    assert not (out / "s000.md").exists() and not (out / "s000.json").exists()


def test_a_link_in_a_submission_folder_is_rejected_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("q1: top secret\n", "utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "s000.txt").symlink_to(secret)
    result = grade_class(class_set(1), find_submissions([folder]), tmp_path / "out", OPTIONS)
    assert result.reports[0].status == "rejected"
    assert "a symbolic link" in result.reports[0].problems[0]
    assert "top secret" not in (tmp_path / "out" / "rejected" / "s000.txt.md").read_text()
