"""Faults during a run — a kernel paused, a notebook that never ends, braces in the outputs path, kill -9 of
the runner, a run killed between publishing and its manifest, a full disk — each ends as a trustworthy tool
must: the last good report stays, nothing is left behind, nothing keeps running, the next run is right."""

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
from riskbook.core import config
from tests.attacks.corpus import TRIED, bounded, company
from tests.conftest import tmpfs

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
PERIOD = "2026Q3"


def _run(cfg: Path, out: Path, *extra: str) -> list[str]:
    return [str(BIN / "riskbook"), "run", "--config", str(cfg), "--out", str(out), "--period", PERIOD, *extra]


def _pdf(out: Path) -> Path:
    return out / PERIOD / "u" / f"u_{PERIOD}_risk_report.pdf"


def _sleeper(folder: Path, seconds: int) -> Path:
    """A copy of the monitoring notebook whose first cell sleeps ``seconds``."""
    import nbformat

    nb = nbformat.read(str(config.NOTEBOOKS_DIR / "03_monitoring.ipynb"), as_version=4)
    first = next(
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
    )
    nb.cells[first].source = f"import time\ntime.sleep({seconds})\n" + nb.cells[first].source
    path = folder / "03_monitoring.ipynb"
    nbformat.write(nb, str(path))
    return path


def _kernels(pid: int) -> list[psutil.Process]:
    try:
        return [p for p in psutil.Process(pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    except psutil.Error:
        return []


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """A company with a good published report of unit u: (company.yaml, outputs, that report's bytes)."""
    cfg = company(tmp_path)
    out = tmp_path / "outputs"
    (out / PERIOD / "u" / f"u_{PERIOD}_risk_report.pdf").unlink()
    with bounded(300):
        assert cli.main(["run", "--config", str(cfg), "--out", str(out), "--period", PERIOD]) == 0
    return cfg, out, _pdf(out).read_bytes()


def test_a_cell_that_never_ends_fails_its_unit_within_the_timeout(built, tmp_path: Path, monkeypatch, capsys) -> None:
    TRIED.append("notebook-that-never-ends")
    from riskbook.core import paths

    cfg, out, good = built
    sleeper = _sleeper(tmp_path, 3600)
    real = paths.source_notebook
    monkeypatch.setattr(paths, "source_notebook", lambda n: sleeper if n == "03_monitoring" else real(n))
    t0 = time.monotonic()
    with bounded(240):
        code = cli.main(
            ["run", "--config", str(cfg), "--out", str(out), "--period", PERIOD, "--force", "--cell-timeout", "8"]
        )
    err = capsys.readouterr().err
    assert code == 1 and time.monotonic() - t0 < 200
    assert "CellTimeoutError" in err or "timed out" in err, err
    assert _pdf(out).read_bytes() == good  # the last good report stays
    assert (out / PERIOD / "failed" / "u" / "03_monitoring.ipynb").exists()


def test_a_kernel_paused_for_fifteen_seconds_does_not_fail_its_unit(built) -> None:
    """A laptop suspended, a starved VM: every kernel is stopped (SIGSTOP) for 15 s mid-run and resumed."""
    TRIED.append("kernel-paused-15s")
    cfg, out, _ = built
    run = subprocess.Popen(_run(cfg, out, "--force"), stderr=subprocess.PIPE, text=True, env=ENV)
    assert run.stderr is not None
    deadline = time.monotonic() + 120
    kernels: list[psutil.Process] = []
    while not kernels and time.monotonic() < deadline:
        kernels = _kernels(run.pid)
        time.sleep(0.2)
    assert kernels, "no kernel started"
    time.sleep(1.0)
    for k in kernels:
        k.send_signal(signal.SIGSTOP)
    time.sleep(15)
    for k in kernels:
        k.send_signal(signal.SIGCONT)
    err = run.communicate(timeout=300)[1]
    assert run.returncode == 0, err


def test_braces_in_the_outputs_path_and_leftovers_of_a_killed_run(tmp_path: Path) -> None:
    """papermill formats paths with the parameters: an outputs folder named {x} still works. Leftovers of
    an interrupted run (a staging folder, a folder a publish was replacing, a half-written manifest) are
    removed by the next run."""
    TRIED.append("braces-in-out-path")
    TRIED.append("leftovers-of-an-interrupted-run")
    cfg = company(tmp_path)
    out = tmp_path / "{x}" / "out{period}"
    (out / ".staging-4242-abc" / PERIOD).mkdir(parents=True)
    (out / PERIOD / ".u.old-4242").mkdir(parents=True)
    (out / PERIOD / "manifest.tmp.json").write_text("{half")
    with bounded(300):
        assert cli.main(["run", "--config", str(cfg), "--out", str(out), "--period", PERIOD]) == 0
    assert _pdf(out).exists()
    assert not list(out.glob(".staging-*")) and not (out / PERIOD / ".u.old-4242").exists()
    assert not (out / PERIOD / "manifest.tmp.json").exists()


def test_kill_9_of_the_runner_takes_its_workers_and_kernels_with_it(built) -> None:
    TRIED.append("kill-9-of-the-runner")
    cfg, out, good = built
    run = subprocess.Popen(_run(cfg, out, "--force"), stderr=subprocess.PIPE, text=True, env=ENV)
    deadline = time.monotonic() + 120
    while not _kernels(run.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    family = psutil.Process(run.pid).children(recursive=True)
    assert family
    run.kill()
    run.wait(timeout=30)
    gone, alive = psutil.wait_procs(family, timeout=20)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
    assert _pdf(out).read_bytes() == good
    with bounded(300):  # the next run: no stale lock, the leftovers cleaned
        assert subprocess.run(_run(cfg, out), env=ENV, capture_output=True).returncode == 0
    assert not list(out.glob(".staging-*"))


def test_a_run_killed_before_its_manifest_is_not_trusted_by_the_next(built, capsys) -> None:
    """Run B (other settings) publishes unit u and dies before writing the manifest (the manifest of run A
    put back): the next run with A's settings sees from u's own folder that it holds B's report, and
    rebuilds it instead of saying 'unchanged'."""
    TRIED.append("killed-between-publish-and-manifest")
    cfg, out, _ = built
    manifest = out / PERIOD / "manifest.json"
    a_manifest = manifest.read_bytes()
    names = cfg.parent / "units" / "u.yaml"
    a_names = names.read_text(encoding="utf-8")
    names.write_text("name: {en: Unit B, zh: B 单元}\n", encoding="utf-8")
    with bounded(300):
        assert cli.main(["run", "--config", str(cfg), "--out", str(out), "--period", PERIOD]) == 0
    manifest.write_bytes(a_manifest)  # as if B had been killed before writing its manifest
    names.write_text(a_names, encoding="utf-8")
    capsys.readouterr()
    with bounded(300):
        assert cli.main(["run", "--config", str(cfg), "--out", str(out), "--period", PERIOD]) == 0
    err = capsys.readouterr().err
    assert "unchanged, reused" not in err, err
    text = subprocess.run(["pdftotext", str(_pdf(out)), "-"], capture_output=True, text=True, check=True).stdout
    assert "Unit U" in text and "Unit B" not in text


@pytest.fixture
def disk(tmp_path: Path):
    with tmpfs(tmp_path / "disk", "64m") as mnt:
        yield mnt


def test_a_full_disk_never_replaces_the_last_good_report(disk: Path, tmp_path: Path) -> None:
    TRIED.append("full-disk-keeps-the-good-report")
    cfg = company(tmp_path)
    out = disk / "out"
    with bounded(300):
        assert subprocess.run(_run(cfg, out), env=ENV, capture_output=True).returncode == 0
    good = _pdf(out).read_bytes()
    filler = disk / "filler"
    with open(filler, "wb") as f:  # fill the disk, then give back a little: not enough for a unit's outputs
        try:
            while True:
                f.write(b"\0" * (1 << 20))
                f.flush()
        except OSError:
            pass
    os.truncate(filler, max(filler.stat().st_size - (300 << 10), 0))
    with bounded(300):
        run = subprocess.run(_run(cfg, out, "--force"), env=ENV, capture_output=True, text=True)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert _pdf(out).read_bytes() == good
    assert not list(out.glob(".staging-*"))
