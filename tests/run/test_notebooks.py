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
    assert {p["inferred_type_name"] for p in params.values()} <= {
        "str",
        "Optional[str]",
        "Optional[dict]",
    }  # plain, not quoted
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


@pytest.mark.slow
def test_an_executed_notebook_reads_in_its_language_and_runs_again_after_its_run(company: str, tmp_path: Path) -> None:
    """The notebook a run leaves beside a Chinese report holds the Chinese prose only, and an analyst who
    opens it later and runs every cell (the run's plan long gone) gets the same report: the run wrote its
    period, language, company file and outputs folder into the notebook's parameters."""
    import nbformat
    from nbclient import NotebookClient

    from riskbook import cli

    out = tmp_path / "out"
    args = ["run", "--config", company, "--out", str(out), "--unit", "east", "--lang", "zh"]
    assert cli.main(args) == 0
    path = out / "2026Q3" / "east" / "02_assessment.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    tags = [t for c in nb.cells for t in c.get("metadata", {}).get("tags", []) if t.startswith("lang-")]
    assert tags and set(tags) == {"lang-zh"}
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    plan_file = Path(injected.source.split('plan = "')[1].split('"')[0])
    assert not plan_file.exists()  # the run's staging folder is gone
    assert 'period = "2026Q3"' in injected.source and 'lang = "zh"' in injected.source
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(config.NOTEBOOKS_DIR)}}).execute()
    html = "".join(
        "".join(o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert (
        "R-FIN-01" in html
        and "应收账款与坏账" in html
        and not any(o.get("ename") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    )


@pytest.mark.slow
def test_an_analyst_tries_a_threshold_and_sees_each_score_built(tmp_path: Path) -> None:
    """The thresholds parameter reaches the page (DSO green under a trial amber of 100 days, the trial said
    at the top) and results.json, written to the unit's trial/ folder, not over its report; the assessment
    notebook shows each score's steps as a table the report leaves out."""
    import html

    from riskbook.render.notebook import body

    trial = {"dso": {"amber": 100, "red": 120}}
    for name in ("01_identification", "02_assessment", "04_summary"):
        pm.execute_notebook(
            str(config.NOTEBOOKS_DIR / f"{name}.ipynb"),
            str(tmp_path / f"{name}.ipynb"),
            parameters={"out_dir": str(tmp_path), "thresholds": trial},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(config.NOTEBOOKS_DIR),
        )
    ident = html.unescape(body(tmp_path / "01_identification.ipynb", "en"))
    assert "Trial thresholds from this notebook's parameters, not the unit's settings: dso amber 100 / red 120" in ident
    page = body(tmp_path / "02_assessment.ipynb", "en")
    nb = (tmp_path / "02_assessment.ipynb").read_text(encoding="utf-8")
    assert "likelihood_rule" in nb and "worst KRI red → 4" in nb and "% of revenue" in nb
    assert "likelihood_rule" not in page and "Trial thresholds" in page  # the steps are for the analyst only
    # the trial's results go beside the report, never over it
    unit_dir = tmp_path / "2026Q3" / "east"
    assert not (unit_dir / "results.json").exists() and not list(unit_dir.glob("stages/*"))
    tried = {k["id"]: k for k in read_results(unit_dir / "trial" / "results.json")["kris"]}
    assert tried["dso"]["thresholds"] == {"amber": 100, "red": 120} and tried["dso"]["status"] == "green"
