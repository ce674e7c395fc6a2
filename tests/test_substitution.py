"""Substitution end to end: goals, options, sizing candidates through the engine, comparisons, CLI, dashboard."""

from __future__ import annotations

import json

import numpy as np
import pytest

from suanli import cli
from suanli.catalog import load_catalog
from suanli.errors import InputError
from suanli.scenarios.substitution import (
    ROW_KEYS,
    Options,
    compare,
    count_grid,
    fleet_curve,
    make_goal,
    mixed_fleet,
    pareto_options,
    parse_fleet,
    point,
    sensitivity,
    smooth_numbers,
)

H100, A100, B910, H20 = "nvidia-h100-sxm5-80gb", "nvidia-a100-sxm4-80gb", "huawei-ascend-910b", "nvidia-h20"


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


@pytest.fixture(scope="module")
def goal():
    # a small model keeps the engine grids quick: 7B parameters, 100B tokens, 10 days
    return make_goal(params=7e9, tokens=1e11, deadline_days=10)


@pytest.fixture(scope="module")
def result(cat, goal):
    return compare(goal, (H100, 256), [B910, H20, A100], Options(site="cn-gansu-qingyang"), catalog=cat)


# -- inputs -------------------------------------------------------------------------------------


def test_parse_fleet():
    assert parse_fleet("nvidia-h100-sxm5-80gb:10000") == (H100, 10000)
    assert parse_fleet(" nvidia-h100-sxm5-80gb : 10_000 ") == (H100, 10000)
    for bad, match in (
        ("h100", "CHIP:COUNT"),
        ("h100:ten", "whole number"),
        ("h100:0", "at least 1"),
        (":8", "chip is missing"),
        ("a:b:c", "CHIP:COUNT"),
    ):
        with pytest.raises(InputError, match=match):
            parse_fleet(bad)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"tokens": 0}, "tokens"),
        ({"tokens": 1e9, "deadline_days": 0}, "deadline_days"),
        ({"tokens": 1e9, "deadline_days": -3}, "deadline_days"),
        ({"tokens": 1e9, "budget": -1}, "budget"),
        ({"tokens": 1e9, "precision": "int4"}, "precision"),
        ({"tokens": 1e9, "global_batch": 0}, "global_batch"),
        ({"tokens": 1e9, "global_batch": 10.5}, "global_batch"),
    ],
)
def test_make_goal_rejects_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        make_goal("gpt3-175b", **kwargs)


def test_make_goal_rejects_an_unknown_preset():
    with pytest.raises(InputError, match="gpt3-175b"):
        make_goal("gpt3-175", tokens=1e9)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"currency": "EUR"}, "currency"),
        ({"cost_basis": "lease"}, "cost basis"),
        ({"pue": 0.9}, "pue"),
        ({"supply_share": 1.5}, "supply_share"),
        ({"rack_power_kw": 0}, "rack_power_kw"),
        ({"export_rule": "2019"}, "export rule"),
        ({"supply_units_per_year": {B910: -5}}, "supply_units_per_year"),
    ],
)
def test_options_reject_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        Options(**kwargs)


def test_options_hash_with_mappings():
    assert hash(Options(rental_per_hour={H100: 2.0})) == hash(Options(rental_per_hour={H100: 2.0}))


def test_count_grid_is_smooth_whole_servers_about_ten_percent_apart():
    grid = count_grid(8, 65_536)
    assert (grid % 8 == 0).all() and grid[0] == 8 and grid[-1] <= 65_536
    smooth = set(smooth_numbers(8192).tolist())
    assert all(int(k) in smooth for k in grid // 8)
    ks = smooth_numbers(8192)
    for a, b in zip(grid[:-1] // 8, grid[1:] // 8):
        skipped = ks[(ks > a) & (ks < b)]
        # a gap wider than 10% only where no smooth size lies between (1 -> 2, 10 -> 12, ...)
        assert b / a <= 1.1 + 1e-9 or skipped.size == 0


# -- sizing -------------------------------------------------------------------------------------


def test_rows_have_the_contract_keys(result):
    assert [r["chip"] for r in result.rows] == [B910, H20, A100]
    for row in result.rows:
        assert set(ROW_KEYS) <= set(row)


def test_chips_needed_meet_the_deadline_and_one_size_less_would_not(result, cat, goal):
    for row in result.rows:
        if row["chips_needed"] is None:
            continue
        assert row["train_days"] <= goal.deadline_days
        curve = fleet_curve(row["chip"], goal, catalog=cat)
        grid_answer = curve.counts[np.argmax(curve.days(goal.tokens) <= goal.deadline_days)]
        assert row["chips_needed"] <= grid_answer  # bisection only narrows the grid answer
        smaller = curve.counts[curve.counts < row["chips_needed"]]
        if smaller.size:
            below = point(row["chip"], goal, int(smaller[-1]), catalog=cat)
            assert below["seconds_per_token"] * goal.tokens / 86400 > goal.deadline_days


def test_power_cost_and_racks_come_with_the_row(result):
    b910 = result.rows[0]
    assert b910["facility_mw"] > 0 and b910["energy_mwh"] > 0 and b910["racks"] >= 1 and b910["floor_m2"] > 0
    assert b910["cost"] == pytest.approx(b910["capex"] + b910["electricity_cost"])
    assert b910["currency"] == "CNY" and b910["cost_basis"] == "capex"


def test_export_rules_block_a_controlled_foreign_chip_not_a_domestic_one(result):
    rows = {r["chip"]: r for r in result.rows}
    assert not rows[A100]["feasible"] and any("export-controlled" in r for r in rows[A100]["reasons"])
    assert not any("export" in r for r in rows[B910]["reasons"])
    assert not any("export" in r for r in rows[H20]["reasons"])  # below the October 2023 thresholds


def test_supply_and_an_impossible_deadline_are_reasons(cat, goal):
    opts = Options(supply_units_per_year={B910: 1000.0})
    short = compare(goal, (H100, 256), [B910], opts, catalog=cat)
    row = short.rows[0]
    assert not row["feasible"] and any("supply" in r for r in row["reasons"])
    fast = make_goal(params=7e9, tokens=1e11, deadline_days=0.001)
    row = compare(fast, (H100, 256), [B910], Options(), catalog=cat).rows[0]
    assert row["chips_needed"] is None and not row["feasible"] and "no fleet size meets" in row["reasons"][0]


def test_the_reference_chip_against_itself_needs_no_more_than_the_reference(cat):
    goal = make_goal(params=7e9, tokens=1e11)
    res = compare(goal, (H100, 512), [H100], Options(export_rule="none"), catalog=cat)
    row = res.rows[0]
    assert res.target_days == pytest.approx(res.reference["train_days"])
    assert row["equal_time_chips"] <= 512 and row["chips_per_reference_chip"] <= 1.0
    assert row["equal_cost_chips"] == pytest.approx(512, rel=0.15)


def test_budget_sizes_the_fastest_affordable_fleet(cat):
    goal = make_goal(params=7e9, tokens=1e11, budget=5e7)
    row = compare(goal, (H100, 256), [B910], Options(), catalog=cat).rows[0]
    assert row["sized_by"] == "budget" and row["cost"] <= 5e7 and row["chips_needed"] <= row["max_fabric_chips"]
    tight = compare(goal, (H100, 256), [B910], Options(supply_units_per_year={B910: 100.0}), catalog=cat).rows[0]
    assert tight["chips_needed"] <= 100 and tight["feasible"]  # the budget buys only what supply delivers


def test_a_model_that_fits_nowhere_is_infeasible(cat):
    goal = make_goal("gpt3-175b", tokens=1e11, deadline_days=30)
    with pytest.raises(InputError, match="reference fleet cannot train"):
        compare(goal, (H100, 8), [B910], Options(), catalog=cat)


def test_unknown_candidate_suggests_ids(cat, goal):
    with pytest.raises(InputError, match="did you mean"):
        compare(goal, (H100, 256), ["huawei-ascend-910x"], Options(), catalog=cat)


# -- fronts, sensitivity, two pools --------------------------------------------------------------


def test_pareto_options_front_is_allowed_and_non_dominated(cat, goal):
    front = pareto_options(goal, [H100, B910, H20], Options(site="cn-gansu-qingyang"), catalog=cat)
    on = front["pareto"].astype(bool)
    assert on.any() and front["allowed"][on].all()
    assert not (front["chip"][on] == H100).any()  # export-controlled: never on the front
    x = np.column_stack([front[k].astype(float) for k in ("train_days", "cost", "facility_mw")])[on]
    for i in range(len(x)):
        assert not any(np.all(x[j] <= x[i]) and np.any(x[j] < x[i]) for j in range(len(x)))


def test_sensitivity_ranks_inputs_by_swing(cat, goal):
    rows = sensitivity(goal, B910, Options(site="cn-gansu-qingyang"), target_days=10, catalog=cat, output="cost")
    swings = [r["swing"] for r in rows]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0
    assert {"chip_price", "pue", "utilization"} <= {r["input"] for r in rows}
    with pytest.raises(InputError, match="output"):
        sensitivity(goal, B910, target_days=10, catalog=cat, output="racks")


def test_mixed_fleet_gains_over_each_pool_on_a_fast_link_and_less_across_sites(cat):
    goal = make_goal("gpt3-175b", tokens=3e11)
    near = mixed_fleet(goal, (H100, 256), (B910, 512), Options(), catalog=cat)
    far = mixed_fleet(
        goal, (H100, 256), (B910, 512), Options(), link="cross-site-fibre", link_ports=1, route_km=2000, catalog=cat
    )
    assert near["share_a"] + near["share_b"] == pytest.approx(1.0)
    assert near["gain_vs_a"] > 1 and near["gain_vs_b"] > 1
    assert far["train_days"] > near["train_days"] and far["exchange_share"] > near["exchange_share"]
    assert any("different stacks" in n for n in near["notes"])
    with pytest.raises(InputError, match="pool b"):
        mixed_fleet(goal, (H100, 256), (B910, 0), catalog=cat)


def test_a_small_batch_split_over_two_pools_can_lose_to_the_faster_pool(cat, goal):
    # 7B with a 4M-token batch: 256 H100 alone run one sequence per chip; split, each pool gets too few
    mx = mixed_fleet(goal, (H100, 256), (B910, 512), Options(), catalog=cat)
    slower = mx["train_days"] > min(mx["pool_a"]["train_days"], mx["pool_b"]["train_days"])
    assert slower == any("slower than the faster pool" in n for n in mx["notes"])
    assert mx["gain_vs_best_alone"] == pytest.approx(
        min(mx["pool_a"]["train_days"], mx["pool_b"]["train_days"]) / mx["train_days"]
    )


# -- CLI ----------------------------------------------------------------------------------------

BASE = ["substitute", "--params", "7e9", "--tokens", "1e11", "--reference", f"{H100}:256"]


def test_cli_json_rows(capsys):
    code = cli.main(
        BASE + ["--candidates", f"{B910},{H20}", "--deadline-days", "10", "--site", "cn-gansu-qingyang", "--json"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["chip"] for r in out["candidates"]] == [B910, H20]
    for row in out["candidates"]:
        assert set(ROW_KEYS) <= set(row)
        assert isinstance(row["reasons"], list)
    assert out["reference"]["chip"] == H100 and out["currency"] == "CNY"


def test_cli_table_mix_and_sensitivity(capsys):
    code = cli.main(BASE + ["--candidates", B910, "--deadline-days", "10", "--mix", f"{B910}:512", "--sensitivity"])
    text = capsys.readouterr().out
    assert code == 0
    assert " chips " in text and "mixed:" in text and "sensitivity of chips needed" in text and "Replacing 256" in text


@pytest.mark.parametrize(
    "args, match",
    [
        (["--reference", "h100", "--candidates", B910], "CHIP:COUNT"),
        (["--reference", f"{H100}:0", "--candidates", B910], "at least 1"),
        (["--reference", f"{H100}:256", "--candidates", "huawei-ascend-910x"], "did you mean"),
        (["--reference", f"{H100}:256", "--candidates", B910, "--deadline-days", "0"], "deadline_days"),
        (["--reference", f"{H100}:256", "--candidates", B910, "--supply", "huawei-ascend-910b"], "CHIP=NUMBER"),
    ],
)
def test_cli_bad_input_is_one_line_and_non_zero(capsys, args, match):
    code = cli.main(["substitute", "--params", "7e9", "--tokens", "1e11", *args])
    err = capsys.readouterr().err
    assert code != 0 and match in err and len(err.strip().splitlines()) == 1


# -- dashboard ----------------------------------------------------------------------------------


def test_dashboard_updates_and_shows_bad_input_in_place(cat):
    from suanli.widgets.substitution import SubstitutionPanel

    SubstitutionPanel.strict = True
    try:
        panel = SubstitutionPanel(
            candidates=[B910, H20],
            reference=f"{H100}:256",
            model="llama2-7b"
            if "llama2-7b" in __import__("suanli.scenarios.training", fromlist=["presets"]).presets()
            else "gpt3-175b",
            tokens=1e11,
            deadline_days=10,
            catalog=cat,
        )
        assert panel.ok, panel.error
        before = panel.table.value
        panel.deadline.value = 20
        assert panel.ok and panel.table.value != before
        panel.y_axis.value = "facility_mw"
        assert panel.ok and panel.view.png()[:4] == b"\x89PNG"
        panel.reference.value = "h100"
        assert not panel.ok and "CHIP:COUNT" in panel.error
        panel.reference.value = f"{H100}:256"
        assert panel.ok and panel.error == ""
        panel.candidates.value = ()
        assert not panel.ok and "candidate" in panel.error
    finally:
        SubstitutionPanel.strict = False


def test_a_chip_without_the_precision_says_so_instead_of_blaming_memory(cat):
    goal = make_goal(params=7e9, tokens=1e11, deadline_days=10, precision="fp8")
    row = compare(goal, (H100, 256), [B910], Options(), catalog=cat).rows[0]
    assert not row["feasible"] and row["chips_needed"] is None
    assert "fp8" in row["reasons"][0] and "memory" not in row["reasons"][0]


def test_a_larger_global_batch_lets_more_chips_work(cat):
    small = make_goal(params=7e9, tokens=1e11, global_batch=64)
    large = make_goal(params=7e9, tokens=1e11, global_batch=2048)
    fast_small = fleet_curve(B910, small, catalog=cat).envelope_days(small.tokens).min()
    fast_large = fleet_curve(B910, large, catalog=cat).envelope_days(large.tokens).min()
    assert fast_large < fast_small


def test_a_deadline_fleet_over_the_budget_is_infeasible(cat):
    goal = make_goal(params=7e9, tokens=1e11, deadline_days=10, budget=1_000)
    row = compare(goal, (H100, 256), [B910], Options(), catalog=cat).rows[0]
    assert row["sized_by"] == "deadline" and not row["feasible"] and "over the 1,000 budget" in row["reasons"][0]


def test_a_small_scale_up_domain_is_named_in_the_reasons(cat):
    small = [a.id for a in cat.accelerators.values() if (a.scaleup_domain or 1) < 8 and a.stack == "cuda"]
    if not small:
        pytest.skip("the catalog has no CUDA chip with a scale-up domain below 8")
    goal = make_goal(params=7e9, tokens=1e11, deadline_days=30)
    row = compare(goal, (H100, 256), [small[0]], Options(export_rule="none"), catalog=cat).rows[0]
    assert any("scale-up domain of" in r for r in row["reasons"])


def test_rental_costs_use_given_or_catalog_rates_and_include_power(cat, goal):
    opts = Options(cost_basis="rental", rental_per_hour={B910: 10.0}, site="cn-gansu-qingyang")
    row = compare(goal, (H100, 256), [B910], opts, catalog=cat).rows[0]
    hours = row["train_days"] * 24
    assert row["cost"] == pytest.approx(10.0 * row["chips_needed"] * hours)
    assert row["cost_includes"] == ["rental (power included)"] and row["electricity_cost"] is None


def test_a_system_price_does_not_pay_for_the_server_twice(cat, goal):
    from suanli.models.power import DEFAULTS
    from suanli.scenarios.substitution import server_share

    systems = [a for a in cat.accelerators.values() if a.price_basis == "system"]
    chips = [a for a in cat.accelerators.values() if a.price_basis in (None, "chip")]
    if systems:
        assert server_share(systems[0]) == 0.0
    assert server_share(chips[0]) == DEFAULTS.server_capex_fraction


def test_uncertain_flag_gives_ordered_percentiles_per_candidate():
    import contextlib
    import io
    import json

    from suanli.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(
            [
                "substitute",
                "--model",
                "gpt3-175b",
                "--tokens",
                "300e9",
                "--reference",
                "nvidia-h100-sxm5-80gb:10000",
                "--candidates",
                "huawei-ascend-910b",
                "--deadline-days",
                "30",
                "--uncertain",
                "--samples",
                "500",
                "--json",
            ]
        )
    assert code == 0
    row = json.loads(buf.getvalue())["candidates"][0]
    days = row["ranges"]["train_days"]
    assert days["p10"] <= days["p50"] <= days["p90"]
    assert days["p10"] < row["train_days"] < days["p90"]
