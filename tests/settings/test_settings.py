"""Settings typos and nonsense are one line per problem, naming file and key, with a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskbook import cli
from tests.conftest import TINY, write_tables


def company(tmp_path: Path, text: str, unit: str | None = None, register: str | None = None) -> Path:
    data = write_tables(tmp_path / "data", TINY)
    cfg = tmp_path / "co" / "company.yaml"
    (cfg.parent / "units").mkdir(parents=True)
    (cfg.parent / "register").mkdir()
    cfg.write_text(f"company: Acme\ndata: {data}\n" + text, encoding="utf-8")
    if unit is not None:
        (cfg.parent / "units" / "u.yaml").write_text(unit, encoding="utf-8")
    if register is not None:
        (cfg.parent / "register" / "u.yaml").write_text(register, encoding="utf-8")
    return cfg


@pytest.mark.parametrize(
    "text,unit,register,message",
    [
        ("kir:\n  dso: {amber: 45, red: 60}\n", None, None, "company.yaml: kir: unknown key — did you mean 'kri'?"),
        (
            "kri:\n  dso: {amber: 60, red: 45}\n",
            None,
            None,
            "company.yaml: kri.dso: amber 60 and red 45 are in the wrong order: higher is worse for dso, "
            "so red must be higher than amber",
        ),
        ("kri:\n  win_rat: {amber: 30, red: 20}\n", None, None, "kri.win_rat: unknown key — did you mean 'win_rate'?"),
        ("kri:\n  win_rate: {amber: 20, red: 30}\n", None, None, "lower is worse for win_rate"),
        ("kri:\n  dso: {amber: high, red: 60}\n", None, None, "kri.dso.amber: must be a number, but 'high' was given"),
        ("lang: fr\n", None, None, "company.yaml: lang: must be one of ['en', 'zh'], but 'fr' was given"),
        ("assessment: {impact_bands_pct: [1, 7, 3, 15]}\n", None, None, "must be four increasing percentages"),
        ("", "nmae: {en: East}\n", None, "units/u.yaml: nmae: unknown key — did you mean 'name'?"),
        ("", "data: elsewhere\n", None, "units/u.yaml: data: unknown key"),
        (
            "",
            None,
            "risks:\n  R-FIN-01:\n    ownr: Li\n",
            "register/u.yaml: risks.R-FIN-01.ownr: unknown key — did you mean 'owner'?",
        ),
        ("", None, "risks:\n  R-FIN-01:\n    response: mitgate\n", "did you mean 'mitigate'?"),
        (
            "",
            None,
            "risks:\n  R-FIN-01:\n    actions:\n      - {action: Call them, owner: Li}\n",
            "register/u.yaml: risks.R-FIN-01.actions[0].due: an open action needs a due date (due: 2026-12-31)",
        ),
        (
            "",
            None,
            "risks:\n  R-FIN-01:\n    actions:\n      - {action: Call, due: next week}\n",
            "actions[0].due: must be an ISO date (2026-12-31), but 'next week' was given",
        ),
        (
            "",
            None,
            "risks:\n  R-FIN-01:\n    actions:\n      - {action: Call, due: 2026-12-01, status: pending}\n",
            "actions[0].status: must be one of ['open', 'in progress', 'done', 'cancelled']",
        ),
    ],
)
def test_settings_problems_are_named(
    tmp_path: Path, capsys, text: str, unit: str | None, register: str | None, message: str
) -> None:
    cfg = company(tmp_path, text, unit, register)
    code = cli.main(["run", "--config", str(cfg), "--out", str(tmp_path / "o"), "--period", "2026Q3"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1, err  # before anything is written
    assert not (tmp_path / "o" / "2026Q3").exists()


def test_every_problem_of_a_file_is_listed_one_line_each(tmp_path: Path, capsys) -> None:
    cfg = company(tmp_path, "kir: {}\ncurency: EUR\nlang: fr\n")
    assert cli.main(["validate", "--config", str(cfg)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and all("company.yaml: " in line for line in lines)
    assert "curency: unknown key — did you mean 'currency'?" in lines[1]


def test_the_demo_company_files_are_valid() -> None:
    from riskbook.core import config
    from riskbook.settings.params import load_company, unit_params
    from riskbook.settings.register import load_register

    company = load_company()
    for f in (config.PARAMS_DIR / "units").glob("*.yaml"):
        unit_params(f.stem, company, config.PARAMS_DIR)
        load_register(f.stem, config.PARAMS_DIR)


def test_keys_of_ones_own_start_with_an_underscore(tmp_path: Path, capsys) -> None:
    cfg = company(tmp_path, "_regions: &r {east: e}\nkri: {}\n")
    assert cli.main(["validate", "--config", str(cfg)]) == 0
