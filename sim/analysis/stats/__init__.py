"""Statistics of results: intervals and differences, paired KPI tables, warm-up, sensitivity."""
