"""What an analyst sees in a notebook beyond the report: each risk's score built step by step, and
thresholds tried through a parameter, checked and said on the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from riskbook import stages
from riskbook.core.errors import ParamError
from riskbook.demo import company as demo
from riskbook.display import explore
from riskbook.stages import trial
from riskbook.stages.unit import open_unit
from tests.conftest import demo_company

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("explore")
    return demo_company(root / "params", demo.generate(root / "demo"))  # with its register: overrides, controls


def last_number(text: str) -> int:
    return int(re.findall(r"→ (\d)", text)[-1])


def test_each_score_is_built_in_steps_an_analyst_can_check(data: Path, tmp_path: Path) -> None:
    u = open_unit("east", "2026Q3", "en", None, str(data), tmp_path)
    ident, risks = stages.identification(u), stages.assessment(u).risks
    s = explore.scoring(risks, ident.present, u.settings)
    live = risks[risks["movement"] != "closed"].set_index("id")
    assert list(s.index) == list(live.index)
    checked = 0
    for rid, r in s.iterrows():
        assert r.score == r.likelihood * r.impact == live.loc[rid, "score"]
        assert r.residual_score == live.loc[rid, "residual_score"]
        if r.likelihood_rule == "set in the register":
            continue
        model_l, model_i = int(live.loc[rid, "model_likelihood"]), int(live.loc[rid, "model_impact"])
        assert last_number(r.likelihood_rule) == model_l and last_number(r.impact_rule) == model_i
        pct = float(r.pct_of_revenue)  # impact by hand: bands at 1, 3, 7 and 15 % of revenue
        assert model_i == (1 if pct < 1 else 2 if pct < 3 else 3 if pct < 7 else 4 if pct < 15 else 5)
        assert ("red → 4" in r.likelihood_rule) == (
            ident.kris.set_index("id").loc[r.kris.split()[0], "status"] == "red"
        )
        checked += 1
    assert checked >= 2
    assert s.loc["R-FIN-02", "override"].startswith("5×5 → 3×5: ")  # the analyst's override, with its reason
    assert s.loc["R-FIN-01", "controls_take_off"] == "likelihood −1, impact −2"
    html = explore.styled(s).to_html()
    assert "background-color: #ef8a80" in html  # critical in its band's colour


def test_thresholds_tried_in_a_notebook_change_the_status_and_say_so(data: Path, tmp_path: Path) -> None:
    base = open_unit("east", "2026Q3", "en", None, str(data), tmp_path)
    tried = open_unit("east", "2026Q3", "en", None, str(data), tmp_path, thresholds={"dso": {"amber": 100, "red": 120}})
    before = stages.identification(base).kris.set_index("id").loc["dso"]
    after = stages.identification(tried).kris.set_index("id").loc["dso"]
    assert before.status == "red" and before.value < 100
    assert after.status == "green" and (after.amber, after.red) == (100, 120) and after.value == before.value
    assert tried.key != base.key  # a stage saved under the unit's own thresholds is not read under the trial
    assert trial.said(tried.settings) == "dso amber 100 / red 120" and trial.said(base.settings) == ""
    with pytest.raises(ParamError) as bad:
        open_unit("east", "2026Q3", "en", None, str(data), tmp_path, thresholds={"dso": {"amber": 130, "red": 120}})
    assert "thresholds parameter: thresholds.dso: amber 130 and red 120 are in the wrong order" in str(bad.value)
    with pytest.raises(ParamError, match="did you mean 'dso'"):
        open_unit("east", "2026Q3", "en", None, str(data), tmp_path, thresholds={"dsoo": {"amber": 1, "red": 2}})
