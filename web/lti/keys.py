"""The tool's signing keys: one active RSA key, older ones published until their tokens expire.

The platform checks what matcalc signs (deep-linking responses, the client assertions that get
AGS and NRPS tokens) against the JWKS at /lti/jwks.json.  Rotation makes a new key the signing
key and keeps the old one in the JWKS for :data:`GRACE`, longer than any token matcalc signs
lives (pylti1p3 signs deep-linking responses for 10 minutes and client assertions for 1)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration
from sqlalchemy import Connection, insert, or_, select, update

from web.database import aware, now
from web.schema import lti_keys

#: How long a retired key stays in the JWKS.
GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class ToolKey:
    kid: str
    private_pem: str
    public_pem: str
    created_at: datetime
    retired_at: datetime | None


def _new_key() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode("ascii")
    return private_pem, _public_pem(private_pem)


def _public_pem(private_pem: str) -> str:
    private = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    return private.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def _row_key(row: Any) -> ToolKey:
    return ToolKey(kid=row.kid, private_pem=row.private_pem,
                   public_pem=_public_pem(row.private_pem),
                   created_at=aware(row.created_at) or now(), retired_at=aware(row.retired_at))


def _insert_key(connection: Connection) -> ToolKey:
    private_pem, public_pem = _new_key()
    jwk = dict(Registration.get_jwk(public_pem))  # kid: the RFC 7638 thumbprint
    moment = now()
    connection.execute(insert(lti_keys).values(
        kid=jwk["kid"], private_pem=private_pem, public_jwk=json.dumps(jwk, sort_keys=True),
        created_at=moment, retired_at=None))
    return ToolKey(jwk["kid"], private_pem, public_pem, moment, None)


def active_key(connection: Connection) -> ToolKey:
    """The key that signs now; made on first use."""
    row = connection.execute(
        select(lti_keys).where(lti_keys.c.retired_at.is_(None))
        .order_by(lti_keys.c.created_at.desc(), lti_keys.c.id.desc()).limit(1)).first()
    return _row_key(row) if row is not None else _insert_key(connection)


def rotate(connection: Connection) -> tuple[ToolKey, list[str]]:
    """A new signing key; the keys it replaces are retired (still published for GRACE).
    Answers the new key and the kids retired."""
    retired = [row.kid for row in connection.execute(
        select(lti_keys.c.kid).where(lti_keys.c.retired_at.is_(None)))]
    connection.execute(update(lti_keys).where(lti_keys.c.retired_at.is_(None))
                       .values(retired_at=now()))
    return _insert_key(connection), retired


def jwks(connection: Connection, *, at: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """The public keys a platform may meet in a token: the active key and keys retired less than
    GRACE ago, newest first."""
    active_key(connection)
    moment = at or now()
    rows = connection.execute(
        select(lti_keys.c.public_jwk).where(or_(lti_keys.c.retired_at.is_(None),
                                                lti_keys.c.retired_at > moment - GRACE))
        .order_by(lti_keys.c.created_at.desc(), lti_keys.c.id.desc()))
    return {"keys": [json.loads(row.public_jwk) for row in rows]}
