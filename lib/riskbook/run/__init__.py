"""Run: the plan of a pack, its executors (process pool or Dask), progress, publishing; riskbook init."""
