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

# --- LTI 1.3 (web/lti) -------------------------------------------------------------------------

#: A platform (LMS) registered with ``matcalc lti add-platform``: its endpoints and our client id.
lti_platforms = Table(
    "lti_platforms", metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(500), nullable=False),
    Column("client_id", String(300), nullable=False),
    Column("auth_url", String(1000), nullable=False),    # OIDC authentication endpoint
    Column("token_url", String(1000), nullable=False),   # OAuth 2 token endpoint (AGS, NRPS)
    Column("jwks_url", String(1000), nullable=False),    # the platform's public keys
    Column("audience", String(1000), nullable=True),     # token audience if not the token URL
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("issuer", "client_id"),
)

#: A deployment of matcalc on a platform (one platform may deploy it in several places).
lti_deployments = Table(
    "lti_deployments", metadata,
    Column("id", Integer, primary_key=True),
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"),
           nullable=False),
    Column("deployment_id", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("platform_id", "deployment_id"),
)

#: The tool's RSA keys.  The newest unretired key signs; a retired key stays in the JWKS until
#: the tokens it signed have expired.
lti_keys = Table(
    "lti_keys", metadata,
    Column("id", Integer, primary_key=True),
    Column("kid", String(100), nullable=False, unique=True),
    Column("private_pem", Text, nullable=False),
    Column("public_jwk", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=True),
)

#: Nonces of accepted launches: a replayed id_token is refused even in another browser.
lti_nonces = Table(
    "lti_nonces", metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(500), nullable=False),
    Column("nonce", String(300), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("issuer", "nonce"),
)

#: What the LTI library keeps between login and launch (state, nonce) and after a launch (its
#: claims, for the deep-linking picker), keyed by a cookie: the session cookie is too small.
lti_launch_data = Table(
    "lti_launch_data", metadata,
    Column("key", String(400), primary_key=True),
    Column("value_json", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

#: A resource link of a course: the assignment it opens and where its grades go.
lti_resource_links = Table(
    "lti_resource_links", metadata,
    Column("id", Integer, primary_key=True),
    Column("deployment_id", Integer, ForeignKey("lti_deployments.id", ondelete="CASCADE"),
           nullable=False),
    Column("context_id", String(300), nullable=False),
    Column("resource_link_id", String(300), nullable=False),
    Column("assignment_id", Integer, ForeignKey("assignments.id", ondelete="CASCADE"),
           nullable=False, unique=True),
    Column("lineitem_url", String(1000), nullable=True),
    Column("ags_scopes", Text, nullable=True),          # space-separated
    Column("memberships_url", String(1000), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("deployment_id", "context_id", "resource_link_id"),
)

#: Who a student of an LTI assignment is on the platform: the ``sub`` scores are sent for.
lti_members = Table(
    "lti_members", metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE"),
           nullable=False, unique=True),
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"),
           nullable=False),
    Column("sub", String(300), nullable=False),
)

#: Scores waiting for the platform, stored before they are sent.  A retry sends the row as it is
#: (same value, same timestamp); a newer score supersedes a pending older one.
lti_scores = Table(
    "lti_scores", metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE"), nullable=False),
    Column("link_id", Integer, ForeignKey("lti_resource_links.id", ondelete="CASCADE"),
           nullable=False),
    Column("score_given", Float, nullable=False),
    Column("score_maximum", Float, nullable=False),
    Column("comment", Text, nullable=False),
    Column("timestamp", String(40), nullable=False),   # ISO 8601, sent verbatim on every try
    #: pending -> sent, or superseded by a newer score
    Column("state", String(16), nullable=False, default="pending"),
    Column("tries", Integer, nullable=False, default=0),
    Column("next_try_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index("ix_lti_scores_queue", "state", "next_try_at"),
)
