"""The notebooks as analysts use them: clean in git, typed parameters, runnable with their defaults."""

from __future__ import annotations

import json
from pathlib import Path

import papermill as pm
import pytest

from riskbook.core import config
from tests.conftest import read_results

NOTEBOOKS = [*config.STAGES, config.PORTFOLIO]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs_and_with_a_parameters_cell(name: str) -> None:
    nb = json.loads((config.NOTEBOOKS_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and not c.get("execution_count") for c in code)
    assert "parameters" in code[0]["metadata"].get("tags", [])
    params = pm.inspect_notebook(str(config.NOTEBOOKS_DIR / f"{name}.ipynb"))
    assert {"plan", "period", "lang", "data", "config", "out_dir"} <= set(params)
    assert all(p["help"] for p in params.values()), "every parameter is commented"
    src = "".join("".join(c["source"]) for c in code)
    assert "sys.path" not in src and "class " not in src and "def " not in src, "logic lives in riskbook"


def run_as_analyst(name: str, out: Path, out_dir: Path) -> None:
    """Run notebook ``name`` as it is, with its default parameters; only the outputs go to ``out_dir``."""
    pm.execute_notebook(
        str(config.NOTEBOOKS_DIR / f"{name}.ipynb"),
        str(out),
        parameters={"out_dir": str(out_dir)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(config.NOTEBOOKS_DIR),
    )


@pytest.mark.slow
def test_stages_run_top_to_bottom_with_default_parameters(tmp_path: Path) -> None:
    """What an analyst does in `make lab`: run each notebook as it is (only the outputs go elsewhere)."""
    for name in config.STAGES:
        out = tmp_path / f"{name}.ipynb"
        run_as_analyst(name, out, tmp_path)
    results = read_results(tmp_path / "2026Q3" / "east" / "results.json")
    assert results["unit"] == "east" and results["period"] == "2026Q3"
    assert any(r["id"] == "R-FIN-01" for r in results["risks"])
    summary = (tmp_path / "04_summary.ipynb").read_text()
    assert "Executive summary" in summary and "R-FIN-01" in summary


@pytest.mark.slow
@pytest.mark.parametrize("name", config.STAGES[1:])
def test_each_stage_runs_alone_on_a_fresh_clone(name: str, tmp_path: Path) -> None:
    """An analyst opens a later stage first (no earlier notebook run, nothing saved): it computes what it
    reads in process, says so, and builds the report (the summary's results.json, alone)."""
    out = tmp_path / f"{name}.ipynb"
    run_as_analyst(name, out, tmp_path)
    text = out.read_text(encoding="utf-8")
    assert "no up-to-date identification result for east 2026Q3: computing it here" in text
    assert "run notebooks/identification.ipynb" not in text
    if name == "04_summary":
        alone = read_results(tmp_path / "2026Q3" / "east" / "results.json")
        assert any(r["id"] == "R-FIN-01" and r["rating"] in ("high", "critical") for r in alone["risks"])
