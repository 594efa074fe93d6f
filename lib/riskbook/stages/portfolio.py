"""The group roll-up: every unit's results.json side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from riskbook.core import config, paths
from riskbook.kris import FAMILIES


def load_results(period_dir: Path, units: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """results.json of every unit folder under ``period_dir`` (or of ``units``)."""
    out = {}
    for d in sorted(Path(period_dir).iterdir()) if Path(period_dir).exists() else []:
        if d.name == config.GROUP or not d.is_dir() or (units and d.name not in units):
            continue
        f = paths.results_json(d)
        if f.exists():
            out[d.name] = json.loads(f.read_text(encoding="utf-8"))
    return out


def family_matrix(docs: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Units × families: the highest inherent score of a live risk (0: none)."""
    m = pd.DataFrame(0, index=list(docs), columns=list(FAMILIES))
    for unit, doc in docs.items():
        for r in doc["risks"]:
            if r["movement"] != "closed":
                m.loc[unit, r["category"]] = max(m.loc[unit, r["category"]], r["score"])
    return m


def top_risks(docs: dict[str, dict[str, Any]], n: int = 10) -> pd.DataFrame:
    """The group's highest-scoring risks across units."""
    rows = [
        {
            "unit": u,
            **{
                k: r[k]
                for k in (
                    "id",
                    "title",
                    "score",
                    "rating",
                    "residual_score",
                    "exposure",
                    "movement",
                    "response",
                    "owner",
                )
            },
        }
        for u, d in docs.items()
        for r in d["risks"]
        if r["movement"] != "closed"
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            "unit",
            "id",
            "title",
            "score",
            "rating",
            "residual_score",
            "exposure",
            "movement",
            "response",
            "owner",
        ],
    )
    return df.sort_values(["score", "exposure"], ascending=False, kind="stable").head(n).reset_index(drop=True)


def kri_matrix(docs: dict[str, dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, statuses): KRIs × units."""
    vals, stats = {}, {}
    for u, d in docs.items():
        vals[u] = {k["id"]: k["value"] for k in d["kris"]}
        stats[u] = {k["id"]: k["status"] for k in d["kris"]}
    return pd.DataFrame(vals), pd.DataFrame(stats)
