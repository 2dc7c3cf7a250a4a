"""Evidence uploads on the real stack: content checked against the declared type, size
limit enforced while the body streams in (over a real socket, uvicorn serving the app),
downloads served with the checked type and headers that keep browsers from guessing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from crosscheck_hazards.adapters.blobs import LocalFolderBlobStore, evidence_id_of
from crosscheck_hazards.app.evidence import MAX_BYTES
from crosscheck_platform.auth import Role
from crosscheck_testing.http_wire import served, stream_request
from crosscheck_testing.infra import Infra

from .harness import TENANT, Harness, running_service

pytestmark = pytest.mark.infra

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"png-body" * 20
JPEG = b"\xff\xd8\xff\xe0\0\x10JFIF" + b"jpeg-body" * 20
WEBP = b"RIFF\x24\0\0\0WEBPVP8 " + b"webp-body" * 20
HEIC = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"heic-body" * 20
PDF = b"%PDF-1.7\n" + b"pdf-body" * 20
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
CHUNK = 256 * 1024


@pytest.fixture(scope="module")
async def svc(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running_service(infra, tmp_path_factory.mktemp("evidence")) as harness:
        yield harness


def evidence_dir(svc: Harness) -> Path:
    blobs = svc.app.state.hazards.blobs
    assert isinstance(blobs, LocalFolderBlobStore)
    return blobs.root


async def test_content_must_be_what_the_upload_declares(svc: Harness) -> None:
    leader = svc.headers(Role.GROUP_LEADER, "s-1")

    async def upload(data: bytes, kind: str, **extra: str) -> dict[str, Any]:
        answer = await svc.client.post(
            "/v1/evidence", content=data, headers=leader | {"Content-Type": kind} | extra
        )
        return {"status": answer.status_code, **answer.json()}

    html_as_png = await upload(HTML, "image/png")
    assert html_as_png["status"] == 415
    assert html_as_png["error"] == {
        "code": "unsupported_media_type",
        "message": "文件内容不是声明的类型 image/png,请上传原始的照片或 PDF 文件",
        "detail": {"declared": "image/png", "detected": "unknown"},
    }
    in_english = await upload(HTML, "image/png", **{"Accept-Language": "en"})
    assert in_english["error"]["message"] == (
        "The file's content is not the declared type image/png; upload the original photo or PDF."
    )
    png_as_jpeg = await upload(PNG, "image/jpeg")
    assert png_as_jpeg["status"] == 415
    assert png_as_jpeg["error"]["detail"] == {
        "declared": "image/jpeg",
        "detected": "image/png",
    }
    assert (await upload(PDF, "image/webp"))["status"] == 415
    assert (await upload(JPEG, "text/html"))["status"] == 415  # not a type evidence may have
    # Nothing refused was stored.
    township = evidence_dir(svc) / TENANT.township
    for refused in (HTML, PNG):
        assert not (township / evidence_id_of(refused)).exists()

    for data, kind in [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (WEBP, "image/webp"),
        (HEIC, "image/heic"),
        (HEIC, "image/heif"),
        (PDF, "application/pdf"),
    ]:
        stored = await upload(data, kind)
        assert stored["status"] == 201, (kind, stored)


async def test_downloads_carry_the_checked_type_and_are_never_sniffed(svc: Harness) -> None:
    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    photo = await svc.client.post(
        "/v1/evidence", content=PNG, headers=leader | {"Content-Type": "image/png"}
    )
    photo_id = photo.json()["evidence_id"]
    shown = await svc.client.get(f"/v1/evidence/{photo_id}", headers=leader)
    assert shown.content == PNG
    assert shown.headers["content-type"] == "image/png"
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert shown.headers["content-disposition"] == (
        f"inline; filename=\"{photo_id}.png\"; filename*=UTF-8''{photo_id}.png"
    )
    assert "sandbox" in shown.headers["content-security-policy"]

    document = await svc.client.post(
        "/v1/evidence", content=PDF, headers=leader | {"Content-Type": "application/pdf"}
    )
    document_id = document.json()["evidence_id"]
    saved = await svc.client.get(f"/v1/evidence/{document_id}", headers=leader)
    assert saved.headers["content-type"] == "application/pdf"
    assert saved.headers["x-content-type-options"] == "nosniff"
    assert saved.headers["content-disposition"].startswith(f'attachment; filename="{document_id}')

    # Stored before uploads were checked: an HTML page kept as a PNG. Its stored type is
    # not believed; it is served as bytes to save, never as a page or an image.
    legacy_id = await LocalFolderBlobStore(evidence_dir(svc)).put(
        TENANT.township, HTML, "image/png"
    )
    legacy = await svc.client.get(f"/v1/evidence/{legacy_id}", headers=leader)
    assert legacy.status_code == 200
    assert legacy.headers["content-type"] == "application/octet-stream"
    assert legacy.headers["x-content-type-options"] == "nosniff"
    assert legacy.headers["content-disposition"].startswith(f'attachment; filename="{legacy_id}')


def jpeg_chunks(total: int) -> Iterator[bytes]:
    """A JPEG-looking body of `total` bytes, made chunk by chunk as it is sent."""
    yield b"\xff\xd8\xff\xe0" + b"\0" * (CHUNK - 4)
    for n in range(1, total // CHUNK):
        yield bytes([n % 251]) * CHUNK


async def test_an_oversized_upload_is_refused_while_it_streams_in(svc: Harness) -> None:
    headers = svc.headers(Role.GROUP_LEADER, "s-1") | {"Content-Type": "image/jpeg"}
    async with served(svc.app) as (host, port):
        # A declared length past the limit: refused before any of the body is sent.
        declared = await stream_request(
            host,
            port,
            "/v1/evidence",
            headers | {"Content-Length": str(MAX_BYTES + 1)},
            [],
            chunked=False,
        )
        assert declared.status == 413
        assert declared.body_bytes_sent == 0
        assert b"\xe4\xb8\x8a\xe4\xbc\xa0" in declared.body  # "上传", the Chinese message

        # No length (chunked): refused once the bytes read pass the limit, while the
        # client is still sending; the service read at most one more chunk than allowed.
        total = 4 * MAX_BYTES
        chunked = await stream_request(
            host, port, "/v1/evidence", headers, jpeg_chunks(total), chunked=True
        )
        assert chunked.status == 413, chunked.body
        assert not chunked.body_exhausted
        assert chunked.body_bytes_sent < total
        error = json.loads(chunked.body)["error"]
        assert error["code"] == "too_large"
        assert error["message"] == "上传的文件超过 10 MB 的上限"
        assert MAX_BYTES < error["detail"]["received_bytes"] <= MAX_BYTES + 1024 * 1024

        # Within the limit, a chunked upload is stored whole.
        within = await stream_request(
            host, port, "/v1/evidence", headers, jpeg_chunks(8 * CHUNK), chunked=True
        )
        assert within.status == 201, within.body
        assert within.body_exhausted
    evidence_id = json.loads(within.body)["evidence_id"]
    read = await svc.client.get(f"/v1/evidence/{evidence_id}", headers=headers)
    assert read.content == b"".join(jpeg_chunks(8 * CHUNK))
