"""BG/NBD and Gamma-Gamma: the standard "buy till you die" models of customer value.

Pure numpy/scipy, no store: each customer is summarised as ``x`` (repeat purchases), ``t_x``
(time of the last purchase after the first) and ``T`` (time from the first purchase to the end
of the calibration period), in one time unit, and ``m`` (mean value of the repeat purchases).

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): purchases follow a
  Poisson process with rate ~ Gamma(r, alpha) while the customer is alive; after each purchase
  the customer drops out with probability p ~ Beta(a, b).
- Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"): the value of a customer's purchases is
  Gamma(p, nu) with nu ~ Gamma(q, v), independent of the purchase process.

Both are fitted by maximum likelihood over log-parameters (L-BFGS-B, analytic gradients),
on the distinct summaries weighted by how many customers share them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

Array = np.ndarray


class FitError(ValueError):
    """The data cannot identify the model (too few customers or no repeat purchases)."""


def _distinct(*columns: Array) -> tuple[list[Array], Array]:
    """The distinct rows of ``columns`` and how many times each occurs."""
    stacked = np.column_stack([np.asarray(c, dtype=float) for c in columns])
    rows, counts = np.unique(stacked, axis=0, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts.astype(float)


def _maximise(objective: Any, start: Array, n: float) -> tuple[Array, float, int]:
    """Minimise the mean negative log-likelihood over log-parameters; return the parameters."""
    result = minimize(
        lambda z: tuple(v / n for v in objective(z)),
        np.log(start),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 2000, "gtol": 1e-10, "ftol": 1e-14},
    )
    if not np.all(np.isfinite(result.x)):
        raise FitError(f"the fit did not converge: {result.message}")
    return np.exp(result.x), float(-result.fun * n), int(result.nit)


@dataclass(frozen=True)
class BetaGeoFit:
    """Fitted BG/NBD parameters (time in the unit the summary was made in)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    iterations: int

    def params(self) -> dict[str, float]:
        """``{"r", "alpha", "a", "b"}``."""
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def probability_alive(self, x: Array, t_x: Array, T: Array) -> Array:
        """P(the customer has not dropped out at T | x, t_x, T) (FHL 2005, eq. 12)."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        ratio = np.where(
            x > 0,
            self.a
            / np.maximum(self.b + x - 1, 1e-12)
            * ((self.alpha + T) / (self.alpha + t_x)) ** (self.r + x),
            0.0,
        )
        return 1.0 / (1.0 + ratio)

    def expected_purchases(self, t: float | Array, x: Array, t_x: Array, T: Array) -> Array:
        """E[purchases in (T, T + t] | x, t_x, T] (FHL 2005, eq. 10)."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        head = (a + b + x - 1) / (a - 1)
        body = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
            r + x, b + x, a + b + x - 1, z
        )
        alive = np.where(
            x > 0, a / np.maximum(b + x - 1, 1e-12) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0
        )
        return np.asarray(head * body / (1 + alive))

    def population_purchases(self, t: float | Array) -> Array:
        """E[purchases in (0, t]] of a new customer (FHL 2005, eq. 9)."""
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + t)
        return np.asarray(
            (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
        )


def _bgnbd_objective(x: Array, t_x: Array, T: Array, w: Array) -> Any:
    """Negative log-likelihood of BG/NBD and its gradient in log-parameters."""
    repeat = x > 0
    xm1 = np.where(repeat, x - 1, 0)

    def objective(z: Array) -> tuple[float, Array]:
        r, alpha, a, b = np.exp(z)
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
        log_t = np.log(alpha + T)
        log_tx = np.log(alpha + t_x)
        l3 = -(r + x) * log_t  # alive at T
        # dropped out right after the last purchase (only with repeat purchases)
        l4 = np.where(repeat, np.log(a) - np.log(b + xm1) - (r + x) * log_tx, -np.inf)
        top = np.maximum(l3, l4)
        e3, e4 = np.exp(l3 - top), np.exp(l4 - top)
        s = e3 + e4
        ll = common + top + np.log(s)
        w3, w4 = e3 / s, e4 / s  # posterior weights of the two terms
        # d/d parameter of each piece
        d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w3 * log_t - w4 * log_tx
        d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
        d_a = digamma(a + b) - digamma(a + b + x) + w4 / a
        d_b = digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b) - w4 / (b + xm1)
        grad = np.array(
            [
                np.dot(w, d_r) * r,
                np.dot(w, d_alpha) * alpha,
                np.dot(w, d_a) * a,
                np.dot(w, d_b) * b,
            ]
        )
        return -float(np.dot(w, ll)), -grad

    return objective


def fit_bgnbd(x: Array, t_x: Array, T: Array) -> BetaGeoFit:
    """Fit BG/NBD by maximum likelihood on per-customer (x, t_x, T)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(x) < 10:
        raise FitError(f"BG/NBD needs at least 10 customers with purchases (got {len(x)})")
    if not (x > 0).any():
        raise FitError("BG/NBD needs some customers with repeat purchases (none have any)")
    if (t_x > T * 1.001 + 1e-9).any() or (x < 0).any() or (t_x < 0).any():
        raise FitError("invalid summary: need x >= 0 and 0 <= t_x <= T for every customer")
    t_x = np.minimum(t_x, T)  # rounded summaries may have t_x a hair above T
    (ux, utx, uT), w = _distinct(x, t_x, T)
    start = np.array([1.0, max(float(np.average(uT, weights=w)), 1e-3), 1.0, 1.0])
    params, ll, nit = _maximise(_bgnbd_objective(ux, utx, uT, w), start, w.sum())
    r, alpha, a, b = (float(v) for v in params)
    return BetaGeoFit(r, alpha, a, b, ll, len(x), nit)


@dataclass(frozen=True)
class GammaGammaFit:
    """Fitted Gamma-Gamma spend parameters."""

    p: float
    q: float
    v: float
    log_likelihood: float
    customers: int
    iterations: int

    def params(self) -> dict[str, float]:
        """``{"p", "q", "v"}``."""
        return {"p": self.p, "q": self.q, "v": self.v}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def expected_value(self, x: Array, m: Array) -> Array:
        """E[value of a purchase | x repeat purchases with mean m] (population mean if x = 0)."""
        x = np.asarray(x, dtype=float)
        m = np.nan_to_num(np.asarray(m, dtype=float))
        p, q, v = self.p, self.q, self.v
        return np.asarray((p * (v + x * m)) / (p * x + q - 1))


def _gamma_gamma_objective(x: Array, m: Array, w: Array) -> Any:
    log_m, log_x = np.log(m), np.log(x)

    def objective(z: Array) -> tuple[float, Array]:
        p, q, v = np.exp(z)
        px = p * x
        log_xmv = np.log(x * m + v)
        ll = (
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(v)
            + (px - 1) * log_m
            + px * log_x
            - (px + q) * log_xmv
        )
        d_p = x * (digamma(px + q) - digamma(px) + log_m + log_x - log_xmv)
        d_q = digamma(px + q) - digamma(q) + np.log(v) - log_xmv
        d_v = q / v - (px + q) / (x * m + v)
        grad = np.array([np.dot(w, d_p) * p, np.dot(w, d_q) * q, np.dot(w, d_v) * v])
        return -float(np.dot(w, ll)), -grad

    return objective


def fit_gamma_gamma(x: Array, m: Array) -> GammaGammaFit:
    """Fit Gamma-Gamma on customers with repeat purchases (x > 0) and positive mean value m."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    keep = (x > 0) & np.isfinite(m) & (m > 0)
    if keep.sum() < 10:
        raise FitError(
            f"Gamma-Gamma needs at least 10 customers with repeat purchases of positive value "
            f"(got {int(keep.sum())})"
        )
    (ux, um), w = _distinct(x[keep], m[keep])
    start = np.array([1.0, 1.0, max(float(np.average(um, weights=w)), 1e-3)])
    params, ll, nit = _maximise(_gamma_gamma_objective(ux, um, w), start, w.sum())
    p, q, v = (float(val) for val in params)
    return GammaGammaFit(p, q, v, ll, int(keep.sum()), nit)
