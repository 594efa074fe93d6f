"""Real servers on loopback for the watch tests: an SMTP server (aiosmtpd) keeping every mail it receives,
and an HTTP server keeping every webhook post (path, query and JSON body)."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class Inbox:
    """The mails an SMTP server received, parsed."""

    def __init__(self) -> None:
        self.mails: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        for to in envelope.rcpt_tos:
            m = email.message_from_bytes(envelope.content, policy=email.policy.default)
            m["X-Envelope-To"] = to
            self.mails.append(m)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.mails if m["X-Envelope-To"] == address]


def body(m: Message) -> str:
    return m.get_content()


class Switch:
    """The SMTP server's power: stop() takes it down, start() brings it back on the same port."""

    def __init__(self, inbox: Inbox, port: int) -> None:
        self.inbox, self.port, self.ctl = inbox, port, None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.ctl = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.ctl.start()

    def stop(self) -> None:
        if self.ctl is not None:
            self.ctl.stop()
            self.ctl = None


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int, Switch]]:
    """An SMTP server on 127.0.0.1 (a free port): (inbox, port, switch to take it down and back)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    switch = Switch(Inbox(), port)
    switch.start()
    try:
        yield switch.inbox, port, switch
    finally:
        switch.stop()


class Posts:
    """The webhook posts an HTTP server received."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.answer: dict[str, Any] = {"errcode": 0}

    def at(self, path: str) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["path"] == path]


@contextmanager
def http_server() -> Iterator[tuple[Posts, int]]:
    """An HTTP server on 127.0.0.1 (a free port) keeping every POST; it answers ``posts.answer`` as JSON."""
    posts = Posts()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n)
            url = urlsplit(self.path)
            posts.posts.append(
                {
                    "path": url.path,
                    "query": parse_qs(url.query),
                    "json": json.loads(raw),
                    "type": self.headers["Content-Type"],
                }
            )
            out = json.dumps(posts.answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield posts, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
