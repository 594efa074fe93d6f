"""Stage products: typed, saved with the key of their inputs, recomputed when missing or stale."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from riskbook import stages
from riskbook.stages.unit import open_unit


@pytest.fixture
def unit(tiny_dir: Path, tmp_path: Path):
    return lambda **kw: open_unit("u", "2026Q3", "en", str(tiny_dir), None, tmp_path / "out", **kw)


def test_a_later_stage_computes_what_it_reads_when_nothing_was_saved(unit, capsys) -> None:
    a = stages.assessment(unit())
    assert isinstance(a, stages.Assessment)
    assert (
        "no up-to-date identification result for u 2026Q3: computing it here (as "
        "notebooks/01_identification.ipynb does)" in capsys.readouterr().err
    )
    assert "R-FIN-01" in set(a.risks["id"])  # DSO 117 days is red in the tiny company
    assert isinstance(stages.saved(unit(), "identification"), stages.Identification)  # and saved it


def test_an_analysts_edit_of_an_earlier_stage_flows_downstream(unit, capsys) -> None:
    u = unit()
    ident = stages.identification(u)
    ident.present = [f for f in ident.present if f.risk.id != "R-FIN-01"]  # an analyst drops a risk ...
    stages.save(u, "identification", ident)
    risks = stages.assessment(unit()).risks  # ... the next stage, in a new kernel
    assert "R-FIN-01" not in set(risks.loc[risks["movement"] != "closed", "id"])
    assert "computing it here" not in capsys.readouterr().err


def test_a_product_of_other_inputs_is_stale(tiny_dir: Path, tmp_path: Path, capsys) -> None:
    params = tmp_path / "params"
    (params / "units").mkdir(parents=True)
    (params / "company.yaml").write_text(f"company: Tiny\ndata: {tiny_dir}\n", encoding="utf-8")
    cfg = str(params / "company.yaml")
    u = open_unit("u", "2026Q3", "en", None, cfg, tmp_path / "out")
    ident = stages.identification(u)
    ident.present = []
    stages.save(u, "identification", ident)
    assert stages.saved(open_unit("u", "2026Q3", "en", None, cfg, tmp_path / "out"), "identification") is not None
    (params / "units" / "u.yaml").write_text("kri:\n  dso: {amber: 150, red: 200}\n", encoding="utf-8")
    other = open_unit("u", "2026Q3", "en", None, cfg, tmp_path / "out")  # the settings changed since
    assert other.key != u.key
    assert stages.saved(other, "identification") is None
    risks = stages.assessment(other).risks
    assert "computing it here" in capsys.readouterr().err
    assert len(risks)  # recomputed, not the emptied product


def test_a_product_saved_by_other_code_is_recomputed(unit) -> None:
    u = unit()
    path = u.out / "stages" / "identification.pkl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a pickle")
    assert stages.saved(u, "identification") is None
    assert isinstance(stages.load(u, "identification"), stages.Identification)


def test_one_as_of_date_for_everything_dated(tiny_dir: Path, tmp_path: Path) -> None:
    """The company's as_of: is the run's one date: actions are overdue against it (not against the day the
    test runs), future-dated rows are judged by it, and the workbook is dated by it."""
    params = tmp_path / "params"
    (params / "register").mkdir(parents=True)
    (params / "company.yaml").write_text(f"company: Dated Co\nas_of: 2026-10-20\ndata: {tiny_dir}\n", encoding="utf-8")
    (params / "register" / "u.yaml").write_text(
        "risks:\n  R-FIN-01:\n    actions:\n"
        "      - {action: Chase A, owner: Ann, due: 2026-10-15, status: open}\n"
        "      - {action: Chase C, owner: Bo, due: 2026-11-01, status: open}\n",
        encoding="utf-8",
    )
    u = open_unit("u", "2026Q3", "en", None, str(params / "company.yaml"), tmp_path / "out")
    assert u.as_of == u.ctx.as_of == pd.Timestamp("2026-10-20")
    pack = stages.summary(u)
    late = dict(zip(pack.all_actions["action"], pack.all_actions["days_overdue"]))
    assert late["Chase A"] == 5  # due 2026-10-15, five days before the as-of date
    assert pd.isna(late["Chase C"])  # due 2026-11-01: after the as-of date, though the test runs in December
    from openpyxl import load_workbook

    from riskbook.render.outputs import write_outputs

    write_outputs(u, pack)
    about = load_workbook(u.out / "u_2026Q3_risk_register.xlsx")["About"]
    assert "2026-10-20" in [c.value for row in about.iter_rows() for c in row]


def test_each_stage_reads_what_it_declares(unit, monkeypatch) -> None:
    """A stage loads exactly the products READS declares for it, no more."""
    u = unit()
    for stage in ("identification", "assessment", "monitoring"):
        stages.STAGES[stage](u)
    loaded = []
    real = stages.pipeline.load
    monkeypatch.setattr(stages.pipeline, "load", lambda un, s: loaded.append(s) or real(un, s))
    for stage, reads in stages.READS.items():
        loaded.clear()
        stages.STAGES[stage](u)
        assert tuple(loaded) == reads, stage


def test_a_period_that_starts_before_the_data_builds(tiny_dir: Path, tmp_path: Path) -> None:
    """The tiny company's orders start in July 2025: the year 2025 builds every stage (it failed in
    monitoring with KeyError: 'id'), its trend holds the year, and what it cannot compare is n/a, not 0."""
    u = open_unit("u", "2025", "en", str(tiny_dir), None, tmp_path / "out")
    s = stages.summary(u)
    kris = s.kris.set_index("id")
    assert kris.loc["revenue_growth", "status"] == "n/a"
    assert "before the data starts" in kris.loc["revenue_growth", "reason"]
    assert kris.loc["incident_count", "status"] != "n/a"  # what it can measure, it measures
    assert list(s.history["period"].unique()) == ["2025"]


def test_each_stage_is_declared_once_in_the_stage_table(unit) -> None:
    """The stage table (riskbook.core.config.STAGE_TABLE) names each stage's function, notebook, product and
    files; the runner's order, the loading of products and the reuse of a published unit follow from it."""
    from riskbook.core import config, paths
    from riskbook.run.plan import stage_files
    from riskbook.stages import products

    table = {s.name: s for s in config.STAGE_TABLE}
    assert list(stages.STAGES) == list(table)
    for name, s in table.items():
        assert stages.STAGES[name].__annotations__["return"] == s.product  # the function returns its product
        assert isinstance(getattr(products, s.product), type)
        assert paths.source_notebook(s.notebook).exists()
        assert set(s.reads) < set(table) and name not in s.reads
    u = unit()
    from riskbook.render.outputs import write_outputs

    write_outputs(u, stages.summary(u))
    written = stage_files(u.out, u.id, u.period)
    assert [f.name for f in written] == ["results.json", "u_2026Q3_risk_register.xlsx"]
    assert all(f.exists() for f in written)
    assert written == [paths.results_json(u.out), paths.register_xlsx(u.out, u.id, u.period)]
