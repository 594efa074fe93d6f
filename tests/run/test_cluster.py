"""A real Dask cluster: a scheduler and workers started as separate processes (``dask scheduler``,
``dask worker``) on loopback. A pack built through ``--scheduler`` equals a local run's; it survives a
worker killed while it runs a task (the task is retried on the other worker), and when Dask may not retry,
the lost task fails its unit on one line."""

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
def cluster(tmp_path: Path, request) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A scheduler and two single-threaded workers without nannies (a killed worker stays dead); the test's
    ``allowed_failures`` mark sets how many lost workers a task survives (Dask's default: 3)."""
    sfile = tmp_path / "scheduler.json"
    mark = request.node.get_closest_marker("allowed_failures")
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DASK_DISTRIBUTED__WORKER__DAEMON": "False",
        **({"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(mark.args[0])} if mark else {}),
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


def _kill_a_busy_worker(address: str, workers: list[subprocess.Popen]) -> subprocess.Popen:
    """SIGKILL the first worker seen running a task (asked of the scheduler); that worker."""
    from distributed import Client

    with Client(address, timeout=30) as c:
        for _ in range(600):
            busy = [w for w, keys in c.processing().items() if keys]
            if busy:
                pid = c.run(os.getpid, workers=[busy[0]])[busy[0]]
                victim = next(w for w in workers if w.pid == pid)
                os.kill(pid, signal.SIGKILL)
                return victim
            time.sleep(0.05)
    raise AssertionError("no worker ever ran a task")


def _run_and_kill(address: str, workers: list[subprocess.Popen], out: Path) -> tuple[int, str]:
    run = subprocess.Popen(
        [str(BIN / "riskbook"), "run", "--out", str(out), "--unit", *UNITS, "--scheduler", address],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    victim = _kill_a_busy_worker(address, workers)
    err = run.communicate(timeout=600)[1]
    assert victim.wait(timeout=10) == -signal.SIGKILL
    return run.returncode, err


@pytest.mark.slow
def test_a_worker_killed_mid_run_does_not_lose_the_pack(cluster, tmp_path: Path) -> None:
    """SIGKILL a worker while it runs a task: the scheduler hands the task to the other worker and the pack
    completes, equal to a local run."""
    address, workers = cluster
    assert cli.main(["run", "--out", str(tmp_path / "local"), "--unit", *UNITS]) == 0
    code, err = _run_and_kill(address, workers, tmp_path / "dask")
    assert code == 0, err
    assert _results(tmp_path / "dask") == _results(tmp_path / "local")


@pytest.mark.slow
@pytest.mark.allowed_failures(0)
def test_a_task_dask_gives_up_on_fails_its_unit_with_one_line(cluster, tmp_path: Path) -> None:
    """With no retries allowed, the task of the killed worker is lost: its unit is reported failed on one
    line (Dask's KilledWorker), the run still ends with the other unit's report and the failure table."""
    address, workers = cluster
    code, err = _run_and_kill(address, workers, tmp_path / "dask")
    assert code == 1, err
    lost = [x for x in err.splitlines() if x.startswith("✗") and "KilledWorker" in x]
    assert len(lost) == 1, err
    assert "Traceback" not in err and "Failed tasks" in err
    failed_unit = lost[0].split()[1]
    other = next(u for u in UNITS if u != failed_unit)
    assert (tmp_path / "dask" / "2026Q3" / other / f"{other}_2026Q3_risk_report.pdf").exists()
