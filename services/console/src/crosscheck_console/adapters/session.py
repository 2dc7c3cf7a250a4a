"""The session lives in the browser: an encrypted, HttpOnly cookie holding the user's
tokens and the form token (CSRF). The console stores nothing server-side, so any
replica serves any request."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import zlib
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

SESSION_COOKIE = "cc_session"
LOGIN_COOKIE = "cc_login"
LANG_COOKIE = "cc_lang"


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str | None
    expires_at: float
    csrf: str

    @classmethod
    def new(cls, access: str, refresh: str | None, expires_at: float) -> Session:
        return cls(access, refresh, expires_at, secrets.token_urlsafe(24))


@dataclass(frozen=True)
class PendingLogin:
    state: str
    verifier: str
    next: str


class Sealer:
    """Fernet (AES-CBC + HMAC) over compressed JSON: tokens are unreadable and
    tamper-evident in the cookie; `max_age` bounds how long a sealed value is accepted."""

    def __init__(self, key: str) -> None:
        material = hashlib.sha256(key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(material))

    def seal(self, value: Session | PendingLogin) -> str:
        return self._fernet.encrypt(zlib.compress(json.dumps(asdict(value)).encode())).decode()

    def open_session(self, raw: str | None, max_age: int) -> Session | None:
        data = self._open(raw, max_age)
        return Session(**data) if data else None

    def open_login(self, raw: str | None, max_age: int) -> PendingLogin | None:
        data = self._open(raw, max_age)
        return PendingLogin(**data) if data else None

    def _open(self, raw: str | None, max_age: int) -> dict[str, Any] | None:
        if not raw:
            return None
        try:
            data = json.loads(zlib.decompress(self._fernet.decrypt(raw.encode(), ttl=max_age)))
        except (InvalidToken, zlib.error, ValueError):
            return None
        return data if isinstance(data, dict) else None
