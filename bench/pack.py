"""riskbook pack benchmarks: the whole pack against the naive papermill loop, one unit, a re-run, many units.

    python bench/pack.py [--only naive pack unit rerun units scale] [--units 6 20 40] [--repeat 1]
                         [--scale 20] [--lib DIR]

Every command runs in a fresh process with fresh output folders (cold: no kernel running, no output
to reuse; the demo store is ingested once beforehand so that reading the CSVs is not counted — the
ingest bench, bench/run.py, measures that). Wall time is the process's; CPU and the peak memory of the
largest single process (a worker or a kernel) come from getrusage(RUSAGE_CHILDREN) around it.

- naive: for each of the pack's 25 notebooks (6 units × 4 stages, then the group), the papermill
  command line, then ``jupyter nbconvert --to html --no-input`` (HTML only, no PDF or workbook)
- pack: ``riskbook run --force`` of the demo company, all formats; target ≤ 0.12 × naive
- unit: ``riskbook run --unit east --force``; target ≤ 6 s
- rerun: ``riskbook run`` again with nothing changed (median of 3); target ≤ 1 s
- units: ``riskbook demo-data --units N`` then ``riskbook run --force``, N = 6, 20, 40; target ≤ 2 s/unit at 40
- scale: ``riskbook demo-data --scale 20`` then ``riskbook run --force``; target: no process above 1.5 GiB

Exit status 0 whether targets pass or fail (a benchmark, not a test); 1 when a command fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJ = Path(__file__).resolve().parents[1]
CACHE = PROJ / ".cache" / "bench"
BIN = Path(sys.executable).parent
PERIOD = "2026Q3"
DEMO_UNITS = ("east", "south", "north", "west", "online", "key_accounts")
LIB = PROJ / "lib"

TARGETS = {"pack": 0.12, "unit": 6.0, "rerun": 1.0, "per_unit_40": 2.0, "peak_gib": 1.5}


class Failed(RuntimeError):
    pass


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(LIB), os.environ.get("PYTHONPATH")]))
    return {
        **os.environ,
        "PYTHONPATH": path,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "RISKBOOK_CACHE": str(CACHE / "pack-cache"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        **(extra or {}),
    }


# runs the command in a fresh process whose only child it is, so that RUSAGE_CHILDREN there is the command's
# alone: its CPU and the peak RSS of its largest process (a worker, a kernel, the runner itself)
WRAP = (
    "import json, resource, subprocess, sys, time\n"
    "t0 = time.perf_counter(); r = subprocess.run(sys.argv[2:]); wall = time.perf_counter() - t0\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(json.dumps({'wall': wall, 'cpu': u.ru_utime + u.ru_stime, 'maxrss': u.ru_maxrss}))\n"
    "sys.exit(r.returncode)\n"
)


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = PROJ) -> dict[str, float]:
    """Run ``cmd``; its wall and CPU seconds and its largest process's peak RSS (GiB). Raises on failure."""
    import json

    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        proc = subprocess.run(
            [sys.executable, "-c", WRAP, f.name, *cmd], capture_output=True, text=True, env=env or _env(), cwd=cwd
        )
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-12:])
            raise Failed(f"{' '.join(cmd[:4])} … failed (exit {proc.returncode}):\n{tail}")
        r = json.loads(Path(f.name).read_text())
    return {"wall": r["wall"], "cpu": r["cpu"], "peak_gib": r["maxrss"] / 2**20}


def riskbook(*args: str) -> list[str]:
    """The riskbook command line of this environment (it imports the riskbook of --lib: PYTHONPATH)."""
    return [str(BIN / "riskbook"), *args]


def naive(out: Path) -> dict[str, float]:
    """The 25 notebooks one after the other with the papermill command line, then nbconvert to HTML."""
    nbs = LIB.parent / "notebooks" if (LIB.parent / "notebooks").is_dir() else PROJ / "notebooks"
    jobs = [(u, s) for u in DEMO_UNITS for s in ("01_identification", "02_assessment", "03_monitoring", "04_summary")]
    jobs.append((None, "portfolio"))
    wall = cpu = peak = 0.0
    for unit, stage in jobs:
        d = out / PERIOD / (unit or "group")
        d.mkdir(parents=True, exist_ok=True)
        nb = d / f"{stage}.ipynb"
        params = ["-p", "period", PERIOD, "-p", "out_dir", str(out)] + (["-p", "unit", unit] if unit else [])
        for cmd in (
            [str(BIN / "papermill"), str(nbs / f"{stage}.ipynb"), str(nb), *params, "--cwd", str(nbs)],
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)],
        ):
            r = timed(cmd)
            wall, cpu, peak = wall + r["wall"], cpu + r["cpu"], max(peak, r["peak_gib"])
    return {"wall": wall, "cpu": cpu, "peak_gib": peak}


def compiled(lib: Path) -> None:
    """Write ``lib``'s bytecode, as ``make setup`` and ``make quarterly-report`` do: every process measured
    (runner, workers, kernels) loads it instead of compiling riskbook, even under PYTHONDONTWRITEBYTECODE."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(lib)], check=True, capture_output=True)


def company(units: int = 6, scale: int = 1) -> list[str]:
    """The run options of a company: the bundled demo (no option), the demo at ``scale`` (--data, generated
    once into .cache/bench), or ``units`` branches (--config of the company file demo-data writes)."""
    if units == 6 and scale == 1:
        return []
    folder = CACHE / (f"units-{units}" if units != 6 else f"scale-{scale}")
    if not (folder / "ground_truth.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        extra = ["--units", str(units)] if units != 6 else []
        timed(riskbook("demo-data", str(folder), "--scale", str(scale), *extra))
        print(f"  generated {folder.relative_to(PROJ)}", flush=True)
    return ["--config", str(folder / "company.yaml")] if units != 6 else ["--data", str(folder)]


def fmt(r: dict[str, float]) -> str:
    return f"{r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, peak {r['peak_gib'] * 1024:.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="riskbook pack benchmarks (bench/README.md)")
    ap.add_argument("--only", nargs="+", choices=["naive", "pack", "unit", "rerun", "units", "scale"])
    ap.add_argument("--units", nargs="+", type=int, default=[6, 20, 40], help="company sizes for 'units'")
    ap.add_argument("--scale", type=int, default=20, help="the demo scale for 'scale' (default 20)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of pack and unit (median reported)")
    ap.add_argument("--lib", type=Path, default=PROJ / "lib", help="riskbook source to measure (default lib/)")
    a = ap.parse_args(argv)
    global LIB
    LIB = a.lib.resolve()
    compiled(LIB)
    only = set(a.only or ["naive", "pack", "unit", "rerun", "units", "scale"])
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=LIB)
    print(
        f"riskbook pack bench · {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · "
        f"load {os.getloadavg()[0]:.2f} · riskbook {LIB} at {commit.stdout.strip() or '?'}"
    )
    rows: list[tuple[str, str, str, str]] = []
    tmp = Path(tempfile.mkdtemp(prefix="riskbook-packbench-"))
    try:
        demo = company()
        timed(riskbook("validate", *demo))  # ingest the store once, untimed
        base = None
        if "naive" in only:
            base = naive(tmp / "naive")
            print(f"naive loop: {fmt(base)}", flush=True)
        if "pack" in only:
            runs = [timed(riskbook("run", *demo, "--force", "--out", str(tmp / f"p{i}"))) for i in range(a.repeat)]
            r = (
                min(runs, key=lambda x: x["wall"])
                if a.repeat == 1
                else sorted(runs, key=lambda x: x["wall"])[len(runs) // 2]
            )
            print(f"pack: {fmt(r)}", flush=True)
            ratio = f"{r['wall'] / base['wall']:.3f}" if base else "–"
            ok = "PASS" if base and r["wall"] / base["wall"] <= TARGETS["pack"] else ("FAIL" if base else "–")
            rows.append(
                ("full pack, cold, all formats / naive loop", f"{r['wall']:.1f} s", ratio, f"≤ {TARGETS['pack']} {ok}")
            )
        if "unit" in only:
            runs = [
                timed(riskbook("run", *demo, "--unit", "east", "--force", "--out", str(tmp / f"u{i}")))
                for i in range(a.repeat)
            ]
            r = sorted(runs, key=lambda x: x["wall"])[len(runs) // 2]
            print(f"one unit: {fmt(r)}", flush=True)
            ok = "PASS" if r["wall"] <= TARGETS["unit"] else "FAIL"
            rows.append(
                ("one unit (east), cold, all formats", f"{r['wall']:.1f} s", "–", f"≤ {TARGETS['unit']} s {ok}")
            )
        if "rerun" in only:
            out = tmp / "r"
            timed(riskbook("run", *demo, "--out", str(out)))
            runs = [timed(riskbook("run", *demo, "--out", str(out))) for _ in range(3)]
            r = sorted(runs, key=lambda x: x["wall"])[1]
            walls = ", ".join(f"{x['wall']:.2f}" for x in runs)
            print(f"re-run, nothing changed: {walls} s", flush=True)
            ok = "PASS" if r["wall"] <= TARGETS["rerun"] else "FAIL"
            rows.append(
                ("re-run, nothing changed (median of 3)", f"{r['wall']:.2f} s", "–", f"≤ {TARGETS['rerun']} s {ok}")
            )
        if "units" in only:
            for n in a.units:
                opts = company(n)
                timed(riskbook("validate", *opts))
                r = timed(riskbook("run", *opts, "--force", "--out", str(tmp / f"n{n}")))
                print(f"{n} units: {fmt(r)}, {r['wall'] / n:.2f} s/unit", flush=True)
                target = (
                    f"≤ {TARGETS['per_unit_40']} s/unit {'PASS' if r['wall'] / n <= TARGETS['per_unit_40'] else 'FAIL'}"
                )
                rows.append(
                    (
                        f"{n} units, cold",
                        f"{r['wall']:.1f} s ({r['wall'] / n:.2f} s/unit)",
                        f"peak {r['peak_gib'] * 1024:.0f} MiB",
                        target if n == 40 else "–",
                    )
                )
        if "scale" in only:
            opts = company(6, a.scale)
            timed(riskbook("validate", *opts))
            r = timed(riskbook("run", *opts, "--force", "--out", str(tmp / "s")))
            print(f"scale {a.scale}: {fmt(r)}", flush=True)
            ok = "PASS" if r["peak_gib"] <= TARGETS["peak_gib"] else "FAIL"
            rows.append(
                (
                    f"scale {a.scale} pack: largest process",
                    f"{r['peak_gib'] * 1024:.0f} MiB",
                    f"{r['wall']:.0f} s",
                    f"≤ 1536 MiB {ok}",
                )
            )
    except Failed as exc:
        print(f"ERROR: {exc}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(f"| {'measurement':<44} | {'value':<24} | {'ratio / other':<14} | target |")
    print(f"|{'-' * 46}|{'-' * 26}|{'-' * 16}|--------|")
    for m, v, r, t in rows:
        print(f"| {m:<44} | {v:<24} | {r:<14} | {t} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
