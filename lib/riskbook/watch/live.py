"""The live page, ``outputs/live/index.html``: every unit's KRIs to date against their thresholds, the open
alerts with their age, and the time of the last check. One self-contained file (offline, no script),
rewritten after each check; every value escaped into fixed templates."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from riskbook.core import paths
from riskbook.core.fonts import REPORT, REPORT_ZH, css_family
from riskbook.core.i18n import status_word, t
from riskbook.display.html import fmt_value, h
from riskbook.display.palettes import ACCENT, INK, MUTED, RAG, RULE, STRIPE, text_on
from riskbook.settings.params import display_name
from riskbook.stages.plan import Plan
from riskbook.watch.messages import compose
from riskbook.watch.state import Alert, State

LIVE = "live"
STYLE = """
body{{font-family:{font};color:{ink};margin:0 auto;max-width:1100px;padding:12px}}
h1{{color:{accent};font-size:1.4em}} h2{{color:{accent};font-size:1.1em;margin-top:1.4em}}
.meta{{color:{muted}}} table{{border-collapse:collapse;width:100%;font-size:.9em}}
th,td{{border-bottom:1px solid {rule};padding:4px 6px;text-align:left;vertical-align:top}}
tbody tr:nth-child(even){{background:{stripe}}} td.n{{text-align:right;white-space:nowrap}}
.b{{color:white;border-radius:3px;padding:1px 6px;white-space:nowrap}}
.wrap{{overflow-x:auto}}
@media (max-width:600px){{table{{font-size:.8em}} .hide{{display:none}}}}
"""


def page_path(out: Path) -> Path:
    return Path(out) / LIVE / "index.html"


def _badge(status: str, lang: str) -> Markup:
    colour = {**RAG, "info": ACCENT}.get(status, RAG["n/a"])
    word = t("w_info", lang) if status == "info" else status_word(status, lang)
    return h('<span class="b" style="background:{};color:{}">{}</span>', colour, text_on(colour), word)


def _age(since: str, at: datetime) -> str:
    """How long ago: 5 min, 3 h, 2 d."""
    secs = int(max((at - datetime.fromisoformat(since)).total_seconds(), 0))
    return f"{secs // 86400} d" if secs >= 86400 else f"{secs // 3600} h" if secs >= 3600 else f"{secs // 60} min"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _kris(unit_snapshot: dict[str, Any], lang: str) -> Markup:
    periods = unit_snapshot.get("period", {})
    qtd = {r["id"]: r for r in unit_snapshot.get("qtd", [])}
    rows = []
    for r in unit_snapshot.get("mtd", []):
        q = qtd.get(r["id"], {})
        title = r["title"]["zh" if lang == "zh" else "en"]
        rows.append(
            h(
                '<tr><td>{}</td><td class="n">{}</td><td>{}</td><td class="n">{}</td><td>{}</td>'
                '<td class="n hide">{}</td><td class="n hide">{}</td></tr>',
                title,
                fmt_value(r["value"], r["unit"], lang),
                _badge(r["status"], lang),
                fmt_value(q.get("value"), r["unit"], lang),
                _badge(q.get("status", "n/a"), lang),
                fmt_value(r["amber"], r["unit"], lang),
                fmt_value(r["red"], r["unit"], lang),
            )
        )
    head = h(
        '<tr><th>{}</th><th colspan="2">{} {}</th><th colspan="2">{} {}</th><th class="hide">{}</th>'
        '<th class="hide">{}</th></tr>',
        t("kri", lang),
        t("w_mtd", lang),
        periods.get("mtd", ""),
        t("w_qtd", lang),
        periods.get("qtd", ""),
        t("amber", lang),
        t("red", lang),
    )
    return h('<div class="wrap"><table><thead>{}</thead><tbody>{}</tbody></table></div>', head, Markup("").join(rows))


def _alerts(alerts: list[Alert], names: dict[str, str], lang: str, at: datetime, currency: str) -> Markup:
    if not alerts:
        return h("<p>{}</p>", t("w_no_alerts", lang))
    rows = []
    for a in sorted(alerts, key=lambda x: (-["info", "amber", "red"].index(x.severity), x.opened)):
        name = names.get(a.unit, a.unit)
        said = compose(a, "new", lang, name, currency, "").subject.removeprefix("[riskbook] ")
        rows.append(
            h(
                '<tr><td class="n hide">{}</td><td>{}</td><td>{}</td><td>{}</td><td class="hide">{}</td>'
                '<td class="n">{}</td></tr>',
                a.id,
                name,
                _sentence(said.removeprefix(f"{name}: ").removeprefix(f"{name}：")),
                _badge(a.severity, lang),
                t(f"w_{a.status}", lang),
                _age(a.opened, at),
            )
        )
    head = h(
        '<tr><th class="hide">#</th><th>{}</th><th>{}</th><th>{}</th><th class="hide">{}</th><th>{}</th></tr>',
        t("unit", lang),
        t("w_alert", lang),
        t("w_severity", lang),
        t("w_state", lang),
        t("w_age", lang),
    )
    return h('<div class="wrap"><table><thead>{}</thead><tbody>{}</tbody></table></div>', head, Markup("").join(rows))


def render(db: State, plan: Plan) -> str:
    """The live page's HTML in the company's language."""
    lang = plan.lang
    at = datetime.now(UTC)
    snapshot = json.loads(db.get("snapshot") or "{}")
    names = {u: display_name(plan.settings.get(u, {}), u, lang) for u in plan.meta["units"]}
    last = db.last_check()
    through = max((s.get("through", "") for s in snapshot.values() if isinstance(s, dict)), default="")
    when = last["at"][:19].replace("T", " ") + " UTC" if last else "–"
    units = Markup("").join(
        h("<h2>{}</h2>{}", names.get(u, u), _kris(snapshot[u], lang)) for u in plan.units if u in snapshot
    )
    pending = db.pending()
    style = Markup(
        STYLE.format(
            font=css_family(REPORT_ZH if lang == "zh" else REPORT),
            ink=INK,
            accent=ACCENT,
            muted=MUTED,
            rule=RULE,
            stripe=STRIPE,
        )
    )
    return str(
        h(
            '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta http-equiv="refresh" content="300"><title>{} · {}</title><style>{}</style></head>'
            '<body><h1>{} · {}</h1><p class="meta">{}</p>{}<h2>{}</h2>{}<h2>{}</h2>{}'
            '<p class="meta"><a href="../{}/index.html">{}</a></p></body></html>',
            "zh-CN" if lang == "zh" else "en",
            plan.company.name_in(lang),
            t("w_live_title", lang),
            style,
            plan.company.name_in(lang),
            t("w_live_title", lang),
            t("w_last_check", lang, when=when, through=through or "–"),
            h('<p class="meta">{}</p>', t("w_pending", lang, n=pending)) if pending else Markup(""),
            t("w_open_alerts", lang),
            _alerts(db.alerts("status != 'resolved'"), names, lang, at, plan.company.currency),
            t("w_kris_to_date", lang),
            units,
            str(plan.period),
            t("report_title", lang),
        )
    )


def write_live(db: State, out: Path, plan: Plan) -> Path:
    """Write the live page (atomically: a reader never sees half a page)."""
    path = page_path(out)
    first = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with paths.replacing(path) as tmp:
        tmp.write_text(render(db, plan), encoding="utf-8")
    if first:  # the packs' indexes link the live page once it exists
        from riskbook.render.index import write_index

        for manifest in sorted(Path(out).glob("*/manifest.json")):
            try:
                write_index(manifest.parent)
            except (OSError, ValueError, KeyError):
                continue
    return path
