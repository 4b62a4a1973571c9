"""The README's Python quick start runs as pasted against a real emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from harness import Emulator

README = Path(__file__).resolve().parents[1] / "README.md"
# The repository's README repeats the quick start; it must stay identical to this one.
MAIN_README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks(readme: Path = README) -> list[str]:
    return re.findall(r"```python\n(.*?)```", readme.read_text(), flags=re.S)


def test_main_readme_shows_the_same_quick_start() -> None:
    assert python_blocks(MAIN_README) == python_blocks()


def test_quick_start_runs_as_pasted(emulator: Emulator, tmp_path: Path) -> None:
    script = tmp_path / "quick_start.py"
    script.write_text(python_blocks()[0])
    env = dict(os.environ, ACS_CONNECTION_STRING=emulator.connection_string)
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "connected: True" in done.stdout
    assert "AddParticipantSucceeded 8:acs:bob" in done.stdout
    assert "['8:acs:alice', '8:acs:bob']" in done.stdout


def test_async_snippet_runs(emulator: Emulator, tmp_path: Path) -> None:
    namespace: dict[str, object] = {}
    exec(compile(python_blocks()[1], "README-async", "exec"), namespace)
    import asyncio

    import callsteer.aio

    async def main() -> None:
        # The snippet's callback URL is a listener of a separate client: events go nowhere, so
        # only the create call / hang up part is exercised here.
        client = callsteer.aio.CallAutomationClient.from_connection_string(
            emulator.connection_string
        )
        listener = client.start_callback_listener()
        try:
            place = namespace["place"]
            assert callable(place)
            try:
                await asyncio.wait_for(
                    place(emulator.connection_string, listener.url + "/events"), 1.0
                )
            except (asyncio.TimeoutError, callsteer.OperationTimeoutError):
                pass
        finally:
            listener.close()

    asyncio.run(main())
