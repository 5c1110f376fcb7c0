"""Many men in one compiled call: the batch engine.

:func:`run_batch` simulates N men, each with his own parameter vector and (if wanted) his own
protocol, in one numba-compiled call parallel over cores. Every man runs the same per-man code
as :func:`hpgsim.engine.run.run_man` (:func:`hpgsim.engine.dopri.march` after the compiled
baseline :func:`hpgsim.engine.steady_state.baseline`), so a man's results in a batch equal his
single-man results. Each man keeps his own adaptive step (a stiff man only costs his own
thread time) and his own status code, so one failure never sinks the batch.

Memory is bounded by what is asked for: only the requested ``outputs`` at the requested
``out_t`` are kept (a 100,000-man year with weekly outputs of four measures is 170 MB, not the
trajectories), and :func:`iter_batch` hands the men over in chunks so a caller can reduce each
chunk to statistics and drop it.

Dose events are packed CSR-style per *protocol*, not per man: men who share a protocol (every
man of a trial arm) share one copy of its dose arrays and PK table, so 100,000 men on daily
dosing do not need 100,000 copies of 365 doses.

Wiring into the trial runner (``trials/run.py``): an arm's men are ``cohort.men`` (N, P) and
one ``DoseEvents`` for the arm; ``run_batch(cohort.men, events, out_t=weeks * 168.0,
outputs=measures)`` returns ``values[measure]`` with shape (N, len(weeks)) in internal units and
``status`` per man (``ok`` is the mask of men to keep; :data:`STATUS_TEXT` gives the failure
message). Measures are the names :func:`hpgsim.api.measures_of` uses for states and algebraic
outputs (``total_testosterone``, ``lh``, ...), the ratios ``t_e2_ratio`` and ``t_lh_ratio``,
``prolactin``, raw state names (``model.STATE_NAMES``) and ``concentration:<drug>`` (zero for men
whose protocol lacks the drug), with the same definitions as there; a test checks the batch
against ``trials.run.simulate_man`` measure by measure. For a progress bar, iterate
:func:`iter_batch` and tick once per chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numba
import numpy as np
from numba import njit, prange

from ..drugs import pk
from ..errors import InputError, NumericalError
from ..physiology import model
from ..physiology.parameters import N_PARAMS
from . import dopri
from .run import DEFAULT_ATOL_FACTOR, DEFAULT_RTOL, MAX_STEPS, DoseEvents
from .steady_state import baseline, state_scale_into

# status codes per man: the solver's (dopri.OK ... STEP_UNDERFLOW) plus the baseline's
NO_STEADY_STATE = 4
STATUS_TEXT = dict(dopri.STATUS_TEXT)
STATUS_TEXT[NO_STEADY_STATE] = "no steady state found for this man's parameters"

# measure names -> output codes (dopri.march): api's names first, then raw state names
_ALG_MEASURES = {
    "total_testosterone": model.A_TT, "free_testosterone": model.A_FT, "bioavailable_testosterone": model.A_BIOT,
    "intratesticular_testosterone": model.A_ITT, "estradiol": model.A_E2, "free_estradiol": model.A_FE2,
    "inhibin_b": model.A_INHB, "sperm_concentration": model.A_SPERM, "total_motile_count": model.A_TMC,
    "progressive_motility": model.A_PMOT, "gnrh_drive": model.A_GNRH, "leydig_activity": model.A_LEYDIG,
    "fsh": model.A_FSH_EFF,   # serum FSH including any given (api.measures_of); the state is his own
}
_STATE_MEASURES = {"lh": model.LH, "shbg": model.SHBG, "bmd_spine": model.BMD, "insulin_sensitivity": model.ISI}
_STATE_MEASURES.update({name: i for i, name in enumerate(model.STATE_NAMES)})
CONCENTRATION = "concentration:"
# measures computed after the run from others, as hpgsim.api.measures_of defines them
_DERIVED = {"t_e2_ratio": ("total_testosterone", "estradiol"), "t_lh_ratio": ("total_testosterone", "lh"),
            "prolactin": ()}
DEFAULT_OUTPUTS = ("total_testosterone", "estradiol", "lh", "fsh", "sperm_concentration")
DEFAULT_CHUNK = 1024   # men per compiled call: bounds working memory and how long Ctrl-C waits
PARALLEL_GRAIN = 8     # men a thread takes at a time inside a chunk (dynamic load balancing)


def output_names() -> tuple[str, ...]:
    """Every output name :func:`run_batch` accepts, besides ``concentration:<drug>``."""
    return tuple(_ALG_MEASURES) + tuple(k for k in _STATE_MEASURES if k not in _ALG_MEASURES) + tuple(_DERIVED)


def _derive(name: str, base: dict[str, np.ndarray], params: np.ndarray, n_t: int) -> np.ndarray:
    """The ratios in conventional units and prolactin (a parameter), as ``measures_of`` has them."""
    from ..units import from_internal

    if name == "prolactin":
        return np.repeat(params[:, model.P_PRL][:, None], n_t, axis=1)
    tt_ngdl, _ = from_internal("total_testosterone", base["total_testosterone"], "conventional")
    if name == "t_e2_ratio":
        e2_pgml, _ = from_internal("estradiol", base["estradiol"], "conventional")
        return tt_ngdl / e2_pgml
    return tt_ngdl / np.maximum(base["lh"], 1e-3)


@dataclass(frozen=True)
class BatchResult:
    """Selected outputs of N men at the times ``t`` (hours).

    ``values[name]`` has shape (N, len(t)) in internal units (rows of failed men are not
    meaningful); ``status`` (N,) is 0 for a man simulated to the end, else a code of
    :data:`STATUS_TEXT`; ``steps`` (N,) is each man's accepted + rejected steps; ``params``
    (N, P) is each man's parameter vector with his baseline-derived slots filled.
    """

    t: np.ndarray
    values: dict[str, np.ndarray]
    status: np.ndarray
    steps: np.ndarray
    params: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        return self.status == dopri.OK

    def messages(self) -> list[str]:
        """One message per man ("ok" or why he failed)."""
        return [STATUS_TEXT[int(s)] for s in self.status]

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in self.values.values()) + self.status.nbytes + self.steps.nbytes + self.params.nbytes


@dataclass(frozen=True)
class PackedProtocols:
    """Distinct protocols packed CSR-style: protocol q's doses are ``ev_*[ev_off[q]:ev_off[q+1]]``
    and its PK rows (and which output row each drug slot feeds) ``pk_tab[pk_off[q]:pk_off[q+1]]``."""

    ev_off: np.ndarray
    ev_t: np.ndarray
    ev_drug: np.ndarray
    ev_amount: np.ndarray
    ev_central: np.ndarray
    pk_off: np.ndarray
    pk_tab: np.ndarray
    slot_out: np.ndarray
    sel: np.ndarray        # (n_protocols, K) output codes
    t_start: np.ndarray    # (n_protocols,) where each protocol's simulation starts (h)


def pack(protocols: Sequence[DoseEvents], outputs: Sequence[str]) -> PackedProtocols:
    """Pack ``protocols`` for the compiled kernel, resolving ``outputs`` per protocol (a drug
    concentration is the sum of that drug's slots, zero for a protocol without it)."""
    n_q = len(protocols)
    k_out = len(outputs)
    sel = np.full((n_q, k_out), -1, dtype=np.int64)
    ev_off = np.zeros(n_q + 1, dtype=np.int64)
    pk_off = np.zeros(n_q + 1, dtype=np.int64)
    for q, ev in enumerate(protocols):
        ev_off[q + 1] = ev_off[q] + ev.t.size
        pk_off[q + 1] = pk_off[q] + len(ev.drugs)
    slot_out = np.full(int(pk_off[-1]), -1, dtype=np.int64)
    for k, name in enumerate(outputs):
        if name in _ALG_MEASURES:
            sel[:, k] = dopri.ALG_CODE0 + _ALG_MEASURES[name]
        elif name in _STATE_MEASURES:
            sel[:, k] = _STATE_MEASURES[name]
        elif name.startswith(CONCENTRATION):
            # as measures_of: a drug's plasma level summed over its routes; placebo and
            # depots feeding the body's own testosterone (effect "absorption") have none (zero)
            drug = name[len(CONCENTRATION):]
            for q, ev in enumerate(protocols):
                for d, record in enumerate(ev.drugs):
                    if record.name == drug and drug != "placebo" and record.effect != "absorption":
                        slot_out[pk_off[q] + d] = k
        else:
            raise InputError("outputs", f"names from {', '.join(output_names())} or concentration:<drug>", name)
    tabs = [ev.pk_static() for ev in protocols]
    return PackedProtocols(
        ev_off=ev_off,
        ev_t=np.concatenate([ev.t for ev in protocols]).astype(float),
        ev_drug=np.concatenate([ev.drug for ev in protocols]).astype(np.int64),
        ev_amount=np.concatenate([ev.amount for ev in protocols]).astype(float),
        ev_central=np.concatenate([ev.central for ev in protocols]).astype(np.int64),
        pk_off=pk_off,
        pk_tab=np.concatenate(tabs) if tabs else np.zeros((0, pk.N_STATIC)),
        slot_out=slot_out,
        sel=sel,
        t_start=np.array([min(0.0, float(ev.t[0])) if ev.t.size else 0.0 for ev in protocols]),
    )


@njit(cache=True)
def _one_man(i, P, Y0, have_y0, man_q, ev_off, ev_t, ev_drug, ev_amount, ev_central, pk_off, pk_tab, slot_out,
             sel, t_start, out_t, rtol, atol_factor, max_steps, out, Q, status, steps):
    n = model.N_STATES
    y = np.zeros(n)
    q = P[i].copy()
    if have_y0:
        for s in range(n):
            y[s] = Y0[i, s]
    else:
        ok = True
        for s in range(q.shape[0]):
            if not np.isfinite(q[s]):
                ok = False
        if not ok or not baseline(P[i], y, q):
            status[i] = NO_STEADY_STATE
            steps[i] = 0
            for s in range(q.shape[0]):
                Q[i, s] = q[s]
            return
    for s in range(q.shape[0]):
        Q[i, s] = q[s]
    atol = np.zeros(n)
    state_scale_into(q, atol)
    for s in range(n):
        atol[s] *= atol_factor
    g = man_q[i]
    a0, a1 = pk_off[g], pk_off[g + 1]
    e0, e1 = ev_off[g], ev_off[g + 1]
    st, ns = dopri.march(y, q, pk_tab[a0:a1], t_start[g], ev_t[e0:e1], ev_drug[e0:e1], ev_amount[e0:e1],
                         ev_central[e0:e1], out_t, sel[g], slot_out[a0:a1], rtol, atol, max_steps, out[i])
    status[i] = st
    steps[i] = ns


@njit(cache=True, parallel=True)
def _kernel_parallel(P, Y0, have_y0, man_q, ev_off, ev_t, ev_drug, ev_amount, ev_central, pk_off, pk_tab, slot_out,
                     sel, t_start, out_t, rtol, atol_factor, max_steps, out, Q, status, steps):
    for i in prange(P.shape[0]):
        _one_man(i, P, Y0, have_y0, man_q, ev_off, ev_t, ev_drug, ev_amount, ev_central, pk_off, pk_tab, slot_out,
                 sel, t_start, out_t, rtol, atol_factor, max_steps, out, Q, status, steps)


@njit(cache=True)
def _kernel_serial(P, Y0, have_y0, man_q, ev_off, ev_t, ev_drug, ev_amount, ev_central, pk_off, pk_tab, slot_out,
                   sel, t_start, out_t, rtol, atol_factor, max_steps, out, Q, status, steps):
    for i in range(P.shape[0]):
        _one_man(i, P, Y0, have_y0, man_q, ev_off, ev_t, ev_drug, ev_amount, ev_central, pk_off, pk_tab, slot_out,
                 sel, t_start, out_t, rtol, atol_factor, max_steps, out, Q, status, steps)


def _protocols_of(events: DoseEvents | Sequence[DoseEvents], n: int) -> tuple[list[DoseEvents], np.ndarray]:
    """Distinct protocols (by identity) and each man's index into them."""
    if isinstance(events, DoseEvents):
        return [events], np.zeros(n, dtype=np.int64)
    events = list(events)
    if len(events) != n:
        raise InputError("events", f"one DoseEvents for all men or a list of {n} (one per man)", f"a list of {len(events)}")
    distinct: dict[int, int] = {}
    protocols: list[DoseEvents] = []
    man_q = np.empty(n, dtype=np.int64)
    for i, ev in enumerate(events):
        if not isinstance(ev, DoseEvents):
            raise InputError("events", "DoseEvents (hpgsim.engine.run.DoseEvents.from_list)", type(ev).__name__)
        key = id(ev)
        if key not in distinct:
            distinct[key] = len(protocols)
            protocols.append(ev)
        man_q[i] = distinct[key]
    return protocols, man_q


def _check(params: np.ndarray, out_t: np.ndarray) -> None:
    if params.ndim != 2 or params.shape[1] != N_PARAMS:
        raise InputError("params", f"an (N, {N_PARAMS}) array of parameter vectors (people.population.sample_men)",
                         f"shape {params.shape}")
    if out_t.ndim != 1 or out_t.size == 0 or not np.all(np.isfinite(out_t)) or np.any(np.diff(out_t) < 0):
        raise InputError("out_t", "a non-empty, sorted 1-D array of output times in hours", repr(out_t[:5]))


def iter_batch(params: np.ndarray, events: DoseEvents | Sequence[DoseEvents], out_t: np.ndarray,
               outputs: Sequence[str] = DEFAULT_OUTPUTS, *, rtol: float | None = None, atol_factor: float | None = None,
               y0: np.ndarray | None = None, chunk: int = DEFAULT_CHUNK, parallel: bool = True,
               max_steps: int = MAX_STEPS) -> Iterator[tuple[slice, BatchResult]]:
    """Simulate men ``chunk`` at a time; yield (slice of men, their :class:`BatchResult`).

    Same arguments as :func:`run_batch`. Use this to stream: reduce each chunk to the statistics
    you need and let it go, so memory stays at one chunk whatever N is.
    """
    params = np.ascontiguousarray(params, dtype=float)
    out_t = np.ascontiguousarray(out_t, dtype=float)
    _check(params, out_t)
    n = params.shape[0]
    outputs = tuple(outputs)
    computed = tuple(dict.fromkeys([m for name in outputs for m in (_DERIVED[name] if name in _DERIVED else (name,))]))
    protocols, man_q = _protocols_of(events, n)
    packed = pack(protocols, computed)
    rtol = DEFAULT_RTOL if rtol is None else float(rtol)
    atol_factor = DEFAULT_ATOL_FACTOR if atol_factor is None else float(atol_factor)
    if not (0 < rtol < 1 and atol_factor > 0):
        raise InputError("rtol", "a relative tolerance between 0 and 1 and a positive atol_factor", f"{rtol}, {atol_factor}")
    have_y0 = y0 is not None
    y0_all = np.ascontiguousarray(y0, dtype=float) if have_y0 else np.zeros((n, model.N_STATES))
    if y0_all.shape != (n, model.N_STATES):
        raise InputError("y0", f"an (N, {model.N_STATES}) array of initial states", f"shape {y0_all.shape}")
    chunk = max(1, int(chunk))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        m = stop - start
        out = np.zeros((m, len(computed), out_t.size))
        q_out = np.zeros((m, params.shape[1]))
        status = np.zeros(m, dtype=np.int64)
        steps = np.zeros(m, dtype=np.int64)
        # one man gains nothing from the thread pool, only its start-up and wake-up costs
        kernel = _kernel_parallel if parallel and m > 1 else _kernel_serial
        # threads take men a few at a time rather than one fixed half each, so a slow (stiff)
        # man holds up only his own thread's next few men
        with numba.parallel_chunksize(PARALLEL_GRAIN):
            kernel(params[start:stop], y0_all[start:stop], have_y0, man_q[start:stop], packed.ev_off, packed.ev_t,
                   packed.ev_drug, packed.ev_amount, packed.ev_central, packed.pk_off, packed.pk_tab, packed.slot_out,
                   packed.sel, packed.t_start, out_t, rtol, atol_factor, int(max_steps), out, q_out, status, steps)
        if not have_y0:
            _retry_baselines(params[start:stop], man_q[start:stop], packed, out_t, rtol, atol_factor, max_steps,
                             out, q_out, status, steps)
        # as run_man: a finished run with a non-finite output is a failure, never a NaN result
        status[(status == dopri.OK) & ~np.isfinite(out).all(axis=(1, 2))] = dopri.NON_FINITE
        base = {name: out[:, k, :] for k, name in enumerate(computed)}
        values = {name: _derive(name, base, q_out, out_t.size) if name in _DERIVED else base[name] for name in outputs}
        yield slice(start, stop), BatchResult(out_t, values, status, steps, q_out)


def _retry_baselines(params, man_q, packed, out_t, rtol, atol_factor, max_steps, out, q_out, status, steps) -> None:
    """Men the compiled Newton could not baseline get the SciPy fallback of
    :func:`~hpgsim.engine.steady_state.steady_state` (as :func:`run_man` would), then the same kernel."""
    from .steady_state import _steady_state_scipy

    for i in np.nonzero(status == NO_STEADY_STATE)[0]:
        if not np.all(np.isfinite(params[i])):
            continue
        try:
            y, q = _steady_state_scipy(params[i])
        except NumericalError:
            continue
        one = slice(i, i + 1)
        _kernel_serial(q[None, :], y[None, :], True, man_q[one], packed.ev_off, packed.ev_t, packed.ev_drug,
                       packed.ev_amount, packed.ev_central, packed.pk_off, packed.pk_tab, packed.slot_out, packed.sel,
                       packed.t_start, out_t, rtol, atol_factor, int(max_steps), out[one], q_out[one], status[one],
                       steps[one])


def run_batch(params: np.ndarray, events: DoseEvents | Sequence[DoseEvents], out_t: np.ndarray,
              outputs: Sequence[str] = DEFAULT_OUTPUTS, *, rtol: float | None = None,
              atol_factor: float | None = None, y0: np.ndarray | None = None, chunk: int = DEFAULT_CHUNK,
              parallel: bool = True, max_steps: int = MAX_STEPS) -> BatchResult:
    """Simulate N men: baselines (compiled Newton), then dosing, outputs only at ``out_t``.

    ``params`` (N, P): one parameter vector per man (``people.population.sample_men``).
    ``events``: one :class:`DoseEvents` for every man, or a list of N (men may share objects;
    each distinct object is packed once). ``out_t``: sorted output times in hours; outputs at a
    dose time are taken before that dose (trough), as in :func:`run_man`. ``outputs``: measure
    names (see the module docstring). ``y0`` (N, 18): start states instead of each man's
    baseline (then ``params`` must already hold the baseline-derived slots). ``parallel``: over
    the machine's cores (numba threads; ``NUMBA_NUM_THREADS`` limits them). Failed men get a
    status code and the others are unaffected.
    """
    params = np.asarray(params, dtype=float)
    if params.ndim != 2:
        _check(params, np.asarray(out_t, dtype=float))
    n = params.shape[0]
    outputs = tuple(outputs)
    t = np.asarray(out_t, dtype=float)
    values = {name: np.zeros((n, t.size)) for name in outputs}
    status = np.zeros(n, dtype=np.int64)
    steps = np.zeros(n, dtype=np.int64)
    q_all = np.zeros_like(params)
    for part, res in iter_batch(params, events, out_t, outputs, rtol=rtol, atol_factor=atol_factor, y0=y0,
                                chunk=chunk, parallel=parallel, max_steps=max_steps):
        for name in outputs:
            values[name][part] = res.values[name]
        status[part] = res.status
        steps[part] = res.steps
        q_all[part] = res.params
    return BatchResult(t, values, status, steps, q_all)


def threads() -> int:
    """How many threads the parallel kernel uses."""
    return numba.get_num_threads()
