"""Every unit's settings and register checked together before a run starts, one line per problem."""

from __future__ import annotations

from riskbook.core.errors import ParamError
from riskbook.settings.params import Company, unit_settings
from riskbook.settings.register import Register, load_register


def checked_settings(
    company: Company, units: list[str], reported: list[str] | None = None
) -> tuple[dict[str, dict], dict[str, Register]]:
    """Every unit's merged settings (the group names them all) and the registers of the ``reported`` units
    (default: all), checked before anything runs. ParamError: one line a problem, every problem at once."""
    problems, settings, registers = [], {}, {}
    for u in units:
        try:
            settings[u] = unit_settings(u, company.settings, company.params_dir)
        except ParamError as exc:
            problems.append(str(exc))
        if reported is not None and u not in reported:
            continue
        try:
            registers[u] = Register() if company.params_dir is None else load_register(u, company.params_dir)
        except ParamError as exc:
            problems.append(str(exc))
    if problems:
        raise ParamError("\n".join(problems))
    return settings, registers
