"""Core: the project's paths, errors, periods, canonical table schema, vocabularies (translations), the
risk-rating scale (ratings) and the report's fonts (fonts).

Imports nothing else of riskbook: every folder after it may use it.
"""
