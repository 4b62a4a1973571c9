"""CallConnectionClient built on its own, as the official SDK allows:
``CallConnectionClient(endpoint, credential, call_connection_id)`` and
``CallConnectionClient.from_connection_string(conn_str, call_connection_id)``, sync and aio."""

from __future__ import annotations

import asyncio
from typing import Any

import callsteer
import callsteer.aio
import pytest
from conftest import App
from harness import Emulator


def connected_call(app: App) -> str:
    created = app.client.create_call(
        callsteer.CommunicationUserIdentifier("8:acs:r_alice"), app.callback_uri
    )
    assert created.wait_for_event_processor(timeout=10).succeeded
    return created.call_connection_id


def test_from_connection_string_steers_a_call_and_waits_on_its_own_processor(app: App) -> None:
    call_id = connected_call(app)
    conn = callsteer.CallConnectionClient.from_connection_string(
        app.emulator.connection_string, call_id
    )
    assert conn.call_connection_id == call_id
    assert conn.get_call_properties().call_connection_state == "connected"
    # Its results wait on its own processor: the app feeds it, here from the same receiver.
    app.receiver.processor = conn.event_processor
    added = conn.add_participant(
        callsteer.CommunicationUserIdentifier("8:acs:r_bob"), operation_context="direct"
    )
    outcome = added.wait_for_event_processor(timeout=10)
    assert outcome.succeeded
    assert outcome.event.operation_context == "direct"


def test_the_constructor_takes_endpoint_credential_and_id(app: App) -> None:
    call_id = connected_call(app)
    conn = callsteer.CallConnectionClient(
        app.emulator.endpoint, app.emulator.access_key, call_id, api_version="2025-05-15"
    )
    props = conn.get_call_properties()
    assert props.call_connection_id == call_id
    log = app.emulator.admin("GET", f"/emulator/requests?callConnectionId={call_id}")["value"]
    assert log[-1]["path"].endswith("api-version=2025-05-15"), log[-1]


def test_bad_arguments_are_refused_by_name(emulator: Emulator) -> None:
    with pytest.raises(callsteer.InvalidArgumentError, match="call_connection_id"):
        callsteer.CallConnectionClient.from_connection_string(emulator.connection_string, "")
    with pytest.raises(TypeError, match="surprise"):
        callsteer.CallConnectionClient(
            emulator.endpoint,
            emulator.access_key,
            "c",
            surprise=1,  # type: ignore[call-arg]
        )
    with pytest.raises(TypeError):
        callsteer.CallConnectionClient(emulator.endpoint, emulator.access_key)  # type: ignore[call-arg]


def test_aio_connection_client_built_directly(app: App) -> None:
    call_id = connected_call(app)

    async def run() -> Any:
        conn = callsteer.aio.CallConnectionClient.from_connection_string(
            app.emulator.connection_string, call_id
        )
        app.receiver.processor = conn.event_processor
        props = await conn.get_call_properties()
        removed = await conn.remove_participant(
            callsteer.CommunicationUserIdentifier("8:acs:r_alice"), operation_context="bye"
        )
        return props, await removed.wait_for_event_processor(timeout=10)

    props, outcome = asyncio.run(run())
    assert props.call_connection_id == call_id
    assert outcome.succeeded


callautomation = pytest.importorskip("azure.communication.callautomation")


def test_the_official_signatures_accept_the_same_arguments() -> None:
    """Same parameter names and kinds as the official class (positional then keyword)."""
    import inspect

    theirs = inspect.signature(callautomation.CallConnectionClient.from_connection_string)
    names = [p.name for p in theirs.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert names == ["conn_str", "call_connection_id"]
    ours = callsteer.CallConnectionClient.from_connection_string.__text_signature__ or ""
    for name in names:
        assert name in ours, ours
