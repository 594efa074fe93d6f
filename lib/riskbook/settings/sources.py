"""Where a run's data comes from: --data, the company file's ``data:`` or ``sources:``, or the demo company."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskbook.core import config
from riskbook.core.errors import ParamError
from riskbook.settings.params import company_file, load_company


@dataclass(frozen=True)
class Source:
    """A folder of canonical tables, or mappings (``sources:``) from a user's own exports."""

    folder: Path | None = None
    specs: dict[str, Any] = field(default_factory=dict)  # ${VAR}s expanded
    base: Path = config.PROJ_ROOT
    where: str = ""
    as_of: str | None = None  # the company file's as_of: date, else the day of the run

    @property
    def label(self) -> str:
        return str(self.folder) if self.folder else f"{self.where} (sources:)"

    def files(self) -> list[Path]:
        """Every file the mapping reads (joins included); empty for SQL-only tables."""
        out = []
        for spec in self.specs.values():
            for f in [spec.get("file"), *[j.get("file") for j in spec.get("join") or []]]:
                if f:
                    p = Path(f)
                    out.append(p if p.is_absolute() else self.base / p)
        return out

    @property
    def has_sql(self) -> bool:
        return any("sql" in s for s in self.specs.values())


def demo_folder() -> Path:
    """The demo company's canonical tables, generated on first use (again whenever its code changes)."""
    import hashlib

    from riskbook.demo import company as demo

    h = hashlib.sha256()
    for path in sorted(Path(demo.__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    version = h.hexdigest()[:12]
    folder = config.DEMO_DIR / version
    if not (folder / "orders.csv").exists():
        demo.generate(folder)
    return folder


def resolve(data: str | Path | None = None, config_file: str | Path | None = None) -> Source:
    """The source a run reads."""
    if data:
        path = Path(data)
        if not path.is_absolute() and not path.exists():
            path = config.PROJ_ROOT / path
        if not path.is_dir():
            raise ParamError(f"--data {data}: folder not found")
        return Source(folder=path)
    cfile = company_file(config_file)
    company = load_company(config_file)
    base = cfile.resolve().parent
    src, specs = company.get("data"), company.get("sources")
    as_of = _as_of(company.get("as_of"), cfile)
    if src and specs:
        raise ParamError(f"{cfile}: give either data: (a folder of canonical tables) or sources:, not both")
    if specs:
        if not isinstance(specs, dict):
            raise ParamError(f"{cfile}: sources: must map table names to their mappings")
        from riskbook.settings.params import expand

        return Source(specs=expand(specs, str(cfile)), base=base, where=str(cfile), as_of=as_of)
    if not src:
        return Source(folder=demo_folder(), as_of=as_of)
    if not isinstance(src, str):
        raise ParamError(f"{cfile}: data: must be a folder (text), but {str(src)[:60]!r} was given")
    path = (base / src) if not Path(src).is_absolute() else Path(src)
    if not path.is_dir():
        raise ParamError(f"{cfile}: data folder '{src}' not found")
    return Source(folder=path, as_of=as_of)


def _as_of(value: Any, cfile: Path) -> str | None:
    """The company file's ``as_of:`` date (the day the data stands at), checked."""
    if value is None:
        return None
    import pandas as pd

    day = pd.to_datetime(str(value), errors="coerce", format="ISO8601")
    if pd.isna(day):
        raise ParamError(f"{cfile}: as_of must be an ISO date (2026-09-30), but {value!r} was given")
    return str(day.date())
