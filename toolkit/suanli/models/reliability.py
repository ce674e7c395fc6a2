"""Failures, checkpoints and goodput: what interruptions cost a long training run.

A fleet of ``count`` devices, each interrupted at ``failure_rate_per_device_hour``, fails on average
every M = 1 / (rate x count) hours. Writing a checkpoint takes delta = bytes / bandwidth; the
checkpoint interval that minimises lost time is Young's sqrt(2 delta M), refined by Daly; each failure
costs the restart time R plus, on average, half an interval of lost work.

References: Young 1974, 'A first order approximation to the optimum checkpoint interval', CACM 17(9);
Daly 2006, 'A higher order estimate of the optimum checkpoint interval for restart dumps', FGCS 22(3),
eq. 20 and 37; failure rates: Llama 3 report arXiv:2407.21783 Sec 3.3.4 (466 interruptions in 54 days
on 16,384 GPUs), OPT arXiv:2205.01068, MegaScale arXiv:2402.15627.
"""

from __future__ import annotations

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models import defaults as D


@V.checked(finite_result=False, count=V.COUNT, failure_rate_per_device_hour=V.optional(V.NON_NEGATIVE))
def mtbf_seconds(count, failure_rate_per_device_hour=None):
    """Mean time between interruptions of the whole job: 3600 / (rate x count) seconds.

    References: Llama 3 report, arXiv:2407.21783, Sec 3.3.4 (default rate).
    """
    rate = (
        D.FAILURE_RATE_PER_DEVICE_HOUR.value if failure_rate_per_device_hour is None else failure_rate_per_device_hour
    )
    rate = np.asarray(rate, dtype=float)
    if not np.all(np.isfinite(rate) & (rate >= 0)):
        raise InputError(
            f"failure_rate_per_device_hour must be a finite number >= 0, got {failure_rate_per_device_hour!r}"
        )
    lam = rate * np.asarray(count, dtype=float)
    return np.where(lam > 0, 3600.0 / np.maximum(lam, 1e-300), np.inf)


@V.checked(
    params=V.NON_NEGATIVE,
    count=V.COUNT,
    bytes_per_param=V.optional(V.NON_NEGATIVE),
    storage_bytes_per_s=V.optional(V.POSITIVE),
    per_device_bytes_per_s=V.optional(V.POSITIVE),
)
def checkpoint_seconds(params, count, *, bytes_per_param=None, storage_bytes_per_s=None, per_device_bytes_per_s=None):
    """Time to write one checkpoint: params x bytes/param over min(ceiling, devices x per-device) bandwidth.

    References: Llama 3 report, arXiv:2407.21783, Sec 3.3.1 (2 TB/s sustained for 16,384 GPUs, 7 TB/s peak);
    Rajbhandari et al. 2020 (14 bytes/param of weights and optimizer state).
    """
    bpp = D.CHECKPOINT_BYTES_PER_PARAM.value if bytes_per_param is None else bytes_per_param
    agg = D.STORAGE_WRITE_BYTES_PER_S.value if storage_bytes_per_s is None else storage_bytes_per_s
    per = D.STORAGE_WRITE_BYTES_PER_S_PER_DEVICE.value if per_device_bytes_per_s is None else per_device_bytes_per_s
    bw = np.minimum(np.asarray(agg, dtype=float), np.asarray(count, dtype=float) * per)
    return np.asarray(params, dtype=float) * bpp / bw


@V.checked(finite_result=False, checkpoint_s=V.NON_NEGATIVE, mtbf_s=V.POSITIVE_OR_INF)
def optimal_checkpoint_interval(checkpoint_s, mtbf_s):
    """Daly's higher-order optimum compute time between checkpoints (Young's sqrt(2 delta M) to first order).

    tau = sqrt(2 delta M) [1 + sqrt(delta/(2M))/3 + delta/(18 M)] - delta for delta < 2M, else M.

    References: Daly 2006, FGCS 22(3), eq. 37; Young 1974, CACM 17(9).
    """
    d = np.asarray(checkpoint_s, dtype=float)
    m = np.asarray(mtbf_s, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = d / (2.0 * m)
        tau = np.sqrt(2.0 * d * m) * (1.0 + np.sqrt(x) / 3.0 + x / 9.0) - d
    return np.where(d < 2.0 * m, np.maximum(tau, d), m)


@V.checked(
    checkpoint_s=V.NON_NEGATIVE,
    mtbf_s=V.POSITIVE_OR_INF,
    restart_s=V.optional(V.NON_NEGATIVE),
    interval_s=V.optional(V.POSITIVE),
)
def goodput(checkpoint_s, mtbf_s, restart_s=None, interval_s=None):
    """Share of wall-clock time spent on useful training: (1 - (R + (tau + delta)/2)/M) / (1 + delta/tau).

    Checkpoint writes cost delta every tau of compute; each interruption (every M) costs the restart
    R and on average half an interval of lost work. Clipped to [0.01, 1].

    References: Daly 2006, FGCS 22(3), eq. 20 (first-order expected waste).
    """
    r = D.RESTART_SECONDS.value if restart_s is None else restart_s
    d = np.asarray(checkpoint_s, dtype=float)
    m = np.asarray(mtbf_s, dtype=float)
    tau = optimal_checkpoint_interval(d, m) if interval_s is None else np.asarray(interval_s, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lost = np.where(np.isfinite(m), (r + (tau + d) / 2.0) / m, 0.0)
        ckpt = np.where(np.isfinite(tau) & (tau > 0), d / tau, 0.0)
    return np.clip((1.0 - lost) / (1.0 + ckpt), 0.01, 1.0)
