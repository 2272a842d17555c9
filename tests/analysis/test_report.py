"""Reports are self-contained HTML: every figure embedded and decodable, nothing external."""

from __future__ import annotations

import base64
from html.parser import HTMLParser
from pathlib import Path

import pytest

import sim
from sim.analysis.report.build import build_report
from sim.analysis.tables.run_data import RunDirError
from sim.experiments.compare import run_comparison, write_comparison

DATA = Path(__file__).parents[1] / "data"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.references: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        values = {k: v or "" for k, v in attrs}
        if tag == "img":
            self.images.append(values)
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
    assert not parser.tags & {"script", "link", "iframe", "object", "embed"}
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
    assert len(parser.images) == 2  # forest plot and transit ECDF by scenario
    text = html_path.read_text(encoding="utf-8")
    assert "one_berth vs two_ports" in text
    assert "significant" in text
    assert "MSER-5" in text
    assert {p.name for p in (out / "figures").glob("*.png")} == {
        "forest_one_berth.png",
        "transit_ecdf_all.png",
    }


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
    for station in busiest:
        assert f"<td>{station}</td>" in table
    assert "waiting at month end" in table
    assert "[" in table  # the intervals


def test_report_rejects_what_is_not_a_run(tmp_path):
    with pytest.raises(RunDirError, match="not a run directory"):
        build_report(tmp_path)
    with pytest.raises(RunDirError, match="not a directory"):
        build_report(tmp_path / "missing")
