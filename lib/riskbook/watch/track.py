"""Bringing the alert state up to date with a check's signals, in one transaction with the messages it
owes: a new signal opens an alert (announced once); a worse one escalates it (announced, acknowledged or
not); one that is gone resolves it (announced once); an open alert not acknowledged is reminded after
``alerts.remind_every``. A snoozed alert says nothing before its date but its resolution."""

from __future__ import annotations

import json
from typing import Any

from riskbook.settings.alerts import Alerting, Recipient
from riskbook.watch.messages import compose
from riskbook.watch.rules import Signal, rank
from riskbook.watch.state import Alert, State, now


def _worse(a: Alert, s: Signal, by: float) -> bool:
    """A red KRI's value moved ``by`` % or more (and more than nothing) the wrong way since the alert was
    last announced as new or worse, in the same window (month or quarter to date)."""
    if s.rule != "kri" or s.severity != "red" or s.value is None or a.sent_value in (None, 0):
        return False
    if a.facts.get("sent_window", s.facts.get("window")) != s.facts.get("window"):
        return False
    change = (s.value - a.sent_value) / abs(a.sent_value) * 100
    change = change if s.worse == "up" else -change
    return change > 0 and change >= by


def _snoozed(a: Alert) -> bool:
    """Snoozed until a date, that date included."""
    return bool(a.snoozed_until) and str(a.snoozed_until) >= now()[:10]


def enqueue(db: State, a: Alert, kind: str, alerts: Alerting, ctx: dict[str, Any]) -> int:
    """Write the messages of ``a`` for every recipient of its severity (and its owner's address); returns
    how many. A resolution goes to everyone who heard of it at its highest severity."""
    severity = (a.announced or a.sent_severity or a.severity) if kind == "resolved" else a.severity
    before = {"value": a.sent_value, "severity": a.sent_severity} if a.sent_severity else None
    msg = compose(a, kind, ctx["lang"], ctx["name"], ctx["currency"], ctx["pack"], before)
    recipients = [r for r in alerts.recipients if rank(severity) >= rank(r.min)]
    keys = {r.key for r in recipients}
    recipients += [Recipient("email", addr, "info") for addr in a.facts.get("to", []) if f"email:{addr}" not in keys]
    stamp = now()
    for r in recipients:
        db.db.execute(
            "INSERT INTO outbox (alert_id, kind, unit, recipient, message, status, next_try, created)"
            " VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
            (a.id, kind, a.unit, r.key, json.dumps(msg.to_json(), ensure_ascii=False), stamp, stamp),
        )
    if kind in ("new", "escalated"):  # what the next escalation compares with, and who hears of the end
        top = max([a.announced or "info", a.severity], key=rank)
        facts = {**a.facts, "sent_window": a.facts.get("window")}
        db.db.execute(
            "UPDATE alerts SET last_sent = ?, sent_severity = ?, sent_value = ?, announced = ?, facts = ? WHERE id = ?",
            (stamp, a.severity, a.facts.get("value"), top, json.dumps(facts, ensure_ascii=False), a.id),
        )
    else:
        db.db.execute("UPDATE alerts SET last_sent = ? WHERE id = ?", (stamp, a.id))
    return len(recipients)


def _open(db: State, s: Signal, old: Alert | None) -> Alert:
    facts = json.dumps(s.facts, ensure_ascii=False)
    stamp = now()
    if old is None:
        db.db.execute(
            "INSERT INTO alerts (key, unit, rule, subject, severity, status, facts, opened, updated)"
            " VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?)",
            (s.key, s.unit, s.rule, s.subject, s.severity, facts, stamp, stamp),
        )
    else:  # back after being resolved: the same alert, open again
        db.db.execute(
            "UPDATE alerts SET status = 'open', severity = ?, facts = ?, opened = ?, updated = ?, resolved = NULL,"
            " acknowledged = NULL, note = NULL, snoozed_until = NULL, sent_severity = NULL, sent_value = NULL,"
            " last_sent = NULL WHERE id = ?",
            (s.severity, facts, stamp, stamp, old.id),
        )
        db.db.execute("UPDATE alerts SET announced = NULL WHERE id = ?", (old.id,))
    return db.alerts("key = ?", s.key)[0]


def reconcile(
    db: State,
    found: list[Signal],
    units: list[str],
    alerts: dict[str, Alerting],
    context: dict[str, dict],
    keep: set[str] = frozenset(),
    quiet: set[str] = frozenset(),
) -> int:
    """Open, escalate and resolve alerts of ``units`` after a check's signals; returns how many opened.
    ``keep``: keys this check could not judge (a KRI n/a), left as they are; ``quiet``: key prefixes of rules
    switched off or KRIs no longer watched, resolved without a message (nothing got better)."""
    opened = 0
    with db.transaction():
        known = {a.key: a for a in db.alerts()}
        live = {s.key for s in found}
        for s in found:
            # the figure its messages report and escalations compare; the owner who hears of it too
            s.facts = {**s.facts, "value": s.value, "to": list(s.to)}
            a = known.get(s.key)
            ctx, rules = context[s.unit], alerts[s.unit].rules
            if a is None or a.status == "resolved":
                a = _open(db, s, a)
                opened += 1
                enqueue(db, a, "new", alerts[s.unit], ctx)
                continue
            escalate = rank(s.severity) > rank(a.sent_severity or a.severity) or _worse(
                a, s, float(rules["kri"].get("worse_by", 10))
            )
            facts = {**s.facts, "sent_window": a.facts.get("sent_window", s.facts.get("window"))}
            db.db.execute(
                "UPDATE alerts SET severity = ?, facts = ?, updated = ? WHERE id = ?",
                (s.severity, json.dumps(facts, ensure_ascii=False), now(), a.id),
            )
            if escalate and not _snoozed(a):
                enqueue(db, db.alert(a.id), "escalated", alerts[s.unit], ctx)
        for a in known.values():
            if a.unit not in units or a.status == "resolved" or a.key in live or a.key in keep:
                continue
            db.db.execute(
                "UPDATE alerts SET status = 'resolved', resolved = ?, updated = ? WHERE id = ?", (now(), now(), a.id)
            )
            if a.last_sent and not any(a.key.startswith(q) for q in quiet):  # announced: its end is said once
                enqueue(db, db.alert(a.id), "resolved", alerts[a.unit], context[a.unit])
    return opened


def remind(db: State, alerts: dict[str, Alerting], context: dict[str, dict]) -> int:
    """Reminders of open alerts, not acknowledged nor snoozed, whose last message is older than their unit's
    ``remind_every``; returns how many alerts were reminded."""
    from datetime import datetime, timedelta

    n = 0
    with db.transaction():
        for a in db.alerts("status = 'open' AND last_sent IS NOT NULL"):
            if a.unit not in alerts or _snoozed(a) or not alerts[a.unit].remind_every:
                continue
            due = datetime.fromisoformat(a.last_sent) + timedelta(seconds=alerts[a.unit].remind_every)
            if due <= datetime.fromisoformat(now()):
                enqueue(db, a, "reminder", alerts[a.unit], context[a.unit])
                n += 1
    return n
