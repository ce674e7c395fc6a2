"""Kernel-side latency of every notebook panel: how long a control move takes to update numbers and charts.

    python benchmarks/bench_widgets.py            # every panel module in suanli.widgets
    python benchmarks/bench_widgets.py catalog -n 30

For each module of :mod:`suanli.widgets` (``base`` excepted) it builds each panel class the module
defines (a class whose name ends in ``Panel``, built with no argument or with the catalog), finds
its main controls (``panel.main_controls`` if the panel has it, else every slider/dropdown/toggle
under ``panel.widget``), then sets each control's ``value`` N times across its range. ipywidgets
runs observers synchronously on assignment, so the time of ``control.value = v`` is the whole
update a user waits for after releasing a slider, minus the browser round trip. It prints the
median and 90th percentile in ms per control, wall clock and CPU (the CPU figure is what the
machine's load does not inflate). The goal is well under 100 ms. A panel that fails to build is
listed with its error and skipped; a move that raises is reported, not hidden.

It ends with one line per panel (p50 and p90 over all its moves, and its slowest control's p90)
and a verdict line: ``panels over 100 ms at p90: none`` or the panels whose slowest control is over.

Nothing is asserted: this prints figures (tests never time things).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import io
import os
import pkgutil
import statistics
import sys
import time
import traceback

os.environ.setdefault("MPLBACKEND", "Agg")


def panel_modules(only: list[str]) -> list[str]:
    import suanli.widgets

    names = sorted(m.name for m in pkgutil.iter_modules(suanli.widgets.__path__) if m.name != "base")
    return [n for n in names if not only or n in only]


def panel_classes(module) -> list[type]:
    return [
        cls
        for name, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__ and name.endswith("Panel") and callable(getattr(cls, "update", None))
    ]


def build(cls):
    """The panel built with no argument, or else with the catalog (the two conventions in use)."""
    try:
        return cls()
    except TypeError:
        from suanli.catalog import load_catalog

        return cls(load_catalog())


def controls_of(panel):
    from suanli.widgets.base import find_controls

    main = getattr(panel, "main_controls", None)
    if main:
        return list(main)
    return find_controls(panel.widget)


def label(control) -> str:
    return (getattr(control, "description", "") or type(control).__name__).strip()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


GOAL_MS = 100.0
"""The goal: a move updates numbers and charts within 100 ms of kernel time."""


def bench_panel(panel, n: int) -> list[tuple[str, int, float, float, float, float, int, list[float]]]:
    from suanli.widgets.base import sweep_values

    rows = []
    for control in controls_of(panel):
        values = sweep_values(control, n)
        if not values:
            continue
        original = control.value
        wall, cpu, failed = [], [], 0
        for value in values:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # outside a kernel, Output widgets print here
                    control.value = value
            except Exception:  # noqa: BLE001 - a bug the panel let through: count it and show the first one
                failed += 1
                if failed == 1:
                    traceback.print_exc(limit=3)
                continue
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        with (
            contextlib.suppress(Exception),
            contextlib.redirect_stdout(io.StringIO()),
        ):  # best effort: leave it as found
            control.value = original
        if wall:
            rows.append(
                (
                    label(control),
                    len(wall),
                    statistics.median(wall),
                    percentile(wall, 0.9),
                    statistics.median(cpu),
                    percentile(cpu, 0.9),
                    failed,
                    wall,
                )
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="panel modules to time (default: all)")
    parser.add_argument("-n", type=int, default=20, help="moves per control (default 20)")
    args = parser.parse_args(argv)

    from suanli.catalog import load_catalog
    from suanli.widgets.base import Panel

    Panel.strict = True  # a bug raises here instead of only showing in place
    t0 = time.perf_counter()
    load_catalog()
    print(
        f"catalog loaded in {(time.perf_counter() - t0) * 1000:.0f} ms; load average {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs; {args.n} moves per control\n"
    )
    header = f"{'panel':<32} {'control':<26} {'moves':>5} {'wall p50':>9} {'wall p90':>9} {'cpu p50':>8} {'cpu p90':>8}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    summary: list[
        tuple[str, list[float], float, str]
    ] = []  # panel, all its moves' wall times, slowest p90, which control
    for name in panel_modules(args.modules):
        try:
            module = importlib.import_module(f"suanli.widgets.{name}")
        except Exception as err:  # noqa: BLE001 - report the module and go on with the others
            print(f"{name:<32} skipped: import failed: {type(err).__name__}: {err}")
            summary.append((name, [], float("nan"), "import failed"))
            continue
        classes = panel_classes(module)
        if not classes:
            print(f"{name:<32} (no *Panel class)")
        for cls in classes:
            title = f"{name}.{cls.__name__}"
            try:
                t0 = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):
                    panel = build(cls)
                built_ms = (time.perf_counter() - t0) * 1000
            except Exception as err:  # noqa: BLE001 - report the panel and go on with the others
                print(f"{title:<32} skipped: failed to build: {type(err).__name__}: {err}")
                summary.append((title, [], float("nan"), "failed to build"))
                continue
            rows = bench_panel(panel, args.n)
            if not rows:
                print(f"{title:<32} (no movable controls found)")
            for control, moves, w50, w90, c50, c90, failed, _ in rows:
                note = f"  {failed} moves raised" if failed else ""
                print(
                    f"{title:<32} {control[:26]:<26} {moves:>5} {w50:>8.1f}  {w90:>8.1f}  {c50:>7.1f}  {c90:>7.1f}{note}"
                )
                worst = max(worst, w90)
            print(f"{'':<32} (built in {built_ms:.0f} ms)")
            if rows:
                slowest = max(rows, key=lambda r: r[3])
                summary.append((title, [w for r in rows for w in r[7]], slowest[3], slowest[0]))
    print(f"\nworst p90 wall latency: {worst:.1f} ms (goal: under {GOAL_MS:.0f} ms)\n")
    print(f"{'panel':<32} {'moves':>5} {'p50':>7} {'p90':>7}   slowest control (its p90), all wall ms")
    over = []
    for title, walls, slowest_p90, slowest in summary:
        if not walls:
            print(f"{title:<32} {slowest}")
            over.append(f"{title} ({slowest})")
            continue
        p50, p90 = statistics.median(walls), percentile(walls, 0.9)
        print(f"{title:<32} {len(walls):>5} {p50:>7.1f} {p90:>7.1f}   {slowest[:26]} ({slowest_p90:.1f})")
        if max(p90, slowest_p90) > GOAL_MS:
            over.append(f"{title} ({max(p90, slowest_p90):.0f} ms)")
    print(f"panels over {GOAL_MS:.0f} ms at p90: {', '.join(over) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
