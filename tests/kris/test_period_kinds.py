"""Month and year reports: thresholds fitted to the period's length, short windows widened, no false reds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from riskbook import cli
from riskbook import kris as K
from riskbook.core.errors import ParamError
from riskbook.core.periods import Period
from riskbook.demo import company as demo
from riskbook.ingest import store
from riskbook.kris import Context
from riskbook.settings.validate import check_company


def test_counts_scale_with_the_period_and_coverage_inversely() -> None:
    incidents, coverage, dso = (K.REGISTRY[i] for i in ("incident_count", "pipeline_coverage", "dso"))
    # a quarter's 8 / 15 severity points: a third of that in a month, four times that in a year
    assert (K.thresholds(incidents, {}, "M")["amber"], K.thresholds(incidents, {}, "M")["red"]) == (2.67, 5)
    assert (K.thresholds(incidents, {}, "Y")["amber"], K.thresholds(incidents, {}, "Y")["red"]) == (32, 60)
    # pipeline against the next period's quota: a month's quota is a third of a quarter's, a year's four times
    assert (K.thresholds(coverage, {}, "M")["amber"], K.thresholds(coverage, {}, "M")["red"]) == (9, 6)
    assert (K.thresholds(coverage, {}, "Y")["amber"], K.thresholds(coverage, {}, "Y")["red"]) == (0.75, 0.5)
    # a level (days of sales outstanding) does not depend on the period's length
    assert (
        K.thresholds(dso, {}, "Y")
        == K.thresholds(dso, {}, "Q")
        == {
            "amber": 45,
            "red": 60,
            "direction": "up",
            "rule": "both",
        }
    )


def test_a_kinds_own_thresholds_win_and_the_quarters_override_is_scaled() -> None:
    params = {"kri": {"incident_count": {"amber": 6, "red": 12, "year": {"amber": 20, "red": 40}}}}
    k = K.REGISTRY["incident_count"]
    assert K.thresholds(k, params, "Y") == {"amber": 20, "red": 40, "direction": "up", "rule": "threshold"}
    assert K.thresholds(k, params, "M") == {"amber": 2, "red": 4, "direction": "up", "rule": "threshold"}
    assert K.thresholds(k, params, "Q") == {"amber": 6, "red": 12, "direction": "up", "rule": "threshold"}


def test_a_kinds_thresholds_are_checked(tmp_path: Path) -> None:
    check_company({"kri": {"incident_count": {"year": {"amber": 20, "red": 40}}}}, tmp_path / "c.yaml")
    with pytest.raises(ParamError, match=r"kri\.incident_count\.year: amber 40 and red 20 are in the wrong order"):
        check_company({"kri": {"incident_count": {"year": {"amber": 40, "red": 20}}}}, tmp_path / "c.yaml")
    with pytest.raises(ParamError, match=r"kri\.incident_count\.yaer: unknown key — did you mean 'year'"):
        check_company({"kri": {"incident_count": {"yaer": {"amber": 20, "red": 40}}}}, tmp_path / "c.yaml")
    with pytest.raises(ParamError, match=r"kri\.dso\.month: give both amber and red"):
        check_company({"kri": {"dso": {"month": {"amber": 20}}}}, tmp_path / "c.yaml")


def test_a_month_measures_churn_and_attrition_over_the_three_months_to_date(tiny_ctx: Context) -> None:
    """September 2026 of the tiny company. Month on month, churn would be 100 %: C bought in August, not in
    September. Over July–September against April–June it is B alone of A, B and C: the quarter's 1/3, and
    attrition is a year's turnover: r4 and r1 left in the 12 months to date, against a headcount of 3, then 2."""
    tiny_ctx.settings = {"churn": {"customers": "all"}}
    sep = tiny_ctx.at(Period.parse("2026-09"))
    assert K.evaluate(K.REGISTRY["customer_churn_rate"], sep)[0] == pytest.approx(100 / 3)
    assert K.evaluate(K.REGISTRY["revenue_churn_rate"], sep)[0] == pytest.approx(500 / 1800 * 100)
    assert K.evaluate(K.REGISTRY["rep_attrition_rate"], sep)[0] == pytest.approx(2 / 2.5 * 100)
    row = K.compute(sep, ["customer_churn_rate"]).iloc[0]
    assert row["reason"] == "measured over the 3 months to 2026-09-30"
    # a KRI that is not widened keeps the month: revenue growth September vs August = 300 / 100 − 1
    assert K.evaluate(K.REGISTRY["revenue_growth"], sep)[0] == pytest.approx(200.0)


def test_a_span_of_months_is_its_own_period() -> None:
    span = Period.parse("2026-08").span(3)
    assert (span.start, span.end, str(span)) == (
        pd.Timestamp("2026-06-01"),
        pd.Timestamp("2026-08-31"),
        "2026-06..2026-08",
    )
    assert span.previous.start == pd.Timestamp("2026-03-01")
    assert Period.parse("2026-09").span(3) == Period.parse("2026Q3")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    data = demo.generate(tmp_path_factory.mktemp("demo") / "data")
    return store.ingest(data, root=tmp_path_factory.mktemp("store"))


@pytest.mark.parametrize("period", ["2026-09", "2026Q3", "2025"])
def test_the_demos_healthy_unit_has_no_red_in_a_month_quarter_or_year(demo_store: Path, period: str) -> None:
    meta = store.read_meta(demo_store)
    ctx = Context(
        store.load_unit(demo_store, "west"),
        Period.parse(period),
        {},
        pd.Timestamp(meta["first_date"]),
        as_of=pd.Timestamp(meta["as_of"]),
    )
    k = K.compute(ctx)
    red = k[k["status"] == "red"]
    assert red.empty, red[["id", "value", "amber", "red"]].to_string()
    assert (k["status"] != "n/a").sum() >= 20  # the KRIs were computed, not skipped


def test_the_injected_risks_still_show_in_a_month(demo_store: Path) -> None:
    """Widening churn and attrition to three months hides no real risk: south's rep exodus and key accounts'
    customer losses are red in September 2026 too."""
    meta = store.read_meta(demo_store)
    for unit, kri in (("south", "rep_attrition_rate"), ("key_accounts", "revenue_churn_rate")):
        ctx = Context(
            store.load_unit(demo_store, unit),
            Period.parse("2026-09"),
            {},
            pd.Timestamp(meta["first_date"]),
            as_of=pd.Timestamp(meta["as_of"]),
        )
        assert K.compute(ctx, [kri]).iloc[0]["status"] == "red", (unit, kri)


def test_kri_list_shows_a_period_kinds_thresholds(capsys) -> None:
    assert cli.main(["kri", "list", "--period-kind", "year"]) == 0
    out = capsys.readouterr().out.splitlines()[1:]
    lines = {line.split()[0]: line.split() for line in out if line and not line.startswith(" ")}
    assert lines["pipeline_coverage"][3:5] == ["0.75", "0.5"]
    assert lines["incident_count"][3:5] == ["32", "60"]
    assert lines["dso"][3:5] == ["45", "60"]
    assert cli.main(["kri", "list", "--period-kind", "month"]) == 0
    out = capsys.readouterr().out
    assert "Customer churn rate (3 months to date)" in out


def test_kri_list_says_where_each_kri_applies_whom_it_counts_and_its_rule(capsys, tmp_path: Path) -> None:
    assert cli.main(["kri", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    row = {line.split()[0]: i for i, line in enumerate(out) if line and not line.startswith(" ")}
    assert out[row["sales_volatility_cv"]].split()[6] == "both"
    assert out[row["overdue_90_ratio"]].split()[6] == "threshold"
    assert "free-form amounts" in out[row["benford_mad"] + 1]
    assert "counts recurring customers" in out[row["customer_churn_rate"] + 1]
    assert "units with rows in the reps table (with hire_date, exit_date)" in out[row["rep_attrition_rate"] + 1]
    cfg = tmp_path / "company.yaml"  # a company's own rule for a KRI
    cfg.write_text("company: X\nkri:\n  sales_volatility_cv: {rule: threshold}\n", encoding="utf-8")
    assert cli.main(["kri", "list", "--config", str(cfg)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("sales_volatility_cv"))
    assert line.split()[6] == "threshold"


def test_a_rule_and_a_churn_population_are_checked(tmp_path: Path) -> None:
    check_company({"kri": {"dso": {"rule": "threshold"}}, "churn": {"customers": "all"}}, tmp_path / "c.yaml")
    with pytest.raises(ParamError, match=r"kri\.dso\.rule: must be one of \['threshold', 'both', 'baseline'\]"):
        check_company({"kri": {"dso": {"rule": "sometimes"}}}, tmp_path / "c.yaml")
    with pytest.raises(ParamError, match=r"churn\.customers: must be one of \['recurring', 'all'\]"):
        check_company({"churn": {"customers": "loyal"}}, tmp_path / "c.yaml")


@pytest.mark.parametrize("unit", ["east", "west"])
def test_a_month_a_quarter_and_a_year_ending_on_one_day_agree_on_balances(demo_store: Path, unit: str) -> None:
    """East's expected credit loss read 15.1 % in the quarter and 41.0 % in the month report of the same
    day: a period-end balance was set against one period's revenue. It is now set against the three months to
    the day, in every kind of report: the balance-based KRIs agree."""
    meta = store.read_meta(demo_store)
    balances = ["dso", "overdue_ratio", "overdue_90_ratio", "expected_credit_loss", "credit_limit_breaches"]
    for periods in (("2026-09", "2026Q3"), ("2025-12", "2025Q4", "2025")):
        values = []
        for p in periods:
            ctx = Context(
                store.load_unit(demo_store, unit),
                Period.parse(p),
                {},
                pd.Timestamp(meta["first_date"]),
                as_of=pd.Timestamp(meta["as_of"]),
            )
            values.append(K.compute(ctx, balances).set_index("id")[["value", "status"]])
        for v in values[1:]:
            pd.testing.assert_frame_equal(v, values[0])
        assert values[0]["value"].notna().all()
