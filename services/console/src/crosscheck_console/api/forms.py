"""Reading a multipart form with photos: its text fields, and each file by field name
with what the domain checks of it (type, size); the bytes are read only once the form
is accepted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fastapi import Request
from starlette.datastructures import UploadFile

from crosscheck_console.api.web import BadForm, User
from crosscheck_console.domain.field import MAX_PHOTO_BYTES, MAX_PHOTOS, Photo

KEY = re.compile(r"^[A-Za-z0-9-]{16,64}$")
"""The key a form carries (made once per filled form): the services' idempotency keys
are derived from it."""


@dataclass
class Multipart:
    values: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[tuple[UploadFile, Photo]]] = field(default_factory=dict)

    def one(self, name: str) -> str:
        got = self.values.get(name)
        return got[0] if got else ""

    def photos(self, name: str) -> list[Photo]:
        return [photo for _, photo in self.files.get(name, [])]

    async def data(self, name: str) -> list[tuple[str, bytes]]:
        return [
            (photo.content_type, await upload.read(MAX_PHOTO_BYTES + 1))
            for upload, photo in self.files.get(name, [])
        ]


async def read_multipart(request: Request, user: User) -> tuple[Multipart, str]:
    """The form and its key; a form without the session's form token, or without a
    well-formed key, is refused (400)."""
    raw = await request.form(max_files=MAX_PHOTOS * 64, max_fields=2000)
    form = Multipart()
    for name, value in raw.multi_items():
        if isinstance(value, str):
            form.values.setdefault(name, []).append(value)
        elif value.filename:
            photo = Photo(name, value.content_type or "", value.size or 0)
            form.files.setdefault(name, []).append((value, photo))
    if form.one("csrf") != user.session.csrf:
        raise BadForm
    key = form.one("key")
    if not KEY.match(key):
        raise BadForm
    return form, key


def wants_json(request: Request) -> bool:
    """The page's script sends forms by fetch and reads the answer as JSON."""
    return "application/json" in request.headers.get("accept", "")
