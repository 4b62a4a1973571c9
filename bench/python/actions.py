"""One round of the action benchmark for one Python contender; prints one JSON line.

    python actions.py CONTENDER OP INFLIGHT SECONDS WARMUP CONNECTION_STRING CALLBACK_URL

CONTENDER: callsteer | callsteer-aio | official | official-aio
OP: sequence (create a call, add a participant, remove it, hang up) | get (call properties)
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

TARGET = "8:acs:bench_target"
ADDED = "8:acs:bench_added"


def endpoint_and_key(conn: str) -> tuple[str, str]:
    parts = dict(p.split("=", 1) for p in conn.split(";") if "=" in p)
    # No trailing slash: the SDK signs the endpoint minus its scheme as the host.
    return parts["endpoint"].rstrip("/"), parts["accesskey"]


def percentiles(latencies_us: list[float]) -> tuple[float, float]:
    if not latencies_us:
        return float("nan"), float("nan")
    ordered = sorted(latencies_us)

    def at(q: float) -> float:
        return ordered[min(round((len(ordered) - 1) * q), len(ordered) - 1)] / 1000.0

    return at(0.50), at(0.99)


def sync_clients(contender: str, conn: str) -> tuple[Any, Any]:
    """(client, identifier constructor) of a synchronous contender."""
    if contender == "callsteer":
        import callsteer

        return callsteer.CallAutomationClient.from_connection_string(
            conn
        ), callsteer.CommunicationUserIdentifier
    from azure.communication.callautomation import (
        CallAutomationClient,
        CommunicationUserIdentifier,
    )
    from azure.core.credentials import AzureKeyCredential

    # from_connection_string drops the scheme and forces https; the constructor keeps http.
    endpoint, key = endpoint_and_key(conn)
    return CallAutomationClient(endpoint, AzureKeyCredential(key)), CommunicationUserIdentifier


def run_sync(
    contender: str, op: str, inflight: int, seconds: float, warmup: float, conn: str, cb: str
) -> dict[str, Any]:
    client, user = sync_clients(contender, conn)
    target, added = user(TARGET), user(ADDED)

    def sequence() -> None:
        props = client.create_call(target, cb)
        call = client.get_call_connection(props.call_connection_id)
        call.add_participant(added)
        call.remove_participant(added)
        call.hang_up(False)

    once: Callable[[], None] = sequence
    if op == "get":
        call = client.get_call_connection(client.create_call(target, cb).call_connection_id)

        def once() -> None:
            call.get_call_properties()

    def worker(until: float, record: list[float] | None) -> None:
        while time.perf_counter() < until:
            t = time.perf_counter()
            once()
            if record is not None:
                record.append((time.perf_counter() - t) * 1e6)

    results: list[list[float]] = [[] for _ in range(inflight)]
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=inflight) as pool:
        until = time.perf_counter() + warmup
        for f in [pool.submit(worker, until, None) for _ in range(inflight)]:
            f.result()
        started = time.perf_counter()
        until = started + seconds
        futures = [pool.submit(worker, until, results[i]) for i in range(inflight)]
        for f in futures:
            f.result()
        elapsed = time.perf_counter() - started
    with lock:
        latencies = [x for r in results for x in r]
    return summary(contender, op, inflight, latencies, elapsed)


def async_clients(contender: str, conn: str) -> tuple[Any, Any]:
    if contender == "callsteer-aio":
        import callsteer
        import callsteer.aio

        return callsteer.aio.CallAutomationClient.from_connection_string(
            conn
        ), callsteer.CommunicationUserIdentifier
    from azure.communication.callautomation import CommunicationUserIdentifier
    from azure.communication.callautomation.aio import CallAutomationClient
    from azure.core.credentials import AzureKeyCredential

    endpoint, key = endpoint_and_key(conn)
    return CallAutomationClient(endpoint, AzureKeyCredential(key)), CommunicationUserIdentifier


async def run_async(
    contender: str, op: str, inflight: int, seconds: float, warmup: float, conn: str, cb: str
) -> dict[str, Any]:
    client, user = async_clients(contender, conn)
    target, added = user(TARGET), user(ADDED)

    async def sequence() -> None:
        props = await client.create_call(target, cb)
        call = client.get_call_connection(props.call_connection_id)
        await call.add_participant(added)
        await call.remove_participant(added)
        await call.hang_up(False)

    once: Callable[[], Any] = sequence
    if op == "get":
        created = await client.create_call(target, cb)
        call = client.get_call_connection(created.call_connection_id)

        async def once() -> None:
            await call.get_call_properties()

    async def worker(until: float, record: list[float] | None) -> None:
        while time.perf_counter() < until:
            t = time.perf_counter()
            await once()
            if record is not None:
                record.append((time.perf_counter() - t) * 1e6)

    until = time.perf_counter() + warmup
    await asyncio.gather(*(worker(until, None) for _ in range(inflight)))
    results: list[list[float]] = [[] for _ in range(inflight)]
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(worker(until, results[i]) for i in range(inflight)))
    elapsed = time.perf_counter() - started
    if contender == "official-aio":
        await client.close()
    return summary(contender, op, inflight, [x for r in results for x in r], elapsed)


def summary(
    contender: str, op: str, inflight: int, latencies: list[float], elapsed: float
) -> dict[str, Any]:
    p50, p99 = percentiles(latencies)
    return {
        "contender": contender,
        "op": op,
        "inflight": inflight,
        "ops": len(latencies),
        "seconds": elapsed,
        "ops_per_s": len(latencies) / elapsed,
        "p50_ms": p50,
        "p99_ms": p99,
    }


def main() -> None:
    contender, op, inflight, seconds, warmup, conn, cb = sys.argv[1:8]
    args = (contender, op, int(inflight), float(seconds), float(warmup), conn, cb)
    if contender.endswith("-aio"):
        result = asyncio.run(run_async(*args))
    else:
        result = run_sync(*args)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
