from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import Emulator, Receiver


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh real emulator process per test."""
    process = Emulator()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


class App:
    """An emulator, a callback receiver feeding the client's event processor, and the client."""

    def __init__(self, emulator: Emulator, receiver: Receiver) -> None:
        import callsteer

        self.emulator = emulator
        self.receiver = receiver
        self.client = callsteer.CallAutomationClient.from_connection_string(
            emulator.connection_string
        )
        receiver.processor = self.client.event_processor
        emulator.admin("POST", "/emulator/event-subscriptions", {"url": receiver.url("/eventgrid")})
        self.callback_uri = receiver.url("/events")


@pytest.fixture
def app(emulator: Emulator, receiver: Receiver) -> App:
    return App(emulator, receiver)
