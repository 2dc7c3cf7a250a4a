"""A small HTTP proxy for the browser tests: the browser asks for the console at the
address the identity provider's console client allows (127.0.0.1:8106), and the proxy
sends those requests to the test's own console process; every other address is reached
as asked. One request per connection (Connection: close), plain HTTP only."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


class _Handler(socketserver.BaseRequestHandler):
    server: _Proxy

    def handle(self) -> None:
        client: socket.socket = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                return
            head += chunk
        header, _, rest = head.partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        method, url, version = lines[0].split(" ", 2)
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 80
        host, port = self.server.mapping.get((host, port), (host, port))
        kept = [
            line
            for line in lines[1:]
            if line.split(":", 1)[0].strip().lower() not in ("connection", "proxy-connection")
        ]
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        request = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close", "", ""])
        # The wait for an answer too: launching a campaign on two loaded cores can take
        # minutes, and a shorter wait would hand the browser an empty answer.
        with socket.create_connection((host, port), timeout=300) as upstream:
            upstream.sendall(request.encode("latin-1") + rest)
            sender = threading.Thread(target=_pipe, args=(client, upstream), daemon=True)
            sender.start()
            _pipe(upstream, client)


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mapping: dict[tuple[str, int], tuple[str, int]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mapping = mapping


@contextmanager
def forwarding_proxy(mapping: dict[tuple[str, int], tuple[str, int]]) -> Iterator[str]:
    """The proxy's address, `http://127.0.0.1:<port>`, while the block runs."""
    proxy = _Proxy(mapping)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}"
    finally:
        proxy.shutdown()
        proxy.server_close()
