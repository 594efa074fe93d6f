"""Shared fixtures: a tiny hand-made company whose KRIs are computed by hand in the tests."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

ORDERS = """order_id,order_date,customer_id,unit,amount,rep_id,product_id,quantity,list_price,unit_price,status,discount_approved
O1,2025-07-05,A,u,900,r1,p1,,,,completed,
O2,2026-04-10,A,u,1000,r1,p1,,,,completed,
O3,2026-05-10,B,u,500,r4,p1,,,,completed,
O4,2026-06-10,C,u,300,r2,p1,,,,completed,
O5,2026-07-10,A,u,1200,r1,p1,10,150,120,completed,false
O6,2026-08-10,C,u,100,r2,p2,10,10,10,completed,false
O7,2026-09-10,D,u,200,r3,p3,10,40,20,completed,false
O8,2026-09-20,,u,100,,p4,1,100,100,,
O9,2026-07-15,A,u,60,r1,p1,,,,cancelled,
"""
CUSTOMERS = """customer_id,customer_name,unit,credit_limit
A,Alpha Ltd,u,500
B,Beta Co,u,
C,Gamma Inc,u,1000
D,Delta LLC,u,
"""
REPS = """rep_id,rep_name,unit,hire_date,exit_date,quarterly_quota
r1,Rep One,u,2020-01-01,2026-08-15,400
r2,Rep Two,u,2020-01-01,,300
r3,Rep Three,u,2026-07-01,,200
r4,Rep Four,u,2020-01-01,2026-05-01,100
"""
INVOICES = """invoice_id,customer_id,unit,issue_date,due_date,amount,disputed
i1,A,u,2026-05-01,2026-05-31,1000,false
i2,C,u,2026-08-01,2026-08-31,500,false
i3,D,u,2026-09-15,2026-10-15,200,false
i4,A,u,2026-07-01,2026-07-31,300,false
i5,B,u,2026-09-01,2026-10-01,100,true
"""
PAYMENTS = """invoice_id,payment_date,amount
i1,2026-06-15,400
i4,2026-08-01,300
i5,2026-10-05,100
"""
OPPORTUNITIES = """opportunity_id,unit,created_date,status,amount,close_date,competitor
o1,u,2026-06-01,open,1000,,
o2,u,2026-06-01,won,500,2026-08-01,
o3,u,2026-07-01,lost,300,2026-10-15,Rival
o4,u,2026-06-15,lost,700,2026-09-01,Rival
o5,u,2026-06-20,lost,100,2026-09-02,
o6,u,2026-07-05,won,200,2026-07-20,
"""
INVENTORY = """snapshot_date,product_id,on_hand,unit,forecast_demand
2026-08-31,p1,10,u,5
2026-08-31,p2,10,u,5
2026-08-31,p3,10,u,5
2026-08-31,p4,10,u,5
2026-09-30,p1,0,u,5
2026-09-30,p2,5,u,10
2026-09-30,p3,50,u,10
2026-09-30,p4,20,u,
"""
INCIDENTS = """incident_id,unit,date,category,severity
n1,u,2026-07-03,complaint,3
n2,u,2026-08-03,compliance,2
n3,u,2026-09-03,legal,4
n4,u,2026-05-03,system_outage,5
"""
TINY = {
    "orders": ORDERS,
    "customers": CUSTOMERS,
    "reps": REPS,
    "invoices": INVOICES,
    "payments": PAYMENTS,
    "opportunities": OPPORTUNITIES,
    "inventory": INVENTORY,
    "incidents": INCIDENTS,
}


def write_tables(folder: Path, tables: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    return write_tables(tmp_path / "tiny", TINY)


@pytest.fixture
def tiny_ctx(tiny_dir: Path, tmp_path: Path):
    """Context of unit 'u' at 2026Q3 over the tiny company."""
    from riskbook.core.periods import Period
    from riskbook.ingest import store
    from riskbook.kris import Context

    st = store.ingest(tiny_dir, root=tmp_path / "store")
    meta = store.read_meta(st)
    return Context(store.load_unit(st, "u"), Period.parse("2026Q3"), {}, pd.Timestamp(meta["first_date"]))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture()
def both_readers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Ingest a company file's sources through Arrow's CSV reader and again through the row-by-row
    reader; assert both store the same frames, and return the first (unit -> table -> frame)."""
    from riskbook.ingest import mapread, store
    from riskbook.settings.sources import resolve

    def run(cfg: Path) -> dict[str, dict[str, pd.DataFrame]]:
        def units(root: Path) -> dict[str, dict[str, pd.DataFrame]]:
            st = store.ingest(resolve(None, cfg), root=root)
            return {u: store.load_unit(st, u) for u in store.read_meta(st)["units"]}

        fast = units(tmp_path / "arrow")
        with monkeypatch.context() as m:
            m.setattr(mapread, "_arrow_csv", lambda *a: None)
            rows = units(tmp_path / "rows")
        assert fast.keys() == rows.keys()
        for unit in fast:
            assert fast[unit].keys() == rows[unit].keys()
            for name in fast[unit]:
                pd.testing.assert_frame_equal(fast[unit][name], rows[unit][name], obj=f"{unit}/{name}")
        return fast

    return run


SCHEMA = Path(__file__).resolve().parents[1] / "lib" / "riskbook" / "data" / "results.schema.json"


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON (browsers and Node reject it)")


def read_results(path: Path) -> dict:
    """A results.json parsed as strict JSON (NaN and Infinity refused) and validated against the schema."""
    import json

    import jsonschema

    doc = json.loads(Path(path).read_text(encoding="utf-8"), parse_constant=_no_constant)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    return doc


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every results.json any test produced is strict JSON and valid against the schema."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    try:
        base = factory.getbasetemp()
    except (OSError, ValueError):
        return
    bad, seen = [], 0
    for p in base.rglob("results.json"):
        seen += 1
        try:
            read_results(p)
        except Exception as exc:  # jsonschema's and json's errors alike
            bad.append(f"{p}: {str(exc).splitlines()[0]}")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and seen:
        reporter.write_line(f"results.json files checked against the schema: {seen}, invalid: {len(bad)}")
        for line in bad[:10]:
            reporter.write_line(f"  {line}")
    if bad:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """How many malformed inputs the corpus tried (tests/ingest/malformed.py), and how many attack and fault
    cases (tests/attacks/)."""
    try:
        from tests.ingest.test_malformed import TRIED
    except ImportError:
        return
    if TRIED:
        terminalreporter.write_line(f"malformed-input corpus: {len(TRIED)} inputs tried")
    from tests.attacks.corpus import TRIED as ATTACKS

    if ATTACKS:
        terminalreporter.write_line(f"attack and fault corpus: {len(ATTACKS)} cases tried")


def demo_company(folder: Path, data: Path) -> Path:
    """The demo company's own files (company.yaml, units/, register/) copied to ``folder`` with its data
    pointing at ``data``: a run that should wear the demo's identity says so with --config."""
    import shutil

    from riskbook.core import config

    shutil.copytree(config.PARAMS_DIR, folder, ignore=shutil.ignore_patterns("examples"))
    cfg = folder / "company.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("data: null", f"data: {data}"), encoding="utf-8")
    return cfg


@contextmanager
def tmpfs(folder: Path, size: str):
    """A tmpfs of ``size`` (1m, 64m) mounted at ``folder`` for the block: a disk that fills up (skips the test
    where mounting needs root)."""
    import subprocess

    folder.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    ).returncode:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
