"""Reports: the self-contained HTML report of a run or a comparison, and the sweep report."""
