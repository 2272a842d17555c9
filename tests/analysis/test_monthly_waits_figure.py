"""The monthly-waits figure of the run report: mean and p95 wait by month, with their 95 % intervals."""

from __future__ import annotations

import numpy as np
from PIL import Image

from sim.analysis.figures.style import save_png
from sim.analysis.figures.waits import plot_monthly_waits
from sim.analysis.tables import tidy


def test_monthly_waits_figure_draws_the_table(corridor, tmp_path):
    busiest = tidy.peak_wait_stations(corridor, 3)
    table = tidy.station_monthly_waits(corridor, busiest)
    assert table[["wait_p95_low_h", "wait_p95_high_h"]].notna().any().all()  # p95 intervals in the table
    figure = plot_monthly_waits(table)
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert len(panels) == len(busiest)
    for ax, station in zip(panels, busiest, strict=True):
        assert "/" not in ax.get_title(loc="left")
        assert ":" not in ax.get_title(loc="left")  # stations in words
        unit = ax.get_ylabel()
        assert unit in ("wait (hours)", "wait (days)")
        scale = 24.0 if "days" in unit else 1.0
        mine = table[table["station"] == station].sort_values("month")
        mean_line, p95_line = ax.get_lines()
        np.testing.assert_allclose(mean_line.get_ydata(), mine["wait_mean_h"] / scale)
        np.testing.assert_allclose(p95_line.get_ydata(), mine["wait_p95_h"] / scale)
        # each band spans its interval: its vertices reach the upper bounds (the lower ones, clipped at 0)
        bands = ax.collections
        assert len(bands) == 2
        for band, high in zip(bands, ("wait_high_h", "wait_p95_high_h"), strict=True):
            top = band.get_paths()[0].vertices[:, 1]
            finite = mine[high].dropna() / scale
            assert np.isclose(top.max(), finite.max())
    path = save_png(figure, tmp_path / "monthly_waits.png")
    with Image.open(path) as image:
        assert image.mode in ("RGB", "RGBA")


def test_run_report_embeds_the_monthly_waits_figure(corridor_dir, tmp_path):
    from sim.analysis.report.build import build_report

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    for item in corridor_dir.iterdir():
        if item.is_file():
            (run_dir / item.name).write_bytes(item.read_bytes())
    text = build_report(run_dir).read_text(encoding="utf-8")
    assert 'id="fig-monthly_waits"' in text
    assert (run_dir / "figures" / "monthly_waits.png").is_file()


def test_the_figure_shows_the_berths_and_chokepoints_with_the_worst_months(corridor):
    chosen = tidy.peak_wait_stations(corridor, 3)
    assert chosen
    kinds = corridor.stations.set_index("station")["kind"]
    assert set(kinds[chosen]) <= {"berth", "chokepoint"}
    monthly = tidy.station_monthly_waits(corridor, list(kinds.index[kinds.isin(["berth", "chokepoint"])]))
    peaks = monthly.groupby("station")["wait_mean_h"].max().sort_values(ascending=False)
    assert chosen == [s for s in peaks.index if peaks[s] > 0][:3]
