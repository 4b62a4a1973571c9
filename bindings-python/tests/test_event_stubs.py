"""The stub's event classes agree with the runtime's, both ways: every class the native module
exports (from core's event table) has a stub class with exactly its fields as properties, and
every event class in the stub exists at runtime. A row added to core's table fails here until
the stub has it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import callsteer
import pytest
from callsteer import _native

STUB = Path(__file__).parents[1] / "python" / "callsteer" / "_native.pyi"


def stub_event_classes() -> dict[str, set[str]]:
    tree = ast.parse(STUB.read_text())
    classes: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Name) and b.id == "CallAutomationEvent" for b in node.bases
        ):
            classes[node.name] = {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef)
                and any(isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list)
            }
    return classes


def stub_all() -> list[str]:
    tree = ast.parse(STUB.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
    raise AssertionError("the stub has no __all__")


def test_every_runtime_event_class_has_a_stub_and_back() -> None:
    runtime = {cls.__name__ for cls in _native.EVENT_CLASSES}
    assert set(stub_event_classes()) == runtime
    assert sorted(stub_all()) == sorted(runtime)


def test_each_table_event_stub_declares_exactly_its_fields() -> None:
    stubs = stub_event_classes()
    for name, fields in _native.EVENT_FIELDS.items():
        assert stubs[name] == {field for field, _ in fields}, name


def test_the_generated_part_of_the_stub_is_up_to_date() -> None:
    script = Path(__file__).parents[1] / "scripts" / "gen_event_stubs.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_package_exports_every_event_class() -> None:
    for cls in _native.EVENT_CLASSES:
        assert getattr(callsteer, cls.__name__) is cls
        assert cls.__name__ in callsteer.__all__
        assert issubclass(cls, callsteer.CallAutomationEvent)


def test_a_field_of_another_event_type_reads_none_and_a_typo_raises() -> None:
    (event,) = callsteer.parse_events(
        b'[{"id":"1","type":"Microsoft.Communication.CancelAddParticipantSucceeded",'
        b'"data":{"callConnectionId":"c1","invitationId":"inv-1"}}]'
    )
    assert isinstance(event, callsteer.CancelAddParticipantSucceeded)
    assert event.invitation_id == "inv-1"
    assert event.participant is None  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="invitation"):
        getattr(event, "invitation")  # noqa: B009
