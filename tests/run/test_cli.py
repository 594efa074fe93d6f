"""The command line: one-line errors naming file, row and column; exit codes; outputs left alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from riskbook import cli
from tests.conftest import TINY, write_tables


def run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().err.strip()


def broken(tmp_path: Path, table: str, text: str) -> Path:
    return write_tables(tmp_path / "data", {**TINY, table: text})


ORDERS_HEAD = "order_id,order_date,customer_id,unit,amount\n"
# A column most of whose values fail is the wrong column, format or delimiter: the run stops, naming
# how many values fail, the first one, and the fix. (A stray bad cell is a finding: tests/ingest/test_malformed.py.)
CASES = [
    (
        "orders",
        ORDERS_HEAD + "O1,03/07/2026,A,u,10\nO2,31/08/2026,A,u,10\n",
        "orders.csv, row 2, column 'order_date': 2 of 2 values are not dates (first: '03/07/2026') — use ISO dates "
        "(2026-12-31), or read the file through a sources: mapping with dates: {dayfirst: true}",
    ),
    (
        "orders",
        ORDERS_HEAD + 'O1,2026-07-01,A,u,"¥1,000"\n',
        "orders.csv, row 2, column 'amount': 1 of 1 values are not numbers (first: '¥1,000') — remove currency signs",
    ),
    (
        "orders",
        ORDERS_HEAD + "O1,2026-07-01,A,u,10\nO2,2026-07-01,A,u,1,000\n",
        "orders.csv, row 3: 6 fields where the header has 5 — quote values that contain commas",
    ),
    (
        "orders",
        "order_id,order_date,customer_id,amount\nO1,2026-07-01,A,10\n",
        "orders.csv, column 'unit': missing required column 'unit' — add it or map a column to unit (the file has: "
        "order_id, order_date, customer_id, amount)",
    ),
    (
        "orders",
        ORDERS_HEAD + "O1,2026-07-01,A,East China,10\n",
        "orders.csv, row 2, column 'unit': 1 of 1 unit values are not lowercase slugs",
    ),
    ("orders", ORDERS_HEAD + "O1,2026-07-01,A,,10\n", "orders.csv, column 'unit': no row has a usable unit"),
    (
        "opportunities",
        "opportunity_id,unit,created_date,status,amount\no1,u,2026-07-01,pending,5\n",
        "opportunities.csv, row 2, column 'status': 1 of 1 values are not one of open, won, lost (first: 'pending')",
    ),
    (
        "invoices",
        "invoice_id,customer_id,unit,issue_date,due_date,amount,disputed\ni1,A,u,2026-07-01,2026-07-31,5,maybe\n",
        "invoices.csv, row 2, column 'disputed': 1 of 1 values are not true/false (first: 'maybe')",
    ),
]


@pytest.mark.parametrize("table,text,message", CASES, ids=[c[2].split(":")[0] + c[2][-12:] for c in CASES])
def test_validate_names_file_row_and_column(tmp_path: Path, capsys, table: str, text: str, message: str) -> None:
    data = broken(tmp_path, table, text)
    code, err = run(capsys, "validate", "--data", str(data))
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert err.startswith("riskbook: error: ") and message in err


def test_missing_orders_table(tmp_path: Path, capsys) -> None:
    data = write_tables(tmp_path / "data", {"customers": TINY["customers"]})
    code, err = run(capsys, "validate", "--data", str(data))
    assert code == 2 and "orders.csv: required table 'orders' not found" in err


def test_validate_ok_summarises_the_data(tiny_dir: Path, capsys) -> None:
    code = cli.main(["validate", "--data", str(tiny_dir)])
    out = capsys.readouterr().out
    assert code == 0 and "orders 9" in out and "units u" in out and "2025-07-05 to 2026-09-20" in out
    assert "(data through 2026-10-05)" in out  # the last payment: every dated table counts
    # O8 has no customer id: the one error in the tiny company, shown with its row, not stopping anything
    # prices and quantities are given on 4 of 9 order lines: empty by design, one line each, not 15 warnings
    assert "data quality: 1 error and 4 warning findings and 3 informational lines" in out
    assert "info     missing_optional   orders.list_price            5 of 9 rows have no list_price" in out
    assert "error    missing_value      orders.customer_id" in out and "orders.csv: row 9 (O8 / p4)" in out


def test_bad_run_leaves_existing_outputs_untouched(tmp_path: Path, capsys) -> None:
    out = tmp_path / "outputs"
    marker = out / "2026Q2" / "u" / "notes.json"
    marker.parent.mkdir(parents=True)
    marker.write_text('{"earlier": true}')
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    data = broken(tmp_path, "orders", ORDERS_HEAD + "O1,yesterday,A,u,10\n")
    code, err = run(capsys, "run", "--data", str(data), "--out", str(out))
    assert code == 2 and "row 2, column 'order_date'" in err
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert marker.read_text() == '{"earlier": true}'


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--unit", "nowhere"], "The value for `unit` must be one of ['u'], but 'nowhere' was passed."),
        (["--period", "2026Q5"], "period '2026Q5' is not a quarter (2026Q3), month (2026-09) or year (2026)"),
        (["--period", "2027Q1"], "period 2027Q1 starts after the data ends (data through 2026-10-05)"),
        (["--jobs", "0"], "--jobs must be 1 or more"),
    ],
)
def test_run_parameter_errors(tiny_dir: Path, tmp_path: Path, capsys, argv: list[str], message: str) -> None:
    code, err = run(capsys, "run", "--data", str(tiny_dir), "--out", str(tmp_path / "o"), *argv)
    assert code == 2 and message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_console_script_exit_status(tmp_path: Path) -> None:
    data = broken(tmp_path, "orders", ORDERS_HEAD + "O1,2026-07-01,A,u,abc\n")
    exe = Path(sys.executable).with_name("riskbook")
    p = subprocess.run([str(exe), "validate", "--data", str(data)], capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "column 'amount'" in p.stderr


def test_kri_list_prints_every_kri(capsys) -> None:
    assert cli.main(["kri", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    kris = [line for line in lines[1:] if line and not line[0].isspace() and not line.startswith("rule:")]
    assert len(kris) == 28 and lines[0].split()[:4] == ["KRI", "family", "amber", "red"]
    dso = next(line for line in lines if line.startswith("dso "))
    assert dso.split()[2:5] == ["↑", "45", "60"] and "(quarter)" in dso


def test_payments_without_invoices(tmp_path: Path, capsys) -> None:
    data = write_tables(tmp_path / "data", {"orders": TINY["orders"], "payments": TINY["payments"]})
    code, err = run(capsys, "validate", "--data", str(data))
    assert code == 2 and "payments need invoices too" in err and len(err.splitlines()) == 1


def test_strict_stops_on_error_findings(tiny_dir: Path, tmp_path: Path, capsys) -> None:
    code, err = run(capsys, "validate", "--data", str(tiny_dir), "--strict")
    assert code == 2 and "1 error-severity data-quality findings and --strict was given" in err
    code, err = run(capsys, "run", "--data", str(tiny_dir), "--out", str(tmp_path / "o"), "--strict")
    assert code == 2 and len(err.splitlines()) == 1 and not (tmp_path / "o" / "2026Q3").exists()
    clean = write_tables(tmp_path / "clean", {"orders": ORDERS_HEAD + "O1,2026-07-01,A,u,10\n"})
    assert cli.main(["validate", "--data", str(clean), "--strict"]) == 0


def test_an_unforeseen_error_is_one_line_and_debug_shows_the_traceback(tiny_dir: Path, capsys, monkeypatch) -> None:
    from riskbook.ingest import store

    def boom(*a, **k):
        raise KeyError("surprise")

    monkeypatch.setattr(store, "read_meta", boom)
    code, err = run(capsys, "validate", "--data", str(tiny_dir))
    assert code == 3 and len(err.splitlines()) == 1 and "KeyError: 'surprise'" in err and "--debug" in err
    code, err = run(capsys, "validate", "--data", str(tiny_dir), "--debug")
    assert code == 3 and "Traceback (most recent call last)" in err


def test_init_makes_a_company_folder_of_ones_own(tiny_dir: Path, tmp_path: Path, capsys) -> None:
    import yaml

    folder = tmp_path / "acme"
    assert cli.main(["init", str(folder), "--data", str(tiny_dir), "--currency", "EUR"]) == 0
    assert "units/ for u" in capsys.readouterr().out
    company = yaml.safe_load((folder / "company.yaml").read_text(encoding="utf-8"))
    assert (company["company"], company["currency"], company["lang"]) == ("tiny", "EUR", "en")
    assert (folder / company["data"]).resolve() == tiny_dir.resolve()  # relative to the company folder
    assert yaml.safe_load((folder / "units" / "u.yaml").read_text(encoding="utf-8")) == {"name": {"en": "u", "zh": "u"}}
    assert (folder / "register").is_dir() and not list((folder / "register").glob("*.yaml"))
    assert "units/<unit>.yaml" in (folder / "README.md").read_text(encoding="utf-8")
    from riskbook.settings.params import resolve_company

    c = resolve_company(None, folder / "company.yaml")
    assert (c.name, c.currency, c.params_dir) == ("tiny", "EUR", folder.resolve())
    code, err = run(capsys, "init", str(folder), "--data", str(tiny_dir))  # never overwrites
    assert code == 2 and "exists already" in err
    code, err = run(capsys, "init", str(tmp_path / "x"))
    assert code == 2 and "needs --data" in err


@pytest.mark.slow
def test_a_branch_of_a_generated_company_is_reported_under_its_name(tmp_path: Path, capsys) -> None:
    """demo-data --units 8, then a run of its seventh branch (a copy of east): its name on the report and
    east's receivables risk found in it."""
    from tests.conftest import read_results

    assert cli.main(["demo-data", str(tmp_path / "eight"), "--units", "8"]) == 0
    assert "riskbook run --config" in capsys.readouterr().out
    out = tmp_path / "out"
    code = cli.main(
        ["run", "--config", str(tmp_path / "eight" / "company.yaml"), "--unit", "nanjing", "--out", str(out)]
    )
    assert code == 0
    doc = read_results(out / "2026Q3" / "nanjing" / "results.json")
    assert "R-FIN-01" in {r["id"] for r in doc["risks"]}
    text = subprocess.run(
        ["pdftotext", str(out / "2026Q3" / "nanjing" / "nanjing_2026Q3_risk_report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Nanjing branch" in text and "Demo Trading Group (8 branches)" in text
