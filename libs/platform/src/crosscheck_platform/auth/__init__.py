"""Authentication (signed bearer tokens) and authorisation (role and township scope).

FastAPI dependencies live in `crosscheck_platform.auth.deps`, so the domain and tools
can use principals and tokens without importing FastAPI.
"""

from crosscheck_platform.auth.errors import Forbidden, Unauthenticated
from crosscheck_platform.auth.principal import COUNTY_ROLES, Principal, Role
from crosscheck_platform.auth.tokens import InvalidToken, mint_token, verify_token

__all__ = [
    "COUNTY_ROLES",
    "Forbidden",
    "InvalidToken",
    "Principal",
    "Role",
    "Unauthenticated",
    "mint_token",
    "verify_token",
]
