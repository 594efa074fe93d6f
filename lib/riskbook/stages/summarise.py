"""The executive summary: headline, top risks with movement, responses, owners and actions."""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskbook.core.i18n import money_parts, owner, t
from riskbook.settings.register import overdue_actions

TOP_N = 5


def headline(
    kris: pd.DataFrame, risks: pd.DataFrame, currency: str, lang: str = "en", money: pd.DataFrame | None = None
) -> str:
    """One sentence: KRI breaches, risks, high ones, money at risk (the total of ``money``, the
    :func:`money_breakdown` of the risks)."""
    live = risks[risks["movement"] != "closed"]
    if not len(live) and not kris["status"].isin(["red", "amber"]).any():
        return t("headline_clear", lang, n=int(kris["status"].isin(["green"]).sum()))
    money = money_breakdown(live) if money is None else money
    return t(
        "headline",
        lang,
        red=int((kris["status"] == "red").sum()),
        amber=int((kris["status"] == "amber").sum()),
        risks=len(live),
        risks_en=f"{len(live)} risk" + ("" if len(live) == 1 else "s"),
        high=int(live["rating"].isin(["high", "critical"]).sum()),
        exposure=money_parts(list(money["exposure"]), currency, lang)[1],
    )


def money_limit(ctx: Any) -> float:
    """The most a unit's money at risk can be: its revenue at its usual pace over the period plus what its
    customers owe at the period's end."""
    from riskbook.risks import open_receivables, pace

    return pace(ctx) + open_receivables(ctx)


def money_breakdown(risks: pd.DataFrame, limit: float | None = None) -> pd.DataFrame:
    """Money at risk by pool of money, each counted once. Risks whose exposures measure the same money
    (riskbook.risks.POOLS: revenue lost to a decline, churn, orphaned accounts or the largest customer;
    overdue receivables and credit beyond limits; discounts beyond depth and unapproved ones) count with
    their largest; an analyst's risk with an exposure is its own pool. One row per pool: the risk counted,
    its exposure, and the pool's other risks (included in it)."""
    from riskbook.risks import BY_ID

    live = risks[(risks["movement"] != "closed") & (risks["exposure"].fillna(0) > 0)]
    rows = []
    pools = [BY_ID[i].pool if i in BY_ID else i for i in live["id"]]
    for pool, group in live.assign(pool=pools).groupby("pool", sort=False):
        group = group.sort_values("exposure", ascending=False, kind="stable")
        top = group.iloc[0]
        rows.append(
            {
                "pool": pool,
                "id": top["id"],
                "title": top["title"],
                "title_zh": top["title_zh"],
                "exposure": float(top["exposure"]),
                "also": list(group["id"].iloc[1:]),
            }
        )
    out = pd.DataFrame(rows, columns=["pool", "id", "title", "title_zh", "exposure", "also"])
    out = out.sort_values("exposure", ascending=False, kind="stable").reset_index(drop=True)
    total = float(out["exposure"].sum())
    if limit is not None and total > limit > 0:  # pools of one unit overlap (a decline and its pipeline gap)
        over = {"pool": "overlap", "id": "", "title": t("money_overlap", "en"), "title_zh": t("money_overlap", "zh")}
        out = pd.concat([out, pd.DataFrame([over | {"exposure": limit - total, "also": []}])], ignore_index=True)
    return out


def overall_rating(scores: list[int], has_data: bool = True) -> str:
    """A unit's overall rating: that of its highest-scoring live risk; low when none is present, and
    none ("") for a unit without data. The summary, the cover, the index and the group all use it."""
    from riskbook.core.ratings import rating

    return rating(max(scores)) if scores else ("low" if has_data else "")


def top_risks(risks: pd.DataFrame, n: int = TOP_N) -> pd.DataFrame:
    """The ``n`` live risks highest after controls (then before them, then by money at risk), as the group
    ranks them; closed ones are reported apart."""
    live = risks[risks["movement"] != "closed"]
    order = ["residual_score", "score", "exposure"] if "residual_score" in live else ["score", "exposure"]
    return live.sort_values(order, ascending=False, kind="stable").head(n)


def actions_table(
    risks: pd.DataFrame,
    library_actions: dict[str, tuple[str, ...]],
    as_of: pd.Timestamp,
    lang: str = "en",
    recommended: int = 3,
) -> pd.DataFrame:
    """The register's actions of ``risks``, then the library's recommended ones for the risks without any:
    risk, action, owner, due (a date), status (open, in progress, done, cancelled or recommended), days
    overdue at the as-of date, and whether the register has it. The summary and the workbook both show it."""
    rows: list[dict[str, Any]] = []
    suggested: list[dict[str, Any]] = []
    for r in risks.itertuples():
        late = {id(a) for a in overdue_actions(r.actions, as_of)}
        for a in r.actions:
            due = pd.to_datetime(str(a.get("due", "")), errors="coerce")
            rows.append(
                {
                    "risk": r.id,
                    "action": a["action"],
                    "action_zh": a.get("action_zh"),
                    "owner": a.get("owner", r.owner),
                    "owner_zh": a.get("owner_zh") if "owner" in a else r.owner_zh,
                    "due": None if pd.isna(due) else due.date(),
                    "status": str(a.get("status", "open")),
                    "days_overdue": int((as_of - due).days) if id(a) in late else None,
                    "committed": True,
                }
            )
        if not r.actions:
            suggested += [
                {
                    "risk": r.id,
                    "action": x,
                    "action_zh": None,
                    "owner": owner(r.owner, lang),
                    "owner_zh": r.owner_zh,
                    "due": None,
                    "status": "recommended",
                    "days_overdue": None,
                    "committed": False,
                }
                for x in library_actions.get(r.id, ())[:recommended]
            ]
    cols = ["risk", "action", "action_zh", "owner", "owner_zh", "due", "status", "days_overdue", "committed"]
    return pd.DataFrame(rows + suggested, columns=cols)


def summary_actions(
    live: pd.DataFrame,
    top: pd.DataFrame,
    library_actions: dict[str, tuple[str, ...]],
    as_of: pd.Timestamp,
    lang: str = "en",
) -> pd.DataFrame:
    """The summary's actions: every committed action of a live risk still to do (the most overdue first,
    then by due date), then one recommended action for each top risk that has none."""
    mine = actions_table(live, library_actions, as_of, lang, recommended=0)
    mine = mine[~mine["status"].isin(["done", "cancelled"])]
    mine = (
        mine.assign(_late=mine["days_overdue"].fillna(-1), _due=mine["due"].astype(str))
        .sort_values(["_late", "_due"], ascending=[False, True], kind="stable")
        .drop(columns=["_late", "_due"])
    )
    generic = actions_table(top[top["actions"].map(len) == 0], library_actions, as_of, lang, recommended=1)
    return pd.concat([mine, generic], ignore_index=True)


def partial_note(unit: Any, lang: str = "en") -> str:
    """What a partial period means for its report, in ``lang`` ("" for a complete period)."""
    from riskbook.core.i18n import note

    ctx = unit.ctx
    if ctx.through is not None:
        return t("partial_through", lang, date=ctx.through.date())
    return t("partial_thin", lang, note=note(ctx.thin, lang)) if ctx.thin else ""


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
    from riskbook.stages.products import Summary

    lang, kris, risks = unit.lang, ident.kris, asmt.risks
    top = top_risks(risks)
    breached = set(kris.loc[kris["status"].isin(["amber", "red"]), "id"])  # recommendations answer these
    library_actions = {rid: r.actions(lang, breached) for rid, r in BY_ID.items()}
    live = risks[risks["movement"] != "closed"]
    today = unit.as_of  # the run's one date: actions are overdue against it
    all_actions = actions_table(live, library_actions, today, lang)
    actions = summary_actions(live, top, library_actions, today, lang)
    touched = quality.touching(unit.findings, unit.period, unit.ctx.as_of)
    dq = quality.summary(unit.ctx, unit.meta.get("names"), touched)
    status = "no data" if unit.no_data else "ok"
    evidence: dict[str, pd.DataFrame] = {}
    for f in ident.present:
        for name, df in f.evidence.items():
            evidence.setdefault(name, df)
    money = money_breakdown(risks, None if unit.no_data else money_limit(unit.ctx))
    line = no_data_note(unit, lang) if unit.no_data else headline(kris, risks, unit.currency, lang, money)
    return Summary(
        headline=line,
        status=status,
        data_through=unit.data_through,
        period_complete=unit.period_complete,
        partial=partial_note(unit, lang),
        kris=kris,
        risks=risks,
        top=top,
        actions=actions,
        all_actions=all_actions,
        breaches=mon.breaches,
        dq=dq,
        closed=risks[risks["movement"] == "closed"],
        new=live[live["movement"] == "new"],
        money=money,
        overall=overall_rating(list(live["score"]), not unit.no_data),
        overall_net=overall_rating(list(live["residual_score"]), not unit.no_data),
        history=mon.history,
        as_of=str(unit.as_of.date()),
        evidence=evidence,
        touched=touched,
    )
