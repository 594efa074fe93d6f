"""A real Dask cluster: a scheduler and workers started as separate processes (``dask scheduler``,
``dask worker``) on loopback. A pack built through ``--scheduler`` equals a local run's, and survives a
worker killed mid-run (its tasks are retried on the other worker)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskbook import cli

pytest.importorskip("distributed")
BIN = Path(sys.executable).parent
UNITS = ["west", "east"]


def _results(root: Path) -> dict[str, dict]:
    return {u: json.loads((root / "2026Q3" / u / "results.json").read_text(encoding="utf-8")) for u in UNITS}


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A scheduler and two single-threaded workers without nannies (a killed worker stays dead)."""
    sfile = tmp_path / "scheduler.json"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DASK_DISTRIBUTED__WORKER__DAEMON": "False",
    }
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    procs = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--scheduler-file", str(sfile), "--port", "0", *common],
            stdout=subprocess.DEVNULL,
            stderr=(logs / "scheduler.log").open("w"),
            env=env,
        )
    ]
    try:
        for _ in range(300):
            if sfile.exists() and sfile.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(sfile.read_text())["address"]
        workers = [
            subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-nanny", *common],
                stdout=subprocess.DEVNULL,
                stderr=(logs / f"worker-{i}.log").open("w"),
                env=env,
            )
            for i in range(2)
        ]
        procs += workers
        from distributed import Client

        with Client(address, timeout=30) as c:
            c.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.mark.slow
def test_a_pack_built_on_a_cluster_equals_a_local_one(cluster, tmp_path: Path) -> None:
    address, _ = cluster
    assert cli.main(["run", "--out", str(tmp_path / "local"), "--unit", *UNITS]) == 0
    assert cli.main(["run", "--out", str(tmp_path / "dask"), "--unit", *UNITS, "--scheduler", address]) == 0
    assert _results(tmp_path / "dask") == _results(tmp_path / "local")
    assert (tmp_path / "dask" / "2026Q3" / "east" / "east_2026Q3_risk_report.pdf").stat().st_size > 50_000


@pytest.mark.slow
def test_a_worker_killed_mid_run_does_not_lose_the_pack(cluster, tmp_path: Path) -> None:
    """SIGKILL one of the two workers while it runs a notebook: the scheduler hands its task to the other
    worker and the pack completes, equal to a local run."""
    address, workers = cluster
    assert cli.main(["run", "--out", str(tmp_path / "local"), "--unit", *UNITS]) == 0
    run = subprocess.Popen(
        [str(BIN / "riskbook"), "run", "--out", str(tmp_path / "dask"), "--unit", *UNITS, "--scheduler", address],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    lines = []
    assert run.stderr is not None
    for line in run.stderr:
        lines.append(line)
        if "01_identification" in line:  # the first notebook is done: both workers are busy with the next ones
            os.kill(workers[0].pid, signal.SIGKILL)
            break
    out, err = run.communicate(timeout=600)
    text = "".join(lines) + err
    assert run.returncode == 0, text
    assert workers[0].wait(timeout=10) == -signal.SIGKILL
    assert _results(tmp_path / "dask") == _results(tmp_path / "local")
