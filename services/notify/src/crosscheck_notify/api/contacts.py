"""A township's contacts directory: whom the workers reach, on which channel."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from crosscheck_contracts.events.notify import Channel, RecipientRole
from crosscheck_notify.adapters.directory import Contact, StoredContact, TableDirectory
from crosscheck_notify.api.answers import ContactAnswer, Contacts
from crosscheck_notify.domain.contacts import contact_address
from crosscheck_platform.auth import Role
from crosscheck_platform.errors import NotFound
from crosscheck_platform.http import Runtime
from crosscheck_platform.tenancy.deps import TownshipScope, township_records

# Contacts are personal data: only the township's own admin reads or changes them.
Reader = Annotated[TownshipScope, Depends(township_records(roles=[Role.TOWNSHIP_ADMIN]))]
Writer = Annotated[
    TownshipScope, Depends(township_records(write=True, roles=[Role.TOWNSHIP_ADMIN]))
]

RecipientRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        description="Whom of that role: the place id (responsible person), village id, "
        "inspecting group id or township code (township leadership)",
    ),
]


class ContactBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    address: str = Field(
        min_length=1, max_length=500, description="Webhook URL, e-mail address or mobile number"
    )
    language: Literal["zh", "en"] = "zh"


def contact_view(township: str, stored: StoredContact) -> ContactAnswer:
    return ContactAnswer(
        township=township,
        role=stored.role,
        ref=stored.ref,
        channel=stored.contact.channel,
        address=stored.contact.address,
        language=stored.contact.language,
        updated_at=stored.updated_at,
    )


router = APIRouter(prefix="/v1/townships/{code}/contacts", tags=["contacts"])


@router.get("")
async def list_contacts(scope: Reader, runtime: Runtime) -> Contacts:
    stored = await TableDirectory(runtime.database).list(scope.township)
    return Contacts(items=[contact_view(scope.township, s) for s in stored])


@router.put("/{role}/{ref}")
async def put_contact(
    scope: Writer,
    role: RecipientRole,
    ref: RecipientRef,
    body: ContactBody,
    runtime: Runtime,
) -> ContactAnswer:
    contact = Contact(body.channel, contact_address(body.channel, body.address), body.language)
    stored = await TableDirectory(runtime.database).put(scope.township, role, ref, contact)
    return contact_view(scope.township, stored)


@router.delete("/{role}/{ref}", status_code=204)
async def delete_contact(
    scope: Writer, role: RecipientRole, ref: RecipientRef, runtime: Runtime
) -> Response:
    if not await TableDirectory(runtime.database).delete(scope.township, role, ref):
        raise NotFound(
            "notify.contact.not_found", township=scope.township, role=role.value, ref=ref
        )
    return Response(status_code=204)
