"""`mypy --strict` passes over tests/typed_usage.py with the package's stubs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def test_mypy_strict_over_typed_usage() -> None:
    if (
        shutil.which("mypy") is None
        and subprocess.run(
            [sys.executable, "-m", "mypy", "--version"], capture_output=True
        ).returncode
        != 0
    ):
        pytest.fail("mypy is not installed in the test environment")
    usage = Path(__file__).with_name("typed_usage.py")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(usage)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
