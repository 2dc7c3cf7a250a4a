"""The per-notice lease column goes: since step 0002 a claim's lease lives in
`notice_claims`, renewed by its worker's heartbeat, and no running version writes or
reads `notices.claimed_until` (a value left in it holds no claim any more).

Contract step: roll it out only after a release with step 0002 has replaced every
replica of before it (those claimed with this column)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    execute("ALTER TABLE notices DROP COLUMN IF EXISTS claimed_until")
