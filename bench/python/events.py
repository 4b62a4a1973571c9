"""One round of the Python event-parsing benchmark; prints one JSON line.

    python events.py CONTENDER BODY_FILE STREAM_FILE SECONDS

CONTENDER: callsteer (typed events from ``callsteer.parse_events``) | handwritten (``json.loads``
and a dict walk, what users of the official SDK write: it has no event models).
Both read the same fields of every event: type, call connection id, operation context, result
code and, for ParticipantsUpdated, every participant's raw id.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable


parse_events: Callable[[bytes], Any] = json.loads  # replaced by callsteer's in main()


def handwritten(body: bytes) -> int:
    n = 0
    for event in json.loads(body):
        kind = event["type"].rsplit(".", 1)[-1]
        data = event["data"]
        n += len(kind) + len(data.get("callConnectionId") or "")
        n += len(data.get("operationContext") or "")
        result = data.get("resultInformation")
        if result is not None:
            n += result.get("code") or 0
        if kind == "ParticipantsUpdated":
            for participant in data["participants"]:
                n += len(participant["identifier"]["rawId"])
    return n


def typed(body: bytes) -> int:
    n = 0
    for event in parse_events(body):
        kind = event.event_type
        n += len(kind) + len(event.call_connection_id or "")
        n += len(event.operation_context or "")
        result = event.result_information
        if result is not None:
            n += result.code or 0
        if kind == "ParticipantsUpdated":
            for participant in event.participants:
                n += len(participant.identifier.raw_id)
    return n


def rate(seconds: float, f: Callable[[], int]) -> float:
    until = time.perf_counter() + seconds / 5
    while time.perf_counter() < until:
        f()
    started = time.perf_counter()
    items = 0
    while time.perf_counter() - started < seconds:
        items += f()
    return items / (time.perf_counter() - started)


def main() -> None:
    contender, body_file, stream_file, seconds_text = sys.argv[1:5]
    seconds = float(seconds_text)
    with open(body_file, "rb") as f:
        body = f.read()
    with open(stream_file, "rb") as f:
        stream = [line for line in f.read().split(b"\n") if line]
    global parse_events
    if contender == "callsteer":
        import callsteer

        parse_events = callsteer.parse_events
    parse: Callable[[bytes], Any] = typed if contender == "callsteer" else handwritten
    per_body = len(json.loads(body))

    def whole() -> int:
        parse(body)
        return per_body

    def singles() -> int:
        for one in stream:
            parse(one)
        return len(stream)

    result = {
        "contender": contender,
        "body_events_per_s": rate(seconds, whole),
        "stream_events_per_s": rate(seconds, singles),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
