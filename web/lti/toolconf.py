"""pylti1p3's tool configuration, read from the database: the registration of a platform (its
endpoints, with the tool's current key) and its deployments."""

from __future__ import annotations

from typing import Any, cast

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import Connection, Engine

from web.lti import keys
from web.lti.platforms import Platform, find_deployment, find_platform


def registration(connection: Connection, platform: Platform) -> Registration:
    """What pylti1p3 needs to check a platform's tokens and to sign the tool's own."""
    key = keys.active_key(connection)
    made = (Registration().set_issuer(platform.issuer).set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_url).set_auth_token_url(platform.token_url)
            .set_key_set_url(platform.jwks_url).set_tool_private_key(key.private_pem)
            .set_tool_public_key(key.public_pem))
    if platform.audience:
        made.set_auth_audience(platform.audience)
    return made


class DatabaseToolConf(ToolConfAbstract):  # type: ignore[type-arg]
    """Every issuer may have several client ids (one per registration of matcalc)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self.find_registration_by_params(iss, "", *args, **kwargs)

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any,
                                    **kwargs: Any) -> Registration:
        """The registration, or None (pylti1p3 checks for None, though its hint says
        otherwise); an empty client id means the issuer's only registration."""
        with self._engine.begin() as connection:
            platform = find_platform(connection, iss, client_id or None)
            if platform is None:
                return cast(Registration, None)
            return registration(connection, platform)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, "")

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str,
                                  *args: Any, **kwargs: Any) -> Deployment | None:
        with self._engine.begin() as connection:
            platform = find_platform(connection, iss, client_id or None)
            if platform is None or find_deployment(connection, platform, deployment_id) is None:
                return None
            return Deployment().set_deployment_id(deployment_id)
