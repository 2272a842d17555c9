"""Results: tables built from a Plan and its Trace, KPIs with confidence intervals, and result files."""
