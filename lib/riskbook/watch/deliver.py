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
    """Send every message due, a recipient's many at once as one digest; returns how many messages went.
    A message of a unit not in this check waits for a check of it; one whose recipient left the unit's
    settings is dropped, and says so."""
    sent = 0
    groups: dict[tuple[str, str], list[sqlite3.Row]] = {}
    for row in db.waiting(now()):
        unit_alerts = alerts.get(row["unit"])
        if unit_alerts is None:
            continue  # watched with --unit: another unit's message waits for a check of its unit
        if row["recipient"] not in recipients(unit_alerts):
            _set(db, [row["id"]], "dropped", error="the recipient is no longer in the settings")
            continue
        groups.setdefault((row["recipient"], json.dumps(unit_alerts.smtp, sort_keys=True)), []).append(row)
    for (key, _), rows in groups.items():
        unit_alerts = alerts[rows[0]["unit"]]
        r = recipients(unit_alerts)[key]
        messages = [Message(**json.loads(x["message"])) for x in rows]
        batches = [(rows, digest(messages))] if len(rows) > DIGEST else [([x], m) for x, m in zip(rows, messages)]
        for i, (batch, m) in enumerate(batches):
            ids = [x["id"] for x in batch]
            _set(db, ids, "sending")
            try:
                send(r, m, unit_alerts.smtp)
            except Exception as exc:  # noqa: BLE001  (down, refused, or a fault no check foresaw: it waits)
                _failed(db, [x for b, _ in batches[i:] for x in b], exc)
                break
            _set(db, ids, "sent", sent=now())
            sent += len(ids)
    return sent


def _failed(db: State, rows: list[sqlite3.Row], exc: Exception) -> None:
    """Keep ``rows`` pending, tried again after the backoff; one line on stderr."""
    tries = max(x["attempts"] for x in rows) + 1
    wait = (datetime.fromisoformat(now()) + timedelta(seconds=backoff(tries))).isoformat(timespec="seconds")
    why = str(exc) if isinstance(exc, SendError) else f"{type(exc).__name__}: {str(exc)[:200]}"
    _set(db, [x["id"] for x in rows], "pending", attempts=tries, next_try=wait, error=why)
    print(f"riskbook: watch: {why} ({len(rows)} message(s) kept, tried again from {wait[11:19]} UTC)", file=sys.stderr)


def digest(messages: list[Message]) -> Message:
    """Many messages to one recipient as one: a subject counting them, then each one's subject and lines."""
    from riskbook.core.i18n import t

    first = messages[0]
    worst = max((m.severity for m in messages), key=lambda s: ["info", "amber", "red"].index(s))
    lines: list[str] = []
    for i, m in enumerate(messages):
        seen = set(lines)  # evidence rows shared by several alerts are shown once; figures always
        own = [f"  {x}" for x in m.lines if x and not (x.startswith("  ") and f"  {x}" in seen)]
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
