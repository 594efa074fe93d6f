"""Executed notebooks to report HTML: markdown and outputs only — no code, no logs."""

from __future__ import annotations

import html
from pathlib import Path

import mistune
import nbformat

SKIP_TAGS = {"parameters", "injected-parameters", "remove-cell", "no-report"}
_md = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])


def _lang_ok(tags: list[str], lang: str) -> bool:
    langs = [t[5:] for t in tags if t.startswith("lang-")]
    return not langs or lang in langs


def _output(out: dict) -> str:
    kind = out.get("output_type")
    if kind == "error":
        return (
            f'<div class="rb-error"><b>{html.escape(out.get("ename", "Error"))}</b>: '
            f"{html.escape(out.get('evalue', ''))}</div>"
        )
    if kind not in ("display_data", "execute_result"):
        return ""  # stream output is log, not report
    data = out.get("data", {})
    if "text/html" in data:
        return "".join(data["text/html"])
    if "image/svg+xml" in data:
        import base64

        svg = "".join(data["image/svg+xml"]).encode("utf-8")
        return f'<img class="rb-figure" src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}">'
    if "image/png" in data:
        width = (out.get("metadata", {}).get("image/png") or {}).get("width")
        style = f' style="width:{width}px"' if width else ""
        return f'<img class="rb-figure" src="data:image/png;base64,{data["image/png"].strip()}"{style}>'
    if "text/markdown" in data:
        return _md("".join(data["text/markdown"]))
    return ""


def body(path: Path, lang: str) -> str:
    """The report HTML of an executed notebook in ``lang``."""
    nb = nbformat.read(str(path), as_version=4)
    parts: list[str] = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if SKIP_TAGS.intersection(tags) or not _lang_ok(tags, lang):
            continue
        if cell.cell_type == "markdown":
            parts.append(f'<div class="rb-md">{_md(cell.source)}</div>')
        elif cell.cell_type == "code":
            parts.extend(_output(o) for o in cell.get("outputs", []))
    return "\n".join(p for p in parts if p)
