"""A process that used callsteer.aio exits cleanly when asyncio.run returns and the interpreter
finalizes, with runtime work still in flight. Runtime threads used to take the GIL during
finalization and abort the process ("Fatal Python error: PyGILState_Release: thread state …
must be current when releasing") or crash it, in about one run in six; hence several runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness import Emulator

SCRIPT = Path(__file__).with_name("shutdown_script.py")
RUNS = 20


def test_asyncio_process_exits_cleanly_with_work_in_flight() -> None:
    emulator = Emulator()
    failures: list[str] = []
    try:
        for i in range(RUNS):
            run = subprocess.run(
                [sys.executable, str(SCRIPT), emulator.connection_string],
                capture_output=True,
                text=True,
                timeout=120,
            )
            if (
                run.returncode != 0
                or run.stdout.strip() != "done"
                or "Fatal Python error" in run.stderr
                or "Traceback" in run.stderr
            ):
                failures.append(f"run {i}: exit {run.returncode}, stderr {run.stderr[-800:]!r}")
    finally:
        emulator.stop()
    assert not failures, f"{len(failures)} of {RUNS} runs failed:\n" + "\n".join(failures)
