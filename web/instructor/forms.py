"""The dashboard's forms (WTForms through Flask-WTF: each carries the CSRF token)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (  # type: ignore[import-untyped]
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[import-untyped]
from wtforms.validators import (  # type: ignore[import-untyped]
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from generator.families import registry
from generator.layout import LAYOUTS
from grader.exercise_set import FORMS
from web.policy import FEEDBACK

DATETIME = "%Y-%m-%dT%H:%M"


def utc(moment: datetime | None) -> datetime | None:
    """A time typed in a form is UTC (the dashboard says so beside each field)."""
    return None if moment is None else moment.replace(tzinfo=UTC)


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField("User name", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class CheckboxesField(SelectMultipleField):  # type: ignore[misc]
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AssignmentForm(FlaskForm):  # type: ignore[misc]
    title = StringField("Title", validators=[Optional(), Length(max=300)],
                        description="Default: the set's title.")
    source = RadioField("Exercises", default="families", choices=[
        SelectChoice("families", "Made here from families (one variant per roster student)"),
        SelectChoice("set", "From a set file (set.json made by matcalc generate)")])
    set_file = FileField("Set file")
    families = CheckboxesField("Families", choices=[])
    difficulty = SelectField("Difficulty", default="", choices=[
        SelectChoice("", "each family's levels in turn"),
        *(SelectChoice(str(d), str(d)) for d in range(1, 6))])
    form = SelectField("Form", default="symbolic", choices=[SelectChoice(f, f) for f in FORMS])
    layout = SelectField("Layout", default="numerator",
                         choices=[SelectChoice(v, v) for v in LAYOUTS])
    count = IntegerField("Exercises per student", default=4,
                         validators=[Optional(), NumberRange(1, 40)])
    seed = IntegerField("Seed", validators=[Optional(), NumberRange(0, 2**31 - 1)],
                        description="Default: a new one.")
    roster = FileField("Roster (CSV)",
                       description="Canvas, Moodle or Gradescope exports, or id,name,email. "
                                   "Without one, each student gets a variant when they first "
                                   "arrive (LTI).")
    max_attempts = IntegerField("Maximum attempts per question",
                                validators=[Optional(), NumberRange(1, 1000)],
                                description="Empty: no limit. Unreadable and repeated answers "
                                            "don't count.")
    penalty = FloatField("Penalty per valid wrong attempt", default=0.0,
                         validators=[InputRequired(), NumberRange(0.0, 1.0)],
                         description="A fraction of the question, 0 to 1.")
    due_at = DateTimeLocalField("Due (UTC)", format=DATETIME, validators=[Optional()])
    feedback = SelectField("Feedback", default="immediate", choices=[
        SelectChoice(f, {"immediate": "at once", "after_due": "after the due date"}[f])
        for f in FEEDBACK])
    show_expected_shape = BooleanField("Show the expected shape beside the answer's")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.families.choices = [SelectChoice(name, f"{family.title} ({name})")
                                 for name, family in registry().items()]


class OverrideForm(FlaskForm):  # type: ignore[misc]
    score = FloatField("Score (0 to 1; empty removes the override)",
                       validators=[Optional(), NumberRange(0.0, 1.0)])
    reason = StringField("Reason", validators=[Optional(), Length(max=1000)])


class ExtensionForm(FlaskForm):  # type: ignore[misc]
    until = DateTimeLocalField("Extended until (UTC; empty removes it)", format=DATETIME,
                               validators=[Optional()])


class SetFileForm(FlaskForm):  # type: ignore[misc]
    set_file = FileField("Corrected set file (set.json)")


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A button that only needs the CSRF token (log out, regrade)."""
