"""Every output path, defined once (the layout of the output contract in README.md, "What it builds"):

<root>/<period>/index.html, manifest.json
<root>/<period>/<unit>/<stage>.ipynb .html, <unit>_<period>_risk_report.pdf,
                       <unit>_<period>_risk_register.xlsx, results.json, stages/<stage>.pkl, logs/, .run.json
<root>/<period>/failed/<unit>/   a failed run's notebooks and error.json (the unit's folder keeps its last good)
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from riskbook.core import config

_UNIT_ID = re.compile(r"[a-z0-9_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# control characters no workbook cell, page or terminal should receive in a value (tab, newline and CR are text)
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def is_unit_id(unit: object) -> bool:
    """Whether ``unit`` may name a unit's folder and files: a lowercase slug ``[a-z0-9_]+`` of at most
    config.UNIT_MAX characters, and not a reserved name (group, failed)."""
    return (
        isinstance(unit, str)
        and bool(_UNIT_ID.fullmatch(unit))
        and len(unit) <= config.UNIT_MAX
        and unit not in config.RESERVED
    )


def one_line(text: object) -> str:
    """``text`` with every control character (a newline, ESC, NUL) shown as '?': safe in a comment, a log
    line or a message."""
    return _CONTROL.sub("?", str(text))


def inside(folder: Path, path: Path) -> bool:
    """Whether ``path``, its links resolved, lies inside ``folder`` (resolved too)."""
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def check_inside(folder: Path, path: Path) -> None:
    """PermissionError unless writing ``path`` stays inside ``folder`` (its folder resolves inside; an
    existing link is one riskbook may replace, never one it would follow out)."""
    path = Path(path)
    if not inside(folder, path.parent) or (path.is_symlink() and not inside(folder, path)):
        raise PermissionError(f"{path}: outside {folder} (a link out of the folder?); riskbook writes only inside it")


def write_text_in(folder: Path, path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, only inside ``folder``: ``path`` may not resolve outside it (a
    link out, a ``..``), an existing link is replaced, never followed, and the temporary file is created
    new (never an existing file or link an attacker put there)."""
    path = Path(path)
    check_inside(folder, path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def period_dir(root: Path, period: object) -> Path:
    """The folder of a period's pack."""
    return Path(root) / str(period)


def unit_dir(root: Path, period: object, unit: str) -> Path:
    """The folder of one unit's (or the group's) reports for a period."""
    return period_dir(root, period) / unit


def failed_dir(root: Path, period: object, unit: str) -> Path:
    """Where a unit's failed run is kept (its notebooks and error.json), beside its last good report."""
    return period_dir(root, period) / config.FAILED / unit


def run_stamp(folder: Path) -> Path:
    """The stamp a published folder carries: the key of the run that built it, and when."""
    return Path(folder) / ".run.json"


def read_stamp(folder: Path) -> dict:
    """The stamp of a published folder ({key, built}), or {} when it has none or it is unreadable."""
    import json

    try:
        doc = json.loads(run_stamp(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def lock(root: Path) -> Path:
    """The lock of an outputs root: one run at a time."""
    return Path(root) / ".riskbook.lock"


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
