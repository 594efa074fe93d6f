"""Money at risk never exceeds the money: each pool is bounded by what it measures, and a unit's total by its
revenue at its usual pace plus what its customers owe — on the demo and on companies of other shapes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from riskbook import stages
from riskbook.demo import company as demo
from riskbook.demo import shapes
from riskbook.ingest import store
from riskbook.risks import BY_ID, discount_given, open_receivables, pace
from riskbook.stages.summarise import money_breakdown, money_limit
from riskbook.stages.unit import open_unit

PERIODS = ("2026Q3", "2026-09", "2025", "2026Q2")


@pytest.fixture(scope="module")
def companies(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("money")
    return {
        "demo": demo.generate(root / "demo"),
        "shapes": shapes.generate(root / "shapes"),
        "shapes cut mid-September": shapes.generate(root / "cut", cut="2026-09-15"),
        "shapes with a thin September": shapes.generate(root / "thin", thin="2026-09"),
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", ["demo", "shapes", "shapes cut mid-September", "shapes with a thin September"])
def test_money_at_risk_never_exceeds_the_money(companies: dict[str, Path], tmp_path: Path, name: str) -> None:
    data, seen = companies[name], 0
    units = store.read_meta(store.ingest(data, root=tmp_path / "store"))["units"]
    for unit in units:
        for period in PERIODS:
            u = open_unit(unit, period, "en", str(data), None, tmp_path / "out")
            if u.no_data:
                continue
            risks = stages.assessment(u).risks
            money = money_breakdown(risks, money_limit(u.ctx))  # as the summary counts it
            total = float(money["exposure"].sum())
            revenue, owed = u.ctx.revenue(), open_receivables(u.ctx)
            assert pace(u.ctx) >= revenue
            assert total <= pace(u.ctx) + owed + 0.01, (unit, period, money)
            live = risks[risks["movement"] != "closed"].set_index("id")
            if "R-FIN-01" in live.index:
                assert live.loc["R-FIN-01", "exposure"] <= owed + 0.01
            for rid in ("R-MKT-02", "R-CMP-01"):
                if rid in live.index:
                    assert live.loc[rid, "exposure"] <= discount_given(u.ctx) + 0.01, (unit, period, rid)
            for rid in live.index:
                if BY_ID.get(rid) and BY_ID[rid].pool == "revenue":
                    assert live.loc[rid, "exposure"] <= pace(u.ctx) + 0.01, (unit, period, rid)
            seen += total > 0
    assert seen or name != "demo"


@pytest.mark.slow  # builds the demo and shapes companies (18 s)
def test_the_price_war_counts_the_discount_given_away_not_the_deals_lost(companies, tmp_path: Path) -> None:
    """North's price war: the money at risk is the discount beyond normal depth (it added the rise in deals
    lost to competitors, 126.8M against a quarter's revenue of 22.6M in one real unit); the unapproved
    discounts count only beyond the 20 % approval limit."""
    u = open_unit("north", "2026Q3", "en", str(companies["demo"]), None, tmp_path)
    risks = stages.assessment(u).risks.set_index("id")
    d = u.ctx.completed
    d = d[(d["order_date"] >= "2026-07-01") & (d["order_date"] <= "2026-09-30") & (d["list_price"] > 0)]
    qty = d["quantity"].fillna(1.0)
    disc = 1 - d["unit_price"] / d["list_price"]
    beyond_depth = ((disc - 0.15).clip(lower=0) * d["list_price"] * qty).sum()
    assert risks.loc["R-MKT-02", "exposure"] == pytest.approx(beyond_depth, rel=1e-6)
    unapproved = (disc > 0.2 + 1e-9) & ~d["discount_approved"].fillna(False).astype(bool)
    beyond_limit = ((disc - 0.2)[unapproved] * d["list_price"][unapproved] * qty[unapproved]).sum()
    assert risks.loc["R-CMP-01", "exposure"] == pytest.approx(beyond_limit, rel=1e-6)
    whole = ((d["list_price"] - d["unit_price"]) * qty)[unapproved].sum()
    assert beyond_limit < whole  # what the old rule counted


def test_overlapping_pools_are_capped_and_say_so() -> None:
    risks = pd.DataFrame(
        {
            "id": ["R-MKT-01", "R-OPS-02"],
            "title": ["Demand decline and volatility", "Thin pipeline"],
            "title_zh": ["需求下滑与波动", "商机储备不足"],
            "exposure": [800.0, 700.0],
            "movement": ["new", "new"],
        }
    )
    m = money_breakdown(risks, limit=1000.0)
    assert list(m["pool"]) == ["revenue", "pipeline", "overlap"]
    assert m["exposure"].sum() == pytest.approx(1000.0) and m["exposure"].iloc[-1] == pytest.approx(-500.0)
    assert money_breakdown(risks, limit=2000.0)["exposure"].sum() == pytest.approx(1500.0)  # under: as is


def test_the_headline_counts_risks_in_words() -> None:
    from riskbook.stages.summarise import headline

    kris = pd.DataFrame({"id": ["dso"], "status": ["red"]})
    risks = pd.DataFrame(
        {
            "id": ["R-FIN-01"],
            "title": ["Receivables and bad debt"],
            "title_zh": ["应收账款与坏账"],
            "exposure": [1.2e6],
            "movement": ["new"],
            "rating": ["high"],
        }
    )
    line = headline(kris, risks, "CNY")
    assert line.startswith("1 red and 0 amber KRIs; 1 risk identified, 1 rated high or critical")
    two = headline(kris, pd.concat([risks, risks.assign(id="R-FIN-02")]), "CNY")
    assert "; 2 risks identified" in two


@pytest.mark.slow  # builds the demo and shapes companies (18 s)
def test_a_balances_impact_is_the_same_in_a_month_and_a_quarter_ending_on_one_day(companies, tmp_path: Path) -> None:
    """East's overdue receivables read 59.3 % of revenue in its month report and a quarter of that in the
    quarter's: a balance at period end was set against one period's revenue. It is set against the revenue of
    the three months to that day in both: one share, one impact."""
    rows = []
    for period in ("2026-09", "2026Q3"):
        u = open_unit("east", period, "en", str(companies["demo"]), None, tmp_path / period)
        rows.append(stages.assessment(u).risks.set_index("id").loc["R-FIN-01"])
    month, quarter = rows
    assert month["exposure"] == pytest.approx(quarter["exposure"])
    assert month["exposure_pct"] == pytest.approx(quarter["exposure_pct"]) and month["impact"] == quarter["impact"]
