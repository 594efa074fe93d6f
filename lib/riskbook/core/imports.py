"""Import-time costs riskbook's processes need not pay.

jsonschema (under nbformat, under papermill) imports ``rfc3987_syntax`` when it is installed, and that
compiles some forty lark grammars: 0.9 s of the 1.0 s that ``import nbformat`` takes here, in the runner
and again in every worker. It only serves the "iri" string formats, which no notebook or results schema
uses; telling Python the module is absent makes jsonschema skip those two formats.
"""

from __future__ import annotations

import sys


def skip_unused() -> None:
    """Mark the unused, slow-to-import modules as absent (before nbformat or papermill is imported)."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
