"""An OpenID Connect issuer for tests: its own RSA key, a discovery document and a JWKS
served on 127.0.0.1, and tokens minted for any principal.

Services under test verify these tokens exactly as they verify the real provider's:
fetched keys, `iss`, `aud`, expiry. Tests that need the real provider (login, accounts)
use the stack's Keycloak instead.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from crosscheck_platform.auth.principal import Principal

AUDIENCE = "crosscheck-api"


class _Key:
    def __init__(self) -> None:
        self.kid = uuid.uuid4().hex[:16]
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(
            jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key())
        )
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return jwk


class LocalIssuer:
    def __init__(self) -> None:
        self._key = _Key()
        self.fetches = 0
        """How many times the JWKS was fetched (tests of key caching read it)."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/realms/test"

    def rotate(self) -> None:
        """A new signing key; the old one is no longer published."""
        self._key = _Key()

    def token(
        self,
        principal: Principal,
        ttl: timedelta = timedelta(hours=1),
        *,
        now: datetime | None = None,
        audience: str = AUDIENCE,
        issuer: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        issued = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": issuer or self.url,
            "aud": [audience, "account"],
            "sub": principal.subject,
            "iat": issued,
            "exp": issued + ttl,
            "name": principal.name,
            "preferred_username": principal.username,
            "roles": [principal.role.value, "offline_access"],
            "county": principal.county,
            "township": principal.township,
            "village_id": principal.village_id,
            "staff_id": principal.staff_id,
        }
        claims.update(extra or {})
        return jwt.encode(
            {k: v for k, v in claims.items() if v is not None},
            self._key.private,
            algorithm="RS256",
            headers={"kid": self._key.kid},
        )

    def bearer(self, principal: Principal, ttl: timedelta = timedelta(hours=1)) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(principal, ttl)}"}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.endswith("/.well-known/openid-configuration"):
                    body: dict[str, Any] = {
                        "issuer": issuer.url,
                        "jwks_uri": issuer.url + "/protocol/openid-connect/certs",
                    }
                elif self.path.endswith("/protocol/openid-connect/certs"):
                    issuer.fetches += 1
                    body = {"keys": [issuer._key.public_jwk()]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the tests' output is not the place for an access log

        return Handler


class IssuedTokens:
    """A token source over a LocalIssuer, for code that asks for tokens asynchronously
    (the demo driver's `TokenSource`)."""

    def __init__(self, issuer: LocalIssuer) -> None:
        self._issuer = issuer

    async def token(self, principal: Principal) -> str:
        return self._issuer.token(principal)
