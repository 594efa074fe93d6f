"""``riskbook watch`` (one check, or one every ``--every`` until stopped) and ``riskbook alerts`` (list,
acknowledge, snooze, and the actions' calendar)."""

from __future__ import annotations

import argparse
import fcntl
import os
import signal
import sys
import threading
import time
from pathlib import Path

from riskbook.core.errors import ParamError, RiskbookError
from riskbook.settings.alerts import duration

NEW_ALERTS = 4  # the exit status of `watch --once` when it opened alerts (0: nothing new)


def _lock(out: Path) -> int:
    """One watcher per outputs folder (flock on ``<out>/.watch.lock``, released when the process ends)."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / ".watch.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ParamError(f"--out {out}: another riskbook watch is checking there; stop it first") from None
    return fd


def _say(o: object) -> None:
    from riskbook.watch.check import Outcome

    assert isinstance(o, Outcome)
    what = f"{', '.join(o.units)} changed" if o.changed else "nothing changed"
    print(
        f"riskbook: watch {time.strftime('%Y-%m-%d %H:%M:%S')}: {what}; {o.opened} alert(s) opened, "
        f"{o.sent} message(s) sent, {o.pending} waiting ({o.seconds:.1f} s)",
        file=sys.stderr,
    )


def watch(args: argparse.Namespace) -> int:
    """Check once (exit NEW_ALERTS when alerts opened), or every ``--every`` until SIGTERM or Ctrl-C, which
    stop it between checks (a check under way finishes)."""
    from riskbook.watch.check import check

    every = duration(args.every)
    if not args.once and (every is None or every < 1):
        raise ParamError(f"--every {args.every}: not a duration (30s, 10m, 1h, 1d)")
    out = Path(args.out).resolve()
    fd = _lock(out)
    try:
        outcome = check(args.data, args.config, out, args.units)  # bad settings stop it here, at start
        _say(outcome)
        if args.once:
            return NEW_ALERTS if outcome.opened else 0
        stop = threading.Event()
        handlers = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not stop.wait(every):
                try:
                    _say(check(args.data, args.config, out, args.units))
                except RiskbookError as exc:  # an export half-written, a settings file mid-edit: next time
                    print(f"riskbook: watch: error: {exc}; trying again in {args.every}", file=sys.stderr)
                except Exception as exc:  # noqa: BLE001  (a fault no check foresaw: said, and the loop goes on)
                    first = (str(exc).splitlines() or [""])[0][:200]
                    print(f"riskbook: watch: error: {type(exc).__name__}: {first}; trying again", file=sys.stderr)
        finally:
            for s, h in handlers.items():
                signal.signal(s, h)
        print("riskbook: watch stopped", file=sys.stderr)
        return 0
    finally:
        os.close(fd)


def alerts(args: argparse.Namespace) -> int:
    """List alerts; ``ack`` or ``snooze`` one; ``--ics`` writes the open actions' calendar."""
    from riskbook.watch.check import db_path
    from riskbook.watch.state import State

    out = Path(args.out).resolve()
    if args.ics:
        from riskbook.watch.ics import write_ics

        n = write_ics(Path(args.ics), args.config)
        print(f"{args.ics}: {n} open action(s) with their due dates")
        if args.alerts_command is None:
            return 0
    if not db_path(out).exists():
        raise ParamError(f"{db_path(out)}: no alerts yet (riskbook watch --out {args.out} makes them)")
    db = State(db_path(out))
    try:
        if args.alerts_command == "ack":
            a = db.acknowledge(args.id, args.note)
            print(f"alert {a.id} acknowledged: no more reminders; a worse figure or its resolution is still sent")
        elif args.alerts_command == "snooze":
            import pandas as pd

            day = pd.to_datetime(args.until, errors="coerce", format="ISO8601")
            if pd.isna(day):
                raise ParamError(f"--until {args.until}: not an ISO date (2026-12-31)")
            a = db.snooze(args.id, str(day.date()))
            print(f"alert {a.id} snoozed until {a.snoozed_until}")
        else:
            _table(db, args.all)
    finally:
        db.close()
    return 0


def _table(db: object, everything: bool) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from riskbook.watch.live import _age
    from riskbook.watch.state import State

    assert isinstance(db, State)
    from datetime import UTC, datetime

    at = datetime.now(UTC)
    rows = db.alerts("1" if everything else "status != 'resolved'")
    table = Table(title=f"Alerts ({len(rows)}{'' if everything else ' not resolved'})")
    for col in ("id", "unit", "rule", "subject", "severity", "status", "age", "last sent", "note"):
        table.add_column(col)
    for a in rows:
        since = a.snoozed_until and f" (snoozed until {a.snoozed_until})" or ""
        cells = [a.id, a.unit, a.rule, a.subject, a.severity, a.status + since, _age(a.opened, at)]
        cells += [(a.last_sent or "")[:16].replace("T", " "), a.note or ""]
        table.add_row(*(escape(str(c)) for c in cells))  # a note's [brackets] are text, not rich markup
    Console(width=None if sys.stdout.isatty() else 200).print(table)  # a pipe or a file: no column cut
    pending = db.pending()
    if pending:
        print(f"{pending} message(s) waiting to be delivered")
