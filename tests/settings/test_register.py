"""The analysts' register and per-unit parameters, end to end."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from riskbook import cli
from riskbook import kris as K
from riskbook.core import config
from riskbook.core.errors import ParamError
from riskbook.settings.register import load_register
from riskbook.settings.register_import import code_of
from riskbook.stages.unit import open_unit
from tests.conftest import read_results

REGISTER = """risks:
  R-FIN-01:
    owner: Ann Analyst
    response: transfer
    override: {likelihood: 2, impact: 3, reason: Receivables insured since 2026-09-01}
added:
  - id: R-ADD-09
    family: operational
    title: Warehouse lease ends in March
    likelihood: 4
    impact: 3
    exposure: 1000000
    owner: Bo Ops
    actions:
      - {action: Sign a new lease, owner: Bo Ops, due: 2026-01-31, status: open}
"""


@pytest.fixture
def params(tmp_path: Path, demo_data: Path) -> Path:
    p = tmp_path / "params"
    shutil.copytree(config.PARAMS_DIR, p)
    company = (p / "company.yaml").read_text().replace("data: null", f"data: {demo_data}")
    (p / "company.yaml").write_text(company)
    return p


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory) -> Path:
    from riskbook.demo import company as demo

    return demo.generate(tmp_path_factory.mktemp("demo") / "data")


@pytest.mark.slow
def test_override_and_added_risk_everywhere(params: Path, tmp_path: Path) -> None:
    (params / "register" / "east.yaml").write_text(REGISTER)
    out = tmp_path / "out"
    assert cli.main(["run", "--config", str(params / "company.yaml"), "--out", str(out), "--unit", "east"]) == 0
    d = out / "2026Q3" / "east"
    risks = {r["id"]: r for r in read_results(d / "results.json")["risks"]}
    fin = risks["R-FIN-01"]
    assert (fin["likelihood"], fin["impact"], fin["score"], fin["rating"]) == (2, 3, 6, "medium")
    assert fin["override"]["reason"] == "Receivables insured since 2026-09-01"
    assert fin["override"]["model_likelihood"] == 5 and fin["owner"] == "Ann Analyst"
    added = risks["R-ADD-09"]
    assert (added["score"], added["source"], added["exposure"]) == (12, "analyst", 1000000)
    assert added["actions"][0]["action"] == "Sign a new lease"
    # the assessment and summary show them, the override as an override
    assessment = (d / "02_assessment.html").read_text()
    assert "Receivables insured since 2026-09-01" in assessment and "Warehouse lease ends in March" in assessment
    summary = (d / "04_summary.html").read_text()
    assert "R-ADD-09" in summary and "overdue" in summary  # its action was due 2026-01-31
    wb = load_workbook(d / "east_2026Q3_risk_register.xlsx", read_only=True)
    rows = list(wb["Register"].iter_rows(values_only=True))
    head = [code_of(h) for h in rows[0]]
    by_id = {r[head.index("id")]: r for r in rows[1:]}
    assert by_id["R-FIN-01"][head.index("override_reason")] == "Receivables insured since 2026-09-01"
    assert by_id["R-ADD-09"][head.index("source")] == "analyst"


@pytest.mark.parametrize(
    "text,message",
    [
        ("risks:\n  R-FIN-01:\n    override: {likelihood: 5}\n", "override needs a reason"),
        ("risks:\n  R-FIN-01:\n    override: {likelihood: 7, reason: x}\n", "whole number from 1 to 5"),
        ("risks:\n  R-FIN-01:\n    response: ignore\n", "response must be one of"),
        ("added:\n  - {id: R-X, title: t, family: weather, likelihood: 2, impact: 2}\n", "family must be one of"),
    ],
)
def test_register_errors(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "register").mkdir()
    (tmp_path / "register" / "east.yaml").write_text(text)
    with pytest.raises(ParamError, match=message):
        load_register("east", tmp_path)


def test_unit_threshold_changes_only_that_unit(params: Path, tmp_path: Path) -> None:
    def statuses() -> dict[str, dict[str, str]]:
        out = {}
        for unit in ("east", "west"):
            u = open_unit(unit, "2026Q3", "en", None, str(params / "company.yaml"), tmp_path / "o")
            out[unit] = dict(zip(*K.compute(u.ctx)[["id", "status"]].T.values))
        return out

    before = statuses()
    assert before["east"]["dso"] == "red"
    (params / "units" / "east.yaml").write_text("name: {en: East}\nkri:\n  dso: {amber: 400, red: 500}\n")
    after = statuses()
    assert after["east"]["dso"] == "green"
    assert {k: v for k, v in after["east"].items() if k != "dso"} == {
        k: v for k, v in before["east"].items() if k != "dso"
    }
    assert after["west"] == before["west"]
