"""``riskbook init``: a company folder of one's own — company.yaml, units/, register/ — for a data
source, the way ``dbt init`` or ``quarto create`` start a project."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from riskbook.core import paths
from riskbook.core.errors import ParamError
from riskbook.core.paths import one_line

README = """# {name}: riskbook company folder

Run the pack with `riskbook run --config {cfg}` (or `make quarterly-report` from the riskbook
checkout after pointing it at this file). What to edit:

- `company.yaml` — the company's name, currency (CNY, EUR, USD … shown on every amount), report
  language (`en` or `zh`), the data source, KRI thresholds (`kri: {{dso: {{amber: 45, red: 60}}}}`;
  `riskbook kri list` shows the defaults) and, if the data should stand at a fixed day, `as_of:`.
- `units/<unit>.yaml` — each unit's display names (`name: {{en: East China, zh: 华东事业部}}`) and any
  override of the company file, thresholds included.
- `register/<unit>.yaml` — the analysts' register: owners, responses, controls, actions, overrides
  with a reason, risks added by hand (README of riskbook, "Parameters").
"""


def _relative(path: Path, start: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), start.resolve())
    except ValueError:  # another drive
        return str(path.resolve())


def init(
    folder: Path, data: str | None = None, config_file: str | None = None, currency: str | None = None
) -> list[Path]:
    """Write a company folder for ``data`` (a folder of canonical tables) or for the sources: mapping
    of ``config_file``; the data is read once to find its units. Returns the files written."""
    from riskbook.ingest import store
    from riskbook.settings import sources

    folder = Path(folder)
    if (folder / "company.yaml").exists() or (folder / "company.yaml").is_symlink():
        raise ParamError(
            f"{folder / 'company.yaml'} exists already: riskbook init does not overwrite a company "
            "folder (edit it, or pick another folder)"
        )
    source = sources.resolve(data, config_file)
    meta = store.read_meta(store.ingest(source))  # validates the data and finds its units
    doc: dict[str, Any] = {}
    if data:
        doc["company"] = Path(data).resolve().name
        src: dict[str, Any] = {"data": _relative(Path(data), folder)}
    else:
        from riskbook.settings.params import load_company

        company = load_company(config_file)
        doc["company"] = str(company.get("company") or Path(str(config_file)).resolve().parent.name)
        specs = {name: dict(spec) for name, spec in (company.get("sources") or {}).items()}
        base = Path(str(config_file)).resolve().parent
        for spec in specs.values():  # paths relative to the new folder
            for entry in [spec, *(spec.get("join") or [])]:
                if entry.get("file") and "${" not in str(entry["file"]):
                    p = Path(entry["file"])
                    entry["file"] = _relative(p if p.is_absolute() else base / p, folder)
        src = {"sources": specs}
    doc.update({"currency": currency or "", "lang": "en", **src, "kri": {}})
    try:
        for d in (folder, folder / "units", folder / "register"):
            d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParamError(f"{exc.filename}: cannot make the folder ({exc.strerror or exc})") from None
    head = (
        "# riskbook company file: name, currency and language of the reports, the data source, KRI\n"
        "# thresholds (riskbook kri list shows the defaults). units/<unit>.yaml overrides it per unit.\n"
    )
    files = {folder / "company.yaml": head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)}
    for unit in meta["units"]:
        path = folder / "units" / f"{unit}.yaml"
        if not (path.exists() or path.is_symlink()):
            files[path] = f"# {unit}: display names in the reports (fill them in), and overrides of company.yaml\n"
            files[path] += yaml.safe_dump({"name": {"en": unit, "zh": unit}}, allow_unicode=True)
    files[folder / "register" / ".keep"] = ""
    files[folder / "README.md"] = README.format(name=one_line(doc["company"]), cfg=folder / "company.yaml")
    try:  # never through a link out of the folder: every file checked before the first is written
        for path in files:
            paths.check_inside(folder, path)
        for path, text in files.items():
            paths.write_text_in(folder, path, text)
    except PermissionError as exc:
        raise ParamError(str(exc)) from None
    return [p for p in files if p.name != ".keep"]
