"""Ctrl-C (SIGINT) interrupts a sync call that is blocked in the core: an event wait, and a
request in flight, which is cancelled (its connection closed) rather than left running."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import threading
from typing import Optional

from harness import Emulator

# A key of the right shape; nothing here ever reaches a service that checks it.
KEY = "a2V5LWZvci1pbnRlcnJ1cHQtdGVzdHMtb25seS0xMjM0NTY3OA=="

# The child prints READY right before blocking, reports how the blocking call ended, then
# waits for stdin to close, so that the test can observe the cancelled request while the
# process (and its sockets) still exist.
PRELUDE = textwrap.dedent(
    """
    import sys
    import callsteer

    def report(outcome):
        print(outcome, flush=True)
        sys.stdin.read()

    client = callsteer.CallAutomationClient.from_connection_string(sys.argv[1])
    """
)


def run_interrupted(body: str, conn_str: str, on_ready: Optional[threading.Event] = None) -> str:
    """Runs PRELUDE + body in a child, sends SIGINT once it blocks, returns its report."""
    child = subprocess.Popen(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(body), conn_str],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "READY"
        if on_ready is not None:
            # Signal only once the blocking call is under way (for a request: connected).
            assert on_ready.wait(20)
        else:
            # Give the child time to enter the wait (it prints READY just before).
            threading.Event().wait(1.0)
        child.send_signal(signal.SIGINT)
        # Bounded by the 30 s the blocking call would take on its own, not a speed assertion.
        line = _readline(child, 25)
        return line
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def connection_string(endpoint: str) -> str:
    return f"endpoint={endpoint};accesskey={KEY}"


def _readline(child: subprocess.Popen[str], timeout: float) -> str:
    out: list[str] = []
    assert child.stdout is not None
    reader = threading.Thread(target=lambda: out.append(child.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not out:
        child.kill()
        raise AssertionError("the child did not react to SIGINT before its 30 s call would end")
    return out[0].strip()


def test_sigint_interrupts_a_sync_event_wait() -> None:
    report = run_interrupted(
        """
        try:
            print("READY", flush=True)
            client.event_processor.wait_for_event("CallConnected", timeout=30)
            report("RETURNED")
        except KeyboardInterrupt:
            report("KeyboardInterrupt")
        except callsteer.OperationTimeoutError:
            report("OperationTimeoutError")
        """,
        # No request is sent: the wait is local to the event processor.
        connection_string("http://127.0.0.1:9/"),
    )
    assert report == "KeyboardInterrupt"


def test_sigint_interrupts_wait_for_event_processor(emulator: Emulator) -> None:
    # The call is placed, but nothing feeds this client's event processor: its CallConnected
    # never arrives, so the wait would last its full 30 s.
    report = run_interrupted(
        """
        result = client.create_call(
            callsteer.CommunicationUserIdentifier("8:acs:interrupt-target"),
            "http://127.0.0.1:9/callbacks",
        )
        try:
            print("READY", flush=True)
            result.wait_for_event_processor(timeout=30)
            report("RETURNED")
        except KeyboardInterrupt:
            report("KeyboardInterrupt")
        except callsteer.OperationTimeoutError:
            report("OperationTimeoutError")
        """,
        emulator.connection_string,
    )
    assert report == "KeyboardInterrupt"


def test_sigint_cancels_a_request_in_flight() -> None:
    # A server that accepts the request and never answers: only cancelling it ends the call.
    server = _SilentServer()
    try:
        report = run_interrupted(
            """
            try:
                print("READY", flush=True)
                client.get_call_connection("c1").get_call_properties()
                report("RETURNED")
            except KeyboardInterrupt:
                report("KeyboardInterrupt")
            except callsteer.CallAutomationError as e:
                report(type(e).__name__)
            """,
            connection_string(server.url),
            on_ready=server.request_received,
        )
        assert report == "KeyboardInterrupt"
        # The child is still alive (it waits for stdin): the connection closes only because
        # the request was cancelled.
        assert server.peer_closed.wait(20), "the interrupted request's connection stayed open"
    finally:
        server.close()


class _SilentServer:
    """Accepts one connection, reads the request head, never answers, and records when the
    peer closes the connection."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.request_received = threading.Event()
        self.peer_closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            self.request_received.set()
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
            self.peer_closed.set()

    def close(self) -> None:
        self.listener.close()
