"""Project paths, defined once; nothing else builds paths from strings."""

from __future__ import annotations

import os
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

STAGES: tuple[str, ...] = ("01_identification", "02_assessment", "03_monitoring", "04_summary")
PORTFOLIO: str = "portfolio"
GROUP: str = "group"
FAILED: str = "failed"  # outputs/<period>/failed/<unit>/: a failed run's notebooks, beside the last good report
RESERVED: tuple[str, ...] = (GROUP, FAILED)  # folder names of a period that no unit may take
UNIT_MAX: int = 64  # characters: a unit id names folders and files
