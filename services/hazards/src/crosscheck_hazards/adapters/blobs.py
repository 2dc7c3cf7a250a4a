"""Photo and document evidence: a small blob-store interface and its local-folder
adapter (one host only); `blobs_postgres` (the default, shared by every replica) and
`blobs_s3` (an S3-compatible object store) are the others, `evidence_store` picks one.

What is put here was checked first (app/evidence.py): its type is the declared one,
borne out by its bytes.

Blobs are content-addressed (SHA-256), so uploading the same photo twice stores it once
and an evidence id can never point at changed content.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path
from typing import Protocol

_EVIDENCE_ID = re.compile(r"^ev-[0-9a-f]{40}$")


class BlobStore(Protocol):
    async def put(self, township: str, data: bytes, content_type: str) -> str:
        """Store `data`; return its evidence id."""
        ...

    async def get(self, township: str, evidence_id: str) -> tuple[bytes, str] | None:
        """(data, content type), or None if the township has no such evidence."""
        ...

    async def exists(self, township: str, evidence_id: str) -> bool:
        """Whether the township holds this evidence (without reading it)."""
        ...


def evidence_id_of(data: bytes) -> str:
    return "ev-" + hashlib.sha256(data).hexdigest()[:40]


def valid_key(township: str, evidence_id: str) -> bool:
    """Whether the pair can name stored evidence (never a path or key outside the
    township's own)."""
    return bool(_EVIDENCE_ID.match(evidence_id)) and township.isascii() and township.isalnum()


class LocalFolderBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, township: str, evidence_id: str) -> tuple[Path, Path]:
        if not valid_key(township, evidence_id):
            raise ValueError("not an evidence id")
        folder = self.root / township
        return folder / evidence_id, folder / f"{evidence_id}.type"

    async def put(self, township: str, data: bytes, content_type: str) -> str:
        evidence_id = evidence_id_of(data)
        blob, kind = self._paths(township, evidence_id)

        def write() -> None:
            blob.parent.mkdir(parents=True, exist_ok=True)
            if not blob.exists():
                partial = blob.with_suffix(".partial")
                partial.write_bytes(data)
                kind.write_text(content_type)
                partial.replace(blob)  # readers never see half a photo

        await asyncio.to_thread(write)
        return evidence_id

    async def get(self, township: str, evidence_id: str) -> tuple[bytes, str] | None:
        try:
            blob, kind = self._paths(township, evidence_id)
        except ValueError:
            return None

        def read() -> tuple[bytes, str] | None:
            if not blob.exists():
                return None
            return blob.read_bytes(), kind.read_text()

        return await asyncio.to_thread(read)

    async def exists(self, township: str, evidence_id: str) -> bool:
        try:
            blob, _ = self._paths(township, evidence_id)
        except ValueError:
            return False
        return await asyncio.to_thread(blob.exists)
