"""A Rust panic inside the binding (driven by the hidden `_panic_for_test` hooks) surfaces as an
ordinary `CallAutomationError` (kind "Internal"), never as pyo3's `PanicException` (a
`BaseException` that `except Exception` would miss), and the module keeps working after it."""

from __future__ import annotations

import asyncio

import callsteer
import pytest
from callsteer import _native


def check(error: BaseException) -> None:
    assert type(error) is callsteer.CallAutomationError, type(error)
    assert isinstance(error, Exception)
    assert error.kind == "Internal"
    assert "internal error" in str(error) and "panic requested" in str(error)


def test_panic_in_a_call_is_a_call_automation_error() -> None:
    try:
        _native._panic_for_test()
    except Exception as e:  # a PanicException would escape this clause
        check(e)
    else:
        pytest.fail("no error")


def test_panic_in_a_runtime_task_is_a_call_automation_error() -> None:
    with pytest.raises(Exception) as info:
        _native._panic_in_task_for_test()
    check(info.value)


def test_panic_in_an_asyncio_task_is_a_call_automation_error() -> None:
    async def main() -> BaseException:
        try:
            await _native._panic_in_task_for_test(True)
        except Exception as e:
            return e
        raise AssertionError("no error")

    check(asyncio.run(main()))


def test_the_module_still_works_after_panics() -> None:
    for _ in range(3):
        with pytest.raises(callsteer.CallAutomationError):
            _native._panic_for_test()
    events = callsteer.parse_events(
        b'[{"id":"1","source":"s","specversion":"1.0",'
        b'"type":"Microsoft.Communication.CallConnected","data":{"callConnectionId":"c"}}]'
    )
    assert isinstance(events[0], callsteer.CallConnected)
