"""--scheduler: the notebooks run on a Dask distributed cluster's workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskbook import cli
from tests.conftest import read_results


@pytest.mark.slow
def test_run_on_a_dask_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        code = cli.main(["run", "--out", str(tmp_path), "--unit", "west", "--scheduler", c.scheduler_address])
    assert code == 0
    doc = read_results(tmp_path / "2026Q3" / "west" / "results.json")
    assert doc["unit"] == "west" and (tmp_path / "2026Q3" / "west" / "west_2026Q3_risk_report.pdf").exists()


@pytest.mark.slow  # waits out the connection timeout
def test_unreachable_scheduler_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    code = cli.main(["run", "--out", str(tmp_path), "--unit", "west", "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and "--scheduler tcp://127.0.0.1:9: cannot connect" in err
