"""Signing webhook bodies (HMAC-SHA256), and checking a signature as a receiver would.

Header `X-Crosscheck-Signature: t=<unix seconds>,v1=<hex>` where the hex digest is
HMAC-SHA256(secret, "<t>." + body). The timestamp inside the signed text lets a
receiver refuse replays older than its tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

SIGNATURE_HEADER = "X-Crosscheck-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def sign(secret: str, body: bytes, at: datetime) -> str:
    stamp = str(int(at.timestamp()))
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return f"t={stamp},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: datetime, tolerance_s: int = 300) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    if not stamp.isdigit() or abs(now.timestamp() - int(stamp)) > tolerance_s:
        return False
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), given)
