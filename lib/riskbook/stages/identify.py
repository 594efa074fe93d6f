"""Identification: which library risks are present (their KRIs breach), with the rows behind them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from riskbook.kris import Context, NotApplicable
from riskbook.risks import LIBRARY, Risk

SEVERITY: dict[str, int] = {"n/a": 0, "green": 0, "amber": 1, "red": 2}


@dataclass
class PresentRisk:
    """A risk present in the period: its KRIs and the evidence tables behind them."""

    risk: Risk
    kris: pd.DataFrame
    evidence: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def worst(self) -> str:
        return max(self.kris["status"], key=SEVERITY.__getitem__)


def evidence(risk: Risk, ctx: Context) -> dict[str, pd.DataFrame]:
    """The evidence tables of ``risk`` (empty when its inputs are missing)."""
    try:
        return {k: v.reset_index(drop=True) for k, v in risk.evidence(ctx).items() if len(v)}
    except NotApplicable:
        return {}


def present(kris: pd.DataFrame) -> list[tuple[Risk, pd.DataFrame]]:
    """Library risks with at least one amber or red KRI, with their KRI rows."""
    out = []
    for risk in LIBRARY:
        rows = kris[kris["id"].isin(risk.kris)]
        if rows["status"].isin(["amber", "red"]).any():
            out.append((risk, rows))
    return out


def identify(ctx: Context, kris: pd.DataFrame, with_evidence: bool = True) -> list[PresentRisk]:
    """The risks present at ``ctx.period``, worst first, with evidence."""
    found = [PresentRisk(r, rows, evidence(r, ctx) if with_evidence else {}) for r, rows in present(kris)]
    return sorted(found, key=lambda f: -SEVERITY[f.worst])
