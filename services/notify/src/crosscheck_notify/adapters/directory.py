"""Whom to reach, and how: the directory port and its adapters.

The registry publishes no phone numbers (personal data stays off public topics), so
contact details live here: from configuration (a small JSON list) or from the
service's own `contacts` table. A recipient is a role and a reference: the place for
its responsible person, the village committee, the inspecting group or the township.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from crosscheck_contracts.events.notify import Channel, RecipientRole
from crosscheck_platform.db import Database
from crosscheck_platform.i18n import Language

RecipientKey = tuple[RecipientRole, str]


@dataclass(frozen=True)
class Contact:
    channel: Channel
    address: str
    """A webhook URL, an e-mail address or a phone number, by channel."""
    language: Language = "zh"


class Directory(Protocol):
    async def lookup(self, keys: Iterable[RecipientKey]) -> dict[RecipientKey, Contact]:
        """The contacts on record among `keys`; unknown recipients are left out."""
        ...


class StaticDirectory:
    """Contacts from configuration, e.g. a JSON file of
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

    async def lookup(self, keys: Iterable[RecipientKey]) -> dict[RecipientKey, Contact]:
        return {key: self.contacts[key] for key in keys if key in self.contacts}


class TableDirectory:
    """Contacts from the service's `contacts` table (see adapters.tables)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def put(self, role: RecipientRole, ref: str, contact: Contact) -> None:
        await self.db.execute(
            """INSERT INTO contacts (recipient_role, recipient_ref, channel, address, language)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (recipient_role, recipient_ref) DO UPDATE SET
                 channel = EXCLUDED.channel, address = EXCLUDED.address,
                 language = EXCLUDED.language""",
            role.value,
            ref,
            contact.channel.value,
            contact.address,
            contact.language,
        )

    async def lookup(self, keys: Iterable[RecipientKey]) -> dict[RecipientKey, Contact]:
        wanted = list(set(keys))
        if not wanted:
            return {}
        rows = await self.db.fetch(
            """SELECT c.recipient_role, c.recipient_ref, c.channel, c.address, c.language
               FROM contacts c JOIN unnest($1::text[], $2::text[]) AS k(role, ref)
                 ON c.recipient_role = k.role AND c.recipient_ref = k.ref""",
            [role.value for role, _ in wanted],
            [ref for _, ref in wanted],
        )
        return {
            (RecipientRole(r["recipient_role"]), r["recipient_ref"]): Contact(
                Channel(r["channel"]), r["address"], "en" if r["language"] == "en" else "zh"
            )
            for r in rows
        }
