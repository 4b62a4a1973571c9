"""Events: one malformed event never loses its batch-mates (it arrives as ``Unknown`` with
``parse_error``), and the wait filter follows the core's rule, checked on the shared vector
``tests/vectors/event-filters.json`` that the Rust and Node tests read too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import callsteer
import pytest

VECTOR = json.loads(
    (Path(__file__).resolve().parents[2] / "tests" / "vectors" / "event-filters.json").read_text()
)

MIXED = [
    {
        "id": "ok-1",
        "type": "Microsoft.Communication.CallConnected",
        "data": {"callConnectionId": "c1", "operationContext": "create"},
    },
    {
        "id": "bad-code",
        "type": "Microsoft.Communication.CallConnected",
        "data": {"callConnectionId": "c2", "resultInformation": {"code": "200"}},
    },
    {
        "id": "bad-roster",
        "type": "Microsoft.Communication.ParticipantsUpdated",
        "data": {"callConnectionId": "c1", "participants": {"not": "an array"}},
    },
    {
        "id": "ok-2",
        "type": "Microsoft.Communication.CallDisconnected",
        "data": {"callConnectionId": "c1"},
    },
]


def processor() -> Any:
    client = callsteer.CallAutomationClient.from_connection_string(
        "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0"
    )
    return client.event_processor


def test_parse_events_keeps_the_valid_events_of_a_body_with_a_bad_one() -> None:
    events = callsteer.parse_events(json.dumps(MIXED))
    assert [e.id for e in events] == ["ok-1", "bad-code", "bad-roster", "ok-2"]
    assert isinstance(events[0], callsteer.CallConnected)
    assert isinstance(events[3], callsteer.CallDisconnected)
    bad = events[1]
    assert isinstance(bad, callsteer.Unknown)
    assert bad.event_type == "CallConnected"
    assert bad.cloud_event_type == "Microsoft.Communication.CallConnected"
    assert bad.data == MIXED[1]["data"]
    assert bad.parse_error is not None
    assert bad.parse_error["path"] == "[1].data.resultInformation.code"
    assert "integer" in bad.parse_error["message"]
    assert "parse_error" in repr(bad)
    assert events[2].parse_error["path"] == "[2].data.participants"  # type: ignore[attr-defined]
    assert events[0].parse_error is None  # type: ignore[attr-defined]


def test_process_events_returns_the_good_events_instead_of_raising() -> None:
    p = processor()
    delivered = p.process_events(MIXED)
    assert [e.id for e in delivered] == ["ok-1", "bad-code", "bad-roster", "ok-2"]
    got = p.wait_for_event("CallConnected", call_connection_id="c1", timeout=0)
    assert got.id == "ok-1"
    got = p.wait_for_event("CallDisconnected", call_connection_id="c1", timeout=0)
    assert got.id == "ok-2"
    # Nothing readable is still an error.
    with pytest.raises(callsteer.EventParseError):
        p.process_events([MIXED[1], MIXED[2]])


CASES = VECTOR["cases"]


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_shared_filter_vector(case: dict[str, Any]) -> None:
    p = processor()
    p.process_events([VECTOR["events"][case["event"]]])
    wanted = case["filter"]
    try:
        p.wait_for_event(
            wanted.get("event_type"),
            call_connection_id=wanted.get("call_connection_id"),
            operation_context=wanted.get("operation_context"),
            timeout=0,
        )
        matched = True
    except callsteer.OperationTimeoutError:
        matched = False
    assert matched == case["matches"], case
