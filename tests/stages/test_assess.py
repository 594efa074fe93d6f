"""Assessment rules: likelihood, impact bands, ratings, movement, residual, the register."""

from __future__ import annotations

import pandas as pd
import pytest

from riskbook import kris as K
from riskbook.core import ratings
from riskbook.settings.register import Register
from riskbook.stages import assess as A
from riskbook.stages.identify import identify


def kri_rows(*pairs: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"status": s, "previous_status": p} for s, p in pairs])


@pytest.mark.parametrize(
    "pairs,expected",
    [
        ([("green", "green")], 1),
        ([("amber", "green")], 3),
        ([("red", "green"), ("amber", "green")], 4),
        ([("red", "amber")], 5),
        ([("amber", "red")], 4),
        ([("n/a", "n/a")], 1),
    ],
)
def test_likelihood(pairs, expected) -> None:
    assert A.likelihood(kri_rows(*pairs)) == expected


@pytest.mark.parametrize("exposure,expected", [(0.5, 1), (1, 2), (2.9, 2), (3, 3), (7, 4), (14.9, 4), (15, 5), (80, 5)])
def test_impact_bands_percent_of_revenue(exposure: float, expected: int) -> None:
    assert A.impact(exposure, 100.0, kri_rows(("red", "green")), {}) == expected


def test_impact_without_money_follows_severity() -> None:
    assert A.impact(0, 100.0, kri_rows(("amber", "green")), {}) == 2
    assert A.impact(0, 100.0, kri_rows(("red", "green")), {}) == 3


def test_impact_bands_configurable() -> None:
    params = {"assessment": {"impact_bands_pct": [10, 20, 30, 40]}}
    assert A.impact(15, 100.0, kri_rows(("red", "green")), params) == 2


@pytest.mark.parametrize(
    "score,rating",
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (16, "high"),
        (17, "critical"),
        (25, "critical"),
    ],
)
def test_rating_bands(score: int, rating: str) -> None:
    assert ratings.rating(score) == rating  # the one scale the assessment rates by


def test_movement() -> None:
    cur = pd.DataFrame(
        {
            "id": ["R-FIN-01", "R-MKT-01", "R-OPS-01", "R-CUS-01"],
            "score": [16, 6, 9, 4],
            "exposure": [1.0, 1.0, 1.0, 1.0],
        }
    )
    prev = pd.Series({"R-FIN-01": 12, "R-MKT-01": 9, "R-OPS-01": 9, "R-CMP-01": 20})
    m = A.movement(cur, prev).set_index("id")["movement"].to_dict()
    assert m == {"R-FIN-01": "up", "R-MKT-01": "down", "R-OPS-01": "same", "R-CUS-01": "new", "R-CMP-01": "closed"}


def test_assessment_on_tiny_company(tiny_ctx) -> None:
    kris = K.compute(tiny_ctx)
    found = identify(tiny_ctx, kris)
    register = Register(
        {
            "R-FIN-01": {
                "owner": "Ann",
                "response": "transfer",
                "controls": [{"name": "credit insurance", "reduces": {"impact": 2}}],
            }
        }
    )
    a = A.assess(found, tiny_ctx, register).set_index("id")
    fin = a.loc["R-FIN-01"]
    # dso, overdue ratios and ECL red now; previous quarter (2026Q2) has i1 1000 open but 0 days past due
    # at 2026-06-30 is 30 days → overdue red there too: persistent → likelihood 5
    assert fin["likelihood"] == 5
    # money at risk = overdue balance 600 + 500 = 1100 of revenue 1600 = 68.75% → impact 5
    assert fin["exposure"] == pytest.approx(1100) and fin["impact"] == 5
    assert (fin["score"], fin["rating"]) == (25, "critical")
    assert (fin["residual_impact"], fin["residual_score"]) == (3, 15)
    assert (fin["owner"], fin["response"]) == ("Ann", "transfer")
    # evidence: the overdue invoices behind the number
    ev = next(f for f in found if f.risk.id == "R-FIN-01").evidence
    assert list(ev["overdue_invoices"]["invoice_id"]) == ["i1", "i2"]
    assert list(ev["overdue_invoices"]["balance"]) == [600, 500]


def test_the_heatmap_draws_where_a_risk_moved_from_and_only_that() -> None:
    """A risk's position last period comes from the previous assessment; the inherent heatmap draws one
    arrow per risk whose cell changed (none for a new risk or one that stayed)."""
    import re

    from riskbook.display.heatsvg import heatmaps

    def arrows(assessment: pd.DataFrame) -> int:
        a = assessment.assign(residual_likelihood=assessment["likelihood"], residual_impact=assessment["impact"])
        page, drawn = heatmaps(a, "en")
        assert len(re.findall(r"<line [^>]*marker-end", page)) == drawn  # what it says it drew
        assert ("from its position last period" in page) == (drawn > 0)  # the legend explains them
        return drawn

    current = pd.DataFrame(
        {
            "id": ["R-A", "R-B", "R-C"],
            "likelihood": [4, 3, 2],
            "impact": [5, 3, 2],
            "movement": ["up", "same", "new"],
        }
    )
    previous = pd.DataFrame({"likelihood": [3, 3], "impact": [4, 3], "score": [12, 9]}, index=["R-A", "R-B"])
    moved = A.with_previous_position(current, previous)
    assert list(moved["previous_likelihood"].fillna(0)) == [3, 3, 0]
    assert list(moved["previous_impact"].fillna(0)) == [4, 3, 0]
    assert arrows(moved) == 1  # R-A's, from (3, 4) to (4, 5)
    assert arrows(moved.assign(likelihood=[3, 3, 2], impact=[4, 3, 2])) == 0  # nothing moved


def test_an_arrow_starts_at_its_old_cells_edge_not_among_the_labels_now_in_it() -> None:
    """R-A moved from (likelihood 3, impact 4) to (4, 5) while R-N, new, sits in R-A's old cell: the hollow
    dot and the arrow start on the old cell's corner facing the new cell, outside the middle where R-N's id
    is written, and end inside the new cell."""
    import re

    from riskbook.display import heatsvg as H

    a = pd.DataFrame(
        {
            "id": ["R-A", "R-N"],
            "likelihood": [4, 3],
            "impact": [5, 4],
            "previous_likelihood": [3, None],
            "previous_impact": [4, None],
        }
    )
    svg, drawn = H.matrix(a, "likelihood", "impact", "en", moves=True)
    assert drawn == 1
    cx, cy = (float(v) for v in re.search(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg).groups())
    x2, y2 = (float(v) for v in re.search(r'<line [^>]*x2="([\d.]+)" y2="([\d.]+)"', svg).groups())

    def cell(x: float, y: float) -> tuple[float, float]:  # (impact, likelihood) in cell units, 1..5 at centres
        return (x - H.LEFT) / H.CELL + 0.5, 5.5 - (y - H.TOP) / H.CELL

    impact, likelihood = cell(cx, cy)
    assert (round(impact), round(likelihood)) == (4, 3)  # in the old cell
    assert abs(impact - 4) >= 0.4 and abs(likelihood - 3) >= 0.4  # at its corner, not among the ids
    assert impact > 4 and likelihood > 3  # the corner facing the new cell
    assert tuple(round(v) for v in cell(x2, y2)) == (5, 4)  # the arrowhead in the new cell


def test_the_chinese_likelihood_axis_stands_upright() -> None:
    """可能性 is set as Chinese is set vertically, one upright character under the other, not turned on its side."""
    import re

    from riskbook.display import heatsvg as H

    a = pd.DataFrame({"id": ["R-A"], "likelihood": [2], "impact": [3]})
    zh, _ = H.matrix(a, "likelihood", "impact", "zh")
    assert "rotate(" not in zh
    assert re.findall(r"<tspan [^>]*>(.)</tspan>", zh) == ["可", "能", "性"]
    en, _ = H.matrix(a, "likelihood", "impact", "en")
    assert re.search(r'rotate\(-90\)"[^>]*>Likelihood<', en)


def test_every_text_on_a_heatmap_reads_on_every_cell() -> None:
    """The ids, scores and axis words of a heatmap have 4.5:1 contrast on each rating's colour and on white."""
    import re

    from riskbook.display import heatsvg as H
    from riskbook.display.palettes import RATING, contrast

    a = pd.DataFrame({"id": ["R-A", "R-B"], "likelihood": [5, 1], "impact": [5, 1]})
    svg, _ = H.matrix(a, "likelihood", "impact", "en")
    fills = set(re.findall(r'<text [^>]*fill="(#[0-9a-fA-F]{6})"', svg))
    assert fills
    for fill in fills:
        for background in [*RATING.values(), "#ffffff"]:
            assert contrast(fill, background) >= 4.5, (fill, background)


def test_an_arrow_never_starts_on_its_old_cells_score() -> None:
    """The score sits in each cell's bottom-right corner: a risk moving to a lower likelihood and a higher
    impact, or straight to a higher impact, starts its arrow clear of that number."""
    import re

    from riskbook.display import heatsvg as H

    for now, before in (((2, 5), (3, 4)), ((3, 5), (3, 4))):
        a = pd.DataFrame(
            {
                "id": ["R-A"],
                "likelihood": [now[0]],
                "impact": [now[1]],
                "previous_likelihood": [before[0]],
                "previous_impact": [before[1]],
            }
        )
        svg, drawn = H.matrix(a, "likelihood", "impact", "en", moves=True)
        cx, cy = (float(v) for v in re.search(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg).groups())
        score = re.search(rf'<text x="([\d.]+)" y="([\d.]+)"[^>]*>{before[0] * before[1]}</text>', svg)
        sx, sy = float(score[1]), float(score[2])  # the score's right end and baseline (anchored at its end)
        width, height = 2 * 8.5 * 0.6, 8.5  # two digits at 8.5 px
        assert drawn == 1
        clear_x = cx + 3.5 < sx - width or cx - 3.5 > sx
        clear_y = cy + 3.5 < sy - height or cy - 3.5 > sy
        assert clear_x or clear_y, (now, before, (cx, cy), (sx, sy))
