"""The risk-rating scale, defined once: a 5×5 score (likelihood × impact, 1–25) falls in one of four bands.
The assessment rates with :func:`rating`, the heatmaps and their legends read the bands here; each rating's
colour is ``riskbook.display.palettes.RATING`` (keyed by these names)."""

from __future__ import annotations

# (rating, lowest score, highest score), lowest band first
BANDS: tuple[tuple[str, int, int], ...] = (
    ("low", 1, 4),
    ("medium", 5, 9),
    ("high", 10, 16),
    ("critical", 17, 25),
)
RATINGS: tuple[str, ...] = tuple(name for name, _, _ in BANDS)  # the ratings, lowest first


def rating(score: int) -> str:
    """low (1–4), medium (5–9), high (10–16), critical (17–25)."""
    return next((name for name, _, top in BANDS if score <= top), RATINGS[-1])


def band_label(name: str) -> str:
    """A rating's scores as the legends write them: "1–4", "17–25"."""
    lo, hi = next((lo, hi) for n, lo, hi in BANDS if n == name)
    return f"{lo}–{hi}"
