"""The executive summary: headline, top risks with movement, responses, owners and actions."""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskbook.core.i18n import money, owner, t
from riskbook.settings.register import overdue_actions

TOP_N = 5


def headline(kris: pd.DataFrame, risks: pd.DataFrame, currency: str, lang: str = "en") -> str:
    """One sentence: KRI breaches, risks, high ones, money at risk."""
    live = risks[risks["movement"] != "closed"]
    return t(
        "headline",
        lang,
        red=int((kris["status"] == "red").sum()),
        amber=int((kris["status"] == "amber").sum()),
        risks=len(live),
        high=int(live["rating"].isin(["high", "critical"]).sum()),
        exposure=money(money_at_risk(live), currency, lang),
    )


def money_at_risk(risks: pd.DataFrame) -> float:
    """Total exposure, counting each family once (its largest risk): risks of one family measure
    overlapping money — overdue receivables and the excess over credit limits, say."""
    return float(risks.groupby("family")["exposure"].max().sum()) if len(risks) else 0.0


def top_risks(risks: pd.DataFrame, n: int = TOP_N) -> pd.DataFrame:
    """The ``n`` highest-scoring live risks (closed ones are reported apart)."""
    live = risks[risks["movement"] != "closed"]
    return live.sort_values(["score", "exposure"], ascending=False, kind="stable").head(n)


def actions_table(
    risks: pd.DataFrame,
    library_actions: dict[str, tuple[str, ...]],
    as_of: pd.Timestamp,
    lang: str = "en",
    recommended: int = 3,
) -> pd.DataFrame:
    """Register actions of the top risks, or the library's recommended ones where none are recorded."""
    rows: list[dict[str, Any]] = []
    for r in risks.itertuples():
        late = {id(a) for a in overdue_actions(r.actions, as_of)}
        if r.actions:
            for a in r.actions:
                status = "overdue" if id(a) in late else str(a.get("status", "open"))
                rows.append(
                    {
                        "risk": r.id,
                        "action": a["action"],
                        "owner": a.get("owner", r.owner),
                        "due": str(a.get("due", "")),
                        "status": t(status, lang),
                    }
                )
        else:
            for a in library_actions.get(r.id, ())[:recommended]:
                rows.append(
                    {
                        "risk": r.id,
                        "action": a,
                        "owner": owner(r.owner, lang),
                        "due": "",
                        "status": t("recommended", lang),
                    }
                )
    return pd.DataFrame(rows, columns=["risk", "action", "owner", "due", "status"])


def no_data_note(unit: Any, lang: str = "en") -> str:
    """Why a unit's report has no KRIs: no order lines in the period, and when its last one was."""
    dates = unit.ctx.orders["order_date"]
    before = dates[dates < unit.period.start]
    last = t("last_order", lang, date=before.max().date()) if len(before) else ""
    return t("no_data", lang, period=unit.period, last=last)


def summarise(unit: Any, ident: Any, asmt: Any, mon: Any) -> Any:
    """The summary of a unit from its identification, assessment and monitoring (nothing written)."""
    from riskbook.risks import BY_ID
    from riskbook.stages import quality
    from riskbook.stages.pipeline import Summary

    lang, kris, risks = unit.lang, ident.kris, asmt.risks
    top = top_risks(risks)
    library_actions = {rid: r.actions(lang) for rid, r in BY_ID.items()}
    live = risks[risks["movement"] != "closed"]
    today = unit.as_of  # the run's one date: actions are overdue against it
    all_actions = actions_table(live, library_actions, today, lang)
    actions = actions_table(top, library_actions, today, lang, recommended=1)
    touched = quality.touching(unit.findings, unit.period, unit.ctx.as_of)
    dq = quality.summary(unit.ctx, unit.meta.get("names"), touched)
    status = "no data" if unit.no_data else "ok"
    evidence: dict[str, pd.DataFrame] = {}
    for f in ident.findings:
        for name, df in f.evidence.items():
            evidence.setdefault(name, df)
    line = no_data_note(unit, lang) if unit.no_data else headline(kris, risks, unit.currency, lang)
    return Summary(
        headline=line,
        status=status,
        data_through=unit.data_through,
        kris=kris,
        risks=risks,
        top=top,
        actions=actions,
        all_actions=all_actions,
        breaches=mon.breaches,
        dq=dq,
        closed=risks[risks["movement"] == "closed"],
        evidence=evidence,
        touched=touched,
    )
