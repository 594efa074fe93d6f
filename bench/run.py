"""riskbook benchmarks: ingest, one unit's quarter, peak memory of a stage notebook.

    python bench/run.py [--scale 20] [--repeat 3] [--quick] [--unit east] [--period 2026Q3]
                        [--only ingest load memory] [--profile] [--lib DIR]

Generates the demo company once into .cache/bench/scale-<K>/ (reused when present), then runs
every measurement in a fresh subprocess (this file, called as ``_worker``), so imports, caches
and allocator state do not leak from one measurement into the next. Prints the machine and a
table of measurement, value (median of --repeat), baseline, ratio, target and PASS/FAIL.
The exit status is 0 whether the targets pass or fail (a benchmark, not a test); it is 1 only
when a measurement could not run at all, 2 for a bad argument. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJ = Path(__file__).resolve().parents[1]
CACHE = PROJ / ".cache" / "bench"
NOTEBOOK = "01_identification.ipynb"

INGEST_MAX_RATIO = 1.0  # riskbook ingest / bare pandas.read_csv of the same files
LOAD_MAX_SECONDS = 0.2  # load_unit + the quarter's rows
MEMORY_MAX_RATIO = 1.0  # notebook kernel peak RSS / peak RSS of pandas holding the whole company
EXCEL_ROWS = 100_000  # order lines in the Excel sheet of the excel measurement


# --------------------------------------------------------------------------- workers
# Each runs in its own fresh interpreter and prints one JSON line on stdout as its last line.


def _maxrss_mib(who: int) -> float:
    import resource

    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def _imports() -> None:
    """What every worker imports before its clock starts (their import time is not measured)."""
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401
    import pyarrow.compute  # noqa: F401
    import pyarrow.feather  # noqa: F401
    import pyarrow.parquet  # noqa: F401


def w_read_csv(data: str) -> dict:
    """Baseline: pandas.read_csv with default options of every CSV of the folder; tables kept."""
    import resource

    _imports()
    import pandas as pd

    files = sorted(Path(data).glob("*.csv"))
    tables = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for p in files:
        tables[p.stem] = pd.read_csv(p)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "seconds": seconds,
        "cpu": cpu,
        "files": [p.name for p in files],
        "rows": {k: len(v) for k, v in tables.items()},
        "bytes": sum(p.stat().st_size for p in files),
        "frames_mib": sum(v.memory_usage(deep=True).sum() for v in tables.values()) / 2**20,
        "peak_rss_mib": _maxrss_mib(resource.RUSAGE_SELF),
    }


def w_idle() -> dict:
    """An interpreter with pandas and pyarrow imported and nothing read: the floor of every peak RSS."""
    import resource

    _imports()
    return {"peak_rss_mib": _maxrss_mib(resource.RUSAGE_SELF)}


def w_ingest(data: str, root: str) -> dict:
    """riskbook.ingest.store.ingest of the folder into an empty store root (cold: RISKBOOK_CACHE is fresh too)."""
    import resource

    _imports()
    from riskbook.ingest import store

    t0, c0 = time.perf_counter(), time.process_time()
    target = store.ingest(Path(data), root=Path(root))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "seconds": seconds,
        "cpu": cpu,
        "store": str(target),
        "rows": store.read_meta(target)["rows"],
        "peak_rss_mib": _maxrss_mib(resource.RUSAGE_SELF),
    }


def w_mapped(config_file: str, root: str) -> dict:
    """riskbook.ingest.store.ingest of the same files through a ``sources:`` mapping, the path users' own
    exports take (text columns converted by riskbook, not typed by the reader); cold, like w_ingest."""
    import resource

    _imports()
    from riskbook.ingest import store
    from riskbook.settings import sources

    t0, c0 = time.perf_counter(), time.process_time()
    target = store.ingest(sources.resolve(None, config_file), root=Path(root))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": store.read_meta(target)["rows"],
        "peak_rss_mib": _maxrss_mib(resource.RUSAGE_SELF),
    }


def w_excel(path: str, engine: str) -> dict:
    """One sheet read as text: riskbook's reader (calamine), or pandas' default engine (openpyxl)."""
    _imports()
    import pandas as pd

    t0, c0 = time.perf_counter(), time.process_time()
    if engine == "riskbook":
        from riskbook.ingest.loader import read_excel

        df = read_excel(Path(path))
    else:
        df = pd.read_excel(path, dtype=str, keep_default_na=False, engine=engine)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "rows": len(df), "digest": int(pd.util.hash_pandas_object(df).sum())}


def w_generate(folder: str, scale: str) -> dict:
    """The demo company at ``scale`` written to ``folder``."""
    from riskbook.demo import company as demo

    demo.generate(Path(folder), scale=int(scale))
    return {"folder": folder}


def w_write_excel(data: str, path: str) -> dict:
    """The first EXCEL_ROWS order lines of ``data`` written as an .xlsx sheet at ``path``."""
    import pandas as pd

    out = Path(path)
    tmp = out.with_suffix(".tmp.xlsx")
    pd.read_csv(Path(data) / "orders.csv", nrows=EXCEL_ROWS).to_excel(tmp, index=False)
    tmp.replace(out)
    return {"path": str(out)}


def w_prepare(data: str, cache: str) -> dict:
    """Ingest into the bench's own riskbook cache (untimed): the store the notebook and load_unit read."""
    os.environ["RISKBOOK_CACHE"] = cache
    from riskbook.core import config
    from riskbook.ingest import store

    target = store.ingest(Path(data), root=config.STORE_DIR)
    return {"store": str(target), "units": store.read_meta(target)["units"]}


def w_load(store_dir: str, unit: str, period: str) -> dict:
    """load_unit for one unit, then the rows of each dated table that fall in the period."""
    import resource

    _imports()
    from riskbook.core.periods import Period
    from riskbook.core.schema import TABLES
    from riskbook.ingest import store

    p = Period.parse(period)
    t0, c0 = time.perf_counter(), time.process_time()
    tables = store.load_unit(Path(store_dir), unit)
    sel = {}
    for name, df in tables.items():
        col = TABLES[name].date_col if name in TABLES else None
        if col and col in df.columns:
            d = df[col]
            df = df[(d >= p.start) & (d < p.end_exclusive)]
        sel[name] = df
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": {k: len(v) for k, v in sel.items()},
        "unit_rows": {k: len(v) for k, v in tables.items()},
        "peak_rss_mib": _maxrss_mib(resource.RUSAGE_SELF),
    }


def w_notebook(notebooks: str, data: str, unit: str, period: str, out_dir: str, cache: str) -> dict:
    """papermill of the identification notebook for one unit; the kernel is this process's child."""
    import logging
    import resource

    os.environ["RISKBOOK_CACHE"] = cache  # the store prepared beforehand: the kernel does not ingest
    bindir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    pm.execute_notebook(
        str(Path(notebooks) / NOTEBOOK),
        str(Path(out_dir) / NOTEBOOK),
        parameters={"unit": unit, "period": period, "data": data, "out_dir": out_dir},
        kernel_name="python3",
        progress_bar=False,
        log_output=False,
        cwd=notebooks,
    )
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "peak_rss_mib": _maxrss_mib(resource.RUSAGE_CHILDREN),
        "papermill_rss_mib": _maxrss_mib(resource.RUSAGE_SELF),
    }


def w_render(unit_dir: str, unit: str, period: str, lang: str) -> dict:
    """WeasyPrint of one unit's PDF from its executed notebooks (summary first, then the stages)."""
    from riskbook.core import config, paths
    from riskbook.render.pages import write_pdf

    d = Path(unit_dir)
    cover = {
        "company": "riskbook bench",
        "unit_name": unit,
        "period": period,
        "period_range": "",
        "currency": "",
        "title": "bench",
        "prepared": "",
        "classification": "",
        "version": "",
        "overall": "",
    }
    order = [config.STAGES[3], *config.STAGES[:3]]
    out = Path(unit_dir) / "bench.pdf"
    t0 = time.perf_counter()
    write_pdf([paths.notebook(d, n) for n in order], out, lang, cover)
    seconds = time.perf_counter() - t0
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    pages = int(next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "0"))
    out.unlink()
    return {"seconds": seconds, "pages": pages}


class _InlinePool:
    """A stand-in for ThreadPoolExecutor that runs each task at once, on the calling thread."""

    def __init__(self, max_workers: int | None = None) -> None:
        pass

    def __enter__(self) -> _InlinePool:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, fn, *args, **kwargs):  # noqa: ANN001, ANN201
        from concurrent.futures import Future

        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            fut.set_exception(exc)
        return fut


def w_profile(data: str, root: str, out: str) -> dict:
    """cProfile of one cold ingest; the stats go to ``out``. cProfile sees only the thread it runs
    on, so riskbook's thread pools run their tasks inline here: every step is in the profile (the
    Arrow reader still parses on its own threads)."""
    import cProfile

    _imports()
    from riskbook.ingest import store

    pooled = ("riskbook.ingest.sourcetables", "riskbook.ingest.checks", "riskbook.ingest.storeslices")
    for mod in (store, *(sys.modules.get(name) for name in pooled)):
        if mod is not None and hasattr(mod, "ThreadPoolExecutor"):
            mod.ThreadPoolExecutor = _InlinePool
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.runcall(store.ingest, Path(data), root=Path(root))
    seconds = time.perf_counter() - t0
    prof.dump_stats(out)
    return {"seconds": seconds, "stats": out}


WORKERS = {
    "idle": w_idle,
    "read_csv": w_read_csv,
    "ingest": w_ingest,
    "mapped": w_mapped,
    "excel": w_excel,
    "generate": w_generate,
    "write_excel": w_write_excel,
    "prepare": w_prepare,
    "load": w_load,
    "notebook": w_notebook,
    "profile": w_profile,
    "render": w_render,
}


def worker_main(kind: str, args: list[str]) -> None:
    result = WORKERS[kind](*args)
    sys.stdout.flush()
    print("\n" + json.dumps(result))


# --------------------------------------------------------------------------- driver


class MeasurementError(RuntimeError):
    pass


LIB = PROJ / "lib"  # the riskbook source measured (--lib); workers and kernels import it first


def spawn(kind: str, *args: str, env: dict | None = None) -> dict:
    """Run one worker in a fresh interpreter; its result dict."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "_worker", kind, *map(str, args)]
    path = os.pathsep.join(filter(None, [str(LIB), os.environ.get("PYTHONPATH")]))
    proc = subprocess.run(
        cmd, capture_output=True, text=True, cwd=PROJ, env={**os.environ, "PYTHONPATH": path, **(env or {})}
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise MeasurementError(f"{kind} failed (exit {proc.returncode}):\n{tail}")
    return json.loads(lines[-1])


def demo_data(scale: int) -> Path:
    folder = CACHE / f"scale-{scale}"
    if (folder / "orders.csv").exists() and (folder / "ground_truth.json").exists():
        print(f"data: {rel(folder)} (reused; delete it to regenerate)")
        return folder
    t0 = time.perf_counter()
    spawn("generate", folder, scale)  # not in this process: workers would inherit its peak RSS
    print(f"data: {rel(folder)} (generated in {time.perf_counter() - t0:.1f} s)")
    return folder


def rel(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(PROJ))
    except ValueError:
        return str(p)


def machine() -> list[str]:
    import numpy
    import pandas
    import pyarrow

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kib / 2**20:.1f} GiB RAM"
    except (OSError, IndexError, ValueError):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=LIB, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "(not a git checkout)"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"machine: {os.cpu_count()} cores ({usable} usable){', ' + cpu if cpu else ''}{', ' + mem if mem else ''}, "
        f"{platform.system()} {platform.release()}, load average {load}",
        f"python {platform.python_version()}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, "
        f"numpy {numpy.__version__}; riskbook {rel(LIB)} at {commit}",
    ]


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def fmt_runs(xs: list[float], unit: str) -> str:
    return ", ".join(f"{x:.3f}" if unit == "s" else f"{x:.0f}" for x in xs)


def measure_ingest(
    data: Path, repeat: int, kind: str = "ingest", source: Path | None = None
) -> tuple[list[dict], list[dict]]:
    """Alternate baseline (read_csv) and cold ingest runs so drift hits both alike. ``kind`` is the
    worker ("ingest" of the folder, or "mapped" through the company file ``source``); each ingest gets
    an empty store root and riskbook cache (no remembered file hashes): a first ingest."""
    base, ing = [], []
    for i in range(repeat):
        base.append(spawn("read_csv", data))
        cache = Path(tempfile.mkdtemp(prefix=f"riskbook-bench-{kind}-"))
        try:
            ing.append(spawn(kind, source or data, cache / "store", env={"RISKBOOK_CACHE": str(cache)}))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        print(
            f"  {kind} run {i + 1}/{repeat}: read_csv {base[-1]['seconds']:.2f} s, "
            f"{kind} ingest {ing[-1]['seconds']:.2f} s",
            flush=True,
        )
    return base, ing


def mapping_file(data: Path) -> Path:
    """A company file whose ``sources:`` map every CSV of ``data`` as it is (canonical headers)."""
    cfg = data.parent / f"{data.name}-mapping.yaml"
    specs = {p.stem: {"file": str(p.resolve())} for p in sorted(data.glob("*.csv"))}
    cfg.write_text(json.dumps({"company": "bench", "sources": specs}, indent=1))  # JSON is YAML
    return cfg


def excel_file(data: Path) -> Path:
    """The first EXCEL_ROWS order lines of ``data`` as an .xlsx sheet, written once (openpyxl: ~16 s)."""
    path = CACHE / f"{data.name}-orders-{EXCEL_ROWS // 1000}k.xlsx"
    if not path.exists():
        print(f"writing {rel(path)} ({EXCEL_ROWS:,} order lines) once ...", flush=True)
        spawn("write_excel", data, path)  # not in this process: workers would inherit its peak RSS
    return path


def measure_excel(data: Path, repeat: int) -> tuple[list[dict], list[dict]]:
    """Alternate pandas' default engine (openpyxl) and riskbook's reader on the same sheet."""
    path = excel_file(data)
    base, ours = [], []
    for i in range(repeat):
        base.append(spawn("excel", path, "openpyxl"))
        ours.append(spawn("excel", path, "riskbook"))
        print(
            f"  excel run {i + 1}/{repeat}: openpyxl {base[-1]['seconds']:.2f} s, riskbook {ours[-1]['seconds']:.2f} s",
            flush=True,
        )
    if {r["digest"] for r in base} != {r["digest"] for r in ours}:
        raise MeasurementError("riskbook's Excel reader and openpyxl read different values")
    return base, ours


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="riskbook benchmarks (see bench/README.md)")
    ap.add_argument("--scale", type=int, help="demo company scale (default 20; --quick: 2)")
    ap.add_argument("--repeat", type=int, help="runs per measurement, median reported (default 3; --quick: 1)")
    ap.add_argument("--quick", action="store_true", help="smoke run: scale 2, repeat 1")
    ap.add_argument("--unit", default="east", help="unit for the load and notebook measurements (default east)")
    ap.add_argument("--period", default="2026Q3", help="quarter for the load and notebook measurements")
    ap.add_argument(
        "--only",
        nargs="+",
        choices=["ingest", "mapped", "excel", "load", "memory", "render"],
        help="run only these measurements",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="instead of the measurements, cProfile one cold ingest and print the top costs",
    )
    ap.add_argument(
        "--lib",
        type=Path,
        default=PROJ / "lib",
        help="riskbook source folder to measure (default lib/; e.g. an export of another commit)",
    )
    a = ap.parse_args(argv)
    global LIB
    LIB = a.lib.resolve()
    if not (LIB / "riskbook" / "__init__.py").is_file():
        ap.error(f"--lib {a.lib}: no riskbook package in it")
    notebooks = LIB.parent / "notebooks" if (LIB.parent / "notebooks" / NOTEBOOK).is_file() else PROJ / "notebooks"
    scale = a.scale or (2 if a.quick else 20)
    repeat = a.repeat or (1 if a.quick else 3)
    if scale < 1 or repeat < 1:
        ap.error("--scale and --repeat must be 1 or more")
    only = set(a.only or ["ingest", "mapped", "excel", "load", "memory", "render"])

    print(f"riskbook bench · {time.strftime('%Y-%m-%d %H:%M')} · scale {scale} · repeat {repeat}")
    for line in machine():
        print(line)
    busy = os.getloadavg()[0]
    if busy >= 0.5 * (os.cpu_count() or 1):
        print(
            f"warning: load average {busy:.2f} before the bench starts: other processes share the cores, "
            "timings are noisy"
        )
    data = demo_data(scale)
    if a.profile:
        return profile(data, scale)

    t_start = time.perf_counter()
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    errors: list[str] = []

    def failed(label: str, target: str, exc: Exception) -> None:
        """A measurement that could not run: ERROR in its row, the worker's message after the table."""
        errors.append(str(exc))
        rows.append((label, "ERROR", "", "", target, "ERROR"))

    if "ingest" in only:
        print(f"ingest: {repeat} × (pandas.read_csv of every CSV, cold riskbook.store.ingest) ...", flush=True)
        try:
            base, ing = measure_ingest(data, repeat)
            b, s = median([r["seconds"] for r in base]), median([r["seconds"] for r in ing])
            ratio = s / b
            rows.append(
                (
                    f"ingest scale {scale} (CSV → store)",
                    f"{s:.2f} s",
                    f"{b:.2f} s read_csv",
                    f"{ratio:.2f}",
                    f"≤ {INGEST_MAX_RATIO:.1f}",
                    "PASS" if ratio <= INGEST_MAX_RATIO else "FAIL",
                )
            )
            orders = ing[0]["rows"].get("orders", 0)
            notes.append(
                f"ingest runs (s): {fmt_runs([r['seconds'] for r in ing], 's')} (CPU "
                f"{fmt_runs([r['cpu'] for r in ing], 's')}); read_csv runs (s): "
                f"{fmt_runs([r['seconds'] for r in base], 's')} (CPU {fmt_runs([r['cpu'] for r in base], 's')}); "
                f"{base[0]['bytes'] / 2**20:.0f} MiB of CSV, "
                f"{orders:,} order lines; ingest peak RSS {median([r['peak_rss_mib'] for r in ing]):.0f} MiB"
            )
        except MeasurementError as exc:
            failed(f"ingest scale {scale} (CSV → store)", f"≤ {INGEST_MAX_RATIO:.1f}", exc)

    if "mapped" in only:
        label = f"mapped ingest scale {scale} (sources: → store)"
        print(
            f"mapped: {repeat} × (pandas.read_csv of every CSV, cold ingest through a sources: mapping) ...", flush=True
        )
        try:
            base, ing = measure_ingest(data, repeat, "mapped", mapping_file(data))
            b, s = median([r["seconds"] for r in base]), median([r["seconds"] for r in ing])
            rows.append((label, f"{s:.2f} s", f"{b:.2f} s read_csv", f"{s / b:.2f}", "—", "—"))
            notes.append(
                f"mapped ingest runs (s): {fmt_runs([r['seconds'] for r in ing], 's')} (CPU "
                f"{fmt_runs([r['cpu'] for r in ing], 's')}); peak RSS "
                f"{median([r['peak_rss_mib'] for r in ing]):.0f} MiB; the issue sets no target for it"
            )
        except MeasurementError as exc:
            failed(label, "—", exc)

    if "excel" in only:
        label = f"read an Excel sheet ({EXCEL_ROWS // 1000}k order lines)"
        print(f"excel: {repeat} × (pandas.read_excel with openpyxl, riskbook.loader.read_excel) ...", flush=True)
        try:
            base, ours = measure_excel(data, repeat)
            b, s = median([r["seconds"] for r in base]), median([r["seconds"] for r in ours])
            rows.append((label, f"{s:.2f} s", f"{b:.2f} s openpyxl", f"{s / b:.2f}", "—", "—"))
            notes.append(
                f"excel runs (s): riskbook {fmt_runs([r['seconds'] for r in ours], 's')}, openpyxl "
                f"{fmt_runs([r['seconds'] for r in base], 's')}; both read the same values (hash checked)"
            )
        except MeasurementError as exc:
            failed(label, "—", exc)

    store_dir = None
    if only & {"load", "memory"}:
        try:
            t0 = time.perf_counter()
            prepared = spawn("prepare", data, CACHE / "riskbook-cache")
            store_dir = prepared["store"]
            if a.unit not in prepared["units"]:
                print(
                    f"error: --unit {a.unit} is not in the data; its units: {', '.join(prepared['units'])}",
                    file=sys.stderr,
                )
                return 2
            print(
                f"store for load/notebook: {rel(Path(store_dir))} (ready in {time.perf_counter() - t0:.1f} s)",
                flush=True,
            )
        except MeasurementError as exc:
            errors.append(str(exc))

    if "load" in only:
        label = f"load_unit {a.unit} + {a.period} rows"
        if store_dir is None:
            rows.append((label, "ERROR", "", "", f"< {LOAD_MAX_SECONDS} s", "ERROR"))
        else:
            print(f"load: {repeat} × load_unit({a.unit}) + {a.period} rows ...", flush=True)
            try:
                runs = [spawn("load", store_dir, a.unit, a.period) for _ in range(repeat)]
                s = median([r["seconds"] for r in runs])
                rows.append(
                    (
                        label,
                        f"{s:.3f} s",
                        "—",
                        "—",
                        f"< {LOAD_MAX_SECONDS} s",
                        "PASS" if s < LOAD_MAX_SECONDS else "FAIL",
                    )
                )
                r0 = runs[0]
                notes.append(
                    f"load runs (s): {fmt_runs([r['seconds'] for r in runs], 's')} (CPU "
                    f"{fmt_runs([r['cpu'] for r in runs], 's')}); {a.unit} holds "
                    f"{r0['unit_rows'].get('orders', 0):,} order lines, {r0['rows'].get('orders', 0):,} in "
                    f"{a.period}; peak RSS of that process {median([r['peak_rss_mib'] for r in runs]):.0f} MiB"
                )
            except MeasurementError as exc:
                failed(label, f"< {LOAD_MAX_SECONDS} s", exc)

    if "memory" in only:
        label = f"peak RSS 01_identification {a.unit}"
        print(
            f"memory: {repeat} × papermill 01_identification ({a.unit}, {a.period}), "
            f"{repeat} × pandas.read_csv of the whole company ...",
            flush=True,
        )
        try:
            if store_dir is None:
                raise MeasurementError("no store for the notebook (prepare failed)")
            nb = []
            for _ in range(repeat):
                with tempfile.TemporaryDirectory(prefix="riskbook-bench-nb-") as tmp:
                    nb.append(spawn("notebook", notebooks, data, a.unit, a.period, tmp, CACHE / "riskbook-cache"))
            company = [spawn("read_csv", data) for _ in range(repeat)]
            idle = spawn("idle")
            k = median([r["peak_rss_mib"] for r in nb])
            c = median([r["peak_rss_mib"] for r in company])
            ratio = k / c
            rows.append(
                (
                    label,
                    f"{k:.0f} MiB",
                    f"{c:.0f} MiB company",
                    f"{ratio:.2f}",
                    f"< {MEMORY_MAX_RATIO:.1f}",
                    "PASS" if ratio < MEMORY_MAX_RATIO else "FAIL",
                )
            )
            notes.append(
                f"notebook kernel peak RSS (MiB): {fmt_runs([r['peak_rss_mib'] for r in nb], 'MiB')}; "
                f"notebook wall (s): {fmt_runs([r['seconds'] for r in nb], 's')}; whole-company read_csv "
                f"peak RSS (MiB): {fmt_runs([r['peak_rss_mib'] for r in company], 'MiB')} "
                f"(its DataFrames: {company[0]['frames_mib']:.0f} MiB); an interpreter with pandas and "
                f"pyarrow imported, nothing read: {idle['peak_rss_mib']:.0f} MiB"
            )
        except MeasurementError as exc:
            failed(label, f"< {MEMORY_MAX_RATIO:.1f}", exc)

    if "render" in only:
        label = f"PDF of {a.unit} (demo company)"
        print(f"render: riskbook run --unit {a.unit} once, then {repeat} × its PDF ...", flush=True)
        try:
            with tempfile.TemporaryDirectory(prefix="riskbook-bench-pdf-") as tmp:
                env = {**os.environ, "PYTHONPATH": str(LIB), "RISKBOOK_CACHE": str(CACHE / "riskbook-cache")}
                built = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "riskbook.cli",
                        "run",
                        "--unit",
                        a.unit,
                        "--period",
                        a.period,
                        "--out",
                        tmp,
                        "--force",
                    ],
                    capture_output=True,
                    text=True,
                    env=env,
                )
                if built.returncode:
                    raise MeasurementError(f"riskbook run failed: {built.stderr.strip().splitlines()[-1:]}")
                d = str(Path(tmp) / a.period / a.unit)
                runs = [spawn("render", d, a.unit, a.period, "en") for _ in range(repeat)]
            s = median([r["seconds"] for r in runs])
            rows.append((label, f"{s:.2f} s", "—", "—", "recorded", "—"))
            notes.append(
                f"PDF render runs (s): {fmt_runs([r['seconds'] for r in runs], 's')}; {runs[0]['pages']} pages"
            )
        except MeasurementError as exc:
            failed(label, "recorded", exc)

    print()
    header = ("measurement", "value", "baseline", "ratio", "target", "result")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    print()
    for n in notes:
        print(f"- {n}")
    if scale != 20:
        print(f"- the targets are set for scale 20; this run is at scale {scale}")
    print(f"- bench wall time {time.perf_counter() - t_start:.0f} s")
    for e in errors:
        print(f"\nERROR: {e}", file=sys.stderr)
    return 1 if errors else 0


def profile(data: Path, scale: int) -> int:
    import pstats

    out = CACHE / f"ingest-scale-{scale}.prof"
    root = Path(tempfile.mkdtemp(prefix="riskbook-bench-ingest-"))
    try:
        r = spawn("profile", data, root / "store", out, env={"RISKBOOK_CACHE": str(root)})
    except MeasurementError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(
        f"profiled ingest: {r['seconds']:.2f} s under cProfile, riskbook's thread pools run inline; "
        f"stats in {rel(out)} "
        f"(python -m pstats {rel(out)}, or snakeviz)\n"
    )
    st = pstats.Stats(str(out))
    st.sort_stats("cumulative").print_stats(30)
    st.sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_worker":
        worker_main(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(main())
