"""Reports are self-contained HTML: every figure embedded and decodable, nothing external."""

from __future__ import annotations

import base64
import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.analysis import units
from sim.analysis.figures.names import names_of_runs
from sim.analysis.report.build import build_report
from sim.analysis.stats.verdicts import identical
from sim.analysis.tables.run_data import RunDirError
from sim.experiments.compare import run_comparison, write_comparison

DATA = Path(__file__).parents[1] / "data"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.references: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.scripts: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        values = {k: v or "" for k, v in attrs}
        if tag == "img":
            self.images.append(values)
        if tag == "script":
            self.scripts.append(values)
        for key in ("src", "href", "srcset", "action", "data", "poster"):
            if key in values:
                self.references.append((tag, key, values[key]))


def _check_self_contained(path: Path) -> Collector:
    text = path.read_text(encoding="utf-8")
    parser = Collector()
    parser.feed(text)
    assert parser.images, "no figure embedded"
    for image in parser.images:
        assert image["src"].startswith("data:image/png;base64,")
        assert base64.b64decode(image["src"].split(",", 1)[1], validate=True).startswith(PNG_MAGIC)
        assert image.get("alt")
    for tag, key, value in parser.references:
        assert value.startswith(("data:", "#")), f"<{tag} {key}={value[:40]}> refers outside the page"
    assert not set(parser.tags) & {"link", "iframe", "object", "embed"}
    assert parser.scripts == [{}]  # the one inline script of the tables, no src
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text)
    assert policy is not None
    assert "default-src &#x27;none&#x27;" in policy.group(1)
    assert "http://" not in text
    assert "https://" not in text
    assert "@import" not in text
    assert "url(" not in text
    return parser


def test_run_report_is_self_contained(corridor_dir, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    for item in corridor_dir.iterdir():
        if item.is_file():
            (run_dir / item.name).write_bytes(item.read_bytes())
    html_path = build_report(run_dir)
    assert html_path == run_dir / "report.html"
    parser = _check_self_contained(html_path)
    pngs = sorted(p.name for p in (run_dir / "figures").glob("*.png"))
    assert pngs == sorted(
        f"{n}.png"
        for n in (
            "network_map",
            "monthly_throughput",
            "transit_ecdf",
            "station_waiting",
            "utilisation",
            "queue_length",
            "monthly_waits",
        )
    )
    assert len(parser.images) == len(pngs)
    text = html_path.read_text(encoding="utf-8")
    assert "mini_corridor" in text
    assert "soy_png_tao" in text
    assert not list(run_dir.glob(".*partial*"))  # nothing half-written left behind


def test_comparison_report_is_self_contained(tmp_path):
    base = sim.load_scenario(DATA / "two_ports.yaml")
    variant = sim.load_scenario(DATA / "one_berth.yaml")
    out = write_comparison(run_comparison(base, [variant], replications=3), tmp_path / "cmp")
    html_path = build_report(out, scenario_figures=False)
    parser = _check_self_contained(html_path)
    assert len(parser.images) == 3  # forest plot, transit ECDF by scenario, ECDF of the untouched flows
    text = html_path.read_text(encoding="utf-8")
    assert "one_berth vs two_ports" in text
    assert "significant" in text
    assert "MSER-5" in text
    assert {p.name for p in (out / "figures").glob("*.png")} == {
        "forest_one_berth.png",
        "transit_ecdf_all.png",
        "transit_ecdf_identical.png",
    }


def _section(text: str, key: str) -> str:
    start = text.index(f'<section id="{key}">')
    return text[start : text.index("</section>", start)]


def test_comparison_report_opens_with_what_changed_significantly_and_by_how_much(tmp_path):
    base = sim.load_scenario(DATA / "two_ports.yaml")
    variant = sim.load_scenario(DATA / "one_berth.yaml")
    out = write_comparison(run_comparison(base, [variant], replications=3), tmp_path / "cmp")
    text = build_report(out, scenario_figures=False).read_text(encoding="utf-8")
    sections = re.findall(r'<section id="([^"]+)">', text)
    assert sections[0] == "summary"
    summary = _section(text, "summary")
    table = pd.read_parquet(out / "comparison.parquet")
    significant = table.loc[table["significant"]]
    assert len(significant) > 0  # one berth of two at Paranaguá
    assert f"<b>{len(significant)}</b> of {len(table)} compared KPIs changed significantly" in summary
    assert f"{int(identical(table).sum())} are identical in every replication" in summary
    # the berth pool's utilisation by name, its difference in the terminal's units (pp), marked
    row = significant.loc[significant["metric"] == "utilisation"].iloc[0]
    assert row["key"] == "BRPNG/dry_bulk"
    assert "Paranaguá dry bulk berths — utilisation" in summary
    shown = units.interval(row["diff"], row["diff_low"], row["diff_high"], "share")
    assert shown.endswith("]")
    assert " pp [" in shown
    assert html.escape(shown) in summary
    assert f"{units.SIGNIFICANT} significant" in summary
    # 3 replications cannot tell the soybean transit times apart: the summary says so, naming --precision
    assert "too uncertain to tell the scenarios apart with 3 replications" in summary
    assert "--precision" in summary
    # the container flow is untouched: its transit panel is folded away, the changed one is not
    transit = _section(text, "transit")
    folded = transit.index("<details>")
    assert (
        transit.index('id="fig-transit_ecdf_all"') < folded < transit.index('id="fig-transit_ecdf_identical"')
    )
    # the identical KPIs are listed only in a folded table
    body = _section(text, "variant-one_berth")
    same = body[body.index(f"<summary>{int(identical(table).sum())} KPIs identical in every replication") :]
    assert "General containers: Santos → Qingdao — mean transit time" in same
    headline = body[: body.index("<details>")]
    assert "General containers: Santos → Qingdao — mean transit time" not in headline


def test_reports_are_section_lists_that_new_sections_join(corridor_dir, tmp_path):
    from sim.analysis.report.run import RUN_SECTIONS
    from sim.analysis.report.sections import Section

    run_dir = tmp_path / "run"
    shutil.copytree(corridor_dir, run_dir)
    RUN_SECTIONS.append(lambda c: Section("extra", f"Extra on {c.run.name}", "<p>added</p>"))
    try:
        text = build_report(run_dir).read_text(encoding="utf-8")
    finally:
        RUN_SECTIONS.pop()
    sections = re.findall(r'<section id="([^"]+)">', text)
    assert sections == ["summary", "network", "throughput", "transit", "waiting", "utilisation", "extra"]
    assert "<h2>Extra on mini_corridor</h2><p>added</p>" in text


def test_run_report_has_the_monthly_waits_of_the_longest_wait_stations(corridor_dir, corridor, tmp_path):
    from sim.analysis.tables import tidy

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    for item in corridor_dir.iterdir():
        if item.is_file():
            (run_dir / item.name).write_bytes(item.read_bytes())
    text = build_report(run_dir).read_text(encoding="utf-8")
    assert "<h3>Monthly waits at the busiest stations</h3>" in text
    table = text.split("<h3>Monthly waits at the busiest stations</h3>", 1)[1].split("</table>", 1)[0]
    busiest = tidy.station_waiting(corridor)["station"].head(4).tolist()
    monthly = tidy.station_monthly_waits(corridor, busiest)
    assert list(dict.fromkeys(monthly["station"])) == busiest
    assert monthly["month"].nunique() >= 12  # 395 days
    names = names_of_runs([corridor])
    for station in busiest:
        assert f"<td>{html.escape(names.station(station))}</td>" in table  # the name, and the id beside it
        assert f'<td class="text" data-sort="">{station}</td>' in table
    assert "waiting at month end" in table
    assert " ±" in table  # the half-widths of the intervals


def test_report_rejects_what_is_not_a_run(tmp_path):
    with pytest.raises(RunDirError, match="not a run directory"):
        build_report(tmp_path)
    with pytest.raises(RunDirError, match="not a directory"):
        build_report(tmp_path / "missing")
