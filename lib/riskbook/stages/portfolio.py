"""The group roll-up: every unit's results.json side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from riskbook.core import config, paths
from riskbook.core.ratings import RATINGS
from riskbook.kris import FAMILIES


def load_results(*period_dirs: Path, units: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """results.json of every unit folder under the ``period_dirs`` (or of ``units``), by unit; a later folder's
    replaces an earlier's (a run's unpublished results over the published ones)."""
    out = {}
    for period_dir in map(Path, period_dirs):
        for d in period_dir.iterdir() if period_dir.exists() else []:
            if d.name == config.GROUP or not d.is_dir() or (units and d.name not in units):
                continue
            f = paths.results_json(d)
            if f.exists():
                out[d.name] = json.loads(f.read_text(encoding="utf-8"))
    return dict(sorted(out.items()))


def family_matrix(docs: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Units × families: the highest inherent score of a live risk (0: none)."""
    m = pd.DataFrame(0, index=list(docs), columns=list(FAMILIES))
    for unit, doc in docs.items():
        for r in doc["risks"]:
            if r["movement"] != "closed":
                m.loc[unit, r["category"]] = max(m.loc[unit, r["category"]], r["score"])
    return m


TOP_COLUMNS = (
    "id",
    "title",
    "score",
    "rating",
    "residual_score",
    "residual_rating",
    "previous_score",
    "exposure",
    "movement",
    "response",
    "owner",
)


def _overridden(r: dict[str, Any]) -> bool:
    """Whether an analyst's override changed the risk's score from the model's."""
    o = r.get("override") or {}
    ml, mi = o.get("model_likelihood"), o.get("model_impact")
    return ml is not None and mi is not None and ml * mi != r["score"]


def top_risks(docs: dict[str, dict[str, Any]], n: int = 10) -> pd.DataFrame:
    """The group's top risks across units, the highest after controls first (then before, then money):
    every one rated high or critical before or after controls, and at least ``n``."""
    rows = [
        {"unit": u, **{k: r.get(k) for k in TOP_COLUMNS}, "overridden": _overridden(r)}
        for u, d in docs.items()
        for r in d["risks"]
        if r["movement"] != "closed"
    ]
    df = pd.DataFrame(rows, columns=["unit", *TOP_COLUMNS, "overridden"])
    df["residual_score"] = df["residual_score"].fillna(df["score"])
    severe = df["rating"].isin(["high", "critical"]) | df["residual_rating"].isin(["high", "critical"])
    keep = max(n, int(severe.sum()))
    order = ["residual_score", "score", "exposure"]
    return df.sort_values(order, ascending=False, kind="stable").head(keep).reset_index(drop=True)


def red_kris(docs: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Each unit's red KRIs by title (units without one left out): the group summary names every red."""
    return {u: reds for u, d in docs.items() if (reds := [k["title"] for k in d["kris"] if k["status"] == "red"])}


def unactioned(docs: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Each unit's risks rated high or critical after controls with no action taken on (none open, in
    progress or done; a recommended one does not count), by id."""
    taken = ("open", "in progress", "done")
    return {
        u: ids
        for u, d in docs.items()
        if (
            ids := [
                r["id"]
                for r in d["risks"]
                if r["movement"] != "closed"
                and (r.get("residual_rating") or r["rating"]) in ("high", "critical")
                and not any((a.get("status") or "open") in taken for a in r.get("actions") or [])
            ]
        )
    }


ACTION_ROWS = 15  # the group's actions table: the latest first this many, then "N more"


def group_actions(docs: dict[str, dict[str, Any]], as_of: str) -> pd.DataFrame:
    """Every unit's actions not done, the most overdue first (then by due date): unit, risk, action, owner,
    due, status, days overdue at ``as_of`` (none when not yet due)."""
    day = pd.Timestamp(as_of) if as_of else pd.Timestamp.today().normalize()
    rows = []
    for u, d in docs.items():
        for r in d.get("risks", []):
            if r.get("movement") == "closed":
                continue
            for a in r.get("actions") or []:
                if a.get("status", "open") in ("done", "cancelled") or a.get("status") == "recommended":
                    continue
                due = pd.to_datetime(str(a.get("due") or ""), errors="coerce", format="ISO8601")
                late = int((day - due).days) if pd.notna(due) and due < day else None
                rows.append({"unit": u, "risk": r["id"], "title": r.get("title", ""), **a, "days_overdue": late})
    cols = ["unit", "risk", "title", "action", "action_zh", "owner", "owner_zh", "due", "status", "days_overdue"]
    df = pd.DataFrame(rows, columns=cols)
    if not len(df):
        return df
    df = df.assign(_late=df["days_overdue"].fillna(-1), _due=df["due"].astype(str))
    return df.sort_values(["_late", "_due"], ascending=[False, True], kind="stable").drop(columns=["_late", "_due"])


def kri_matrix(docs: dict[str, dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, statuses): KRIs × units."""
    vals, stats = {}, {}
    for u, d in docs.items():
        vals[u] = {k["id"]: k["value"] for k in d["kris"]}
        stats[u] = {k["id"]: k["status"] for k in d["kris"]}
    return pd.DataFrame(vals), pd.DataFrame(stats)


RATING_ORDER = {"": -1} | {r: i for i, r in enumerate(RATINGS)}  # a rating → its rank, none lowest


def overall(doc: dict[str, Any], kind: str = "inherent") -> str:
    """A unit's overall rating as its results.json says (``overall.inherent``, or ``overall.residual``:
    after controls); computed from its risks for a results.json written before riskbook recorded it."""
    said = doc.get("overall")
    if isinstance(said, dict) and isinstance(said.get(kind), str):
        return said[kind]
    from riskbook.stages.summarise import overall_rating

    score = "score" if kind == "inherent" else "residual_score"
    live = [r.get(score, r["score"]) for r in doc.get("risks", []) if r.get("movement") != "closed"]
    return overall_rating(live, doc.get("status") != "no data")


def group_overall(docs: dict[str, dict[str, Any]], kind: str = "inherent") -> str:
    """The group's overall rating (``kind``: inherent or residual): its worst unit's ("" when no unit has
    data)."""
    ratings = [r for r in (overall(d, kind) for d in docs.values()) if r in RATINGS]
    return max(ratings, key=RATINGS.index) if ratings else ""


def unit_table(docs: dict[str, dict[str, Any]], names: dict[str, str], currency: str, lang: str) -> pd.DataFrame:
    """One row per unit, the most at risk first: overall rating after and before controls, red and amber
    KRIs, risks (high or critical), money at risk (the unit summary's rule) and its top risk."""
    from riskbook.core.i18n import money_parts
    from riskbook.stages.summarise import money_breakdown

    rows = []
    for u, d in docs.items():
        live = [r for r in d["risks"] if r["movement"] != "closed"]
        risks = pd.DataFrame(
            [
                {
                    "id": r["id"],
                    "title": r["title"],
                    "title_zh": r["title"],
                    "exposure": r.get("exposure") or 0.0,
                    "movement": r["movement"],
                }
                for r in live
            ],
            columns=["id", "title", "title_zh", "exposure", "movement"],
        )
        stated = (d.get("money_at_risk") or {}).get("total")
        money = (
            float(stated)
            if stated is not None
            else float(money_breakdown(risks)["exposure"].sum())
            if len(risks)
            else 0.0
        )
        top = (
            max(live, key=lambda r: (r.get("residual_score", r["score"]), r["score"], r.get("exposure") or 0))
            if live
            else None
        )
        rows.append(
            {
                "unit": u,
                "name": names.get(u, u),
                "status": d.get("status", "ok"),
                "overall": overall(d),
                "overall_net": overall(d, "residual"),
                "red": sum(k["status"] == "red" for k in d["kris"]),
                "amber": sum(k["status"] == "amber" for k in d["kris"]),
                "risks": len(live),
                "high": sum(r["rating"] in ("high", "critical") for r in live),
                "money": money,
                "top_id": top["id"] if top else "",
                "top_title": top["title"] if top else "",
            }
        )
    df = pd.DataFrame(rows)
    if not len(df):
        return df
    df = df.assign(_n=df["overall_net"].map(RATING_ORDER), _o=df["overall"].map(RATING_ORDER))
    df = df.sort_values(["_n", "_o", "red", "money"], ascending=False, kind="stable").drop(columns=["_n", "_o"])
    amounts, _ = money_parts(list(df["money"]), currency, lang)
    return df.assign(money_text=amounts).reset_index(drop=True)


def themes(docs: dict[str, dict[str, Any]], names: dict[str, str]) -> pd.DataFrame:
    """Risks present in more than one unit: id, title, the units (by name) and how many."""
    seen: dict[str, dict[str, Any]] = {}
    for u, d in docs.items():
        for r in d["risks"]:
            if r["movement"] == "closed" or r.get("source") == "analyst":
                continue
            e = seen.setdefault(r["id"], {"id": r["id"], "title": r["title"], "units": []})
            e["units"].append(names.get(u, u))
    rows = [e | {"count": len(e["units"])} for e in seen.values() if len(e["units"]) > 1]
    df = pd.DataFrame(rows, columns=["id", "title", "units", "count"])
    return df.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)
