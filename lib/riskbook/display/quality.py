"""The data-quality section: the records checked and every finding that touches the report."""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import HTML, display
from markupsafe import Markup

from riskbook.core.i18n import note as note_text
from riskbook.core.i18n import t
from riskbook.display.html import badge, h, table


def data_quality(unit: Any, kris: pd.DataFrame, lang: str | None = None) -> None:
    """The data-quality section: the period's records checked, failing and duplicated (the two
    data-quality KRIs), every finding that touches the report with where it is, how many rows, which
    KRIs it moves and what they leave out; then Benford's first digits."""
    from riskbook.display import benfordsvg
    from riskbook.stages import quality

    lang = lang or unit.lang
    dq = quality.summary(unit.ctx, unit.meta.get("names"))
    sentence = h("<p>{}</p>", dq_sentence(dq, lang))
    b = quality.benford(unit.ctx)
    chart = ""
    if b is not None:
        mad = kris.set_index("id").loc["benford_mad", "value"] if "benford_mad" in set(kris["id"]) else None
        chart = benfordsvg.chart(b, None if mad is None or pd.isna(mad) else float(mad), lang)
    if not dq["issues"] and chart:  # nothing to list: the chart sits beside the line, not alone on a page
        display(HTML(str(h('<div class="rb-dq-row"><div>{}</div>{}</div>', sentence, Markup(chart)))))
        return
    display(HTML(str(sentence)))
    if dq["issues"]:
        display(dq_table(dq["issues"], lang))
    if chart:
        display(HTML(chart))


def dq_sentence(dq: dict[str, Any], lang: str = "en") -> str:
    """The data-quality line: records checked, failing, duplicated, and the findings that touch the report."""
    line = t(
        "records_checked", lang, n=f"{dq['rows_checked']:,}", bad=f"{dq['rows_failing']:,}", dup=f"{dq['duplicates']:,}"
    )
    if dq["issues"]:
        return (
            line
            + t("sentence_sep", lang)
            + t("dq_findings", lang, errors=f"{dq['errors']:,}", warnings=f"{dq['warnings']:,}")
        )
    return line + t("sentence_sep", lang) + t("dq_none", lang)


def dq_table(issues: list[dict[str, Any]], lang: str = "en", limit: int | None = None) -> HTML:
    """Findings by check: severity, where, rows (this period and in all), first rows, a value, KRIs, left out."""
    from riskbook.kris import REGISTRY

    rows = []
    for i in issues[:limit]:
        colour = {"error": "red", "warning": "amber"}.get(i["severity"], "n/a")
        sev = badge(colour, lang, word=t(i["severity"], lang))
        where = i["table"] + (f" · {i['column']}" if i["column"] else "")
        if i.get("source_column") and i["source_column"] != i["column"]:
            where += f" ({i['source_column']})"
        count = f"{i['count']:,}" + (
            f" ({i['in_period']:,} {t('when_period', lang)})" if i["in_period"] != i["count"] else ""
        )
        firsts = [f"{r}" + (f" · {k}" if k else "") for r, k in zip(i["rows"][:3], (i["keys"] + [""] * 3)[:3])]
        more = f", … +{i['count'] - 3:,}" if i["count"] > 3 else ""
        note = h("<br><small>{}</small>", note_text(i["note"], lang)) if i.get("note") else ""
        unitless = h(" <small>{}</small>", t("in_parens", lang, text=t("no_unit", lang))) if i.get("no_unit") else ""
        names = [REGISTRY[k].title(lang) for k in i["kris"] if k in REGISTRY]
        kri_names = "; ".join(names[:3]) + (f"; +{len(names) - 3}" if len(names) > 3 else "")
        rows.append(
            [
                sev,
                h("{}{}", i["title_zh"] if lang == "zh" else i["title"], note),
                h("{}{}", where, unitless),
                count,
                i["file"].rsplit("/", 1)[-1] + ": " + "; ".join(firsts) + more,
                i["value"],
                kri_names,
                t("left_out_" + i["excluded"], lang),
            ]
        )
    return table(
        [
            t("severity", lang),
            t("check", lang),
            t("where", lang),
            t("rows_n", lang),
            t("first_rows", lang),
            t("example", lang),
            t("kris_moved", lang),
            t("left_out", lang),
        ],
        rows,
        "rb-table rb-dq",
    )
