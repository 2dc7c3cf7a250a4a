"""What a contact address must look like for its channel; the words for the township
admin when it does not are the API's (`api/messages.py`), keyed by the error's message key.

A contact is checked when it is stored, not when a notice falls due: a typo found by
the worker would surface days later as NotificationFailed, after the notice was missed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crosscheck_contracts.events.notify import Channel
from crosscheck_platform.errors import DomainError

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_PHONE_NOISE = re.compile(r"[\s\-()()]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class InvalidContact(DomainError):
    """An address that cannot be delivered to on its channel: the same code as a
    malformed request, with the field named."""

    code = "validation_error"
    message_key = "notify.contact.webhook"


def contact_address(channel: Channel, raw: str) -> str:
    """The address in the form the channel uses; InvalidContact if it is not one."""
    value = raw.strip()
    match channel:
        case Channel.WEBHOOK:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https") and parts.hostname:
                return value
        case Channel.EMAIL:
            if _EMAIL.match(value):
                return value
        case Channel.SMS:
            number = _PHONE_NOISE.sub("", value)
            for prefix in ("+86", "0086"):
                if number.startswith(prefix):
                    number = number[len(prefix) :]
            if _MOBILE.match(number):
                return number
    raise InvalidContact(f"notify.contact.{channel.value}", field="address", value=value)
