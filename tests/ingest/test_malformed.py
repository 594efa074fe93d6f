"""The malformed-input corpus (tests/ingest/malformed.py): every input ends as its case says."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import pytest

from riskbook import cli, kris
from riskbook.core.periods import Period
from riskbook.display import show
from riskbook.ingest import store
from riskbook.kris import Context
from riskbook.render import results
from riskbook.stages import quality
from tests.conftest import SCHEMA, TINY, write_tables
from tests.ingest.malformed import CASES, Case

TRIED: list[str] = []  # the cases run, for the count printed at the end of make test


def build(tmp_path: Path, case: Case) -> Path:
    folder = write_tables(tmp_path / "data", TINY)
    for name, content in case.files.items():
        path = folder / name
        if content is None:
            path.unlink()
        elif content == "DIR":
            path.unlink(missing_ok=True)
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_input(case: Case, tmp_path: Path, capsys) -> None:
    TRIED.append(case.id)
    folder = build(tmp_path, case)
    if case.error:
        out = tmp_path / "outputs"
        earlier = out / "2026Q2" / "u"
        earlier.mkdir(parents=True)
        (earlier / "u_2026Q2_risk_report.pdf").write_bytes(b"%PDF- an earlier report")
        (out / "2026Q2" / "index.html").write_text("<p>earlier</p>")
        before = snapshot(out)
        code = cli.main(["run", "--data", str(folder), "--out", str(out)])
        err = capsys.readouterr().err.strip()
        assert code == 2, err
        assert len(err.splitlines()) == 1 and err.startswith("riskbook: error: ") and "Traceback" not in err, err
        assert case.error in err, err
        if case.row is not None:
            assert f"row {case.row}" in err, err
        if case.column is not None:
            assert f"column '{case.column}'" in err, err
        assert snapshot(out) == before, "earlier outputs must be left byte for byte"
        return
    st = store.ingest(folder, root=tmp_path / "store")
    meta = store.read_meta(st)
    findings = store.load_findings(st, "u")
    ctx = Context(
        store.load_unit(st, "u"),
        Period.parse("2026Q3"),
        {},
        pd.Timestamp(meta["first_date"]),
        as_of=pd.Timestamp(meta["as_of"]),
        findings=findings,
    )
    k = kris.compute(ctx)
    if case.finding:
        check, table, column, row = case.finding
        dq = quality.summary(ctx)
        hits = [i for i in dq["issues"] if (i["check"], i["table"], i["column"]) == (check, table, column)]
        assert len(hits) == 1, [(i["check"], i["table"], i["column"], i["rows"]) for i in dq["issues"]]
        issue = hits[0]
        assert row in issue["rows"] and issue["file"].endswith(f"{table}.csv")
        if case.value is not None:
            assert issue["value"] == case.value
        page = show.dq_table(dq["issues"]).data  # what the report's data-quality section shows
        assert f"{table}.csv: " in page and (f": {row}" in page or f"; {row}" in page)
        if case.value:
            assert html.escape(case.value) in page
        doc = results.build("u", "2026Q3", "CNY", "en", k, pd.DataFrame(columns=["id"]), dq)
        text = json.dumps(doc, allow_nan=False)
        import jsonschema

        jsonschema.validate(json.loads(text), json.loads(SCHEMA.read_text(encoding="utf-8")))
        assert any(i["check"] == check and row in i["rows"] for i in doc["data_quality"]["issues"])
    if case.kri:
        kid, expected = case.kri
        value = k.set_index("id").loc[kid, "value"]
        assert pd.isna(value) if expected is None else value == pytest.approx(expected), (kid, value)
    assert k["value"].map(lambda v: v is None or pd.isna(v) or abs(v) < 1e12).all(), "no KRI is blown up"


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 45 and len({c.id for c in CASES}) == len(CASES)
