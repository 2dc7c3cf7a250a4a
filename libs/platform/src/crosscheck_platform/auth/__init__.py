"""Authentication (OpenID Connect bearer tokens) and authorisation (role and scope).

FastAPI dependencies live in `crosscheck_platform.auth.deps`, so the domain and tools
can use principals without importing FastAPI.
"""

from crosscheck_platform.auth.errors import Forbidden, Unauthenticated
from crosscheck_platform.auth.jwks import IssuerUnavailable, SigningKeys
from crosscheck_platform.auth.principal import COUNTY_ROLES, Principal, Role
from crosscheck_platform.auth.verifier import InvalidToken, IssuerNotConfigured, TokenVerifier

__all__ = [
    "COUNTY_ROLES",
    "Forbidden",
    "InvalidToken",
    "IssuerNotConfigured",
    "IssuerUnavailable",
    "Principal",
    "Role",
    "SigningKeys",
    "TokenVerifier",
    "Unauthenticated",
]
