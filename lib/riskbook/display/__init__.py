"""Report: what a notebook shows — palettes, the chart theme, charts and display helpers (HTML tables)."""
