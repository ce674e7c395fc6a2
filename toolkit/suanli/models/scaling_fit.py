"""Fitting L = E + A/N^alpha + B/D^beta to a user's own (N, D, loss) table, the way Chinchilla did.

Hoffmann et al. 2022 (arXiv:2203.15556, Sec. 3.3 and App. D.2) minimise the Huber loss (delta = 1e-3)
between the predicted and observed log-loss,

    min over (a, b, e, alpha, beta) of  sum_i Huber_delta( LSE(a - alpha log N_i, b - beta log D_i, e) - log L_i ),

with A = e^a, B = e^b, E = e^e, running L-BFGS from a grid of starting points. Besiroglu et al. 2024
(arXiv:2404.10102, Sec. 2-3) showed that averaging instead of summing the Huber terms made the
optimiser stop early; here the sum is minimised, divided by delta only to give the optimiser
gradients of order one, with tight tolerances and an analytic gradient. Confidence intervals come
from a bootstrap over the rows (Besiroglu et al. 2024 use 4,000 resamples).

scipy loads inside the functions; this module is not imported by ``import suanli``.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models.scaling import ParametricLaw
from suanli.spec import Source
from suanli.validate import require_positive

HUBER_DELTA = 1e-3
"""Huber threshold on log-loss residuals (Hoffmann et al. 2022, App. D.2)."""

MAX_BOOTSTRAP = 10_000
"""Most bootstrap resamples a fit accepts. Percentile intervals need about 1,000 (Efron & Tibshirani 1993,
'An Introduction to the Bootstrap', Sec. 19.3); ten times that bounds a call to minutes, not days."""

HOFFMANN_GRID = {
    "alpha": np.arange(0.0, 2.01, 0.5),
    "beta": np.arange(0.0, 2.01, 0.5),
    "e": np.arange(-1.0, 1.01, 0.5),
    "a": np.arange(0.0, 25.1, 5.0),
    "b": np.arange(0.0, 25.1, 5.0),
}
"""The initialisation grid of Hoffmann et al. 2022, App. D.2 (4,500 points)."""

PARAMETERS = ("E", "A", "B", "alpha", "beta")
DERIVED = ("a", "b")  # N_opt ~ C^a, D_opt ~ C^b: a = beta/(alpha+beta), b = alpha/(alpha+beta)


def _grid_starts(grid: dict) -> np.ndarray:
    """Rows (a, b, e, alpha, beta) of the Cartesian product of the grid."""
    combos = itertools.product(grid["a"], grid["b"], grid["e"], grid["alpha"], grid["beta"])
    return np.array(list(combos), dtype=float)


def _objective_and_gradient(theta, log_n, log_d, log_loss, delta):
    """Sum of Huber terms over rows (divided by delta) and its gradient in (a, b, e, alpha, beta)."""
    a, b, e, alpha, beta = theta
    terms = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
    top = terms.max(axis=0)
    weights = np.exp(terms - top)
    total = weights.sum(axis=0)
    predicted = top + np.log(total)
    weights /= total
    r = predicted - log_loss
    small = np.abs(r) <= delta
    value = np.where(small, 0.5 * r * r, delta * (np.abs(r) - 0.5 * delta)).sum() / delta
    dr = np.where(small, r, delta * np.sign(r)) / delta
    grad = np.array(
        [
            (dr * weights[0]).sum(),
            (dr * weights[1]).sum(),
            (dr * weights[2]).sum(),
            -(dr * weights[0] * log_n).sum(),
            -(dr * weights[1] * log_d).sum(),
        ]
    )
    return value, grad


def _grid_objectives(starts, log_n, log_d, log_loss, delta):
    """The objective at every grid row at once (one numpy expression over starts x rows)."""
    a, b, e, alpha, beta = (starts[:, i : i + 1] for i in range(5))
    terms = np.stack([a - alpha * log_n, b - beta * log_d, np.broadcast_to(e, (len(starts), len(log_n)))])
    predicted = np.logaddexp.reduce(terms, axis=0)
    r = np.abs(predicted - log_loss)
    return np.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta)).sum(axis=1) / delta


@cache
def _scipy_openblas():
    """scipy's bundled OpenBLAS (ctypes handle), if it exposes its thread-count controls; else None."""
    import ctypes
    import glob
    import os

    import scipy

    pattern = os.path.join(os.path.dirname(os.path.dirname(scipy.__file__)), "scipy.libs", "libscipy_openblas*")
    for path in glob.glob(pattern):
        try:
            lib = ctypes.CDLL(path)
            lib.scipy_openblas_get_num_threads, lib.scipy_openblas_set_num_threads  # noqa: B018
        except (OSError, AttributeError):
            continue
        return lib
    return None


@contextmanager
def _one_blas_thread():
    """Run with scipy's OpenBLAS on one thread, then restore it.

    Each L-BFGS-B step calls BLAS on 5-element vectors; on a machine with more runnable threads than
    cores, OpenBLAS thread hand-offs cost milliseconds per call, 30x the step itself (measured: a
    20-resample bootstrap took 8.5 s instead of 0.3 s).
    """
    lib = _scipy_openblas()
    if lib is None:
        yield
        return
    before = lib.scipy_openblas_get_num_threads()
    lib.scipy_openblas_set_num_threads(1)
    try:
        yield
    finally:
        lib.scipy_openblas_set_num_threads(before)


def _minimise(starts, log_n, log_d, log_loss, delta):
    from scipy.optimize import minimize

    with _one_blas_thread():
        return _minimise_from(minimize, starts, log_n, log_d, log_loss, delta)


def _minimise_from(minimize, starts, log_n, log_d, log_loss, delta):
    best = None
    for start in starts:
        res = minimize(
            _objective_and_gradient,
            start,
            args=(log_n, log_d, log_loss, delta),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-10},
        )
        if best is None or res.fun < best.fun:
            best = res
    return best


def _to_params(theta) -> dict:
    a, b, e, alpha, beta = theta
    return {
        "E": float(np.exp(e)),
        "A": float(np.exp(a)),
        "B": float(np.exp(b)),
        "alpha": float(alpha),
        "beta": float(beta),
        "a": float(beta / (alpha + beta)),
        "b": float(alpha / (alpha + beta)),
    }


@dataclass(frozen=True)
class LossFit:
    """A fitted parametric law with bootstrap intervals.

    ``law`` plugs into every function of :mod:`suanli.models.scaling` (e.g. ``compute_optimal(C, fit.law)``).
    ``intervals`` maps E, A, B, alpha, beta, a, b to (low, high) at ``confidence``; ``samples`` holds
    the bootstrap estimates (one row per resample, columns as in :data:`PARAMETERS` + :data:`DERIVED`).
    """

    law: ParametricLaw
    estimates: dict
    objective: float
    converged: bool
    n_points: int
    delta: float
    confidence: float
    intervals: dict = field(default_factory=dict)
    samples: np.ndarray | None = None

    def as_dict(self) -> dict:
        return {
            "estimates": self.estimates,
            "intervals": {k: list(v) for k, v in self.intervals.items()},
            "confidence": self.confidence,
            "objective": self.objective,
            "converged": self.converged,
            "n_points": self.n_points,
            "n_bootstrap": 0 if self.samples is None else len(self.samples),
        }


@V.checked(
    aligned=False,
    params=V.POSITIVE,
    tokens=V.POSITIVE,
    loss=V.POSITIVE,
    delta=V.ONE_POSITIVE,
    n_starts=V.optional(V.ONE_COUNT),
    n_bootstrap=V.whole_up_to(MAX_BOOTSTRAP),
    confidence=V.between(0, 1),
    seed=V.SEED,
    grid=V.optional(V.mapping_with("a", "b", "e", "alpha", "beta")),
)
def fit_loss_law(
    params,
    tokens,
    loss,
    *,
    delta: float = HUBER_DELTA,
    grid: dict | None = None,
    n_starts: int | None = 16,
    n_bootstrap: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
    name: str = "fit",
) -> LossFit:
    """Fit E + A/N^alpha + B/D^beta to observed losses (Huber on log-loss, L-BFGS from a grid).

    ``params``, ``tokens``, ``loss``: 1-D arrays of the same length (at least 6 rows: 5 unknowns).
    ``grid`` defaults to Hoffmann et al.'s 4,500-point grid; the objective is evaluated at every grid
    point in one numpy call and L-BFGS runs from the ``n_starts`` best (``None``: from all of them,
    as the paper does: about 2 minutes for 64 rows on 2 cores). ``n_bootstrap`` resamples of the rows (with
    replacement) give percentile intervals at ``confidence``; each resample is refitted by L-BFGS
    warm-started from the full-data optimum (a grid search per resample would cost ``n_starts``
    times more for the same answer when the resample is close to the data).

    References: Hoffmann et al. 2022, arXiv:2203.15556, Sec. 3.3 and App. D.2 (eq. 3, the grid);
    Besiroglu et al. 2024, arXiv:2404.10102, Sec. 2-3 (summed Huber loss, bootstrap intervals).
    """
    n_arr, d_arr, l_arr = (np.ravel(np.asarray(x, dtype=float)) for x in (params, tokens, loss))
    if not (len(n_arr) == len(d_arr) == len(l_arr)):
        raise InputError(
            f"params, tokens and loss must have the same length, got {len(n_arr)}, {len(d_arr)}, {len(l_arr)}"
        )
    if len(n_arr) < 6:
        raise InputError(f"a fit of 5 constants needs at least 6 (N, D, loss) rows, got {len(n_arr)}")
    require_positive(params=n_arr, tokens=d_arr, loss=l_arr, delta=delta)
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be between 0 and 1, got {confidence!r}")
    if n_bootstrap < 0:
        raise InputError(f"n_bootstrap must be zero or positive, got {n_bootstrap!r}")
    log_n, log_d, log_l = np.log(n_arr), np.log(d_arr), np.log(l_arr)
    starts = _grid_starts(grid or HOFFMANN_GRID)

    def best_starts(ln, ld, ll, count):
        if count is None or count >= len(starts):
            return starts
        order = np.argsort(_grid_objectives(starts, ln, ld, ll, delta))
        return starts[order[:count]]

    best = _minimise(best_starts(log_n, log_d, log_l, n_starts), log_n, log_d, log_l, delta)
    estimates = _to_params(best.x)

    samples = None
    intervals = {}
    if n_bootstrap:
        rng = np.random.default_rng(seed)
        rows = []
        for _ in range(n_bootstrap):
            idx = rng.integers(0, len(n_arr), len(n_arr))
            ln, ld, ll = log_n[idx], log_d[idx], log_l[idx]
            fit = _minimise([best.x], ln, ld, ll, delta)
            rows.append([_to_params(fit.x)[k] for k in PARAMETERS + DERIVED])
        samples = np.array(rows)
        tail = 100 * (1 - confidence) / 2
        lo, hi = np.percentile(samples, [tail, 100 - tail], axis=0)
        intervals = {k: (float(lo[i]), float(hi[i])) for i, k in enumerate(PARAMETERS + DERIVED)}

    law = ParametricLaw(
        name,
        estimates["E"],
        estimates["A"],
        estimates["B"],
        estimates["alpha"],
        estimates["beta"],
        Source(
            "fitted with suanli.models.scaling_fit.fit_loss_law (Hoffmann et al. 2022 App. D.2 procedure)",
            confidence="estimate",
            note=f"Huber (delta={delta:g}) fit of log-loss over {len(n_arr)} user-supplied (N, D, loss) rows",
        ),
    )
    return LossFit(
        law, estimates, float(best.fun), bool(best.success), len(n_arr), delta, confidence, intervals, samples
    )
