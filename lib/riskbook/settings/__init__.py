"""Settings: the company file, units' and register files, read and checked; where the data comes from."""
