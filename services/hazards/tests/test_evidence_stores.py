"""Every evidence store passes the same contract: the local folder, PostgreSQL (the
default, shared by replicas) and S3 against a real S3-compatible server run here (moto's
standalone server, a separate process speaking the S3 HTTP API)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from aiobotocore.session import get_session

from crosscheck_hazards import bootstrap
from crosscheck_hazards.adapters.blobs import BlobStore, LocalFolderBlobStore, evidence_id_of
from crosscheck_hazards.adapters.blobs_postgres import PostgresBlobStore
from crosscheck_hazards.adapters.blobs_s3 import MissingBucket, S3BlobStore
from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_testing.infra import Infra
from crosscheck_testing.ports import free_port
from crosscheck_testing.schema import migrated

from .harness import running_service

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + os.urandom(2048)
TOWNSHIP, OTHER = "532327102", "532327103"
BUCKET = "crosscheck-evidence"

Pair = Callable[[], contextlib.AbstractAsyncContextManager[tuple[BlobStore, BlobStore]]]
"""Two stores on the same backend, as two replicas would have."""


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")


async def _make_bucket(endpoint: str, bucket: str) -> None:
    async with get_session().create_client(
        "s3", endpoint_url=endpoint, region_name="us-east-1"
    ) as client:
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            await client.create_bucket(Bucket=bucket)


def folder_pair(tmp_path: Path) -> Pair:
    @contextlib.asynccontextmanager
    async def pair() -> AsyncIterator[tuple[BlobStore, BlobStore]]:
        yield LocalFolderBlobStore(tmp_path), LocalFolderBlobStore(tmp_path)

    return pair


def postgres_pair(database: Database) -> Pair:
    @contextlib.asynccontextmanager
    async def pair() -> AsyncIterator[tuple[BlobStore, BlobStore]]:
        await migrated(database, "hazards")
        yield PostgresBlobStore(database), PostgresBlobStore(database)

    return pair


def s3_pair(endpoint: str) -> Pair:
    @contextlib.asynccontextmanager
    async def pair() -> AsyncIterator[tuple[BlobStore, BlobStore]]:
        await _make_bucket(endpoint, BUCKET)
        async with (
            S3BlobStore.connect(
                BUCKET, prefix="t/", endpoint_url=endpoint, region="us-east-1"
            ) as one,
            S3BlobStore.connect(
                BUCKET, prefix="t/", endpoint_url=endpoint, region="us-east-1"
            ) as two,
        ):
            yield one, two

    return pair


@pytest.fixture(params=["folder", pytest.param("postgres", marks=pytest.mark.infra), "s3"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Pair:
    if request.param == "folder":
        return folder_pair(tmp_path)
    if request.param == "postgres":
        return postgres_pair(request.getfixturevalue("database"))
    request.getfixturevalue("s3_credentials")
    return s3_pair(request.getfixturevalue("s3_endpoint"))


async def test_what_one_replica_stores_the_other_reads(stores: Pair) -> None:
    async with stores() as (one, two):
        evidence_id = await one.put(TOWNSHIP, PNG, "image/png")
        assert evidence_id == evidence_id_of(PNG)
        assert await two.exists(TOWNSHIP, evidence_id)
        assert await two.get(TOWNSHIP, evidence_id) == (PNG, "image/png")
        pdf = await two.put(TOWNSHIP, PDF, "application/pdf")
        assert await one.get(TOWNSHIP, pdf) == (PDF, "application/pdf")


async def test_the_same_file_twice_is_one_evidence(stores: Pair) -> None:
    async with stores() as (one, two):
        first = await one.put(TOWNSHIP, PNG, "image/png")
        again = await two.put(TOWNSHIP, PNG, "image/png")
        assert first == again
        assert await one.get(TOWNSHIP, first) == (PNG, "image/png")


async def test_evidence_belongs_to_its_township_and_ids_are_checked(stores: Pair) -> None:
    async with stores() as (one, _):
        evidence_id = await one.put(TOWNSHIP, PNG, "image/png")
        assert await one.get(OTHER, evidence_id) is None
        assert not await one.exists(OTHER, evidence_id)
        missing = evidence_id_of(b"never stored")
        assert await one.get(TOWNSHIP, missing) is None
        assert not await one.exists(TOWNSHIP, missing)
        for bad in ("../" + evidence_id, evidence_id.upper(), "ev-x", ""):
            assert await one.get(TOWNSHIP, bad) is None
            assert not await one.exists(TOWNSHIP, bad)
        assert await one.get("../532327102", evidence_id) is None


async def test_an_s3_store_refuses_a_bucket_it_cannot_use(
    s3_endpoint: str, s3_credentials: None
) -> None:
    with pytest.raises(MissingBucket, match="no-such-bucket"):
        async with S3BlobStore.connect("no-such-bucket", endpoint_url=s3_endpoint):
            pass


@pytest.mark.infra
async def test_two_replicas_of_the_service_share_the_default_store(infra: Infra) -> None:
    """Uploaded through one replica, read through another that shares only the database."""
    async with running_service(infra, None) as first:
        uploaded = await first.client.post(
            "/v1/evidence",
            content=PNG,
            headers=first.headers(Role.GROUP_LEADER, "s-1") | {"Content-Type": "image/png"},
        )
        assert uploaded.status_code == 201, uploaded.text
        evidence_id = uploaded.json()["evidence_id"]
        second = bootstrap.build_app(first.settings, clock=first.clock)
        async with (
            second.router.lifespan_context(second),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=second), base_url="http://hazards-2"
            ) as client,
        ):
            answer = await client.get(
                f"/v1/evidence/{evidence_id}", headers=first.headers(Role.TOWNSHIP_ADMIN)
            )
        assert answer.status_code == 200, answer.text
        assert answer.content == PNG
        assert answer.headers["content-type"] == "image/png"
