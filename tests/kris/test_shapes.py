"""Judgement on businesses unlike the demo (riskbook.demo.shapes): a healthy web shop, resellers, a project
business, subscriptions and a wholesaler raise no red KRI and no risk above medium in a quarter, a month or a
year report; the unit in real decline stays red and high."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskbook import stages
from riskbook.demo import shapes
from riskbook.ingest import store
from riskbook.stages.unit import open_unit

pytestmark = pytest.mark.slow  # a company of six units judged in a quarter, a month and a year: a minute

PERIODS = ("2026Q3", "2026-09", "2025")


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Path:
    return shapes.generate(tmp_path_factory.mktemp("shapes") / "data")


@pytest.fixture(scope="module")
def cut(tmp_path_factory) -> Path:
    """The same company exported on 15 September 2026."""
    return shapes.generate(tmp_path_factory.mktemp("shapes") / "data", cut="2026-09-15")


@pytest.fixture(scope="module")
def thin(tmp_path_factory) -> Path:
    """The same company from an ERP that holds one September order in thirty (keyed late), its last days
    included: the data reaches the quarter's end, but its last month is a fraction of a month."""
    return shapes.generate(tmp_path_factory.mktemp("shapes") / "data", thin="2026-09")


@pytest.fixture(scope="module")
def no_exit_dates(tmp_path_factory) -> Path:
    return shapes.generate(tmp_path_factory.mktemp("shapes") / "data", exit_dates=False)


def _judged(data: Path, unit: str, period: str, out: Path):
    u = open_unit(unit, period, "en", str(data), None, out)
    ident = stages.identification(u)
    return u, ident.kris, stages.assessment(u).risks


def _verdict(kris, risks) -> str:
    bad = kris[kris["status"] == "red"]
    high = risks[(risks["movement"] != "closed") & risks["rating"].isin(["high", "critical"])]
    return "\n".join(
        [f"red {r.id} = {r.value:.4g} (prev {r.previous}) {r.reason or ''}" for r in bad.itertuples()]
        + [f"risk {r.id} {r.rating} {r.score} exposure {r.exposure:,.0f}" for r in high.itertuples()]
    )


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("unit", shapes.HEALTHY)
def test_a_healthy_business_of_any_shape_raises_no_red(company: Path, tmp_path: Path, unit: str, period: str) -> None:
    _, kris, risks = _judged(company, unit, period, tmp_path)
    assert _verdict(kris, risks) == ""
    assert (kris["status"] != "n/a").sum() >= 8  # judged on real values, not left n/a


@pytest.mark.parametrize("period", ("2026Q3", "2026-09"))
def test_a_unit_in_real_decline_stays_red_and_high(company: Path, tmp_path: Path, period: str) -> None:
    _, kris, risks = _judged(company, "declining", period, tmp_path)
    status = kris.set_index("id")["status"]
    assert status["revenue_churn_rate"] == "red" and status["overdue_90_ratio"] == "red"
    if period == "2026Q3":
        assert status["revenue_growth"] == "red"
    live = risks[risks["movement"] != "closed"].set_index("id")
    assert {"R-CUS-01", "R-FIN-01"} <= set(live.index)
    assert live.loc["R-CUS-01", "rating"] in ("high", "critical")


def test_web_shoppers_are_judged_as_web_shoppers(company: Path, tmp_path: Path) -> None:
    """Most of the web shop's customers buy once at catalogue prices: churn is over its regulars, with the
    one-off buyers said apart, and Benford's law is n/a with the share of repeated prices."""
    _, kris, _ = _judged(company, "web", "2026Q3", tmp_path)
    k = kris.set_index("id")
    assert k.loc["customer_churn_rate", "value"] < 15
    assert "one-off buyers" in k.loc["customer_churn_rate", "reason"]
    assert k.loc["benford_mad", "status"] == "n/a"
    assert "repeat an exact amount" in k.loc["benford_mad", "reason"]
    for kid in ("rep_attrition_rate", "pipeline_coverage", "win_rate"):  # no reps, no opportunities: n/a, not 0
        assert k.loc[kid, "status"] == "n/a" and "the unit has no rows" in k.loc[kid, "reason"], kid


def test_monthly_batches_are_the_resellers_rhythm(company: Path, tmp_path: Path) -> None:
    """Resellers order once a month: weekly volatility is far above the red threshold in every quarter,
    and reported as usual for the unit with its range, not as a breach."""
    _, kris, _ = _judged(company, "reseller", "2026Q3", tmp_path)
    cv = kris.set_index("id").loc["sales_volatility_cv"]
    assert cv["value"] > cv["red"]
    assert cv["status"] == "green" and cv["reason"].startswith("usual for this unit: within its range over the 7")


def test_a_reps_table_without_exit_dates_is_na_not_green(no_exit_dates: Path, tmp_path: Path) -> None:
    for unit in ("wholesale", "projects"):
        _, kris, risks = _judged(no_exit_dates, unit, "2026Q3", tmp_path)
        k = kris.set_index("id")
        for kid in ("rep_attrition_rate", "orphaned_revenue_share"):
            assert k.loc[kid, "status"] == "n/a" and k.loc[kid, "reason"] == "reps has no exit_date column"
        assert _verdict(kris, risks) == ""


def test_the_store_reads_the_generated_tables(company: Path, tmp_path: Path) -> None:
    meta = store.read_meta(store.ingest(company, root=tmp_path / "store"))
    assert meta["units"] == sorted(shapes.UNITS)
    assert (meta["first_date"], meta["last_date"]) == ("2023-01-01", "2026-09-30")


@pytest.mark.parametrize("variant", ["cut", "thin"])
def test_the_default_period_is_the_latest_complete_one(request, tmp_path: Path, variant: str) -> None:
    data = request.getfixturevalue(variant)
    u = open_unit("wholesale", None, "en", str(data), None, tmp_path)
    assert str(u.period) == "2026Q2" and u.period_complete


@pytest.mark.parametrize("period", ("2026Q3", "2026-09", "2026"))
@pytest.mark.parametrize("variant", ["cut", "thin"])
@pytest.mark.parametrize("unit", shapes.HEALTHY)
def test_a_partial_period_is_built_marked_and_raises_no_false_red(
    request, tmp_path: Path, variant: str, unit: str, period: str
) -> None:
    data = request.getfixturevalue(variant)
    u, kris, risks = _judged(data, unit, period, tmp_path)
    assert not u.period_complete
    assert _verdict(kris, risks) == ""
    k = kris.set_index("id")
    assert k.loc["customer_churn_rate", "status"] == "n/a"
    if not u.no_data:  # resellers order in the month's last week: by 15 September, September has no order
        assert k.loc["customer_churn_rate", "reason"].startswith("the period is partial")


def test_a_cut_export_compares_growth_like_for_like(cut: Path, tmp_path: Path) -> None:
    """Exported on 15 September: 2026Q3's growth is 1 July to 15 September against the same 76 days of
    2026Q2, and the summary says the period is partial, data through 15 September."""
    u, kris, _ = _judged(cut, "wholesale", "2026Q3", tmp_path)
    g = kris.set_index("id").loc["revenue_growth"]
    assert g["reason"].startswith("like for like: 2026-07-01 to 2026-09-15 against 2026-04-01 to 2026-06-16")
    o = u.ctx.completed
    now = o[(o["order_date"] >= "2026-07-01") & (o["order_date"] <= "2026-09-15")]["amount"].sum()
    base = o[(o["order_date"] >= "2026-04-01") & (o["order_date"] <= "2026-06-16")]["amount"].sum()
    assert g["value"] == pytest.approx((now / base - 1) * 100, abs=1e-4)
    assert u.data_through == "2026-09-15"
    s = stages.summary(u)
    assert (s.data_through, s.period_complete) == ("2026-09-15", False)
    assert s.partial.startswith("Partial period: the data runs through 2026-09-15")


def test_a_thin_last_month_is_said_and_not_compared(thin: Path, tmp_path: Path) -> None:
    u, kris, _ = _judged(thin, "wholesale", "2026Q3", tmp_path)
    g = kris.set_index("id").loc["revenue_growth"]
    assert g["status"] == "n/a" and g["reason"].startswith("the period is partial: its last month, 2026-09, holds")
    assert u.data_through == "2026-09-30" and not u.period_complete


def test_the_report_of_a_partial_period_says_so(cut: Path, tmp_path: Path) -> None:
    """The PDF's cover and summary give the data's last day and the day the report was prepared as two facts,
    and say the period is partial; results.json carries the same."""
    import json
    import subprocess

    from riskbook import cli

    out = tmp_path / "out"
    args = ["run", "--data", str(cut), "--out", str(out), "--unit", "wholesale", "--period", "2026Q3"]
    assert cli.main(args) == 0
    d = out / "2026Q3" / "wholesale"
    text = subprocess.run(
        ["pdftotext", "-layout", str(d / "wholesale_2026Q3_risk_report.pdf"), "-"], capture_output=True, text=True
    ).stdout
    cover = text.split("\f")[0]
    assert "2026-09-15 · partial period" in cover and "Prepared" in cover and "Data as at" not in cover
    words = " ".join(text.split())  # the summary's facts line may wrap: read it whole
    assert "Data through 2026-09-15 · partial period · Prepared " in words  # the summary's facts
    assert text.count("Partial period: the data runs through 2026-09-15") >= 4  # the summary and each stage
    doc = json.loads((d / "results.json").read_text(encoding="utf-8"))
    assert (doc["data_through"], doc["period_complete"]) == ("2026-09-15", False)
    assert doc["money_at_risk"] == {"total": 0.0, "pools": []}
