"""`list_participants()` is a pager like azure-core's `ItemPaged` / `AsyncItemPaged` (issue 18):
official apps write `for p in conn.list_participants()`, `async for p in ...` and
`.by_page(continuation_token)`. The emulator serves two participants a page (`--page-size 2`),
so five participants take three requests; every other method keeps the official aio client's
kind (coroutine, pager or plain value)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from harness import Emulator

import callsteer
import callsteer.aio

USERS = [f"8:acs:res_pager_{i}" for i in range(5)]


@pytest.fixture
def paged_emulator() -> Iterator[Emulator]:
    process = Emulator("--page-size", "2")
    try:
        yield process
    finally:
        process.stop()


def group_call(emulator: Emulator) -> str:
    """An ongoing call of five users, connected to; returns its call connection id."""
    call = emulator.admin("POST", "/emulator/calls", {"participants": USERS})
    client = callsteer.CallAutomationClient.from_connection_string(emulator.connection_string)
    result = client.connect_call(
        server_call_id=call["serverCallId"], callback_url="https://app.example/events"
    )
    return result.call_connection_id


def participant_requests(emulator: Emulator, call_id: str) -> list[str]:
    log = emulator.admin("GET", f"/emulator/requests?callConnectionId={call_id}")
    entries = log["value"]
    return [r["path"] for r in entries if r["method"] == "GET" and "/participants" in r["path"]]


def test_sync_pager_iterates_every_page(paged_emulator: Emulator) -> None:
    call_id = group_call(paged_emulator)
    client = callsteer.CallAutomationClient.from_connection_string(paged_emulator.connection_string)
    conn = client.get_call_connection(call_id)
    pager = conn.list_participants()
    assert not isinstance(pager, list)
    assert sorted(p.identifier.raw_id for p in pager) == USERS
    assert len(participant_requests(paged_emulator, call_id)) == 3

    pages = conn.list_participants().by_page()
    first = list(next(pages))
    assert len(first) == 2
    token = pages.continuation_token
    assert token and "continuationToken" in token
    # A later pager resumes from a saved token, as azure-core's by_page(continuation_token) does.
    rest = [p for page in conn.list_participants().by_page(token) for p in page]
    assert len(rest) == 3
    assert sorted(p.identifier.raw_id for p in first + rest) == USERS


def test_async_pager_with_async_for_and_by_page(paged_emulator: Emulator) -> None:
    call_id = group_call(paged_emulator)

    async def main() -> tuple[list[str], list[int], Any]:
        async with callsteer.aio.CallAutomationClient.from_connection_string(
            paged_emulator.connection_string
        ) as client:
            async with client.get_call_connection(call_id) as conn:
                items = [p.identifier.raw_id async for p in conn.list_participants()]
                sizes = []
                pages = conn.list_participants().by_page()
                async for page in pages:
                    sizes.append(len([p async for p in page]))
                return items, sizes, pages.continuation_token

    items, sizes, last_token = asyncio.run(main())
    assert sorted(items) == USERS
    assert sizes == [2, 2, 1]
    assert last_token is None


def test_a_continuation_token_for_another_host_sends_nothing(paged_emulator: Emulator) -> None:
    call_id = group_call(paged_emulator)
    client = callsteer.CallAutomationClient.from_connection_string(paged_emulator.connection_string)
    before = len(participant_requests(paged_emulator, call_id))
    pages = (
        client.get_call_connection(call_id)
        .list_participants()
        .by_page("https://evil.example/calling/callConnections/x/participants")
    )
    with pytest.raises(callsteer.CallAutomationError, match="another host"):
        next(pages)
    assert len(participant_requests(paged_emulator, call_id)) == before


official_aio = pytest.importorskip("azure.communication.callautomation.aio")

CB = "https://app.example/events"


def _calls(call_id: str, server_call_id: str) -> dict[str, tuple[Any, ...]]:
    """Arguments for every method the two aio clients share (a new shared method must be added)."""
    user = callsteer.CommunicationUserIdentifier
    return {
        # CallAutomationClient
        "create_call": (user("8:acs:res_kind_a"), CB),
        "create_group_call": ([user("8:acs:res_kind_b")], CB),
        "connect_call": ((), {"server_call_id": server_call_id, "callback_url": CB}),
        "answer_call": ("no-such-context", CB),
        "redirect_call": ("no-such-context", user("8:acs:res_kind_c")),
        "reject_call": ("no-such-context",),
        "from_connection_string": (),
        "get_call_connection": (call_id,),
        # CallConnectionClient
        "get_call_properties": (),
        "get_participant": (user(USERS[0]),),
        "list_participants": (),
        "mute_participant": (user(USERS[0]),),
        "add_participant": (user("8:acs:res_kind_d"),),
        "cancel_add_participant_operation": ("no-such-invitation",),
        "remove_participant": (user(USERS[1]),),
        "move_participants": ([user("8:acs:res_kind_e")], "no-such-call"),
        "transfer_call_to_participant": (user(USERS[2]),),
        "hang_up": (False,),
        "close": (),
    }


@pytest.mark.parametrize("cls_name", ["CallAutomationClient", "CallConnectionClient"])
def test_aio_methods_have_the_official_kind(paged_emulator: Emulator, cls_name: str) -> None:
    """For every public method both aio clients have, the same kind: awaitable where the official
    one is `async def`, an async pager for list_participants, a plain value otherwise."""
    official = getattr(official_aio, cls_name)
    call_id = group_call(paged_emulator)
    server_call_id = paged_emulator.admin("POST", "/emulator/calls", {"participants": USERS[:1]})[
        "serverCallId"
    ]
    table = _calls(call_id, server_call_id)

    async def main() -> list[str]:
        client = callsteer.aio.CallAutomationClient.from_connection_string(
            paged_emulator.connection_string
        )
        ours = client if cls_name == "CallAutomationClient" else client.get_call_connection(call_id)
        mismatches = []
        checked = 0
        for name, member in inspect.getmembers(official, inspect.isfunction):
            if name.startswith("_") or not hasattr(ours, name):
                continue
            assert name in table, f"{name}: shared with the official client but not checked here"
            checked += 1
            if name == "from_connection_string":
                value = getattr(ours, name)(paged_emulator.connection_string)
            else:
                args = table[name]
                kwargs: dict[str, Any] = {}
                if len(args) == 2 and isinstance(args[1], dict):
                    args, kwargs = args
                value = getattr(ours, name)(*args, **kwargs)
            if name == "list_participants":
                if not (hasattr(value, "__aiter__") and hasattr(value, "by_page")):
                    mismatches.append(f"{name}: not an async pager")
                continue
            official_awaits = inspect.iscoroutinefunction(member)
            if inspect.isawaitable(value) != official_awaits:
                mismatches.append(f"{name}: awaitable={inspect.isawaitable(value)}")
            if inspect.isawaitable(value):
                try:
                    await value
                except callsteer.CallAutomationError:
                    pass  # the service's answer to made-up contexts; the kind is what matters
        assert checked >= 7
        return mismatches

    assert asyncio.run(main()) == []
