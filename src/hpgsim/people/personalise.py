"""From a man's measured labs to his individual factors, with their uncertainty.

The estimate is the maximum a posteriori (MAP) of the natural logs of his individual factors:

* prior: log-normal factors around the typical man of his age, BMI and conditions (the input
  vector), with the between-man covariance of :func:`hpgsim.people.population.log_covariance`;
* likelihood: each lab is his simulated steady state times a log-normal measurement error whose
  size is :data:`LAB_ERRORS` (within-man day-to-day variation plus assay imprecision of one
  morning sample).

Uncertainty is the Laplace approximation at the MAP: the posterior covariance of the log factors
is the inverse of ``G' W G + C^-1`` (``G`` the sensitivities of the log labs to the log factors by
central differences, ``W`` the inverse lab variances, ``C`` the prior covariance). A factor whose
posterior SD stays close to its prior SD is one the labs cannot pin down; pairs whose posterior
correlation is strong are pinned down only together (e.g. GnRH drive and pituitary LH output,
when LH is measured but neither is measured alone).

A lab the fitted man misses by more than :data:`CONFLICT_Z` measurement SDs is a conflict, and
it is reported, not hidden: :func:`fit_labs` lists it (and says whether any man within the
parameters' plausible ranges could produce it at all), :func:`personalise` refuses it with an
:class:`~hpgsim.errors.InputError` naming the lab and how far off it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

from ..errors import InputError, NumericalError
from ..physiology import model
from ..physiology.parameters import BY_NAME, INDEX
from .population import log_sd_of_cv, vary_clearances

# The simulated quantity each fitted lab is compared with: ("alg" | "state", slot).
SIMULATED: dict[str, tuple[str, int]] = {
    "total_testosterone": ("alg", model.A_TT),
    "free_testosterone": ("alg", model.A_FT),
    "bioavailable_testosterone": ("alg", model.A_BIOT),
    "estradiol": ("alg", model.A_E2),
    "lh": ("state", model.LH),
    "fsh": ("state", model.FSH),
    "shbg": ("state", model.SHBG),
    "inhibin_b": ("alg", model.A_INHB),
    "sperm_concentration": ("alg", model.A_SPERM),
    "total_motile_count": ("alg", model.A_TMC),
    "progressive_motility": ("alg", model.A_PMOT),
}
# Labs that are the man's own parameter, set as measured rather than estimated.
SET_FROM_LAB = {"prolactin": "prolactin", "semen_volume": "semen_volume"}
# Labs read by the markers and flags only (the model has no thyroid axis).
NOT_MODELLED = ("tsh",)

# Below these values a lab is compared as "at or below" the value (log of zero is undefined;
# azoospermia and gonadotropins under the detection limit are real results). Internal units.
FLOORS = {"sperm_concentration": 0.01, "total_motile_count": 0.01, "progressive_motility": 1.0,
          "lh": 0.05, "fsh": 0.05, "inhibin_b": 5.0}

CONFLICT_Z = 3.0          # measurement SDs: a lab the best fit misses by more is reported
IDENTIFIED_RATIO = 0.7    # posterior SD / prior SD below this: the labs pin the factor down
JOINT_CORRELATION = 0.8   # |posterior correlation| above this: pinned down only together
# Baseline labs of a study arm are means of tens of men: their error is a few percent of one
# man's, so calibration scripts fit them almost exactly (3 SDs of total T is then about 2.5 %).
GROUP_MEAN_ERROR_SCALE = 0.05
_STEP = 1e-4              # log-factor step of the central differences (steady state solved to 1e-12)


@dataclass(frozen=True)
class LabError:
    """Coefficient of variation of one measurement of ``lab`` around the man's true level."""

    lab: str
    cv: float
    source: str

    @property
    def log_sd(self) -> float:
        return log_sd_of_cv(self.cv)


_GULDHAUG = ("Guldhaug NA et al. (within-subject biological variation of endocrine biomarkers, 30 healthy "
             "volunteers sampled weekly for 10 weeks, Bayesian CVI; abstract read, journal details unverified)")
LAB_ERRORS: dict[str, LabError] = {e.lab: e for e in (
    LabError("total_testosterone", 0.17, f"within-man CV 16 % ({_GULDHAUG}) and about 5 % assay CV (assumption); "
             "Ahokoski O et al. Clin Chem Lab Med 1998;36:485 found less (reference change +/-32 %, a CV of about 12 %)"),
    LabError("free_testosterone", 0.20, "assumption: calculated free T carries the errors of total T (0.17) and SHBG (0.12)"),
    LabError("bioavailable_testosterone", 0.20, "assumption: as calculated free T"),
    LabError("estradiol", 0.20, f"within-man CV 14 % in men ({_GULDHAUG}; Ahokoski 1998: reference change +/-38 %, "
             "CV about 14 %), plus immunoassay imprecision at male levels (assumption, about 14 %)"),
    LabError("lh", 0.27, f"within-man CV 26 % in men ({_GULDHAUG}; pulsatile secretion) and about 5 % assay CV (assumption)"),
    LabError("fsh", 0.10, f"within-man CV 8 % in men ({_GULDHAUG}; Ahokoski 1998: reference change +/-24 %, CV about 9 %) "
             "and about 5 % assay CV (assumption)"),
    LabError("shbg", 0.12, f"within-man CV 7.4 % ({_GULDHAUG}) against 14 % with 5 % assay CV in monthly samples over 17 months "
             "(Andersson AM et al. J Clin Endocrinol Metab 2003;88:932); between the two"),
    LabError("inhibin_b", 0.12, "about 10 % within-man variation, mostly assay (Andersson 2003), and a morning-evening "
             "difference of about 40 pg/mL (Stewart J et al. Birth Defects Res B 2012); 0.12 is our rounding up"),
    LabError("sperm_concentration", 0.46, "within-man CV 45.8 % in donors, 54.2 % in infertile men (Keel BA. Fertil Steril "
             "2006;85:128); 39 % in normal men (Schwartz D et al. J Reprod Fertil 1979;57:391)"),
    LabError("total_motile_count", 0.73, "within-man CV 0.73 of total motile sperm count in five ejaculates of 436 men "
             "('Within-subject variation of seminal parameters in men with infertile marriages'; authors not read)"),
    LabError("progressive_motility", 0.25, "assumption: within-man CV of motility between that of velocity (20 %, Keel 2006) "
             "and of concentration"),
)}

# Motility is not among the population's varied factors; when a motility lab is given, its
# factor is estimated with this prior. Progressive motility 5th centile 32 %, median 55 % in
# fertile men (Cooper TG et al. Hum Reprod Update 2010;16:231): log(55/32)/1.645 = 0.33.
MOTILITY_PRIOR_LOG_SD = 0.33
_MOTILITY_LABS = ("progressive_motility", "total_motile_count")


@dataclass(frozen=True)
class FactorEstimate:
    """One individual factor: prior median (the typical man), MAP estimate, 95 % interval
    (Laplace, exp of log-normal quantiles) and whether the labs pin it down."""

    name: str
    prior_median: float
    estimate: float
    low95: float
    high95: float
    prior_log_sd: float
    posterior_log_sd: float
    identifiable: bool
    at_bound: bool = False

    @property
    def sd_ratio(self) -> float:
        """Posterior SD over prior SD (1 = the labs taught nothing about this factor)."""
        return self.posterior_log_sd / self.prior_log_sd


@dataclass(frozen=True)
class LabFit:
    """One lab: measured and simulated (internal units), and the gap in measurement SDs."""

    lab: str
    observed: float
    simulated: float
    log_sd: float
    z: float                        # (log observed - log simulated) / log_sd
    reachable: bool = True          # False: no man within the plausible ranges gets within CONFLICT_Z

    @property
    def conflict(self) -> bool:
        return abs(self.z) > CONFLICT_Z

    @property
    def percent_off(self) -> float:
        """How far the measured value is from the simulated one, in percent of the simulated."""
        return 100.0 * (self.observed / self.simulated - 1.0) if self.simulated > 0 else math.inf


@dataclass(frozen=True)
class Personalisation:
    """The personalised man: MAP parameter vector, estimates, lab fit and Laplace posterior.

    ``log_mean`` and ``log_cov`` are the Laplace posterior of the natural logs of ``names`` (the
    estimated factors); :meth:`draws` samples parameter vectors from it.
    """

    params: np.ndarray
    names: tuple[str, ...]
    log_mean: np.ndarray
    log_cov: np.ndarray
    factors: tuple[FactorEstimate, ...]
    labs: tuple[LabFit, ...]
    set_from_labs: dict[str, float] = field(default_factory=dict)
    fixed: tuple[str, ...] = ()               # factors a condition set to zero: not estimated
    not_modelled: tuple[str, ...] = ()        # labs given but read by the flags only
    informed_directions: int = 0              # directions in which the labs say more than the prior
    joint: tuple[tuple[str, str, float], ...] = ()   # (factor, factor, posterior correlation)
    method: str = "MAP with Laplace approximation"

    @property
    def conflicts(self) -> tuple[LabFit, ...]:
        return tuple(lab for lab in self.labs if lab.conflict)

    @property
    def not_identified(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors if not f.identifiable)

    def draws(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` parameter vectors from the Laplace posterior, shape ``(n, N_PARAMS)``; each factor
        is clipped to its plausible range."""
        out = np.repeat(self.params[None, :], n, axis=0)
        if self.names:
            x = rng.multivariate_normal(self.log_mean, self.log_cov, size=n, method="cholesky")
            for k, name in enumerate(self.names):
                low, high = _log_bounds(name)
                out[:, INDEX[name]] = np.exp(np.clip(x[:, k], low, high))
        # his labs say nothing about how fast he clears a drug: that spread is the population's
        vary_clearances(rng, out)
        return out


def _log_bounds(name: str) -> tuple[float, float]:
    info = BY_NAME[name]
    # a factor whose range reaches 0 (a missing function) is searched from 1e-3
    return math.log(max(info.low, 1e-3)), math.log(info.high)


def _prior(p: np.ndarray, labs: dict[str, float]) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    """Estimated factor names, prior centre (log) and covariance; factors fixed at zero."""
    from .population import log_covariance

    names, cov = log_covariance()
    names, cov = list(names), np.asarray(cov, dtype=float)
    if any(lab in labs for lab in _MOTILITY_LABS) and "motility_factor" not in names:
        names.append("motility_factor")
        cov = np.pad(cov, ((0, 1), (0, 1)))
        cov[-1, -1] = MOTILITY_PRIOR_LOG_SD**2
    fixed = [n for n in names if p[INDEX[n]] <= 0.0]
    keep = [i for i, n in enumerate(names) if n not in fixed]
    names = [names[i] for i in keep]
    cov = cov[np.ix_(keep, keep)]
    centre = np.array([np.clip(math.log(p[INDEX[n]]), *_log_bounds(n)) for n in names])
    return names, centre, cov, fixed


class _Model:
    """Simulated labs (and their logs) as a function of the log factors: one steady state each."""

    def __init__(self, p: np.ndarray, names: list[str], labs: list[str]):
        from ..engine.steady_state import steady_state

        self._steady_state = steady_state
        self.p, self.idx, self.labs = p, [INDEX[n] for n in names], labs

    def simulated(self, x: np.ndarray) -> np.ndarray:
        q = self.p.copy()
        q[self.idx] = np.exp(x)
        y, q = self._steady_state(q)
        a = np.zeros(model.N_ALG)
        model.algebra(y, q, np.zeros(model.N_CHANNELS), a)
        out = []
        for lab in self.labs:
            kind, slot = SIMULATED[lab]
            out.append(a[slot] if kind == "alg" else y[slot])
        return np.array(out)

    def log_labs(self, x: np.ndarray) -> np.ndarray:
        try:
            sim = self.simulated(x)
        except NumericalError:
            # no steady state for this trial point of the search: a large finite residual
            # steers the optimiser away instead of ending the fit
            return np.full(len(self.labs), 50.0)
        return np.log(np.maximum(sim, [FLOORS.get(lab, 1e-12) for lab in self.labs]))

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        cols = []
        for k in range(x.size):
            up, down = x.copy(), x.copy()
            up[k] += _STEP
            down[k] -= _STEP
            cols.append((self.log_labs(up) - self.log_labs(down)) / (2 * _STEP))
        return np.array(cols).T.reshape(len(self.labs), x.size)


def steady_state_labs(p: np.ndarray) -> dict[str, float]:
    """The untreated steady state of the man ``p`` for every lab the model simulates, and the labs
    that are his own parameters (prolactin, semen volume), in internal units: what his labs would
    read if measured without error."""
    values = _Model(p, [], list(SIMULATED)).simulated(np.zeros(0))
    out = {lab: float(v) for lab, v in zip(SIMULATED, values)}
    out.update({lab: float(p[INDEX[name]]) for lab, name in SET_FROM_LAB.items()})
    return out


def fit_labs(p: np.ndarray, labs: dict[str, float], *, error_scale: float = 1.0) -> Personalisation:
    """Personalise the man ``p`` (the typical man of his age, BMI and conditions) to ``labs``
    (internal units, as in :class:`~hpgsim.people.patient.Patient`). Never raises on conflicting
    labs: they are listed in the result's ``conflicts``.

    ``error_scale`` multiplies every lab's measurement error: 1 for one man's single samples;
    smaller for labs that are means of many men (a study arm's baseline), which are fitted
    almost exactly."""
    if not (isinstance(error_scale, (int, float)) and 0 < error_scale <= 10):
        raise InputError("error_scale", "a positive number up to 10", repr(error_scale))
    p = p.copy()
    set_from = {}
    for lab, name in SET_FROM_LAB.items():
        if lab in labs and labs[lab] > 0:
            p[INDEX[name]] = labs[lab]
            set_from[lab] = float(labs[lab])
    fitted = [lab for lab in SIMULATED if lab in labs]
    names, centre, cov, fixed = _prior(p, labs)
    not_modelled = tuple(lab for lab in labs if lab in NOT_MODELLED)
    if not fitted or not names:
        return _no_fit(p, names, centre, cov, fitted, labs, set_from, fixed, not_modelled)

    sd = error_scale * np.array([LAB_ERRORS[lab].log_sd for lab in fitted])
    obs = np.log(np.array([max(labs[lab], FLOORS.get(lab, 1e-12)) for lab in fitted]))
    prior_chol_inv = np.linalg.inv(np.linalg.cholesky(cov))
    bounds = np.array([_log_bounds(n) for n in names]).T
    sim = _Model(p, names, fitted)

    def residual(x: np.ndarray, prior_weight: float = 1.0) -> np.ndarray:
        return np.concatenate([(sim.log_labs(x) - obs) / sd, prior_weight * prior_chol_inv @ (x - centre)])

    x0 = np.clip(centre, bounds[0] + 1e-9, bounds[1] - 1e-9)
    fit = least_squares(residual, x0, bounds=bounds, diff_step=_STEP, xtol=1e-10, ftol=1e-10)
    x_map = fit.x
    log_sim = sim.log_labs(x_map)
    z = (obs - log_sim) / sd

    reachable = np.ones(len(fitted), dtype=bool)
    if np.any(np.abs(z) > CONFLICT_Z):
        # Could any man within the plausible ranges produce these labs? Refit with a prior
        # one-thousandth as strong (it only picks among equally good fits).
        closest = least_squares(lambda x: residual(x, 1e-3), x_map, bounds=bounds, diff_step=_STEP,
                                xtol=1e-10, ftol=1e-10)
        reachable = np.abs((obs - sim.log_labs(closest.x)) / sd) <= CONFLICT_Z

    g = sim.jacobian(x_map)
    fisher = g.T @ np.diag(sd**-2) @ g
    prior_precision = np.linalg.inv(cov)
    post_cov = np.linalg.inv(fisher + prior_precision)
    post_cov = 0.5 * (post_cov + post_cov.T)
    prior_sd, post_sd = np.sqrt(np.diag(cov)), np.sqrt(np.diag(post_cov))
    # directions in which the labs carry more information than the prior (prior-whitened Fisher)
    whitened = np.diag(prior_sd) @ fisher @ np.diag(prior_sd)
    informed = int(np.sum(np.linalg.eigvalsh(whitened) > 1.0))
    corr = post_cov / np.outer(post_sd, post_sd)
    joint = tuple((names[i], names[j], float(corr[i, j])) for i in range(len(names)) for j in range(i + 1, len(names))
                  if abs(corr[i, j]) > JOINT_CORRELATION)

    estimates = []
    for k, name in enumerate(names):
        at_bound = bool(x_map[k] <= bounds[0][k] + 1e-6 or x_map[k] >= bounds[1][k] - 1e-6)
        estimates.append(FactorEstimate(
            name, float(math.exp(centre[k])), float(math.exp(x_map[k])),
            float(math.exp(x_map[k] - 1.96 * post_sd[k])), float(math.exp(x_map[k] + 1.96 * post_sd[k])),
            float(prior_sd[k]), float(post_sd[k]), bool(post_sd[k] < IDENTIFIED_RATIO * prior_sd[k]), at_bound))
    p[[INDEX[n] for n in names]] = np.exp(x_map)
    simulated = np.exp(log_sim)
    lab_fits = tuple(LabFit(lab, float(labs[lab]), float(simulated[i]), float(sd[i]), float(z[i]), bool(reachable[i]))
                     for i, lab in enumerate(fitted))
    return Personalisation(p, tuple(names), x_map, post_cov, tuple(estimates), lab_fits, set_from, tuple(fixed),
                           not_modelled, informed, joint)


def _no_fit(p, names, centre, cov, fitted, labs, set_from, fixed, not_modelled) -> Personalisation:
    """No lab to fit (or nothing left to estimate): the posterior is the prior."""
    sd = np.sqrt(np.diag(cov)) if len(names) else np.zeros(0)
    factors = tuple(FactorEstimate(n, float(math.exp(c)), float(math.exp(c)), float(math.exp(c - 1.96 * s)),
                                   float(math.exp(c + 1.96 * s)), float(s), float(s), False)
                    for n, c, s in zip(names, centre, sd))
    lab_fits = ()
    if fitted:
        sim = _Model(p, [], fitted).simulated(np.zeros(0))
        lab_fits = tuple(LabFit(lab, float(labs[lab]), float(sim[i]), LAB_ERRORS[lab].log_sd,
                                float((math.log(max(labs[lab], FLOORS.get(lab, 1e-12)))
                                       - math.log(max(sim[i], FLOORS.get(lab, 1e-12)))) / LAB_ERRORS[lab].log_sd))
                         for i, lab in enumerate(fitted))
    return Personalisation(p, tuple(names), np.array(centre), np.array(cov), factors, lab_fits, set_from,
                           tuple(fixed), not_modelled)


def describe_conflict(lab: LabFit) -> str:
    """``"estradiol: measured 95.0, best fit 31.2 (+204 %, 5.6 measurement SDs); ..."`` in conventional units."""
    from ..units import from_internal

    (obs, sim), unit = from_internal(lab.lab, np.array([lab.observed, lab.simulated]), "conventional")
    why = ("no man within the parameters' plausible ranges reaches it" if not lab.reachable else
           "reachable only by a man far outside the population of his age, BMI and conditions")
    return (f"{lab.lab}: measured {obs:.3g} {unit}, best fit {sim:.3g} {unit} ({lab.percent_off:+.0f} %, "
            f"{abs(lab.z):.1f} measurement SDs); {why}")


def personalise(p: np.ndarray, labs: dict[str, float], *, field: str = "patient.labs",
                file: str | None = None, error_scale: float = 1.0) -> np.ndarray:
    """The MAP parameter vector of the man ``p`` given ``labs`` (internal units).

    Labs the best fit misses by more than :data:`CONFLICT_Z` measurement SDs raise an
    :class:`InputError` naming the worst of them and how far off it is. ``error_scale`` as in
    :func:`fit_labs`.
    """
    fit = fit_labs(p, labs, error_scale=error_scale)
    if fit.conflicts:
        worst = max(fit.conflicts, key=lambda lab: abs(lab.z))
        raise InputError(f"{field}.{worst.lab}", "labs a man's physiology can produce together "
                         "(check the value and unit, or list his conditions)", describe_conflict(worst), file)
    return fit.params
