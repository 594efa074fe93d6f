"""The monitoring stage's trend charts (riskbook.display.trendsvg): round ticks, lines where the values are."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from riskbook.display import trendsvg as T


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert T.nice_ticks(0, 30) == [0, 10, 20, 30]  # raw step 7.5 → 10
    assert T.nice_ticks(0.15, 0.72) == [0.2, 0.4, 0.6]  # raw step 0.1425 → 0.2
    assert T.nice_ticks(0, 8, integer=True) == [0, 2, 4, 6, 8]
    assert T.nice_ticks(0, 3, integer=True) == [0, 1, 2, 3]  # a count never gets 0.5 steps
    assert T.nice_ticks(5, 5) == [6, 8, 10]  # a flat series still gets an axis: 5 to 10, raw step 1.25 → 2


def _ys(svg: str, colour: str) -> list[float]:
    return [float(m) for m in re.findall(rf'y1="([\d.]+)"[^>]*stroke="{colour}"', svg)]


def test_a_chart_draws_thresholds_band_and_points_where_they_are() -> None:
    svg = T.chart(
        ["2026Q1", "2026Q2", "2026Q3"], [10.0, 20.0, 30.0], ["green", "amber", "red"], 15.0, 25.0, "%", (-4, 22, 9)
    )
    # y grows downwards: value v sits at TOP + ph·(1 − (v − lo)/(hi − lo)); check the order, not pixels
    amber, red = _ys(svg, T.RAG["amber"])[0], _ys(svg, T.RAG["red"])[0]
    circles = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert circles[0] > amber > circles[1] > red > circles[2]  # 10 below amber 15 < 20 < red 25 < 30
    assert re.findall(r'fill="(#[0-9a-f]+)" stroke="white"', svg) == [T.RAG["green"], T.RAG["amber"], T.RAG["red"]]
    assert "<rect" in svg and ">26Q3<" in svg and ">30%<" in svg
    # rates start at zero: the band's lower side (mean − 3σ = −4) is cut at 0
    assert ">0%<" in svg and ">-" not in svg


def test_the_grid_titles_are_text_in_the_report_language_and_escaped() -> None:
    hist = pd.DataFrame({"id": "k", "period": ["2026Q2", "2026Q3"], "value": [1.0, 2.0], "status": ["green", "red"]})
    cur = pd.DataFrame(
        [{"id": "k", "title": "A <b>KRI</b>", "title_zh": "指标", "unit": "count", "amber": 1.5, "red": 1.8}]
    )
    lim = pd.DataFrame([{"id": "k", "mean": 1.0, "sd": float("nan"), "baseline": 1, "lcl": 0, "ucl": 0}])
    en = T.grid(hist, cur, lim, ["k"], "en", 4)
    assert "A &lt;b&gt;KRI&lt;/b&gt;" in en and "<b>KRI" not in en and "<rect" not in en  # no band on 1 point
    zh = T.grid(hist, cur, lim, ["k"], "zh", 4)
    assert "指标" in zh and "个数" not in zh  # a count needs no unit word
    days = T.grid(hist, cur.assign(unit="days"), lim, ["k"], "zh", 4)
    assert '<span class="rb-trend-unit">天</span>' in days
    said = cur.assign(title="Expected credit loss (% of revenue)", unit="%")  # the title says it already
    assert '<span class="rb-trend-unit"></span>' in T.grid(hist, said, lim, ["k"], "en", 4)


def test_benford_bars_are_the_observed_shares() -> None:
    from riskbook.display import benfordsvg

    table = pd.DataFrame(
        {"digit": range(1, 10), "observed": [0.3, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05], "expected": 0.1}
    )
    svg = benfordsvg.chart(table, 0.0123, "en")
    heights = [float(h) for h in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)]
    assert len(heights) == 9
    assert heights[0] / heights[1] == pytest.approx(1.5, rel=0.01) and heights[2] / heights[5] == pytest.approx(
        2, rel=0.01
    )
    assert "mean deviation from Benford 0.0123" in svg and "首位数字" in benfordsvg.chart(table, None, "zh")
