"""Who may open the dashboard, and what: an instructor signed in with a password sees every
assignment; an LTI launch as an instructor (``lti_instructor_assignments`` in the session, a
list of assignment ids) sees those assignments only.  Passwords are werkzeug's scrypt hashes,
checked in constant time; failed logins are limited per address and per address and name."""

from __future__ import annotations

import functools
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, redirect, request, session, url_for
from sqlalchemy import Connection, insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from grader.errors import MatcalcError
from web.database import now
from web.schema import instructors

#: Session keys: the signed-in instructor's name and when they signed in (Unix time); the
#: assignments an LTI launch opened.
USER = "instructor"
SINCE = "instructor_since"
LTI_ASSIGNMENTS = "lti_instructor_assignments"
#: A password login lasts this long, however often it is used: the session cookie is signed,
#: not stored, so a copied cookie stops working after it.
SESSION_SECONDS = 12 * 3600

MIN_PASSWORD = 10
#: Failed logins allowed per window, for one name from one address, and from one address.
FAILURES_PER_NAME = 5
FAILURES_PER_ADDRESS = 20
WINDOW_SECONDS = 15 * 60

View = TypeVar("View", bound=Callable[..., Any])


class InstructorError(MatcalcError):
    """An instructor account that can't be made as asked; the message says why."""


def _checked_name(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 200 or any(c.isspace() or not c.isprintable() for c in name):
        raise InstructorError(f"{username!r}: a user name is 1-200 printable characters "
                              "without spaces")
    return name


def set_password(connection: Connection, username: str, password: str) -> bool:
    """Add an instructor, or give an existing one a new password; True if added."""
    name = _checked_name(username)
    if len(password) < MIN_PASSWORD:
        raise InstructorError(f"a password needs at least {MIN_PASSWORD} characters")
    hashed = generate_password_hash(password, method="scrypt")
    found = connection.execute(select(instructors.c.id).where(
        instructors.c.username == name)).scalar()
    if found is not None:
        connection.execute(update(instructors).where(instructors.c.id == found).values(
            password_hash=hashed))
        return False
    connection.execute(insert(instructors).values(username=name, password_hash=hashed,
                                                  created_at=now()))
    return True


@functools.cache
def _decoy() -> str:
    """A hash checked when the name is unknown, so that a wrong name takes as long as a wrong
    password (and says nothing about which names exist)."""
    return generate_password_hash("no such instructor", method="scrypt")


def verify(connection: Connection, username: str, password: str) -> str | None:
    """The instructor's name if the password is theirs, else None."""
    row = connection.execute(select(instructors).where(
        instructors.c.username == username.strip())).first()
    matches = check_password_hash(row.password_hash if row else _decoy(), password)
    return row.username if row is not None and matches else None


class LoginLimiter:
    """Failed logins per window, counted in this process (a restart forgives them)."""

    def __init__(self, per_name: int = FAILURES_PER_NAME,
                 per_address: int = FAILURES_PER_ADDRESS, window: float = WINDOW_SECONDS
                 ) -> None:
        self.per_name = per_name
        self.per_address = per_address
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], moment: float) -> int:
        times = self._failures.get(key)
        if times is None:
            return 0
        while times and times[0] <= moment - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return len(times)

    def allowed(self, address: str, username: str) -> bool:
        moment = time.monotonic()
        with self._lock:
            return (self._recent((address, username.strip().casefold()), moment) < self.per_name
                    and self._recent((address, ""), moment) < self.per_address)

    def failed(self, address: str, username: str) -> None:
        moment = time.monotonic()
        with self._lock:
            self._failures[(address, username.strip().casefold())].append(moment)
            self._failures[(address, "")].append(moment)

    def succeeded(self, address: str, username: str) -> None:
        with self._lock:
            self._failures.pop((address, username.strip().casefold()), None)


def sign_in(user: str) -> None:
    """A fresh session for ``user``: nothing of the session before the login survives it."""
    session.clear()
    session[USER] = user
    session[SINCE] = int(time.time())


def current_user() -> str | None:
    user = session.get(USER)
    since = session.get(SINCE)
    if not isinstance(user, str) or not isinstance(since, int):
        return None
    if not 0 <= time.time() - since < SESSION_SECONDS:
        return None
    return user


def lti_assignments() -> frozenset[int]:
    granted = session.get(LTI_ASSIGNMENTS)
    if not isinstance(granted, list | tuple):
        return frozenset()
    return frozenset(i for i in granted if isinstance(i, int) and not isinstance(i, bool))


def signed_in() -> bool:
    return current_user() is not None or bool(lti_assignments())


def may_open(assignment_id: int) -> bool:
    return current_user() is not None or assignment_id in lti_assignments()


def safe_next(target: str | None) -> str:
    """Where to go after login: a dashboard path of this site, never another site."""
    if target:
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/instructor")
                and "\\" not in target):
            return target
    return url_for("instructor.assignments")


def login_required(view: View) -> View:
    """Anyone not signed in goes to the login form (and comes back after it)."""
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not signed_in():
            return redirect(url_for("instructor.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return cast(View, wrapped)


def password_required(view: View) -> View:
    """Views for instructors signed in with a password (an LTI launch opens one assignment,
    not the whole dashboard)."""
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if not signed_in():
                return redirect(url_for("instructor.login",
                                        next=request.full_path.rstrip("?")))
            abort(403)
        return view(*args, **kwargs)
    return cast(View, wrapped)


def require_assignment(assignment_id: int) -> None:
    """404 for an assignment this session may not open (as if it did not exist)."""
    if not may_open(assignment_id):
        abort(404)
