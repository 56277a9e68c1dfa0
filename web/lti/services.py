"""Calls to a platform's services (AGS scores, NRPS roster) through pylti1p3, outside any
request: a registration from the database, a requests session with a timeout, access tokens
cached per registration and scopes."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

import requests
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import Connection

from web.lti.platforms import Platform
from web.lti.toolconf import registration

#: Seconds one call to a platform may take.
TIMEOUT = 15.0


class _TimedSession(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


class Connector(ServiceConnector):
    """pylti1p3's connector with a token cache keyed by issuer, client id and scopes."""

    _tokens: ClassVar[dict[str, tuple[str, float]]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def _cache_key(self, scope_key: str) -> str:
        return f"{self._registration.get_client_id()}|{scope_key}"

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        with self._lock:
            found = self._tokens.get(self._cache_key(scope_key))
        if found is not None and found[1] > time.monotonic():
            return found[0]
        return None

    def _cache_access_token(self, scope_key: str, access_token: str,
                            expires_in: float) -> None:
        with self._lock:
            # a little early, so that a token is never used as it expires
            self._tokens[self._cache_key(scope_key)] = (
                access_token, time.monotonic() + max(0.0, float(expires_in) - 30))

    @classmethod
    def forget_tokens(cls) -> None:
        with cls._lock:
            cls._tokens.clear()


def connector(connection: Connection, platform: Platform) -> Connector:
    session = _TimedSession()
    session.headers["User-Agent"] = "matcalc"
    return Connector(registration(connection, platform), session)
