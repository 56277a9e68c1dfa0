"""A validated launch, turned into matcalc's terms: the assignment its resource link opens
(made at the first launch) and the student it is about (enrolled, with a variant, at first
sight).  Plain functions on a connection; the views hold the HTTP."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from generator.sets import SetOptions, derived_seed
from grader.exercise_set import ExerciseSet
from web.assignments import create_assignment, enroll
from web.database import now
from web.lti.identity import Role, link_key, role_of, student_key
from web.lti.options import LinkOptionsError, options_from_custom
from web.lti.platforms import Platform
from web.schema import assignments, lti_members, lti_resource_links

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
#: The custom parameter naming a picker's stored exercise file (see web.lti.picker).
TEMPLATE = "matcalc_exercises"


@dataclass(frozen=True)
class Launch:
    """What matcalc uses of a resource-link launch's claims."""

    issuer: str
    client_id: str
    deployment_id: str
    sub: str
    name: str | None
    email: str | None
    role: Role | None
    context_id: str
    context_title: str
    resource_link_id: str
    resource_title: str
    custom: Mapping[str, Any]
    lineitem_url: str | None
    ags_scopes: tuple[str, ...]
    memberships_url: str | None

    @property
    def link_key(self) -> str:
        return link_key(self.issuer, self.client_id, self.deployment_id, self.context_id,
                        self.resource_link_id)


def read_launch(claims: Mapping[str, Any]) -> Launch:
    """The parts of a (validated) resource-link launch matcalc uses."""
    aud = claims.get("aud")
    client_id = aud[0] if isinstance(aud, list) else str(aud)
    context = claims.get(LTI + "context") or {}
    link = claims.get(LTI + "resource_link") or {}
    ags = claims.get(AGS) or {}
    nrps = claims.get(NRPS) or {}
    return Launch(
        issuer=str(claims["iss"]), client_id=client_id,
        deployment_id=str(claims[LTI + "deployment_id"]), sub=str(claims.get("sub") or ""),
        name=claims.get("name"), email=claims.get("email"),
        role=role_of(claims.get(LTI + "roles") or []),
        # a link outside any course (context is optional) is its own context
        context_id=str(context.get("id") or ""), context_title=str(context.get("title") or ""),
        resource_link_id=str(link.get("id") or ""),
        resource_title=str(link.get("title") or context.get("title") or "Matrix calculus"),
        custom=dict(claims.get(LTI + "custom") or {}),
        lineitem_url=ags.get("lineitem"), ags_scopes=tuple(ags.get("scope") or ()),
        memberships_url=nrps.get("context_memberships_url"))


def open_link(connection: Connection, deployment_row: int, launch: Launch) -> tuple[int, int]:
    """The assignment and link row of the launch's resource link, made at its first launch
    from the link's custom parameters; the grade and roster URLs are refreshed each launch."""
    found = _link(connection, deployment_row, launch)
    if found is None:
        try:
            with connection.begin_nested():
                assignment_id = _new_assignment(connection, launch)
                connection.execute(insert(lti_resource_links).values(
                    deployment_id=deployment_row, context_id=launch.context_id,
                    resource_link_id=launch.resource_link_id, assignment_id=assignment_id,
                    created_at=now()))
        except IntegrityError:  # another launch of the same link made it first
            pass
        found = _link(connection, deployment_row, launch)
        assert found is not None
    link_id, assignment_id = found
    values: dict[str, Any] = {}
    if launch.lineitem_url:
        values.update(lineitem_url=launch.lineitem_url, ags_scopes=" ".join(launch.ags_scopes))
    if launch.memberships_url:
        values.update(memberships_url=launch.memberships_url)
    if values:
        connection.execute(update(lti_resource_links)
                           .where(lti_resource_links.c.id == link_id).values(**values))
    return assignment_id, link_id


def _link(connection: Connection, deployment_row: int, launch: Launch) -> tuple[int, int] | None:
    row = connection.execute(select(lti_resource_links.c.id, lti_resource_links.c.assignment_id)
                             .where(lti_resource_links.c.deployment_id == deployment_row,
                                    lti_resource_links.c.context_id == launch.context_id,
                                    lti_resource_links.c.resource_link_id
                                    == launch.resource_link_id)).first()
    return None if row is None else (int(row.id), int(row.assignment_id))


def _new_assignment(connection: Connection, launch: Launch) -> int:
    title = launch.resource_title
    slug = str(launch.custom.get(TEMPLATE) or "")
    template = _template(connection, slug)
    if slug and template is None:
        raise LinkOptionsError(f"custom parameter {TEMPLATE}: no exercise file {slug!r} on this "
                               "server; choose the exercises again with the picker")
    if template is not None:
        recorded, options = template
        options = dataclasses.replace(options, seed=derived_seed("lti", launch.link_key),
                                      title=title)
        return create_assignment(connection, title=title, exercise_set=recorded,
                                 options=options, context_key=launch.link_key)
    options = options_from_custom(launch.custom, seed_from=launch.link_key, title=title)
    return create_assignment(connection, title=title, options=options,
                             context_key=launch.link_key)


def _template(connection: Connection, slug: str) -> tuple[ExerciseSet, SetOptions] | None:
    """A picker's stored authored exercises (an assignment no link opens), by its slug."""
    if not slug:
        return None
    row = connection.execute(select(assignments).where(
        assignments.c.slug == slug, assignments.c.context_key.like("lti-template:%"))).first()
    if row is None or row.options_json is None:
        return None
    where = f"stored exercises {slug}"
    return (ExerciseSet.loads(row.set_json, where),
            SetOptions.from_record(json.loads(row.options_json), where))


def enroll_member(connection: Connection, platform: Platform, assignment_id: int, sub: str, *,
                  name: str | None = None, email: str | None = None) -> int:
    """The student (issuer, sub) in the assignment, enrolled with their own variant at first
    sight, and remembered as the platform user their scores go to."""
    key = student_key(platform.issuer, sub)
    try:
        with connection.begin_nested():
            student_id = enroll(connection, assignment_id, key, name=name, email=email)
    except IntegrityError:  # enrolled at the same moment by another launch or the roster
        student_id = enroll(connection, assignment_id, key, name=name, email=email)
    known = connection.execute(select(lti_members.c.id).where(
        lti_members.c.student_id == student_id)).first()
    if known is None:
        try:
            with connection.begin_nested():
                connection.execute(insert(lti_members).values(
                    student_id=student_id, platform_id=platform.id, sub=sub))
        except IntegrityError:
            pass
    return student_id
