"""Analysis of result files: statistics across replications, tidy tables, plots, maps and reports.

Analysis reads what a run wrote (Parquet and JSON) and never re-simulates, except the explicit comparison and
bottleneck commands, which call :func:`sim.run`. Import the submodules directly; this package imports nothing
at import time so that ``import sim.analysis`` stays cheap and side-effect free.
"""
