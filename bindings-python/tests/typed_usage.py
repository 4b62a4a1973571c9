"""Typed usage of the public API, checked with `mypy --strict` (test_typing.py). Not run."""

from __future__ import annotations

import callsteer
import callsteer.aio
from callsteer import (
    CallAutomationClient,
    CallInvite,
    CallRejectReason,
    CommunicationIdentifier,
    CommunicationUserIdentifier,
    PhoneNumberIdentifier,
    ServerCallLocator,
    identifier_from_raw_id,
)


def sync_usage(conn_str: str, callback: str) -> list[str]:
    client = CallAutomationClient.from_connection_string(conn_str, api_version="2025-05-15")
    target: CommunicationIdentifier = PhoneNumberIdentifier("+16041234567")
    props = client.create_call(
        CallInvite(target, source_caller_id_number=PhoneNumberIdentifier("+16044561234")),
        callback,
        operation_context="ctx",
    )
    outcome = props.wait_for_event_processor(timeout=5.0)
    ok: bool = outcome.succeeded
    event: callsteer.CallAutomationEvent = outcome.event
    call_id: str = props.call_connection_id
    call = client.get_call_connection(call_id)
    added = call.add_participant(
        CommunicationUserIdentifier("8:acs:bob"),
        invitation_timeout=30,
        sip_headers={"User-To-User": "x"},
        voip_headers={"h": "v"},
    )
    invitation: str | None = added.invitation_id
    call.cancel_add_participant_operation(invitation or "", operation_context="c")
    call.transfer_call_to_participant(
        identifier_from_raw_id("8:acs:carol"), transferee=CommunicationUserIdentifier("8:acs:bob")
    )
    call.remove_participant(CommunicationUserIdentifier("8:acs:bob")).wait_for_event_processor()
    call.mute_participant(CommunicationUserIdentifier("8:acs:alice"))
    client.connect_call(callback, call_locator=ServerCallLocator("server"))
    client.connect_call(callback, room_id="room")
    client.reject_call("ctx", call_reject_reason=CallRejectReason.BUSY)
    client.reject_call("ctx", call_reject_reason="forbidden")
    for parsed in callsteer.parse_events(b"[]"):
        if isinstance(parsed, callsteer.ParticipantsUpdated):
            print(parsed.sequence_number, [p.identifier.raw_id for p in parsed.participants])
        elif isinstance(parsed, callsteer.IncomingCall):
            print(parsed.incoming_call_context, parsed.from_)
    got = client.event_processor.wait_for_event("CallDisconnected", call_connection_id=call_id)
    call.hang_up(is_for_everyone=True)
    try:
        client.create_call([], callback)
    except callsteer.InvalidArgumentError as e:
        print(e.field)
    except callsteer.ServiceError as e:
        print(e.status_code, e.error_code, e.request_id)
    return [str(ok), event.event_type, got.event_type, str(props.call_connection_state)]


async def async_usage(conn_str: str, callback: str) -> str | None:
    async with callsteer.aio.CallAutomationClient.from_connection_string(conn_str) as client:
        props = await client.create_call(CommunicationUserIdentifier("8:acs:alice"), callback)
        outcome = await props.wait_for_event_processor(timeout=5)
        call = client.get_call_connection(props.call_connection_id)
        added = await call.add_participant(CommunicationUserIdentifier("8:acs:bob"))
        await added.wait_for_event_processor()
        participants = [p async for p in call.list_participants()]
        event = await client.event_processor.wait_for_event("CallConnected", timeout=1)
        await call.hang_up(True)
        print(outcome.succeeded, len(participants), event.id)
        return added.operation_context


def verify_usage(authorization: str | None, body: bytes) -> list[str]:
    verifier = callsteer.CallbackVerifier(
        "aud", issuer="https://issuer.example", jwks_url="https://issuer.example/keys"
    )
    try:
        events = verifier.verify_and_parse(authorization, body)
    except callsteer.AuthenticationError as e:
        return [e.kind]
    return [e.event_type for e in events] + [verifier.audience, verifier.issuer, verifier.jwks_url]


async def async_verify_usage(authorization: str | None, body: str) -> int:
    verifier = callsteer.aio.CallbackVerifier("aud")
    events = await verifier.verify_and_parse(authorization, body)
    return len(events)
