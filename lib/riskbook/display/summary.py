"""The one-page executive summary: red KRI tiles, top risks, money at risk, actions, data quality."""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import HTML, display
from markupsafe import Markup, escape

from riskbook.core.i18n import ARROWS, Scale, local, money_at, money_parts, money_scale, owner, t
from riskbook.core.ratings import rating
from riskbook.display.html import (
    arrow,
    fmt_value,
    h,
    keep,
    local_title,
    marked,
    rating_badge,
    risk_link,
    sparkline,
    table,
)
from riskbook.display.palettes import RAG
from riskbook.display.quality import dq_sentence

SUMMARY_ACTIONS = 8  # action rows on the one-page summary; the workbook and the register list them all


def kri_tiles(kris: pd.DataFrame, history: pd.DataFrame | None, lang: str = "en") -> Markup:
    """A compact tile per KRI: title, value, previous with a coloured arrow, the trend as a sparkline."""
    n = len(kris)
    per_row = n if n <= 5 else 3 if n in (6, 9) else 4  # never one tile alone on a row
    width = f"width:{100 / max(per_row, 1) - 1:.1f}%;"
    tiles = []
    for _, r in kris.iterrows():
        hist = [] if history is None else list(history.loc[history["id"] == r["id"], "value"])
        colour = RAG.get(r["status"], RAG["n/a"])
        tiles.append(
            h(
                '<div class="rb-tile" style="{}border-top-color:{}"><div class="rb-tile-title">{}</div>'
                '<div class="rb-tile-value">{} {}</div><div class="rb-tile-prev">{} {} {}</div></div>',
                width,
                colour,
                r["title_zh"] if lang == "zh" else r["title"],
                fmt_value(r["value"], r["unit"], lang),
                arrow(r["value"], r["previous"], r["direction"]),
                t("previous", lang),
                fmt_value(r["previous"], r["unit"], lang),
                sparkline(hist, colour),
            )
        )
    return h('<div class="rb-tiles">{}</div>', Markup("").join(tiles))


def _money_table(pack: Any, lang: str, currency: str, scale: Scale) -> Markup:
    """Money at risk by pool, each counted once; the total is the sum of the amounts as printed."""
    from riskbook.risks import POOLS

    m = pack.money
    if not len(m):
        return h("<p>{}</p>", t("no_money", lang))
    amounts, total = money_parts(list(m["exposure"]), currency, lang, scale)
    rows = []
    for r, amount in zip(m.itertuples(), amounts):
        if r.pool == "overlap":  # the pools overlap beyond the money they measure: the cap, said
            rows.append(
                h('<tr><td><small>{}</small></td><td class="rb-num">{}</td></tr>', local_title(r, lang), amount)
            )
            continue
        pool = POOLS.get(r.pool, ("", ""))[1 if lang == "zh" else 0] or t("analyst", lang)
        pool = pool[:1].upper() + pool[1:]
        also = escape(t("money_includes", lang, ids=t("list_sep", lang).join(r.also)) if r.also else "")
        for rid in r.also:  # an id never split at its hyphen
            also = also.replace(escape(rid), h('<span class="rb-nb">{}</span>', rid))
        rows.append(
            h(
                '<tr><td><b>{}</b> {}<br><small>{}{}</small></td><td class="rb-num">{}</td></tr>',
                r.id,
                local_title(r, lang),
                pool,
                also,
                amount,
            )
        )
    rows.append(h('<tr class="rb-total"><td>{}</td><td class="rb-num">{}</td></tr>', t("money_total", lang), total))
    return h(
        '<table class="rb-table rb-money"><thead><tr><th>{}</th><th class="rb-num">{}</th></tr></thead>'
        "<tbody>{}</tbody></table><p><small>{}</small></p>",
        t("risk", lang),
        t("amount", lang),
        Markup("").join(rows),
        t("money_rule", lang),
    )


def _top_table(top: pd.DataFrame, lang: str, currency: str, scale: Scale) -> Markup:
    rows = []
    for _, r in top.iterrows():
        over = isinstance(r.get("override_reason"), str)
        prev = r.get("previous_score")
        mv = r.get("movement")
        rows.append(
            [
                risk_link(r),
                keep(r["title_zh"] if lang == "zh" else r["title"]),
                h(
                    '<span class="rb-nb">{}{} {}</span>',
                    marked(r["score"], None, False),
                    "*" if over else "",
                    rating_badge(r["rating"], lang),
                ),
                h(
                    '<span class="rb-nb">{} {}</span>',
                    r["residual_score"],
                    rating_badge(r.get("residual_rating") or rating(int(r["residual_score"])), lang),
                ),
                "–" if prev is None or pd.isna(prev) else str(int(prev)),
                keep(f"{ARROWS[mv]} {t(mv, lang)}") if isinstance(mv, str) else "",
                keep(money_at(r["exposure"], scale, currency, lang) if r["exposure"] and r["exposure"] > 0 else "–"),
                keep(t(r["response"], lang)),
                keep(owner(str(local(r, "owner", lang)), lang)),
            ]
        )
    header = [
        t("id_col", lang),
        t("risk", lang),
        t("score", lang),
        t("residual", lang),
        t("previous_score", lang),
        t("movement", lang),
        t("exposure", lang),
        t("response", lang),
        t("owner", lang),
    ]
    return Markup(table(header, rows, "rb-table rb-top").data)


def _actions_table(actions: pd.DataFrame, lang: str) -> Markup:
    rows = []
    for _, r in actions.head(SUMMARY_ACTIONS).iterrows():
        days = r["days_overdue"]
        late = "" if days is None or pd.isna(days) else t("days_late", lang, n=int(days))
        status = "" if late else t(r["status"], lang)  # "47 days late" says overdue
        rows.append(
            [
                h("<b>{}</b>", r["risk"]),
                str(local(r, "action", lang)),
                keep(owner(str(local(r, "owner", lang)), lang)),
                keep(str(r["due"] or "")),
                h("{}{}", status, h('<b class="rb-nb">{}</b>', late) if late else ""),
            ]
        )
    header = [t("risk", lang), t("action_col", lang), t("owner", lang), t("due_col", lang), t("status", lang)]
    out = Markup(table(header, rows, "rb-table rb-actions").data)
    if len(actions) > SUMMARY_ACTIONS:
        out += h("<p><small>{}</small></p>", t("more_actions", lang, n=len(actions) - SUMMARY_ACTIONS))
    return out


def _usual(k: pd.DataFrame, name: str, lang: str) -> list[Markup]:
    """The KRIs past a printed threshold whose status the unit's own rule kept milder (its usual range, its
    recurring customers), named with value and threshold: the summary hides no breach, even one it does not
    count."""
    from riskbook.kris import printed_status
    from riskbook.stages.identify import SEVERITY

    rows = []
    for r in k.itertuples():
        plain = printed_status(r.value, r.amber, r.red, r.direction, r.status)
        if plain is not None and SEVERITY[plain] > SEVERITY[r.status]:
            limit = r.red if plain == "red" else r.amber
            rows.append(
                h(
                    '<span class="rb-nb">{} {}</span>{}{} {}{}',
                    r.title_zh if lang == "zh" else r.title,
                    fmt_value(r.value, r.unit, lang),
                    "（" if lang == "zh" else " (",
                    t(f"{plain}_threshold", lang),
                    fmt_value(limit, r.unit, lang),
                    "）" if lang == "zh" else ")",
                )
            )
    if not rows:
        return []
    said = escape(t("usual_kris", lang, unit=name, kris="\x00")).replace("\x00", Markup(t("list_sep", lang)).join(rows))
    return [h("<p><small>{}</small></p>", said)]


def page_scale(pack: Any, lang: str) -> Scale:
    """The scale of every amount on the summary page: that of the largest, in the money table or the top risks."""
    values = list(pack.money["exposure"]) if len(pack.money) else []
    return money_scale(values + list(pack.top.get("exposure", [])), lang)


def summary(pack: Any, unit: Any) -> None:
    """The one-page executive summary. It hides nothing: the overall rating, every red KRI (and every
    amber one by name), the top risks with their movement, money at risk whose total is its breakdown,
    every committed action (then recommendations, with a line for any left out), new and closed risks."""
    lang = unit.lang
    dq_line = h("<p><b>{}{}</b>{}</p>", t("data_quality", lang), t("label_sep", lang), dq_sentence(pack.dq, lang))
    facts = [t("data_through_fact", lang, date=pack.data_through), t("prepared_fact", lang, date=pack.as_of)]
    if not pack.period_complete:
        facts.insert(1, t("partial_flag", lang))
    if pack.status == "no data":  # the title says so; there is nothing to rank or chart
        display(HTML(str(h('<p class="rb-facts">{}</p>{}', " · ".join(facts), dq_line))))
        return
    parts = [
        h(
            '<p class="rb-facts">{} {} {} · {} {} · {}</p>',
            t("overall", lang),
            rating_badge(getattr(pack, "overall_net", pack.overall), lang),
            t("overall_net", lang),
            rating_badge(pack.overall, lang),
            t("overall_gross", lang),
            " · ".join(facts),
        ),
        h('<p class="rb-headline">{}</p>', pack.headline),
    ]
    k = pack.kris
    red, amber = k[k["status"] == "red"], k[k["status"] == "amber"]
    parts.append(h("<h2>{}</h2>", t("red_kris", lang, n=len(red))))
    parts.append(kri_tiles(red, pack.history, lang) if len(red) else h("<p>{}</p>", t("no_red", lang)))
    if len(amber):
        titles = t("list_sep", lang).join(amber["title_zh"] if lang == "zh" else amber["title"])
        parts.append(h("<p>{}{}{}</p>", t("also_amber", lang, n=len(amber)), t("sentence_sep", lang), titles))
    parts += _usual(k, unit.name, lang)
    scale = page_scale(pack, lang)  # one money format on the page: CNY 0.6M beside CNY 13.0M, not 589.2k
    top = _top_table(pack.top, lang, unit.currency, scale) if len(pack.top) else h("<p>{}</p>", t("no_risks", lang))
    parts.append(h("<h2>{}</h2>{}", t("top_risks", lang), top))
    changes = []
    if pack.new is not None and len(pack.new):
        changes.append(t("new_risks", lang, ids=t("list_sep", lang).join(pack.new["id"])))
    if len(pack.closed):
        titles = pack.closed["title_zh"] if lang == "zh" and "title_zh" in pack.closed else pack.closed["title"]
        named = [f"{i} {x}" if isinstance(x, str) and x else str(i) for i, x in zip(pack.closed["id"], titles)]
        changes.append(t("closed_risks", lang, ids=t("list_sep", lang).join(named)))
    if any(isinstance(x, str) for x in pack.top.get("override_reason", [])):
        changes.append(t("override_note", lang))
    if changes:
        parts.append(h("<p><small>{}</small></p>", " ".join(changes)))
    money_box = h("<h2>{}</h2>{}", t("money_at_risk", lang), _money_table(pack, lang, unit.currency, scale))
    if len(pack.actions):
        on = t("status_on", lang, date=pack.as_of)  # the day days late are counted to
        actions_box = h("<h2>{}<small>{}</small></h2>{}", t("actions", lang), on, _actions_table(pack.actions, lang))
        parts.append(
            h('<div class="rb-split"><div>{}</div><div class="rb-wide">{}</div></div>', money_box, actions_box)
        )
    else:  # nothing beside it: the money box takes the width
        parts.append(money_box)
    parts.append(dq_line)
    display(HTML(str(h('<div class="rb-summary">{}</div>', Markup("").join(parts)))))
