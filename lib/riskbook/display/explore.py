"""Tables for the analyst in Jupyter, not for the report (``rb.explore``): the KRIs and the scoring as pandas
DataFrames to sort and filter (``scores[scores.residual_score >= 10]``), and ``styled`` to colour them by
status and rating. ``scoring`` shows how each score is built: likelihood from the risk's KRIs, impact from
its money at risk as a share of revenue, the analyst's override, then the recorded controls."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from riskbook.display.palettes import RAG_LIGHT as LIGHT
from riskbook.display.palettes import RATING, text_on
from riskbook.stages.assess import IMPACT_BANDS_PCT, likelihood
from riskbook.stages.identify import SEVERITY

BASE = {0: 1, 1: 3, 2: 4}  # the worst KRI status → likelihood (riskbook.stages.assess.likelihood)
IMPACT_BY_SEVERITY = {0: 1, 1: 2, 2: 3}  # impact where money cannot be measured


def kris(k: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The identification's KRIs, one row each: value and previous against amber and red, status, note."""
    title = k["title_zh"] if lang == "zh" else k["title"]
    cols = ["id", "family", "value", "previous", "amber", "red", "direction", "status", "previous_status", "reason"]
    return k.assign(title=title)[["title", *cols]].set_index("id")


def _kri_line(k: pd.DataFrame) -> str:
    """A risk's KRIs as "dso_days red (was red); …"."""
    return "; ".join(f"{r.id} {r.status} (was {r.previous_status})" for r in k.itertuples())


def _likelihood_rule(k: pd.DataFrame) -> str:
    """The model's likelihood (riskbook.stages.assess.likelihood) in words: the worst KRI's base, and +1
    when the breach persists."""
    worst = max(SEVERITY[s] for s in k["status"])
    said = {0: "no KRI breached → 1", 1: "worst KRI amber → 3", 2: "worst KRI red → 4"}[worst]
    model = likelihood(k)
    return f"{said}; breached last period too: +1 → {model}" if model > BASE[worst] else said


def _impact_rule(exposure: float, pct: Any, k: pd.DataFrame, bands: tuple[float, ...], impact: int) -> str:
    if not exposure or pct is None or pd.isna(pct):
        worst = max(SEVERITY[s] for s in k["status"])
        return f"no money measure: worst KRI {['green', 'amber', 'red'][worst]} → {IMPACT_BY_SEVERITY[worst]}"
    edges = [*bands]
    band = int(np.searchsorted(np.asarray(edges, dtype=float), float(pct), side="right"))
    low = f"≥ {edges[band - 1]:g}%" if band else f"< {edges[0]:g}%"
    high = f" and < {edges[band]:g}%" if 0 < band < len(edges) else ""
    return f"{float(pct):.1f}% of revenue ({low}{high}) → {impact}"


def _taken_off(likelihood: int, impact: int) -> str:
    said = [f"{name} −{n}" for name, n in (("likelihood", likelihood), ("impact", impact)) if n]
    return ", ".join(said) or "nothing"


def scoring(risks: pd.DataFrame, present: list, settings: dict[str, Any] | None = None) -> pd.DataFrame:
    """How each risk's score is built, one row per risk: its KRIs and the likelihood they give, its money at
    risk and the impact band it falls in, the analyst's override, then what the controls take off."""
    bands = tuple((settings or {}).get("assessment", {}).get("impact_bands_pct", IMPACT_BANDS_PCT))
    by_id = {f.risk.id: f.kris for f in present}
    rows = []
    for r in risks[risks["movement"] != "closed"].itertuples():
        k = by_id.get(r.id)
        analyst = k is None
        model_l = r.likelihood if analyst or pd.isna(r.model_likelihood) else int(r.model_likelihood)
        model_i = r.impact if analyst or pd.isna(r.model_impact) else int(r.model_impact)
        overridden = (model_l, model_i) != (r.likelihood, r.impact)
        rows.append(
            {
                "id": r.id,
                "title": r.title,
                "kris": "added by an analyst: no KRI" if analyst else _kri_line(k),
                "likelihood_rule": "set in the register" if analyst else _likelihood_rule(k),
                "exposure": r.exposure,
                "pct_of_revenue": r.exposure_pct,
                "impact_rule": "set in the register"
                if analyst
                else _impact_rule(r.exposure, r.exposure_pct, k, bands, model_i),
                "override": f"{model_l}×{model_i} → {r.likelihood}×{r.impact}: {r.override_reason}"
                if overridden
                else "",
                "likelihood": int(r.likelihood),
                "impact": int(r.impact),
                "score": int(r.score),
                "rating": r.rating,
                "controls": ", ".join(r.controls) if len(r.controls) else "",
                "controls_take_off": _taken_off(r.likelihood - r.residual_likelihood, r.impact - r.residual_impact),
                "residual_score": int(r.residual_score),
                "residual_rating": r.residual_rating,
            }
        )
    return pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()


def styled(df: pd.DataFrame) -> Styler:
    """``df`` coloured: a status word on its light RAG colour, a rating on its band's colour."""

    def colour(v: Any) -> str:
        if v in RATING:
            return f"background-color:{RATING[v]};color:{text_on(RATING[v])}"
        return f"background-color:{LIGHT[v]}" if v in LIGHT else ""

    cols = [c for c in df.columns if c in ("status", "previous_status", "rating", "residual_rating")]
    fmt = {c: "{:,.2f}" for c in df.columns if c in ("value", "previous", "amber", "red", "exposure")}
    fmt |= {c: "{:.1f}%" for c in df.columns if c == "pct_of_revenue"}
    return df.style.map(colour, subset=cols).format(fmt, na_rep="–")
