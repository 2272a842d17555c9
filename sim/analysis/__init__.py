"""Analysis of result files: it reads what runs wrote (Parquet and JSON) and never simulates.

- :mod:`sim.analysis.stats` — intervals across replications, paired KPI differences, warm-up, sensitivity;
- :mod:`sim.analysis.tables` — a run or sweep directory read back, tidy tables and occupancy over time;
- :mod:`sim.analysis.figures` — the figures (house style, run plots, forest plots, network map, sweep plots);
- :mod:`sim.analysis.report` — self-contained HTML reports and the sweep report.

Whatever runs simulations (paired comparisons, bottleneck scans, the library report, sweeps) is in
:mod:`sim.experiments`. Import the submodules directly: this package imports nothing at import time.
"""
