"""Fitting a user's (N, D, loss) table the Chinchilla way: known constants come back out."""

from __future__ import annotations

import numpy as np
import pytest

from suanli.errors import InputError
from suanli.models import scaling as s
from suanli.models.scaling_fit import HOFFMANN_GRID, fit_loss_law


def _grid(law):
    n, d = np.meshgrid(np.logspace(7.5, 10.5, 8), np.logspace(9, 12, 8))
    n, d = n.ravel(), d.ravel()
    return n, d, s.loss(n, d, law)


@pytest.mark.parametrize("law", [s.CHINCHILLA, s.BESIROGLU])
def test_noise_free_data_recovers_the_constants(law):
    n, d, loss = _grid(law)
    fit = fit_loss_law(n, d, loss, n_starts=4)
    assert fit.converged
    for key in ("E", "A", "B", "alpha", "beta"):
        assert fit.estimates[key] == pytest.approx(getattr(law, key), rel=1e-5), key
    # the fitted law plugs straight into the frontier
    assert s.compute_optimal(1e23, fit.law).params == pytest.approx(s.compute_optimal(1e23, law).params, rel=1e-4)


def test_noisy_data_recovery_and_bootstrap_intervals():
    n, d, loss = _grid(s.CHINCHILLA)
    rng = np.random.default_rng(7)
    noisy = loss * np.exp(rng.normal(0.0, 0.01, loss.size))  # 1 % multiplicative noise
    fit = fit_loss_law(n, d, noisy, n_starts=8, n_bootstrap=20, seed=1, confidence=0.95)
    est = fit.estimates
    assert est["alpha"] == pytest.approx(0.34, abs=0.04)
    assert est["beta"] == pytest.approx(0.28, abs=0.04)
    assert est["E"] == pytest.approx(1.69, abs=0.08)
    assert est["a"] == pytest.approx(0.28 / 0.62, abs=0.03)
    assert fit.samples.shape == (20, 7)
    for key, (lo, hi) in fit.intervals.items():
        assert lo <= est[key] <= hi, key
    assert fit.intervals["alpha"][0] < 0.34 < fit.intervals["alpha"][1]
    assert set(fit.as_dict()) >= {"estimates", "intervals", "n_bootstrap"}


def test_huber_resists_an_outlier():
    n, d, loss = _grid(s.CHINCHILLA)
    loss = loss.copy()
    loss[5] *= 1.5  # one broken run
    fit = fit_loss_law(n, d, loss, n_starts=4)
    assert fit.estimates["alpha"] == pytest.approx(0.34, abs=0.01)
    assert fit.estimates["beta"] == pytest.approx(0.28, abs=0.01)


def test_grid_is_hoffmanns():
    sizes = [len(v) for v in HOFFMANN_GRID.values()]
    assert np.prod(sizes) == 4500


@pytest.mark.parametrize(
    "args, kwargs",
    [
        (([1e9] * 5, [1e10] * 5, [3.0] * 5), {}),
        (([1e9] * 7, [1e10] * 6, [3.0] * 7), {}),
        (([1e9] * 7, [1e10] * 7, [3.0] * 6 + [-1.0]), {}),
        (([1e9] * 7, [1e10] * 7, [3.0] * 7), {"confidence": 1.5}),
    ],
)
def test_bad_tables_raise_input_error(args, kwargs):
    with pytest.raises(InputError):
        fit_loss_law(*args, **kwargs)
