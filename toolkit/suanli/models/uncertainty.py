"""Ranges in, ranges out: Monte Carlo over uncertain inputs, percentiles and one-at-a-time sensitivity.

Any numeric input of a model may be a number, a ``(low, high)`` range, or a distribution
(:func:`uniform`, :func:`triangular`, :func:`lognormal`). :func:`monte_carlo` draws every uncertain
input at once (Latin-hypercube-free plain sampling, seeded) and calls a vectorised model a single
time with arrays, so 10,000 samples cost one call. :func:`tornado` swings each input from its P10 to
its P90 with the others at their medians, which ranks the inputs by how much of the spread they drive.

References: Morgan & Henrion, *Uncertainty: A Guide to Dealing with Uncertainty in Quantitative
Risk and Policy Analysis*, Cambridge University Press, 1990 (ch. 8: Monte Carlo propagation and
ch. 8.4 sensitivity by one-at-a-time swings, the "tornado" diagram); Saltelli et al., *Global
Sensitivity Analysis: The Primer*, Wiley, 2008, ch. 1 (one-at-a-time screening and its limits).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.spec import Source

PERCENTILES = (10, 50, 90)

MAX_SAMPLES = 1_000_000
"""The most draws any Monte Carlo run in suanli takes. The compat model holds about 0.5 kB per draw
(six (n, classes) float64 arrays and the time factors), so a million is ~0.5 GB; P10/P90 move by
well under 0.1 % beyond 10^5 draws. More would only exhaust memory."""

DEFAULT_SPREAD = {
    "datasheet": 0.0,
    "paper": 0.05,
    "measured": 0.05,
    "press": 0.20,
    "estimate": 0.35,
}
"""Half-width of the default uniform range, as a fraction of the value, by confidence level.

A spec value with no range of its own gets ``value * (1 -/+ spread)`` when uncertainty is on."""

DEFAULT_SPREAD_SOURCE = Source(
    "suanli default spreads by confidence level",
    confidence="estimate",
    note=(
        "Judgement calls, documented so they can be argued with: datasheet peaks are exact by definition "
        "(0%); paper and measured values carry run-to-run and setup variation of a few percent (5%); press "
        "figures for domestic chips differ between reports by 10-30% in the reference table (20%); our "
        "estimates are scaled from sibling parts or other vendors (35%). A plugin overrides any of them by "
        "giving the field a [low, high] range."
    ),
)


@dataclass(frozen=True)
class Distribution:
    """An uncertain input: a scipy.stats distribution family and its parameters.

    ``kind`` is ``uniform``, ``triangular``, ``lognormal`` or ``quantiles``; use the constructors below.
    """

    kind: str
    params: tuple[float, ...]

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if self.kind == "uniform":
            low, high = self.params
            return rng.uniform(low, high, n)
        if self.kind == "triangular":
            low, mode, high = self.params
            if low == high:
                return np.full(n, float(low))
            return rng.triangular(low, mode, high, n)
        if self.kind == "lognormal":
            median, sigma = self.params
            return median * np.exp(sigma * rng.standard_normal(n))
        if self.kind == "quantiles":
            qs, xs = self.params[0::2], self.params[1::2]
            return np.interp(rng.uniform(0.0, 1.0, n), qs, xs)
        raise InputError(f"unknown distribution {self.kind!r}")

    def ppf(self, q: float) -> float:
        """The value at quantile ``q`` (via scipy.stats), used for tornado swings."""
        from scipy import stats

        if self.kind == "uniform":
            low, high = self.params
            return float(stats.uniform(loc=low, scale=high - low).ppf(q)) if high > low else float(low)
        if self.kind == "triangular":
            low, mode, high = self.params
            if high == low:
                return float(low)
            return float(stats.triang((mode - low) / (high - low), loc=low, scale=high - low).ppf(q))
        if self.kind == "quantiles":
            return float(np.interp(q, self.params[0::2], self.params[1::2]))
        median, sigma = self.params
        return float(stats.lognorm(s=sigma, scale=median).ppf(q)) if sigma > 0 else float(median)

    @property
    def median(self) -> float:
        return self.ppf(0.5)


@V.checked(low=V.ONE_FINITE, high=V.ONE_FINITE)
def uniform(low: float, high: float) -> Distribution:
    """Every value in [low, high] equally likely.

    References: scipy.stats.uniform; Morgan & Henrion 1990, ch. 5 (choosing a distribution for an input).
    """
    if not np.isfinite([low, high]).all() or low > high:
        raise InputError(f"a range needs low <= high, got {low!r}..{high!r}")
    return Distribution("uniform", (float(low), float(high)))


@V.checked(low=V.ONE_FINITE, mode=V.ONE_FINITE, high=V.ONE_FINITE)
def triangular(low: float, mode: float, high: float) -> Distribution:
    """Most likely ``mode``, never outside [low, high].

    References: scipy.stats.triang; Morgan & Henrion 1990, ch. 5 (the triangular distribution for
    expert low / most likely / high judgements).
    """
    if not low <= mode <= high:
        raise InputError(f"a triangular range needs low <= mode <= high, got {low!r}, {mode!r}, {high!r}")
    return Distribution("triangular", (float(low), float(mode), float(high)))


@V.checked(median=V.ONE_POSITIVE, p90=V.ONE_POSITIVE)
def lognormal(median: float, p90: float) -> Distribution:
    """Positive, right-skewed: median ``median`` and 90th percentile ``p90``.

    sigma = ln(p90 / median) / z_0.9 with z_0.9 = 1.28155.

    References: scipy.stats.lognorm; Morgan & Henrion 1990, ch. 5 (lognormal for positive quantities
    known within a factor).
    """
    if not (median > 0 and p90 >= median):
        raise InputError(f"a lognormal needs 0 < median <= p90, got median {median!r}, p90 {p90!r}")
    sigma = np.log(p90 / median) / 1.2815515655446004  # z of the 90th percentile
    return Distribution("lognormal", (float(median), float(sigma)))


@V.checked(knots=V.mapping)
def quantiles(knots: Mapping[float, float]) -> Distribution:
    """A distribution given by its quantiles, linear in between (e.g. an observed P0/P10/P50/P90/P100).

    ``knots`` maps probabilities (which must include 0 and 1) to values, non-decreasing. Draws are the
    inverse CDF at uniform probabilities, so the given quantiles are hit exactly.

    References: inverse transform sampling (Devroye 1986, *Non-Uniform Random Variate Generation*,
    ch. 2); Hyndman & Fan 1996, The American Statistician 50(4) (piecewise-linear sample quantiles).
    """
    try:
        qs = sorted(float(q) for q in knots)
        xs = [float(knots[q]) for q in sorted(knots)]
    except (TypeError, ValueError):
        raise InputError(f"quantile knots must map probabilities to numbers, got {knots!r}") from None
    if (
        not qs
        or qs[0] != 0
        or qs[-1] != 1
        or any(b < a for a, b in itertools.pairwise(xs))
        or not np.isfinite(xs).all()
    ):
        raise InputError(f"quantile knots need probabilities 0 and 1 and non-decreasing values, got {dict(knots)!r}")
    return Distribution("quantiles", tuple(v for q, x in zip(qs, xs) for v in (float(q), x)))


def as_distribution(value: Any) -> Distribution | None:
    """A Distribution for a range or distribution input; None for a plain number.

    ``(low, high)`` is :func:`uniform`, ``(low, mode, high)`` :func:`triangular` (References: Morgan &
    Henrion 1990, ch. 5).
    """
    if isinstance(value, Distribution):
        return value
    if isinstance(value, (tuple, list)):
        if len(value) == 2:
            return uniform(*value)
        if len(value) == 3:
            return triangular(*value)
        raise InputError(f"a range is (low, high) or (low, mode, high), got {value!r}")
    return None


@V.checked(value=V.ONE_NON_NEGATIVE, confidence=V.TEXT, rng_low_high=V.optional(V.sequence))
def spec_distribution(
    value: float, confidence: str, rng_low_high: tuple[float, float] | None = None
) -> Distribution | float:
    """The default uncertainty of a spec value: its own range if it has one, else a spread by confidence.

    References: :data:`DEFAULT_SPREAD_SOURCE` (the spreads, an estimate with its reasoning); Morgan &
    Henrion 1990, ch. 5 and 7 (encoding expert judgement as a distribution).
    """
    if rng_low_high is not None:
        low, high = rng_low_high
        return triangular(low, value, high) if low < high else float(value)
    spread = DEFAULT_SPREAD.get(confidence, 0.0)
    return uniform(value * (1 - spread), value * (1 + spread)) if spread else float(value)


@V.checked(inputs=V.mapping, n=V.ONE_COUNT, seed=V.SEED)
def sample_inputs(inputs: Mapping[str, Any], n: int, seed: int = 0) -> dict[str, Any]:
    """Arrays of ``n`` draws for each uncertain input; plain numbers pass through unchanged.

    Independent draws from one seeded numpy Generator (PCG64), in the order of ``inputs``.
    References: Morgan & Henrion 1990, ch. 8 (Monte Carlo propagation); O'Neill 2014, PCG (numpy's default bit generator).
    """
    if int(n) != n or not 1 <= n <= MAX_SAMPLES:
        raise InputError(f"the number of samples must be a whole number from 1 to {MAX_SAMPLES:,}, got {n!r}")
    rng = np.random.default_rng(int(seed))
    out = {}
    for name, value in inputs.items():
        dist = as_distribution(value)
        out[name] = dist.sample(int(n), rng) if dist is not None else value
    return out


def percentiles(samples: Any, q: tuple[int, ...] = PERCENTILES) -> dict[str, float]:
    """``{"p10": ..., "p50": ..., "p90": ...}`` of an array of samples (NaNs, i.e. infeasible draws, ignored).

    References: numpy.percentile, linear interpolation (Hyndman & Fan 1996, definition 7).
    """
    try:
        arr = np.asarray(samples, dtype=float).ravel()
        qs = [float(k) for k in q]
    except (TypeError, ValueError):
        raise InputError(f"samples must be numbers and q percentages, got {samples!r} and {q!r}") from None
    if not qs or any(not 0 <= k <= 100 for k in qs):
        raise InputError(f"percentiles q must be one or more percentages in 0..100, got {q!r}")
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return {f"p{k}": float("nan") for k in q}
    values = np.percentile(arr, qs)
    return {f"p{k}": float(v) for k, v in zip(q, values)}


@dataclass
class RangedResult:
    """Outputs of a Monte Carlo run: the samples of each output and their percentiles."""

    samples: dict[str, np.ndarray]
    inputs: dict[str, Any]
    n: int
    seed: int

    def summary(self) -> dict[str, dict[str, float]]:
        return {k: percentiles(v) for k, v in self.samples.items()}

    def feasible_fraction(self, key: str) -> float:
        return float(np.mean(np.isfinite(np.asarray(self.samples[key], dtype=float))))


@V.checked(finite_result=False, model=V.FUNCTION, inputs=V.mapping, n=V.ONE_COUNT, seed=V.SEED)
def monte_carlo(
    model: Callable[..., Mapping[str, Any]], inputs: Mapping[str, Any], n: int = 10_000, seed: int = 0
) -> RangedResult:
    """Propagate uncertain ``inputs`` through a vectorised ``model`` in one call.

    ``model(**inputs)`` must accept numpy arrays where numbers go and return a mapping of output
    name -> array (or scalar). Draws are reproducible for a given ``seed``.

    References: Morgan & Henrion 1990, ch. 8 (Monte Carlo propagation of uncertainty).
    """
    drawn = sample_inputs(inputs, n, seed)
    raw = model(**drawn)
    samples = {k: np.broadcast_to(np.asarray(v, dtype=float), (int(n),)).copy() for k, v in raw.items()}
    return RangedResult(samples=samples, inputs=dict(inputs), n=int(n), seed=seed)


@V.checked(model=V.FUNCTION, inputs=V.mapping, output=V.TEXT, low_q=V.between(0, 1), high_q=V.between(0, 1))
def tornado(
    model: Callable[..., Mapping[str, Any]],
    inputs: Mapping[str, Any],
    output: str,
    low_q: float = 0.1,
    high_q: float = 0.9,
    *,
    vectorised: bool = False,
) -> list[dict[str, float]]:
    """One-at-a-time swings: each uncertain input at its ``low_q`` and ``high_q`` quantiles, the others
    at their medians; rows sorted by the size of the swing in ``output`` (largest first).

    ``vectorised=True`` evaluates the base and every swing in ONE call of ``model`` with arrays of
    length 2k + 1 (k uncertain inputs): the same numbers, for a model that broadcasts.

    References: Morgan & Henrion 1990, sec. 8.4; Saltelli et al. 2008, ch. 1.
    """
    dists = {k: as_distribution(v) for k, v in inputs.items()}
    base_inputs = {k: (d.median if d is not None else v) for (k, v), d in zip(inputs.items(), dists.values())}
    swung = [k for k, d in dists.items() if d is not None]
    bounds = {k: (dists[k].ppf(low_q), dists[k].ppf(high_q)) for k in swung}
    if not isinstance(vectorised, (bool, np.bool_)):
        raise InputError(f"vectorised must be True or False, got {vectorised!r}")
    try:
        return _tornado(model, dists, output, bool(vectorised), bounds, base_inputs, swung)
    except KeyError as err:
        raise InputError(f"the model has no output {output!r} (it returned no {err})") from None


def _tornado(model, dists, output, vectorised, bounds, base_inputs, swung):
    """The body of :func:`tornado` once its inputs are checked."""
    if vectorised:
        n = 2 * len(swung) + 1
        batch = {
            k: np.full(n, v, dtype=float) if k in dists and dists[k] is not None else v for k, v in base_inputs.items()
        }
        for j, name in enumerate(swung):
            batch[name][1 + 2 * j], batch[name][2 + 2 * j] = bounds[name]
        values = np.broadcast_to(np.asarray(model(**batch)[output], dtype=float), (n,))
        base = float(values[0])
        swings = {name: (float(values[1 + 2 * j]), float(values[2 + 2 * j])) for j, name in enumerate(swung)}
    else:
        base = float(np.asarray(model(**base_inputs)[output], dtype=float))
        swings = {
            name: tuple(float(np.asarray(model(**{**base_inputs, name: x})[output], dtype=float)) for x in bounds[name])
            for name in swung
        }
    rows = []
    for name in swung:
        (low_in, high_in), (lo, hi) = bounds[name], swings[name]
        rows.append(
            {
                "input": name,
                "input_low": low_in,
                "input_high": high_in,
                "output_low": lo,
                "output_high": hi,
                "base": base,
                "swing": abs(hi - lo),
            }
        )
    return sorted(rows, key=lambda r: r["swing"], reverse=True)
