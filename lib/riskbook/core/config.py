"""Project paths, defined once; nothing else builds paths from strings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parents[1]  # lib/riskbook
PROJ_ROOT: Path = PACKAGE_DIR.parents[1]
PARAMS_DIR: Path = PROJ_ROOT / "params"
NOTEBOOKS_DIR: Path = PROJ_ROOT / "notebooks"
OUTPUTS_DIR: Path = PROJ_ROOT / "outputs"
CACHE_DIR: Path = Path(os.environ.get("RISKBOOK_CACHE", PROJ_ROOT / ".cache"))
DEMO_DIR: Path = CACHE_DIR / "demo"
STORE_DIR: Path = CACHE_DIR / "store"
TEMPLATES_DIR: Path = PACKAGE_DIR / "render" / "templates"


@dataclass(frozen=True)
class Stage:
    """A stage of a unit's report, declared once: its name, its notebook, the stages whose products it reads
    (from which the runner's dependencies, the page order and the products' loading follow), the type of
    its product (riskbook.stages.products) and the files it writes beside its notebook and page (a
    published unit is reused only when they are all there)."""

    name: str
    notebook: str
    reads: tuple[str, ...]
    product: str
    writes: tuple[str, ...] = ()  # names in the unit's folder; {unit} and {period} filled in


STAGE_TABLE: tuple[Stage, ...] = (
    Stage("identification", "01_identification", (), "Identification"),
    Stage("assessment", "02_assessment", ("identification",), "Assessment"),
    Stage("monitoring", "03_monitoring", ("identification",), "Monitoring"),
    Stage(
        "summary",
        "04_summary",
        ("identification", "assessment", "monitoring"),
        "Summary",
        ("results.json", "{unit}_{period}_risk_register.xlsx"),
    ),
)
STAGES: tuple[str, ...] = tuple(s.notebook for s in STAGE_TABLE)  # the notebooks, in pipeline order
RESULTS_STAGE: str = STAGES[-1]  # the stage that writes results.json (the group waits for it)
REPORT_ORDER: tuple[str, ...] = (RESULTS_STAGE, *STAGES[:-1])  # the PDF and the index: the summary first


def notebook_of(stage: str) -> str:
    """A stage's notebook from its name (identification → 01_identification)."""
    return next(s.notebook for s in STAGE_TABLE if s.name == stage)


def stage_name(notebook: str) -> str:
    """A stage's name from its notebook's (01_identification → identification; portfolio stays)."""
    return next((s.name for s in STAGE_TABLE if s.notebook == notebook), notebook)


PORTFOLIO: str = "portfolio"
GROUP: str = "group"
FAILED: str = "failed"  # outputs/<period>/failed/<unit>/: a failed run's notebooks, beside the last good report
RESERVED: tuple[str, ...] = (GROUP, FAILED)  # folder names of a period that no unit may take
UNIT_MAX: int = 64  # characters: a unit id names folders and files
