"""A real SMTP server on loopback (aiosmtpd) that refuses the first messages, then accepts."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RefuseThenAccept:
    """Answers "451 try later" to the first `refusals` messages, holding the first one until
    `release` is set (so a test can see who waits for it), then accepts."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.attempts = 0
        self.received: list[Any] = []
        self.first_attempt = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.attempts == 1:
            self.first_attempt.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        if self.attempts <= self.refusals:
            return "451 4.3.0 Busy, try again later"
        self.received.append(envelope)
        return "250 2.0.0 OK"


@contextmanager
def smtp_server(handler: RefuseThenAccept) -> Iterator[int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        handler.release.set()
        controller.stop()
