"""riskbook watch and riskbook alerts from the command line: exit statuses for cron, a loop that SIGTERM
stops between checks, bad channel settings and a corrupt state database refused with one line, the
live page in a browser, and the actions' calendar."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from riskbook import cli
from tests.run.test_pack import chromium_page
from tests.watch.servers import http_server, smtp_server
from tests.watch.test_scenario import HEAD, add_invoices, company

pytestmark = pytest.mark.slow  # checks of the demo company


def watch(cfg: Path, out: Path, *extra: str) -> int:
    return cli.main(["watch", "--config", str(cfg), "--out", str(out), "--unit", "south", *extra])


def test_once_exits_4_when_alerts_opened_then_0_and_the_live_page_shows_them(
    demo_data: Path, tmp_path: Path, capsys
) -> None:
    with smtp_server() as (inbox, smtp_port, _), http_server() as (posts, http_port):
        cfg, data = company(tmp_path, demo_data, smtp_port, http_port)
        out = tmp_path / "out"
        assert watch(cfg, out, "--once") == 0  # south is green
        add_invoices(data, 1, [400_000.0] * 10)
        assert watch(cfg, out, "--once") == 4  # an alert opened
        assert watch(cfg, out, "--once") == 0  # nothing new
        err = capsys.readouterr().err
        assert "south changed; 1 alert(s) opened" in err and "nothing changed; 0 alert(s) opened" in err
        assert len(inbox.to(HEAD)) == 1

        assert cli.main(["alerts", "--out", str(out)]) == 0
        listing = capsys.readouterr().out
        assert "overdue_ratio" in listing and "open" in listing

    page = out / "live" / "index.html"
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed (make setup installs it)")
    run = chromium_page(chromium, page.as_uri(), tmp_path / "profile", "--dump-dom")
    dom = run.stdout
    assert "Risk monitoring, live" in dom and "Open alerts" in dom
    assert re.search(r"South China</td><td>Overdue share of receivables is red: \d+\.\d% quarter to date", dom)
    assert "month to date 2026-09" in dom and "quarter to date 2026Q3" in dom
    assert not [r for r in re.findall(r'(?:href|src)="([^"#]+)"', dom) if re.match(r"(https?:)?//", r)]
    assert [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line] == []
    for width in ("1280,900", "390,844"):
        shot = tmp_path / f"live-{width}.png"
        chromium_page(chromium, page.as_uri(), tmp_path / "profile", f"--window-size={width}", f"--screenshot={shot}")
        assert shot.exists() and shot.stat().st_size > 10_000


def test_sigterm_stops_the_loop_between_checks(demo_data: Path, tmp_path: Path) -> None:
    cfg, _ = company(tmp_path, demo_data, 9, 9)  # no server: nothing to send while south is green
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "riskbook.cli",
            "watch",
            "--config",
            str(cfg),
            "--out",
            str(out),
            "--unit",
            "south",
            "--every",
            "1s",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sum("changed;" in x for x in lines) < 2:
        lines.append(proc.stderr.readline())
    assert sum("changed;" in x for x in lines) >= 2, lines  # the first check and at least one more
    proc.send_signal(signal.SIGTERM)
    rest = proc.communicate(timeout=60)[1]
    assert proc.returncode == 0, rest
    assert "riskbook: watch stopped" in rest and "Traceback" not in rest


def test_bad_channel_settings_are_refused_at_start_with_one_line_each(demo_data: Path, tmp_path: Path, capsys) -> None:
    cfg, _ = company(tmp_path, demo_data, 9, 9)
    (tmp_path / "co" / "units" / "south.yaml").write_text(
        "alerts:\n  email: [not-an-address]\n  webhooks:\n    - {type: slak, url: 'file:///etc/passwd'}\n",
        encoding="utf-8",
    )
    assert watch(cfg, tmp_path / "out", "--once") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all("south.yaml: alerts." in x for x in err), err
    assert "alerts.email[0]: must be an e-mail address" in err[0]
    assert (
        "alerts.webhooks[0].type: must be one of" in err[1]
        and "alerts.webhooks[0].url: must be an http(s) URL" in err[2]
    )
    assert not (tmp_path / "out" / "alerts.db").exists()


def test_a_corrupt_state_database_is_refused_with_one_line(demo_data: Path, tmp_path: Path, capsys) -> None:
    cfg, _ = company(tmp_path, demo_data, 9, 9)
    out = tmp_path / "out"
    out.mkdir()
    (out / "alerts.db").write_bytes(b"this is not sqlite" * 100)
    assert watch(cfg, out, "--once") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "alerts.db: not a riskbook alert database" in err
    assert "move it aside" in err
    assert (out / "alerts.db").read_bytes() == b"this is not sqlite" * 100  # left as it was


def test_the_actions_calendar_imports_as_icalendar(tmp_path: Path, capsys) -> None:
    co = tmp_path / "co"
    (co / "register").mkdir(parents=True)
    (co / "company.yaml").write_text("company: X\n", encoding="utf-8")
    long = "Call every customer over 90 days, then agree a plan; escalate to the CFO \\ legal " + "x" * 80
    (co / "register" / "east.yaml").write_text(
        "risks:\n  R-FIN-01:\n    actions:\n"
        f"      - {{action: '{long}', owner: Li Wei, due: 2026-12-15, status: open}}\n"
        "      - {action: Done already, owner: Li Wei, due: 2026-11-01, status: done}\n"
        "      - {action: 审查信用额度, owner: 张敏, due: 2027-01-10, status: in progress}\n",
        encoding="utf-8",
    )
    ics = tmp_path / "actions.ics"
    assert cli.main(["alerts", "--ics", str(ics), "--config", str(co / "company.yaml")]) == 0
    raw = ics.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded at 75 octets
    text = raw.decode().replace("\r\n ", "")  # unfolded
    assert text.count("BEGIN:VEVENT") == 2  # the done action is not due any more
    assert "DTSTART;VALUE=DATE:20261215" in text and "DTSTART;VALUE=DATE:20270110" in text
    assert "then agree a plan\\; escalate to the CFO \\\\ legal" in text and "90 days\\," in text
    assert "SUMMARY:[east] 审查信用额度" in text
    uids = re.findall(r"UID:(\S+)", text)
    assert cli.main(["alerts", "--ics", str(ics), "--config", str(co / "company.yaml")]) == 0
    assert re.findall(r"UID:(\S+)", ics.read_bytes().decode().replace("\r\n ", "")) == uids  # stable
    assert "2 open action(s)" in capsys.readouterr().out
