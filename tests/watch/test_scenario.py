"""riskbook watch over several checks, against a real SMTP server and a real HTTP server on loopback:
new unpaid invoices push south's overdue share red → one alert per channel; the same data → nothing;
acknowledged → nothing; worse → one escalation; paid → one resolution. A channel down is retried and
delivers once; a crash between sending and recording repeats a message at most once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import shutil
from pathlib import Path

import pandas as pd
import pytest

from riskbook import cli
from riskbook.watch import check as W
from riskbook.watch import deliver
from riskbook.watch.state import State
from tests.conftest import demo_company
from tests.watch.servers import body, http_server, smtp_server

pytestmark = pytest.mark.slow  # a demo company and a dozen checks (about a minute)

HOOKS = ("json", "slack", "teams", "dingtalk", "wecom", "feishu")
HEAD, CFO = "head.south@demo.example", "cfo@demo.example"


def company(tmp_path: Path, data_src: Path, smtp_port: int, http_port: int) -> tuple[Path, Path]:
    data = tmp_path / "exports"
    shutil.copytree(data_src, data)
    cfg = demo_company(tmp_path / "co", data)
    with open(cfg, "a", encoding="utf-8") as f:
        f.write(
            f"\nalerts:\n  smtp: {{host: 127.0.0.1, port: {smtp_port}, from: riskbook@demo.example}}\n"
            "  rules:\n    kri: {kris: [overdue_ratio]}\n    risk: {enabled: false}\n    action: {enabled: false}\n"
            "    data: {enabled: false}\n"
        )
    hooks = "\n".join(
        f"    - {{type: {h}, url: 'http://127.0.0.1:{http_port}/{h}?access_token=t0k'"
        + (f", secret_env: SOUTH_{h.upper()}_SECRET" if h in ("dingtalk", "feishu") else "")
        + "}"
        for h in HOOKS
    )
    (tmp_path / "co" / "units" / "south.yaml").write_text(
        f"name: {{en: South China, zh: 华南事业部}}\nalerts:\n  email: [{HEAD}, {{to: {CFO}, min: red}}]\n"
        f"  webhooks:\n{hooks}\n",
        encoding="utf-8",
    )
    return cfg, data


def add_invoices(data: Path, first: int, amounts: list[float]) -> list[str]:
    """Unpaid south invoices issued 20 July, due 19 August: overdue at the quarter's end."""
    ids = [f"INV-W{first + i:05d}" for i in range(len(amounts))]
    rows = "".join(
        f"{i},C-SOU-{n % 40 + 1:04d},south,2026-07-20,2026-08-19,{a:.2f},,false\n"
        for n, (i, a) in enumerate(zip(ids, amounts, strict=True))
    )
    with open(data / "invoices.csv", "a", encoding="utf-8") as f:
        f.write(rows)
    return ids


def pay(data: Path, ids: list[str], amounts: list[float]) -> None:
    with open(data / "payments.csv", "a", encoding="utf-8") as f:
        f.write("".join(f"{i},2026-09-20,{a:.2f}\n" for i, a in zip(ids, amounts, strict=True)))


def check(cfg: Path, out: Path) -> W.Outcome:
    return W.check(None, str(cfg), out, ["south"])


def test_one_alert_per_channel_then_nothing_then_one_escalation_then_one_resolution(
    demo_data: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("SOUTH_DINGTALK_SECRET", "SECdingtalk")
    monkeypatch.setenv("SOUTH_FEISHU_SECRET", "feishu-secret")
    monkeypatch.setattr(deliver, "FIRST_WAIT", 0.0)  # a failed message is due again at the next check
    with smtp_server() as (inbox, smtp_port, smtp), http_server() as (posts, http_port):
        cfg, data = company(tmp_path, demo_data, smtp_port, http_port)
        out = tmp_path / "out"

        quiet = check(cfg, out)  # south is green: nothing
        assert (quiet.opened, len(inbox.mails), len(posts.posts)) == (0, 0, 0)

        first = add_invoices(data, 1, [400_000.0] * 10)  # 4.0M overdue against ~6M outstanding
        smtp.stop()  # the mail server is down during this check
        o = check(cfg, out)
        assert o.opened == 1 and o.pending == 2  # the head's and the CFO's mails wait; the webhooks went
        assert len(posts.posts) == len(HOOKS)
        assert o.changed

        smtp.start()  # back: the next check delivers both mails, once
        o = check(cfg, out)
        assert (o.changed, o.opened, o.sent, o.pending) == (False, 0, 2, 0)
        assert len(inbox.to(HEAD)) == 1 and len(inbox.to(CFO)) == 1
        mail = inbox.to(HEAD)[0]
        assert "South China: Overdue share of receivables is red:" in mail["Subject"]
        text = body(mail)
        assert "amber from 20.0%, red from 35.0%" in text and "quarter to date:" in text
        assert "riskbook alerts ack 1" in text
        assert len(posts.posts) == len(HOOKS)  # not sent again

        o = check(cfg, out)  # the same data again: nothing
        assert (o.opened, o.sent) == (0, 0) and len(inbox.mails) == 2 and len(posts.posts) == len(HOOKS)

        assert cli.main(["alerts", "--out", str(out), "ack", "1", "--note", "calling the customers"]) == 0
        o = check(cfg, out)
        assert (o.opened, o.sent) == (0, 0)

        more = add_invoices(data, 100, [300_000.0] * 10)  # 3.0M more overdue: materially worse
        o = check(cfg, out)
        assert (o.changed, o.opened) == (True, 0)
        assert len(inbox.to(HEAD)) == 2 and len(posts.posts) == 2 * len(HOOKS)
        worse = inbox.to(HEAD)[1]
        assert worse["Subject"].startswith("[riskbook] Worse · South China: Overdue share of receivables worse:")
        assert "when last announced: " in body(worse)

        pay(data, first + more, [400_000.0] * 10 + [300_000.0] * 10)  # all paid: back to green
        o = check(cfg, out)
        assert o.opened == 0
        resolved = inbox.to(HEAD)[2]
        assert "Resolved · South China: Overdue share of receivables back within its thresholds" in resolved["Subject"]
        assert len(posts.posts) == 3 * len(HOOKS)
        o = check(cfg, out)  # the resolution is said once
        assert o.sent == 0 and len(inbox.to(HEAD)) == 3 and len(inbox.to(CFO)) == 3

    db = State(out / "alerts.db")
    (a,) = db.alerts()
    assert (a.status, a.note, a.rule, a.subject) == ("resolved", "calling the customers", "kri", "overdue_ratio")
    db.close()
    _check_webhook_formats(posts.posts)


def _check_webhook_formats(posts: list[dict]) -> None:
    by = {h: [p for p in posts if p["path"] == f"/{h}"] for h in HOOKS}
    assert all(len(v) == 3 for v in by.values()), {h: len(v) for h, v in by.items()}
    first = {h: v[0] for h, v in by.items()}
    assert first["json"]["json"]["riskbook"] == "alert" and first["json"]["json"]["rule"] == "kri"
    assert first["json"]["json"]["subject"].startswith("[riskbook] South China: Overdue share")
    assert first["slack"]["json"]["text"].startswith("[riskbook] South China: Overdue share")
    card = first["teams"]["json"]
    assert card["@type"] == "MessageCard" and card["title"].startswith("[riskbook] South China")
    assert (
        first["wecom"]["json"]["msgtype"] == "markdown"
        and "Overdue share" in first["wecom"]["json"]["markdown"]["content"]
    )
    ding = first["dingtalk"]
    assert ding["json"]["msgtype"] == "markdown" and ding["query"]["access_token"] == ["t0k"]
    ts, sign = ding["query"]["timestamp"][0], ding["query"]["sign"][0]
    expect = base64.b64encode(hmac.new(b"SECdingtalk", f"{ts}\nSECdingtalk".encode(), hashlib.sha256).digest())
    assert sign == expect.decode()  # parse_qs has unquoted it
    fs = first["feishu"]["json"]
    expect = base64.b64encode(hmac.new(f"{fs['timestamp']}\nfeishu-secret".encode(), b"", hashlib.sha256).digest())
    assert fs["sign"] == expect.decode() and fs["msg_type"] == "text"
    assert all(p["type"].startswith("application/json") for p in posts)


def test_a_crash_between_sending_and_recording_repeats_a_message_once(
    demo_data: Path, tmp_path: Path, monkeypatch
) -> None:
    with smtp_server() as (inbox, smtp_port, _), http_server() as (posts, http_port):
        cfg, data = company(tmp_path, demo_data, smtp_port, http_port)
        (tmp_path / "co" / "units" / "south.yaml").write_text(f"alerts:\n  email: [{HEAD}]\n", encoding="utf-8")
        out = tmp_path / "out"
        add_invoices(data, 1, [400_000.0] * 10)
        real = deliver._set

        def crash_after_send(db, ids, status, **cols):
            if status == "sent":
                raise SystemExit("killed between sending and recording")
            return real(db, ids, status, **cols)

        monkeypatch.setattr(deliver, "_set", crash_after_send)
        with pytest.raises(SystemExit):
            check(cfg, out)
        assert len(inbox.to(HEAD)) == 1  # it went, but was not recorded
        monkeypatch.setattr(deliver, "_set", real)
        o = check(cfg, out)
        assert o.sent == 1 and len(inbox.to(HEAD)) == 2  # sent once more: at most one repeat ...
        o = check(cfg, out)
        assert o.sent == 0 and len(inbox.to(HEAD)) == 2  # ... and never again
        assert pd.Series([m["Subject"] for m in inbox.to(HEAD)]).nunique() == 1
