"""Footprint of the Python packages; prints one JSON line.

python footprint.py import callsteer|official     time of the first import, in a fresh process
python footprint.py memory FILE                   RSS of a process whose callsteer event
                                                  processor tracks one call per line of FILE
"""

from __future__ import annotations

import json
import sys
import time


def rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    what = sys.argv[1]
    if what == "import":
        started = time.perf_counter()
        if sys.argv[2] == "callsteer":
            import callsteer  # noqa: F401
        else:
            import azure.communication.callautomation  # noqa: F401
        print(json.dumps({"import_ms": (time.perf_counter() - started) * 1000}))
        return
    import callsteer

    with open(sys.argv[2], "rb") as f:
        bodies = [line for line in f.read().split(b"\n") if line]
    processor = callsteer.CallAutomationClient.from_connection_string(
        "endpoint=http://127.0.0.1:9/;accesskey=YmVuY2g="
    ).event_processor
    before = rss_bytes()
    for body in bodies:
        processor.process_events(body)
    after = rss_bytes()
    print(
        json.dumps(
            {
                "calls": len(bodies),
                "rss_before": before,
                "rss_after": after,
                "bytes_per_call": (after - before) / len(bodies),
            }
        )
    )


if __name__ == "__main__":
    main()
