"""The tasks a worker runs: one notebook through papermill (on a warm kernel), or a unit's pages and PDF;
the parameters and cover each is handed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskbook import __version__
from riskbook.core import config, paths
from riskbook.core.i18n import t
from riskbook.core.imports import skip_unused

if TYPE_CHECKING:  # a worker imports this module before its first task: without pandas, which it never needs
    from riskbook.run.plan import RunPlan


def kernel_env() -> None:
    """Kernels start 'python' from PATH: make it this environment's interpreter."""
    bindir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bindir + os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _log_to(path: Path) -> None:
    """Send this worker's (and its kernels') stderr to ``path``: logs are kept, not shown."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)


def warm_kernels() -> bool:
    """Whether notebooks run on a warm kernel per worker (riskbook.run.kernels), the default, or each on a
    kernel of its own (``RISKBOOK_WARM_KERNELS=0``: slower, for comparison and as a way out)."""
    return os.environ.get("RISKBOOK_WARM_KERNELS", "1") not in ("0", "false", "no")


CELL_TIMEOUT = 1800.0  # seconds a cell may run before its notebook fails (run --cell-timeout)
IOPUB_TIMEOUT = 90.0  # seconds to wait for a finished cell's output: survives a suspended laptop or starved VM


def _literal_path(path: str) -> str:
    """A path papermill will not read as a template: it formats paths with the parameters, so braces in an
    outputs folder ({x}) are doubled to stand for themselves."""
    return path.replace("{", "{{").replace("}", "}}")


def in_language(nb_in: str, lang: str | None) -> Any:
    """The source notebook with only ``lang``'s prose: a cell tagged ``lang-en`` or ``lang-zh`` for the other
    language is left out, so the executed notebook an analyst opens reads in the report's language."""
    import nbformat

    nb = nbformat.read(nb_in, as_version=4)
    if lang:
        tags = lambda c: [x[5:] for x in c.get("metadata", {}).get("tags", []) if x.startswith("lang-")]  # noqa: E731
        nb.cells = [c for c in nb.cells if not tags(c) or lang in tags(c)]
    return nb


def execute(
    nb_in: str, nb_out: str, parameters: dict[str, Any], timeout: float = CELL_TIMEOUT, lang: str | None = None
) -> tuple[str, float, str | None]:
    """Execute one notebook with papermill, each cell within ``timeout`` seconds, keeping only ``lang``'s
    prose; return (status, seconds, error)."""
    import logging

    skip_unused()
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    kernel_env()
    _log_to(paths.log(Path(nb_out)))
    logging.getLogger("papermill").setLevel(logging.ERROR)
    engine = None
    if warm_kernels():
        from riskbook.run import engine as warm_engine

        warm_engine.register()
        engine = warm_engine.NAME
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(
            in_language(nb_in, lang),
            _literal_path(nb_out),
            parameters=parameters,
            engine_name=engine,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(config.NOTEBOOKS_DIR),
            execution_timeout=timeout,
            iopub_timeout=IOPUB_TIMEOUT,
        )
    except PapermillExecutionError as exc:
        return "failed", time.perf_counter() - t0, f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, notebook unreadable: still one line for the table
        return "failed", time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"
    return "ok", time.perf_counter() - t0, None


def render_unit(
    unit_dir: str, unit: str, period: str, lang: str, cover: dict[str, Any], results_dirs: list[str] | None = None
) -> tuple[str, float, str | None]:
    """HTML page per notebook and the unit's PDF (summary first, then the stages); the group's cover rating
    from the units' results in ``results_dirs`` (published, then this run's)."""
    skip_unused()
    from riskbook.render.pages import notebook_page, write_pdf

    t0 = time.perf_counter()
    d = Path(unit_dir)
    period_dirs = [Path(x) for x in results_dirs] if results_dirs else [d.parent]
    if unit != config.GROUP:
        cover = {**cover, "overall": overall_of(d), "overall_net": overall_of(d, "residual"), **_through([d])}
    else:
        both = {"overall": _group_overall(period_dirs), "overall_net": _group_overall(period_dirs, "residual")}
        cover = {**cover, **both, **_through(period_dirs), **_scope(period_dirs, lang)}
    try:
        names = list(config.STAGES) if unit != config.GROUP else [config.PORTFOLIO]
        for name in names:
            notebook_page(paths.notebook(d, name), paths.page(d, name), lang, cover, name, names)
        order = list(config.REPORT_ORDER) if unit != config.GROUP else names
        write_pdf([paths.notebook(d, n) for n in order], paths.report_pdf(d, unit, period), lang, cover)
    except Exception as exc:
        return "failed", time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"
    return "ok", time.perf_counter() - t0, None


def _scope(period_dirs: list[Path], lang: str) -> dict[str, str]:
    """The group cover's scope: every unit whose results it rolls up (a run of one unit re-renders the
    group over all the published ones), not only the units this run built."""
    from riskbook.stages.portfolio import load_results

    try:
        n = len(load_results(*period_dirs))
    except (OSError, ValueError):
        return {}
    return {"unit_name": t("all_units", lang, n=n)} if n else {}


def _group_overall(period_dirs: list[Path], kind: str = "inherent") -> str:
    """The group's overall rating from its units' results (a later folder's replace an earlier's)."""
    from riskbook.stages.portfolio import group_overall, load_results

    try:
        return group_overall(load_results(*period_dirs), kind)
    except (OSError, ValueError):
        return ""


def _through(dirs: list[Path]) -> dict[str, Any]:
    """The cover's "data through" and whether the period is complete: a unit's from its results.json, the
    group's from its units' (the latest day any unit's data reaches; complete when every unit's is)."""
    from riskbook.stages.portfolio import load_results

    try:
        docs = (
            [json.loads(paths.results_json(dirs[0]).read_text(encoding="utf-8"))]
            if paths.results_json(dirs[0]).exists()
            else list(load_results(*dirs).values())
        )
    except (OSError, ValueError):
        return {}
    days = [d["data_through"] for d in docs if d.get("data_through")]
    return (
        {"data_through": max(days), "period_complete": all(d.get("period_complete", True) for d in docs)}
        if days
        else {}
    )


def overall_of(unit_dir: Path, kind: str = "inherent") -> str:
    """The unit's overall rating (``kind``: inherent or residual) from its results.json, or "" (the group,
    a failed unit)."""
    from riskbook.stages.portfolio import overall

    try:
        return overall(json.loads(paths.results_json(unit_dir).read_text(encoding="utf-8")), kind)
    except (OSError, ValueError):
        return ""


def cover_of(run: RunPlan, unit: str) -> dict[str, Any]:
    """The cover of a unit's (or the group's) PDF, from what the run resolved."""
    from riskbook.settings.params import display_name

    plan, lang = run.plan, run.lang_of(unit)
    p, company = plan.period, plan.company
    if unit == config.GROUP:
        unit_label, unit_name = t("scope", lang), t("all_units", lang, n=len(plan.units))
    else:
        unit_label, unit_name = t("unit", lang), display_name(plan.settings.get(unit, {}), unit, lang)
    return {
        "company": company.name_in(lang),
        "unit_label": unit_label,
        "unit_name": unit_name,
        "period": str(p),
        "period_range": t("period_range", lang, text=f"{p.start.date()} – {p.end.date()}"),
        "currency": company.currency,
        "prepared": plan.as_of,
        "classification": str(company.settings.get("classification") or "") or t("confidential", lang),
        "version": __version__,
        "title": t("group_title" if unit == config.GROUP else "report_title", lang),
    }


def notebook_params(run: RunPlan, unit: str | None) -> dict[str, Any]:
    """A notebook's parameters: its unit (none for the group) and the plan the run resolved once; and the
    run's words (period, language, company file, data, outputs), by which the executed notebook, opened
    and re-run by an analyst after the run's plan is gone, resolves the same report."""
    pl = run.plan
    words = {
        "period": str(pl.period),
        "lang": pl.lang_of(unit) if unit is not None else pl.lang,
        "config": pl.config_file,
        "data": pl.data,
        "out_dir": str(run.out),
    }
    return {"plan": str(run.plan_file)} | ({"unit": unit} if unit is not None else {}) | words


def prewarm() -> float:
    """Boot this worker's warm kernel now, while the run is still being set up, importing papermill in a
    thread meanwhile (the first notebook needs it; a thread: the worker only waits for its kernel); once
    the kernel is up, import the renderer (WeasyPrint, half a second) the same way, while the kernel runs
    the first notebooks. Seconds it took."""
    import threading

    t0 = time.perf_counter()
    skip_unused()
    threading.Thread(target=_import_runner, daemon=True).start()
    if warm_kernels():
        kernel_env()
        from riskbook.run import kernels

        kernels.started("python3", 60)
    threading.Thread(target=_import_renderer, daemon=True).start()
    return time.perf_counter() - t0


def _import_runner() -> None:
    import papermill.clientwrap  # noqa: F401


def _import_renderer() -> None:
    import weasyprint  # noqa: F401

    import riskbook.render.pages  # noqa: F401
