"""Where pylti1p3 keeps state between login and launch: a database table keyed by its own
cookie, not Flask's session cookie (a launch's claims outgrow a cookie's 4 KB), plus the record of
used nonces that refuses a replayed id_token."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from web.database import aware, now
from web.schema import lti_launch_data, lti_nonces

#: How long a login's state and a launch's claims are kept (the picker must be submitted by then).
LIFETIME = timedelta(hours=2)
#: How long a used nonce is remembered; platforms' id_tokens live minutes.
NONCE_MEMORY = timedelta(days=2)


class DatabaseLaunchStorage(LaunchDataStorage[Any]):
    _session_cookie_name = "session-id"

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        with self._engine.begin() as connection:
            row = connection.execute(select(lti_launch_data).where(
                lti_launch_data.c.key == self._prepare_key(key))).first()
        if row is None or (aware(row.expires_at) or now()) < now():
            return None
        return json.loads(row.value_json)

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        key = self._prepare_key(key)
        expires = now() + (timedelta(seconds=exp) if exp else LIFETIME)
        text = json.dumps(value)
        with self._engine.begin() as connection:
            done = connection.execute(update(lti_launch_data).where(lti_launch_data.c.key == key)
                                      .values(value_json=text, expires_at=expires)).rowcount
            if not done:
                connection.execute(insert(lti_launch_data).values(
                    key=key, value_json=text, expires_at=expires))

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None


def forget_expired(connection: Connection) -> None:
    """Drop expired login state and nonces too old to be replayed."""
    moment = now()
    connection.execute(delete(lti_launch_data).where(lti_launch_data.c.expires_at < moment))
    connection.execute(delete(lti_nonces).where(lti_nonces.c.used_at < moment - NONCE_MEMORY))


def use_nonce(connection: Connection, issuer: str, nonce: str) -> bool:
    """Record a launch's nonce; False if it was used before (a replay).  Runs inside the
    launch's transaction, so a refused launch records nothing."""
    try:
        with connection.begin_nested():
            connection.execute(insert(lti_nonces).values(issuer=issuer, nonce=nonce,
                                                         used_at=now()))
    except IntegrityError:
        return False
    return True
