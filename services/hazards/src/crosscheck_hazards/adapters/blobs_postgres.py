"""Evidence in the hazards service's own PostgreSQL schema: the default, since every
replica already shares the database (a photo is at most 10 MB; a county's evidence
over years stays within what PostgreSQL stores well in `bytea`, kept out of line). The
table is made by the hazards service's migration step 0002."""

from __future__ import annotations

from crosscheck_hazards.adapters.blobs import evidence_id_of, valid_key
from crosscheck_platform.db import Database

_PUT = """
    INSERT INTO evidence_blobs (township, evidence_id, content_type, data)
    VALUES ($1, $2, $3, $4) ON CONFLICT (township, evidence_id) DO NOTHING"""
_GET = "SELECT data, content_type FROM evidence_blobs WHERE township = $1 AND evidence_id = $2"
_EXISTS = "SELECT EXISTS (SELECT 1 FROM evidence_blobs WHERE township = $1 AND evidence_id = $2)"


class PostgresBlobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def put(self, township: str, data: bytes, content_type: str) -> str:
        evidence_id = evidence_id_of(data)
        if not valid_key(township, evidence_id):
            raise ValueError("not a township code")
        await self.db.execute(_PUT, township, evidence_id, content_type, data)
        return evidence_id

    async def get(self, township: str, evidence_id: str) -> tuple[bytes, str] | None:
        if not valid_key(township, evidence_id):
            return None
        async with self.db.pool.acquire() as conn:
            row = await conn.fetchrow(_GET, township, evidence_id)
        return None if row is None else (bytes(row["data"]), str(row["content_type"]))

    async def exists(self, township: str, evidence_id: str) -> bool:
        if not valid_key(township, evidence_id):
            return False
        return bool(await self.db.fetchval(_EXISTS, township, evidence_id))
