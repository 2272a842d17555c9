"""The route-choice table of the run summary: each alternative's probability, realised share and time.

Printed by ``corridor run`` and ``corridor show`` (:mod:`sim.cli.summary`) when the scenario has a flow with
a ``choice:``; ``corridor run --equilibrium`` prints the iterations before it (:func:`print_equilibrium`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Console

from sim.cli.units import narrow_table, quantity, with_half_width

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiments.equilibrium import Equilibrium
    from sim.scenario.model import Scenario

__all__ = ["print_choice", "print_equilibrium", "route_labels"]


def route_labels(scenario: Scenario) -> list[str]:
    """The flows as results name them: a choice flow by its routes (``FLOW/ALTERNATIVE``)."""
    labels = []
    for name, flow in scenario.flows.items():
        if flow.choice is None:
            labels.append(name)
        else:
            labels.extend(f"{name}/{alternative}" for alternative in flow.choice.alternatives)
    return labels


def print_choice(kpis: pd.DataFrame, console: Console) -> None:
    """Route shares (probability in the Plan, share realised ±95 % CI), mean door-to-door time and cost."""
    rows = kpis[kpis["table"] == "route_choice"]
    if rows.empty:
        return
    table = narrow_table(
        "Route choice (mean ±95 % CI half-width)",
        caption="probability: the logit (or fixed) share in the Plan; share: of the flow's shipments created "
        "in the window; time: creation to delivery",
    )
    table.add_column("route", overflow="fold", min_width=12)
    for column in ("probability", "share", "time", "cost/unit"):
        table.add_column(column, justify="right", no_wrap=True)
    cost_t = kpis[(kpis["table"] == "cost_by_flow") & (kpis["metric"] == "cost_usd_per_t")]
    cost_teu = kpis[(kpis["table"] == "cost_by_flow") & (kpis["metric"] == "cost_usd_per_teu")]
    for key in dict.fromkeys(rows["key"]):
        mine = rows[rows["key"] == key].set_index("metric")

        def cell(metric: str, kind: str, rows: pd.DataFrame = mine) -> str:
            if metric not in rows.index:
                return "–"
            values = rows.loc[metric, ["mean", "ci_low", "ci_high"]].to_numpy(dtype=float)
            mean, low, high = (float(v) for v in values)
            return with_half_width(mean, low, high, kind)

        table.add_row(
            str(key),
            quantity(float(mine.loc["probability", "mean"]), "share"),
            cell("share", "share"),
            cell("time_mean_h", "duration"),
            _unit_cost(cost_t, cost_teu, str(key)),
        )
    console.print(table)


def _unit_cost(per_t: pd.DataFrame, per_teu: pd.DataFrame, key: str) -> str:
    for frame, unit in ((per_teu, "TEU"), (per_t, "t")):
        found = frame[frame["key"] == key]["mean"]
        if len(found) and math.isfinite(float(found.iloc[0])):
            return f"US$ {float(found.iloc[0]):,.0f}/{unit}"
    return "–"


def print_equilibrium(solved: Equilibrium, console: Console) -> None:
    """The MSA iterations: shares simulated, their logit response and the gap; then whether it converged."""
    table = narrow_table(
        "Route-choice equilibrium (method of successive averages)",
        caption="share: simulated in the iteration; response: logit share at the times measured; gap: the "
        "largest |response − share|",
    )
    table.add_column("it.", justify="right")
    table.add_column("route", overflow="fold", min_width=12)
    for column in ("share", "time", "response", "gap"):
        table.add_column(column, justify="right", no_wrap=True)
    for step in solved.iterations:
        for position, route in enumerate(step.shares):
            table.add_row(
                str(step.number) if position == 0 else "",
                route,
                quantity(step.shares[route], "share"),
                quantity(step.times_h[route], "duration"),
                quantity(step.response[route], "share"),
                quantity(step.gap, "share") if position == 0 else "",
            )
    console.print(table)
    settled = f"gap below {solved.tolerance:.2%}" if solved.converged else "did NOT converge"
    console.print(
        f"equilibrium after {len(solved.iterations)} iterations: {settled}; final gap {solved.gap:.2%}"
    )
