"""Bad input raises the right exception naming the field; service and auth errors map to their
classes; no Rust panic reaches Python as anything but a CallAutomationError."""

from __future__ import annotations

import pickle
from typing import Any

import callsteer
import pytest
from callsteer import (
    CallAutomationError,
    CommunicationUserIdentifier,
    InvalidArgumentError,
    PhoneNumberIdentifier,
)
from harness import Emulator

CLIENT = callsteer.CallAutomationClient.from_connection_string(
    "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0"
)
CALL = CLIENT.get_call_connection("call-1")
USER = CommunicationUserIdentifier("8:acs:res_alice")
CB = "https://app.example/events"

CASES: list[tuple[str, Any, str]] = [
    (
        "phone target without caller id",
        lambda: CLIENT.create_call(PhoneNumberIdentifier("+16041234567"), CB),
        "source_caller_id_number",
    ),
    (
        "phone target not E.164",
        lambda: CLIENT.create_call(
            PhoneNumberIdentifier("12345"), CB, source_caller_id_number="+16044561234"
        ),
        "target_participant",
    ),
    (
        "caller id not E.164",
        lambda: CLIENT.create_call(USER, CB, source_caller_id_number="0800"),
        "source_caller_id_number",
    ),
    ("callback not a URL", lambda: CLIENT.create_call(USER, "not a url"), "callback_url"),
    ("str target", lambda: CLIENT.create_call("8:acs:res_alice", CB), "target_participant"),
    ("empty group", lambda: CLIENT.create_group_call([], CB), "target_participants"),
    (
        "bad group member",
        lambda: CLIENT.create_group_call([USER, 42], CB),
        "target_participants[1]",
    ),
    ("no locator", lambda: CLIENT.connect_call(CB), "call_locator"),
    (
        "two locators",
        lambda: CLIENT.connect_call(CB, server_call_id="a", room_id="b"),
        "call_locator",
    ),
    (
        "locator object and keyword",
        lambda: CLIENT.connect_call(
            CB, call_locator=callsteer.ServerCallLocator("a"), server_call_id="b"
        ),
        "call_locator",
    ),
    ("empty incoming context", lambda: CLIENT.answer_call("", CB), "incoming_call_context"),
    (
        "reject reason",
        lambda: CLIENT.reject_call("ctx", call_reject_reason="maybe"),
        "call_reject_reason",
    ),
    ("empty call id", lambda: CLIENT.get_call_connection(""), "call_connection_id"),
    (
        "timeout 0",
        lambda: CALL.add_participant(USER, invitation_timeout=0),
        "invitation_timeout",
    ),
    (
        "timeout 500",
        lambda: CALL.add_participant(USER, invitation_timeout=500),
        "invitation_timeout",
    ),
    (
        "add phone without caller id",
        lambda: CALL.add_participant(PhoneNumberIdentifier("+16041234567")),
        "source_caller_id_number",
    ),
    (
        "sip header name",
        lambda: CALL.add_participant(USER, sip_headers={"Bad-Header": "v"}),
        "sip_headers",
    ),
    (
        "sip header value type",
        lambda: CALL.add_participant(USER, sip_headers={"X-MS-Custom-a": 1}),
        "sip_headers",
    ),
    (
        "voip headers not a dict",
        lambda: CALL.add_participant(USER, voip_headers=["a"]),
        "voip_headers",
    ),
    (
        "operation callback",
        lambda: CALL.remove_participant(USER, operation_callback_url="ftp://x"),
        "operation_callback_url",
    ),
    (
        "mute a phone number",
        lambda: CALL.mute_participant(PhoneNumberIdentifier("+16041234567")),
        "target_participant",
    ),
    (
        "transferee",
        lambda: CALL.transfer_call_to_participant(USER, transferee=PhoneNumberIdentifier("")),
        "transferee",
    ),
    ("cancel empty invitation", lambda: CALL.cancel_add_participant_operation(""), "invitation_id"),
    (
        "operation context too long",
        lambda: CALL.remove_participant(USER, operation_context="x" * 5001),
        "operation_context",
    ),
    ("credential", lambda: callsteer.CallAutomationClient("http://127.0.0.1:9/", 42), "credential"),
    (
        "access key",
        lambda: callsteer.CallAutomationClient("http://127.0.0.1:9/", "not base64!"),
        "credential",
    ),
    (
        "connection string",
        lambda: callsteer.CallAutomationClient.from_connection_string("nonsense"),
        "conn_str",
    ),
    ("endpoint", lambda: callsteer.CallAutomationClient("http://", "c2VjcmV0"), "endpoint"),
    ("wait timeout", lambda: CLIENT.event_processor.wait_for_event(timeout=-1), "timeout"),
    (
        "invite sip headers on create",
        lambda: CLIENT.create_call(
            callsteer.CallInvite(USER, sip_headers={"User-To-User": "uui"}), CB
        ),
        "sip_headers",
    ),
    (
        "invite voip headers on create",
        lambda: CLIENT.create_call(callsteer.CallInvite(USER, voip_headers={"k": "v"}), CB),
        "voip_headers",
    ),
    (
        "redirect with a caller id",
        lambda: CLIENT.redirect_call(
            "ctx",
            callsteer.CallInvite(
                PhoneNumberIdentifier("+16041234567"), source_caller_id_number="+16044561234"
            ),
        ),
        "source_caller_id_number",
    ),
    (
        "redirect with a display name",
        lambda: CLIENT.redirect_call("ctx", callsteer.CallInvite(USER, source_display_name="Desk")),
        "source_display_name",
    ),
    (
        "redirect with headers",
        lambda: CLIENT.redirect_call("ctx", callsteer.CallInvite(USER, sip_headers={"X-a": "b"})),
        "sip_headers",
    ),
    (
        "invite with a caller id in a group",
        lambda: CLIENT.create_group_call(
            [USER, callsteer.CallInvite(USER, source_display_name="Desk")], CB
        ),
        "target_participants[1]",
    ),
    (
        "client source not a user",
        lambda: callsteer.CallAutomationClient.from_connection_string(
            "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0",
            source=PhoneNumberIdentifier("+16041234567"),
        ).create_call(USER, CB),
        "source",
    ),
]


@pytest.mark.parametrize("name,call,field", CASES, ids=[c[0] for c in CASES])
def test_bad_input_names_the_field(name: str, call: Any, field: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        call()
    error = info.value
    assert error.field == field, (error.field, str(error))
    assert isinstance(error, ValueError) and isinstance(error, CallAutomationError)
    assert error.kind == "InvalidArgument"
    assert f"`{field}`" in str(error)


def test_wrong_access_key_is_a_401(emulator: Emulator) -> None:
    endpoint = emulator.endpoint
    client = callsteer.CallAutomationClient(endpoint, "d3Jvbmcga2V5")  # "wrong key"
    with pytest.raises(callsteer.ServiceError) as info:
        client.create_call(USER, CB)
    assert info.value.status_code == 401
    assert isinstance(info.value, callsteer.AuthenticationError)
    assert "d3Jvbmcga2V5" not in str(info.value) and "d3Jvbmcga2V5" not in repr(client)


def test_service_error_attributes_and_pickling(emulator: Emulator) -> None:
    client = callsteer.CallAutomationClient.from_connection_string(emulator.connection_string)
    with pytest.raises(callsteer.ServiceError) as info:
        client.get_call_connection("no-such-call").get_call_properties()
    error = info.value
    assert error.status_code == 404 and error.error_code and error.kind == "Service"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and copy.status_code == 404 and str(copy) == str(error)


def test_transport_error_and_timeout() -> None:
    with pytest.raises(callsteer.TransportError):
        CLIENT.create_call(USER, CB)  # nothing listens on port 9
    with pytest.raises(callsteer.OperationTimeoutError) as info:
        CLIENT.event_processor.wait_for_event("CallConnected", timeout=0.05)
    assert isinstance(info.value, TimeoutError)


def test_token_credential_errors_become_authentication_errors(emulator: Emulator) -> None:
    class Broken:
        def get_token(self, *scopes: str) -> Any:
            raise RuntimeError("no token today")

    client = callsteer.CallAutomationClient(emulator.endpoint, Broken())
    with pytest.raises(callsteer.AuthenticationError, match="no token today"):
        client.create_call(USER, CB)


def test_event_parse_error() -> None:
    with pytest.raises(callsteer.EventParseError) as info:
        callsteer.parse_events(b"{not json")
    assert info.value.kind == "EventParse"


WORST_BODIES: list[Any] = [
    b"",
    b"\xff\xfe\x00",
    b"[" * 200_000,
    b'{"a":' * 50_000,
    b"[" + b"{}," * 10_000 + b"{}]",
    b'[{"type": 1, "data": []}]',
    b'[{"type":"Microsoft.Communication.ParticipantsUpdated","data":{"callConnectionId":"c","participants":[{"identifier":{"kind":"phoneNumber","communicationUser":{"id":"x"}}}],"sequenceNumber":1e400}}]',
    b'[{"type":"Microsoft.Communication.AddParticipantSucceeded","data":{"callConnectionId":"\\ud800","participant":{"rawId":""}}}]',
    '[{"id": "\u0000", "type": "Microsoft.Communication.CallConnected", "data": {"callConnectionId": "\U0001f600"}}]',
    {"eventType": None},
    [None, 1, "x"],
    "9" * 100_000,
]


@pytest.mark.parametrize("body", WORST_BODIES, ids=range(len(WORST_BODIES)))
def test_worst_bodies_never_panic(body: Any) -> None:
    for parse in (callsteer.parse_events, CLIENT.event_processor.process_events):
        try:
            events = parse(body)
        except CallAutomationError:
            continue
        for event in events:
            repr(event)
            event.data  # noqa: B018
            event.to_cloud_event()


class Hostile:
    @property
    def raw_id(self) -> str:
        raise RuntimeError("boom")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("boom")

    __hash__ = object.__hash__


WORST_CALLS: list[Any] = [
    lambda: CLIENT.create_call(Hostile(), CB),
    lambda: CLIENT.create_call([Hostile()], CB),
    lambda: CLIENT.create_call(USER, CB, source_caller_id_number=Hostile()),
    lambda: CALL.add_participant(callsteer.CallInvite(Hostile()), invitation_timeout=1),
    lambda: CALL.transfer_call_to_participant(USER, sip_headers={"\ud800": "x"}),
    lambda: CLIENT.create_call(
        PhoneNumberIdentifier("+" + "1" * 100_000), "https://" + "a" * 100_000
    ),
    lambda: CLIENT.event_processor.wait_for_event(timeout=float("nan")),
    lambda: CLIENT.event_processor.wait_for_event(timeout=1e300),
    lambda: CLIENT.connect_call(CB, call_locator=Hostile()),
    lambda: callsteer.identifier_from_raw_id("\u0000:\u0000:\U0001f600" * 1000),
    lambda: callsteer.MicrosoftTeamsUserIdentifier("u", cloud="MARS"),
    lambda: USER == Hostile(),
]


@pytest.mark.parametrize("call", WORST_CALLS, ids=range(len(WORST_CALLS)))
def test_worst_calls_raise_only_ordinary_exceptions(call: Any) -> None:
    try:
        call()
    except CallAutomationError:
        pass
    except (TypeError, ValueError, RuntimeError, UnicodeError):
        # Python-level conversion errors (wrong type, lone surrogate, a hostile property).
        pass
    # A PanicException derives from BaseException only and would escape both clauses.
