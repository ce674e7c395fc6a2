"""The CUDA-compatibility model: hand-computed cases, exactly 1 on CUDA, monotone in every input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suanli.errors import InputError
from suanli.models import compat
from suanli.spec import OP_CLASSES, SoftwareStack, Source

SRC = Source(citation="test case", confidence="estimate", note="hand-built for a test")


def make_stack(profile=None, **fields):
    """A stack that is native everywhere except where ``profile`` says otherwise."""
    entries = {op: {"native": 1.0} for op in OP_CLASSES}
    for op, entry in (profile or {}).items():
        entries[op] = entry
    return SoftwareStack(
        id="test-stack",
        vendor="Test",
        name="Test stack",
        stack_kind="translation",
        op_profile=entries,
        op_sources={op: SRC for op in OP_CLASSES},
        sources={k: SRC for k in fields},
        **fields,
    )


# -- hand-computed values ---------------------------------------------------------------------


def test_class_time_factor_by_hand():
    # 1 + 0.5 (1/0.5 - 1) + 0.25 (1/0.25 - 1) = 1 + 0.5 + 0.75
    assert compat.class_time_factor(0.5, 0.25, 0.5, 0.25) == pytest.approx(2.25)
    assert compat.class_time_factor(0.0, 0.0, 0.3, 0.3, library_efficiency=0.5) == pytest.approx(2.0)


def test_slowdown_losses_chips_break_even_by_hand():
    w, f = np.array([0.6, 0.4]), np.array([2.25, 1.0])
    assert compat.slowdown(w, f) == pytest.approx(0.6 * 2.25 + 0.4)
    np.testing.assert_allclose(compat.class_losses(w, f), [0.75, 0.0])
    assert compat.extra_chips(100, 1.75) == pytest.approx(75)
    assert compat.extra_days(40, 1.75) == pytest.approx(30)
    assert compat.porting_gain(w, [2.25, 2.5], [1.0, 0.5]) == pytest.approx([0.75, 0.4 * (2.5 - 2)])
    with pytest.raises(InputError, match="at least 1/g"):  # a factor of 1 cannot include a library at half speed
        compat.porting_gain(w, f, [1.0, 0.5])
    assert compat.break_even_chips(75_000, 0.75, 1_000) == pytest.approx(100)
    assert compat.break_even_chips(1.0, 0.0, 1_000) == np.inf


def test_whole_estimate_by_hand():
    stack = make_stack(
        {"gemm": {"translated": 0.5, "translated_efficiency": 0.5, "port_engineer_months": 10}},
        collective_efficiency=0.5,
    )
    shares = {"gemm": 0.5, "collectives": 0.1, "elementwise": 0.4}
    res = compat.compat_estimate(stack, shares, chips=1000, days=30, chip_price=20_000, cost_per_engineer_month=10_000)
    # gemm: 1 + 0.5 (2 - 1) = 1.5; collectives 1/0.5 = 2 -> S = 0.75 + 0.2 + 0.4 = 1.35
    assert res.slowdown["central"] == pytest.approx(1.35)
    assert res.slowdown["best"] == res.slowdown["worst"] == pytest.approx(1.35)
    losses = {r["op_class"]: r["loss"]["central"] for r in res.losses}
    assert losses["gemm"] == pytest.approx(0.25) and losses["collectives"] == pytest.approx(0.1)
    assert res.dominant == ["gemm", "collectives"]
    assert res.extra_chips["central"] == pytest.approx(350)
    assert res.extra_days["central"] == pytest.approx(10.5)
    assert res.extra_cost["chips"]["central"] == pytest.approx(350 * 20_000)
    assert res.feasible_as_is and not res.porting_required
    # porting gemm: 10 engineer-months x 10k = 100k, removes 0.25 of S -> break-even 100k / (0.25 x 20k) = 20 chips
    be = res.porting_break_even
    assert be["classes"] == ["gemm"]  # a kernel port cannot fix the collective library
    assert be["break_even_chips"]["central"] == pytest.approx(20)
    assert be["slowdown_after"]["central"] == pytest.approx(1.10)
    assert be["chips_saved"]["central"] == pytest.approx(250)


def test_unsupported_is_a_porting_requirement_not_a_speed():
    stack = make_stack({"custom_kernels": {"unsupported": 0.4, "port_engineer_months": 5}})
    res = compat.compat_estimate(
        stack, {"gemm": 0.9, "custom_kernels": 0.1}, chips=100, chip_price=10_000, cost_per_engineer_month=20_000
    )
    assert not res.feasible_as_is
    assert res.slowdown["central"] == pytest.approx(1.0)
    (req,) = res.porting_required
    assert req["op_class"] == "custom_kernels"
    assert req["engineer_months"]["central"] == pytest.approx(5.0)  # all of the class's non-native share
    assert req["cost_usd"]["central"] == pytest.approx(100_000)
    assert res.extra_cost["total"]["central"] == pytest.approx(100_000)


def test_ranges_give_ordered_bounds_and_monte_carlo_inside():
    stack = make_stack(
        {"attention": {"fallback": [0.1, 0.5], "fallback_efficiency": [0.2, 0.6]}}, framework_efficiency=0.8
    )
    res = compat.compat_estimate(stack, None, chips=512, samples=2000, seed=3)
    s = res.slowdown
    assert s["best"] < s["central"] < s["worst"]
    assert s["best"] <= s["p10"] <= s["p50"] <= s["p90"] <= s["worst"]
    again = compat.compat_estimate(stack, None, chips=512, samples=2000, seed=3)
    assert again.slowdown == s


# -- CUDA is exactly 1 -----------------------------------------------------------------------


def test_cuda_slowdown_is_exactly_one():
    from suanli.catalog import load_catalog

    cuda = load_catalog().stack("cuda")
    for kind in compat.FALLBACK_WORKLOADS:
        res = compat.compat_estimate(
            cuda, compat.workload_profile(kind=kind), chips=1000, chip_price=30_000, samples=50
        )
        assert all(v == 1.0 for v in res.slowdown.values())
        assert res.extra_chips == {"best": 0.0, "central": 0.0, "worst": 0.0}
        assert res.feasible_as_is and res.programme == []


# -- monotone in every coverage and efficiency input ------------------------------------------

unit = st.floats(0.0, 1.0, allow_nan=False)
eff = st.floats(0.05, 1.0, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    t=unit,
    b=unit,
    et=eff,
    eb=eff,
    lib=eff,
    w=st.lists(unit, min_size=8, max_size=8),
    op=st.integers(0, 7),
    bump=st.floats(0.0, 0.5),
    which=st.sampled_from(["t", "b", "et", "eb", "lib"]),
)
def test_slowdown_is_monotone(t, b, et, eb, lib, w, op, bump, which):
    weights = np.array(w) + 1e-3
    weights /= weights.sum()
    t, b = t * 0.5, b * 0.5  # keep t + b <= 1
    base = {"t": np.full(8, t), "b": np.full(8, b), "et": np.full(8, et), "eb": np.full(8, eb), "lib": np.full(8, lib)}
    moved = {k: v.copy() for k, v in base.items()}
    if which in ("t", "b"):
        moved[which][op] = min(moved[which][op] + bump, 0.5)  # more time off the native path
    else:
        moved[which][op] = min(moved[which][op] + bump, 1.0)  # a faster path

    def s(p):
        return compat.slowdown(weights, compat.class_time_factor(p["t"], p["b"], p["et"], p["eb"], p["lib"]))

    if which in ("t", "b"):
        assert s(moved) >= s(base) - 1e-12
    else:
        assert s(moved) <= s(base) + 1e-12
    assert s(base) >= 1.0 - 1e-12


def test_vectorised_sweep_is_one_call():
    fallback = np.linspace(0, 1, 101)[:, None]  # 101 profiles x 8 classes
    f = compat.class_time_factor(np.zeros((1, 8)), fallback * np.ones(8), 1.0, 0.25)
    s = compat.slowdown(compat.workload_profile(), f)
    assert s.shape == (101,) and s[0] == 1.0 and np.all(np.diff(s) > 0)
    assert s[-1] == pytest.approx(4.0)


# -- workload profile and bad input ---------------------------------------------------------


def test_workload_profile_overrides_keep_the_sum():
    w = compat.workload_profile(kind="moe", overrides={"custom_kernels": 0.2})
    assert w.sum() == pytest.approx(1.0) and w[OP_CLASSES.index("custom_kernels")] == pytest.approx(0.2)
    eng = compat.workload_profile({"gemm": 3, "attention": 1})  # engine shares are normalised
    assert eng[0] == pytest.approx(0.75)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: compat.workload_profile(kind="sparse"), "workload kind"),
        (lambda: compat.workload_profile({"gemmm": 1.0}), "unknown op class"),
        (lambda: compat.workload_profile(overrides={"gemm": 1.5}), "0..1"),
        (lambda: compat.compat_estimate(make_stack(), chips=0), "chips"),
        (lambda: compat.compat_estimate(make_stack(), currency="EUR"), "currency"),
        (
            lambda: compat.compat_estimate(
                make_stack(), overrides={"gemm": {"translated_efficiency": 1.5, "translated": 0.1}}
            ),
            "(0, 1]",
        ),
        (lambda: compat.compat_estimate(make_stack(), overrides={"gemm": {"fallback": [0.6, 0.2]}}), "increasing"),
        (lambda: compat.compat_estimate(make_stack(), overrides={"atention": {"fallback": 0.1}}), "unknown op class"),
        (lambda: compat.compat_estimate(make_stack(), samples=-1), "samples"),
    ],
)
def test_bad_input_is_one_sentence(call, words):
    with pytest.raises(InputError) as err:
        call()
    assert words in str(err.value) and "\n" not in str(err.value)


def test_stack_step_efficiency_is_one_over_slowdown():
    stack = make_stack({"gemm": {"translated": 0.5, "translated_efficiency": 0.5}})
    eff = compat.stack_step_efficiency(stack, {"gemm": 0.5, "elementwise": 0.5})
    assert eff["central"] == pytest.approx(1 / 1.25)
    from types import SimpleNamespace

    # an engine Estimate (anything with .op_shares) is accepted as the workload
    assert compat.workload_profile(SimpleNamespace(op_shares={"gemm": 1.0}))[0] == 1.0


@settings(max_examples=60, deadline=None)
@given(
    op=st.sampled_from(OP_CLASSES),
    key=st.sampled_from(
        [
            "translated",
            "fallback",
            "translated_efficiency",
            "fallback_efficiency",
            "collective_efficiency",
            "framework_efficiency",
        ]
    ),
    lo=st.floats(0.05, 0.45),
    bump=st.floats(0.0, 0.5),
)
def test_whole_estimate_is_monotone_in_each_stack_input(op, key, lo, bump):
    from suanli.catalog import load_catalog

    stack = load_catalog().stack("hygon-dtk")
    hi = min(lo + bump, 0.5) if "efficiency" not in key else min(lo + bump, 1.0)
    if key in ("collective_efficiency", "framework_efficiency"):
        over_lo, over_hi = {"stack": {key: lo}}, {"stack": {key: hi}}
    else:
        base = {
            "translated": 0.2,
            "fallback": 0.2,
            "unsupported": 0.0,
            "translated_efficiency": 0.5,
            "fallback_efficiency": 0.3,
        }
        over_lo, over_hi = {op: {**base, key: lo}}, {op: {**base, key: hi}}
    s_lo = compat.compat_estimate(stack, overrides=over_lo).slowdown
    s_hi = compat.compat_estimate(stack, overrides=over_hi).slowdown
    for case in compat.CASES:
        if "efficiency" in key:
            assert s_hi[case] <= s_lo[case] + 1e-12
        else:
            assert s_hi[case] >= s_lo[case] - 1e-12
