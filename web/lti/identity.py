"""Who a launch is about, from its claims: the student's key, the link's key, the role.

A student is the pair (platform issuer, ``sub``): no e-mail or name is needed, and the same
person launching again finds the same variant.  A resource link is (deployment, context,
link id), so a copied course (a new context id) gets new assignments and none of the old grades."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Literal

Role = Literal["instructor", "learner"]

#: Role names (the part after '#' or the last '/') that open the dashboard.
STAFF = frozenset({"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator"})
LEARNERS = frozenset({"Learner", "Student"})


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:40]


def student_key(issuer: str, sub: str) -> str:
    """A stable key for a platform's user, the same in every assignment of that platform."""
    return "lti:" + _digest(issuer, sub)


def link_key(issuer: str, client_id: str, deployment_id: str, context_id: str,
             resource_link_id: str) -> str:
    """The ``context_key`` of the assignment a resource link opens."""
    return "lti:" + _digest(issuer, client_id, deployment_id, context_id, resource_link_id)


def role_of(roles: Iterable[str]) -> Role | None:
    """Staff roles win over learner roles (an instructor enrolled as a student too sees the
    dashboard); None for neither (an observer, a mentor, no role)."""
    names = {role.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for role in roles}
    if names & STAFF:
        return "instructor"
    if names & LEARNERS:
        return "learner"
    return None
