"""riskbook's colours, in one place: RAG statuses and the risk-rating scale."""

from __future__ import annotations

RAG: dict[str, str] = {"green": "#2e7d32", "amber": "#e69f00", "red": "#c62828", "n/a": "#9e9e9e"}
RATING: dict[str, str] = {"low": "#c8e6c9", "medium": "#fff3b0", "high": "#ffc078", "critical": "#ef8a80"}
INK = "#1f2933"
MUTED = "#6b7785"
ACCENT = "#1d4e89"
