"""riskbook watch benchmarks: a check with nothing changed, and a new export landing until the alert is in
a local SMTP server's inbox — on the demo company and at scale 20.

    python bench/watch.py [--scale 1 20] [--repeat 5]

For each scale: the demo company (``riskbook.demo.generate``, cached in .cache/bench/) is copied to a temp
folder with the demo's company files, every unit watched with the default rules, e-mail to a local
aiosmtpd server. Measured, in one process as ``riskbook watch --every`` runs them:

- first: the first check (every unit's KRIs month and quarter to date, rules, ~40 alerts, digests sent)
- unchanged: a check with nothing changed (median of --repeat); target ≤ 0.5 s at scale 1. Its baseline,
  side by side: a check whose data changed (the first) — the ratio is what the change test saves
- alert: new unpaid invoices appended to invoices.csv (south's overdue share goes red), then one check:
  from the file written to the mail in the inbox; target ≤ 10 s at scale 1. Its baseline, side by
  side: ``riskbook run --unit south --force``, the pack that would otherwise show the red
- once: ``riskbook watch --once`` with nothing changed, as a fresh process (cron): imports included

Exit status 0 whether targets pass or fail (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJ))  # tests.watch.servers: the SMTP server of the tests
CACHE = PROJ / ".cache" / "bench"
BIN = Path(sys.executable).parent
TARGETS = {"unchanged": 0.5, "alert": 10.0}


def demo(scale: int) -> Path:
    from riskbook.demo import company

    folder = CACHE / f"watch-scale-{scale}"
    if not (folder / "orders.csv").exists():
        company.generate(folder, scale=scale)
    return folder


def setup(root: Path, data_src: Path, port: int) -> tuple[Path, Path]:
    from tests.conftest import demo_company

    data = root / "exports"
    shutil.copytree(data_src, data)
    cfg = demo_company(root / "co", data)
    with open(cfg, "a", encoding="utf-8") as f:
        f.write(f"\nalerts:\n  smtp: {{host: 127.0.0.1, port: {port}}}\n  email: [risk.office@demo.example]\n")
    (root / "co" / "units" / "south.yaml").write_text(
        "name: {en: South China}\nalerts:\n  email: [head.south@demo.example]\n", encoding="utf-8"
    )
    return cfg, data


def new_invoices(data: Path, total: float) -> None:
    rows = "".join(
        f"INV-B{i:05d},C-SOU-{i % 40 + 1:04d},south,2026-07-20,2026-08-19,{total / 10:.2f},,false\n" for i in range(10)
    )
    with open(data / "invoices.csv", "a", encoding="utf-8") as f:
        f.write(rows)


def bench(scale: int, repeat: int) -> dict[str, float]:
    import pandas as pd
    from tests.watch.servers import smtp_server

    from riskbook.watch.check import check, db_path
    from riskbook.watch.state import State

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="rb-watch-") as tmp, smtp_server() as (inbox, port, _):
        root = Path(tmp)
        cfg, data = setup(root, demo(scale), port)
        outdir = root / "out"
        t0 = time.perf_counter()
        check(None, str(cfg), outdir)
        out["first"] = time.perf_counter() - t0
        state = State(db_path(outdir))
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            check(None, str(cfg), outdir, state=state)
            runs.append(time.perf_counter() - t0)
        out["unchanged"] = statistics.median(runs)
        inv = pd.read_csv(data / "invoices.csv", usecols=["unit", "issue_date", "amount"])
        recent = inv[(inv["unit"] == "south") & (inv["issue_date"] >= "2026-08-01")]["amount"].sum()
        before = len(inbox.to("head.south@demo.example"))
        t0 = time.perf_counter()
        new_invoices(data, 1.2 * recent)  # the export lands ...
        o = check(None, str(cfg), outdir, state=state)  # ... the next check of the loop
        while len(inbox.to("head.south@demo.example")) == before and time.perf_counter() - t0 < 120:
            time.sleep(0.01)
        out["alert"] = time.perf_counter() - t0
        out["alert_opened"] = o.opened
        state.close()
        t0 = time.perf_counter()
        subprocess.run(
            [str(BIN / "riskbook"), "watch", "--once", "--config", str(cfg), "--out", str(outdir)],
            check=False,
            capture_output=True,
        )
        out["once"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run(
            [
                str(BIN / "riskbook"),
                "run",
                "--config",
                str(cfg),
                "--out",
                str(root / "pack"),
                "--unit",
                "south",
                "--force",
            ],
            check=True,
            capture_output=True,
        )
        out["pack"] = time.perf_counter() - t0
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, nargs="+", default=[1, 20])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    import os
    import platform

    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    rows = []
    for scale in args.scale:
        r = bench(scale, args.repeat)
        print(f"scale {scale}: " + ", ".join(f"{k} {v:.2f}" for k, v in r.items()), flush=True)
        rows.append((scale, r))
    print("\n| scale | measurement | seconds | baseline | seconds | ratio | target |")
    print("|---|---|---|---|---|---|---|")
    for scale, r in rows:
        for name, base in (("unchanged", "first"), ("alert", "pack")):
            target = TARGETS[name] if scale == 1 else None
            verdict = "" if target is None else f"≤ {target} s {'PASS' if r[name] <= target else 'FAIL'}"
            print(
                f"| {scale} | {name} | {r[name]:.2f} | {base} | {r[base]:.2f} | {r[name] / r[base]:.3f} | {verdict} |"
            )
        print(f"| {scale} | once (fresh process) | {r['once']:.2f} | | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
