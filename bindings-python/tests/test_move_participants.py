"""move_participants (api-version 2026-03-12, the default) with callsteer sync and aio, and the
official azure-communication-callautomation 1.6.0 running the same move against the emulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import callsteer
import callsteer.aio
import pytest
from conftest import App
from harness import Emulator, Receiver


def connected(app: App, raw_id: str) -> callsteer.CallConnectionClient:
    created = app.client.create_call(
        callsteer.CommunicationUserIdentifier(raw_id), app.callback_uri
    )
    assert created.wait_for_event_processor(timeout=10).succeeded
    return app.client.get_call_connection(created.call_connection_id)


def test_move_participants_settles_and_the_caller_joins_the_agent_call(app: App) -> None:
    ivr = connected(app, "8:acs:r_caller")
    agent = connected(app, "8:acs:r_agent")
    moved = agent.move_participants(
        [callsteer.CommunicationUserIdentifier("8:acs:r_caller")],
        ivr.call_connection_id,
        operation_context="to-agent",
    )
    assert isinstance(moved, callsteer.MoveParticipantsResult)
    assert moved.from_call == ivr.call_connection_id
    assert moved.operation_context == "to-agent"
    assert [p.identifier.raw_id for p in moved.participants] == ["8:acs:r_agent"]
    outcome = moved.wait_for_event_processor(timeout=10)
    assert outcome.succeeded
    event = outcome.event
    assert isinstance(event, callsteer.MoveParticipantSucceeded)
    assert event.from_call == ivr.call_connection_id
    assert event.participant.raw_id == "8:acs:r_caller"
    assert event.call_connection_id == agent.call_connection_id
    assert sorted(p.identifier.raw_id for p in agent.list_participants()) == [
        "8:acs:r_agent",
        "8:acs:r_caller",
    ]


def test_moving_someone_not_in_the_source_call_gives_move_participant_failed(app: App) -> None:
    ivr = connected(app, "8:acs:r_caller")
    agent = connected(app, "8:acs:r_agent")
    moved = agent.move_participants(
        [callsteer.CommunicationUserIdentifier("8:acs:r_stranger")], ivr.call_connection_id
    )
    outcome = moved.wait_for_event_processor(timeout=10)
    assert not outcome.succeeded
    assert isinstance(outcome.event, callsteer.MoveParticipantFailed)
    assert outcome.event.result_information.code == 404


def test_bad_move_arguments_are_refused_locally_naming_the_python_field(app: App) -> None:
    conn = app.client.get_call_connection("any")
    with pytest.raises(callsteer.InvalidArgumentError, match="target_participants"):
        conn.move_participants([], "other")
    with pytest.raises(callsteer.InvalidArgumentError, match="target_participants"):
        conn.move_participants("8:acs:r_a", "other")  # type: ignore[arg-type]
    with pytest.raises(callsteer.InvalidArgumentError, match="from_call_id"):
        conn.move_participants([callsteer.CommunicationUserIdentifier("8:acs:r_a")], "")
    old = callsteer.CallAutomationClient.from_connection_string(
        app.emulator.connection_string, api_version="2025-05-15"
    )
    with pytest.raises(callsteer.InvalidArgumentError, match="2026-03-12"):
        old.get_call_connection("any").move_participants(
            [callsteer.CommunicationUserIdentifier("8:acs:r_a")], "other"
        )
    # Nothing reached the emulator.
    requests = app.emulator.admin("GET", "/emulator/requests")["value"]
    assert not any("moveHere" in str(r) for r in requests), requests


def test_aio_move_participants(app: App) -> None:
    ivr = connected(app, "8:acs:r_caller")
    agent_sync = connected(app, "8:acs:r_agent")

    async def run() -> Any:
        async with callsteer.aio.CallAutomationClient.from_connection_string(
            app.emulator.connection_string
        ) as client:
            app.receiver.processor = client.event_processor
            agent = client.get_call_connection(agent_sync.call_connection_id)
            moved = await agent.move_participants(
                [callsteer.CommunicationUserIdentifier("8:acs:r_caller")],
                ivr.call_connection_id,
            )
            return await moved.wait_for_event_processor(timeout=10)

    outcome = asyncio.run(run())
    assert outcome.succeeded
    assert outcome.event.event_type == "MoveParticipantSucceeded"


callautomation = pytest.importorskip("azure.communication.callautomation")


@pytest.fixture
def tls_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    process = Emulator("--tls")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", process.ca_pem)
    try:
        yield process
    finally:
        process.stop()


def test_the_official_sdk_moves_participants_against_the_emulator(
    tls_emulator: Emulator, receiver: Receiver
) -> None:
    sdk = callautomation
    client = sdk.CallAutomationClient.from_connection_string(tls_emulator.connection_string)
    ids_of_calls = []
    for raw in ("8:acs:r_caller", "8:acs:r_agent"):
        props = client.create_call(sdk.CommunicationUserIdentifier(raw), receiver.url("/events"))
        ids_of_calls.append(props.call_connection_id)
    calls = [client.get_call_connection(i) for i in ids_of_calls]
    deadline = time.monotonic() + 10
    while any(c.get_call_properties().call_connection_state != "connected" for c in calls):
        assert time.monotonic() < deadline, "calls never connected"
        time.sleep(0.05)
    ivr_id, agent = ids_of_calls[0], calls[1]
    result = agent.move_participants(
        [sdk.CommunicationUserIdentifier("8:acs:r_caller")],
        ivr_id,
        operation_context="official-move",
    )
    assert result.from_call == ivr_id
    assert result.operation_context == "official-move"
    index = receiver.wait_for(0, lambda d: d.event_type == "MoveParticipantSucceeded")
    assert index is not None, "no MoveParticipantSucceeded arrived"
    assert receiver.log[index].data["fromCall"] == ivr_id
    ids = sorted(p.identifier.raw_id for p in agent.list_participants())
    assert ids == ["8:acs:r_agent", "8:acs:r_caller"]
