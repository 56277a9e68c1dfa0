"""The database schema, in one place: SQLAlchemy Core tables, the same on SQLite and PostgreSQL.
Alembic revisions in ``web/migrations/versions`` create and change it; this module is what the
code queries."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

#: People who may open the dashboard.  ``password_hash`` is werkzeug's scrypt hash.
instructors = Table(
    "instructors", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(200), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: A graded assignment: its exercises come from a set file (one variant per student) or from
#: set options (a variant made for each student at first sight: LTI launches).
assignments = Table(
    "assignments", metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("title", String(300), nullable=False),
    #: ``matcalc-set/1`` JSON of the set it was made from, or NULL when variants are made on demand
    Column("set_json", Text, nullable=True),
    #: SetOptions record (JSON) used to make variants on demand
    Column("options_json", Text, nullable=True),
    Column("max_attempts", Integer, nullable=True),      # NULL: unlimited
    Column("penalty", Float, nullable=False, default=0.0),  # per valid wrong attempt, 0–1
    Column("due_at", DateTime(timezone=True), nullable=True),
    Column("feedback", String(20), nullable=False, default="immediate"),  # or "after_due"
    Column("show_expected_shape", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    #: set by an LTI launch's context; NULL for assignments made in the dashboard or CLI
    Column("context_key", String(300), nullable=True),
)

#: A student of an assignment, with their own variant.
students = Table(
    "students", metadata,
    Column("id", Integer, primary_key=True),
    Column("assignment_id", Integer, ForeignKey("assignments.id", ondelete="CASCADE"),
           nullable=False),
    Column("student_key", String(300), nullable=False),   # roster id, or LTI platform+sub
    Column("name", String(300), nullable=True),
    Column("email", String(300), nullable=True),
    #: the secret half of the personal link /a/<student id>/<token>; compared in constant time
    Column("token", String(100), nullable=False),
    Column("variant_json", Text, nullable=False),
    Column("extension_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("assignment_id", "student_key"),
)

#: Every attempt, stored before it is acknowledged; also the grading queue (``state``).
submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE"), nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("answer", Text, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    #: pending -> grading -> graded
    Column("state", String(16), nullable=False, default="pending"),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("graded_at", DateTime(timezone=True), nullable=True),
    Column("status", String(16), nullable=True),     # the verdict's status once graded
    Column("score", Float, nullable=True),           # the verdict's score (0–1) once graded
    Column("verdict_json", Text, nullable=True),
    Index("ix_submissions_queue", "state", "lease_until"),
    Index("ix_submissions_student_question", "student_id", "question_id"),
)

#: An instructor's grade for one question of one student, replacing the computed one.
overrides = Table(
    "overrides", metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE"), nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("reason", Text, nullable=True),
    Column("instructor", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("student_id", "question_id"),
)
