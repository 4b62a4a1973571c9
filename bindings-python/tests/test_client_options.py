"""The client options (azure-core's retry keywords, attempt_timeout, user_agent,
generate_operation_context) reach the wire, for the sync and the asyncio client, and every
keyword callsteer cannot honour is refused by name."""

from __future__ import annotations

import asyncio
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import callsteer
import callsteer.aio
import pytest
from harness import Emulator, Receiver

MISSING_CALL = "no-such-call"

Factory = Callable[..., Any]


def sync_client(emulator: Emulator, **options: Any) -> callsteer.CallAutomationClient:
    return callsteer.CallAutomationClient.from_connection_string(
        emulator.connection_string, **options
    )


def sync_get(emulator: Emulator, **options: Any) -> None:
    """One GET through the sync client (the call does not exist: faults answer first)."""
    sync_client(emulator, **options).get_call_connection(MISSING_CALL).get_call_properties()


def async_get(emulator: Emulator, **options: Any) -> None:
    """The same GET through callsteer.aio, built with the constructor (not the conn str)."""

    async def main() -> None:
        client = callsteer.aio.CallAutomationClient(
            emulator.endpoint, emulator.access_key, **options
        )
        await client.get_call_connection(MISSING_CALL).get_call_properties()

    asyncio.run(main())


GETS = [pytest.param(sync_get, id="sync"), pytest.param(async_get, id="aio")]


def injected(emulator: Emulator) -> int:
    """How many requests the emulator answered with an injected fault."""
    records = emulator.admin("GET", "/emulator/requests")["value"]
    return sum(1 for r in records if r["outcome"] == "faultInjected")


def always_503(emulator: Emulator, **extra: Any) -> None:
    emulator.admin("PUT", "/emulator/faults", {"status": 503, "probability": 1.0, **extra})


# ---- retries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("get", GETS)
@pytest.mark.parametrize("retry_total", [0, 2])
def test_retry_total_is_the_number_of_retries(
    emulator: Emulator, get: Factory, retry_total: int
) -> None:
    always_503(emulator, retryAfterSeconds=0)
    with pytest.raises(callsteer.ServiceError) as raised:
        get(emulator, retry_total=retry_total)
    assert raised.value.status_code == 503
    # The default (3 retries) would make 4 requests.
    assert injected(emulator) == retry_total + 1


@pytest.mark.parametrize("get", GETS)
def test_retry_backoff_max_caps_a_long_retry_after(emulator: Emulator, get: Factory) -> None:
    # The service asks for 30 s; capped to 10 ms, both retries fit in the 20 s budget. With the
    # default cap (60 s) the first 30 s wait would not fit, and no retry would be made.
    always_503(emulator, retryAfterSeconds=30)
    with pytest.raises(callsteer.ServiceError):
        get(emulator, retry_total=2, retry_backoff_max=0.01, timeout=20)
    assert injected(emulator) == 3


@pytest.mark.parametrize("get", GETS)
def test_timeout_stops_retries_from_starting(emulator: Emulator, get: Factory) -> None:
    # A 1 s Retry-After does not fit in 0.5 s: no retry. With the default budget (120 s), all
    # five retries would be made.
    always_503(emulator, retryAfterSeconds=1)
    with pytest.raises(callsteer.ServiceError):
        get(emulator, retry_total=5, timeout=0.5)
    assert injected(emulator) == 1


@pytest.mark.parametrize("get", GETS)
def test_retry_backoff_factor_is_the_first_delay(emulator: Emulator, get: Factory) -> None:
    # No Retry-After: waits of about 10, 20 and 40 ms fit in a 3 s budget. With the default
    # factor (0.8 s, 1.6 s, 3.2 s, each ±20 %) the third retry would not.
    always_503(emulator)
    with pytest.raises(callsteer.ServiceError):
        get(emulator, retry_total=3, retry_backoff_factor=0.01, timeout=3)
    assert injected(emulator) == 4


# ---- per-attempt timeout ---------------------------------------------------------------------


@pytest.mark.parametrize("get", GETS)
def test_attempt_timeout_bounds_each_attempt(emulator: Emulator, get: Factory) -> None:
    # Every request takes 3 s; an attempt may take 0.3 s. With the default (30 s) the request
    # would end with the emulator's 404 for the unknown call.
    emulator.admin("PUT", "/emulator/faults", {"latencyMs": 3000})
    with pytest.raises(callsteer.OperationTimeoutError):
        get(emulator, retry_total=0, attempt_timeout=0.3)


# ---- user agent ------------------------------------------------------------------------------


class AgentRecorder:
    """An in-process HTTP server that records each request's User-Agent and answers 404."""

    def __init__(self) -> None:
        self.agents: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                recorder.agents.append(self.headers.get("user-agent", ""))
                body = b'{"error":{"code":"NotFound","message":"no such call"}}'
                self.send_response(404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def agents() -> Iterator[AgentRecorder]:
    recorder = AgentRecorder()
    try:
        yield recorder
    finally:
        recorder.close()


KEY = "a2V5LWZvci1jbGllbnQtb3B0aW9ucy10ZXN0cw=="


def test_user_agent_is_appended_to_callsteers(agents: AgentRecorder) -> None:
    client = callsteer.CallAutomationClient(agents.endpoint, KEY, user_agent="contoso-ivr/2.1")
    with pytest.raises(callsteer.ServiceError):
        client.get_call_connection("c1").get_call_properties()
    (agent,) = agents.agents
    assert agent.startswith("callsteer/")
    assert agent.endswith(" contoso-ivr/2.1")


def test_user_agent_of_the_aio_client(agents: AgentRecorder) -> None:
    async def main() -> None:
        client = callsteer.aio.CallAutomationClient.from_connection_string(
            f"endpoint={agents.endpoint};accesskey={KEY}", user_agent="contoso-ivr/2.1"
        )
        with pytest.raises(callsteer.ServiceError):
            await client.get_call_connection("c1").get_call_properties()

    asyncio.run(main())
    (agent,) = agents.agents
    assert agent.endswith(" contoso-ivr/2.1")


def test_no_user_agent_sends_callsteers_alone(agents: AgentRecorder) -> None:
    client = callsteer.CallAutomationClient(agents.endpoint, KEY, user_agent=None)
    with pytest.raises(callsteer.ServiceError):
        client.get_call_connection("c1").get_call_properties()
    (agent,) = agents.agents
    assert agent.startswith("callsteer/") and " " not in agent


# ---- generate_operation_context --------------------------------------------------------------


def add_participant_context(
    emulator: Emulator, receiver: Receiver, client_of: Callable[[], Any], is_async: bool
) -> Any:
    """Places a call, adds a participant without an operation context, and returns the
    operationContext the emulator received in that add request (None when absent)."""

    async def run_async() -> str:
        client = client_of()
        receiver.processor = client.event_processor
        call = await client.create_call(
            callsteer.CommunicationUserIdentifier("8:acs:alice"), receiver.url("/events")
        )
        assert (await call.wait_for_event_processor(timeout=10)).succeeded
        connection = client.get_call_connection(call.call_connection_id)
        await connection.add_participant(callsteer.CommunicationUserIdentifier("8:acs:bob"))
        return str(call.call_connection_id)

    def run_sync() -> str:
        client = client_of()
        receiver.processor = client.event_processor
        call = client.create_call(
            callsteer.CommunicationUserIdentifier("8:acs:alice"), receiver.url("/events")
        )
        assert call.wait_for_event_processor(timeout=10).succeeded
        connection = client.get_call_connection(call.call_connection_id)
        connection.add_participant(callsteer.CommunicationUserIdentifier("8:acs:bob"))
        return str(call.call_connection_id)

    call_id = asyncio.run(run_async()) if is_async else run_sync()
    timeline = emulator.admin(
        "GET", f"/emulator/ui/calls/{urllib.parse.quote(call_id, safe='')}/timeline"
    )
    (add,) = [
        item
        for item in timeline["items"]
        if item.get("kind") == "request" and item["operation"] == "AddParticipant"
    ]
    return add["requestBody"].get("operationContext")


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "aio"])
@pytest.mark.parametrize("generate", [None, True, False])
def test_generate_operation_context(
    emulator: Emulator, receiver: Receiver, is_async: bool, generate: Any
) -> None:
    cls = callsteer.aio.CallAutomationClient if is_async else callsteer.CallAutomationClient
    sent = add_participant_context(
        emulator,
        receiver,
        lambda: cls.from_connection_string(
            emulator.connection_string, generate_operation_context=generate
        ),
        is_async,
    )
    if generate is True:
        assert isinstance(sent, str) and sent.startswith("callsteer-")
    else:
        # The default (None) sends no context, as the official SDK does.
        assert sent is None


# ---- refusals --------------------------------------------------------------------------------

CONN = f"endpoint=https://example.communication.azure.com/;accesskey={KEY}"

CONSTRUCTORS = [
    pytest.param(lambda **kw: callsteer.CallAutomationClient.from_connection_string(CONN, **kw)),
    pytest.param(
        lambda **kw: callsteer.CallAutomationClient(
            "https://example.communication.azure.com/", KEY, **kw
        )
    ),
    pytest.param(
        lambda **kw: callsteer.aio.CallAutomationClient.from_connection_string(CONN, **kw)
    ),
    pytest.param(
        lambda **kw: callsteer.aio.CallAutomationClient(
            "https://example.communication.azure.com/", KEY, **kw
        )
    ),
]
CONSTRUCTOR_IDS = ["sync-conn-str", "sync", "aio-conn-str", "aio"]


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=CONSTRUCTOR_IDS)
@pytest.mark.parametrize(
    "keyword, value",
    [
        ("retry_total", -1),
        ("retry_total", 2**32),
        ("retry_total", True),
        ("retry_total", 1.5),
        ("retry_backoff_factor", "1"),
        ("retry_backoff_factor", -0.5),
        ("retry_backoff_max", float("nan")),
        ("timeout", float("inf")),
        ("timeout", False),
        ("attempt_timeout", 0),
        ("user_agent", 5),
        ("user_agent", "app/1.0\r\nx-injected: 1"),
        ("generate_operation_context", "yes"),
        ("generate_operation_context", 1),
    ],
)
def test_bad_option_values_name_the_keyword(make: Factory, keyword: str, value: Any) -> None:
    with pytest.raises(callsteer.InvalidArgumentError) as raised:
        make(**{keyword: value})
    assert raised.value.field == keyword
    assert keyword in str(raised.value)


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=CONSTRUCTOR_IDS)
@pytest.mark.parametrize(
    "keyword",
    ["connection_timeout", "read_timeout", "retry_mode", "retry_status", "transport", "headers"],
)
def test_azure_core_options_callsteer_cannot_honour_are_refused(
    make: Factory, keyword: str
) -> None:
    with pytest.raises(callsteer.InvalidArgumentError) as raised:
        make(**{keyword: 5})
    assert raised.value.field == keyword
    assert "not supported" in str(raised.value)


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=CONSTRUCTOR_IDS)
def test_an_unknown_keyword_is_a_type_error_naming_it(make: Factory) -> None:
    with pytest.raises(TypeError, match="retry_totl"):
        make(retry_totl=1)


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=CONSTRUCTOR_IDS)
def test_every_option_together_and_none_as_default(make: Factory) -> None:
    make(
        retry_total=0,
        retry_backoff_factor=1,
        retry_backoff_max=2.5,
        timeout=10,
        attempt_timeout=5,
        user_agent="contoso/1",
        generate_operation_context=False,
        connection_timeout=None,
    )
    make(retry_total=None, timeout=None, user_agent=None)


# ---- stubs -----------------------------------------------------------------------------------

TYPED_OK = """
import callsteer
import callsteer.aio

def build(conn_str: str) -> None:
    callsteer.CallAutomationClient.from_connection_string(
        conn_str,
        retry_total=2,
        retry_backoff_factor=0.5,
        retry_backoff_max=10,
        timeout=60.0,
        attempt_timeout=5,
        user_agent="contoso/1",
        generate_operation_context=False,
    )
    callsteer.aio.CallAutomationClient("https://x.example", "a2V5", retry_total=None, user_agent=None)
"""

TYPED_BAD = """
import callsteer

def build(conn_str: str) -> None:
    callsteer.CallAutomationClient.from_connection_string(conn_str, retry_total="2")
    callsteer.CallAutomationClient("https://x.example", "a2V5", connection_timeout=5)
"""


def test_the_stubs_know_the_options(tmp_path: Any) -> None:
    import subprocess
    import sys

    def mypy(source: str) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "usage.py"
        path.write_text(source)
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )

    ok = mypy(TYPED_OK)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = mypy(TYPED_BAD)
    assert bad.returncode != 0
    assert '"retry_total"' in bad.stdout and '"connection_timeout"' in bad.stdout, bad.stdout


class _Token:
    def __init__(self) -> None:
        self.calls = 0

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        self.calls += 1

        class T:
            token = "t"
            expires_on = 4_102_444_800

        return T()


@pytest.mark.parametrize(
    "cls", [callsteer.CallAutomationClient, callsteer.aio.CallAutomationClient]
)
def test_allow_insecure_connection_guards_bearer_tokens_over_http(cls: Any) -> None:
    """The core's rule, as in Node: a bearer token never goes over plain http to a host that is
    not loopback unless allowed; the refusal names the keyword Python callers write."""
    token = _Token()
    with pytest.raises(callsteer.InvalidArgumentError) as refused:
        cls("http://acs.example", token)
    assert refused.value.field == "endpoint"
    assert "allow_insecure_connection" in str(refused.value)
    cls("http://acs.example", token, allow_insecure_connection=True)
    cls("http://127.0.0.1:9", token)
    assert token.calls == 0  # nothing was asked for at construction
    with pytest.raises(callsteer.InvalidArgumentError) as bad:
        cls("http://acs.example", token, allow_insecure_connection="yes")
    assert bad.value.field == "allow_insecure_connection"


def test_event_bus_url_is_checked_and_named() -> None:
    with pytest.raises(callsteer.InvalidArgumentError) as bad:
        callsteer.CallAutomationClient(
            "https://acs.example", "c2VjcmV0", event_bus_url="http://not-redis"
        )
    assert bad.value.field == "event_bus_url"
    with pytest.raises(callsteer.InvalidArgumentError) as wrong_type:
        callsteer.CallAutomationClient("https://acs.example", "c2VjcmV0", event_bus_url=6379)
    assert wrong_type.value.field == "event_bus_url"
