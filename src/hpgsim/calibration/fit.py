"""The joint fit of population-level parameters to every calibration trial (``hpgsim calibrate``).

Objective: the weighted residuals of :mod:`.targets` (simulated minus published, over the
half-width of the published interval, so the pass rule's tolerance is the weight) for every
calibration endpoint at once, plus a prior row per parameter that pulls it toward its literature
value: ``PRIOR_WEIGHT * (u - u0) / 0.5``, where ``u`` is the parameter's position on its
plausible range (0 at the low end, 1 at the high end; log scale for positive ranges). Bounded
least squares (scipy's trust-region reflective) keeps every value in its range. Everything is
deterministic: the typical-man mode has no randomness, and cohorts are drawn from ``seed``
(the same men at every evaluation, so the objective is smooth in the parameters).

Identifiability comes from the Jacobian of the data residuals at the solution, in the ``u``
coordinates (a column is how much the residuals move, in tolerance units, when the parameter
crosses its whole range): a parameter whose column is near zero is not informed by the data, and
near-zero singular directions name combinations the data cannot separate.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

from ..errors import InputError
from ..physiology.parameters import PARAMETERS
from ..trials.spec import TrialSpec
from .parameter_set import ParameterInfo, ParameterSet, info
from .experiments import experiment_targets
from .targets import Target, all_targets, not_fitted

PRIOR_WEIGHT = 0.3          # as in the earlier joint fit: a parameter at the end of its range costs 0.09, a tenth of a failed endpoint
DIFF_STEP = 0.01            # finite-difference step of the fit: 1 % of each parameter's range
JACOBIAN_STEP = 0.02        # step of the identifiability Jacobian: 2 % of the range, well above the 0.1-point
                            # rounding of reported changes
VALIDATION_MARGIN = 0.01    # a validation cost 1 % lower (at equal passes) counts as better; less is noise
UNIDENTIFIED_NORM = 0.1     # crossing the whole range moves the residuals by less than a tenth of a tolerance
# The drug potencies a default refit frees. Letrozole's EC50 is not among them: the calibration set
# has only daily dosing (T'Sjoen 2005), which saturates the block, so the EC50 comes from
# postmenopausal women and once-weekly dosing in men (drugs/catalogue/aromatase_inhibitors.py).
DRUG_POTENCIES = ("anastrozole.ec50_ng_ml", "anastrozole.emax", "letrozole.emax", "exemestane.emax", "enclomiphene.ec50_ng_ml",
                  "hcg.emax", "hcg.ec50_ng_ml")


def default_free() -> list[str]:
    """The table's ``fitted`` rows and the drug potencies."""
    return [p.name for p in PARAMETERS if p.fitted] + list(DRUG_POTENCIES)


class _Scale:
    """Between values and positions ``u`` on the plausible range (log scale for positive ranges)."""

    def __init__(self, meta: ParameterInfo):
        self.meta = meta
        self.low, self.high = meta.low, meta.high
        self.log = meta.log_scale
        self.a, self.b = (math.log(self.low), math.log(self.high)) if self.log else (self.low, self.high)

    def to_u(self, value: float) -> float:
        z = math.log(min(max(value, self.low), self.high)) if self.log else value
        return (z - self.a) / (self.b - self.a)

    def to_value(self, u: float) -> float:
        z = self.a + u * (self.b - self.a)
        value = math.exp(z) if self.log else z
        return min(max(value, self.meta.low), self.meta.high)


@dataclass
class Evaluation:
    """Every target at one parameter set, and its cost (half the sum of squared residuals, each
    weighted as :func:`hpgsim.calibration.targets.same_trial_weighted` says)."""

    targets: list[Target]

    @property
    def cost(self) -> float:
        return 0.5 * float(sum(t.weighted ** 2 for t in self.targets))

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.targets)


def evaluate_set(values: dict[str, float], specs: Sequence[TrialSpec], n_virtual: int, seed: int,
                 tick: Callable[[], None] | None = None, experiments: bool = False) -> Evaluation:
    """Every target of ``specs`` at ``values``; with ``experiments``, also the calibration set's
    non-trial physiology experiments (:mod:`hpgsim.calibration.experiments`)."""
    with ParameterSet(values).applied():
        targets = all_targets(list(specs), n_virtual, seed, tick)
        return Evaluation(targets + (experiment_targets() if experiments else []))


@dataclass
class CalibrationResult:
    free: list[ParameterInfo]
    start: dict[str, float]
    fitted: dict[str, float]
    before: Evaluation
    after: Evaluation
    validation_before: Evaluation | None
    validation_after: Evaluation | None
    singular_values: list[float]
    weak_directions: list[list[tuple[str, float]]]
    column_norms: dict[str, float]
    n_virtual: int
    seed: int
    evaluations: int
    seconds: float
    status: str
    left_out: list[str] = field(default_factory=list)
    loss: str = "linear"

    @property
    def unidentified(self) -> list[str]:
        return [name for name, norm in self.column_norms.items() if norm < UNIDENTIFIED_NORM]

    @property
    def improves_validation(self) -> bool:
        """More validation endpoints pass, or as many pass with a cost at least 1 % lower."""
        b, a = self.validation_before, self.validation_after
        if b is None or a is None:
            return False
        return a.passed > b.passed or (a.passed == b.passed and a.cost < (1.0 - VALIDATION_MARGIN) * b.cost)

    def parameter_set(self) -> ParameterSet:
        return ParameterSet(self.fitted)


# scipy.optimize.least_squares losses, applied with f_scale 1: one tolerance of the pass rule
# is where a robust loss starts to count a residual less than its square.
LOSSES = ("linear", "soft_l1", "huber", "cauchy")


def calibrate(specs: Sequence[TrialSpec], free: Sequence[str] | None = None, *, n_virtual: int = 0, seed: int = 1,
              max_iterations: int = 20, validation: Sequence[TrialSpec] = (), prior_weight: float = PRIOR_WEIGHT,
              start: dict[str, float] | None = None, progress: Callable[[int, int], None] | None = None,
              experiments: bool = False, loss: str = "linear") -> CalibrationResult:
    """Fit ``free`` (default :func:`default_free`) to ``specs`` jointly; see the module docstring.

    ``loss`` is scipy's name for how residuals count (:data:`LOSSES`): ``linear`` is least squares;
    the robust losses count a residual beyond one tolerance less than its square, so that
    endpoints the model misses by many tolerances (a missing mechanism, not a parameter) do not
    steer the fit away from the endpoints it can meet.

    ``experiments`` adds the calibration set's physiology experiments that are not trials
    (:mod:`hpgsim.calibration.experiments`) to the targets. ``start`` overrides the literature values the fit starts from and is pulled toward (used by
    tests that generate synthetic observations); ``progress(done, total)`` is called after every
    simulation of the whole set.
    """
    names = list(dict.fromkeys(free if free else default_free()))
    if loss not in LOSSES:
        raise InputError("--loss", "one of " + ", ".join(LOSSES), loss)
    if not names:
        raise InputError("--free", "at least one parameter to fit", "none")
    metas = [info(n, field="--free") for n in names]
    scales = [_Scale(m) for m in metas]
    literature = {m.name: float((start or {}).get(m.name, m.default)) for m in metas}
    ParameterSet(literature)   # range check of the starting point
    u0 = np.array([s.to_u(literature[s.meta.name]) for s in scales])
    specs = list(specs)
    n_sims = (max_iterations + 1) * (len(names) + 1) + 2
    calls = [0]
    t0 = time.perf_counter()

    def values_of(u: np.ndarray) -> dict[str, float]:
        return {s.meta.name: s.to_value(float(x)) for s, x in zip(scales, u)}

    def objective(u: np.ndarray) -> np.ndarray:
        ev = evaluate_set(values_of(u), specs, n_virtual, seed, experiments=experiments)
        calls[0] += 1
        if progress is not None:
            progress(calls[0], max(n_sims, calls[0]))
        prior = prior_weight * (u - u0) / 0.5
        return np.concatenate([[t.weighted for t in ev.targets], prior])

    before = evaluate_set(literature, specs, n_virtual, seed, experiments=experiments)
    if not before.targets:
        raise InputError("specs", "calibration specs with published endpoints", "none")
    fit = least_squares(objective, np.clip(u0, 0.0, 1.0), bounds=(0.0, 1.0), diff_step=DIFF_STEP, method="trf",
                        max_nfev=max_iterations, x_scale=1.0, loss=loss, f_scale=1.0)
    fitted = values_of(fit.x)
    after = evaluate_set(fitted, specs, n_virtual, seed, experiments=experiments)
    jac = _jacobian(lambda u: objective(u)[: len(after.targets)], fit.x, np.array([t.weighted for t in after.targets]))
    norms = {m.name: float(np.linalg.norm(jac[:, j])) for j, m in enumerate(metas)}
    sv, weak = _weak_directions(jac, names)
    val_before = evaluate_set(literature, validation, n_virtual, seed) if validation else None
    val_after = evaluate_set(fitted, validation, n_virtual, seed) if validation else None
    return CalibrationResult(metas, literature, fitted, before, after, val_before, val_after, sv, weak, norms,
                             n_virtual, seed, calls[0] + 2 + 2 * bool(validation), time.perf_counter() - t0, fit.message,
                             not_fitted(specs, n_virtual), loss)


def _jacobian(residuals: Callable[[np.ndarray], np.ndarray], u: np.ndarray, r0: np.ndarray) -> np.ndarray:
    """One-sided differences of the data residuals, each step taken toward the inside of the range."""
    jac = np.zeros((r0.size, u.size))
    for j in range(u.size):
        h = JACOBIAN_STEP if u[j] + JACOBIAN_STEP <= 1.0 else -JACOBIAN_STEP
        v = u.copy()
        v[j] += h
        jac[:, j] = (residuals(v) - r0) / h
    return jac


def _weak_directions(jac: np.ndarray, names: list[str]) -> tuple[list[float], list[list[tuple[str, float]]]]:
    """Singular values of the data Jacobian and, for each near-zero one, the parameters that load on it."""
    if jac.size == 0:
        return [], []
    _, s, vt = np.linalg.svd(jac, full_matrices=True)
    s = np.concatenate([s, np.zeros(vt.shape[0] - s.size)])   # more parameters than residuals: zeros
    weak = []
    for k, value in enumerate(s):
        if value < UNIDENTIFIED_NORM:
            loads = sorted(((names[j], float(vt[k, j])) for j in range(len(names)) if abs(vt[k, j]) >= 0.3),
                           key=lambda x: -abs(x[1]))
            weak.append(loads)
    return [float(x) for x in s], weak
