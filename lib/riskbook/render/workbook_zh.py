"""The register workbook in Chinese: its text as the register translates it and its words (ratings,
responses, statuses) as the report writes them; riskbook.settings.register_import reads them back."""

from __future__ import annotations

import pandas as pd

from riskbook.core.i18n import note, owner, status_word, t
from riskbook.display.palettes import RAG


def coloured(fills: dict[str, dict[str, str]], lang: str) -> dict[str, dict[str, str]]:
    """Fills keyed by the words the workbook shows: the Chinese words of ratings, statuses and RAG in a
    Chinese one."""
    if lang != "zh":
        return fills
    return {
        col: {(status_word(w, lang) if col == "status" and w in RAG else t(w, lang)): c for w, c in by.items()}
        for col, by in fills.items()
    }


def localised(
    reg: pd.DataFrame, actions: pd.DataFrame, controls: pd.DataFrame, kris: pd.DataFrame
) -> tuple[pd.DataFrame, ...]:
    """The sheets' text in Chinese: titles, owners, actions and controls as the register translates them
    (the library's roles otherwise), and the words of ratings, movements, responses, statuses and families.
    ``riskbook register import`` reads every one back, in Chinese or English."""

    def words(df: pd.DataFrame, cols: tuple[str, ...]) -> dict[str, pd.Series]:
        return {c: df[c].map(lambda v: t(v, "zh") if isinstance(v, str) and v else v) for c in cols if c in df}

    def zh(df: pd.DataFrame, col: str, role: bool = False) -> pd.Series:
        own = df.get(f"{col}_zh", pd.Series(None, index=df.index, dtype=object))
        return pd.Series(
            [
                x if isinstance(x, str) and x.strip() else owner(v, "zh") if role and isinstance(v, str) else v
                for v, x in zip(df[col], own)
            ],
            index=df.index,
            dtype=object,
        )

    reg = reg.assign(title=reg["title_zh"], owner=zh(reg, "owner", True))
    if "override_reason_zh" in reg:  # the import reads the translation back as the reason unchanged
        reg = reg.assign(override_reason=zh(reg, "override_reason"))
    if "controls_zh" in reg:
        reg = reg.assign(controls=reg["controls_zh"])
    reg = reg.assign(**words(reg, ("family", "rating", "residual_rating", "movement", "response", "source")))
    if len(actions):
        actions = actions.assign(action=zh(actions, "action"), owner=zh(actions, "owner", True))
        actions = actions.assign(**words(actions, ("status",)))
    if len(controls) and "control_zh" in controls:
        controls = controls.assign(control=zh(controls, "control"))
    kris = kris.assign(title=kris["title_zh"], status=kris["status"].map(lambda v: status_word(v, "zh")))
    kris = kris.assign(reason=kris["reason"].map(lambda v: note(v, "zh") if isinstance(v, str) else v))
    kris = kris.assign(unit=kris["unit"].map(lambda v: t(f"unit_{v}", "zh") if isinstance(v, str) else v))
    kris = kris.assign(**words(kris, ("family", "direction")))
    return reg, actions, controls, kris
