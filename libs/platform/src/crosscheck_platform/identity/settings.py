"""Where the OpenID Connect provider is, and how the registry signs in to it.

Built from explicit values at start-up (never at import), so tests and services can
point at any provider: the local stack's Keycloak or a county's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

REALMS_PATH = "/realms/"


@dataclass(frozen=True)
class IdentitySettings:
    """`base_url` is the provider's root (http://127.0.0.1:18180), `realm` the realm under
    it; `client_id`/`client_secret` are the confidential client whose service account
    provisions logins (crosscheck-registry)."""

    base_url: str
    realm: str
    client_id: str
    client_secret: str = field(repr=False)
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the identity provider's base URL must be http(s): {self.base_url!r}")
        if not self.realm or "/" in self.realm:
            raise ValueError(f"not a realm name: {self.realm!r}")
        if not self.client_id or not self.client_secret:
            raise ValueError("the identity provider's client id and secret must both be set")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    @classmethod
    def from_issuer(
        cls, issuer: str, *, client_id: str, client_secret: str, timeout_seconds: float = 10.0
    ) -> IdentitySettings:
        """From a Keycloak issuer URL, `<base>/realms/<realm>`."""
        base, sep, realm = issuer.rstrip("/").rpartition(REALMS_PATH)
        if not sep or not base:
            raise ValueError(f"not a Keycloak issuer (…/realms/<realm>): {issuer!r}")
        return cls(base, realm, client_id, client_secret, timeout_seconds)

    @property
    def issuer(self) -> str:
        return f"{self.base_url}{REALMS_PATH}{self.realm}"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    @property
    def admin_url(self) -> str:
        return f"{self.base_url}/admin{REALMS_PATH}{self.realm}"
