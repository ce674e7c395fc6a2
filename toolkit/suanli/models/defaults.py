"""Every calibration constant of the training-time engine, in one place, each with its source.

The engine (``suanli.scenarios.training``) and its models read their defaults from here and nowhere else, so a
reviewer sees at once what is measured, what is taken from a paper and what is an estimate. Each
constant is a :class:`Default`: a value plus a :class:`suanli.spec.Source`. An ``estimate`` says how
it was made.

The constants fitted to public evidence are few and each says so: the kernel efficiency
(:data:`STACK_EFFICIENCY`), the chip-generation factor (:data:`GENERATION_KERNEL_FACTOR`) and the per-layer
kernel overhead (:data:`KERNEL_OVERHEAD_S_PER_LAYER`), on published fixed-layout steps
(``suanli.scenarios.step_backtest.calibrate``); the run-level residual (:data:`RUN_EFFICIENCY`) on whole runs
(``suanli.scenarios.backtest.calibrate``). Both fits report leave-one-out errors; ``python -m suanli.calibrate`` re-runs them.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from suanli.spec import Source


@dataclass(frozen=True)
class Default:
    """A default value with its unit and source."""

    value: float
    unit: str
    source: Source

    def __float__(self) -> float:
        return float(self.value)


_KORTHIKANTI = Source(
    "Korthikanti et al. 2022, 'Reducing Activation Recomputation in Large Transformer Models', arXiv:2205.05198",
    url="https://arxiv.org/abs/2205.05198",
    date="2022-05",
    confidence="paper",
)
_ZERO = Source(
    "Rajbhandari et al. 2020, 'ZeRO: Memory Optimizations Toward Training Trillion Parameter Models', arXiv:1910.02054, Sec 3.1",
    url="https://arxiv.org/abs/1910.02054",
    date="2020",
    confidence="paper",
)
_LLAMA3 = Source(
    "Llama Team 2024, 'The Llama 3 Herd of Models', arXiv:2407.21783, Sec 3.3.4 and Table 5",
    url="https://arxiv.org/abs/2407.21783",
    date="2024-07",
    confidence="paper",
)
_MEGASCALE = Source(
    "Jiang et al. 2024, 'MegaScale: Scaling Large Language Model Training to More Than 10,000 GPUs', NSDI'24, arXiv:2402.15627, Sec 4, 6.3",
    url="https://arxiv.org/abs/2402.15627",
    date="2024-02",
    confidence="paper",
)

# --- compute ---------------------------------------------------------------------------------

MATMUL_EFFICIENCY = Default(
    0.80,
    "fraction of dense peak",
    Source(
        "BAAI FlagPerf GEMM benchmarks (A100-40GB SXM: BF16 GEMM 259.2 of 312 TFLOP/s = 83.1%, FP16 80.6%)",
        url="https://github.com/FlagOpen/FlagPerf",
        date="2024",
        confidence="estimate",
        note="used when a chip has no matmul_efficiency; rounded down from the A100 measurement (83%) "
        "because most other chips sustain a smaller share of their peak",
    ),
)

GEMM_HALF_DIM = Default(
    96.0,
    "elements",
    Source(
        "NVIDIA 'Matrix Multiplication Background User's Guide' (GEMM throughput vs. size; tile quantisation)",
        url="https://docs.nvidia.com/deeplearning/performance/dl-performance-matrix-multiplication/",
        date="2023",
        confidence="estimate",
        note="small-GEMM curve eff(d) = d/(d + d_half) on the smallest per-device GEMM dimension d "
        "(hidden/TP, ffn/TP, tokens per micro-batch); d_half=96 puts a 1536-wide shard at 94% and a "
        "256-wide shard at 73% of the large-GEMM rate, the shape of the guide's throughput-vs-size plots",
    ),
)

GEMM_REFERENCE_RIDGE_FLOP_PER_BYTE = Default(
    180.0,
    "FLOP per byte",
    Source(
        "NVIDIA A100 Tensor Core GPU datasheet (312 TFLOP/s BF16 dense; 2,039 GB/s HBM2e on the 80 GB SXM4) with the "
        "catalog's achievable share of HBM bandwidth (85%): 312e12 / 1.733e12",
        url="https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf",
        confidence="datasheet",
        note="the roofline ridge at which GEMM_HALF_DIM was set; other chips scale the half-size dimension by their "
        "own ridge (suanli.models.performance.gemm_half_dim, after Williams et al. 2009)",
    ),
)

STACK_EFFICIENCY = Default(
    0.93,
    "fraction of the sustained GEMM rate",
    Source(
        "suanli step-time calibration over toolkit/suanli/data/step_benchmarks.csv (suanli.scenarios.step_backtest.calibrate; "
        "benchmarks/calibrate_step.py): published iteration times and MFU of fixed layouts only (Korthikanti et al. 2022 "
        "Table 5, Narayanan et al. 2021 Table 1, Smith et al. 2022, BLOOM, GLM-130B, MegaScale Table 2, Llama 3 Table 4, "
        "Megatron-Core and Nemotron-4 on H100, llm-foundry, MLPerf)",
        confidence="estimate",
        note="the share of the chip's sustained GEMM rate a Megatron-class training stack reaches over a whole layer "
        "(kernel gaps and small ops the model does not itemise), on the Ampere rows it is anchored to; fitted jointly "
        "with the Hopper factor (GENERATION_KERNEL_FACTOR) and the DeepSpeed and llm-foundry stacks' own values as the "
        "value that zeroes the median log error (0.932 on 2026-12-07, rounded). Whole-run losses are NOT in it; the "
        "per-layer kernel overhead and the overlap slowdown are itemised apart. Leave-one-paper-out mean error 9.0%",
    ),
)

GENERATION_KERNEL_FACTOR = {
    "Hopper": Default(
        0.85,
        "fraction of the calibrated kernel efficiency",
        Source(
            "suanli step-time calibration (benchmarks/calibrate_step.py) over the H100 rows of "
            "toolkit/suanli/data/step_benchmarks.csv: Megatron-Core r0.8.0 weak and strong scaling (NVIDIA Megatron-LM "
            "README), Nemotron-4 15B and 340B (arXiv:2402.16819 Table 2, arXiv:2406.11704 Table 2), Llama 3 405B "
            "(arXiv:2407.21783 Table 4), MLPerf Training v3.1 and the llm-foundry H100 tables",
            confidence="estimate",
            note="fitted jointly with the stacks' kernel efficiencies: the same stack reaches a smaller share of an "
            "H100's sustained GEMM rate over a whole layer than of an A100's (its ridge point is twice as high, so "
            "every memory-bound gap and launch costs twice the FLOPs); the A100 rows set the stacks' values",
        ),
    ),
}
"""Kernel efficiency of a chip generation relative to the Ampere rows the stack values are fitted on. A family not
listed takes 1 (its chip efficiency is anchored to the A100's, see suanli.chip_evidence), except Blackwell, which
has no published fixed-layout steps in the set and takes Hopper's value (:func:`kernel_factor`)."""

KERNEL_FACTOR_FALLBACK = {"Blackwell": "Hopper"}
"""Families without fixed-layout evidence of their own and the fitted family whose factor they take (an estimate)."""


def kernel_factor(family: str | None) -> tuple[float, Source | None]:
    """The kernel-efficiency factor of a chip family and its source (1 and None for the reference generations).

    References: see :data:`GENERATION_KERNEL_FACTOR` (fitted on published fixed-layout steps).
    """
    if family is not None and not isinstance(family, str):
        from suanli.errors import InputError

        raise InputError(f"family must be a chip family name (text) or None, got {family!r}")
    fam = KERNEL_FACTOR_FALLBACK.get(family or "", family or "")
    d = GENERATION_KERNEL_FACTOR.get(fam)
    if d is None:
        return 1.0, None
    if fam != family:
        src = Source(
            d.source.citation,
            d.source.url,
            d.source.date,
            "estimate",
            f"no published fixed-layout steps for {family}: {fam}'s fitted factor is used. " + d.source.note,
        )
        return float(d.value), src
    return float(d.value), d.source


RUN_EFFICIENCY = Default(
    0.80,
    "fraction: 1 / (1 + residual overhead) of a production run",
    Source(
        "suanli whole-run calibration (python -m suanli.calibrate; suanli.scenarios.backtest.calibrate): reviewed production "
        "whole-run rows of toolkit/suanli/data/training_runs.csv published up to 2023, after the step model and the "
        "sourced run-level items of suanli.models.goodput",
        confidence="estimate",
        note="the residual of a production run, shown as its own line: what failures, checkpoints, evaluation, stalls "
        "and ramp-up (each sourced) leave unexplained on 16 public runs (0.797 on 2026-12-07, rounded): hardware "
        "bring-up, loss-spike rollbacks, manual restarts, slower clusters and stacks than the step model assumes. "
        "Tested on the 2024-25 runs (held out, median error 14.5%); leave-one-out re-fits are reported by "
        "`suanli backtest --loo`. A benchmark (run_kind='benchmark') takes none of it",
    ),
)

FLASH_ATTENTION = Default(
    2.0,
    "FlashAttention generation used when a caller says only 'on' (0 = unfused)",
    Source(
        "Dao et al. 2022, 'FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness', arXiv:2205.14135",
        url="https://arxiv.org/abs/2205.14135",
        date="2022-05",
        confidence="paper",
        note="fused attention never stores the s x s scores and recomputes them in the backward pass; the default "
        "of current Megatron-Core/Transformer Engine, xformers and DeepSpeed stacks. With it, recompute 'none' "
        "costs the same memory and FLOPs as 'selective' (Korthikanti et al.'s attention-core recomputation)",
    ),
)

ATTENTION_EFFICIENCY = {
    1: Default(
        0.40,
        "fraction of the BF16 peak (forward + backward)",
        Source(
            "Dao et al. 2022, 'FlashAttention', arXiv:2205.14135, Sec 4 and Fig. 3 (A100: forward + backward of the "
            "attention core at 100-140 TFLOP/s for head dim 64-128)",
            url="https://arxiv.org/abs/2205.14135",
            date="2022-05",
            confidence="paper",
            note="about 0.35-0.45 of the 312 TFLOP/s peak; 0.40 taken",
        ),
    ),
    2: Default(
        0.55,
        "fraction of the BF16 peak (forward + backward)",
        Source(
            "Dao 2023, 'FlashAttention-2', arXiv:2307.08691, Sec 4.1, Fig. 4-6 (A100, head dim 128: forward + backward "
            "160-190 TFLOP/s at sequence 2k-16k, 50-73% of peak forward, backward lower)",
            url="https://arxiv.org/abs/2307.08691",
            date="2023-07",
            confidence="paper",
            note="forward + backward of the causal kernel around 170 of 312 TFLOP/s",
        ),
    ),
    3: Default(
        0.60,
        "fraction of the BF16 peak (forward + backward)",
        Source(
            "Shah et al. 2024, 'FlashAttention-3', arXiv:2407.08608, Sec 4.1, Fig. 5-7 (H100 BF16: forward up to 740 "
            "TFLOP/s = 75% of peak; backward 1.5-1.75x FlashAttention-2's, about 500-550 TFLOP/s at head dim 128)",
            url="https://arxiv.org/abs/2407.08608",
            date="2024-07",
            confidence="paper",
            note="forward 0.75 and backward (2/3 of the FLOPs) about 0.52 of the 989 TFLOP/s peak combine to about 0.58-0.62",
        ),
    ),
}
"""Share of the BF16 peak a FlashAttention kernel reaches over forward + backward, by generation."""

FLASH2_ON_HOPPER = Default(
    0.37,
    "fraction of the BF16 peak (forward + backward)",
    Source(
        "Shah et al. 2024, arXiv:2407.08608, Fig. 5-7: FlashAttention-2 on H100 runs at 300-400 TFLOP/s of 989 "
        "(it does not use the Hopper tensor-core instructions, wgmma/TMA)",
        url="https://arxiv.org/abs/2407.08608",
        date="2024-07",
        confidence="paper",
    ),
)


def attention_efficiency(generation: int, fp8_capable: bool = False) -> float:
    """Share of the BF16 peak a FlashAttention kernel of ``generation`` reaches, forward + backward.

    Generation 3 needs Hopper-class tensor cores: on an older chip (``fp8_capable`` False) it falls back
    to generation 2. Generation 2 on a Hopper-class chip runs at :data:`FLASH2_ON_HOPPER`.

    References: Dao et al. 2022 (arXiv:2205.14135); Dao 2023 (arXiv:2307.08691); Shah et al. 2024
    (arXiv:2407.08608). See :data:`ATTENTION_EFFICIENCY`.
    """
    if (
        isinstance(generation, bool)
        or not isinstance(generation, numbers.Integral)
        or generation not in ATTENTION_EFFICIENCY
    ):
        from suanli.errors import InputError

        raise InputError(
            f"generation must be a FlashAttention generation ({', '.join(map(str, ATTENTION_EFFICIENCY))}), "
            f"got {generation!r}"
        )
    if not isinstance(fp8_capable, (bool, np.bool_)):
        from suanli.errors import InputError

        raise InputError(f"fp8_capable must be True or False (one chip), got {fp8_capable!r}")
    gen = min(int(generation), 3 if fp8_capable else 2)
    if gen == 2 and fp8_capable:
        return FLASH2_ON_HOPPER.value
    return ATTENTION_EFFICIENCY[gen].value


SCORE_BYTES_PER_ELEMENT = Default(
    20.0,
    "bytes of HBM traffic per attention-score element per layer (forward + backward, unfused attention)",
    Source(
        "Korthikanti et al. 2022, arXiv:2205.05198, Sec 4.1 (the 5 a s^2 b bytes stored: softmax output 2 B, "
        "dropout mask 1 B, dropout output 2 B per score element) and Megatron-LM's fused scale-mask-softmax kernel",
        url="https://arxiv.org/abs/2205.05198",
        confidence="estimate",
        note="counted: forward writes the fp16 scores (2 B, by the QK^T GEMM), softmax reads and writes them (4 B), "
        "dropout reads them and writes mask and output (5 B): 11 B; backward reads output grad, mask and softmax "
        "output and writes two grads (about 9 B): 20 B",
    ),
)
SCORE_RECOMPUTE_BYTES_PER_ELEMENT = Default(
    11.0,
    "bytes per score element added by recomputing the attention core (selective or full recompute)",
    Source(
        "Korthikanti et al. 2022, arXiv:2205.05198, Sec 5 (selective recomputation reruns QK^T, softmax, "
        "dropout and AV in the backward pass)",
        url="https://arxiv.org/abs/2205.05198",
        confidence="estimate",
        note="the forward part of SCORE_BYTES_PER_ELEMENT (11 B) runs a second time",
    ),
)
UNFUSED_ELEMENTWISE_FACTOR = Default(
    1.6,
    "x the fused elementwise HBM traffic",
    Source(
        "Narayanan et al. 2021, arXiv:2104.04473, Sec 4.2 and Fig. 18 (fused bias+GeLU and bias+dropout+add "
        "raise throughput 11-19%)",
        url="https://arxiv.org/abs/2104.04473",
        confidence="estimate",
        note="unfused, each of bias, activation, dropout and residual reads and writes the tensor once more: "
        "about 1.6x the fused traffic",
    ),
)

FP8_GEMM_EFFICIENCY = Default(
    0.85,
    "fraction of the BF16 GEMMs' sustained share of peak",
    Source(
        "deepseek-ai/DeepGEMM README (2025): FP8 GEMMs 'up to 1350+ FP8 TFLOPS' on Hopper, against the 1,979 TFLOP/s "
        "dense FP8 peak of the H800/H100 SXM (NVIDIA H100 datasheet); BF16 cuBLAS GEMMs sustain 0.806 of their peak "
        "on the same chip (the H100 matmul_efficiency of the catalog)",
        url="https://github.com/deepseek-ai/DeepGEMM",
        date="2025-02",
        confidence="estimate",
        note="1,350 / 1,979 = 0.68 of the FP8 peak, 0.85 of what BF16 GEMMs reach of theirs: a GEMM-level ratio. The "
        "end-to-end FP8 gain (1.3-1.5x in NVIDIA's tables) is not put in here: the step model gets it from the GEMMs "
        "alone, as attention, memory-bound work and communication keep their BF16 cost",
    ),
)

HBM_EFFICIENCY = Default(
    0.85,
    "fraction of peak HBM bandwidth",
    Source(
        "BAAI FlagPerf HBM bandwidth test on A100-40GB SXM: 1328 of 1555 GB/s (85.4%)",
        url="https://github.com/FlagOpen/FlagPerf",
        confidence="measured",
    ),
)

ELEMENTWISE_BYTES_PER_TOKEN_HIDDEN = Default(
    80.0,
    "bytes per token per hidden unit per layer (forward + backward)",
    Source(
        "Korthikanti et al. 2022 Sec 4.1 activation inventory (34 bytes/token/hidden stored per layer)",
        url="https://arxiv.org/abs/2205.05198",
        confidence="estimate",
        note="memory-bound layernorm/dropout/residual/activation traffic: the 34 bytes per token per hidden "
        "unit each layer stores, read and written about 2.4 times over forward and backward",
    ),
)

OPTIMIZER_BYTES_PER_PARAM = Default(
    36.0,
    "bytes of HBM traffic per parameter per step",
    Source(
        "Adam update in fp32: read master weight, m, v, gradient (16 B), write master, m, v (12 B), write bf16 weight (2 B), plus reads of the bf16 copy",
        confidence="estimate",
        note="counted from the mixed-precision Adam update (Kingma & Ba 2015; Micikevicius et al. 2018) with "
        "a fused multi-tensor kernel; rounded up for gradient unscaling and clipping passes",
    ),
)

HOST_OVERHEAD_S_PER_MICROBATCH = Default(
    0.002,
    "s",
    Source(
        "PyTorch eager kernel launch latency (~5-10 us per kernel, a few hundred kernels per micro-batch not hidden)",
        confidence="estimate",
        note="host-side time per micro-batch that asynchronous launches do not hide (data loader hand-off, "
        "Python scheduling of the pipeline): a few ms on large models",
    ),
)

KERNEL_OVERHEAD_S_PER_LAYER = Default(
    0.0007,
    "s per transformer layer per micro-batch (forward + backward)",
    Source(
        "NVIDIA Technical Blog, A. Gray 2019, 'Getting Started with CUDA Graphs' (a few microseconds of launch and "
        "ramp per kernel that the GPU cannot hide once kernels are short)",
        url="https://developer.nvidia.com/blog/cuda-graphs/",
        date="2019-09",
        confidence="estimate",
        note="the per-layer time that kernel launches, ramps and tails add to each micro-batch's forward and backward "
        "pass whatever the layer's size (about a hundred kernels of a few microseconds each in a Megatron-class layer). "
        "Chosen with the step-time calibration (benchmarks/calibrate_step.py scans it): 0.7 ms is where the "
        "leave-one-paper-out error stops improving (9.7% at 0, 8.9% at 0.7 ms, 8.7% at 1.0 ms) with the kernel "
        "efficiency still below 0.95; it is what makes a 1.7B-parameter layer slower per FLOP than a 462B one",
    ),
)

CUSTOM_KERNEL_SHARE_OF_MEMORY_BOUND = Default(
    0.5,
    "fraction",
    Source(
        "Megatron-LM fused kernels (fused layernorm, bias-GeLU, scaled masked softmax, rotary) as custom CUDA extensions",
        url="https://github.com/NVIDIA/Megatron-LM",
        confidence="estimate",
        note="half of the memory-bound time runs in hand-written fused kernels, the rest in framework elementwise ops",
    ),
)

# --- memory ----------------------------------------------------------------------------------

BYTES_WEIGHT = Default(2.0, "bytes/param", _ZERO)
BYTES_GRADIENT = Default(2.0, "bytes/param", _ZERO)
BYTES_OPTIMIZER = Default(12.0, "bytes/param (fp32 master + Adam m + v)", _ZERO)

GRAD_REDUCE_BYTES = Default(
    4.0,
    "bytes/param",
    Source(
        "Megatron-LM: with --bf16, gradients are accumulated and all-reduced in fp32 (accumulate_allreduce_grads_in_fp32)",
        url="https://github.com/NVIDIA/Megatron-LM/blob/main/megatron/training/arguments.py",
        confidence="paper",
    ),
)

USABLE_HBM_FRACTION = Default(
    0.92,
    "fraction",
    Source(
        "CUDA context, NCCL buffers and caching-allocator fragmentation",
        confidence="estimate",
        note="about 8% of HBM is not available to tensors in practice (a few GB on an 80 GB part)",
    ),
)

ACTIVATION_BYTES = Default(34.0, "bytes per token per hidden per layer (SP, selective)", _KORTHIKANTI)

# --- communication ---------------------------------------------------------------------------

SCALEUP_EFFICIENCY = Default(
    0.78,
    "fraction of link bandwidth",
    Source(
        "NVIDIA nccl-tests on DGX A100 / H100 (all-reduce bus bandwidth ~230 GB/s of 300 GB/s NVLink3, ~360-370 of 450 on NVLink4)",
        url="https://github.com/NVIDIA/nccl-tests",
        confidence="estimate",
        note="used when a link has no 'efficiency'; the bus-bandwidth share large NCCL all-reduces reach inside an NVSwitch node",
    ),
)
SCALEOUT_EFFICIENCY = Default(
    0.85,
    "fraction of NIC bandwidth",
    Source(
        "nccl-tests multi-node all-reduce over InfiniBand HDR/NDR (bus bandwidth ~21-23 GB/s per 25 GB/s HDR rail)",
        url="https://github.com/NVIDIA/nccl-tests",
        confidence="estimate",
        note="used when a link has no 'efficiency'",
    ),
)
SCALEUP_LATENCY_S = Default(
    3e-6,
    "s",
    Source(
        "NCCL intra-node (NVLink) per-step latency",
        confidence="estimate",
        note="a few microseconds per ring step, as the NCCL latency model assumes for NVLink",
    ),
)
SCALEOUT_LATENCY_S = Default(
    8e-6,
    "s",
    Source(
        "NCCL inter-node (InfiniBand/RoCE) per-step latency",
        confidence="estimate",
        note="a few microseconds of NIC + switch latency plus NCCL protocol overhead per step",
    ),
)

TP_COMM_OVERLAP = Default(
    0.0,
    "fraction hidden",
    Source(
        "Narayanan et al. 2021, arXiv:2104.04473, Sec 3.3/4: tensor-parallel all-reduces sit on the critical path",
        url="https://arxiv.org/abs/2104.04473",
        confidence="paper",
    ),
)
DP_COMM_OVERLAP = Default(
    0.8,
    "fraction of the last micro-batch's backward that hides gradient communication",
    Source(
        "PyTorch DDP / Megatron --overlap-grad-reduce: bucketed gradient reduction overlapping backward (Li et al. 2020, arXiv:2006.15704)",
        url="https://arxiv.org/abs/2006.15704",
        confidence="estimate",
        note="buckets start as soon as their gradients are ready; the first bucket waits, and the reduction "
        "competes with compute for memory bandwidth, so ~80% of the backward window is usable",
    ),
)
OVERLAP_SLOWDOWN = Default(
    0.189,
    "fraction of the overlapped communication's duration added to the compute it runs beside",
    Source(
        "Lee, Oh, Kim, Go, Park & Mahajan 2025, 'Characterizing Compute-Communication Overlap in GPU-Accelerated "
        "Distributed Deep Learning: Performance and Power Implications', arXiv:2507.03114, abstract and Sec 5",
        url="https://arxiv.org/abs/2507.03114",
        date="2025-07",
        confidence="paper",
        note="overlapping computation with communication slowed the computation by 18.9% on average (40.0% at most) "
        "against compute alone, measured on A100, H100, MI250 and MI210 with GPT and Llama layers: collectives take "
        "SMs and memory bandwidth from the GEMMs. Sequential execution was still 10.2% slower on average, so overlap "
        "pays, but hidden traffic is not free",
    ),
)
EP_COMM_OVERLAP = Default(
    0.5,
    "fraction hidden",
    Source(
        "DeepSeek-AI 2024, DeepSeek-V3 report arXiv:2412.19437 Sec 3.2 (DualPipe: 'near-full computation-communication overlap'); Megatron-Core MoE without overlap",
        url="https://arxiv.org/abs/2412.19437",
        confidence="estimate",
        note="midway between a stack without all-to-all overlap (0) and DualPipe (close to 1)",
    ),
)

# --- reliability ------------------------------------------------------------------------------

FAILURE_RATE_PER_DEVICE_HOUR = Default(
    466 / (54 * 24 * 16384),
    "interruptions per device-hour",
    Source(
        "Llama 3 report: 466 job interruptions in a 54-day snapshot on 16,384 H100 GPUs",
        url="https://arxiv.org/abs/2407.21783",
        date="2024-07",
        confidence="paper",
        note="466 / (54 d x 24 h x 16,384) = 2.19e-5 per GPU-hour (one interruption every ~2.8 h at 16K GPUs)",
    ),
)
FAILURE_RATE_OPT = Default(
    105 / (60 * 24 * 992),
    "interruptions per device-hour",
    Source(
        "Zhang et al. 2022, OPT arXiv:2205.01068 Sec 2.5: at least 35 manual and ~70 automatic restarts in ~2 months on 992 A100s",
        url="https://arxiv.org/abs/2205.01068",
        confidence="paper",
        note="105 / (60 d x 24 h x 992) = 7.4e-5 per GPU-hour",
    ),
)
FAILURE_RATE_MEGASCALE = Default(
    100 / (21 * 24 * 10000),
    "interruptions per device-hour",
    Source(
        "MegaScale: over 100 restarts in a run of 'several weeks' on more than 10,000 GPUs",
        url="https://arxiv.org/abs/2402.15627",
        confidence="estimate",
        note="'several weeks' read as 3 weeks: 100 / (21 d x 24 h x 10,000) = 2.0e-5 per GPU-hour",
    ),
)
RESTART_SECONDS = Default(
    600.0,
    "s",
    Source(
        "MegaScale Sec 4/6.3: fault detection and diagnostic tests in under 10 minutes before the job restarts from a checkpoint",
        url="https://arxiv.org/abs/2402.15627",
        confidence="paper",
    ),
)
CHECKPOINT_BYTES_PER_PARAM = Default(
    14.0,
    "bytes/param",
    Source(
        "bf16 weights (2 B) + fp32 master weights and Adam moments (12 B) per parameter (ZeRO paper's accounting)",
        url="https://arxiv.org/abs/1910.02054",
        confidence="paper",
    ),
)
STORAGE_WRITE_BYTES_PER_S = Default(
    7e12,
    "B/s (aggregate ceiling)",
    Source(
        "Llama 3 report Sec 3.3.1: Tectonic storage 'sustained throughput of 2 TB/s and a peak throughput of 7 TB/s'",
        url="https://arxiv.org/abs/2407.21783",
        confidence="paper",
        note="the peak is the ceiling a checkpoint write can reach however many devices write",
    ),
)
STORAGE_WRITE_BYTES_PER_S_PER_DEVICE = Default(
    2e12 / 16384,
    "B/s per device",
    Source(
        "Llama 3 report Sec 3.3.1: 2 TB/s sustained for a 16,384-GPU training job",
        url="https://arxiv.org/abs/2407.21783",
        confidence="paper",
        note="2 TB/s / 16,384 GPUs = 122 MB/s of checkpoint bandwidth per device; a fleet gets this times its size",
    ),
)

# --- workload ---------------------------------------------------------------------------------

GLOBAL_BATCH_TOKENS = Default(
    4 * 2**20,
    "tokens",
    Source(
        "Llama 2 (arXiv:2307.09288 Sec 2.2: 'global batch-size of 4M tokens'); GPT-3 175B used 3.2M",
        url="https://arxiv.org/abs/2307.09288",
        confidence="paper",
    ),
)
ASPECT_RATIO = Default(
    128.0,
    "hidden / layers",
    Source(
        "Kaplan et al. 2020 arXiv:2001.08361 Fig. 5 (loss flat for aspect ratios ~50-200); GPT-3 175B 12288/96 = 128; Llama 2 7B 4096/32 = 128",
        url="https://arxiv.org/abs/2001.08361",
        confidence="paper",
    ),
)
HEAD_DIM = Default(
    128.0,
    "elements",
    Source(
        "GPT-3 175B and the Llama family use 128-wide heads", url="https://arxiv.org/abs/2005.14165", confidence="paper"
    ),
)
DEFAULT_VOCAB = Default(
    32000.0,
    "tokens",
    Source("Llama / Llama 2 vocabulary (arXiv:2302.13971)", url="https://arxiv.org/abs/2302.13971", confidence="paper"),
)
DEFAULT_SEQ = Default(
    4096.0,
    "tokens",
    Source("Llama 2 context length (arXiv:2307.09288)", url="https://arxiv.org/abs/2307.09288", confidence="paper"),
)


def table() -> list[dict[str, object]]:
    """All defaults as rows (name, value, unit, citation, confidence, note) for notebooks and docs."""
    rows = []
    for name, value in globals().items():
        if isinstance(value, Default):
            rows.append({"name": name, "value": value.value, "unit": value.unit, **value.source.as_dict()})
    return rows
