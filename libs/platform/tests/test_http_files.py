"""Uploads read within a limit, over a real socket (uvicorn): refused with 413 before the
body is sent when its declared length is too large, and while it streams in when it has
no declared length; downloads named safely; file types told by their first bytes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest
from fastapi import APIRouter, FastAPI, Request

from crosscheck_platform import media
from crosscheck_platform.http import create_app
from crosscheck_platform.http.files import content_disposition, megabytes, read_body
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.http_wire import served, stream_request

LIMIT = 1024 * 1024
CHUNK = 64 * 1024


def _app() -> FastAPI:
    router = APIRouter()

    @router.post("/upload")
    async def upload(request: Request) -> dict[str, int]:
        return {"size": len(await read_body(request, LIMIT))}

    return create_app(
        service="files-test",
        settings=ServiceSettings(oidc_issuer="http://issuer.invalid/realms/x"),
        routers=[router],
    )


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[tuple[str, int]]:
    async with served(_app()) as address:
        yield address


def chunks(total: int) -> Iterator[bytes]:
    for n in range(total // CHUNK):
        yield bytes([n % 256]) * CHUNK


async def test_a_declared_length_past_the_limit_is_refused_before_the_body_is_sent(
    server: tuple[str, int],
) -> None:
    answer = await stream_request(
        *server,
        "/upload",
        {"Content-Length": str(LIMIT + 1), "Accept-Language": "en"},
        [],
        chunked=False,
    )
    assert answer.status == 413
    assert answer.body_bytes_sent == 0
    assert json.loads(answer.body)["error"] == {
        "code": "too_large",
        "message": "The uploaded file is larger than the 1 MB limit.",
        "detail": {"limit_mb": "1", "limit_bytes": LIMIT, "received_bytes": 0},
    }


async def test_a_body_without_a_length_is_refused_while_it_streams_in(
    server: tuple[str, int],
) -> None:
    total = 64 * LIMIT
    answer = await stream_request(*server, "/upload", {}, chunks(total), chunked=True)
    assert answer.status == 413
    assert not answer.body_exhausted
    assert answer.body_bytes_sent < total
    error = json.loads(answer.body)["error"]
    assert error["message"] == "上传的文件超过 1 MB 的上限"
    assert LIMIT < error["detail"]["received_bytes"] <= LIMIT + 512 * 1024


async def test_bodies_within_the_limit_are_read_whole(server: tuple[str, int]) -> None:
    for headers, chunked in [({"Content-Length": str(LIMIT)}, False), ({}, True)]:
        answer = await stream_request(*server, "/upload", headers, chunks(LIMIT), chunked=chunked)
        assert answer.status == 200, answer.body
        assert answer.body_exhausted
        assert json.loads(answer.body) == {"size": LIMIT}


def test_sizes_read_as_people_write_them() -> None:
    assert [megabytes(n) for n in (LIMIT, 10 * LIMIT, 3 * LIMIT // 2)] == ["1", "10", "1.5"]


def test_download_names_are_safe_ascii_with_the_exact_name_beside() -> None:
    assert content_disposition("inline", "ev-0a1b.png") == (
        "inline; filename=\"ev-0a1b.png\"; filename*=UTF-8''ev-0a1b.png"
    )
    assert content_disposition("attachment", '整改通知书"\r\n;x.pdf') == (
        'attachment; filename="x.pdf"; '
        "filename*=UTF-8''%E6%95%B4%E6%94%B9%E9%80%9A%E7%9F%A5%E4%B9%A6%22%0D%0A%3Bx.pdf"
    )
    assert content_disposition("attachment", "照片") == (
        "attachment; filename=\"download\"; filename*=UTF-8''%E7%85%A7%E7%89%87"
    )


SAMPLES = {
    media.JPEG: b"\xff\xd8\xff\xdb" + b"\0" * 32,
    media.PNG: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    media.WEBP: b"RIFF\x10\0\0\0WEBPVP8L",
    media.HEIC: b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
    media.PDF: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3",
}


def test_a_file_type_is_told_by_its_signature() -> None:
    for kind, data in SAMPLES.items():
        assert media.sniff(data) == kind
        assert media.matches(kind, data)
        others = [other for other in SAMPLES if other != kind]
        assert not any(media.matches(other, data) for other in others), kind
    # A HEIF container holding other images than HEVC ones is HEIF, not HEIC.
    plain_heif = b"\0\0\0\x14ftypmif1\0\0\0\0mif1"
    assert (media.sniff(plain_heif), media.matches(media.HEIC, plain_heif)) == (media.HEIF, False)
    assert media.matches(media.HEIF, SAMPLES[media.HEIC])
    for fake in [
        b"<html><script>alert(1)</script>",
        b"PNG\r\n",
        b"RIFF\0\0\0\0WAVEfmt ",  # a sound file, same container as WebP
        b"\0\0\0\x18ftypisom\0\0\0\0isomavc1",  # an MP4 video
        b"\0\0\xff\xffftypheic",  # a box longer than the file
        b"",
    ]:
        assert media.sniff(fake) is None, fake
    assert not media.matches("text/html", b"<html>")


def test_declared_types_are_compared_without_their_parameters() -> None:
    assert media.media_type_of(" Image/PNG ; charset=binary") == "image/png"
    assert media.is_image(media.HEIC) and not media.is_image(media.PDF)
