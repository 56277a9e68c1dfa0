"""The dashboard's pages.  Thin: the work is in web.assignments, web.statistics, web.scores,
web.grading and web.instructor.exports."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import Engine, delete, func, insert, select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse

from generator.sets import SetOptions, make_set
from grader.errors import MatcalcError
from grader.exercise_set import ExerciseSet
from grader.gradebook import FORMATS
from grader.roster import decode, parse_roster
from web.assignments import (
    AssignmentError,
    assignment,
    create_assignment,
    extend,
    policy_of,
    student_path,
)
from web.database import aware, now
from web.grading import GradingService, requeue
from web.instructor import blueprint
from web.instructor.access import (
    LoginLimiter,
    current_user,
    login_required,
    lti_assignments,
    password_required,
    require_assignment,
    safe_next,
    sign_in,
    signed_in,
    verify,
)
from web.instructor.exports import attempts_csv, gradebook
from web.instructor.forms import (
    ActionForm,
    AssignmentForm,
    ExtensionForm,
    LoginForm,
    OverrideForm,
    SetFileForm,
    utc,
)
from web.instructor.keys import replace_exercises
from web.policy import Policy, deadline
from web.schema import assignments, overrides, students
from web.scores import student_total
from web.statistics import question_statistics, student_attempts

#: Largest upload of the create form (a set file for a large class is some megabytes); the
#: app's limit, far lower, holds everywhere else and for anyone not signed in.
UPLOAD_BYTES = 32 * 1024 * 1024

#: The views that take a set file.
UPLOADS = frozenset({"instructor.create", "instructor.replace"})

LIMITER = "matcalc.login_limiter"


@blueprint.record_once
def _setup(state: Any) -> None:
    app: Flask = state.app
    app.extensions[LIMITER] = LoginLimiter()
    # The CSRF check reads the form before any blueprint hook runs, so the larger upload
    # limit must be set by an app hook that runs before it.
    app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)


@blueprint.context_processor
def _who() -> dict[str, Any]:
    """Whoever is signed in, for the navigation bar."""
    user = current_user()
    return {"dashboard_user": user if user else "instructor (LTI)" if signed_in() else None}


def _upload_limit() -> None:
    if request.endpoint in UPLOADS and signed_in():
        request.max_content_length = UPLOAD_BYTES


def _engine() -> Engine:
    engine: Engine = current_app.extensions["matcalc.engine"]
    return engine


def _grading() -> GradingService:
    service: GradingService = current_app.extensions["matcalc.grading"]
    return service


def _student(student_id: int) -> Any:
    with _engine().connect() as connection:
        row = connection.execute(select(students).where(students.c.id == student_id)).first()
    if row is None:
        abort(404)
    require_assignment(row.assignment_id)
    return row


def _assignment(assignment_id: int) -> Any:
    require_assignment(assignment_id)
    with _engine().connect() as connection:
        try:
            return assignment(connection, assignment_id)
        except MatcalcError:
            abort(404)


# -- signing in and out ------------------------------------------------------------------------

@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        limiter: LoginLimiter = current_app.extensions[LIMITER]
        address = request.remote_addr or ""
        name = form.username.data
        if not limiter.allowed(address, name):
            error = "Too many failed logins. Try again in a few minutes."
            status = 429
        else:
            with _engine().connect() as connection:
                user = verify(connection, name, form.password.data)
            if user is None:
                limiter.failed(address, name)
                error = "Wrong user name or password."
            else:
                limiter.succeeded(address, name)
                sign_in(user)
                return redirect(safe_next(request.args.get("next")))
    return render_template("instructor_login.html", form=form, error=error), status


@blueprint.route("/logout", methods=["POST"])
def logout() -> BaseResponse:
    session.clear()
    return redirect(url_for("instructor.login"))


# -- assignments ---------------------------------------------------------------------------------

@blueprint.route("/", endpoint="assignments")
@login_required
def assignments_page() -> str:
    query = select(assignments).order_by(assignments.c.id.desc())
    if current_user() is None:
        query = query.where(assignments.c.id.in_(sorted(lti_assignments())))
    with _engine().connect() as connection:
        rows = connection.execute(query).all()
        sizes = {assignment_id: count for assignment_id, count in connection.execute(select(
            students.c.assignment_id, func.count()).group_by(students.c.assignment_id))}
    return render_template("instructor_assignments.html", rows=rows, sizes=sizes,
                           may_create=current_user() is not None)


def _upload(field: FileStorage | None, what: str) -> tuple[bytes, str] | None:
    if field is None or not field.filename:
        return None
    return field.read(), f"{what} {field.filename}"


def _exercises(form: AssignmentForm, title: str) -> tuple[ExerciseSet | None,
                                                          SetOptions | None]:
    """The exercise set (or the options that make variants on demand) the form asks for."""
    if form.source.data == "set":
        uploaded = _upload(form.set_file.data, "set file")
        if uploaded is None:
            raise AssignmentError("choose a set file (set.json, made by matcalc generate)")
        data, where = uploaded
        return ExerciseSet.loads(decode(data, where), where), None
    families = tuple(form.families.data or ())
    if not families:
        raise AssignmentError("choose at least one family")
    options = SetOptions(
        families=families, difficulty=int(form.difficulty.data) if form.difficulty.data else None,
        form=form.form.data, count=form.count.data or 4,
        seed=form.seed.data if form.seed.data is not None else secrets.randbelow(2**31),
        layout=form.layout.data, title=title or "Matrix calculus")
    uploaded = _upload(form.roster.data, "roster")
    if uploaded is None:
        make_set(options, check=False)  # a request no family can meet fails now, not later
        return None, options
    data, where = uploaded
    return make_set(options, parse_roster(decode(data, where), where)), None


@blueprint.route("/assignments/new", methods=["GET", "POST"])
@password_required
def create() -> Any:
    form = AssignmentForm()
    error = None
    if form.validate_on_submit():
        try:
            policy = Policy(max_attempts=form.max_attempts.data, penalty=form.penalty.data,
                            due_at=utc(form.due_at.data), feedback=form.feedback.data,
                            show_expected_shape=bool(form.show_expected_shape.data))
            title = (form.title.data or "").strip()
            exercise_set, options = _exercises(form, title)
            if exercise_set is not None and not title:
                title = exercise_set.title
            with _engine().begin() as connection:
                assignment_id = create_assignment(
                    connection, title=title or "Matrix calculus", exercise_set=exercise_set,
                    options=options, policy=policy)
        except MatcalcError as problem:
            error = str(problem)
        else:
            flash("Assignment created.")
            return redirect(url_for("instructor.assignment_page", assignment_id=assignment_id))
    elif request.method == "POST":
        error = "Some fields need another look (marked below)."
    return render_template("instructor_new.html", form=form, error=error), (
        400 if error else 200)


@blueprint.route("/assignments/<int:assignment_id>")
@login_required
def assignment_page(assignment_id: int) -> str:
    row = _assignment(assignment_id)
    base = request.url_root.rstrip("/")
    with _engine().connect() as connection:
        statistics = question_statistics(connection, assignment_id)
        roster = []
        for student in connection.execute(select(students).where(
                students.c.assignment_id == assignment_id).order_by(students.c.id)):
            roster.append((student, student_total(connection, student.id),
                           base + student_path(connection, student.id)))
    return render_template("instructor_assignment.html", assignment=row,
                           policy=policy_of(row), statistics=statistics, roster=roster,
                           formats=FORMATS, set_file=SetFileForm())


@blueprint.route("/assignments/<int:assignment_id>/regrade", methods=["POST"])
@login_required
def regrade(assignment_id: int) -> BaseResponse:
    _assignment(assignment_id)
    if ActionForm().validate_on_submit():
        with _engine().begin() as connection:
            queued = requeue(connection, assignment_id)
        _grading().wake()
        flash(f"{queued} attempt{'s' if queued != 1 else ''} queued to be graded again.")
    return redirect(url_for("instructor.assignment_page", assignment_id=assignment_id))


@blueprint.route("/assignments/<int:assignment_id>/exercises", methods=["POST"])
@login_required
def replace(assignment_id: int) -> BaseResponse:
    """New keys from a corrected set file, then every attempt graded again."""
    _assignment(assignment_id)
    form = SetFileForm()
    uploaded = _upload(form.set_file.data, "set file") if form.validate_on_submit() else None
    if uploaded is None:
        flash("Choose the corrected set file.")
    else:
        data, where = uploaded
        try:
            corrected = ExerciseSet.loads(decode(data, where), where)
            with _engine().begin() as connection:
                changed = replace_exercises(connection, assignment_id, corrected, where)
                queued = requeue(connection, assignment_id)
        except MatcalcError as problem:
            flash(f"Nothing changed: {problem}")
        else:
            _grading().wake()
            flash(f"New exercises for {changed} student{'s' if changed != 1 else ''}; "
                  f"{queued} attempt{'s' if queued != 1 else ''} queued to be graded again.")
    return redirect(url_for("instructor.assignment_page", assignment_id=assignment_id))


def _download(text: str, title: str, suffix: str) -> Response:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-.")[:60] or "assignment"
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{stem}-{suffix}.csv"'})


@blueprint.route("/assignments/<int:assignment_id>/gradebook-<csv_format>.csv")
@login_required
def gradebook_download(assignment_id: int, csv_format: str) -> Response:
    row = _assignment(assignment_id)
    if csv_format not in FORMATS:
        abort(404)
    with _engine().connect() as connection:
        text = gradebook(connection, assignment_id, csv_format)
    return _download(text, row.title, csv_format)


@blueprint.route("/assignments/<int:assignment_id>/attempts.csv")
@login_required
def attempts_download(assignment_id: int) -> Response:
    row = _assignment(assignment_id)
    with _engine().connect() as connection:
        text = attempts_csv(connection, assignment_id)
    return _download(text, row.title, "attempts")


# -- one student ---------------------------------------------------------------------------------

def _override_forms(student_id: int, questions: list[str]) -> dict[str, OverrideForm]:
    with _engine().connect() as connection:
        current = {row.question_id: row for row in connection.execute(
            select(overrides).where(overrides.c.student_id == student_id))}
    forms = {}
    for question in questions:
        form = OverrideForm(prefix=f"override-{question}", formdata=None)
        if question in current:
            form.score.data = current[question].score
            form.reason.data = current[question].reason
        forms[question] = form
    return forms


@blueprint.route("/students/<int:student_id>")
@login_required
def student_page(student_id: int) -> str:
    student = _student(student_id)
    with _engine().connect() as connection:
        row = assignment(connection, student.assignment_id)
        total = student_total(connection, student_id)
        attempts = student_attempts(connection, student_id)
        link = request.url_root.rstrip("/") + student_path(connection, student_id)
    extension = ExtensionForm(formdata=None)
    extension.until.data = aware(student.extension_until)
    policy = policy_of(row)
    return render_template(
        "instructor_student.html", student=student, assignment=row, total=total,
        attempts=attempts, link=link,
        overrides=_override_forms(student_id, [q.question_id for q in total.questions]),
        extension=extension, due=deadline(policy, aware(student.extension_until)))


@blueprint.route("/students/<int:student_id>/override/<question_id>", methods=["POST"])
@login_required
def override(student_id: int, question_id: str) -> BaseResponse:
    student = _student(student_id)
    with _engine().connect() as connection:
        questions = {q.question_id for q in student_total(connection, student_id).questions}
    if question_id not in questions:
        abort(404)
    form = OverrideForm(prefix=f"override-{question_id}")
    if not form.validate_on_submit():
        flash(f"{question_id}: the score is a number from 0 to 1.")
    else:
        with _engine().begin() as connection:
            connection.execute(delete(overrides).where(
                overrides.c.student_id == student_id, overrides.c.question_id == question_id))
            if form.score.data is not None:
                connection.execute(insert(overrides).values(
                    student_id=student_id, question_id=question_id, score=form.score.data,
                    reason=(form.reason.data or "").strip() or None,
                    instructor=current_user() or "LTI", created_at=now()))
        flash(f"{question_id}: " + ("override removed." if form.score.data is None
                                     else f"score set to {form.score.data:g}."))
    return redirect(url_for("instructor.student_page", student_id=student.id))


@blueprint.route("/students/<int:student_id>/extension", methods=["POST"])
@login_required
def extension(student_id: int) -> BaseResponse:
    student = _student(student_id)
    form = ExtensionForm()
    if not form.validate_on_submit():
        flash("The extension is a date and time (UTC).")
    else:
        until = utc(form.until.data)
        with _engine().begin() as connection:
            extend(connection, student.assignment_id, student.student_key, until)
        flash("Extension removed." if until is None
              else f"Extended until {until:%Y-%m-%d %H:%M} UTC.")
    return redirect(url_for("instructor.student_page", student_id=student.id))
