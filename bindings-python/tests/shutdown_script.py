"""Uses callsteer.aio hard (many concurrent calls, event waits, a callback listener), then
returns normally from asyncio.run and lets the interpreter finalize. Run by test_shutdown.py in
a subprocess: `python shutdown_script.py CONNECTION_STRING`; a clean exit prints "done"."""

from __future__ import annotations

import asyncio
import sys

import callsteer
import callsteer.aio

TARGET = "8:acs:shutdown_target"
ADDED = "8:acs:shutdown_added"


async def main(conn: str) -> None:
    client = callsteer.aio.CallAutomationClient.from_connection_string(conn)
    listener = client.start_callback_listener(port=0)
    callback = listener.url + "/events"
    target = callsteer.CommunicationUserIdentifier(TARGET)
    added = callsteer.CommunicationUserIdentifier(ADDED)

    async def one() -> None:
        props = await client.create_call(target, callback)
        call = client.get_call_connection(props.call_connection_id)
        await props.wait_for_event_processor(timeout=5.0)
        await call.add_participant(added)
        await call.get_call_properties()
        await call.hang_up(True)

    await asyncio.gather(*(one() for _ in range(16)))
    # Leave work in flight at exit: calls still running, event waits that asyncio.run cancels
    # (they run in tasks) and plain futures it does not cancel.
    pending: list[object] = []
    for _ in range(64):
        pending.append(asyncio.ensure_future(client.create_call(target, callback)))
        pending.append(
            asyncio.ensure_future(
                client.event_processor.wait_for_event(
                    "CallConnected", call_connection_id="no-such-call", timeout=30.0
                )
            )
        )
    await asyncio.sleep(0)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
    print("done", flush=True)
