"""Issue 3's acceptance: the official azure-communication-callautomation SDK completes create /
add / transfer / remove / hang up against the emulator without an error.

The official SDK always speaks TLS (an `http://` endpoint fails with WRONG_VERSION_NUMBER), so
the emulator runs with `--tls` and requests trusts its generated CA through
`REQUESTS_CA_BUNDLE`; authentication is the SDK's own HMAC with the emulator's access key."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
from harness import Emulator, Receiver

callautomation = pytest.importorskip("azure.communication.callautomation")


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def ids(call: Any) -> list[str]:
    return sorted(p.identifier.raw_id for p in call.list_participants())


@pytest.fixture
def tls_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    process = Emulator("--tls")
    assert process.ca_pem, "the emulator printed no TLS_CA_PEM line"
    assert process.connection_string.startswith("endpoint=https://")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", process.ca_pem)
    try:
        yield process
    finally:
        process.stop()


def test_official_sdk_create_add_transfer_remove_hang_up(
    tls_emulator: Emulator, receiver: Receiver
) -> None:
    emulator = tls_emulator
    emulator.admin("POST", "/emulator/event-subscriptions", {"url": receiver.url("/eventgrid")})
    sdk = callautomation
    client = sdk.CallAutomationClient.from_connection_string(emulator.connection_string)
    alice = sdk.CommunicationUserIdentifier("8:acs:res_alice")
    bob = sdk.CommunicationUserIdentifier("8:acs:res_bob")
    carol = sdk.CommunicationUserIdentifier("8:acs:res_carol")
    pstn = sdk.PhoneNumberIdentifier("+16041234567")

    props = client.create_call(alice, receiver.url("/events"), operation_context="official")
    call = client.get_call_connection(props.call_connection_id)
    wait_until(lambda: call.get_call_properties().call_connection_state == "connected", "connected")

    added = call.add_participant(bob, operation_context="add-bob", voip_headers={"h": "v"})
    assert added.invitation_id
    wait_until(lambda: "8:acs:res_bob" in ids(call), "bob joined")
    added_pstn = call.add_participant(
        pstn,
        source_caller_id_number=sdk.PhoneNumberIdentifier("+16044561234"),
        sip_headers={"User-To-User": "uui", "X-MS-Custom-name": "value"},
        invitation_timeout=30,
    )
    assert added_pstn.invitation_id
    wait_until(lambda: "4:+16041234567" in ids(call), "pstn joined")

    transferred = call.transfer_call_to_participant(
        carol, transferee=bob, operation_context="move-bob"
    )
    assert transferred.operation_context == "move-bob"
    wait_until(lambda: "8:acs:res_bob" not in ids(call), "bob transferred away")

    removed = call.remove_participant(pstn, operation_context="rm-pstn")
    assert removed.operation_context == "rm-pstn"
    wait_until(lambda: "4:+16041234567" not in ids(call), "pstn removed")

    call.hang_up(is_for_everyone=True)
    for expected in (
        "CallConnected",
        "AddParticipantSucceeded",
        "CallTransferAccepted",
        "RemoveParticipantSucceeded",
        "CallDisconnected",
    ):
        found = receiver.wait_for(0, lambda d, t=expected: d.event_type == t)
        assert found is not None, (expected, receiver.log)


def test_official_script_runs_unchanged_on_the_official_sdk(
    tls_emulator: Emulator, receiver: Receiver, tmp_path: Path
) -> None:
    from test_dropin import SCRIPT, run_script

    out = run_script(SCRIPT.read_text(), tls_emulator, receiver, tmp_path)
    assert "DONE" in out


def test_official_sync_and_aio_clients_get_a_participant(
    tls_emulator: Emulator, receiver: Receiver
) -> None:
    """Issue 18: the official aio SDK signs `…/participants/8%3Aacs%3A…` while aiohttp sends
    `8:acs:…`; the emulator must verify the signature for either encoding, as the service does.
    The sync client (requests) sends what it signs; both must get the participant."""
    import asyncio

    aio = pytest.importorskip("azure.communication.callautomation.aio")
    pytest.importorskip("aiohttp")
    assert tls_emulator.ca_pem
    sdk = callautomation
    user = sdk.CommunicationUserIdentifier("8:acs:res_getp_alice")
    phone = sdk.PhoneNumberIdentifier("+16041234567")
    client = sdk.CallAutomationClient.from_connection_string(tls_emulator.connection_string)
    props = client.create_call(user, receiver.url("/events"))
    call = client.get_call_connection(props.call_connection_id)
    wait_until(lambda: call.get_call_properties().call_connection_state == "connected", "connected")
    call.add_participant(phone, source_caller_id_number=sdk.PhoneNumberIdentifier("+16044561234"))
    wait_until(lambda: "4:+16041234567" in ids(call), "phone joined")

    assert call.get_participant(user).identifier.raw_id == "8:acs:res_getp_alice"
    assert call.get_participant(phone).identifier.raw_id == "4:+16041234567"

    async def with_aio() -> list[str]:
        # azure-core's aiohttp transport trusts the emulator's CA through connection_verify.
        async with aio.CallAutomationClient.from_connection_string(
            tls_emulator.connection_string, connection_verify=tls_emulator.ca_pem
        ) as aclient:
            aconn = aclient.get_call_connection(props.call_connection_id)
            return [(await aconn.get_participant(p)).identifier.raw_id for p in (user, phone)]

    assert asyncio.run(with_aio()) == ["8:acs:res_getp_alice", "4:+16041234567"]
    call.hang_up(is_for_everyone=True)
