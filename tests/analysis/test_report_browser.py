"""The reports in a real headless browser (Debian's chromium; `make test` installs it when missing).

Each report is opened offline (the browser's network emulation cut, as on a plane): it must load without a
console error, a script exception or a refused resource, request nothing but itself and its ``data:``
figures, display every figure (decoded, ``naturalWidth > 0``), and its tables must sort on a click on a
heading and filter as words are typed. A last test shows the checks catch a broken page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import sim
from sim.analysis.report.build import build_report
from sim.experiments.compare import run_comparison, write_comparison
from tests.analysis.browser import Browser

DATA = Path(__file__).parents[1] / "data"
OFFLINE = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
FIGURES = "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])"


@pytest.fixture
def browser(tmp_path):
    with Browser(tmp_path / "profile") as opened:
        opened.call("Network.emulateNetworkConditions", OFFLINE)
        yield opened


def _open_checked(browser: Browser, page: Path) -> None:
    """Open ``page`` and check it loaded cleanly, offline, with every figure displayed."""
    browser.open(page.resolve().as_uri())
    assert browser.problems() == []
    assert {url.split(":", 1)[0] for url in browser.requests()} <= {"file", "data"}
    figures = browser.evaluate(FIGURES)
    assert len(figures) == len(list((page.parent / "figures").glob("*.png")))
    assert [alt for alt, complete, width in figures if not (complete and width > 0)] == []


def _column(browser: Browser, table: str, column: int) -> list[str | None]:
    """The ``data-sort`` keys (or texts) of a column's visible cells, top to bottom."""
    return browser.evaluate(
        f"Array.from(document.querySelectorAll('{table} tbody tr')).filter(r => !r.hidden)"
        f".map(r => r.cells[{column}]).map(c => c.hasAttribute('data-sort') ? c.dataset.sort : c.textContent)"
    )


def test_run_report_loads_offline_shows_every_figure_and_sorts_and_filters(corridor_dir, tmp_path, browser):
    run_dir = tmp_path / "run"
    shutil.copytree(corridor_dir, run_dir)
    page = build_report(run_dir)
    _open_checked(browser, page)

    stations = "#stations"
    before = _column(browser, stations, 2)
    waits = [float(v) for v in before]
    assert waits == sorted(waits, reverse=True)  # as built: longest mean wait first
    browser.click(f"{stations} thead th:nth-child(3)")  # "mean wait"
    assert [float(v) for v in _column(browser, stations, 2)] == sorted(waits)
    assert (
        browser.evaluate(f"document.querySelector('{stations} thead th:nth-child(3)').ariaSort")
        == "ascending"
    )
    browser.click(f"{stations} thead th:nth-child(3)")
    assert [float(v) for v in _column(browser, stations, 2)] == sorted(waits, reverse=True)
    browser.click(f"{stations} thead th:nth-child(1)")  # "station": by name
    names = _column(browser, stations, 0)
    assert names == sorted(names, key=str.lower)
    assert names != before

    everything = len(names)
    browser.click(".tools:has(+ #stations) input")
    browser.type("berths")
    kept = _column(browser, stations, 0)
    assert 0 < len(kept) < everything
    assert all("berths" in name for name in kept)
    assert browser.evaluate("document.querySelector('.tools:has(+ #stations) span').textContent") == (
        f"{len(kept)} of {everything} rows"
    )
    assert browser.problems() == []


def test_comparison_report_loads_offline_and_shows_every_figure_folded_or_not(tmp_path, browser):
    base = sim.load_scenario(DATA / "two_ports.yaml")
    variant = sim.load_scenario(DATA / "one_berth.yaml")
    out = write_comparison(run_comparison(base, [variant], replications=3), tmp_path / "cmp")
    page = build_report(out)
    _open_checked(browser, page)
    # a folded section opens on a click on its heading
    folded = "#scenario-two_ports details"
    assert browser.evaluate(f"document.querySelector('{folded}').open") is False
    browser.click(f"{folded} summary")
    assert browser.evaluate(f"document.querySelector('{folded}').open") is True
    images = (
        f"Array.from(document.querySelectorAll('{folded} img')).map(i => i.getBoundingClientRect().width)"
    )
    widths = browser.evaluate(images)
    assert widths
    assert min(widths) > 100
    # the full KPI table of the variant filters too
    browser.click("#variant-one_berth details summary")
    table = "#variant-one_berth-differ"
    rows = len(_column(browser, table, 0))
    browser.click(".tools:has(+ #variant-one_berth-differ) input")
    browser.type("Paranaguá utilisation")
    kept = _column(browser, table, 0)
    assert 0 < len(kept) < rows
    assert all("Paranaguá" in k and "utilisation" in k for k in kept)
    assert browser.problems() == []


def test_the_browser_checks_catch_a_broken_page(tmp_path, browser):
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><body><img alt='missing' src='figures/none.png'>"
        "<img alt='remote' src='https://example.org/x.png'>"
        "<script>console.error('boom'); undefined_function();</script></body></html>",
        encoding="utf-8",
    )
    browser.open(page.resolve().as_uri())
    problems = browser.problems()
    assert any("boom" in p for p in problems)
    assert any("undefined_function" in p for p in problems)
    assert any(url.startswith("https://example.org") for url in browser.requests())
    assert sorted(alt for alt, _, width in browser.evaluate(FIGURES) if width == 0) == ["missing", "remote"]
