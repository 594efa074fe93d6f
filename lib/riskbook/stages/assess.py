"""Assessment: money at risk, 5×5 likelihood × impact, inherent and residual scores, movement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from riskbook import kris as K
from riskbook.core.ratings import rating
from riskbook.kris import Context, NotApplicable
from riskbook.risks import BY_ID
from riskbook.settings.register import Register
from riskbook.stages.identify import SEVERITY, PresentRisk, identify

IMPACT_BANDS_PCT: tuple[float, ...] = (1, 3, 7, 15)  # exposure as % of revenue at the unit's pace: 1|2|3|4|5


def _safe(fn: Callable[[Context], float]) -> Callable[[Context], float]:
    def inner(ctx: Context) -> float:
        try:
            return float(fn(ctx))
        except NotApplicable:
            return 0.0

    return inner


def likelihood(kris: pd.DataFrame) -> int:
    """1 none breached, 3 amber, 4 red; +1 when also breached in the previous period."""
    worst = max(SEVERITY[s] for s in kris["status"])
    base = {0: 1, 1: 3, 2: 4}[worst]
    persistent = worst > 0 and kris["previous_status"].isin(["amber", "red"]).any()
    return min(5, base + int(persistent))


def impact(exposure: float, revenue: float, kris: pd.DataFrame, params: dict[str, Any]) -> int:
    """Impact 1–5 from exposure as % of period revenue; KRI severity where money cannot be measured."""
    bands = (params.get("assessment") or {}).get("impact_bands_pct", IMPACT_BANDS_PCT)
    if exposure <= 0 or revenue <= 0:
        return {0: 1, 1: 2, 2: 3}[max(SEVERITY[s] for s in kris["status"])]
    return int(np.searchsorted(np.asarray(bands, dtype=float), exposure / revenue * 100, side="right")) + 1


def _controls(entry: dict[str, Any]) -> tuple[int, int]:
    """How many steps the recorded controls take off likelihood and impact."""
    cs = entry.get("controls") or []
    return (
        sum(int((c.get("reduces") or {}).get("likelihood", 0)) for c in cs),
        sum(int((c.get("reduces") or {}).get("impact", 0)) for c in cs),
    )


def _row(
    rid: str,
    family: str,
    title: str,
    title_zh: str,
    lk: int,
    im: int,
    model: tuple[int, int] | None,
    exposure: float,
    revenue: float,
    kris: list[str],
    worst: str,
    entry: dict[str, Any],
    response: str,
    owner: str,
    source: str,
) -> dict[str, Any]:
    ov = entry.get("override") or {}
    lk, im = int(ov.get("likelihood", lk)), int(ov.get("impact", im))
    dl, di = _controls(entry)
    rl, ri = max(1, lk - dl), max(1, im - di)
    return {
        "id": rid,
        "family": family,
        "title": title,
        "title_zh": title_zh,
        "likelihood": lk,
        "impact": im,
        "score": lk * im,
        "rating": rating(lk * im),
        "residual_likelihood": rl,
        "residual_impact": ri,
        "residual_score": rl * ri,
        "residual_rating": rating(rl * ri),
        "exposure": round(float(exposure), 2),
        "exposure_pct": round(exposure / revenue * 100, 2) if revenue > 0 else None,
        "kris": kris,
        "worst": worst,
        "response": entry.get("response", response),
        "owner": entry.get("owner", owner),
        "owner_zh": entry.get("owner_zh") if "owner" in entry else None,
        "controls": [c.get("name", "") for c in entry.get("controls") or []],
        "controls_zh": [c.get("name_zh") or c.get("name", "") for c in entry.get("controls") or []],
        "actions": list(entry.get("actions") or []),
        "source": source,
        "model_likelihood": model[0] if model else None,
        "model_impact": model[1] if model else None,
        "override_reason": str(ov["reason"]).strip() if ov else None,
        "override_reason_zh": str(ov["reason_zh"]).strip() if ov.get("reason_zh") else None,
    }


def _score(f: PresentRisk, ctx: Context, paces: dict[str, float], register: Register) -> dict[str, Any]:
    """A library risk scored: its exposure bounded by the money its pool measures, its impact a share of
    the unit's revenue at its usual pace — over the period for money lost in it, over the three months to
    its end for a balance at its end (so a month, a quarter and a year ending on one day agree)."""
    from riskbook.risks import BALANCE_POOLS, BOUNDS

    r = f.risk
    exp = _safe(r.exposure)(ctx)
    if r.pool in BOUNDS and exp > 0:
        exp = min(exp, BOUNDS[r.pool](ctx))
    revenue = paces["balance" if r.pool in BALANCE_POOLS else "flow"]
    lk, im = likelihood(f.kris), impact(exp, revenue, f.kris, ctx.settings)
    return _row(
        r.id,
        r.family,
        r.title_en,
        r.title_zh,
        lk,
        im,
        (lk, im),
        exp,
        revenue,
        list(f.kris["id"]),
        f.worst,
        register.entry(r.id),
        r.response,
        r.owner,
        "kri",
    )


def _added(a: dict[str, Any], revenue: float) -> dict[str, Any]:
    return _row(
        a["id"],
        a["family"],
        a["title"],
        a.get("title_zh", a["title"]),
        a["likelihood"],
        a["impact"],
        None,
        float(a.get("exposure", 0) or 0),
        revenue,
        list(a.get("kris") or []),
        "n/a",
        a,
        a.get("response", "mitigate"),
        a.get("owner", ""),
        "analyst",
    )


COLUMNS = [
    "id",
    "family",
    "title",
    "title_zh",
    "likelihood",
    "impact",
    "score",
    "rating",
    "residual_likelihood",
    "residual_impact",
    "residual_score",
    "residual_rating",
    "exposure",
    "exposure_pct",
    "kris",
    "worst",
    "response",
    "owner",
    "owner_zh",
    "controls",
    "controls_zh",
    "actions",
    "source",
    "model_likelihood",
    "model_impact",
    "override_reason",
    "override_reason_zh",
]


def assess(present: list[PresentRisk], ctx: Context, register: Register | None = None) -> pd.DataFrame:
    """One row per risk present (and per risk analysts added): likelihood, impact, scores, rating,
    exposure, response, owner; overrides from the register applied and kept visible."""
    from riskbook.risks import pace

    register = register or Register()
    paces = {"flow": pace(ctx), "balance": pace(ctx, 3)}
    rows = [_score(f, ctx, paces, register) for f in present]
    rows += [_added(a, paces["flow"]) for a in register.added]
    df = pd.DataFrame(rows, columns=COLUMNS)
    return df.sort_values(["score", "exposure"], ascending=False, kind="stable").reset_index(drop=True)


def previous_assessment(
    ctx: Context, register: Register | None = None, kris: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Likelihood, impact and inherent score of each risk present in the previous period, by id (empty
    before the data). ``kris``: the previous period's KRIs when already computed (identification's)."""
    prev = ctx.at(ctx.period.previous)
    try:
        prev.check_in_data(prev.period, "previous period")
    except NotApplicable:
        return pd.DataFrame(columns=["likelihood", "impact", "score"], dtype=float)
    present = identify(prev, K.compute(prev) if kris is None else kris, with_evidence=False)
    a = assess(present, prev, register)
    return a.set_index("id")[["likelihood", "impact", "score"]]


def with_previous_position(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """``current`` with each risk's likelihood and impact last period (NaN for a new risk): where the
    heatmap draws it came from."""
    return current.assign(
        previous_likelihood=current["id"].map(previous["likelihood"]),
        previous_impact=current["id"].map(previous["impact"]),
    )


def movement(current: pd.DataFrame, previous: pd.Series) -> pd.DataFrame:
    """Add ``previous_score`` and ``movement``; append risks present before but not now as closed."""
    cur = current.copy()
    cur["previous_score"] = cur["id"].map(previous)
    cur["movement"] = np.select(
        [cur["previous_score"].isna(), cur["score"] > cur["previous_score"], cur["score"] < cur["previous_score"]],
        ["new", "up", "down"],
        "same",
    )
    closed_ids = [i for i in previous.index if i not in set(cur["id"])]
    closed = [
        {
            "id": i,
            "family": BY_ID[i].family,
            "title": BY_ID[i].title_en,
            "title_zh": BY_ID[i].title_zh,
            "likelihood": 1,
            "impact": 1,
            "score": 1,
            "rating": "low",
            "residual_likelihood": 1,
            "residual_impact": 1,
            "residual_score": 1,
            "residual_rating": "low",
            "exposure": 0.0,
            "exposure_pct": 0.0,
            "kris": list(BY_ID[i].kris),
            "worst": "green",
            "response": BY_ID[i].response,
            "owner": BY_ID[i].owner,
            "owner_zh": None,
            "controls": [],
            "controls_zh": [],
            "actions": [],
            "source": "kri",
            "model_likelihood": None,
            "model_impact": None,
            "override_reason": None,
            "override_reason_zh": None,
            "previous_score": previous[i],
            "movement": "closed",
        }
        for i in closed_ids
        if i in BY_ID
    ]
    return pd.concat([cur, pd.DataFrame(closed)], ignore_index=True) if closed else cur
