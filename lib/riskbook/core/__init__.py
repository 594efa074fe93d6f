"""Core: the project's paths, errors, periods, canonical table schema and vocabularies (translations).

Imports nothing else of riskbook: every folder after it may use it.
"""
