"""Every shared scenario (tests/scenarios/*.json), through the sync and the asyncio API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import ScenarioRunner, scenario_files

FILES = scenario_files()


def test_scenarios_exist() -> None:
    assert FILES, "no tests/scenarios/*.json found"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_sync(path: Path) -> None:
    runner = ScenarioRunner(json.loads(path.read_text()))
    try:
        runner.run_sync()
    finally:
        runner.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
async def test_scenario_async(path: Path) -> None:
    runner = ScenarioRunner(json.loads(path.read_text()), use_async=True)
    try:
        await runner.run_async()
    finally:
        runner.close()
