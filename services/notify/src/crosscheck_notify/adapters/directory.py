"""Whom to reach, and how: the directory port and its adapters.

The registry publishes no phone numbers (personal data stays off public topics), so
contact details live here: from configuration (a small JSON list) or from the
service's own `contacts` table, kept per township by its admin. A recipient is a role
and a reference: the place for its responsible person, the village committee, the
inspecting group or the township.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import asyncpg

from crosscheck_contracts.events.notify import Channel, RecipientRole
from crosscheck_platform.db import Database
from crosscheck_platform.i18n import Language

RecipientKey = tuple[RecipientRole, str]
ContactKey = tuple[str, RecipientRole, str]
"""A recipient within a township: (township code, role, reference)."""


@dataclass(frozen=True)
class Contact:
    channel: Channel
    address: str
    """A webhook URL, an e-mail address or a phone number, by channel."""
    language: Language = "zh"


@dataclass(frozen=True)
class StoredContact:
    role: RecipientRole
    ref: str
    contact: Contact
    updated_at: datetime


class Directory(Protocol):
    async def lookup(self, keys: Iterable[ContactKey]) -> dict[ContactKey, Contact]:
        """The contacts on record among `keys`; unknown recipients are left out."""
        ...


class StaticDirectory:
    """Contacts from configuration, the same in every township (one township's
    deployment, or tests), e.g. a JSON file of
    `[{"role": "village_committee", "ref": "v-1", "channel": "webhook", "address": "..."}]`."""

    def __init__(self, contacts: Mapping[RecipientKey, Contact]) -> None:
        self.contacts = dict(contacts)

    @classmethod
    def from_json(cls, path: Path) -> StaticDirectory:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            {
                (RecipientRole(e["role"]), str(e["ref"])): Contact(
                    Channel(e["channel"]),
                    str(e["address"]),
                    "en" if e.get("language") == "en" else "zh",
                )
                for e in entries
            }
        )

    async def lookup(self, keys: Iterable[ContactKey]) -> dict[ContactKey, Contact]:
        return {
            key: self.contacts[(key[1], key[2])]
            for key in keys
            if (key[1], key[2]) in self.contacts
        }


class TableDirectory:
    """Contacts from the service's `contacts` table (see adapters.tables), per township."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def put(
        self, township: str, role: RecipientRole, ref: str, contact: Contact
    ) -> StoredContact:
        [row] = await self.db.fetch(
            """INSERT INTO contacts (township, recipient_role, recipient_ref, channel, address,
                                     language)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (township, recipient_role, recipient_ref) DO UPDATE SET
                 channel = EXCLUDED.channel, address = EXCLUDED.address,
                 language = EXCLUDED.language, updated_at = now()
               RETURNING recipient_role, recipient_ref, channel, address, language,
                         updated_at""",
            township,
            role.value,
            ref,
            contact.channel.value,
            contact.address,
            contact.language,
        )
        return _stored(row)

    async def list(self, township: str) -> list[StoredContact]:
        rows = await self.db.fetch(
            """SELECT recipient_role, recipient_ref, channel, address, language, updated_at
               FROM contacts WHERE township = $1 ORDER BY recipient_role, recipient_ref""",
            township,
        )
        return [_stored(row) for row in rows]

    async def delete(self, township: str, role: RecipientRole, ref: str) -> bool:
        """Whether there was such a contact."""
        deleted = await self.db.fetchval(
            """DELETE FROM contacts
               WHERE township = $1 AND recipient_role = $2 AND recipient_ref = $3
               RETURNING 1""",
            township,
            role.value,
            ref,
        )
        return deleted is not None

    async def lookup(self, keys: Iterable[ContactKey]) -> dict[ContactKey, Contact]:
        wanted = list(set(keys))
        if not wanted:
            return {}
        rows = await self.db.fetch(
            """SELECT c.township, c.recipient_role, c.recipient_ref, c.channel, c.address,
                      c.language
               FROM contacts c
               JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(township, role, ref)
                 ON c.township = k.township AND c.recipient_role = k.role
                    AND c.recipient_ref = k.ref""",
            [township for township, _, _ in wanted],
            [role.value for _, role, _ in wanted],
            [ref for _, _, ref in wanted],
        )
        return {
            (r["township"], RecipientRole(r["recipient_role"]), r["recipient_ref"]): _contact(r)
            for r in rows
        }


def _contact(row: asyncpg.Record) -> Contact:
    return Contact(
        Channel(row["channel"]), row["address"], "en" if row["language"] == "en" else "zh"
    )


def _stored(row: asyncpg.Record) -> StoredContact:
    return StoredContact(
        role=RecipientRole(row["recipient_role"]),
        ref=row["recipient_ref"],
        contact=_contact(row),
        updated_at=row["updated_at"],
    )
