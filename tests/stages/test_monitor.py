"""Monitoring: Western Electric rules, control limits, breaches new since the previous period first."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from riskbook import kris as K
from riskbook.stages.monitor import control_limits, monitor, western_electric


@pytest.mark.parametrize(
    "z,rules",
    [
        ([0, 0.5, -0.5, 3.5], ["1 point beyond 3σ"]),
        ([0, 2.5, 0.2, 2.4], ["2 of 3 beyond 2σ"]),
        ([0, 1.5, 1.2, 0.1, 1.3, 1.4], ["4 of 5 beyond 1σ"]),
        ([0.1, 0.2, 0.3, 0.1, 0.2, 0.4, 0.1, 0.2], ["8 in a row on one side"]),
        ([0.5, -0.5, 0.3, -0.2], []),
    ],
)
def test_western_electric_rules(z, rules) -> None:
    assert western_electric(np.array(z, dtype=float), 0.0, 1.0) == rules


def test_control_limits_come_from_the_baseline_before_the_latest_point() -> None:
    values = [1.0, 2.0, 3.0, 2.0, 9.0]
    hist = pd.DataFrame({"id": "x", "period": [f"p{i}" for i in range(5)], "value": values})
    row = control_limits(hist).iloc[0]
    sd = np.std(values[:-1], ddof=1)
    assert (row["mean"], row["ucl"], row["lcl"]) == pytest.approx((2.0, 2.0 + 3 * sd, 2.0 - 3 * sd))
    assert row["rules"] == ["1 point beyond 3σ"]  # 9 is (9 − 2) / 0.816 = 8.6σ above the baseline


def test_a_first_move_off_a_constant_history_is_a_signal() -> None:
    """Four quarters at 0 % then 29 %: σ is 0, so no 3σ rule can fire, yet the move is the news."""
    hist = pd.DataFrame({"id": "x", "period": [f"p{i}" for i in range(5)], "value": [0.0, 0.0, 0.0, 0.0, 0.29]})
    row = control_limits(hist).iloc[0]
    assert (row["mean"], row["sd"]) == (0.0, 0.0) and row["rules"] == ["moved off a constant history"]
    still = pd.DataFrame({"id": "x", "period": [f"p{i}" for i in range(5)], "value": [0.0] * 5})
    assert control_limits(still).iloc[0]["rules"] == []


def test_monitor_lists_new_breaches_first(tiny_ctx) -> None:
    current = K.compute(tiny_ctx)
    mon = monitor(tiny_ctx, current)
    b = mon["breaches"]
    assert set(b["status"]) <= {"amber", "red"}
    assert list(b["new"]) == sorted(b["new"], reverse=True), "new breaches first"
    for _, g in b.groupby("new"):
        assert list(g["status"]) == sorted(g["status"], key=lambda s: s != "red"), "red before amber"
    new = dict(zip(b["id"], b["new"]))
    assert bool(new["overdue_90_ratio"])  # green in 2026Q2 (i1 was 30 days past due), red now
    assert not new["dso"]  # already amber in 2026Q2
    assert set(b["id"]) == set(current.loc[current["status"].isin(["amber", "red"]), "id"])
    # history covers the trailing quarters that lie in the data (2025Q3..2026Q3)
    assert sorted(mon["history"]["period"].unique()) == ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]


def test_history_takes_the_report_and_previous_periods_from_compute(tiny_ctx) -> None:
    from riskbook.stages.monitor import trailing_periods

    periods = trailing_periods(tiny_ctx)
    fresh = K.history(tiny_ctx, periods)
    reused = K.history(tiny_ctx, periods, known=K.compute(tiny_ctx))
    pd.testing.assert_frame_equal(reused, fresh)
    assert fresh["value"].notna().sum() > 20  # real values compared, not only n/a


def test_a_unit_evaluates_each_kri_once_per_period(tiny_ctx, monkeypatch) -> None:
    """Identification, assessment and monitoring between them evaluate each KRI at each trailing period
    once (the previous period's KRIs are identification's, reused), with the same values as from scratch."""
    from riskbook.stages.assess import previous_assessment
    from riskbook.stages.monitor import trailing_periods

    periods = trailing_periods(tiny_ctx)
    fresh = dataclasses.replace(tiny_ctx, memo={})  # from scratch, with a memory of its own
    fresh_hist = K.history(fresh, periods)
    fresh_prev = previous_assessment(fresh)
    calls: list[tuple[str, str]] = []
    evaluate = K.evaluate

    def counted(k, ctx):
        calls.append((k.id, str(ctx.period)))
        return evaluate(k, ctx)

    monkeypatch.setattr(K, "evaluate", counted)
    current = K.compute(tiny_ctx)  # identification
    before = K.compute(tiny_ctx.at(tiny_ctx.period.previous), known=K.values_of(current, "previous"))
    prev = previous_assessment(tiny_ctx, kris=before)  # assessment
    hist = monitor(tiny_ctx, current, before)["history"]  # monitoring
    assert len(calls) == len(set(calls)), [c for c in set(calls) if calls.count(c) > 1][:5]
    assert {p for _, p in calls} >= {str(p) for p in periods}
    pd.testing.assert_frame_equal(hist, fresh_hist)
    pd.testing.assert_frame_equal(prev, fresh_prev)
