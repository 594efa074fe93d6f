"""The monitoring page: the breached KRIs with their control-chart signals, and the trend charts."""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import HTML, display
from markupsafe import Markup, escape

from riskbook.core.i18n import rule, t
from riskbook.display.html import badge, fmt_value, h, table, text


def _breaches_html(b: pd.DataFrame, lang: str = "en", rules: bool = True) -> HTML:
    rows = [
        [
            h(
                '{}<span title="{}">{}</span><code class="rb-dev"><br>{}</code>',
                h("<b>{}</b> ", t("new_breach", lang)) if r["new"] else "",
                r["id"],
                r["title_zh"] if lang == "zh" else r["title"],
                r["id"],
            ),
            fmt_value(r["value"], r["unit"], lang),
            fmt_value(r["previous"], r["unit"], lang),
            badge(r["status"], lang),
        ]
        + (
            [
                escape(t("clause_sep", lang)).join(
                    h('{}<span class="rb-dev"> ({})</span>', rule(x, lang), x) for x in r["rules"]
                )
                if isinstance(r["rules"], list)
                else ""
            ]
            if rules
            else []
        )
        for _, r in b.iterrows()
    ]
    header = [t("kri", lang), t("value", lang), t("previous", lang), t("status", lang)]
    return table(header + ([t("rules", lang)] if rules else []), rows)


def breaches(b: pd.DataFrame, lang: str = "en") -> None:
    """Breached KRIs, new ones first, with control-chart signals."""
    if b.empty:
        text("no_breaches", lang)
        return
    display(_breaches_html(b, lang))


def trends(mon: Any, kris: pd.DataFrame, lang: str = "en") -> None:
    """KRI trend charts: the breached KRIs first, then each family's, three to a row (riskbook.display.trendsvg),
    with the key under the first group."""
    from riskbook.display import trendsvg
    from riskbook.kris import FAMILIES
    from riskbook.stages.monitor import MIN_BASELINE

    breached = list(mon.breaches["id"])
    groups = [("breached_trends", breached)] if breached else []  # not "Breaches" again: the table's heading
    groups += [(fam, [i for i in kris.loc[kris["family"] == fam, "id"] if i not in breached]) for fam in FAMILIES]
    keyed = False
    for key, ids in groups:
        ids = [i for i in ids if mon.history.loc[mon.history["id"] == i, "value"].notna().any()]
        if not ids:
            continue
        charts = trendsvg.grid(mon.history, kris, mon.limits, ids, lang, MIN_BASELINE)
        key_html = "" if keyed else trendsvg.legend(lang)
        keyed = True
        display(HTML(str(h('<h3 class="rb-trend-group">{}</h3>{}{}', t(key, lang), Markup(key_html), Markup(charts)))))
