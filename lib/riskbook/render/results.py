"""The machine-readable results of a unit and period (results.json, as the output contract and
lib/riskbook/data/results.schema.json define it)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from riskbook.core import paths


def _num(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def _int(v: Any) -> int | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (pd.Timestamp,)) or hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    return v


def _text(v: Any) -> str | None:
    """A register text when it is one (a missing translation is NaN or None)."""
    return v if isinstance(v, str) and v.strip() else None


def strict(v: Any) -> Any:
    """``v`` with every NaN or infinite float (and pandas' missing values) as None: strict JSON, which
    browsers and Node parse, where Python's json would write NaN."""
    if isinstance(v, dict):
        return {str(k): strict(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [strict(x) for x in v]
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if v is pd.NA or v is pd.NaT:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalars
        return strict(v.item())
    return v


def money_at_risk(money: pd.DataFrame) -> dict[str, Any]:
    """The summary's money at risk (summarise.money_breakdown): the total and each pool's risk and amount."""
    return {
        "total": round(float(money["exposure"].sum()), 2),
        "pools": [
            {"pool": r.pool, "risk": r.id, "amount": round(float(r.exposure), 2), "includes": list(r.also)}
            for r in money.itertuples()
        ],
    }


def overall(risks: pd.DataFrame, status: str = "ok") -> dict[str, str]:
    """The unit's overall rating, inherent and residual: its highest live risk's (what the cover, the index
    and the group read instead of computing it again)."""
    from riskbook.stages.summarise import overall_rating

    live = risks[risks["movement"] != "closed"] if len(risks) else risks
    has_data = status != "no data"
    scores = [int(x) for x in live["score"]] if len(live) else []
    residual = [int(x) for x in live["residual_score"]] if len(live) else []
    return {"inherent": overall_rating(scores, has_data), "residual": overall_rating(residual, has_data)}


def build(
    unit: str,
    period: str,
    currency: str,
    lang: str,
    kris: pd.DataFrame,
    risks: pd.DataFrame,
    dq: dict[str, Any],
    status: str = "ok",
    data_through: str | None = None,
    note: str | None = None,
    period_complete: bool = True,
    partial: str = "",
    money: pd.DataFrame | None = None,
    behind: dict[str, dict[str, list]] | None = None,
) -> dict[str, Any]:
    """The results.json document (strict JSON: no NaN or Infinity); ``behind``: each risk's controls and
    evidence (riskbook.render.outputs.behind)."""
    return strict(
        {
            "unit": unit,
            "period": period,
            "currency": currency,
            "lang": lang,
            "status": status,
            "overall": overall(risks, status),
            **({"data_through": data_through} if data_through else {}),
            "period_complete": bool(period_complete),
            **({"money_at_risk": money_at_risk(money)} if money is not None else {}),
            **({"partial": partial} if partial else {}),
            **({"note": note} if note else {}),
            "kris": [_kri(k, lang) for k in kris.itertuples()],
            "risks": [_risk(r, lang) | (behind or {}).get(r.id, {}) for r in risks.itertuples()],
            "data_quality": dq,
        }
    )


def _kri(k: Any, lang: str) -> dict[str, Any]:
    """A KRI of results.json: its value, status, previous value and thresholds (and why, when not scored)."""
    return {
        "id": k.id,
        "category": k.family,
        "title": k.title_zh if lang == "zh" else k.title,
        "value": _num(k.value),
        "unit": k.unit,
        "status": k.status,
        "previous": _num(k.previous),
        "thresholds": {"amber": _num(k.amber), "red": _num(k.red)},
        "direction": k.direction,
        **({"reason": k.reason} if isinstance(k.reason, str) and k.reason else {}),
    }


def _risk(r: Any, lang: str) -> dict[str, Any]:
    """A risk of results.json: its scores, rating, movement, exposure, response, owner and actions (and the
    analyst's override, when there is one)."""
    return {
        "id": r.id,
        "category": r.family,
        "title": r.title_zh if lang == "zh" else r.title,
        "likelihood": int(r.likelihood),
        "impact": int(r.impact),
        "score": int(r.score),
        "rating": r.rating,
        "residual_score": int(r.residual_score),
        "previous_score": _int(getattr(r, "previous_score", None)),
        "movement": r.movement,
        "exposure": _num(r.exposure),
        "kris": list(r.kris),
        "response": r.response,
        "owner": _text(getattr(r, "owner_zh", None)) or r.owner if lang == "zh" else r.owner,
        "actions": _jsonable(list(r.actions)),
        "source": r.source,
        **({"residual_rating": r.residual_rating} if isinstance(getattr(r, "residual_rating", None), str) else {}),
        **({"override": _override(r)} if isinstance(r.override_reason, str) else {}),
    }


def _override(r: Any) -> dict[str, Any]:
    """An analyst's override of a risk: the scores set, the model's, and the reason."""
    return {
        "likelihood": int(r.likelihood),
        "impact": int(r.impact),
        "model_likelihood": _int(r.model_likelihood),
        "model_impact": _int(r.model_impact),
        "reason": r.override_reason,
    }


def write(doc: dict[str, Any], path: Path) -> None:
    """Write results.json atomically, as strict JSON."""
    with paths.replacing(Path(path)) as tmp:
        tmp.write_text(json.dumps(strict(doc), ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8")
