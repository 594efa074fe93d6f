"""One check of ``riskbook watch``: ingest what changed, evaluate the alert rules per unit, bring the alert
state up to date (messages written to the outbox with it), deliver what waits, and write the live page.

A check where nothing changed (the same store, settings, registers, code and day) reads no data: it only
sends reminders and retries that are due, from the database.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import xxhash

from riskbook.core import paths
from riskbook.core.periods import Period
from riskbook.settings.alerts import Alerting, alerting
from riskbook.settings.params import display_name
from riskbook.stages.plan import Plan, resolve
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
    units: list[str] = field(default_factory=list)  # the units evaluated (their data or settings changed)


def db_path(out: Path) -> Path:
    return Path(out) / DB


def quarter_of(day: pd.Timestamp) -> Period:
    return Period.parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def watch_plan(data: str | None, config: str | None, units: list[str] | None, out: Path) -> Plan:
    """The plan of a check: the quarter holding the data's last day, every unit (or those named)."""
    from riskbook.ingest.store import read_meta
    from riskbook.stages.plan import data_end

    st = store(data, config, out)
    meta = read_meta(st)
    return resolve(data, config, quarter_of(data_end(meta)), None, units, out, store=st)


def store(data: str | None, config: str | None, out: Path) -> Path:
    """The ingested store of the source. Files are ingested again only when they changed (the store is
    keyed by their content); a source of SQL tables only is first asked its row counts and watermarks
    (riskbook.ingest.sqlpoll), and queried in full only when they moved since the last check. A source
    mixing files and SQL is queried at every check (its files' content key needs the rows)."""
    from riskbook.ingest.store import ingest
    from riskbook.settings import sources

    source = sources.resolve(data, config)
    if not source.has_sql or source.files():  # files (alone or beside SQL): ingest compares their content
        return ingest(source)
    from riskbook.ingest.sqlpoll import poll

    digest, memo = poll(source), Path(out) / ".watch-sql.json"
    day = str(pd.Timestamp(source.as_of or pd.Timestamp.today()).date())
    try:
        last = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = {}
    if last.get("digest") == digest and last.get("day") == day and (Path(last.get("store", "")) / "meta.json").exists():
        return Path(last["store"])
    st = ingest(source)
    with paths.replacing(memo) as tmp:
        tmp.write_text(json.dumps({"digest": digest, "day": day, "store": str(st)}), encoding="utf-8")
    return st


def today(plan: Plan) -> pd.Timestamp:
    """The day actions fall due against: the company's as_of: when it sets one, else today."""
    fixed = plan.company.settings.get("as_of")
    return pd.Timestamp(str(fixed)) if fixed else pd.Timestamp.today().normalize()


def marks(plan: Plan, day: pd.Timestamp) -> dict[str, str]:
    """Per unit, a hash of everything its signals depend on: its own data slices and findings, the store's
    dates, its settings, register and language, the code, and the day. A unit whose mark is unchanged is
    not evaluated again: a new export of one unit costs that unit's KRIs, not the company's."""
    from riskbook.ingest.store import load_findings
    from riskbook.stages.plan import task_keys

    hashes = plan.meta.get("store_hashes") or {}
    shared = json.dumps([plan.meta.get("dates"), plan.meta.get("gap_days"), plan.as_of, str(day.date())])
    own = {}
    for u in plan.units:
        f = load_findings(plan.store, u)  # the unit's findings (and those of rows of no unit): its own
        found = "" if f is None or not len(f) else str(int(pd.util.hash_pandas_object(f, index=False).sum()))
        slices = sorted((k, v) for k, v in hashes.items() if k.startswith(f"{u}/"))
        own[u] = shared + found + json.dumps(slices)
    if not hashes:  # a store written before slices were hashed: the whole store stands for each unit
        own = {u: shared + plan.meta["store"] for u in plan.units}
    settings = task_keys(list(plan.units), plan.period, plan.langs, "", plan.company.params_dir, plan.as_of)
    return {u: xxhash.xxh3_128(f"{settings[u]}|{own[u]}".encode()).hexdigest() for u in plan.units}


def signals(
    plan: Plan,
    unit: str,
    day: pd.Timestamp,
    rules: dict[str, dict[str, Any]],
    alerts: Alerting,
    open_risks: set[str] = frozenset(),
):
    """Every signal of ``unit`` at this check, the keys it could not judge and those of rules switched off
    (riskbook.watch.track.reconcile), and its KRIs to date for the live page."""
    from riskbook import kris as K
    from riskbook.stages.unit import open_unit

    u = open_unit(unit, plan=plan)
    win = R.windows(u.ctx)
    kris = {w: K.compute(c) for w, c in win.items()}
    found: list[R.Signal] = []
    keep: set[str] = R.unjudged(unit, kris)
    quiet = {f"{unit}|{rule}|" for rule, r in rules.items() if not r.get("enabled", True)}
    if rules["kri"].get("kris"):
        quiet |= {f"{unit}|kri|{k}" for k in kris["qtd"]["id"] if k not in rules["kri"]["kris"]}
    if rules["kri"].get("enabled", True):
        found += R.kri_signals(unit, R.judged(kris, win), rules["kri"], u.ctx)
    if rules["risk"].get("enabled", True):
        pack = R.latest_pack(plan.published, win["qtd"].period, unit)
        found += R.risk_signals(unit, win["qtd"], kris["qtd"], u.register(), rules["risk"], pack, open_risks)
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
    return found, keep, quiet, snapshot


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
    alerts = {u: alerting(plan.settings[u], u) for u in plan.units}
    db = state or State(db_path(out))
    try:
        day = today(plan)
        context = {
            u: {
                "lang": plan.lang_of(u),
                "name": display_name(plan.settings[u], u, plan.lang_of(u)),
                "currency": str(plan.settings[u].get("currency") or ""),
                "pack": latest_pdf(out, plan.period, u, alerts[u].pack_url),
            }
            for u in plan.units
        }
        now_marks = marks(plan, day)
        last_marks = json.loads(db.get("marks") or "{}")
        changed = [u for u in plan.units if last_marks.get(u) != now_marks[u]]
        opened = 0
        if changed:
            found: list[R.Signal] = []
            keep: set[str] = set()
            quiet: set[str] = set()
            snapshots = json.loads(db.get("snapshot") or "{}")
            for u in changed:
                open_risks = {a.subject for a in db.alerts("unit = ? AND rule = 'risk' AND status != 'resolved'", u)}
                s, k, q, snapshots[u] = signals(plan, u, day, alerts[u].rules, alerts[u], open_risks)
                found, keep, quiet = found + s, keep | k, quiet | q
            opened = reconcile(db, found, changed, alerts, context, keep, quiet)
            with db.transaction():
                db.put("snapshot", json.dumps(snapshots, ensure_ascii=False))
                db.put("marks", json.dumps({**last_marks, **{u: now_marks[u] for u in changed}}))
        remind(db, alerts, context)
        sent = deliver(db, alerts)
        seconds = time.perf_counter() - t0
        db.record_check(seconds, bool(changed), opened, sent)
        write_live(db, out, plan)
        return Outcome(bool(changed), opened, sent, db.pending(), seconds, changed)
    finally:
        if state is None:
            db.close()
