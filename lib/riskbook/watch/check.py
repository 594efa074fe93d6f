"""One check of ``riskbook watch``: ingest what changed, evaluate the alert rules per unit, bring the alert
state up to date (messages written to the outbox with it), deliver what waits, and write the live page.

A check where nothing changed (the same store, settings, registers, code and day) reads no data: it only
sends reminders and retries that are due, from the database.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xxhash

from riskbook.core import paths
from riskbook.core.periods import Period
from riskbook.settings.alerts import Alerting, alerting
from riskbook.settings.params import display_name
from riskbook.stages.plan import Plan, open_store, resolve
from riskbook.watch import rules as R
from riskbook.watch.deliver import deliver
from riskbook.watch.state import State
from riskbook.watch.track import reconcile, remind

DB = "alerts.db"


@dataclass
class Outcome:
    """What one check did."""

    changed: bool  # the data or settings changed since the last check (the rules ran)
    opened: int  # alerts opened (new, or back after being resolved)
    sent: int  # messages delivered
    pending: int  # messages waiting for a channel to come back
    seconds: float


def db_path(out: Path) -> Path:
    return Path(out) / DB


def quarter_of(day: pd.Timestamp) -> Period:
    return Period.parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def watch_plan(data: str | None, config: str | None, units: list[str] | None, out: Path) -> Plan:
    """The plan of a check: the quarter holding the data's last day, every unit (or those named)."""
    st = open_store(data, config)
    from riskbook.ingest.store import read_meta
    from riskbook.stages.plan import data_end

    meta = read_meta(st)
    return resolve(data, config, quarter_of(data_end(meta)), None, units, out, store=st)


def today(plan: Plan) -> pd.Timestamp:
    """The day actions fall due against: the company's as_of: when it sets one, else today."""
    fixed = plan.company.settings.get("as_of")
    return pd.Timestamp(str(fixed)) if fixed else pd.Timestamp.today().normalize()


def fingerprint(plan: Plan, day: pd.Timestamp) -> str:
    """Everything a check's signals depend on: each unit's key (data, settings, register, code) and the day."""
    h = xxhash.xxh3_128(f"{day.date()}|{sorted(plan.units)}".encode())
    h.update(json.dumps(sorted(plan.keys.items())).encode())
    return h.hexdigest()


def signals(plan: Plan, unit: str, day: pd.Timestamp, rules: dict[str, dict[str, Any]], alerts: Alerting):
    """Every signal of ``unit`` at this check, and its KRIs to date for the live page."""
    from riskbook import kris as K
    from riskbook.stages.unit import open_unit

    u = open_unit(unit, plan=plan)
    win = R.windows(u.ctx)
    kris = {w: K.compute(c) for w, c in win.items()}
    found: list[R.Signal] = []
    if rules["kri"].get("enabled", True):
        found += R.kri_signals(unit, kris, rules["kri"], u.ctx)
    if rules["risk"].get("enabled", True):
        pack = R.latest_pack(plan.published, win["qtd"].period, unit)
        found += R.risk_signals(unit, win["qtd"], kris["qtd"], u.register(), rules["risk"], pack)
    if rules["action"].get("enabled", True):
        found += R.action_signals(unit, u.register(), day, rules["action"], alerts)
    if rules["data"].get("enabled", True):
        found += R.data_signals(unit, u.ctx, rules["data"])
    snapshot = {
        w: [
            {
                "id": r["id"],
                "title": {"en": r["title"], "zh": r["title_zh"]},
                "value": R._num(r["value"]),
                "unit": r["unit"],
                "status": r["status"],
                "amber": R._num(r["amber"]),
                "red": R._num(r["red"]),
            }
            for r in f.to_dict("records")
        ]
        for w, f in kris.items()
    }
    snapshot["period"] = {w: str(c.period) for w, c in win.items()}
    snapshot["through"] = u.data_through
    return found, snapshot


def latest_pdf(out: Path, quarter: Period, unit: str, base_url: str) -> str:
    """Where the unit's latest pack is: its PDF's URL (alerts.pack_url) or path."""
    for p in (quarter, quarter.previous):
        pdf = paths.report_pdf(paths.unit_dir(out, p, unit), unit, p)
        if pdf.exists():
            rel = pdf.relative_to(out).as_posix()
            return f"{base_url.rstrip('/')}/{rel}" if base_url else str(pdf)
    return ""


def check(
    data: str | None, config: str | None, out: Path, units: list[str] | None = None, state: State | None = None
) -> Outcome:
    """One check, start to end (the state database opened here unless given)."""
    from riskbook.watch.live import write_live

    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    plan = watch_plan(data, config, units, out)  # the data and settings checked before any state is made
    db = state or State(db_path(out))
    try:
        day = today(plan)
        alerts = {u: alerting(plan.settings[u]) for u in plan.units}
        context = {
            u: {
                "lang": plan.lang_of(u),
                "name": display_name(plan.settings[u], u, plan.lang_of(u)),
                "currency": str(plan.settings[u].get("currency") or ""),
                "pack": latest_pdf(out, plan.period, u, alerts[u].pack_url),
            }
            for u in plan.units
        }
        mark = fingerprint(plan, day)
        changed = db.get("fingerprint") != mark
        opened = 0
        if changed:
            found: list[R.Signal] = []
            snapshots = json.loads(db.get("snapshot") or "{}")
            for u in plan.units:
                s, snapshots[u] = signals(plan, u, day, alerts[u].rules, alerts[u])
                found += s
            opened = reconcile(db, found, list(plan.units), alerts, context)
            with db.transaction():
                db.put("snapshot", json.dumps(snapshots, ensure_ascii=False))
                db.put("fingerprint", mark)
        remind(db, alerts, context)
        sent = deliver(db, alerts)
        seconds = time.perf_counter() - t0
        db.record_check(seconds, changed, opened, sent)
        write_live(db, out, plan)
        return Outcome(changed, opened, sent, db.pending(), seconds)
    finally:
        if state is None:
            db.close()
