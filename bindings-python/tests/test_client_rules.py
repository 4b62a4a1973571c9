"""The client rules every language shares (tests/vectors/client_rules.json), and a 2xx that is
never an error, against a real in-process HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import callsteer
import pytest
from callsteer import CommunicationUserIdentifier, InvalidArgumentError

VECTORS = json.loads(
    (Path(__file__).resolve().parents[2] / "tests" / "vectors" / "client_rules.json").read_text()
)
USER = CommunicationUserIdentifier("8:acs:res_alice")
CB = "https://app.example/events"
KEY = "c2VjcmV0"


class Service:
    """Records each request and answers with the next scripted (status, body), else 204."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        self.replies: list[tuple[int, str]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                service.requests.append((self.command, self.path, json.loads(raw or b"null")))
                status, body = service.replies.pop(0) if service.replies else (204, "")
                data = body.encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def connection_string(self) -> str:
        return f"endpoint=http://127.0.0.1:{self.server.server_port}/;accesskey={KEY}"


@pytest.fixture
def service() -> Iterator[Service]:
    s = Service()
    yield s
    s.server.shutdown()


FIELD_IN_PYTHON = {"endpoint": "endpoint", "callRejectReason": "call_reject_reason"}


@pytest.mark.parametrize("case", VECTORS["endpoints"], ids=lambda c: repr(c["input"]))
def test_endpoint_vectors(case: dict[str, Any]) -> None:
    if "url" in case:
        callsteer.CallAutomationClient(case["input"], KEY)
    else:
        with pytest.raises(InvalidArgumentError) as info:
            callsteer.CallAutomationClient(case["input"], KEY)
        assert info.value.field == FIELD_IN_PYTHON[case["error"]]


@pytest.mark.parametrize("case", VECTORS["call_reject_reasons"], ids=lambda c: repr(c["input"]))
def test_reject_reason_vectors(service: Service, case: dict[str, Any]) -> None:
    client = callsteer.CallAutomationClient.from_connection_string(service.connection_string)
    if "value" in case:
        client.reject_call("ctx", call_reject_reason=case["input"])
        assert service.requests[-1][2]["callRejectReason"] == case["value"]
    else:
        with pytest.raises(InvalidArgumentError) as info:
            client.reject_call("ctx", call_reject_reason=case["input"])
        assert info.value.field == FIELD_IN_PYTHON[case["error"]]
        assert service.requests == []


@pytest.mark.parametrize("case", VECTORS["clouds"], ids=lambda c: repr(c["input"]))
def test_cloud_vectors(case: dict[str, Any]) -> None:
    if "value" in case:
        user = callsteer.MicrosoftTeamsUserIdentifier("u", cloud=case["input"])
        assert user.properties["cloud"] == case["value"].upper()
    else:
        with pytest.raises(InvalidArgumentError) as info:
            callsteer.MicrosoftTeamsUserIdentifier("u", cloud=case["input"])
        assert info.value.field == "cloud"


def test_client_source_is_create_source_and_answer_answered_by(service: Service) -> None:
    client = callsteer.CallAutomationClient.from_connection_string(
        service.connection_string, source=CommunicationUserIdentifier("8:acs:res_bot")
    )
    props = '{"callConnectionId":"c-1"}'
    service.replies = [(201, props), (200, props)]
    client.create_call(USER, CB)
    client.answer_call("ctx", CB)
    assert service.requests[0][2]["source"] == {"id": "8:acs:res_bot"}
    assert service.requests[1][2]["answeredBy"] == {"id": "8:acs:res_bot"}


@pytest.mark.parametrize(
    "body",
    [
        '{"callConnectionId":"c-1","targets":[{"rawId":"8:acs:x","communicationUser":{"id":"8:acs:x"},'
        '"phoneNumber":{"value":"+16041234567"}}],"callConnectionState":5}',
        '{"callConnectionId":"c-1","targets":[{"rawId":',
    ],
    ids=["odd identifier", "cut short"],
)
def test_accepted_create_is_a_result(service: Service, body: str) -> None:
    client = callsteer.CallAutomationClient.from_connection_string(service.connection_string)
    service.replies = [(201, body)]
    props = client.create_call(USER, CB)
    assert props.call_connection_id == "c-1"
    for target in props.targets:
        assert isinstance(target, callsteer.UnknownIdentifier)
        assert target.raw_id == "8:acs:x"
