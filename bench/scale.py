"""riskbook at scale (issue 21): packs of 2 and 10 million order lines, one unit's monitoring, a retailer's
export with a quarter of its lines defective — each before and after, side by side in one run.

    python bench/scale.py [--base REV] [--scales 20 100] [--only pack monitoring retail dask] [--repeat 1]

``--base`` is the commit measured as "before" (default: the last commit before issue 21's work); it is
exported with ``git archive`` to a temp folder and run with ``PYTHONPATH`` on it, as ``bench/pack.py --lib``
does. Each command runs cold in a fresh process (fresh outputs folder; the store is ingested once
beforehand, untimed, per riskbook version: reading the CSVs is bench/run.py's measurement) and before and
after alternate, so a drift of the machine hits both. Exit status 0 whether targets pass or fail.

- pack: ``riskbook run --data .cache/bench/scale-K --force``: wall, CPU seconds (all processes), the largest
  process's peak RSS. Targets: scale 100 ≤ 120 s wall and no process above 4 GiB; CPU from scale 20 to 100
  at most × 5; scale 20's CPU ≤ 0.5 × before.
- monitoring: the monitoring stage of unit east at scale 20, in a fresh process after identification
  was saved (a fresh context: nothing carried over in memory), as a notebook runs it. Target ≤ 0.2 × before.
- retail: a retailer-like export written once to .cache/bench/retail/ (540,000 lines over 13 months cut
  on 9 December, three countries as units, a quarter of the lines without a customer, cancellations as
  negative quantities, like the UCI Online Retail export) mapped through a ``sources:`` file: the slowest
  task of the pack (the run's own per-task seconds). Target: none above 3 s.
- dask: the largest scale's pack (after only) through ``--scheduler`` on a local Dask cluster: a
  ``dask scheduler`` and two ``dask worker --nthreads 1`` in processes of their own, as on separate
  machines; beside it the same pack on the local pool. Wall; the CPU, largest process, and bytes read and
  written (files and sockets, /proc rchar and wchar) of the workers and their kernels, sampled from /proc
  as the run goes; and what crossed the scheduler's sockets (the tasks and their results). No target:
  the figures for the README's Dask section.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pack  # noqa: E402  (the same cold-run wrapper and environment)

PROJ = pack.PROJ
CACHE = pack.CACHE
BASE = "8cf1bf6"  # main before issue 21: KRIs evaluated period by period over masks of the whole table
TASK = re.compile(r"^\S\s+(\S+)\s+(\S+)\s+([\d.]+)s")
MONITOR = (
    "import sys, time, warnings\n"
    "warnings.filterwarnings('ignore')\n"
    "from riskbook.stages.unit import open_unit\n"
    "from riskbook.stages import pipeline\n"
    "data, out = sys.argv[1], sys.argv[2]\n"
    "pipeline.identification(open_unit('east', '2026Q3', data=data, out_dir=out))\n"
    "u = open_unit('east', '2026Q3', data=data, out_dir=out)\n"
    "w, c = time.perf_counter(), time.process_time()\n"
    "pipeline.monitoring(u)\n"
    "print(time.perf_counter() - w, time.process_time() - c)\n"
)


STORES: dict[Path, str] = {}  # a riskbook's lib → the name of its store cache (one per version measured)


def env(lib: Path) -> dict[str, str]:
    """The environment of a command measuring the riskbook in ``lib`` (its own store cache, kept between
    runs of the bench: ingesting the scale-100 company takes minutes)."""
    return pack._env({"PYTHONPATH": str(lib), "RISKBOOK_CACHE": str(CACHE / f"scale-cache-{STORES[lib]}")})


def run_pack(lib: Path, opts: list[str], out: Path) -> dict[str, float]:
    """A cold pack: wall, CPU, peak GiB, and the slowest task with its seconds."""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        cmd = [sys.executable, "-c", pack.WRAP, f.name, *pack.riskbook("run", *opts, "--force", "--out", str(out))]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env(lib), cwd=PROJ)
        if proc.returncode != 0:
            raise pack.Failed("\n".join((proc.stderr or proc.stdout).strip().splitlines()[-12:]))
        import json

        r = json.loads(Path(f.name).read_text())
    tasks = [(float(m[3]), f"{m[1]} {m[2]}") for line in proc.stderr.splitlines() if (m := TASK.match(line))]
    slow = max(tasks) if tasks else (0.0, "?")
    shutil.rmtree(out, ignore_errors=True)
    return {"wall": r["wall"], "cpu": r["cpu"], "peak_gib": r["maxrss"] / 2**20, "slowest": slow}


def monitoring(lib: Path, data: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of east's monitoring stage at scale 20 (identification saved beforehand)."""
    proc = subprocess.run(
        [sys.executable, "-c", MONITOR, str(data), str(out)], capture_output=True, text=True, env=env(lib)
    )
    if proc.returncode != 0:
        raise pack.Failed(proc.stderr.strip().splitlines()[-1])
    shutil.rmtree(out, ignore_errors=True)
    wall, cpu = proc.stdout.split()[-2:]
    return float(wall), float(cpu)


def retail(folder: Path, lines: int = 540_000, seed: int = 11) -> Path:
    """Write the retailer-like export and its mapping once; the mapping's path."""
    cfg = folder / "company.yaml"
    if cfg.exists():
        return cfg
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_inv = lines // 20
    start, end = pd.Timestamp("2025-12-01 08:00"), pd.Timestamp("2026-12-09 20:00")
    inv_day = start + pd.to_timedelta(np.sort(rng.uniform(0, (end - start).total_seconds(), n_inv)), unit="s")
    customers = np.where(rng.random(n_inv) < 0.25, "", (12346 + rng.integers(0, 4300, n_inv)).astype(str))
    country = rng.choice(["United Kingdom", "Germany", "France"], n_inv, p=[0.88, 0.06, 0.06])
    cancelled = rng.random(n_inv) < 0.02
    per = rng.integers(1, 40, n_inv)
    per = np.maximum(1, (per * lines / per.sum()).astype(int))
    idx = np.repeat(np.arange(n_inv), per)[:lines]
    qty = rng.integers(1, 25, len(idx)) * np.where(cancelled[idx], -1, 1)
    price = np.round(rng.choice([0.42, 0.85, 1.25, 1.65, 2.1, 2.95, 4.95, 7.95, 12.75], len(idx)), 2)
    pd.DataFrame(
        {
            "InvoiceNo": np.where(cancelled[idx], "C", "") + (536365 + idx).astype(str),
            "StockCode": (84000 + rng.integers(0, 3900, len(idx))).astype(str),
            "Quantity": qty,
            "InvoiceDate": inv_day[idx].strftime("%m/%d/%Y %H:%M"),
            "UnitPrice": price,
            "CustomerID": customers[idx],
            "Country": country[idx],
        }
    ).to_csv(folder / "online_retail.csv", index=False)
    cfg.write_text(
        "company: Online Retail\ncurrency: GBP\nlang: en\nsources:\n  orders:\n    file: online_retail.csv\n"
        '    dates: {format: "%m/%d/%Y %H:%M"}\n'
        "    columns: {order_id: InvoiceNo, order_date: InvoiceDate, customer_id: CustomerID, "
        "product_id: StockCode}\n    amount: {quantity: Quantity, price: UnitPrice}\n    unit: Country\n",
        encoding="utf-8",
    )
    return cfg


def _tree(pids: list[int]) -> list:
    """The processes of ``pids`` and all their descendants (psutil), alive now."""
    import psutil

    procs = []
    for pid in pids:
        try:
            p = psutil.Process(pid)
            procs += [p, *p.children(recursive=True)]
        except psutil.Error:
            continue
    return procs


def _sample(procs: list, seen: dict[int, tuple[float, float, float, float]]) -> None:
    """Record each process's CPU seconds, bytes read and written (files and sockets: /proc rchar, wchar)
    and peak RSS (GiB, /proc VmHWM) so far, by pid: a kernel replaced mid-run keeps its last sample."""
    import psutil

    for p in procs:
        try:
            t, io = p.cpu_times(), p.io_counters()
            hwm = [ln for ln in Path(f"/proc/{p.pid}/status").read_text().splitlines() if ln.startswith("VmHWM")]
            peak = int(hwm[0].split()[1]) / 2**20 if hwm else 0.0
            seen[p.pid] = (t.user + t.system, float(io.read_chars), float(io.write_chars), peak)
        except (psutil.Error, OSError):
            continue


class Sampler:
    """Samples a set of process trees every quarter second, in a thread, until stopped."""

    def __init__(self, pids: list[int]) -> None:
        import threading

        self.pids, self.seen, self.base = pids, {}, {}
        _sample(_tree(pids), self.base)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop.wait(0.25):
            _sample(_tree(self.pids), self.seen)

    def totals(self) -> dict[str, float]:
        """CPU seconds, GiB read and written, since the start; the largest process's peak (GiB)."""
        self.stop.set()
        self.thread.join()
        _sample(_tree(self.pids), self.seen)
        zero = (0.0, 0.0, 0.0, 0.0)
        diff = [tuple(v - b for v, b in zip(now, self.base.get(pid, zero))) for pid, now in self.seen.items()]
        return {
            "cpu": sum(d[0] for d in diff),
            "read_gib": sum(d[1] for d in diff) / 2**30,
            "wrote_gib": sum(d[2] for d in diff) / 2**30,
            "peak_gib": max((v[3] for v in self.seen.values()), default=0.0),
        }


def on_dask(lib: Path, opts: list[str], out: Path) -> dict[str, float]:
    """The pack through a local Dask cluster (a scheduler and two single-threaded workers, each a process
    of its own): wall, the CPU, reads, writes and largest process of the workers and their kernels (sampled
    as the run goes: a kernel replaced mid-run counts too), the bytes the scheduler's sockets carried, and
    the runner's own CPU."""
    import json

    import psutil

    e = {**env(lib), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    sfile = out.parent / f"{out.name}-scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    dask = str(pack.BIN / "dask")
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--scheduler-file", str(sfile), "--port", "0", *common],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=e,
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
                [dask, "worker", address, "--nthreads", "1", "--no-nanny", *common],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=e,
            )
            for _ in range(2)
        ]
        procs += workers
        from distributed import Client

        with Client(address, timeout=30) as c:
            c.wait_for_workers(2, timeout=60)
        sched = psutil.Process(procs[0].pid)
        net0 = sched.io_counters()
        sampler = Sampler([w.pid for w in workers])
        r = run_pack(lib, [*opts, "--scheduler", address], out)
        used = sampler.totals()
        net1 = sched.io_counters()
        mib = ((net1.read_chars - net0.read_chars) + (net1.write_chars - net0.write_chars)) / 2**20
        return {**r, "runner_cpu": r["cpu"], **used, "scheduler_mib": mib}
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def export(rev: str) -> Path:
    """``rev``'s lib, notebooks and params in a temp folder; its lib folder."""
    root = Path(tempfile.mkdtemp(prefix=f"riskbook-{rev}-"))
    archive = subprocess.run(["git", "archive", rev, "lib", "notebooks", "params"], cwd=PROJ, capture_output=True)
    if archive.returncode != 0:
        raise pack.Failed(f"git archive {rev}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
    return root / "lib"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="riskbook at scale, before and after (bench/README.md)")
    ap.add_argument("--base", default=BASE, help=f"the commit measured as before (default {BASE})")
    ap.add_argument("--scales", nargs="+", type=int, default=[20, 100])
    ap.add_argument("--only", nargs="+", choices=["pack", "monitoring", "retail", "dask"])
    a = ap.parse_args(argv)
    only = set(a.only or ["pack", "monitoring", "retail", "dask"])
    head = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=PROJ)
    print(
        f"riskbook scale bench · {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · "
        f"load {os.getloadavg()[0]:.2f} · before {a.base}, after {head.stdout.strip()}",
        flush=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="riskbook-scalebench-"))
    libs = {"before": export(a.base), "after": PROJ / "lib"}
    for lib in libs.values():
        pack.compiled(lib)
    STORES.update({libs["before"]: a.base, libs["after"]: "worktree"})
    rows: list[tuple[str, str, str, str, str]] = []
    try:
        packs: dict[tuple[str, int], dict] = {}
        for scale in a.scales if "pack" in only or "monitoring" in only else []:
            opts = pack.company(6, scale)
            for lib in libs.values():
                pack.timed(pack.riskbook("validate", *opts), env=env(lib))  # the store, untimed
            if "pack" in only:
                for name, lib in libs.items():
                    r = packs[name, scale] = run_pack(lib, opts, tmp / f"{name}-{scale}")
                    print(
                        f"scale {scale} {name}: {pack.fmt(r)}, slowest task {r['slowest'][1]} {r['slowest'][0]:.1f} s",
                        flush=True,
                    )
                b, n = packs["before", scale], packs["after", scale]
                rows.append(
                    (
                        f"scale {scale} pack, wall",
                        f"{b['wall']:.1f} s",
                        f"{n['wall']:.1f} s",
                        f"{n['wall'] / b['wall']:.2f}",
                        "≤ 120 s " + ("PASS" if n["wall"] <= 120 else "FAIL") if scale == 100 else "",
                    )
                )
                ok = n["cpu"] / b["cpu"] <= 0.5
                rows.append(
                    (
                        f"scale {scale} pack, CPU",
                        f"{b['cpu']:.1f} s",
                        f"{n['cpu']:.1f} s",
                        f"{n['cpu'] / b['cpu']:.2f}",
                        ("≤ 0.5 " + ("PASS" if ok else "FAIL")) if scale == 20 else "",
                    )
                )
                rows.append(
                    (
                        f"scale {scale} pack, largest process",
                        f"{b['peak_gib']:.2f} GiB",
                        f"{n['peak_gib']:.2f} GiB",
                        "",
                        "≤ 4 GiB " + ("PASS" if n["peak_gib"] <= 4 else "FAIL"),
                    )
                )
            if "monitoring" in only and scale == 20:
                data = CACHE / "scale-20"
                m = {name: monitoring(lib, data, tmp / f"m-{name}") for name, lib in libs.items()}
                print(
                    f"monitoring, east, scale 20: before {m['before'][0]:.2f} s, after {m['after'][0]:.2f} s",
                    flush=True,
                )
                ratio = m["after"][0] / m["before"][0]
                rows.append(
                    (
                        "monitoring stage, east, scale 20",
                        f"{m['before'][0]:.2f} s",
                        f"{m['after'][0]:.2f} s",
                        f"{ratio:.2f}",
                        "≤ 0.2 " + ("PASS" if ratio <= 0.2 else "FAIL"),
                    )
                )
        if "pack" in only and len(a.scales) > 1:
            lo, hi = min(a.scales), max(a.scales)
            g = packs["after", hi]["cpu"] / packs["after", lo]["cpu"]
            rows.append(
                (
                    f"CPU growth, scale {lo} → {hi} (after)",
                    "",
                    f"× {g:.2f}",
                    "",
                    f"≤ × {hi / lo:.0f} " + ("PASS" if g <= hi / lo else "FAIL"),
                )
            )
        if "retail" in only:
            cfg = retail(CACHE / "retail")
            r = {}
            for name, lib in libs.items():
                pack.timed(pack.riskbook("validate", "--config", str(cfg)), env=env(lib))
                r[name] = run_pack(lib, ["--config", str(cfg)], tmp / f"r-{name}")
                print(
                    f"retail {name}: {pack.fmt(r[name])}, slowest task {r[name]['slowest'][1]} "
                    f"{r[name]['slowest'][0]:.1f} s",
                    flush=True,
                )
            s = r["after"]["slowest"][0]
            rows.append(
                (
                    "retail export: slowest task",
                    f"{r['before']['slowest'][0]:.1f} s",
                    f"{s:.1f} s",
                    "",
                    "≤ 3 s " + ("PASS" if s <= 3 else "FAIL"),
                )
            )
            rows.append(
                (
                    "retail export: pack, wall",
                    f"{r['before']['wall']:.1f} s",
                    f"{r['after']['wall']:.1f} s",
                    f"{r['after']['wall'] / r['before']['wall']:.2f}",
                    "",
                )
            )
        if "dask" in only:
            rows += dask_rows(libs["after"], max(a.scales), tmp)
    except pack.Failed as exc:
        print(f"ERROR: {exc}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(libs["before"].parent, ignore_errors=True)
    print()
    print("| measurement | before | after | after / before | target |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


def dask_rows(lib: Path, scale: int, tmp: Path) -> list[tuple[str, str, str, str, str]]:
    """The pack at ``scale`` on the local pool, then on a local Dask cluster (after only): the table's rows."""
    opts = pack.company(6, scale)
    pack.timed(pack.riskbook("validate", *opts), env=env(lib))
    local = run_pack(lib, opts, tmp / "dask-local")
    d = on_dask(lib, opts, tmp / "dask")
    print(f"scale {scale} on the local pool: {pack.fmt(local)}", flush=True)
    print(
        f"scale {scale} on Dask (2 workers): {d['wall']:.1f} s wall, workers {d['cpu']:.1f} s CPU, runner "
        f"{d['runner_cpu']:.1f} s CPU, largest process {d['peak_gib']:.2f} GiB, workers read "
        f"{d['read_gib']:.2f} GiB and wrote {d['wrote_gib']:.2f} GiB, scheduler sockets {d['scheduler_mib']:.1f} MiB",
        flush=True,
    )
    return [
        (
            f"scale {scale} pack on Dask (2 workers), wall",
            f"{local['wall']:.1f} s (local pool)",
            f"{d['wall']:.1f} s",
            f"{d['wall'] / local['wall']:.2f}",
            "",
        ),
        (
            f"scale {scale} on Dask: workers' CPU + runner's",
            f"{local['cpu']:.1f} s (local pool)",
            f"{d['cpu']:.1f} + {d['runner_cpu']:.1f} s",
            "",
            "",
        ),
        (
            f"scale {scale} on Dask: largest process",
            f"{local['peak_gib']:.2f} GiB",
            f"{d['peak_gib']:.2f} GiB",
            "",
            "≤ 4 GiB " + ("PASS" if d["peak_gib"] <= 4 else "FAIL"),
        ),
        (
            f"scale {scale} on Dask: workers' reads / writes (files, sockets)",
            "",
            f"{d['read_gib']:.2f} / {d['wrote_gib']:.2f} GiB",
            "",
            "",
        ),
        (f"scale {scale} on Dask: scheduler's sockets, in + out", "", f"{d['scheduler_mib']:.1f} MiB", "", ""),
    ]


if __name__ == "__main__":
    sys.exit(main())
