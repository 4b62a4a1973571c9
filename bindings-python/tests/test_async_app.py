"""Issue 18's Python criterion: an asyncio app written the way the public samples are
(fixtures/async_app.py, the official aio client) runs its steering flows against the emulator as
written, and again with only its `azure.communication.callautomation` imports switched to
callsteer. The test drives it from outside: it calls the app's route and rings its number.

The official SDK speaks only TLS, so its run uses `--tls` and trusts the emulator's CA through
SSL_CERT_FILE (aiohttp's default SSL context); callsteer's run uses the plain emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from harness import Emulator

pytest.importorskip("azure.communication.callautomation.aio")
pytest.importorskip("aiohttp")

APP = Path(__file__).parent / "fixtures" / "async_app.py"
OFFICIAL = "from azure.communication.callautomation"

EXPECTED_OUTBOUND = {
    "invitation": True,
    "addEvent": "pyapp-add",
    "roster": ["4:+16041234567", "8:acs:res_pyapp_alice"],
    "pages": 1,
    "transfer": "pyapp-transfer",
    "transferEvent": "pyapp-transfer",
    "removed": "pyapp-remove",
}


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def drive(source: str, emulator: Emulator, tmp_path: Path) -> dict[str, Any]:
    script = tmp_path / "async_app.py"
    script.write_text(source)
    env = dict(os.environ, ACS_CONNECTION_STRING=emulator.connection_string)
    if emulator.ca_pem:
        env["SSL_CERT_FILE"] = emulator.ca_pem
    app = subprocess.Popen(
        [sys.executable, str(script)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert app.stdout is not None
        line = app.stdout.readline().strip()
        assert line.startswith("LISTENING "), line + (app.stderr.read() if app.stderr else "")
        base = f"http://127.0.0.1:{line.split()[1]}"
        emulator.admin("POST", "/emulator/event-subscriptions", {"url": f"{base}/api/incomingCall"})
        outbound = get_json(f"{base}/outboundCall")
        emulator.admin(
            "POST", "/emulator/incoming-calls", {"from": "4:+16045550100", "to": "4:+16044561234"}
        )
        deadline = time.monotonic() + 15
        inbound: dict[str, Any] = {}
        while not inbound and time.monotonic() < deadline:
            inbound = get_json(f"{base}/inbound")
            time.sleep(0.05)
        return {"outbound": outbound, "inbound": inbound}
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()


def test_the_async_app_runs_on_the_official_sdk(tmp_path: Path) -> None:
    emulator = Emulator("--tls")
    try:
        result = drive(APP.read_text(), emulator, tmp_path)
    finally:
        emulator.stop()
    assert result["outbound"] == EXPECTED_OUTBOUND
    assert result["inbound"] == {"connected": True, "answered": True}


def test_the_async_app_runs_on_callsteer_with_only_the_imports_switched(
    emulator: Emulator, tmp_path: Path
) -> None:
    source = APP.read_text()
    changed = source.replace(OFFICIAL, "from callsteer")
    diff = [a for a, b in zip(source.splitlines(), changed.splitlines()) if a != b]
    assert len(diff) == 2 and all(line.startswith(OFFICIAL) for line in diff), diff
    result = drive(changed, emulator, tmp_path)
    assert result["outbound"] == EXPECTED_OUTBOUND
    assert result["inbound"] == {"connected": True, "answered": True}
