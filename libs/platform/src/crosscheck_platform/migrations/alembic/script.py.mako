"""${message}"""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}


def upgrade() -> None:
    execute(
        """
        """
    )
