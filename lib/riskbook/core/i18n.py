"""Report text in English and Simplified Chinese: look-ups of words, notes, roles and columns, and amounts
of money written the same way everywhere. The tables themselves are in :mod:`riskbook.core.i18n_texts` (the
report's own words) and :mod:`riskbook.core.i18n_terms` (words that come from the data and settings)."""

from __future__ import annotations

import math
import re
from typing import Any

from riskbook.core.i18n_terms import COLUMNS_ZH, CURRENCY_ZH, NOTES_ZH, ROLES_ZH, RULES
from riskbook.core.i18n_texts import STATUS, STRINGS
from riskbook.core.i18n_watch import WATCH

# the 5×5 matrix's scales, 1 to 5
LIKELIHOOD_LABELS: dict[str, tuple[str, ...]] = {
    "en": ("rare", "unlikely", "possible", "likely", "almost certain"),
    "zh": ("罕见", "不太可能", "可能", "很可能", "几乎确定"),
}
IMPACT_LABELS: dict[str, tuple[str, ...]] = {
    "en": ("insignificant", "minor", "moderate", "major", "severe"),
    "zh": ("轻微", "较小", "中等", "重大", "严重"),
}
ARROWS: dict[str, str] = {"new": "★", "up": "▲", "down": "▼", "same": "▶", "closed": "✓"}


def t(key: str, lang: str = "en", **kw: object) -> str:
    """The text of ``key`` in ``lang``, formatted with ``kw``."""
    en, zh = STRINGS.get(key) or WATCH.get(key) or (key, key)
    text = zh if lang == "zh" else en
    return text.format(**kw) if kw else text


def status_word(status: str, lang: str = "en") -> str:
    """A status (green, amber, red, n/a) as a table shows it, in ``lang``."""
    en, zh = STATUS.get(status, (status, status))
    return zh if lang == "zh" else en


def currency_name(currency: str, lang: str = "en") -> str:
    """The currency as an amount is written with it: ``元`` for CNY in Chinese, the code otherwise."""
    if lang == "zh" and currency:
        return CURRENCY_ZH.get(currency.upper(), f" {currency}")
    return currency


def _amount(number: str, currency: str, lang: str) -> str:
    """``number`` with the currency written once, the same way everywhere: CNY 1.2M / 120.0万元."""
    if lang == "zh":
        return f"{number}{currency_name(currency, lang)}"
    return f"{currency} {number}" if currency else number  # a company without a currency: plain amounts


def money(value: float | None, currency: str = "CNY", lang: str = "en") -> str:
    """CNY 1.2M in English, 120.0万元 (or 1.20亿元) in Chinese; "–" when there is no amount."""
    if value is None:
        return "–"
    v = float(value)
    scales = ((1e8, "亿", 2), (1e4, "万", 1)) if lang == "zh" else ((1e9, "bn", 1), (1e6, "M", 1), (1e3, "k", 1))
    for div, suf, digits in scales:
        if abs(v) >= div:
            return _amount(f"{v / div:,.{digits}f}{suf}", currency, lang)
    return _amount(f"{v:,.0f}", currency, lang)


# a figure as the report writes it: -11,062.06, 23.5%, 61 d, 61天, CNY 0.6M, 58.9万元, 2.40×, 15*
NUMBER = re.compile(r"[-−+<>~≈ ]*[A-Z]{0,3} ?[\d.,]*\d[\d.,]*(?:[%×kMd万亿元天]{1,2}|bn| d)?\*?")


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


Scale = tuple[float, str, int]  # (divisor, suffix, decimals): M to one decimal, 万 to one decimal, …


def money_scale(values: list[float], lang: str = "en") -> Scale:
    """The one scale a page writes its amounts in: that of the largest (M, or 万 in Chinese), to one decimal."""
    top = max((abs(float(v)) for v in values if not _missing(v)), default=0.0)
    scales = ((1e8, "亿"), (1e4, "万"), (1, "")) if lang == "zh" else ((1e9, "bn"), (1e6, "M"), (1e3, "k"), (1, ""))
    div, suf = next((d, x) for d, x in scales if top >= d or d == 1)
    return div, suf, 1 if div > 1 else 0


def money_at(value: float | None, scale: Scale, currency: str = "CNY", lang: str = "en") -> str:
    """``value`` in the page's ``scale`` (:func:`money_scale`): CNY 0.6M beside CNY 13.0M, never 589.2k; an
    amount too small to show in it is "< CNY 0.1M", not a zero."""
    if _missing(value):
        return "–"
    div, suf, digits = scale
    shown = round(float(value) / div, digits)
    if shown == 0 and value:
        return "< " + _amount(f"{10**-digits:,.{digits}f}{suf}", currency, lang)
    return _amount(f"{shown:,.{digits}f}{suf}", currency, lang)


def money_parts(
    values: list[float], currency: str = "CNY", lang: str = "en", scale: Scale | None = None
) -> tuple[list[str], str]:
    """Amounts that add up as printed: each written in the scale of the largest (or the page's ``scale``) to
    one decimal, and their total as the sum of those printed parts."""
    if not values:
        return [], money(0.0, currency, lang)
    div, suf, digits = scale or money_scale(values, lang)
    parts = [round(v / div, digits) for v in values]

    def fmt(x: float) -> str:
        return _amount(f"{x:,.{digits}f}{suf}", currency, lang)

    return [fmt(x) for x in parts], fmt(round(sum(parts), digits))


def note(text: str, lang: str = "en") -> str:
    """A note (a data-quality finding's, a KRI's) in the report's language, part by part ("; " joins them)."""
    if lang != "zh" or not text:
        return text

    partial, suffix = "the period is partial: ", ": a customer who has not bought yet may still buy"
    parts = []
    for part in text.split("; "):
        tail = "：尚未购买的客户仍可能购买" if part.endswith(suffix) else ""
        part = part.removesuffix(suffix)
        head = "非完整期间：" if part.startswith(partial) else ""
        part = part.removeprefix(partial)
        for pattern, repl in NOTES_ZH:
            if re.match(pattern, part):
                part = re.sub(pattern, repl, part)
                break
        parts.append(head + part + tail)
    return "；".join(parts)


def rule(name: str, lang: str = "en") -> str:
    """What a Western Electric rule says, in plain words in the report's language."""
    en, zh = RULES.get(name, (name, name))
    return zh if lang == "zh" else en


def local(d: Any, key: str, lang: str = "en") -> Any:
    """``d[key]`` in the report's language: its ``<key>_zh`` sibling in Chinese where the register gives one."""
    if lang == "zh":
        v = d.get(f"{key}_zh")
        if isinstance(v, str) and v.strip():
            return v
    return d.get(key)


def _role(name: str, roles: dict[str, str], brackets: str, wrap: str) -> str:
    """A role named alone or after a person, in brackets matching ``brackets``, swapped via ``roles``."""
    if name in roles:
        return roles[name]
    m = re.fullmatch(rf"(.+?)\s*{brackets}", name)
    return wrap.format(m.group(1), roles[m.group(2)]) if m and m.group(2) in roles else name


def owner(name: str, lang: str = "en") -> str:
    """A library role in the report's language, also after a person's name ("Li Wei (Finance Controller)"
    → "Li Wei（财务总监）"); names from the register stay as written."""
    return _role(name, ROLES_ZH, r"\((.+)\)", "{}（{}）") if lang == "zh" else name


def owner_en(name: str) -> str:
    """:func:`owner` undone: a library role written in Chinese back in English ("李伟（财务总监）" →
    "李伟 (Finance Controller)"), so a Chinese workbook's owner reads back as the register writes it."""
    return _role(name, {zh: en for en, zh in ROLES_ZH.items()}, r"[（(](.+)[）)]", "{} ({})")


def column(name: str, lang: str = "en") -> str:
    """A table column's heading."""
    if lang == "zh" and name in COLUMNS_ZH:
        return COLUMNS_ZH[name]
    return name.replace("_", " ").replace(" pct", " %").capitalize()
