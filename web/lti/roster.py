"""Names and Role Provisioning: the course's learners, fetched when an instructor launches a
link, each enrolled with a variant ahead of their first launch (a learner who joins later gets
one at their first launch)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from requests import RequestException
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from grader.errors import MatcalcError
from web.lti.identity import role_of
from web.lti.launches import enroll_member
from web.lti.platforms import platform_by_id
from web.lti.services import connector
from web.schema import lti_deployments, lti_resource_links

log = logging.getLogger(__name__)

_running: set[int] = set()
_lock = threading.Lock()


def fetch_roster(engine: Engine, link_id: int) -> int:
    """Enroll every active learner of the link's course; answers how many were enrolled (new
    or not).  Nothing happens for a link whose platform offered no roster service."""
    with engine.begin() as connection:
        link = connection.execute(
            select(lti_resource_links, lti_deployments.c.platform_id)
            .select_from(lti_resource_links.join(
                lti_deployments, lti_deployments.c.id == lti_resource_links.c.deployment_id))
            .where(lti_resource_links.c.id == link_id)).one()
        if not link.memberships_url:
            return 0
        platform = platform_by_id(connection, link.platform_id)
        service = NamesRolesProvisioningService(connector(connection, platform),
                                                {"context_memberships_url": link.memberships_url})
    members: list[dict[str, Any]] = list(service.get_members())  # type: ignore[arg-type]
    enrolled = 0
    for member in members:
        if member.get("status", "Active") != "Active" or not member.get("user_id"):
            continue
        if role_of(member.get("roles") or []) != "learner":
            continue
        for attempt in range(5):
            try:
                with engine.begin() as connection:
                    enroll_member(connection, platform, link.assignment_id,
                                  str(member["user_id"]), name=member.get("name"),
                                  email=member.get("email"))
                break
            except OperationalError:  # SQLite: a launch is writing; try again shortly
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        enrolled += 1
    return enrolled


def fetch_in_background(app: Flask, link_id: int) -> None:
    """Fetch the roster in a thread (making variants takes a while), once at a time per link."""
    with _lock:
        if link_id in _running:
            return
        _running.add(link_id)
    engine: Engine = app.extensions["matcalc.engine"]

    def run() -> None:
        try:
            count = fetch_roster(engine, link_id)
            log.info("roster of link %s: %s learners", link_id, count)
        except (LtiException, RequestException, MatcalcError, OperationalError) as problem:
            log.warning("roster of link %s not fetched: %s", link_id, problem)
        finally:
            with _lock:
                _running.discard(link_id)

    threading.Thread(target=run, name=f"matcalc-lti-roster-{link_id}", daemon=True).start()
