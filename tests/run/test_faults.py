"""Faults a run survives: SIGTERM or Ctrl-C mid-run, an outputs folder it cannot write, a disk that fills up.
Each time: one line, a non-zero exit, the reports published before intact, no staging folder left, and
the next run completes. (A killed kernel and a damaged store: tests/run/test_pack.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from riskbook import cli
from tests.conftest import tmpfs

BIN = Path(sys.executable).parent
PERIOD = "2026Q3"
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def _pdf(out: Path, unit: str) -> Path:
    return out / PERIOD / unit / f"{unit}_{PERIOD}_risk_report.pdf"


def _descendants(pid: int) -> list[int]:
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_run_stopped_mid_way_keeps_what_was_published(tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "out"
    assert cli.main(["run", "--out", str(out), "--unit", "west"]) == 0
    before = _pdf(out, "west").read_bytes()
    run = subprocess.Popen(
        [str(BIN / "riskbook"), "run", "--out", str(out), "--unit", "west", "east", "--force"],
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert run.stderr is not None
    for line in run.stderr:  # stop it while notebooks run: after the first one is done
        if line.startswith("✓"):
            break
    children = _descendants(run.pid)
    assert children  # its workers and their kernels
    run.send_signal(sig)
    err = run.communicate(timeout=60)[1]
    assert run.returncode == 130, err
    assert err.strip().splitlines()[-1] == "riskbook: interrupted" and "Traceback" not in err
    assert not list(out.glob(".staging-*"))
    assert _pdf(out, "west").read_bytes() == before  # the earlier report, untouched
    time.sleep(0.5)
    assert not [p for p in children if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert cli.main(["run", "--out", str(out), "--unit", "west", "east"]) == 0  # the next run completes
    assert _pdf(out, "east").exists()


def _marked(marker: str) -> list[psutil.Process]:
    """The live processes whose environment carries ``marker`` (a run's workers and kernels inherit it)."""
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("RB_TEST_MARKER") == marker and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except psutil.Error:
            continue
    return found


@pytest.mark.slow
def test_a_forced_run_whose_plan_fails_leaves_no_worker_or_kernel(tmp_path: Path) -> None:
    """run --force starts its workers and kernels before the plan is resolved: a plan that fails (an
    unknown unit) stops them with it, and the error is still one line."""
    marker = f"plan-fails-{os.getpid()}"
    run = subprocess.run(
        [str(BIN / "riskbook"), "run", "--out", str(tmp_path / "out"), "--unit", "nowhere", "--force"],
        capture_output=True,
        text=True,
        env={**ENV, "RB_TEST_MARKER": marker},
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().startswith("riskbook: error: ") and "nowhere" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    deadline = time.time() + 10
    while _marked(marker) and time.time() < deadline:
        time.sleep(0.2)
    assert not _marked(marker)


def test_an_outputs_folder_it_cannot_write_is_one_line(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code = cli.main(["run", "--out", str(blocker / "out"), "--unit", "west"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == f"riskbook: error: --out {blocker / 'out'}: cannot write there (Not a directory)"


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 1 MiB tmpfs: less than two units and the group write."""
    with tmpfs(tmp_path / "disk", "1m") as mnt:
        yield mnt


@pytest.mark.slow
def test_a_full_disk_fails_with_one_line_and_publishes_nothing_half_written(small_disk: Path) -> None:
    out = small_disk / "out"
    run = subprocess.run(
        [str(BIN / "riskbook"), "run", "--out", str(out), "--unit", "west", "east", "--force"],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "No space left on device" in run.stderr
    assert not list(out.glob(".staging-*")) and not list(out.rglob("*.tmp*"))
    for unit in ("west", "east"):
        pdf = _pdf(out, unit)
        assert not pdf.exists() or pdf.read_bytes().rstrip().endswith(b"%%EOF")  # whole, or not there
