"""Alert state in SQLite (``outputs/alerts.db``): each alert open → acknowledged → resolved, the messages
waiting to go out (the outbox), and the checks made.

An alert is keyed by (unit, rule, subject): the same condition found again is the same alert, never a new
one. A message is written to the outbox in the same transaction that opens, escalates or resolves its
alert, so a crash loses none; it is marked ``sending`` before it goes and ``sent`` after, so a crash
between the two sends it once more at the next check (at most one repeat, never a loss).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from riskbook.core.errors import ParamError

VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    key TEXT UNIQUE NOT NULL,
    unit TEXT NOT NULL, rule TEXT NOT NULL, subject TEXT NOT NULL,
    severity TEXT NOT NULL, status TEXT NOT NULL,
    facts TEXT NOT NULL,
    opened TEXT NOT NULL, updated TEXT NOT NULL,
    acknowledged TEXT, resolved TEXT, note TEXT, snoozed_until TEXT,
    sent_severity TEXT, sent_value REAL, last_sent TEXT, announced TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    kind TEXT NOT NULL, unit TEXT NOT NULL, recipient TEXT NOT NULL,
    message TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_try TEXT NOT NULL,
    created TEXT NOT NULL, sent TEXT, error TEXT
);
CREATE TABLE IF NOT EXISTS checks (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, seconds REAL NOT NULL,
    changed INTEGER NOT NULL, opened INTEGER NOT NULL, sent INTEGER NOT NULL, pending INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_waiting ON outbox(status, next_try);
"""


def now() -> str:
    """The time of day as the database keeps it: UTC, ISO 8601, seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Alert:
    """One alert as the database holds it."""

    id: int
    key: str
    unit: str
    rule: str
    subject: str
    severity: str
    status: str
    facts: dict[str, Any]  # the figures and evidence rows behind it (riskbook.watch.rules.Finding)
    opened: str
    updated: str
    acknowledged: str | None
    resolved: str | None
    note: str | None
    snoozed_until: str | None
    sent_severity: str | None
    sent_value: float | None
    last_sent: str | None
    announced: str | None  # the highest severity it was announced at: who hears of its resolution

    @classmethod
    def of(cls, row: sqlite3.Row) -> Alert:
        d = dict(row)
        d["facts"] = json.loads(d["facts"])
        return cls(**d)


class State:
    """The alert database of one outputs folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            ok = self.db.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(ok)
            self.db.executescript(SCHEMA)
            version = self.get("version")
        except sqlite3.DatabaseError as exc:
            raise ParamError(
                f"{path}: not a riskbook alert database ({exc}); move it aside and the next check starts a new "
                f"one (its open alerts are then announced again)"
            ) from None
        if version is None:
            self.put("version", VERSION)
        elif version != VERSION:
            raise ParamError(f"{path}: an alert database of version {version}; this riskbook reads {VERSION}")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: a second watcher waits, never interleaves)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def get(self, k: str) -> str | None:
        row = self.db.execute("SELECT v FROM meta WHERE k = ?", (k,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, k: str, v: str) -> None:
        self.db.execute("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", (k, v))

    def alerts(self, where: str = "1", *args: Any) -> list[Alert]:
        """Alerts matching an SQL condition (``status != 'resolved'``), oldest first."""
        rows = self.db.execute(f"SELECT * FROM alerts WHERE {where} ORDER BY id", args).fetchall()  # noqa: S608
        return [Alert.of(r) for r in rows]

    def alert(self, alert_id: int) -> Alert:
        found = self.alerts("id = ?", alert_id)
        if not found:
            raise ParamError(f"alert {alert_id}: no such alert in {self.path} (riskbook alerts lists them)")
        return found[0]

    def acknowledge(self, alert_id: int, note: str | None = None) -> Alert:
        """Acknowledged: no more reminders; an escalation or the resolution is still announced."""
        a = self.alert(alert_id)
        if a.status == "resolved":
            raise ParamError(f"alert {alert_id}: already resolved on {a.resolved}")
        with self.transaction() as db:
            db.execute(
                "UPDATE alerts SET status = 'acknowledged', acknowledged = ?, note = ?, updated = ? WHERE id = ?",
                (now(), note, now(), alert_id),
            )
        return self.alert(alert_id)

    def snooze(self, alert_id: int, until: str) -> Alert:
        """Nothing about this alert is sent until ``until`` (an ISO date, included) but its resolution."""
        if self.alert(alert_id).status == "resolved":
            raise ParamError(f"alert {alert_id}: already resolved")
        with self.transaction() as db:
            db.execute("UPDATE alerts SET snoozed_until = ?, updated = ? WHERE id = ?", (until, now(), alert_id))
        return self.alert(alert_id)

    def waiting(self, at: str) -> list[sqlite3.Row]:
        """Messages to send now: pending ones due, and any left ``sending`` by a run that died mid-send."""
        return self.db.execute(
            "SELECT * FROM outbox WHERE (status = 'pending' AND next_try <= ?) OR status = 'sending' ORDER BY id",
            (at,),
        ).fetchall()

    def pending(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0])

    def record_check(self, seconds: float, changed: bool, opened: int, sent: int) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO checks (at, seconds, changed, opened, sent, pending) VALUES (?, ?, ?, ?, ?, ?)",
                (now(), round(seconds, 3), int(changed), opened, sent, self.pending()),
            )
            db.execute("DELETE FROM checks WHERE id <= (SELECT MAX(id) - 1000 FROM checks)")

    def last_check(self) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM checks ORDER BY id DESC LIMIT 1").fetchone()
