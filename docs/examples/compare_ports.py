"""Chancay or Callao? Compare the two Peru–China routes from Python, as ``corridor compare`` does.

Run it from anywhere once corridor-sim is installed (the scenarios are library names)::

    python docs/examples/compare_ports.py                    # 3 replications, figures into ./compare_ports
    python docs/examples/compare_ports.py --replications 10 --out /tmp/ports

It prints the differences whose 95 % interval excludes zero, saves the forest plot, then ranks the
bottlenecks of the small two-port demo. CI runs it with two replications (tests/test_examples.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import sim


def main(argv: list[str] | None = None) -> int:
    """Compare baseline_2024 with chancay_vs_callao; rank the demo's bottlenecks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("compare_ports"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    comparison = sim.compare("baseline_2024", ["chancay_vs_callao"], replications=args.replications)
    table = comparison.table
    changed = table.loc[table["significant"], ["label", "base_mean", "variant_mean", "diff", "relative"]]
    print(f"{len(changed)} of {len(table)} KPIs change significantly:")
    print(changed.head(10).to_string(index=False, float_format="{:,.2f}".format))
    comparison.figure().savefig(args.out / "chancay_vs_callao.png")

    ranking = sim.bottlenecks("demo_two_ports", replications=args.replications)
    columns = ["rank", "station", "throughput_change", "transit_change_h"]
    print(ranking.table[columns].head().to_string(index=False, float_format="{:,.1f}".format))
    ranking.figure().savefig(args.out / "demo_bottlenecks.png")
    print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
