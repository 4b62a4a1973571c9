"""The built-in callback listener's secure defaults through the binding: Event Grid deliveries
(IncomingCall) need the URL secret or an explicit opt-in once callbacks are verified; bad
options name their field; and the listener closes from asyncio (`aclose`, `async with`)."""

from __future__ import annotations

import asyncio
import socket
import urllib.error
import urllib.request
from pathlib import Path

import callsteer
import callsteer.aio
import pytest

AUDIENCE = "11111111-2222-3333-4444-555555555555"
# Never fetched: Event Grid bodies are decided before any JWT is looked at.
JWKS_URL = "http://127.0.0.1:9/calling/keys"
INCOMING_CALL = (
    Path(__file__).resolve().parents[2] / "core/tests/event_samples/IncomingCall_eventgrid.json"
).read_bytes()
SECRET = "s3cr&t value"


def client() -> callsteer.CallAutomationClient:
    return callsteer.CallAutomationClient.from_connection_string(
        "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0"
    )


def post(url: str, body: bytes = INCOMING_CALL) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as e:
        return int(e.code), e.read().decode()


def test_event_grid_needs_the_secret_or_an_explicit_opt_in() -> None:
    c = client()
    with c.start_callback_listener(audience=AUDIENCE, jwks_url=JWKS_URL) as listener:
        assert post(listener.url + "/eventgrid")[0] == 401
    with c.start_callback_listener(
        audience=AUDIENCE, jwks_url=JWKS_URL, event_grid_secret=SECRET
    ) as listener:
        for query in ["", "?secret=", "?secret=s3cr"]:
            status, text = post(listener.url + "/eventgrid" + query)
            assert status == 401, query
            assert "s3cr" not in text
        assert "s3cr" not in repr(listener)
        assert post(listener.url + "/eventgrid?secret=s3cr%26t%20value")[0] == 200
        event = c.event_processor.wait_for_event("IncomingCall", timeout=5)
        assert isinstance(event, callsteer.IncomingCall)
    with c.start_callback_listener(
        audience=AUDIENCE, jwks_url=JWKS_URL, allow_unauthenticated_event_grid=True
    ) as listener:
        assert post(listener.url + "/eventgrid")[0] == 200


@pytest.mark.parametrize(
    "options,field",
    [
        ({"max_connections": 0}, "max_connections"),
        ({"event_grid_secret": ""}, "event_grid_secret"),
        ({"audience": ""}, "audience"),
    ],
)
def test_bad_listener_options_name_their_field(options: dict[str, object], field: str) -> None:
    with pytest.raises(callsteer.InvalidArgumentError) as info:
        client().start_callback_listener(**options)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize("audience", ["", "  "])
def test_an_empty_audience_is_refused(audience: str) -> None:
    for cls in (callsteer.CallbackVerifier, callsteer.aio.CallbackVerifier):
        with pytest.raises(callsteer.InvalidArgumentError) as info:
            cls(audience)
        assert info.value.field == "audience"


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except OSError:
        return True
    return False


def test_the_listener_closes_from_asyncio() -> None:
    async def main() -> None:
        c = callsteer.aio.CallAutomationClient.from_connection_string(
            "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0"
        )
        listener = c.start_callback_listener()
        assert isinstance(listener, callsteer.aio.CallbackListener)
        status, _ = await asyncio.to_thread(post, listener.url + "/eventgrid")
        assert status == 200
        await listener.aclose()
        assert refused(listener.port)
        await listener.aclose()  # idempotent
        listener.close()

        async with c.start_callback_listener() as inside:
            status, _ = await asyncio.to_thread(post, inside.url + "/eventgrid")
            assert status == 200
        assert refused(inside.port)

    asyncio.run(main())
