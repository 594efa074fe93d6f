"""The assessment page: the risk register table, analysts' overrides, controls and the heatmaps."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, display
from markupsafe import Markup

from riskbook.core.i18n import ARROWS, local, money_at, money_scale, owner, t
from riskbook.display.html import anchor, h, keep, marked, rating_badge, table


def risk_table(
    a: pd.DataFrame, lang: str = "en", currency: str = "CNY", residual: bool = True, anchors: bool = True
) -> HTML:
    """Assessed risks: id, title, L, I, score, rating, residual, exposure, movement, response, owner; with
    ``anchors`` each row is the target of the summary's link to it."""
    rows = []
    scale = money_scale(list(a["exposure"]), lang)  # one money format in the table: CNY 0.6M beside CNY 13.0M
    for _, r in a.iterrows():
        mv = r.get("movement")
        over = isinstance(r.get("override_reason"), str)
        tag = (
            h(" <small>{}</small>", t("in_parens", lang, text=t("analyst", lang)))
            if r.get("source") == "analyst"
            else ""
        )
        row = [
            h('<b id="{}">{}</b>', anchor(r["id"], "reg"), str(r["id"])) if anchors else h("<b>{}</b>", str(r["id"])),
            keep(r["title_zh"] if lang == "zh" else r["title"]) + tag,
            marked(r["likelihood"], r.get("model_likelihood"), over),
            marked(r["impact"], r.get("model_impact"), over),
            f"{r['score']}",
            rating_badge(r["rating"], lang),
        ]
        if residual:
            row.append(f"{r['residual_score']}")
        row += [keep(money_at(r["exposure"], scale, currency, lang) if r["exposure"] and r["exposure"] > 0 else "–")]
        if mv is not None and isinstance(mv, str):
            row.append(keep(f"{ARROWS[mv]} {t(mv, lang)}"))
        row += [keep(t(r["response"], lang)), keep(owner(str(local(r, "owner", lang)), lang))]
        rows.append(row)
    header = [
        t("id_col", lang),
        t("risk", lang),
        t("likelihood", lang)[:1] if lang == "en" else t("likelihood", lang),
        t("impact", lang)[:1] if lang == "en" else t("impact", lang),
        t("score", lang),
        t("rating", lang),
    ]
    if residual:
        header.append(t("residual", lang))
    header.append(t("exposure", lang))
    if "movement" in a.columns:
        header.append(t("movement", lang))
    header += [t("response", lang), t("owner", lang)]
    return table(header, rows)


def overrides(a: pd.DataFrame, lang: str = "en") -> None:
    """Analysts' overrides, shown as overrides: the model's score, the analyst's, and why."""
    if "override_reason" not in a.columns:
        return
    o = a[a["override_reason"].apply(lambda v: isinstance(v, str))]
    if o.empty:
        return
    rows = [
        [
            h("<b>{}</b>", r.id),
            f"{r.model_likelihood:.0f} × {r.model_impact:.0f} = {r.model_likelihood * r.model_impact:.0f}"
            if pd.notna(r.model_likelihood)
            else "–",
            f"{r.likelihood} × {r.impact} = {r.score}",
            local(r._asdict(), "override_reason", lang),
        ]
        for r in o.itertuples()
    ]
    shown = table([t("id_col", lang), t("model_score", lang), t("override_score", lang), t("reason", lang)], rows).data
    display(HTML(str(h('<div class="rb-keep"><p><b>{}</b></p>{}</div>', t("overrides", lang), Markup(shown)))))


def controls(a: pd.DataFrame, lang: str = "en") -> None:
    """The controls recorded in the register, one per line, and how they take each risk from its inherent
    to its residual score."""
    live = a[a.get("movement", pd.Series("", index=a.index)) != "closed"]
    live = live[live["controls"].apply(lambda c: isinstance(c, list) and len(c) > 0)]
    if live.empty:
        display(HTML(str(h("<p>{}</p>", t("no_controls", lang)))))
        return
    rows = []
    for _, r in live.iterrows():
        names = r["controls_zh"] if lang == "zh" and isinstance(r.get("controls_zh"), list) else r["controls"]
        rows.append(
            [
                h("<b>{}</b>", str(r["id"])),
                keep(r["title_zh"] if lang == "zh" else r["title"]),
                Markup("<br>").join(str(c) for c in names),
                keep(f"{r['likelihood']} × {r['impact']} = {r['score']}"),
                keep(f"{r['residual_likelihood']} × {r['residual_impact']} = {r['residual_score']}"),
            ]
        )
    header = [t("id_col", lang), t("risk", lang), t("controls", lang), t("inherent", lang), t("residual", lang)]
    display(table(header, rows))


def heatmaps(assessment: pd.DataFrame, lang: str = "en") -> None:
    """The inherent and residual 5×5 heatmaps side by side, with their legend (riskbook.display.heatsvg)."""
    from riskbook.display import heatsvg

    display(HTML(heatsvg.heatmaps(assessment, lang)[0]))
