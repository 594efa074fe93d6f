"""results.json for a program: each risk's controls and the rows behind it, its residual rating, the money
at risk with its pools; and the files this run read, even when another folder's identical exports were
ingested first (the store is keyed by content)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskbook import stages
from riskbook.core import paths
from riskbook.render.outputs import write_outputs
from riskbook.stages.unit import open_unit
from tests.conftest import read_results

pytestmark = pytest.mark.slow  # the tiny company's four stages (4 s)


def company(data: Path, root: Path) -> str:
    (root / "register").mkdir(parents=True)
    (root / "company.yaml").write_text(f"company: Tiny\nas_of: 2026-10-20\ndata: {data}\n", encoding="utf-8")
    (root / "register" / "u.yaml").write_text(
        "risks:\n  R-FIN-01:\n    controls:\n      - {name: Credit hold over 60 days, reduces: {likelihood: 1}}\n",
        encoding="utf-8",
    )
    return str(root / "company.yaml")


def test_each_risk_carries_its_controls_and_the_rows_behind_it(tiny_dir: Path, tmp_path: Path) -> None:
    u = open_unit("u", "2026Q3", "en", None, company(tiny_dir, tmp_path / "co"), tmp_path / "out")
    pack = stages.summary(u)
    write_outputs(u, pack)
    doc = read_results(paths.results_json(u.out))  # valid against the schema
    fin = {r["id"]: r for r in doc["risks"]}["R-FIN-01"]
    assert fin["controls"] == [{"name": "Credit hold over 60 days", "reduces": {"likelihood": 1, "impact": 0}}]
    assert fin["residual_rating"] in ("low", "medium", "high", "critical")
    (ev, *_) = fin["evidence"]
    table = pack.evidence[ev["table"]]
    assert ev["count"] == len(table) and len(ev["rows"]) == min(5, len(table))
    assert ev["rows"][0] == json.loads(json.dumps(ev["rows"][0]))  # plain JSON values
    first = table.iloc[0]
    assert ev["rows"][0]["customer_id"] == first["customer_id"]  # the customers behind DSO 117 days
    money = doc["money_at_risk"]
    assert money["total"] == pytest.approx(sum(p["amount"] for p in money["pools"]), abs=0.01)


def test_the_source_named_is_the_one_this_run_read(tiny_dir: Path, tmp_path: Path) -> None:
    """Two company files mapping the same exports share one store (it is keyed by content); each run's
    results and manifest name its own company file, not the one that happened to ingest first."""
    import yaml

    from tests.conftest import TINY

    cfgs = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        specs = {t: {"file": str(tiny_dir / f"{t}.csv")} for t in TINY}
        (folder / "company.yaml").write_text(yaml.safe_dump({"company": name, "sources": specs}), encoding="utf-8")
        cfgs.append(str(folder / "company.yaml"))
    first = open_unit("u", "2026Q3", "en", None, cfgs[0], tmp_path / "a")
    second = open_unit("u", "2026Q3", "en", None, cfgs[1], tmp_path / "b")
    assert first.meta["store"] == second.meta["store"]  # one store
    assert first.meta["source"].startswith(cfgs[0]) and second.meta["source"].startswith(cfgs[1])
    assert second.meta["files"]["orders"] == str(tiny_dir / "orders.csv")
