"""Registered platforms and their deployments: what ``matcalc lti add-platform`` stores and what
a login or launch is checked against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update

from grader.errors import MatcalcError
from web.database import now
from web.schema import lti_deployments, lti_platforms


class PlatformError(MatcalcError):
    """A platform's registration is incomplete or contradicts one already stored."""


@dataclass(frozen=True)
class Platform:
    id: int
    issuer: str
    client_id: str
    auth_url: str
    token_url: str
    jwks_url: str
    audience: str | None


def _platform(row: Any) -> Platform:
    return Platform(row.id, row.issuer, row.client_id, row.auth_url, row.token_url,
                    row.jwks_url, row.audience)


def _check_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PlatformError(f"--{name}: {url!r} is not an http(s) URL")


def add_platform(connection: Connection, *, issuer: str, client_id: str, deployment_id: str,
                 auth_url: str, token_url: str, jwks_url: str,
                 audience: str | None = None) -> tuple[Platform, bool]:
    """Register (or update the endpoints of) a platform and add a deployment to it.  Answers the
    platform and whether the deployment is new."""
    for name, url in (("issuer", issuer), ("auth-url", auth_url), ("token-url", token_url),
                      ("jwks-url", jwks_url)):
        _check_url(name, url)
    for name, value in (("client-id", client_id), ("deployment-id", deployment_id)):
        if not value.strip():
            raise PlatformError(f"--{name} is empty")
    values = {"auth_url": auth_url, "token_url": token_url, "jwks_url": jwks_url,
              "audience": audience}
    existing = connection.execute(select(lti_platforms.c.id).where(
        lti_platforms.c.issuer == issuer, lti_platforms.c.client_id == client_id)).first()
    if existing is None:
        platform_id = connection.execute(insert(lti_platforms).values(
            issuer=issuer, client_id=client_id, created_at=now(), **values)
            .returning(lti_platforms.c.id)).scalar_one()
    else:
        platform_id = existing.id
        connection.execute(update(lti_platforms).where(lti_platforms.c.id == platform_id)
                           .values(**values))
    known = connection.execute(select(lti_deployments.c.id).where(
        lti_deployments.c.platform_id == platform_id,
        lti_deployments.c.deployment_id == deployment_id)).first()
    if known is None:
        connection.execute(insert(lti_deployments).values(
            platform_id=platform_id, deployment_id=deployment_id, created_at=now()))
    platform = find_platform(connection, issuer, client_id)
    assert platform is not None
    return platform, known is None


def find_platform(connection: Connection, issuer: str, client_id: str | None) -> Platform | None:
    """The platform registered for ``issuer`` with ``client_id``; without a client id (it is
    optional in a login request), the issuer's only registration."""
    query = select(lti_platforms).where(lti_platforms.c.issuer == issuer)
    if client_id:
        query = query.where(lti_platforms.c.client_id == client_id)
    rows = connection.execute(query.limit(2)).all()
    return _platform(rows[0]) if len(rows) == 1 else None


def platform_by_id(connection: Connection, platform_id: int) -> Platform:
    row = connection.execute(select(lti_platforms).where(lti_platforms.c.id == platform_id)).one()
    return _platform(row)


def find_deployment(connection: Connection, platform: Platform, deployment_id: str) -> int | None:
    """The row id of a registered deployment, or None."""
    row = connection.execute(select(lti_deployments.c.id).where(
        lti_deployments.c.platform_id == platform.id,
        lti_deployments.c.deployment_id == deployment_id)).first()
    return None if row is None else int(row.id)


def all_platforms(connection: Connection) -> list[tuple[Platform, list[str]]]:
    """Every platform with its deployment ids, for ``matcalc lti show-config``."""
    result = []
    for row in connection.execute(select(lti_platforms).order_by(lti_platforms.c.id)):
        deployments = [d.deployment_id for d in connection.execute(
            select(lti_deployments.c.deployment_id)
            .where(lti_deployments.c.platform_id == row.id).order_by(lti_deployments.c.id))]
        result.append((_platform(row), deployments))
    return result


def platform_origins(connection: Connection) -> list[str]:
    """The origins of every registered platform: the pages allowed to frame matcalc."""
    origins = set()
    for row in connection.execute(select(lti_platforms.c.issuer, lti_platforms.c.auth_url)):
        for url in (row.issuer, row.auth_url):
            parts = urlsplit(url)
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)
