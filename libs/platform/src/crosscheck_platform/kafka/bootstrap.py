"""The Kafka bootstrap setting, read once into the list of brokers every client takes.

The setting is comma-separated (`127.0.0.1:9092,127.0.0.1:9094`). aiokafka would split
such a string itself, but FastStream wraps a string into a one-item list, and that item
is then taken for one broker whose port is `9092,127.0.0.1:9094`; so every client gets
the list from here instead, and a mistyped entry is named before any client starts.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

# RFC 1123 host names (labels of letters, digits and inner hyphens) and IPv4 literals;
# underscores too, as container and cluster-internal names sometimes have them.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_EXAMPLE = "host:port, e.g. 127.0.0.1:9092 or [::1]:9092"


class BadBootstrap(ValueError):
    """The bootstrap setting names no broker, or an entry is not host:port."""


def bootstrap_servers(setting: str | Iterable[str]) -> list[str]:
    """The brokers in `setting` as `host:port` strings, in order.

    Entries are separated by commas, with spaces around them allowed; an IPv6 address
    is bracketed (`[::1]:9092`). An already split list is accepted too (each item may
    itself hold several entries), so passing a parsed value again changes nothing.
    """
    items = [setting] if isinstance(setting, str) else list(setting)
    entries = [entry.strip() for item in items for entry in item.split(",")]
    if not any(entries):
        raise BadBootstrap(f"no Kafka broker given; expected {_EXAMPLE}")
    return [_entry(entry, position) for position, entry in enumerate(entries, 1)]


def _entry(entry: str, position: int) -> str:
    if not entry:
        raise BadBootstrap(f"Kafka bootstrap entry {position} is empty (two commas in a row?)")
    host, port = _split(entry)
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise BadBootstrap(
            f"Kafka bootstrap entry {entry!r} has no valid port (1-65535); expected {_EXAMPLE}"
        )
    if not _valid_host(host):
        raise BadBootstrap(
            f"Kafka bootstrap entry {entry!r} has no valid host; expected {_EXAMPLE}"
        )
    return f"{host}:{int(port)}"


def _split(entry: str) -> tuple[str, str]:
    if entry.startswith("["):
        address, closing, rest = entry[1:].partition("]")
        if not closing or not rest.startswith(":"):
            raise BadBootstrap(f"Kafka bootstrap entry {entry!r} is not {_EXAMPLE}")
        return f"[{address}]", rest[1:]
    host, colon, port = entry.rpartition(":")
    if not colon:
        raise BadBootstrap(f"Kafka bootstrap entry {entry!r} has no port; expected {_EXAMPLE}")
    return host, port


def _valid_host(host: str) -> bool:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    return len(host) <= 253 and _HOST.fullmatch(host) is not None
