"""Every output path, defined once (the layout of design.md's output contract):

<root>/<period>/index.html, manifest.json
<root>/<period>/<unit>/<stage>.ipynb .html, <unit>_<period>_risk_report.pdf,
                       <unit>_<period>_risk_register.xlsx, results.json, stages/<stage>.pkl, logs/
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from riskbook.core import config


def period_dir(root: Path, period: object) -> Path:
    """The folder of a period's pack."""
    return Path(root) / str(period)


def unit_dir(root: Path, period: object, unit: str) -> Path:
    """The folder of one unit's (or the group's) reports for a period."""
    return period_dir(root, period) / unit


def manifest(root: Path, period: object) -> Path:
    return period_dir(root, period) / "manifest.json"


def index(root: Path, period: object) -> Path:
    return period_dir(root, period) / "index.html"


def report_pdf(folder: Path, unit: str, period: object) -> Path:
    return Path(folder) / f"{unit}_{period}_risk_report.pdf"


def register_xlsx(folder: Path, unit: str, period: object) -> Path:
    return Path(folder) / f"{unit}_{period}_risk_register.xlsx"


def results_json(folder: Path) -> Path:
    return Path(folder) / "results.json"


def notebook(folder: Path, name: str) -> Path:
    """An executed notebook (``name`` a stage such as 01_identification, or portfolio)."""
    return Path(folder) / f"{name}.ipynb"


def page(folder: Path, name: str) -> Path:
    """The HTML page of an executed notebook."""
    return Path(folder) / f"{name}.html"


def source_notebook(name: str) -> Path:
    """A notebook as committed (notebooks/<name>.ipynb)."""
    return config.NOTEBOOKS_DIR / f"{name}.ipynb"


def stage_product(folder: Path, stage: str) -> Path:
    """The saved product of a stage (identification, assessment, monitoring, summary)."""
    return Path(folder) / "stages" / f"{stage}.pkl"


def log(executed_notebook: Path) -> Path:
    """Where a notebook's kernel writes its stderr."""
    nb = Path(executed_notebook)
    return nb.parent / "logs" / f"{nb.stem}.log"


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` (``name.tmp.ext``) to write; it replaces ``path`` when the block
    ends and is removed when the block fails (a full disk, an error): no reader sees a half-written file."""
    path = Path(path)
    tmp = path.with_name(f"{path.stem}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
