"""One plan, resolved once: the period's words become a value once per run (and once per notebook opened
alone); every notebook of the run opens its unit from the plan without parsing, reading settings or
registers again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskbook import cli, stages
from riskbook.core import paths
from riskbook.core.errors import ParamError
from riskbook.core.periods import Period
from riskbook.render.outputs import write_outputs
from riskbook.run.plan import RunPlan
from riskbook.settings import register, units
from riskbook.stages import plan as plan_mod
from riskbook.stages import unit as unit_mod
from riskbook.stages.unit import open_group, open_unit


@pytest.fixture
def counted(monkeypatch):
    """Count every parse of a period, resolved plan and register read, anywhere in this process."""
    calls = {"parse": 0, "resolve": 0, "register": 0}
    parse, resolve, load_register = Period.parse.__func__, plan_mod.resolve, register.load_register

    def counting(name, fn):
        def wrapper(*a, **kw):
            calls[name] += 1
            return fn(*a, **kw)

        return wrapper

    monkeypatch.setattr(Period, "parse", classmethod(counting("parse", parse)))
    resolving = counting("resolve", resolve)
    monkeypatch.setattr(plan_mod, "resolve", resolving)
    monkeypatch.setattr(unit_mod, "resolve", resolving)
    reading = counting("register", load_register)
    monkeypatch.setattr(register, "load_register", reading)
    monkeypatch.setattr(units, "load_register", reading)
    return calls


def company(tiny_dir: Path, root: Path) -> Path:
    """A company folder over the tiny data, with a register for unit u."""
    (root / "register").mkdir(parents=True)
    (root / "company.yaml").write_text(f"company: Tiny\ncurrency: EUR\ndata: {tiny_dir}\n", encoding="utf-8")
    (root / "register" / "u.yaml").write_text(
        "risks:\n  R-FIN-01:\n    owner: Ann\n    controls:\n      - {name: Credit hold, reduces: {likelihood: 1}}\n",
        encoding="utf-8",
    )
    return root / "company.yaml"


def test_a_run_parses_its_period_once_from_the_command_line_to_results_json(
    tiny_dir: Path, tmp_path: Path, monkeypatch, counted
) -> None:
    """The run's tasks are done in this process (as each notebook would, from the plan file it is handed),
    so every parse on the way from --period 2026Q3 to results.json is counted."""
    cfg = company(tiny_dir, tmp_path / "co")
    written: list[dict] = []

    def tasks_in_process(run: RunPlan, pool: object = None) -> list:
        assert pool is None  # no worker started early: RISKBOOK_WARM_KERNELS=0 below
        for unit in run.units:
            u = open_unit(unit, plan=run.plan_file)  # what each notebook's first cell does
            for stage in ("identification", "assessment", "monitoring"):
                stages.STAGES[stage](open_unit(unit, plan=run.plan_file))
            write_outputs(u, stages.summary(open_unit(unit, plan=run.plan_file)))
            written.append(json.loads(paths.results_json(u.out).read_text(encoding="utf-8")))
        open_group(plan=run.plan_file)
        paths.period_dir(run.out, run.period).mkdir(parents=True)  # what publishing makes
        return []

    monkeypatch.setattr("riskbook.run.runner.run_plan", tasks_in_process)
    monkeypatch.setenv("RISKBOOK_WARM_KERNELS", "0")  # --force would start workers and kernels this test never uses
    out = tmp_path / "out"
    assert cli.main(["run", "--config", str(cfg), "--period", "2026Q3", "--out", str(out), "--force"]) == 0
    assert counted == {"parse": 1, "resolve": 1, "register": 1}
    assert [d["period"] for d in written] == ["2026Q3"]
    risk = {r["id"]: r for r in written[0]["risks"]}["R-FIN-01"]
    assert risk["owner"] == "Ann"  # the register, read once with the plan, reached the results


def test_a_notebook_opened_alone_resolves_its_plan_once(tiny_dir: Path, tmp_path: Path, counted) -> None:
    cfg = company(tiny_dir, tmp_path / "co")
    u = open_unit("u", "2026Q3", None, None, str(cfg), tmp_path / "out")
    assert counted == {"parse": 1, "resolve": 1, "register": 1}
    assert (u.period, u.lang, u.currency, u.out) == (Period.parse("2026Q3"), "en", "EUR", tmp_path / "out/2026Q3/u")


def test_one_key_per_unit_changes_with_what_its_report_depends_on(tiny_dir: Path, tmp_path: Path) -> None:
    cfg = company(tiny_dir, tmp_path / "co")
    key = lambda **kw: plan_mod.resolve(None, str(cfg), "2026Q3", **kw).keys["u"]  # noqa: E731
    first = key()
    assert key() == first  # nothing changed: the same key, so saved stage products are used
    assert key(lang="zh") != first
    assert plan_mod.resolve(None, str(cfg), "2026-09").keys["u"] != first
    (tmp_path / "co" / "register" / "u.yaml").write_text("risks: {}\n", encoding="utf-8")
    assert key() != first


def test_a_plan_file_someone_else_wrote_is_refused(tiny_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "plan.pkl"
    bad.write_bytes(b"\x80\x04not a signed plan")
    with pytest.raises(ParamError, match="not a plan riskbook run wrote"):
        open_unit("u", plan=bad)
    good = plan_mod.resolve(str(tiny_dir), None, "2026Q3", out=tmp_path / "out").save(tmp_path / "p.pkl")
    assert open_unit("u", plan=good).period == Period.parse("2026Q3")
