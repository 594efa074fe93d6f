"""Render: the files a run publishes — HTML pages, PDF reports, the Excel register, results.json, the index."""
