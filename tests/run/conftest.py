"""The demo pack, built once per session and read by every module of tests/run that needs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskbook import cli
from riskbook.demo import company as demo
from tests.conftest import demo_company

PERIOD = "2026Q3"


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    return demo.generate(tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture(scope="session")
def truth(demo_dir: Path) -> dict:
    return json.loads((demo_dir / "ground_truth.json").read_text())


@pytest.fixture(scope="session")
def company(demo_dir: Path, tmp_path_factory) -> str:
    """The demo company's file with its data pointing at this session's demo folder."""
    return str(demo_company(tmp_path_factory.mktemp("company") / "params", demo_dir))


@pytest.fixture(scope="session")
def pack(company: str, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    code = cli.main(["run", "--config", company, "--out", str(out), "--jobs", "2"])
    assert code == 0
    return out / PERIOD


@pytest.fixture(scope="session")
def pack_zh(company: str, tmp_path_factory) -> Path:
    """East and the group in Chinese."""
    out = tmp_path_factory.mktemp("outputs_zh")
    assert cli.main(["run", "--config", company, "--out", str(out), "--unit", "east", "--lang", "zh"]) == 0
    return out / PERIOD
