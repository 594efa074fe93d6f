"""The alert rules: what ``riskbook watch`` finds in a unit's data at one check, as signals.

- ``kri``: a KRI amber or red, month to date or quarter to date (a period the data covers in part is
  judged as the pack judges it: like for like with the same days of the comparison period);
- ``risk``: a risk rated high or critical that the unit's latest published pack did not rate so;
- ``action``: a register action overdue (red after ``red_after`` days), or due within ``due_within`` days
  (info, to its owner);
- ``data``: error findings on more than ``share`` % of the month's new rows.

A signal is keyed by (unit, rule, subject); its facts are plain JSON (figures, evidence rows), written in
no language: the message is worded in the unit's language when it is sent (riskbook.watch.messages).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from riskbook.core import paths
from riskbook.core.periods import Period
from riskbook.kris import Context
from riskbook.settings.alerts import SEVERITIES, Alerting

EVIDENCE_ROWS = 5
TEXT = 120  # characters of a value shown in a message


@dataclass
class Signal:
    """A condition an alert rule found: the alert it opens or keeps open."""

    unit: str
    rule: str  # kri | risk | action | data
    subject: str  # the KRI id, risk id, action id or "errors"
    severity: str  # info | amber | red
    facts: dict[str, Any] = field(default_factory=dict)
    value: float | None = None  # the figure an escalation compares (a red KRI's value)
    worse: str = "up"  # which way the value gets worse
    to: tuple[str, ...] = ()  # addresses beyond the unit's recipients (an action's owner)

    @property
    def key(self) -> str:
        return f"{self.unit}|{self.rule}|{self.subject}"


def rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def _num(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _cell(v: Any) -> Any:
    """A value as a JSON cell: a number, a date's day, or text cut to TEXT characters."""
    if isinstance(v, pd.Timestamp):
        return str(v.date()) if pd.notna(v) else ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _num(v)
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)[:TEXT]


def rows(df: pd.DataFrame | None, n: int = EVIDENCE_ROWS) -> list[dict[str, Any]]:
    """The first ``n`` rows of an evidence table as JSON records."""
    if df is None or not len(df):
        return []
    return [{str(k): _cell(v) for k, v in r.items()} for r in df.head(n).to_dict("records")]


def windows(ctx: Context) -> dict[str, Context]:
    """Month to date and quarter to date: the month and quarter holding the data's last day."""
    end = ctx.coverage.through if ctx.coverage.through is not None else ctx.period.end
    month = Period.parse(f"{end.year}-{end.month:02d}")
    quarter = Period.parse(f"{end.year}Q{(end.month - 1) // 3 + 1}")
    return {"mtd": ctx.at(month), "qtd": ctx.at(quarter)}


def judged(kris: dict[str, pd.DataFrame], win: dict[str, Context]) -> dict[str, pd.DataFrame]:
    """The windows an alert may rest on: the quarter to date, and the month to date only once the data
    covers the month (a month of a few days makes concentration and shares swing: northwind's last six
    days put one region's customer concentration at 4,309 against 983 for its quarter)."""
    return {w: f for w, f in kris.items() if w == "qtd" or not win[w].partial}


def unjudged(unit: str, kris: dict[str, pd.DataFrame]) -> set[str]:
    """Keys of KRIs this check could not judge (n/a in every window): their alerts stay as they are."""
    statuses = pd.concat([f[["id", "status"]] for f in kris.values()])
    judged = set(statuses.loc[statuses["status"] != "n/a", "id"])
    return {f"{unit}|kri|{k}" for k in set(statuses["id"]) - judged}


def kri_signals(unit: str, kris: dict[str, pd.DataFrame], rules: dict[str, Any], ctx: Context) -> list[Signal]:
    """One signal per KRI amber or red in either window (its worse window's status)."""
    from riskbook import kris as K
    from riskbook.risks import LIBRARY

    low = rank(rules.get("min", "amber"))
    frames = {w: f.set_index("id") for w, f in kris.items()}
    watched = set(rules.get("kris") or frames["qtd"].index)
    out = []
    for kid in [k for k in frames["qtd"].index if k in watched]:
        seen = {w: f.loc[kid] for w, f in frames.items() if kid in f.index}
        bad = {w: r for w, r in seen.items() if rank(str(r["status"])) >= max(low, 1)}
        if not bad:
            continue
        window = max(bad, key=lambda w: (rank(str(bad[w]["status"])), w == "qtd"))
        r = bad[window]
        k = K.REGISTRY[kid]
        figures = {
            w: {"value": _num(x["value"]), "status": str(x["status"]), "previous": _num(x.get("previous"))}
            for w, x in seen.items()
        }
        risk = next((rk for rk in LIBRARY if kid in rk.kris), None)
        evidence = _evidence(risk, ctx) if risk is not None else {}
        facts = {
            "kri": kid,
            "title": {"en": k.title("en"), "zh": k.title("zh")},
            "unit_of_measure": str(r.get("unit") or ""),
            "window": window,
            "windows": figures,
            "amber": _num(r["amber"]),
            "red": _num(r["red"]),
            "direction": str(r["direction"]),
            "reason": r["reason"][:300] if isinstance(r.get("reason"), str) else "",
            "evidence": evidence,
        }
        out.append(Signal(unit, "kri", kid, str(r["status"]), facts, _num(r["value"]), str(r["direction"])))
    return out


def _evidence(risk: Any, ctx: Context) -> dict[str, Any]:
    """The first evidence table of ``risk`` at ``ctx`` (its title in both languages and first rows)."""
    from riskbook.stages.identify import evidence

    tables = evidence(risk, ctx)
    for name, df in tables.items():
        en, zh = risk.tables.get(name, (name, name))
        return {"table": name, "title": {"en": en, "zh": zh}, "rows": rows(df), "count": len(df)}
    return {}


def risk_signals(
    unit: str,
    ctx: Context,
    kris: pd.DataFrame,
    register: Any,
    rules: dict[str, Any],
    pack: dict[str, str],
    open_ids: set[str] = frozenset(),
) -> list[Signal]:
    """Risks rated at least ``rules['min']`` (quarter to date) that the latest published pack (``pack``:
    risk id → rating) did not rate so, or rates lower than now; a risk whose alert is open (``open_ids``)
    stays signalled while it is rated so, pack or not."""
    from riskbook.stages.assess import assess
    from riskbook.stages.identify import identify

    order = ("low", "medium", "high", "critical")
    low = order.index(rules.get("min", "high"))
    present = identify(ctx, kris, with_evidence=False)
    if not present:
        return []
    scored = assess(present, ctx, register)
    by_id = {p.risk.id: p.risk for p in present}
    out = []
    for r in scored.to_dict("records"):
        rating = str(r.get("rating") or "")
        if rating not in order or order.index(rating) < low:
            continue
        known = pack.get(r["id"])
        if r["id"] not in open_ids and known in order and order.index(known) >= order.index(rating):
            continue  # the latest pack rated it so already
        risk = by_id.get(r["id"])
        facts = {
            "risk": r["id"],
            "title": {"en": risk.title("en"), "zh": risk.title("zh")} if risk else {"en": r["id"], "zh": r["id"]},
            "rating": rating,
            "score": _num(r.get("score")),
            "likelihood": _num(r.get("likelihood")),
            "impact": _num(r.get("impact")),
            "exposure": _num(r.get("exposure")),
            "in_pack": pack.get(r["id"], ""),
            "evidence": _evidence(risk, ctx) if risk is not None else {},
        }
        out.append(Signal(unit, "risk", r["id"], "red" if rating == "critical" else "amber", facts))
    return out


def action_signals(unit: str, register: Any, as_of: pd.Timestamp, rules: dict[str, Any], alerting: Alerting):
    """Register actions not done: overdue (amber, red after ``red_after`` days) or due within
    ``due_within`` days (info); each goes to its owner too when ``alerts.owners`` gives an address."""
    import hashlib

    out, seen = [], set()
    within, red_after = float(rules.get("due_within", 7)), float(rules.get("red_after", 30))
    for rid, entry in sorted(register.entries.items()):
        for i, a in enumerate(entry.get("actions") or []):
            due = pd.to_datetime(str(a.get("due") or ""), errors="coerce", format="ISO8601")
            if a.get("status", "open") in ("done", "cancelled") or pd.isna(due):
                continue
            days = (as_of.normalize() - due.normalize()).days
            if days > 0:
                severity = "red" if days > red_after else "amber"
            elif -days <= within:
                severity = "info"
            else:
                continue
            text, owner = str(a.get("action") or ""), str(a.get("owner") or "")
            digest = hashlib.sha1(f"{text}|{due.date()}|{owner}".encode()).hexdigest()[:8]  # noqa: S324 (a name)
            ident = f"{rid}#{digest}"
            if ident in seen:  # the same action written twice: one alert
                continue
            seen.add(ident)
            facts = {
                "risk": rid,
                "action": {"en": text[:300], "zh": str(a.get("action_zh") or text)[:300]},
                "owner": owner,
                "due": str(due.date()),
                "days_late": days,
                "status": str(a.get("status", "open")),
                "index": i,
            }
            to = (alerting.owners[owner],) if owner in alerting.owners else ()
            out.append(Signal(unit, "action", ident, severity, facts, float(days), "up", to))
    return out


DATA_DAYS = 30  # the data rule's new rows: those dated in the last 30 days the data reaches


def data_signals(unit: str, ctx: Context, rules: dict[str, Any]) -> list[Signal]:
    """Error findings on more than ``share`` % of the rows dated in the last 30 days of the data (and
    ``rows`` or more): a sliding window, so the first of a month does not look clean for lack of rows."""
    from riskbook.core.schema import TABLES

    f = ctx.findings
    end = ctx.coverage.through if ctx.coverage.through is not None else ctx.period.end
    start = (end - pd.Timedelta(days=DATA_DAYS - 1)).normalize()
    if f is None or not len(f):
        return []
    new = f[(f["severity"] == "error") & (f["date"] >= start) & (f["date"] <= end)]
    bad = new.drop_duplicates(["table", "row"])
    total = 0
    for name, df in (ctx.raw or {}).items():
        col = TABLES[name].date_col if name in TABLES else None
        if col and col in df.columns:
            d = pd.to_datetime(df[col], errors="coerce")
            total += int(((d >= start) & (d <= end)).sum())
    share = 100.0 * len(bad) / total if total else 0.0
    if len(bad) < int(rules.get("rows", 5)) or share <= float(rules.get("share", 2.0)):
        return []
    checks = new.groupby(["check", "table"]).size().sort_values(ascending=False).head(EVIDENCE_ROWS)
    facts = {
        "rows": len(bad),
        "of": total,
        "share": round(share, 2),
        "since": str(start.date()),
        "through": str(pd.Timestamp(end).date()),
        "checks": [{"check": c, "table": t, "rows": int(n)} for (c, t), n in checks.items()],
        "evidence": {"rows": rows(new[["table", "row", "check", "column", "value"]]), "count": len(new)},
    }
    return [Signal(unit, "data", "errors", "amber", facts, share, "up")]


def latest_pack(out: Path, quarter: Period, unit: str) -> dict[str, str]:
    """Risk id → rating in the unit's latest published pack of ``quarter`` (else the quarter before)."""
    for p in (quarter, quarter.previous):
        f = paths.results_json(paths.unit_dir(out, p, unit))
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return {str(r.get("id")): str(r.get("rating")) for r in doc.get("risks", []) if r.get("movement") != "closed"}
    return {}
