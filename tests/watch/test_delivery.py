"""Delivery, by hand: two robots of one chat service each get their own unit's alerts; a control character
pasted into an action reaches no header; another unit's messages wait while one unit is watched; an
action written twice is one alert."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskbook.settings.alerts import RULES, Alerting, Recipient
from riskbook.settings.register import Register
from riskbook.watch import rules as R
from riskbook.watch.deliver import deliver
from riskbook.watch.rules import Signal
from riskbook.watch.state import State
from riskbook.watch.track import reconcile
from tests.watch.servers import body, http_server, smtp_server


def action(unit: str, text: str, days: int = 12) -> Signal:
    facts = {
        "risk": "R-FIN-01",
        "action": {"en": text, "zh": text},
        "owner": "Ann",
        "due": "2026-10-04",
        "days_late": days,
        "status": "open",
    }
    return Signal(unit, "action", f"R-FIN-01#{abs(hash(text)) % 10**8}", "amber", facts, float(days))


def context(*units: str) -> dict[str, dict]:
    return {u: {"lang": "en", "name": f"Unit {u.upper()}", "currency": "EUR", "pack": ""} for u in units}


def test_two_robots_of_one_chat_service_each_get_their_own_units_alerts(tmp_path: Path) -> None:
    with http_server() as (posts, port):
        url = f"http://127.0.0.1:{port}/robot/send?access_token="
        alerts = {
            "a": Alerting(recipients=(Recipient("dingtalk", url + "AAA"),)),
            "b": Alerting(recipients=(Recipient("dingtalk", url + "BBB"), Recipient("dingtalk", url + "CCC", "red"))),
        }
        assert len({r.key for a in alerts.values() for r in a.recipients}) == 3  # one host, three robots
        db = State(tmp_path / "alerts.db")
        reconcile(db, [action("a", "Chase A"), action("b", "Chase B")], ["a", "b"], alerts, context("a", "b"))
        assert deliver(db, alerts) == 2
        got = {p["query"]["access_token"][0]: p["json"]["markdown"]["title"] for p in posts.posts}
        assert got == {
            "AAA": "[riskbook] Unit A: action 12 days overdue: Chase A",
            "BBB": "[riskbook] Unit B: action 12 days overdue: Chase B",
        }  # CCC takes reds only
        db.close()


def test_a_control_character_in_an_action_reaches_no_header(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port, _):
        alerts = {
            "a": Alerting(recipients=(Recipient("email", "head@a.example"),), smtp={"host": "127.0.0.1", "port": port})
        }
        db = State(tmp_path / "alerts.db")
        pasted = (
            "Chase\x0bthe\u2028top ten\x1c accounts"  # a vertical tab from Word, a line separator, a file separator
        )
        reconcile(db, [action("a", pasted)], ["a"], alerts, context("a"))
        assert deliver(db, alerts) == 1
        (mail,) = inbox.to("head@a.example")
        assert mail["Subject"] == "[riskbook] Unit A: action 12 days overdue: Chase the top ten accounts"
        assert "owner Ann, due 2026-10-04" in body(mail)
        db.close()


def test_another_units_messages_wait_while_one_unit_is_watched(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port, _):
        smtp = {"host": "127.0.0.1", "port": port}
        alerts = {u: Alerting(recipients=(Recipient("email", f"head@{u}.example"),), smtp=smtp) for u in ("a", "b")}
        db = State(tmp_path / "alerts.db")
        reconcile(db, [action("a", "Chase A"), action("b", "Chase B")], ["a", "b"], alerts, context("a", "b"))
        assert deliver(db, {"a": alerts["a"]}) == 1  # riskbook watch --unit a
        assert db.pending() == 1 and inbox.to("head@b.example") == []  # b's waits, not dropped
        assert deliver(db, alerts) == 1 and len(inbox.to("head@b.example")) == 1
        db.close()


def test_an_action_written_twice_is_one_alert() -> None:
    twice = {"action": "Chase A", "owner": "Ann", "due": "2026-10-01", "status": "open"}
    reg = Register(entries={"R-FIN-01": {"actions": [twice, dict(twice)]}})
    found = R.action_signals("u", reg, pd.Timestamp("2026-10-16"), RULES["action"], Alerting())
    assert len(found) == 1 and found[0].facts["days_late"] == 15
