"""Every unit's settings and register checked together before a run starts, one line per problem."""

from __future__ import annotations

from riskbook.core.errors import ParamError
from riskbook.settings.params import Company


def checked_settings(company: Company, units: list[str]) -> dict[str, dict]:
    """Every unit's settings and register checked before anything runs (ParamError: one line a problem);
    returns each unit's merged settings, resolved once for all its notebooks."""
    from riskbook.settings.params import unit_settings
    from riskbook.settings.register import load_register

    problems, settings = [], {}
    for u in units:
        try:
            settings[u] = unit_settings(u, company.settings, company.params_dir)
        except ParamError as exc:
            problems.append(str(exc))
        if company.params_dir is not None:
            try:
                load_register(u, company.params_dir)
            except ParamError as exc:
                problems.append(str(exc))
    if problems:
        raise ParamError("\n".join(problems))
    return settings
