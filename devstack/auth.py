"""A local stand-in for Cognito and the HTTP API's JWT authorizer: an RSA key made at start, ID
tokens shaped like Cognito's, and verification following the authorizer's documented steps
(token with or without "Bearer ", RS256 signature by a key in the issuer's JWKS, iss, aud or
client_id, exp, nbf, iat). Tokens die with the process, because the key does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LOCAL_CLIENT_ID = "netz0-helpdesk-local-client"
OPERATORS_GROUP = "operators"
TOKEN_LIFETIME = timedelta(hours=12)  # Cognito's default ID token lifetime is 1 h; 12 h suits a dev day
# A fixed namespace, so an email maps to the same `sub` in every run (like a Cognito user would).
_SUB_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "helpdesk.local.netz0.example")
_MAX_ACCOUNT_ID = 64  # the user pool's custom:account_id MaxLength
_MAX_NAME = 80  # the layer's MAX_DISPLAY_NAME


class Role(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"


class InvalidTokenRequest(ValueError):
    """A /_local/token request the issuer cannot honour; the message says what to send instead."""


class TokenRejected(Exception):
    """Why the authorizer refused a token: the text goes into www-authenticate, as AWS does."""


@dataclass(frozen=True)
class Identity:
    role: Role
    email: str
    account_id: str | None = None
    name: str | None = None  # the user's `name` attribute (the display name), if they have one
    sub: str | None = None  # the user's id in the user pool; derived from the e-mail when None

    @classmethod
    def parse(cls, data: Any) -> Identity:
        """An identity from a /_local/token body, or InvalidTokenRequest saying what is wrong."""
        if not isinstance(data, dict):
            raise InvalidTokenRequest(
                'Send a JSON object, e.g. {"role": "customer", "account_id": "acct-demo"}.'
            )
        try:
            role = Role(str(data.get("role")))
        except ValueError:
            raise InvalidTokenRequest('"role" must be "customer" or "operator".') from None
        email = data.get("email", _default_email(role))
        if not isinstance(email, str) or "@" not in email:
            raise InvalidTokenRequest('"email" must be an email address.')
        name = data.get("name")
        if name is not None and (not isinstance(name, str) or not 1 <= len(name.strip()) <= _MAX_NAME):
            raise InvalidTokenRequest(f'"name" must be a display name of 1 to {_MAX_NAME} characters.')
        name = name.strip() if name else None
        account_id = data.get("account_id")
        if role is Role.OPERATOR:
            return cls(role, email, name=name)
        if not isinstance(account_id, str) or not 1 <= len(account_id) <= _MAX_ACCOUNT_ID:
            raise InvalidTokenRequest(
                'A customer needs "account_id": the customer account, '
                f"a string of 1 to {_MAX_ACCOUNT_ID} characters."
            )
        return cls(role, email, account_id, name=name)


def _default_email(role: Role) -> str:
    return "cliente@demo.netz0.example" if role is Role.CUSTOMER else "operador@netz0.example"


class LocalIssuer:
    def __init__(self, issuer: str, audience: str = LOCAL_CLIENT_ID) -> None:
        self.issuer = issuer
        self.audience = audience
        self.kid = uuid.uuid4().hex
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": self.jwks_uri,
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def claims(self, identity: Identity, now: datetime | None = None) -> dict[str, Any]:
        """The claims of a Cognito ID token for this identity, issued at `now`."""
        issued = int((now or datetime.now(UTC)).timestamp())
        sub = identity.sub or str(uuid.uuid5(_SUB_NAMESPACE, identity.email.lower()))
        claims: dict[str, Any] = {
            "sub": sub,
            "email": identity.email,
            "email_verified": True,
            "token_use": "id",
            "aud": self.audience,
            "iss": self.issuer,
            "iat": issued,
            "auth_time": issued,
            "exp": issued + int(TOKEN_LIFETIME.total_seconds()),
            "jti": str(uuid.uuid4()),
            "cognito:username": sub,
        }
        if identity.name:
            claims["name"] = identity.name
        if identity.role is Role.OPERATOR:
            claims["cognito:groups"] = [OPERATORS_GROUP]
        elif identity.account_id is not None:
            claims["custom:account_id"] = identity.account_id
        return claims

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def mint(self, identity: Identity, now: datetime | None = None) -> tuple[str, dict[str, Any]]:
        claims = self.claims(identity, now)
        return self.sign(claims), claims

    def verify(self, authorization: str | None) -> dict[str, Any]:
        """The verified claims of the token in an Authorization header, or TokenRejected."""
        token = (authorization or "").strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        if not token:
            raise TokenRejected("no token in the Authorization header")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("kid") != self.kid:
                raise TokenRejected("the token's kid is not in the issuer's JWKS")
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"require": ["exp", "iss"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise TokenRejected(f"the token is not valid: {error}") from error
        self._check_audience(claims)
        return claims

    def _check_audience(self, claims: dict[str, Any]) -> None:
        # The authorizer checks aud and, only when a token has none (access tokens), client_id.
        audience = claims.get("aud", claims.get("client_id"))
        audiences = audience if isinstance(audience, list) else [audience]
        if self.audience not in audiences:
            raise TokenRejected("the token does not have a valid audience")
