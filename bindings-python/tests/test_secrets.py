"""The access key never shows: not in the repr of clients, call connections, results or errors,
not in an error about a bad connection string, not in the most verbose logs of real requests
(including one refused for a wrong key)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import callsteer
import callsteer.aio
import pytest
from callsteer import CommunicationUserIdentifier
from harness import Emulator

USER = CommunicationUserIdentifier("8:acs:res_alice")
CB = "https://app.example/events"
SECRET = "c2VjcmV0LWtleS1kby1ub3Qtc2hvdw=="  # base64 of "secret-key-do-not-show"


def shown(value: object) -> str:
    return repr(value) + "\n" + str(value)


def test_reprs_never_show_the_key(emulator: Emulator) -> None:
    key = emulator.access_key
    client = callsteer.CallAutomationClient.from_connection_string(emulator.connection_string)
    aclient = callsteer.aio.CallAutomationClient.from_connection_string(emulator.connection_string)
    keyed = callsteer.CallAutomationClient(emulator.endpoint, key)
    properties = client.create_call(USER, CB)
    connection = client.get_call_connection(properties.call_connection_id)
    objects: list[object] = [
        client,
        aclient,
        keyed,
        properties,
        connection,
        aclient.get_call_connection(properties.call_connection_id),
        client.event_processor,
        connection.get_call_properties(),
    ]
    for value in objects:
        assert key not in shown(value), type(value)


@pytest.mark.parametrize(
    "conn_str",
    [
        f"endpoint=not a url;accesskey={SECRET}",
        f"accesskey={SECRET}",
        f"endpoint=http://127.0.0.1:9/;accesskey={SECRET}!!",
        f"endpoint=http://127.0.0.1:9/;{SECRET}",
        f"garbage;{SECRET}",
    ],
)
def test_connection_string_errors_redact_the_key(conn_str: str) -> None:
    with pytest.raises(callsteer.CallAutomationError) as info:
        callsteer.CallAutomationClient.from_connection_string(conn_str)
    error = info.value
    text = shown(error) + "\n" + repr(error.__dict__)
    assert SECRET not in text and SECRET.rstrip("=") not in text, text


def test_service_and_transport_errors_never_show_the_key(emulator: Emulator) -> None:
    wrong = callsteer.CallAutomationClient(emulator.endpoint, SECRET)
    with pytest.raises(callsteer.ServiceAuthenticationError) as info:
        wrong.create_call(USER, CB)
    assert SECRET not in shown(info.value) + repr(info.value.__dict__)
    unreachable = callsteer.CallAutomationClient("http://127.0.0.1:9/", SECRET)
    with pytest.raises(callsteer.TransportError) as transport:
        unreachable.create_call(USER, CB)
    assert SECRET not in shown(transport.value) + repr(transport.value.__dict__)


SCRIPT = textwrap.dedent(
    """
    import logging, sys
    import callsteer
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    logging.getLogger().setLevel(logging.DEBUG)
    conn_str, endpoint, wrong = sys.argv[1:4]
    user = callsteer.CommunicationUserIdentifier("8:acs:res_alice")
    client = callsteer.CallAutomationClient.from_connection_string(conn_str)
    props = client.create_call(user, "https://app.example/events")
    call = client.get_call_connection(props.call_connection_id)
    list(call.list_participants())
    call.hang_up(is_for_everyone=True)
    try:
        callsteer.CallAutomationClient(endpoint, wrong).create_call(user, "https://app.example/e")
    except callsteer.ServiceAuthenticationError as e:
        logging.getLogger("app").debug("refused as expected: %r", e)
    try:
        callsteer.CallAutomationClient.from_connection_string(
            "endpoint=nope;accesskey=" + wrong
        )
    except callsteer.CallAutomationError as e:
        logging.getLogger("app").debug("bad connection string: %r", e)
    print("done")
    """
)


def test_most_verbose_logs_never_show_the_key(emulator: Emulator) -> None:
    env = dict(os.environ, CALLSTEER_LOG="trace", RUST_LOG="trace")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, emulator.connection_string, emulator.endpoint, SECRET],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).parent,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0 and "done" in done.stdout, log
    # The log is real: the core's per-request line and the refused request are in it.
    assert "callsteer::http" in log and "status=401" in log, log[-3000:]
    for secret in (emulator.access_key, SECRET):
        assert secret not in log and secret.rstrip("=") not in log


def test_python_logging_at_debug_sees_no_key(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = callsteer.CallAutomationClient.from_connection_string(emulator.connection_string)
    client.create_call(USER, CB)
    with pytest.raises(callsteer.ServiceError):
        callsteer.CallAutomationClient(emulator.endpoint, SECRET).create_call(USER, CB)
    for record in caplog.records:
        assert emulator.access_key not in record.getMessage()
        assert SECRET not in record.getMessage()
