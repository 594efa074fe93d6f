"""An alert's message in the unit's language: a subject line with the figure, then a few lines — the
thresholds, what changed since the last message, the rows behind it, and where the unit's latest pack is.
Plain text; each channel (riskbook.watch.channels) wraps it in its own format."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from riskbook.core.i18n import column, money, status_word, t
from riskbook.display.html import fmt_value
from riskbook.watch.state import Alert

KINDS = ("new", "escalated", "reminder", "resolved")


@dataclass
class Message:
    """What one alert says at one moment, worded once for every channel."""

    alert_id: int
    kind: str  # new | escalated | reminder | resolved
    unit: str
    rule: str
    severity: str
    lang: str
    subject: str
    lines: list[str]

    def text(self) -> str:
        """The subject, then the lines (a chat message); an e-mail's body is ``body()``."""
        return "\n".join([self.subject, "", *self.lines])

    def body(self) -> str:
        return "\n".join(self.lines)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _kri(a: Alert, kind: str, lang: str, name: str, before: dict[str, Any] | None) -> tuple[str, list[str]]:
    f = a.facts
    w = f["windows"].get(f["window"], {})
    title = f["title"]["zh" if lang == "zh" else "en"]
    value = fmt_value(w.get("value"), f["unit_of_measure"], lang)
    words = {"unit": name, "kri": title, "status": status_word(a.severity, lang), "value": value}
    window = t(f"w_{f['window']}", lang)
    key = {"new": "w_kri_new", "escalated": "w_kri_worse", "reminder": "w_kri_still", "resolved": "w_kri_resolved"}
    subject = t(key[kind], lang, window=window, **words)
    if kind == "resolved":
        return subject, []
    lines = [
        t(
            "w_thresholds",
            lang,
            amber=fmt_value(f["amber"], f["unit_of_measure"], lang),
            red=fmt_value(f["red"], f["unit_of_measure"], lang),
        )
    ]
    for win, x in f["windows"].items():
        lines.append(
            f"{t(f'w_{win}', lang)}: {fmt_value(x.get('value'), f['unit_of_measure'], lang)} "
            f"({status_word(x.get('status', 'n/a'), lang)})"
        )
    if before and kind != "new":
        lines.append(
            t(
                "w_was",
                lang,
                value=fmt_value(before.get("value"), f["unit_of_measure"], lang),
                status=status_word(str(before.get("severity")), lang),
            )
        )
    reason = str(f.get("reason") or "")
    if reason and reason.lower() not in ("nan", "none"):
        lines.append(reason)
    return subject, lines


def _risk(a: Alert, kind: str, lang: str, name: str, currency: str) -> tuple[str, list[str]]:
    f = a.facts
    title = f["title"]["zh" if lang == "zh" else "en"]
    key = {"new": "w_risk_new", "escalated": "w_risk_new", "reminder": "w_risk_still", "resolved": "w_risk_resolved"}
    subject = t(key[kind], lang, unit=name, rating=t(f["rating"], lang), risk=title)
    if kind == "resolved":
        return subject, []
    n = {k: "–" if f.get(k) is None else f"{f[k]:.0f}" for k in ("score", "likelihood", "impact")}
    lines = [t("w_risk_detail", lang, exposure=money(f.get("exposure"), currency, lang), **n)]
    pack = f.get("in_pack")
    lines.append(t("w_risk_pack", lang, rating=t(pack, lang)) if pack else t("w_risk_not_in_pack", lang))
    return subject, lines


def _action(a: Alert, kind: str, lang: str, name: str) -> tuple[str, list[str]]:
    f = a.facts
    text = f["action"]["zh" if lang == "zh" else "en"]
    if kind == "resolved":
        return t("w_action_resolved", lang, unit=name, action=text), []
    days = int(f["days_late"])
    if days > 0:
        subject = t("w_action_late", lang, unit=name, days=days, action=text)
    elif days == 0:
        subject = t("w_action_today", lang, unit=name, action=text)
    else:
        subject = t("w_action_due", lang, unit=name, days=-days, action=text)
    return subject, [t("w_action_detail", lang, owner=f["owner"] or "–", due=f["due"], risk=f["risk"])]


def _data(a: Alert, kind: str, lang: str, name: str) -> tuple[str, list[str]]:
    f = a.facts
    if kind == "resolved":
        return t("w_data_resolved", lang, unit=name), []
    subject = t(
        "w_data_new",
        lang,
        unit=name,
        share=f"{f['share']:.1f}",
        rows=f"{f['rows']:,}",
        of=f"{f['of']:,}",
        since=f.get("since", ""),
        through=f.get("through", ""),
    )
    return subject, [f"{c['table']}.{c['check']}: {c['rows']:,}" for c in f.get("checks", [])]


def _evidence(facts: dict[str, Any], lang: str) -> list[str]:
    ev = facts.get("evidence") or {}
    rows = ev.get("rows") or []
    if not rows:
        return []
    out = ["", t("w_evidence", lang, n=f"{ev.get('count', len(rows)):,}", k=len(rows))]
    for r in rows:
        out.append("  " + ", ".join(f"{column(k, lang)} {_figure(v)}" for k, v in r.items() if v not in ("", None)))
    return out


def _figure(v: Any) -> str:
    """A cell as a message shows it: whole numbers as such, others to two decimals, with thousands marks."""
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def compose(
    a: Alert,
    kind: str,
    lang: str,
    name: str,
    currency: str,
    pack: str,
    before: dict[str, Any] | None = None,
) -> Message:
    """The message of alert ``a`` of ``kind`` in ``lang``; ``name``: the unit's display name; ``pack``: the
    path or URL of the unit's latest pack; ``before``: the value and severity at the last message."""
    if a.rule == "kri":
        subject, lines = _kri(a, kind, lang, name, before)
    elif a.rule == "risk":
        subject, lines = _risk(a, kind, lang, name, currency)
    elif a.rule == "action":
        subject, lines = _action(a, kind, lang, name)
    else:
        subject, lines = _data(a, kind, lang, name)
    prefix = {"reminder": "w_reminder", "escalated": "w_escalated", "resolved": "w_resolved"}.get(kind)
    if prefix:
        subject = f"{t(prefix, lang)} · {subject}"
    if kind != "resolved":
        lines += _evidence(a.facts, lang)
        lines += ["", t("w_open_since", lang, when=a.opened[:16].replace("T", " ")), t("w_ack", lang, id=a.id)]
    if pack:
        lines.append(t("w_pack", lang, where=pack))
    return Message(a.id, kind, a.unit, a.rule, a.severity, lang, f"[riskbook] {subject}", lines)
