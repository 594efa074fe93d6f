"""The rating scale and the fonts, each defined once in core and read from there by every output."""

from __future__ import annotations

from riskbook.core import fonts, ratings


def test_each_score_falls_in_one_band() -> None:
    expected = ["low"] * 4 + ["medium"] * 5 + ["high"] * 7 + ["critical"] * 9
    assert [ratings.rating(s) for s in range(1, 26)] == expected
    assert [ratings.band_label(r) for r in ratings.RATINGS] == ["1–4", "5–9", "10–16", "17–25"]


def test_the_bands_cover_the_scores_once() -> None:
    starts = [lo for _, lo, _ in ratings.BANDS]
    ends = [hi for _, _, hi in ratings.BANDS]
    assert starts[0] == 1 and ends[-1] == 25
    assert starts[1:] == [e + 1 for e in ends[:-1]]


def test_every_rating_has_its_colour() -> None:
    from riskbook.display.palettes import RATING

    assert tuple(RATING) == ratings.RATINGS


def test_the_stylesheets_take_their_fonts_from_core() -> None:
    from riskbook.render.pages import _css

    css = _css()
    assert f"html {{ font-family: {fonts.FONTS['report']};" in css
    assert f'html[lang="zh"] {{ font-family: {fonts.FONTS["report_zh"]}; }}' in css
    assert fonts.FONTS["report"] == '"Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", sans-serif'
    assert fonts.SVG_FAMILY == "Noto Sans, Noto Sans CJK SC, DejaVu Sans, sans-serif"
