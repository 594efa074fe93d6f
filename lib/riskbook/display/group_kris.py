"""The group page's KRIs across units: each KRI's thresholds and every unit's value and status, a status the
unit's own rule set marked as such."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from IPython.display import HTML, display
from markupsafe import Markup, escape

from riskbook.core.i18n import status_word, t
from riskbook.display.html import fmt_value, h, heading, table
from riskbook.display.palettes import RAG


def kri_by_unit(g: Any, name: Callable[[str], str]) -> None:
    """Every KRI across units: its thresholds (when the units share them) and each unit's value and status,
    the status key above it; a status the unit's own rule set rather than those thresholds carries †."""
    from riskbook.stages import portfolio

    lang = g.lang
    heading("kri_by_unit", lang)
    vals, stats = portfolio.kri_matrix(g.docs)
    first = next(iter(g.docs.values()))["kris"]
    meta = {k["id"]: k for k in first}
    limits = {u: {k["id"]: k.get("thresholds") or {} for k in d["kris"]} for u, d in g.docs.items()}
    own = own_rule(g.docs)
    key = h('<p class="rb-lead"><small>{} · {}</small></p>', _status_key(stats, lang), t("thresholds_note", lang))
    display(HTML(str(key)))  # kept with the table below it (report.css)
    rows = [_kri_row(kid, meta[kid], limits, vals, stats, own, lang) for kid in vals.index]
    display(
        table([t("kri", lang), t("thresholds_col", lang), *(name(u) for u in vals.columns)], rows, "rb-table rb-matrix")
    )
    if own:
        display(HTML(str(h("<p><small>{}</small></p>", t("unit_rule_note", lang)))))


def _printed(k: dict[str, Any]) -> str | None:
    """The status a unit's KRI would have by the thresholds printed beside it, when its own rule gave another."""
    from riskbook.kris import printed_status

    th = k.get("thresholds") or {}
    return printed_status(k["value"], th.get("amber"), th.get("red"), k.get("direction", "up"), k["status"])


def own_rule(docs: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
    """(KRI, unit) pairs whose status is not what the unit's thresholds give for its value: the unit's own
    rule (its usual range, its recurring customers) decided it."""
    return {(k["id"], u) for u, d in docs.items() for k in d["kris"] if _printed(k)}


def usual_line(docs: dict[str, dict[str, Any]], name: Callable[[str], str], lang: str) -> Markup | None:
    """The KRIs past a printed threshold that their unit's own rule kept from counting, each with its unit,
    value and the threshold it is past: the group summary names them, not only a † further on."""
    from riskbook.stages.identify import SEVERITY

    open_, close = ("（", "）") if lang == "zh" else (" (", ")")
    said = [
        h(
            '<b class="rb-nb">{}</b> <span class="rb-nb">{} {}</span>{}{} {}{}',
            name(u),
            k["title"],
            fmt_value(k["value"], k["unit"], lang),
            open_,
            t(f"{plain}_threshold", lang),
            fmt_value(k["thresholds"][plain], k["unit"], lang),
            close,
        )
        for u, d in docs.items()
        for k in d["kris"]
        if (plain := _printed(k)) is not None and SEVERITY[plain] > SEVERITY[k["status"]]  # milder: not counted
    ]
    if not said:
        return None
    line = escape(t("usual_group", lang, kris="\x00")).replace("\x00", Markup(t("list_sep", lang)).join(said))
    return h("<p><small>{}</small></p>", line)


def _kri_row(
    kid: str,
    meta: dict[str, Any],
    limits: dict[str, dict[str, dict[str, Any]]],
    vals: pd.DataFrame,
    stats: pd.DataFrame,
    own: set[tuple[str, str]],
    lang: str,
) -> list[Any]:
    """One KRI's row: its title and id, its thresholds ("varies" when the units' differ), each unit's value."""
    unit_ = meta["unit"]
    ths = {(lim.get(kid, {}).get("amber"), lim.get(kid, {}).get("red")) for lim in limits.values()}
    amber, red = next(iter(ths)) if len(ths) == 1 else (None, None)
    cells = [
        h('<span title="{}">{}</span><code class="rb-dev"><br>{}</code>', kid, meta["title"], kid),
        (
            h(
                '<span class="rb-nb">{} / {}</span>',
                fmt_value(amber, unit_, lang),
                fmt_value(red, unit_, lang),
            )
            if amber is not None
            else t("varies", lang)
        ),
    ]
    for u in vals.columns:
        st = stats.loc[kid, u]
        cells.append(
            h(
                '<span class="rb-nb"><span class="rb-dot" style="background:{}"></span>{}{}</span>',
                RAG.get(st, RAG["n/a"]),
                fmt_value(vals.loc[kid, u], unit_, lang),
                "†" if (kid, u) in own else "",
            )
        )
    return cells


def _status_key(stats: pd.DataFrame, lang: str) -> Markup:
    """The RAG statuses' dots and words (n/a only when a unit has it)."""
    used = set(stats.to_numpy().ravel())
    return Markup(" ").join(
        h(
            '<span class="rb-nb"><span class="rb-dot" style="background:{}"></span>{}</span>',
            RAG[s_],
            status_word(s_, lang),
        )
        for s_ in ("green", "amber", "red", "n/a")
        if s_ in used or s_ != "n/a"
    )
