"""Evidence in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, a cloud's OSS
with its S3 interface), through aiobotocore: one object per township and evidence id,
`<prefix><township>/<evidence id>`, its media type as the object's Content-Type.
Credentials come the usual way (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile,
or the pod's role); the bucket is the deployment's to create."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from crosscheck_hazards.adapters.blobs import evidence_id_of, valid_key

if TYPE_CHECKING:  # the stubs are a development dependency
    from types_aiobotocore_s3 import S3Client

_MISSING = {"404", "NoSuchKey", "NotFound"}


class MissingBucket(RuntimeError):
    pass


class S3BlobStore:
    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
    ) -> AsyncIterator[S3BlobStore]:
        """A store on an open client; refuses a bucket it cannot reach, naming it."""
        config = AioConfig(retries={"max_attempts": 3, "mode": "standard"})
        async with get_session().create_client(
            "s3", endpoint_url=endpoint_url, region_name=region, config=config
        ) as client:
            try:
                await client.head_bucket(Bucket=bucket)
            except ClientError as exc:
                raise MissingBucket(f"S3 bucket {bucket!r} cannot be used: {exc}") from exc
            yield cls(client, bucket, prefix)

    def _key(self, township: str, evidence_id: str) -> str:
        return f"{self.prefix}{township}/{evidence_id}"

    async def put(self, township: str, data: bytes, content_type: str) -> str:
        evidence_id = evidence_id_of(data)
        if not valid_key(township, evidence_id):
            raise ValueError("not a township code")
        # Content-addressed: writing it again writes the same bytes.
        await self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(township, evidence_id),
            Body=data,
            ContentType=content_type,
        )
        return evidence_id

    async def get(self, township: str, evidence_id: str) -> tuple[bytes, str] | None:
        if not valid_key(township, evidence_id):
            return None
        try:
            answer = await self.client.get_object(
                Bucket=self.bucket, Key=self._key(township, evidence_id)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        async with answer["Body"] as body:
            data = await body.read()
        return data, answer.get("ContentType", "application/octet-stream")

    async def exists(self, township: str, evidence_id: str) -> bool:
        if not valid_key(township, evidence_id):
            return False
        try:
            await self.client.head_object(Bucket=self.bucket, Key=self._key(township, evidence_id))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return False
            raise
        return True
