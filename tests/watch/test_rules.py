"""The alert rules on the tiny company, by hand: an overdue action (red after 30 days) and one due soon
(info, to its owner), a data-quality spike in the month's new rows, a risk the latest pack already rated
high (no alert), and the message in the unit's language."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from riskbook import kris as K
from riskbook.settings.alerts import RULES, Alerting, alerting
from riskbook.stages.plan import resolve
from riskbook.stages.unit import open_unit
from riskbook.watch import rules as R
from riskbook.watch.messages import compose
from riskbook.watch.state import Alert
from tests.conftest import TINY, write_tables

pytestmark = pytest.mark.slow  # four companies resolved and computed (5 s): make test runs them


def company(tmp_path: Path, orders: str = TINY["orders"], lang: str = "en") -> Path:
    data = write_tables(tmp_path / "data", {**TINY, "orders": orders})
    co = tmp_path / "co"
    (co / "register").mkdir(parents=True)
    (co / "units").mkdir()
    (co / "company.yaml").write_text(f"company: Tiny\ncurrency: EUR\nlang: {lang}\ndata: {data}\n", encoding="utf-8")
    (co / "units" / "u.yaml").write_text(
        "name: {en: Unit U, zh: U事业部}\nalerts:\n  owners: {Ann: ann@tiny.example}\n", encoding="utf-8"
    )
    (co / "register" / "u.yaml").write_text(
        "risks:\n  R-FIN-01:\n    actions:\n"
        "      - {action: Chase A, owner: Ann, due: 2026-09-01, status: open}\n"  # 45 days late on 16 Oct
        "      - {action: Chase B, owner: Bo, due: 2026-10-10, status: in progress}\n"  # 6 days late
        "      - {action: Review limits, owner: Ann, due: 2026-10-20, status: open}\n"  # due in 4 days
        "      - {action: Old one, owner: Ann, due: 2026-01-01, status: done}\n"
        "      - {action: Far off, owner: Ann, due: 2027-03-01, status: open}\n",
        encoding="utf-8",
    )
    return co / "company.yaml"


def test_actions_overdue_and_due_soon(tmp_path: Path) -> None:
    plan = resolve(None, str(company(tmp_path)), "2026Q3")
    u = open_unit("u", plan=plan)
    alerts = alerting(plan.settings["u"])
    found = R.action_signals("u", u.register(), pd.Timestamp("2026-10-16"), RULES["action"], alerts)
    got = {s.facts["action"]["en"]: (s.severity, s.facts["days_late"], s.to) for s in found}
    assert got == {
        "Chase A": ("red", 45, ("ann@tiny.example",)),  # more than 30 days late
        "Chase B": ("amber", 6, ()),  # Bo has no address: the unit's recipients only
        "Review limits": ("info", -4, ("ann@tiny.example",)),  # due within 7 days: a reminder to its owner
    }
    a = _alert(next(s for s in found if s.facts["action"]["en"] == "Chase A"))
    m = compose(a, "new", "en", "Unit U", "EUR", "")
    assert m.subject == "[riskbook] Unit U: action 45 days overdue: Chase A"
    assert "owner Ann, due 2026-09-01, risk R-FIN-01" in m.lines


def test_a_data_quality_spike_in_the_last_30_days_rows(tmp_path: Path) -> None:
    bad = "".join(f"X{i},2026-09-{10 + i:02d},A,u,-50,r1,p1,1,50,50,completed,false\n" for i in range(6))
    plan = resolve(None, str(company(tmp_path, TINY["orders"] + bad)), "2026Q3")
    u = open_unit("u", plan=plan)
    (s,) = R.data_signals("u", u.ctx, RULES["data"])
    assert (
        s.severity == "amber"
        and s.facts["rows"] >= 6
        and (s.facts["since"], s.facts["through"]) == ("2026-09-01", "2026-09-30")
    )
    assert {"check": "negative_amount", "table": "orders", "rows": 6} in s.facts["checks"]
    clean = resolve(None, str(company(tmp_path / "clean")), "2026Q3")
    assert R.data_signals("u", open_unit("u", plan=clean).ctx, RULES["data"]) == []


def test_a_risk_the_latest_pack_rated_high_opens_no_alert(tmp_path: Path) -> None:
    plan = resolve(None, str(company(tmp_path)), "2026Q3")
    u = open_unit("u", plan=plan)
    kris = K.compute(u.ctx)
    fresh = R.risk_signals("u", u.ctx, kris, u.register(), RULES["risk"], {})
    assert fresh, "the tiny company has a high or critical risk (DSO 117 days)"
    pack = {s.subject: s.facts["rating"] for s in fresh}
    assert R.risk_signals("u", u.ctx, kris, u.register(), RULES["risk"], pack) == []
    out = tmp_path / "out" / "2026Q3" / "u"
    out.mkdir(parents=True)
    (out / "results.json").write_text(
        json.dumps({"risks": [{"id": k, "rating": v, "movement": "same"} for k, v in pack.items()]}), encoding="utf-8"
    )
    assert R.latest_pack(tmp_path / "out", plan.period, "u") == pack
    (out / "results.json").unlink()  # a stand-in, not a whole results.json: the session's schema check skips it


def test_a_kri_alert_in_chinese(tmp_path: Path) -> None:
    plan = resolve(None, str(company(tmp_path, lang="zh")), "2026Q3")
    u = open_unit("u", plan=plan)
    win = R.windows(u.ctx)
    found = R.kri_signals("u", {w: K.compute(c) for w, c in win.items()}, RULES["kri"], u.ctx)
    dso = next(s for s in found if s.subject == "dso")
    m = compose(_alert(dso), "new", plan.lang_of("u"), "U事业部", "EUR", "")
    assert m.lang == "zh" and m.subject.startswith("[riskbook] U事业部：应收账款周转天数（DSO）：红，本季至今 117")
    assert any(line.startswith("黄色阈值") for line in m.lines)
    assert isinstance(alerting(plan.settings["u"]), Alerting)


def _alert(s: R.Signal) -> Alert:
    stamp = "2026-10-16T09:00:00+00:00"
    facts = {**s.facts, "value": s.value}
    return Alert(1, s.key, s.unit, s.rule, s.subject, s.severity, "open", facts, stamp, stamp, *[None] * 8)


def test_a_month_of_a_few_days_raises_no_alert_on_real_exports() -> None:
    """Northwind's export ends six days into May 1998: that month's customer concentration reads 4,309 for
    one region against 983 for its quarter. Alerts rest on the quarter until the month is covered."""
    from riskbook.core import config

    plan = resolve(None, str(config.PARAMS_DIR / "examples" / "northwind.yaml"), "1998Q2")  # as watch plans it
    u = open_unit("europe", plan=plan)
    win = R.windows(u.ctx)
    assert str(win["mtd"].period) == "1998-05" and win["mtd"].partial
    kris = {w: K.compute(c) for w, c in win.items()}
    assert set(R.judged(kris, win)) == {"qtd"}
    found = R.kri_signals("europe", R.judged(kris, win), RULES["kri"], u.ctx)
    assert "customer_hhi" not in {s.subject for s in found}
    assert all(set(s.facts["windows"]) == {"qtd"} for s in found)
