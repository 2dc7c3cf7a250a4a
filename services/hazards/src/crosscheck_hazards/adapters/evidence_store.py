"""The configured evidence store, opened with the service: the PostgreSQL one needs the
runtime's database, the S3 one an open client. Handlers see a BlobStore from the start."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Literal

from crosscheck_hazards.adapters.blobs import BlobStore, LocalFolderBlobStore
from crosscheck_hazards.adapters.blobs_postgres import PostgresBlobStore
from crosscheck_hazards.adapters.blobs_s3 import S3BlobStore
from crosscheck_platform.http import ServiceRuntime

StoreKind = Literal["postgres", "s3", "folder"]


class EvidenceStore:
    def __init__(
        self,
        kind: StoreKind,
        *,
        folder: Path,
        bucket: str = "",
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
    ) -> None:
        if kind == "s3" and not bucket:
            raise ValueError("CROSSCHECK_HAZARDS_S3_BUCKET is required with the s3 store")
        self.kind = kind
        self.folder = folder
        self.bucket, self.prefix = bucket, prefix
        self.endpoint_url, self.region = endpoint_url, region
        self._open: BlobStore | None = LocalFolderBlobStore(folder) if kind == "folder" else None

    @contextlib.asynccontextmanager
    async def part(self, runtime: ServiceRuntime) -> AsyncIterator[None]:
        """The service's lifespan part that opens (and closes) the backend."""
        if self.kind == "postgres":
            self._open = PostgresBlobStore(runtime.database)
            yield
        elif self.kind == "s3":
            async with S3BlobStore.connect(
                self.bucket,
                prefix=self.prefix,
                endpoint_url=self.endpoint_url,
                region=self.region,
            ) as s3:
                self._open = s3
                try:
                    yield
                finally:
                    self._open = None
        else:
            yield

    def _store(self) -> BlobStore:
        if self._open is None:
            raise RuntimeError("the evidence store is opened with the service")
        return self._open

    async def put(self, township: str, data: bytes, content_type: str) -> str:
        return await self._store().put(township, data, content_type)

    async def get(self, township: str, evidence_id: str) -> tuple[bytes, str] | None:
        return await self._store().get(township, evidence_id)

    async def exists(self, township: str, evidence_id: str) -> bool:
        return await self._store().exists(township, evidence_id)
