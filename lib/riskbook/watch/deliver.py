"""Delivering the outbox: each waiting message is marked ``sending``, sent, then marked ``sent``. A channel
that is down leaves it pending, tried again with a growing wait (30 s, 1 min, 2 min … at most 1 h); a
message whose recipient has left the settings is dropped, and says so."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import datetime, timedelta

from riskbook.settings.alerts import Alerting, Recipient
from riskbook.watch.channels import SendError, send
from riskbook.watch.messages import Message
from riskbook.watch.state import State, now

FIRST_WAIT, LONGEST_WAIT = 30.0, 3600.0  # seconds before a failed message is tried again
DIGEST = 3  # more messages than this to one recipient at once go as one digest
DIGEST_CHARS = 12000  # a digest's length (chat services cap a message near 20,000 bytes)


def backoff(attempts: int) -> float:
    """Seconds to wait after ``attempts`` failed tries."""
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def recipients(alerts: Alerting) -> dict[str, Recipient]:
    """The unit's recipients by key, its action owners' addresses included."""
    out = {r.key: r for r in alerts.recipients}
    for addr in alerts.owners.values():
        out.setdefault(f"email:{addr}", Recipient("email", addr, "info"))
    return out


def deliver(db: State, alerts: dict[str, Alerting]) -> int:
    """Send every message due, a recipient's many at once as one digest; returns how many messages went."""
    sent = 0
    smtp = next((a.smtp for a in alerts.values() if a.smtp), {})
    groups: dict[str, list[sqlite3.Row]] = {}
    for row in db.waiting(now()):
        unit_alerts = alerts.get(row["unit"])
        r = recipients(unit_alerts).get(row["recipient"]) if unit_alerts else None
        if r is None:
            _set(db, [row["id"]], "dropped", error="the recipient is no longer in the settings")
            continue
        groups.setdefault(row["recipient"], []).append(row)
    for key, rows in groups.items():
        r = recipients(alerts[rows[0]["unit"]])[key]
        messages = [Message(**json.loads(x["message"])) for x in rows]
        batches = [(rows, digest(messages))] if len(rows) > DIGEST else [([x], m) for x, m in zip(rows, messages)]
        for batch, m in batches:
            ids = [x["id"] for x in batch]
            _set(db, ids, "sending")
            try:
                send(r, m, smtp)
            except SendError as exc:  # the channel is down: the rest of its messages wait too
                tries = max(x["attempts"] for x in batch) + 1
                wait = (datetime.fromisoformat(now()) + timedelta(seconds=backoff(tries))).isoformat(timespec="seconds")
                _set(
                    db,
                    [x["id"] for b, _ in batches for x in b if x["id"] >= ids[0]],
                    "pending",
                    attempts=tries,
                    next_try=wait,
                    error=str(exc),
                )
                print(
                    f"riskbook: watch: {exc} ({len(rows)} message(s) kept, tried again from {wait[11:19]})",
                    file=sys.stderr,
                )
                break
            _set(db, ids, "sent", sent=now())
            sent += len(ids)
    return sent


def digest(messages: list[Message]) -> Message:
    """Many messages to one recipient as one: a subject counting them, then each one's subject and lines."""
    from riskbook.core.i18n import t

    first = messages[0]
    worst = max((m.severity for m in messages), key=lambda s: ["info", "amber", "red"].index(s))
    lines: list[str] = []
    for i, m in enumerate(messages):
        seen = {x.strip() for x in lines}  # evidence shared by several alerts is shown once
        own = [f"  {x}" for x in m.lines if x and x.strip() not in seen]
        more = [*lines, "", m.subject.removeprefix("[riskbook] "), *own]
        if sum(len(x) + 1 for x in more) > DIGEST_CHARS:
            lines += ["", t("w_more", first.lang, n=len(messages) - i)]
            break
        lines = more
    subject = f"[riskbook] {t('w_digest', first.lang, n=len(messages))}: {first.subject.removeprefix('[riskbook] ')}"
    return Message(first.alert_id, "digest", first.unit, first.rule, worst, first.lang, subject, lines[1:])


def _set(db: State, ids: list[int], status: str, **cols: object) -> None:
    """Set messages' status (and columns) in a transaction of its own: committed before the next send."""
    names = ["status", *cols]
    with db.transaction() as c:
        c.executemany(
            f"UPDATE outbox SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",  # noqa: S608 (fixed names)
            [(status, *cols.values(), i) for i in ids],
        )
