"""Ingest: read exports (CSV, Excel, Parquet, SQL) into canonical tables, check every row, store them
once as Arrow slices per unit with their data-quality findings.
"""
