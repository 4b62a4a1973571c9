"""Callback JWT verification through the binding: the emulator's test tokens (one valid, one per
way a token can be bad) against `CallbackVerifier` (sync and asyncio) and the listener."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

import callsteer
import callsteer.aio
import pytest
from callsteer import AuthenticationError, CallConnected, EventParseError
from harness import Emulator

AUDIENCE = "11111111-2222-3333-4444-555555555555"

BODY = json.dumps(
    [
        {
            "id": "evt-1",
            "source": "calling/callConnections/call-1",
            "type": "Microsoft.Communication.CallConnected",
            "specversion": "1.0",
            "time": "2026-01-01T00:00:00Z",
            "data": {
                "callConnectionId": "call-1",
                "serverCallId": "server-1",
                "correlationId": "corr-1",
                "operationContext": "ctx-1",
            },
        }
    ]
)

# Each bad token and what the refusal must say.
BAD: list[tuple[str, str]] = [
    ("forgedSignature", "signature is invalid"),
    ("expired", "expired"),
    ("wrongAudience", "audience"),
    ("wrongIssuer", "issuer"),
    ("algNone", "not RS256"),
    ("hs256PublicKey", "not RS256"),
    ("unknownKid", "kid"),
]


@pytest.fixture(scope="module")
def tokens() -> Any:
    emulator = Emulator()
    try:
        yield emulator.admin("POST", "/emulator/test-tokens", {"audience": AUDIENCE})
    finally:
        emulator.stop()


def verifier(tokens: Any) -> callsteer.CallbackVerifier:
    return callsteer.CallbackVerifier(
        tokens["audience"], issuer=tokens["issuer"], jwks_url=tokens["jwksUrl"]
    )


def assert_connected(events: list[callsteer.CallAutomationEvent]) -> None:
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, CallConnected)
    assert event.call_connection_id == "call-1"
    assert event.operation_context == "ctx-1"


def test_options_are_kept(tokens: Any) -> None:
    v = verifier(tokens)
    assert (v.audience, v.issuer, v.jwks_url) == (
        AUDIENCE,
        tokens["issuer"],
        tokens["jwksUrl"],
    )
    assert AUDIENCE in repr(v)
    default = callsteer.CallbackVerifier(AUDIENCE)
    assert default.issuer == "https://acscallautomation.communication.azure.com"
    assert default.jwks_url == default.issuer + "/calling/keys"
    assert callsteer.aio.CallbackVerifier(AUDIENCE, issuer="https://x.test").jwks_url == (
        "https://x.test/calling/keys"
    )


def test_valid_token_is_accepted_and_the_body_parsed(tokens: Any) -> None:
    header = "Bearer " + tokens["tokens"]["valid"]
    assert_connected(verifier(tokens).verify_and_parse(header, BODY))
    assert_connected(verifier(tokens).verify_and_parse(header, BODY.encode()))
    assert_connected(verifier(tokens).verify_and_parse(header, json.loads(BODY)))


@pytest.mark.parametrize("name,why", BAD, ids=[b[0] for b in BAD])
def test_bad_token_is_refused_saying_why(tokens: Any, name: str, why: str) -> None:
    token = tokens["tokens"][name]
    with pytest.raises(AuthenticationError) as info:
        verifier(tokens).verify_and_parse("Bearer " + token, BODY)
    assert info.value.kind == "Auth"
    assert why in str(info.value), str(info.value)
    assert token not in str(info.value) and token not in repr(info.value)


@pytest.mark.parametrize(
    "header,why",
    [
        (None, "missing Authorization header"),
        ("", "not a Bearer token"),
        ("Basic dXNlcjpwdw==", "not a Bearer token"),
        ("Bearer not-a-jwt", "not a JWS"),
    ],
)
def test_missing_or_malformed_header_is_refused(tokens: Any, header: Any, why: str) -> None:
    with pytest.raises(AuthenticationError, match=why):
        verifier(tokens).verify_and_parse(header, BODY)


def test_valid_token_with_a_bad_body_is_an_event_parse_error(tokens: Any) -> None:
    with pytest.raises(EventParseError):
        verifier(tokens).verify_and_parse("Bearer " + tokens["tokens"]["valid"], b"{not json")


def test_async_verifier(tokens: Any) -> None:
    async def main() -> None:
        v = callsteer.aio.CallbackVerifier(
            tokens["audience"], issuer=tokens["issuer"], jwks_url=tokens["jwksUrl"]
        )
        assert_connected(await v.verify_and_parse("Bearer " + tokens["tokens"]["valid"], BODY))
        for name, why in BAD:
            with pytest.raises(AuthenticationError, match=why):
                await v.verify_and_parse("Bearer " + tokens["tokens"][name], BODY)
        with pytest.raises(AuthenticationError, match="missing"):
            await v.verify_and_parse(None, BODY)

    asyncio.run(main())


def post(url: str, authorization: str | None) -> int:
    headers = {"content-type": "application/json"}
    if authorization is not None:
        headers["authorization"] = authorization
    request = urllib.request.Request(url, data=BODY.encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def test_listener_takes_the_verifier_options(tokens: Any) -> None:
    client = callsteer.CallAutomationClient.from_connection_string(
        "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0"
    )
    with client.start_callback_listener(
        audience=tokens["audience"], issuer=tokens["issuer"], jwks_url=tokens["jwksUrl"]
    ) as listener:
        url = listener.url + "/events"
        assert post(url, None) == 401
        for name, _ in BAD:
            assert post(url, "Bearer " + tokens["tokens"][name]) == 401, name
        assert post(url, "Bearer " + tokens["tokens"]["valid"]) == 200
        event = client.event_processor.wait_for_event("CallConnected", timeout=5)
        assert event.call_connection_id == "call-1"
    with pytest.raises(callsteer.InvalidArgumentError, match="audience"):
        client.start_callback_listener(issuer=tokens["issuer"])
