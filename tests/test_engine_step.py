"""Engine v2: step time from fixed-layout benchmarks, framework profiles, the global-batch policy."""

import json

import numpy as np
import pytest

from suanli import hookimpl
from suanli.catalog import PluginInfo, build_catalog
from suanli.cli import main
from suanli.errors import InputError
from suanli.frameworks import FEATURES, bundled_profiles, resolve
from suanli.models import defaults as D
from suanli.models.workload import critical_batch_tokens, optimal_batch_tokens, policy_global_batch
from suanli.scenarios import step_backtest
from suanli.scenarios.training import estimate

H100 = "nvidia-h100-sxm5-80gb"
A100 = "nvidia-a100-sxm4-80gb"
ISSUE_340B = {
    "params": 340e9,
    "layers": 96,
    "hidden": 18432,
    "heads": 96,
    "seq": 4096,
    "tokens": 9e12,
    "chip": H100,
    "count": 16384,
}


# --- framework profiles -------------------------------------------------------------------------


def test_every_required_framework_is_bundled_with_evidence_for_each_feature():
    profiles = bundled_profiles()
    for name in (
        "default",
        "megatron-lm",
        "nemo",
        "deepspeed",
        "gpt-neox",
        "llm-foundry",
        "nanotron",
        "maxtext",
        "mindspeed",
    ):
        prof = profiles[name]
        for feat in FEATURES:
            if feat == "kernel_efficiency" and prof.kernel_efficiency is None:
                continue
            src = prof.evidence[feat]
            assert src.citation and (src.url or src.confidence == "estimate"), (name, feat)
        assert json.dumps(prof.as_dict())


def test_frameworks_differ_where_their_evidence_says():
    p = bundled_profiles()
    assert p["megatron-lm"].flash_attention == 0 and p["megatron-lm"].tp_overlap == 0.0
    assert p["nemo"].tp_overlap > 0 and p["nemo"].dp_overlap == 1.0
    assert not p["deepspeed"].interleaved_pipeline and 3 in p["deepspeed"].zero_stages
    assert not p["llm-foundry"].tensor_parallel and not p["llm-foundry"].pipeline_parallel


def test_llm_foundry_searches_only_sharded_data_parallel_layouts():
    est = estimate("llama2-7b", tokens=1e12, chip=H100, count=64, framework="llm-foundry")
    assert est.layout["tp"] == 1 and est.layout["pp"] == 1 and est.layout["zero"] in (2, 3)
    assert est.details["framework"] == "llm-foundry"


def test_unknown_framework_is_one_sentence_with_a_suggestion():
    with pytest.raises(InputError, match="did you mean 'megatron-lm'"):
        resolve("megatron-llm")


def test_suanli_frameworks_hook_adds_a_profile_and_isolates_a_bad_plugin():
    src = {"citation": "an in-house trainer's design note", "confidence": "estimate", "note": "guessed for the test"}

    class Good:
        @staticmethod
        @hookimpl
        def suanli_frameworks():
            return [
                {
                    "id": "acme-trainer",
                    "name": "Acme",
                    "url": "https://example.org",
                    "flash_attention": 2,
                    "tp_overlap": 0.5,
                    "dp_overlap": 1.0,
                    "pp_overlap": 0.0,
                    "fused_kernels": True,
                    "zero_stages": [0, 1],
                    "evidence": {f: src for f in FEATURES if f != "kernel_efficiency"},
                }
            ]

    class Bad:
        @staticmethod
        @hookimpl
        def suanli_frameworks():
            return [{"id": "broken", "flash_attention": 7}]

    cat = build_catalog([(PluginInfo("good"), lambda: Good), (PluginInfo("bad"), lambda: Bad)])
    assert "acme-trainer" in cat.frameworks and "megatron-lm" in cat.frameworks and "broken" not in cat.frameworks
    assert any(p.plugin.name == "bad" and "suanli_frameworks" in p.reason for p in cat.problems)
    assert cat.frameworks["acme-trainer"].plugin == "good"


# --- step time against published fixed layouts ------------------------------------------------------


def test_step_time_matches_korthikanti_2022_table5():
    # Korthikanti et al. 2022, arXiv:2205.05198, Table 5: eight iteration times of Megatron-LM on A100
    # (22B to 1T, full recompute and SP + selective). Issue 14's bar: mean |error| <= 8%, the best open
    # analytical model (Calculon) gets 3.65% mean / 8.87% max.
    rows = [r for r in step_backtest.load_rows() if r["paper"] == "korthikanti2022"]
    res = step_backtest.run(rows=rows)
    assert len(res) == 8 and all("error" in r for r in res)
    err = np.abs([r["error"] for r in res])
    assert err.mean() <= 0.08
    assert err.max() <= 0.15


def test_megascale_175b_iteration_matches_jiang_2024_table2():
    # Jiang et al. 2024 (MegaScale), arXiv:2402.15627, Table 2: 175B on 12,288 GPUs, batch 6144: 6.34 s
    # (MegaScale) and 8.57 s (the Megatron-LM baseline); the stack's overlaps make the difference.
    rows = {r["id"]: r for r in step_backtest.run() if r["paper"] == "megascale2024"}
    assert abs(rows["megascale-175b-12288"]["error"]) <= 0.10
    assert rows["megascale-megatron-175b-12288"]["predicted"] > 1.2 * rows["megascale-175b-12288"]["predicted"]


def test_llama3_405b_mfu_is_within_a_quarter_of_table4():
    # Llama Team 2024, arXiv:2407.21783, Table 4: BF16 MFU 43% (8,192 H100) and 41% (16,384 H100) at seq 8,192.
    # Meta's stack runs faster than the median H100 evidence (Megatron-Core, Nemotron-4, llm-foundry) the Hopper
    # factor is fitted on, so the model is below the table: a known miss of about a fifth, not more.
    rows = {r["id"]: r for r in step_backtest.run() if r["paper"] == "llama3-2024"}
    for rid in ("llama3-405b-8192", "llama3-405b-16384"):
        assert 0.30 <= rows[rid]["predicted"] <= 0.48, rows[rid]
        assert abs(rows[rid]["error"]) <= 0.25, rows[rid]


def test_hidden_communication_slows_the_compute_beside_it():
    # Lee et al. 2025, arXiv:2507.03114: overlapped compute runs 18.9% slower on average.
    from suanli.models.performance import hidden_communication_seconds

    assert D.OVERLAP_SLOWDOWN.value == pytest.approx(0.189)
    assert hidden_communication_seconds(1.0, 2.0) == pytest.approx(0.189)  # hidden, not free
    assert hidden_communication_seconds(3.0, 2.0) == pytest.approx(1.0 + 0.189 * 2.0)  # the excess is exposed
    assert hidden_communication_seconds(1.0, 2.0, overlap_slowdown=0.0) == 0.0
    assert hidden_communication_seconds(1.0, 0.0) == pytest.approx(1.0)  # no window: all exposed


def test_gemm_half_dim_scales_with_the_roofline_ridge():
    from suanli.models.performance import gemm_half_dim

    ref = D.GEMM_REFERENCE_RIDGE_FLOP_PER_BYTE.value
    assert gemm_half_dim(ref * 1e12, 1e12) == pytest.approx(D.GEMM_HALF_DIM.value)
    assert gemm_half_dim(2 * ref * 1e12, 1e12) == pytest.approx(2 * D.GEMM_HALF_DIM.value)


def test_generation_kernel_factor_is_sourced_and_falls_back_with_a_note():
    hopper, src = D.kernel_factor("Hopper")
    assert hopper == D.GENERATION_KERNEL_FACTOR["Hopper"].value and src.citation
    assert D.kernel_factor("Ampere") == (1.0, None)
    blackwell, bsrc = D.kernel_factor("Blackwell")
    assert blackwell == hopper and bsrc.confidence == "estimate" and "Blackwell" in bsrc.note
    from suanli.scenarios.training import hardware, input_sources

    rows = {r.name: r for r in input_sources(H100)}
    assert rows["stack_efficiency"].value == pytest.approx(D.STACK_EFFICIENCY.value * hopper)
    assert "Hopper" in rows["stack_efficiency"].source.citation
    assert hardware(H100).kernel_factor == hopper and hardware(A100).kernel_factor == 1.0


def test_joint_fit_recovers_a_planted_stack_value_and_generation_factor():
    # rows whose time error is zero at kernel efficiency `true`: log(1 + e) = log(true / grid)
    grid = step_backtest.GRID
    truth = [0.9] * 5 + [0.9 * 0.8] * 5 + [0.7] * 3 + [0.7 * 0.8] * 3
    mat = np.log(np.array(truth)[:, None] / grid[None, :])
    groups = ["shared"] * 10 + ["fw"] * 6
    fams = ["Ampere"] * 5 + ["Hopper"] * 5 + ["Ampere"] * 3 + ["Hopper"] * 3
    values, fac = step_backtest._joint_fit(mat, groups, fams, np.ones(16, bool), ("Hopper",))
    assert values["shared"] == pytest.approx(0.9, abs=0.005) and values["fw"] == pytest.approx(0.7, abs=0.005)
    assert fac["Hopper"] == pytest.approx(0.8, abs=0.005)


def test_every_step_benchmark_row_is_sourced_and_runs():
    rows = step_backtest.load_rows()
    assert len(rows) >= 20
    for r in rows:
        assert r["source"] and r["quote"] and r["framework"] in bundled_profiles(), r["id"]
    assert all("error" in r for r in step_backtest.run(rows=rows)), "every row must run on the bundled catalog"


def test_shipped_kernel_efficiency_is_the_calibrated_one():
    res = step_backtest.calibrate(rows=[r for r in step_backtest.load_rows() if r["paper"] != "llama3-2024"][:6])
    assert 0.7 <= res["stack_efficiency"] <= 1.0 and all(np.isfinite(r["loo_error"]) for r in res["rows"])
    assert 0.8 <= D.STACK_EFFICIENCY.value <= 0.95


def test_rows_kept_out_of_the_fit_are_reported_with_a_reason():
    rows = [r for r in step_backtest.load_rows() if r["paper"] == "llama3-2024"]
    res = step_backtest.calibrate(rows=rows)
    out = {r["id"]: r for r in res["rows"]}
    for rid, why in step_backtest.NOT_FITTED.items():
        if rid in out:
            assert out[rid]["fitted"] is False and why


def test_faster_attention_and_overlap_never_slow_a_step():
    base = {
        "tokens": 300e9,
        "chip": A100,
        "count": 64,
        "tp": 8,
        "pp": 8,
        "dp": 1,
        "micro_batch": 1,
        "interleave": 3,
        "global_batch": 64,
        "recompute": "selective",
        "zero": 0,
        "runners_up": 0,
    }
    unfused = estimate("gpt3-175b", framework="megatron-lm", **base)
    flash = estimate("gpt3-175b", framework="megatron-lm", flash_attention=2, **base)
    assert flash.step_time_s < unfused.step_time_s
    assert estimate("gpt3-175b", framework="megascale", **base).step_time_s < flash.step_time_s


def test_context_parallelism_is_searched_for_long_sequences_only():
    short = estimate("llama3-405b", tokens=1e12, chip=H100, count=16384, runners_up=0)
    assert short.layout["cp"] == 1
    long = estimate("llama3-405b", seq=131072, tokens=1e12, chip=H100, count=16384, global_batch=128, runners_up=0)
    assert long.layout["cp"] > 1
    assert long.layout["tp"] * long.layout["cp"] * long.layout["pp"] * long.layout["dp"] == 16384


# --- global batch policy --------------------------------------------------------------------------


def test_batch_policy_functions_at_published_points():
    # GPT-3 175B / 300B tokens: critical batch 7.3M tokens against the 3.2M GPT-3 used (Brown et al. 2020);
    # DeepSeek LLM 2024 eq. 1 at 1e24 FLOPs: 0.292 x 1e24^0.3271 tokens.
    assert critical_batch_tokens(175e9, 300e9) == pytest.approx(7.33e6, rel=0.02)
    assert optimal_batch_tokens(1e24) == pytest.approx(0.292 * 1e24**0.3271)
    seqs, rule = policy_global_batch(405e9, 15.6e12, 8192, 16384, 8)
    assert 1e6 < seqs * 8192 < 2.5e7 and "critical" in rule


def test_the_issue_340b_case_reaches_30pct_mfu_with_a_named_batch(capsys):
    est = estimate(**ISSUE_340B, runners_up=0)
    assert est.mfu >= 0.30
    assert est.details["global_batch_sequences"] == est.layout["global_batch"]
    assert est.details["global_batch_rule"]
    argv = [
        "estimate",
        "--params",
        "340e9",
        "--layers",
        "96",
        "--hidden",
        "18432",
        "--heads",
        "96",
        "--seq",
        "4096",
        "--tokens",
        "9e12",
        "--chip",
        H100,
        "--count",
        "16384",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"global batch: {est.layout['global_batch']:,} sequences" in out and "rule:" in out
    assert main(argv + ["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["details"]["global_batch_rule"] == est.details["global_batch_rule"]


def test_a_given_batch_is_honoured_exactly_or_refused():
    est = estimate("gpt3-175b", tokens=300e9, chip=A100, count=1024, global_batch=1536, runners_up=0)
    assert est.layout["global_batch"] == 1536 and est.details["global_batch_rule"] == "given"
    with pytest.raises(InputError, match="exactly"):
        estimate(
            "gpt3-175b",
            tokens=300e9,
            chip=A100,
            count=1000,
            global_batch=1537,
            tp=8,
            pp=5,
            runners_up=0,
            uneven_pipeline=True,
        )


def test_run_kind_benchmark_has_no_whole_run_losses():
    prod = estimate("gpt3-175b", tokens=300e9, chip=A100, count=1024, runners_up=0)
    bench = estimate("gpt3-175b", tokens=300e9, chip=A100, count=1024, runners_up=0, run_kind="benchmark")
    assert bench.step_time_s == pytest.approx(prod.step_time_s) and bench.mfu == pytest.approx(prod.mfu)
    assert bench.goodput == pytest.approx(1.0) and bench.train_days < prod.train_days
    with pytest.raises(InputError, match="run_kind"):
        estimate("gpt3-175b", tokens=300e9, chip=A100, count=1024, run_kind="sprint")


def test_shipped_step_constants_are_the_current_fit():
    # a stale constant fails here: re-run `python benchmarks/calibrate_step.py` and update the shipped values
    from suanli.frameworks import bundled_profiles

    res = step_backtest.calibrate()
    assert abs(res["stack_efficiency"] - D.STACK_EFFICIENCY.value) <= 0.02
    for fam, value in res["generation_factor"].items():
        assert abs(value - D.GENERATION_KERNEL_FACTOR[fam].value) <= 0.02, fam
    for fw, value in res["framework_efficiency"].items():
        assert abs(value - bundled_profiles()[fw].kernel_efficiency) <= 0.02, fw
    kor = [r for r in res["rows"] if r["paper"] == "korthikanti2022"]
    assert np.mean([abs(r["loo_error"]) for r in kor]) <= 0.10
