"""Evidence: when each piece was first uploaded and of what type (a photo proves a step
only if it came after what it proves), and the evidence bytes themselves in PostgreSQL,
the default store shared by every replica."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute(
        # The same bytes uploaded again keep the first time, since evidence ids are
        # derived from the content.
        """CREATE TABLE IF NOT EXISTS evidence_uploads (
            evidence_id text NOT NULL,
            township text NOT NULL,
            kind text NOT NULL,
            uploaded_at timestamptz NOT NULL,
            PRIMARY KEY (evidence_id, township)
        )""",
        """CREATE TABLE IF NOT EXISTS evidence_blobs (
            township text NOT NULL,
            evidence_id text NOT NULL,
            content_type text NOT NULL,
            data bytea NOT NULL,
            stored_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (township, evidence_id)
        )""",
        # Photos are already compressed: keep them out of line without trying again.
        "ALTER TABLE evidence_blobs ALTER COLUMN data SET STORAGE EXTERNAL",
    )
