"""Rendering: executed notebooks to HTML and PDF, the Excel register, the index page."""
