"""The demo company's exports, made once for the watch tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskbook.demo import company as demo


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    return demo.generate(tmp_path_factory.mktemp("watch") / "demo")
