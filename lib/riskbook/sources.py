"""Where a run's data comes from: --data, the company file's ``data:``, or the bundled demo company."""
from __future__ import annotations

from pathlib import Path

from . import config
from .exceptions import ParamError
from .params import company_file, load_company

def demo_folder() -> Path:
    """The demo company's canonical tables, generated on first use (again whenever demo.py changes)."""
    import hashlib

    from . import demo
    version = hashlib.sha256(Path(demo.__file__).read_bytes()).hexdigest()[:12]
    folder = config.DEMO_DIR / version
    if not (folder / "orders.csv").exists():
        demo.generate(folder)
    return folder


def resolve(data: str | Path | None = None, config_file: str | Path | None = None) -> Path:
    """The folder of canonical tables a run reads."""
    if data:
        path = Path(data)
        if not path.is_absolute() and not path.exists():
            path = config.PROJ_ROOT / path
        if not path.is_dir():
            raise ParamError(f"--data {data}: folder not found")
        return path
    company = load_company(config_file)
    src = company.get("data")
    if not src:
        return demo_folder()
    base = company_file(config_file).resolve().parent
    path = (base / src) if not Path(src).is_absolute() else Path(src)
    if not path.is_dir():
        raise ParamError(f"{company_file(config_file)}: data folder '{src}' not found")
    return path
