"""Experiments: whatever runs the scenario → Plan → engine → results pipeline many times.

- :mod:`sim.experiments.compare` — a base and variants run with common random numbers, KPIs paired;
- :mod:`sim.experiments.bottlenecks` — each station degraded in turn, ranked by what it costs;
- :mod:`sim.experiments.library` — the scenario library against the baseline (``make results``);
- :mod:`sim.experiments.sweep` — parameter sweeps on a process pool or a Dask cluster.

Experiments call :func:`sim.runner.run` and write result files; :mod:`sim.analysis` reads them.
"""
