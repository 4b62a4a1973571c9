"""The drop-in promise: a script written for azure-communication-callautomation runs unchanged
against the emulator once its import names callsteer instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from harness import Emulator, Receiver

SCRIPT = Path(__file__).with_name("official_sdk_script.py")
OFFICIAL_IMPORT = "from azure.communication.callautomation import"


def run_script(source: str, emulator: Emulator, receiver: Receiver, tmp_path: Path) -> str:
    script = tmp_path / "script.py"
    script.write_text(source)
    env = dict(os.environ)
    env["ACS_CONNECTION_STRING"] = emulator.connection_string
    env["CALLBACK_URL"] = receiver.url("/events")
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_official_script_runs_on_callsteer_with_only_the_import_changed(
    emulator: Emulator, receiver: Receiver, tmp_path: Path
) -> None:
    source = SCRIPT.read_text()
    assert source.count(OFFICIAL_IMPORT) == 1
    changed = source.replace(OFFICIAL_IMPORT, "from callsteer import")
    # Exactly one line differs.
    diff = [a for a, b in zip(source.splitlines(), changed.splitlines()) if a != b]
    assert diff == [
        "from azure.communication.callautomation import CallAutomationClient, "
        "CommunicationUserIdentifier"
    ]
    out = run_script(changed, emulator, receiver, tmp_path)
    assert "DONE" in out
    for expected in (
        "CallConnected",
        "AddParticipantSucceeded",
        "RemoveParticipantSucceeded",
        "CallDisconnected",
    ):
        found = receiver.wait_for(0, lambda d, t=expected: d.event_type == t)
        assert found is not None, (expected, receiver.log)


SCRIPT_2026 = Path(__file__).with_name("official_sdk_script_2026.py")


def test_the_2026_script_runs_on_callsteer_with_only_the_import_changed(
    emulator: Emulator, receiver: Receiver, tmp_path: Path
) -> None:
    source = SCRIPT_2026.read_text()
    assert source.count(OFFICIAL_IMPORT) == 1
    out = run_script(
        source.replace(OFFICIAL_IMPORT, "from callsteer import"), emulator, receiver, tmp_path
    )
    assert "DONE" in out and "streaming active" in out and "moved from True" in out, out
    for expected in ("MoveParticipantSucceeded", "AddParticipantSucceeded"):
        found = receiver.wait_for(0, lambda d, t=expected: d.event_type == t)
        assert found is not None, (expected, receiver.log)


def test_the_2026_script_runs_unchanged_on_the_official_sdk(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("azure.communication.callautomation")
    process = Emulator("--tls")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", process.ca_pem)
    try:
        out = run_script(SCRIPT_2026.read_text(), process, receiver, tmp_path)
    finally:
        process.stop()
    assert "DONE" in out and "streaming active" in out and "moved from True" in out, out
