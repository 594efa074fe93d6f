"""The demo company: deterministic, canonical, dated in range, documented."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from riskbook.core.schema import TABLES
from riskbook.demo import company as demo

FILES = ("orders", "customers", "reps", "invoices", "payments", "opportunities", "inventory", "incidents")


@pytest.fixture(scope="session")
def demo_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Scale 1 generated twice (into different folders) and scale 2 once."""
    root = tmp_path_factory.mktemp("demo")
    return {"a": demo.generate(root / "a"), "b": demo.generate(root / "b"), "x2": demo.generate(root / "x2", scale=2)}


@pytest.fixture(scope="session")
def tables(demo_dirs: dict[str, Path]) -> dict[str, pd.DataFrame]:
    return {n: pd.read_csv(demo_dirs["a"] / f"{n}.csv", dtype=str, keep_default_na=False) for n in FILES}


def test_same_arguments_same_bytes(demo_dirs: dict[str, Path]) -> None:
    names = sorted(p.name for p in demo_dirs["a"].iterdir())
    assert names == sorted([f"{n}.csv" for n in FILES] + ["ground_truth.json"])
    assert names == sorted(p.name for p in demo_dirs["b"].iterdir())
    for name in names:
        assert (demo_dirs["a"] / name).read_bytes() == (demo_dirs["b"] / name).read_bytes(), name


def test_no_temporary_folders_left(demo_dirs: dict[str, Path]) -> None:
    assert sorted(p.name for p in demo_dirs["a"].parent.iterdir()) == ["a", "b", "x2"]


def test_regenerating_replaces_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    out.mkdir()
    (out / "stale.csv").write_text("x\n")
    assert demo.generate(out) == out
    assert not (out / "stale.csv").exists() and (out / "orders.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


@pytest.mark.parametrize("name", FILES)
def test_canonical_columns_in_order(demo_dirs: dict[str, Path], name: str) -> None:
    with open(demo_dirs["a"] / f"{name}.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [c.name for c in TABLES[name].columns]


def test_plain_csv_values(demo_dirs: dict[str, Path], tables: dict[str, pd.DataFrame]) -> None:
    text = (demo_dirs["a"] / "orders.csv").read_text(encoding="utf-8")
    assert '"' not in text and "nan" not in text.lower() and "None" not in text
    assert set(tables["orders"]["discount_approved"]) == {"true", "false"}
    assert set(tables["invoices"]["disputed"]) == {"true", "false"}
    assert set(tables["orders"]["status"]) == {"completed", "cancelled", "returned"}
    assert (tables["reps"]["exit_date"] == "").any() and (tables["opportunities"]["close_date"] == "").any()


def test_dates_in_range(tables: dict[str, pd.DataFrame]) -> None:
    lo, hi = "2024-01-01", "2026-09-30"
    event_dates = {
        "orders": ["order_date"],
        "invoices": ["issue_date"],
        "payments": ["payment_date"],
        "opportunities": ["created_date", "close_date"],
        "inventory": ["snapshot_date"],
        "incidents": ["date", "resolved_date"],
    }
    for name, cols in event_dates.items():
        for col in cols:
            d = tables[name][col]
            d = d[d != ""]
            pd.to_datetime(d, format="%Y-%m-%d")  # ISO dates only
            late = tables[name].loc[d.index[d > hi]]
            if name == "orders":
                assert len(late) == 5 and set(late["unit"]) == {"online"} and late[col].str.startswith("2027").all()
            else:
                assert late.empty, (name, col)
            assert (d >= lo).all(), (name, col)
    assert (tables["customers"]["created_date"] <= hi).all() and (tables["reps"]["hire_date"] <= hi).all()
    inv = tables["invoices"]
    assert (pd.to_datetime(inv["due_date"]) - pd.to_datetime(inv["issue_date"])).dt.days.eq(30).all()


def test_all_units_present(tables: dict[str, pd.DataFrame]) -> None:
    for name in ("orders", "customers", "reps", "invoices", "opportunities", "inventory", "incidents"):
        assert set(tables[name]["unit"]) == set(demo.UNITS), name
    assert len(demo.UNITS) == 6


def test_ids_and_amounts(tables: dict[str, pd.DataFrame]) -> None:
    o = tables["orders"]
    assert o["order_id"].str.fullmatch(r"O-\d{7}").all()
    assert tables["customers"]["customer_id"].str.fullmatch(r"C-[A-Z]{3}-\d{4}").all()
    assert tables["reps"]["rep_id"].str.fullmatch(r"R-[A-Z]{3}-\d{2}").all()
    assert tables["invoices"]["invoice_id"].str.startswith("INV-").all()
    clean = o[o["unit"] != "online"]
    qty, lp, up, amt = (clean[c].astype(float) for c in ("quantity", "list_price", "unit_price", "amount"))
    assert (lp >= up).all() and ((qty * up - amt).abs() < 0.01).all() and qty.between(1, 50).all()
    assert not clean.duplicated(["order_id", "product_id"]).any()


def test_ground_truth(demo_dirs: dict[str, Path]) -> None:
    gt = json.loads((demo_dirs["a"] / "ground_truth.json").read_text(encoding="utf-8"))
    assert {k: gt[k] for k in ("company", "currency", "period", "start", "end", "scale", "seed")} == {
        "company": "Demo Trading Co.",
        "currency": "CNY",
        "period": "2026Q3",
        "start": "2024-01-01",
        "end": "2026-09-30",
        "scale": 1,
        "seed": 20260930,
    }
    assert gt["healthy_units"] == ["west"]
    risks = {r["unit"]: r for r in gt["risks"]}
    assert {u: r["risk"] for u, r in risks.items()} == {
        "east": "receivables_crunch",
        "south": "sales_rep_exodus",
        "north": "competitor_price_war",
        "online": "distorted_crm_data",
        "key_accounts": "key_customer_loss",
    }
    expected = {
        "east": {"dso", "overdue_ratio", "overdue_90_ratio", "expected_credit_loss", "credit_limit_breaches"},
        "south": {"rep_attrition_rate", "orphaned_revenue_share"},
        "north": {
            "discount_depth",
            "win_rate",
            "competitive_loss_share",
            "revenue_growth",
            "discount_policy_violations",
        },
        "online": {"duplicate_record_rate", "data_quality_error_rate", "benford_mad"},
        "key_accounts": {"revenue_churn_rate"},  # retention dips every first quarter: see demo/spec.py
    }
    for unit, kris in expected.items():
        assert set(risks[unit]["kris"]) == kris, unit
        assert risks[unit]["family"] in ("market", "customer", "operational", "financial", "compliance")
        assert risks[unit]["description"]
    assert len(risks["east"]["entities"]) == 8 and len(risks["key_accounts"]["entities"]) == 2


def test_scale_two_doubles_the_lines(demo_dirs: dict[str, Path], tables: dict[str, pd.DataFrame]) -> None:
    x2 = pd.read_csv(demo_dirs["x2"] / "orders.csv", usecols=["order_id", "unit"])
    assert 1.8 < len(x2) / len(tables["orders"]) < 2.2
    assert 80_000 < len(tables["orders"]) < 130_000
    gt = json.loads((demo_dirs["x2"] / "ground_truth.json").read_text(encoding="utf-8"))
    assert gt["scale"] == 2


def test_bad_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        demo.generate(tmp_path / "d", scale=0)


def test_a_company_of_eight_branches(tmp_path: Path) -> None:
    """--units 8: the six demo units and two more copied from east and south (their own seed), named by city,
    with unique ids, their injected risks in the ground truth, and a company file that names them."""
    import yaml

    from riskbook import cli

    folder = demo.generate(tmp_path / "eight", units=8)
    customers = pd.read_csv(folder / "customers.csv", dtype=str, keep_default_na=False)
    orders = pd.read_csv(folder / "orders.csv", dtype=str, keep_default_na=False)
    branches = [b[0] for b in demo.BRANCHES[:8]]
    assert sorted(customers["unit"].unique()) == sorted(branches)
    assert customers["customer_id"].is_unique
    seventh = customers[customers["unit"] == branches[6]]  # the second copy of east
    assert len(seventh) == len(customers[customers["unit"] == branches[0]])  # the same design, scale 1
    assert seventh["customer_id"].str.startswith("B01-C-EAS-").all()
    assert set(orders.loc[orders["unit"] == branches[6], "customer_id"]) <= set(seventh["customer_id"]) | {""}
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    crunch = [r for r in truth["risks"] if r["risk"] == "receivables_crunch"]
    assert [r["unit"] for r in crunch] == [branches[0], branches[6]] and all(len(r["entities"]) == 8 for r in crunch)
    assert truth["healthy_units"] == [branches[3]]
    names = yaml.safe_load((folder / "units" / f"{branches[6]}.yaml").read_text(encoding="utf-8"))["name"]
    assert names == {"en": "Nanjing branch", "zh": "南京分公司"}
    company = yaml.safe_load((folder / "company.yaml").read_text(encoding="utf-8"))
    assert company["data"] == "." and company["company"]["en"] == "Demo Trading Group (8 branches)"
    assert cli.main(["demo-data", str(tmp_path / "x"), "--units", "0"]) == 2
