"""The male HPG axis as pure, compiled functions over plain float arrays.

State vector (units in brackets; ``rel`` = relative to the reference man):

  0  GNRHR_DESENS  GnRH-receptor desensitised fraction [0-1]
  1  LH_POOL       pituitary releasable LH [rel]       2  LH    serum LH [IU/L]
  3  FSH_POOL      pituitary FSH [rel]                 4  FSH   serum FSH [IU/L]
  5  LEYDIG_ADAPT  Leydig LH responsiveness [rel]      6  SHBG  [nmol/L]
  7..24 GERM       germ-cell chain, 18 stages from spermatogonial division to spermiation [rel flux]
  25 EPIDIDYMIS    epididymal sperm reserve [rel]
  26 BMD           spine BMD [g/cm2]                   27 ISI   insulin-sensitivity index [1]
  28 AROM_ACTIVE   active (not irreversibly inactivated) aromatase enzyme [fraction]
  29 GNRHR_SIGNAL  slow intracellular signal of exogenous GnRH-receptor occupancy [0-1]
  30 SERT_MATURE   Sertoli maturity: how far the testis went through puberty [0-1]
  31 SLOW_SUPP     slow suppression of GnRH drive by a sustained high estrogen signal [0-1]
  32 SG_POOL       renewing spermatogonial pool (type A spermatogonia) [rel]

Everything faster than an hour (GnRH, serum and intratesticular steroids, inhibin B) is in
quasi-steady state and computed algebraically from the states by :func:`algebra`; drug
concentrations come from closed-form PK (:mod:`hpgsim.drugs.pk`). That leaves a system whose
fastest mode is LH clearance (t1/2 136 min), which an explicit adaptive Runge-Kutta solves
efficiently (docs/model.md, "Numerics", has the eigenvalue measurement).

Drugs act through effect channels (:data:`hpgsim.drugs.records.CHANNELS`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..drugs import pk
from .binding import free_e2, free_t_vermeulen, total_t_from_free
from .parameters import ALBUMIN_MOLAR_MASS, INDEX

# ------------------------------------------------------------------ state layout
GNRHR_DESENS, LH_POOL, LH, FSH_POOL, FSH, LEYDIG_ADAPT, SHBG = range(7)
# Spermatogenesis is close to a fixed-duration conveyor: ejaculated sperm reappear 75 +/- 4
# (SE) days after testosterone suppression ends (Handelsman DJ et al. JCEM 1995) against a
# 64-74-day cycle plus epididymal transit. An Erlang chain of N stages has a duration CV of
# 1/sqrt(N): with 6 stages (CV 0.41) the first 5 % of a restarted cohort of germ cells reached
# the ejaculate at 0.44 of the mean duration, four weeks early; with 18 (CV 0.24) at 0.65.
N_GERM = 18
# stages counted as spermatocytes and round spermatids for inhibin B: the middle of the chain,
# [N/6, 4N/6), as stages 2-4 of 6 were
GERM_MID_FIRST = N_GERM // 6
GERM_MID_END = 4 * N_GERM // 6
# stages counted as elongating spermatids (spermiogenesis, about the last third of the cycle):
# the ones androgen withdrawal loses before release
GERM_LATE_FIRST = GERM_MID_END
GERM0 = 7
EPIDIDYMIS = GERM0 + N_GERM
BMD = EPIDIDYMIS + 1
ISI = BMD + 1
AROM_ACTIVE = ISI + 1
GNRHR_SIGNAL = AROM_ACTIVE + 1
SERT_MATURE = GNRHR_SIGNAL + 1
SLOW_SUPP = SERT_MATURE + 1
SG_POOL = SLOW_SUPP + 1
N_STATES = SG_POOL + 1
STATE_NAMES = ("gnrhr_desensitised", "lh_pool", "lh", "fsh_pool", "fsh", "leydig_adaptation", "shbg") + tuple(
    f"germ_stage_{i + 1}" for i in range(N_GERM)) + ("epididymal_reserve", "bmd_spine", "insulin_sensitivity",
                                                     "aromatase_active", "gnrhr_signal", "sertoli_maturity",
                                                     "slow_gnrh_suppression", "spermatogonial_pool")

# ------------------------------------------------------------------ algebraic outputs
(A_TT, A_FT, A_BIOT, A_E2, A_FE2, A_ITT, A_INHB, A_GNRH, A_SPERM, A_TMC, A_PMOT, A_LEYDIG,
 A_BONE_E, A_BONE_T, A_LH_EFF, A_FSH_EFF) = range(16)
N_ALG = 16

N_CHANNELS = 10
CH_AROM, CH_ER_ANT, CH_ER_AGO, CH_LHR, CH_FSHR, CH_GNRHR, CH_T_IN, CH_AROM_INACT, CH_AROM_CNS, CH_AR_AGO = range(N_CHANNELS)

# parameter slots as compile-time constants (numba freezes module-level ints)
_I = INDEX
P_REF_TT, P_REF_SHBG, P_REF_E2, P_REF_LH, P_REF_FSH = (_I["ref_total_t"], _I["ref_shbg"], _I["ref_e2"], _I["ref_lh"], _I["ref_fsh"])
P_REF_INHB, P_REF_ITT, P_REF_SPERM, P_REF_PMOT = _I["ref_inhibin_b"], _I["ref_itt"], _I["ref_sperm_conc"], _I["ref_progressive_motility"]
P_VOL, P_NPMOT, P_ALB, P_REF_PRL = _I["semen_volume"], _I["nonprogressive_motility"], _I["albumin"], _I["ref_prolactin"]
P_T_NONTEST, P_E2_TESTIS = _I["t_nontesticular_fraction"], _I["e2_testis_fraction"]
P_KS_T, P_KA_T, P_KS_E2, P_KA_E2, P_ITT_UP = _I["k_shbg_t"], _I["k_alb_t"], _I["k_shbg_e2"], _I["k_alb_e2"], _I["itt_serum_uptake"]
P_LH_HL, P_FSH_HL, P_LH_POOL, P_FSH_POOL = _I["lh_half_life"], _I["fsh_half_life"], _I["lh_pool_turnover"], _I["fsh_pool_turnover"]
P_LH_BASAL, P_FSH_BASAL, P_SHBG_HL = _I["lh_basal_release"], _I["fsh_basal_release"], _I["shbg_half_life"]
P_DES_HT, P_RES_HT, P_EXO_MAX = _I["gnrhr_desens_half_time"], _I["gnrhr_resens_half_time"], _I["gnrh_exo_max_drive"]
P_SHBG_E, P_SHBG_T = _I["shbg_e2_exponent"], _I["shbg_t_exponent"]
P_E2H_K, P_E2H_N, P_TH_K, P_TH_N = _I["e2_hyp_k"], _I["e2_hyp_n"], _I["t_hyp_k"], _I["t_hyp_n"]
P_E2P_K, P_E2P_N, P_LH_A, P_FSH_A = _I["e2_pit_k"], _I["e2_pit_n"], _I["lh_gnrh_exponent"], _I["fsh_gnrh_exponent"]
P_INH_K, P_INH_N, P_PRL_K, P_PRL_N = _I["inhibin_k"], _I["inhibin_n"], _I["prolactin_k"], _I["prolactin_n"]
P_LEY_E2 = _I["leydig_e2_brake"]
P_LEY_EC50, P_LEY_N, P_ADAPT_G, P_ADAPT_TAU = _I["leydig_ec50"], _I["leydig_hill"], _I["leydig_adapt_gain"], _I["leydig_adapt_tau"]
P_SG_DUR, P_EPI, P_SG_FB, P_SG_FK, P_SG_FN = _I["sg_duration"], _I["epididymal_transit"], _I["sg_fsh_basal"], _I["sg_fsh_k"], _I["sg_fsh_n"]
P_SG_TK, P_SG_TN, P_SP_K, P_SP_N = _I["sg_itt_k"], _I["sg_itt_n"], _I["spermiation_itt_k"], _I["spermiation_itt_n"]
P_MOT_EXP, P_INH_SO, P_INH_FE = _I["motility_androgen_exponent"], _I["inhibin_sertoli_only"], _I["inhibin_fsh_exponent"]
P_GERM_LOSS = _I["germ_withdrawal_loss"]
P_BONE_EK, P_BONE_EN, P_BONE_TK, P_BONE_RE, P_BONE_RT = _I["bone_e2_k"], _I["bone_e2_n"], _I["bone_t_k"], _I["bone_rate_e2"], _I["bone_rate_t"]
P_IS_EXP, P_IS_TAU, P_IS_SPAN = _I["is_e2_exponent"], _I["is_tau"], _I["is_e2_ratio_span"]
P_AROM_RESYN, P_GSIG_TAU, P_GSIG_K, P_GSIG_N = (_I["aromatase_resynthesis_half_life"], _I["gnrh_signal_tau"],
                                                _I["gnrh_signal_k"], _I["gnrh_signal_n"])
P_LEYCAP, P_AROM, P_SHBGF, P_GNRHF, P_LHF, P_FSHF = (_I["leydig_capacity"], _I["aromatase_factor"], _I["shbg_factor"],
                                                     _I["gnrh_factor"], _I["lh_factor"], _I["fsh_factor"])
P_SERT, P_GERM, P_MOTF, P_PRL = _I["sertoli_factor"], _I["germ_cell_factor"], _I["motility_factor"], _I["prolactin"]
P_YIELD, P_VOLF = _I["sperm_yield_factor"], _I["semen_volume_factor"]
P_POOL_K, P_POOL_UP, P_POOL_DOWN, P_POOL_FLOOR = (_I["sg_pool_support_k"], _I["sg_pool_regrowth_weeks"],
                                                  _I["sg_pool_loss_weeks"], _I["sg_pool_floor"])
P_SS_MAX, P_SS_K, P_SS_ON, P_SS_OFF = (_I["slow_gnrh_suppression_max"], _I["slow_gnrh_suppression_e2_k"],
                                      _I["slow_gnrh_suppression_on_days"], _I["slow_gnrh_suppression_off_weeks"])
P_CNS_AROM = _I["cns_aromatisation_share"]
# Hill coefficient of the slow suppression's target: steep, so that it is small within the
# physiological range of E2 and engages above it (an assumption)
SS_N = 4.0
P_MAT_K, P_MAT_N, P_MAT_UP, P_MAT_DOWN = (_I["sertoli_maturation_itt_k"], _I["sertoli_maturation_n"],
                                          _I["sertoli_maturation_weeks"], _I["sertoli_regression_weeks"])
P_REF_FT, P_REF_BIOT, P_REF_FE2 = _I["ref_free_t"], _I["ref_bio_t"], _I["ref_free_e2"]
P_TPROD, P_TCL, P_E2PROD, P_E2CL = _I["t_prod_nmol_h"], _I["t_clearance_bio_l_h"], _I["e2_prod_pmol_h"], _I["e2_clearance_l_h"]
P_BASE_E2, P_BASE_BE, P_BASE_BT, P_BMD_DRIFT = _I["baseline_e2"], _I["baseline_bone_e2_signal"], _I["baseline_bone_t_signal"], _I["bmd_drift"]
P_REF_BMD, P_BMD_GAIN = _I["ref_bmd_spine"], _I["bmd_gain_max"]

LN2 = math.log(2.0)
HOURS_PER_YEAR = 8766.0
_ALB_MM = ALBUMIN_MOLAR_MASS


@njit(cache=True)
def power(x: float, n: float) -> float:
    """``x ** n``, with the exponents the parameter table actually uses as whole numbers or
    halves computed without the general ``pow`` (which dominates the cost of the right-hand
    side): ``x ** 0 = 1`` and ``x ** 1 = x`` exactly as ``pow`` gives them, squares, fourth
    powers, square roots and x ** 1.5 to within one or two units in the last place of ``pow``."""
    if n == 1.0:
        return x
    if n == 0.0:
        return 1.0
    if n == 2.0:
        return x * x
    if n == 4.0:
        x2 = x * x
        return x2 * x2
    if n == 0.5 and x >= 0.0:
        return math.sqrt(x)
    if n == 1.5 and x >= 0.0:
        return x * math.sqrt(x)
    return x ** n


@njit(cache=True)
def brake(x: float, k: float, n: float) -> float:
    """Inhibitory Hill term 1 / (1 + (x/k)^n)."""
    if x <= 0.0:
        return 1.0
    return 1.0 / (1.0 + power(x / k, n))


@njit(cache=True)
def drive(x: float, k: float, n: float) -> float:
    """Stimulatory Hill term x^n / (x^n + k^n)."""
    if x <= 0.0:
        return 0.0
    xn = power(x, n)
    return xn / (xn + power(k, n))


@njit(cache=True)
def drug_channels(t: float, pk_static: np.ndarray, pk_state: np.ndarray, ch: np.ndarray) -> None:
    """Fill the effect channels at time ``t`` from every drug's closed-form PK.

    Inhibitions and receptor occupancies combine as independent blocks (1 - prod(1 - e));
    agonist concentrations, inactivation rates and testosterone inputs add. An ER ligand with
    intrinsic activity (a partial agonist) also adds that much estrogen-like signal per unit of
    occupancy.
    """
    for c in range(N_CHANNELS):
        ch[c] = 0.0
    # unblocked fractions of the occupancy-type channels (scalars: this is the hot path); an
    # aromatase inhibitor blocks the body's aromatase at its plasma level and the brain's at its
    # unbound brain level (record field cns_access times the plasma level)
    keep_arom = 1.0
    keep_arom_cns = 1.0
    keep_er = 1.0
    keep_gnrhr = 1.0
    for d in range(pk_static.shape[0]):
        dt = t - pk_state[d, pk.T0]
        depot, central = pk.chain_amounts(pk_state[d, pk.DEP0], pk_state[d, pk.CEN0],
                                          pk_static[d, pk.KA], pk_static[d, pk.KE], dt)
        c = int(pk_static[d, pk.CHAN])
        kind = int(pk_static[d, pk.KIND])
        if kind == pk.KIND_ABSORPTION:
            ch[c] += pk_static[d, pk.EMAX] * pk_static[d, pk.KA] * depot
            continue
        conc = central / pk_static[d, pk.VOL]
        ch[CH_AR_AGO] += pk_static[d, pk.AR] * conc     # an androgenic metabolite, if the drug has one
        if kind == pk.KIND_LINEAR:
            ch[c] += pk_static[d, pk.EMAX] * conc
            continue
        eff = pk_static[d, pk.EMAX] * drive(conc, pk_static[d, pk.EC50], pk_static[d, pk.HILL])
        if c == CH_AROM:
            keep_arom *= 1.0 - min(eff, 1.0)
            eff_cns = pk_static[d, pk.EMAX] * drive(conc * pk_static[d, pk.CNS], pk_static[d, pk.EC50], pk_static[d, pk.HILL])
            keep_arom_cns *= 1.0 - min(eff_cns, 1.0)
        elif c == CH_ER_ANT:
            keep_er *= 1.0 - min(eff, 1.0)
            ch[CH_ER_AGO] += pk_static[d, pk.IA] * eff
        elif c == CH_GNRHR:
            keep_gnrhr *= 1.0 - min(eff, 1.0)
        else:
            ch[c] += eff
    ch[CH_AROM] = 1.0 - keep_arom
    ch[CH_AROM_CNS] = 1.0 - keep_arom_cns
    ch[CH_ER_ANT] = 1.0 - keep_er
    ch[CH_GNRHR] = 1.0 - keep_gnrhr


# ------------------------------------------------------------------ per-man constants
# Everything in the right-hand side that depends on the parameters only (Hill constants raised
# to their exponents, normalisers such as brake(1, k, n), rate constants) is computed once per
# man by :func:`constants` instead of at every evaluation: the same expressions in the same
# order, so results are bit-for-bit those of evaluating them in place (tests check this), at
# about half the cost per evaluation.
(K_N_ALB_T, K_N_ALB_E2, K_KS_T, K_KS_E2, K_LEY_EC50, K_LEY_KN, K_LEY_NORM, K_E2H_NORM, K_TH_NORM, K_PRL_B,
 K_PRL_REF_B, K_SP_KN, K_SP_NORM, K_BONE_EKN, K_BONE_TKN, K_GSIG_KN, K_GSIG_NORM, K_KDES, K_KRES, K_PIT_NORM,
 K_KLH, K_KFSH, K_INH_NORM, K_SHBG_RATE, K_FK, K_FKN, K_HF_NORM, K_TK_N, K_HT_NORM, K_KS, K_KSYN,
 K_MAT_KN, K_MAT_NORM, K_SS_KN, K_SS_NORM, K_POOL_UP_H, K_POOL_DOWN_H, K_IS_SPAN_INV, K_GERM_LOSS_H) = range(39)
N_CONST = 39


@njit(cache=True)
def drive_kn(x: float, kn: float, n: float) -> float:
    """:func:`drive` with ``k ** n`` already computed (``kn``)."""
    if x <= 0.0:
        return 0.0
    xn = power(x, n)
    return xn / (xn + kn)


@njit(cache=True)
def reference_slow_suppression(p: np.ndarray) -> float:
    """The slow GnRH suppression at the reference man's estrogen signal (1): his steady state,
    and the normaliser that keeps his GnRH drive at gnrh_factor."""
    return p[P_SS_MAX] * drive(1.0, p[P_SS_K], SS_N)


@njit(cache=True)
def hypothalamic_e2_signal(fe2_rel: float, ft_rel: float, arom_active: float, share: float, ch: np.ndarray) -> float:
    """Estrogen-receptor signal of the GnRH neurons (relative to the reference man): serum free E2
    plus E2 made in the brain from free T by its own aromatase (``share`` of the signal at
    baseline), which a brain-penetrant aromatase inhibitor blocks; an ER antagonist hides both."""
    local = ft_rel * max(arom_active, 0.0) * (1.0 - ch[CH_AROM_CNS])
    return ((1.0 - share) * fe2_rel + share * local) * (1.0 - ch[CH_ER_ANT]) + ch[CH_ER_AGO]


@njit(cache=True)
def constants(p: np.ndarray, c: np.ndarray) -> None:
    """Fill ``c`` (length :data:`N_CONST`) with this man's parameter-only quantities."""
    alb_mol = p[P_ALB] / _ALB_MM
    c[K_N_ALB_T] = 1.0 + p[P_KA_T] * alb_mol
    c[K_N_ALB_E2] = 1.0 + p[P_KA_E2] * alb_mol
    c[K_KS_T] = p[P_KS_T] * 1e-9
    c[K_KS_E2] = p[P_KS_E2] * 1e-9
    ref_lh = p[P_REF_LH]
    ec50 = p[P_LEY_EC50] * ref_lh
    c[K_LEY_EC50] = ec50
    c[K_LEY_KN] = power(ec50, p[P_LEY_N])
    c[K_LEY_NORM] = drive(ref_lh, ec50, p[P_LEY_N])
    c[K_E2H_NORM] = brake(1.0, p[P_E2H_K], p[P_E2H_N])
    c[K_TH_NORM] = brake(1.0, p[P_TH_K], p[P_TH_N])
    c[K_PRL_B] = brake(p[P_PRL], p[P_PRL_K], p[P_PRL_N])
    c[K_PRL_REF_B] = brake(p[P_REF_PRL], p[P_PRL_K], p[P_PRL_N])
    spk = p[P_SP_K] * p[P_REF_ITT]
    c[K_SP_KN] = power(spk, p[P_SP_N])
    c[K_SP_NORM] = drive(p[P_REF_ITT], spk, p[P_SP_N])
    c[K_BONE_EKN] = power(p[P_BONE_EK], p[P_BONE_EN])
    c[K_BONE_TKN] = power(p[P_BONE_TK], 1.0)
    c[K_GSIG_KN] = power(p[P_GSIG_K], p[P_GSIG_N])
    c[K_GSIG_NORM] = drive(1.0, p[P_GSIG_K], p[P_GSIG_N])
    c[K_KDES] = LN2 / p[P_DES_HT]
    c[K_KRES] = LN2 / p[P_RES_HT]
    c[K_PIT_NORM] = brake(1.0, p[P_E2P_K], p[P_E2P_N])
    c[K_KLH] = LN2 / (p[P_LH_HL] / 60.0)
    c[K_KFSH] = LN2 / (p[P_FSH_HL] / 60.0)
    c[K_INH_NORM] = brake(1.0, p[P_INH_K], p[P_INH_N])
    c[K_SHBG_RATE] = LN2 / (p[P_SHBG_HL] * 24.0)
    fk = p[P_SG_FK] * p[P_REF_FSH]
    fb = p[P_SG_FB]
    c[K_FK] = fk
    c[K_FKN] = power(fk, p[P_SG_FN])
    c[K_HF_NORM] = fb + (1.0 - fb) * drive(p[P_REF_FSH], fk, p[P_SG_FN])
    tk = p[P_SG_TK] * p[P_REF_ITT]
    c[K_TK_N] = power(tk, p[P_SG_TN])
    c[K_HT_NORM] = drive(p[P_REF_ITT], tk, p[P_SG_TN])
    c[K_KS] = N_GERM / (p[P_SG_DUR] * 24.0)
    c[K_KSYN] = LN2 / p[P_AROM_RESYN]
    mk = p[P_MAT_K] * p[P_REF_ITT]
    c[K_MAT_KN] = power(mk, p[P_MAT_N])
    c[K_MAT_NORM] = drive(p[P_REF_ITT], mk, p[P_MAT_N])
    c[K_SS_KN] = power(p[P_SS_K], SS_N)
    c[K_SS_NORM] = 1.0 - reference_slow_suppression(p)
    c[K_POOL_UP_H] = p[P_POOL_UP] * 168.0
    c[K_POOL_DOWN_H] = p[P_POOL_DOWN] * 168.0
    c[K_IS_SPAN_INV] = 1.0 / p[P_IS_SPAN]
    c[K_GERM_LOSS_H] = p[P_GERM_LOSS] / 24.0


@njit(cache=True)
def algebra(y: np.ndarray, p: np.ndarray, ch: np.ndarray, a: np.ndarray) -> None:
    """Quasi-steady-state quantities from the states ``y``, parameters ``p`` and channels ``ch``."""
    c = np.empty(N_CONST)
    constants(p, c)
    algebra_c(y, p, c, ch, a)


@njit(cache=True)
def algebra_c(y: np.ndarray, p: np.ndarray, c: np.ndarray, ch: np.ndarray, a: np.ndarray) -> None:
    """:func:`algebra` given the man's :func:`constants` ``c`` (every output at one instant)."""
    _e2_signal, sp_rel = algebra_dynamics(y, p, c, ch, a)
    semen_outputs(y, p, sp_rel, a)


@njit(cache=True)
def algebra_dynamics(y: np.ndarray, p: np.ndarray, c: np.ndarray, ch: np.ndarray, a: np.ndarray) -> tuple:
    """The quasi-steady quantities the right-hand side needs (all of ``a`` but the semen outputs,
    which :func:`semen_outputs` adds), and two intermediates it would otherwise recompute: the
    hypothalamic estrogen signal and the spermiation drive (relative to the reference man).
    The engine's hot path: a semen output costs a ``pow`` per evaluation and nothing reads it
    between output times."""
    n_alb_t = c[K_N_ALB_T]
    n_alb_e2 = c[K_N_ALB_E2]
    ks_t = c[K_KS_T]
    ks_e2 = c[K_KS_E2]
    ref_lh = p[P_REF_LH]

    # Leydig cells: saturable in LH plus any LH-receptor agonist (hCG), scaled by capacity
    # and by the slow LH-receptor adaptation state.
    lh_eff = max(y[LH], 0.0) + ch[CH_LHR]
    # testicular estrogen brakes steroidogenesis locally; aromatase inhibition releases it
    # aromatase left: not irreversibly inactivated (exemestane) and not reversibly blocked
    arom_free = max(y[AROM_ACTIVE], 0.0) * (1.0 - ch[CH_AROM])
    ke2 = p[P_LEY_E2]
    e2_release = (1.0 + ke2) / (1.0 + ke2 * arom_free)
    leydig = (p[P_LEYCAP] * y[LEYDIG_ADAPT] * e2_release
              * drive_kn(lh_eff, c[K_LEY_KN], p[P_LEY_N]) / c[K_LEY_NORM])

    # Serum T: production = testis + non-testicular + exogenous; clearance acts on the
    # bioavailable fraction, so total T follows from free T by mass action (Vermeulen).
    shbg = max(y[SHBG], 1e-6)
    t_prod = p[P_TPROD] * ((1.0 - p[P_T_NONTEST]) * leydig + p[P_T_NONTEST]) + ch[CH_T_IN]
    bio_t = t_prod / p[P_TCL]
    ft = bio_t / n_alb_t
    tt = total_t_from_free(ft, shbg, ks_t, n_alb_t)
    itt = (p[P_REF_ITT] - p[P_ITT_UP] * p[P_REF_TT]) * leydig + p[P_ITT_UP] * tt

    # E2: testicular secretion follows Leydig activity; peripheral aromatisation follows
    # bioavailable T and adipose aromatase; an aromatase inhibitor blocks both.
    e2_prod = p[P_E2PROD] * arom_free * (p[P_E2_TESTIS] * leydig
                                         + (1.0 - p[P_E2_TESTIS]) * p[P_AROM] * bio_t / p[P_REF_BIOT])
    e2 = e2_prod / p[P_E2CL]
    fe2 = free_e2(e2, shbg, ft, ks_t, ks_e2, n_alb_e2)

    # Hypothalamus: mean-field GnRH drive braked by E2 at the estrogen receptor (serum free E2 and
    # E2 made in the brain from free T; an ER antagonist hides it, an ER agonist adds to it), by T
    # at the androgen receptor (free T, plus any drug's androgenic metabolite) and by prolactin. The
    # pituitary sees serum E2 alone (rhs_core_c).
    ft_rel = ft / p[P_REF_FT]
    e2_signal = hypothalamic_e2_signal(fe2 / p[P_REF_FE2], ft_rel, y[AROM_ACTIVE], p[P_CNS_AROM], ch)
    gnrh = (p[P_GNRHF]
            * brake(e2_signal, p[P_E2H_K], p[P_E2H_N]) / c[K_E2H_NORM]
            * brake(ft_rel + ch[CH_AR_AGO], p[P_TH_K], p[P_TH_N]) / c[K_TH_NORM]
            * c[K_PRL_B] / c[K_PRL_REF_B]
            * (1.0 - max(y[SLOW_SUPP], 0.0)) / c[K_SS_NORM])

    # Sertoli/germ-cell compartment: inhibin B needs Sertoli cells, more with germ cells
    # (mid-chain spermatocytes/spermatids), and is stimulated a little by FSH.
    fsh_eff = max(y[FSH], 0.0) + ch[CH_FSHR]
    germ_mid = 0.0
    for i in range(GERM_MID_FIRST, GERM_MID_END):
        germ_mid += y[GERM0 + i]
    germ_mid /= GERM_MID_END - GERM_MID_FIRST
    so = p[P_INH_SO]
    inhb = p[P_REF_INHB] * p[P_SERT] * (so + (1.0 - so) * max(germ_mid, 0.0)) * power(max(fsh_eff, 1e-9) / p[P_REF_FSH], p[P_INH_FE])

    # spermiation (release of mature spermatids) needs androgen
    sp_rel = drive_kn(itt, c[K_SP_KN], p[P_SP_N]) / c[K_SP_NORM]

    a[A_TT] = tt
    a[A_FT] = ft
    a[A_BIOT] = bio_t
    a[A_E2] = e2
    a[A_FE2] = fe2
    a[A_ITT] = itt
    a[A_INHB] = inhb
    a[A_GNRH] = gnrh
    a[A_LEYDIG] = leydig
    a[A_BONE_E] = drive_kn(e2, c[K_BONE_EKN], p[P_BONE_EN])
    a[A_BONE_T] = drive_kn(tt, c[K_BONE_TKN], 1.0)
    a[A_LH_EFF] = lh_eff
    a[A_FSH_EFF] = fsh_eff
    return e2_signal, sp_rel


@njit(cache=True)
def semen_outputs(y: np.ndarray, p: np.ndarray, sp_rel: float, a: np.ndarray) -> None:
    """Sperm concentration, progressive motility and total motile count into ``a``, given the
    spermiation drive ``sp_rel``. Spermiation and epididymal maturation need androgen. Sperm
    lost after meiosis (yield) do not lower inhibin B; a larger ejaculate dilutes the same count."""
    count = p[P_REF_SPERM] * p[P_SERT] * p[P_YIELD] * max(y[EPIDIDYMIS], 0.0)   # per reference volume
    sperm = count / p[P_VOLF]
    pmot = min(p[P_REF_PMOT] * p[P_MOTF] * power(min(sp_rel, 1.0), p[P_MOT_EXP]), 95.0)
    a[A_SPERM] = sperm
    a[A_TMC] = sperm * p[P_VOL] * p[P_VOLF] * (pmot + p[P_NPMOT]) / 100.0
    a[A_PMOT] = pmot


@njit(cache=True)
def rhs_core(y: np.ndarray, p: np.ndarray, ch: np.ndarray, a: np.ndarray, dy: np.ndarray) -> None:
    """dy/dt (per hour) given states, parameters and the drug channels at this instant."""
    c = np.empty(N_CONST)
    constants(p, c)
    rhs_core_c(y, p, c, ch, a, dy)


@njit(cache=True)
def rhs_core_c(y: np.ndarray, p: np.ndarray, c: np.ndarray, ch: np.ndarray, a: np.ndarray, dy: np.ndarray) -> None:
    """:func:`rhs_core` given the man's :func:`constants` ``c`` (the engine's hot path). Leaves the
    semen outputs of ``a`` (sperm, motility, motile count) as they were: :func:`algebra_c` gives them."""
    hyp_signal, sp = algebra_dynamics(y, p, c, ch, a)
    ref_lh = p[P_REF_LH]

    # GnRH receptor: exogenous occupancy feeds a slow intracellular signal, and only a signal
    # sustained near saturation desensitises (steep Hill term). Pulses every 90-120 min let the
    # signal fall between pulses and keep the receptor responsive; continuous exposure holds it
    # high and shuts LH release down after a flare (Belchetz 1978). Endogenous GnRH is
    # pulsatile and, in the mean-field limit, does not desensitise.
    occ = ch[CH_GNRHR]
    dy[GNRHR_SIGNAL] = (occ - y[GNRHR_SIGNAL]) / p[P_GSIG_TAU]
    sustained = drive_kn(y[GNRHR_SIGNAL], c[K_GSIG_KN], p[P_GSIG_N]) / c[K_GSIG_NORM]
    k_des = c[K_KDES]
    k_res = c[K_KRES]
    dy[GNRHR_DESENS] = k_des * sustained * (1.0 - y[GNRHR_DESENS]) - k_res * y[GNRHR_DESENS]
    gp = (a[A_GNRH] + p[P_EXO_MAX] * occ) * (1.0 - y[GNRHR_DESENS])

    # Pituitary: E2 brakes synthesis; GnRH drives both synthesis and release from the pool.
    e2_signal = (a[A_FE2] / p[P_REF_FE2]) * (1.0 - ch[CH_ER_ANT]) + ch[CH_ER_AGO]
    pit_e2 = brake(e2_signal, p[P_E2P_K], p[P_E2P_N]) / c[K_PIT_NORM]
    b_lh = p[P_LH_BASAL]
    rel_lh = b_lh + (1.0 - b_lh) * gp
    syn_lh = power(gp, p[P_LH_A]) * pit_e2
    dy[LH_POOL] = (syn_lh - rel_lh * y[LH_POOL]) / p[P_LH_POOL]
    k_lh = c[K_KLH]
    dy[LH] = k_lh * (ref_lh * p[P_LHF] * rel_lh * y[LH_POOL] - y[LH])

    inh = brake(a[A_INHB] / p[P_REF_INHB], p[P_INH_K], p[P_INH_N]) / c[K_INH_NORM]
    b_f = p[P_FSH_BASAL]
    rel_f = b_f + (1.0 - b_f) * gp
    syn_f = power(gp, p[P_FSH_A]) * pit_e2 * inh
    dy[FSH_POOL] = (syn_f - rel_f * y[FSH_POOL]) / p[P_FSH_POOL]
    k_fsh = c[K_KFSH]
    dy[FSH] = k_fsh * (p[P_REF_FSH] * p[P_FSHF] * rel_f * y[FSH_POOL] - y[FSH])

    # Leydig LH-receptor down-regulation under sustained drive (bounded below 0.25 x ref LH).
    lh_rel = max(a[A_LH_EFF], 0.25 * ref_lh) / ref_lh
    target = power(lh_rel, -p[P_ADAPT_G])
    dy[LEYDIG_ADAPT] = (target - y[LEYDIG_ADAPT]) / (p[P_ADAPT_TAU] * 168.0)

    # SHBG: hepatic production raised by E2, lowered by androgen above the normal range. The
    # androgen term, ((1 + x^4) / 2)^(-a/4) in free T relative to the reference man, is nearly
    # flat below normal (men's own SHBG differences, age and BMI, are the population's) and falls
    # as x^-a once free T is supraphysiological (Plymate 1983: testosterone enanthate lowers SHBG).
    # The liver's estrogen signal is serum E2 plus a SERM's estrogenic activity: a SERM that is
    # partly estrogenic (zuclomiphene) raises SHBG directly (clomiphene raises SHBG in men, J
    # Endocrinol 1972;53(2): 'an oestrogen-like effect in stimulating steroid-binding globulins'),
    # whereas its antagonism is a central effect and hides no E2 here.
    ft_rel4 = power(max(a[A_FT], 1e-9) / p[P_REF_FT], 4.0)
    liver_e2 = max(a[A_E2], 1e-6) / p[P_REF_E2] + ch[CH_ER_AGO]
    shbg_target = (p[P_REF_SHBG] * p[P_SHBGF] * power(liver_e2, p[P_SHBG_E])
                   * power(0.5 * (1.0 + ft_rel4), -0.25 * p[P_SHBG_T]))
    dy[SHBG] = c[K_SHBG_RATE] * (shbg_target - y[SHBG])

    # Germ-cell chain: input needs FSH and intratesticular T; eighteen equal stages give an
    # Erlang-distributed duration; spermiation needs T; then the epididymis.
    f = a[A_FSH_EFF]
    fb = p[P_SG_FB]
    h_f = (fb + (1.0 - fb) * drive_kn(f, c[K_FKN], p[P_SG_FN])) / c[K_HF_NORM]
    h_t = drive_kn(a[A_ITT], c[K_TK_N], p[P_SG_TN]) / c[K_HT_NORM]
    k_s = c[K_KS]
    support = h_f * h_t * max(y[SERT_MATURE], 0.0)
    dy[GERM0] = k_s * (p[P_GERM] * support * max(y[SG_POOL], 0.0) - y[GERM0])
    for i in range(1, N_GERM):
        dy[GERM0 + i] = k_s * (y[GERM0 + i - 1] - y[GERM0 + i])
    # Androgen withdrawal also loses elongating spermatids already in the chain (their survival
    # and release need androgen), as fast as spermiation fails: about zero at a normal ITT. Earlier
    # stages track their input (Zhengwei 1998: on TE, spermatocytes and round spermatids at
    # 11-18 % of normal with type B spermatogonia at 10 %, elongated spermatids down to 1.4 %).
    loss = c[K_GERM_LOSS_H] * max(1.0 - sp, 0.0)
    if loss > 0.0:
        for i in range(GERM_LATE_FIRST, N_GERM):
            dy[GERM0 + i] -= loss * y[GERM0 + i]
    dy[EPIDIDYMIS] = (y[GERM0 + N_GERM - 1] * sp - y[EPIDIDYMIS]) / (p[P_EPI] * 24.0)

    # Bone: the man's natural drift plus the change of his E2 and T bone signals from baseline.
    # A rise of the signals slows resorption and refills the remodelling space, which is finite:
    # the gain slows as BMD nears bmd_gain_max above his starting BMD (hypogonadal men on
    # testosterone gain 5-8 % and plateau within two years); a fall goes on as long as it lasts.
    steroid = p[P_BONE_RE] * (a[A_BONE_E] - p[P_BASE_BE]) + p[P_BONE_RT] * (a[A_BONE_T] - p[P_BASE_BT])
    if steroid > 0.0:
        steroid *= min(max(1.0 - (y[BMD] / p[P_REF_BMD] - 1.0) / p[P_BMD_GAIN], 0.0), 1.0)
    dy[BMD] = y[BMD] * (p[P_BMD_DRIFT] + steroid) / HOURS_PER_YEAR
    # Insulin sensitivity relaxes to (E2 / baseline E2)^beta (sign disputed; see parameter table).
    # The power law is measured over modest E2 changes (Gibb 2016: -41 %); beyond a span either
    # way it is held, so a man whose E2 rises fifty-fold on treatment does not treble his index.
    e2_ratio = min(max(max(a[A_E2], 1e-6) / p[P_BASE_E2], c[K_IS_SPAN_INV]), p[P_IS_SPAN])
    is_target = power(e2_ratio, p[P_IS_EXP])
    dy[ISI] = (is_target - y[ISI]) / (p[P_IS_TAU] * 168.0)

    # Sertoli maturity: a testis that never went through puberty (congenital hypogonadotropic
    # hypogonadism) starts spermatogenesis only once androgen has matured its Sertoli cells, over
    # months of treatment; adult testes keep their maturity through years of low ITT (regression is
    # far slower), so spermatogenesis returns within a cycle after testosterone suppression.
    m_target = drive_kn(a[A_ITT], c[K_MAT_KN], p[P_MAT_N]) / c[K_MAT_NORM]
    m = y[SERT_MATURE]
    tau_w = p[P_MAT_UP] if m_target > m else p[P_MAT_DOWN]
    dy[SERT_MATURE] = (m_target - m) / (tau_w * 168.0)

    # Renewing spermatogonial pool (type A spermatogonia): kept while germ-cell support is above a
    # threshold, lost over years towards the stem-cell floor below it (testosterone suppression
    # spares type A spermatogonia), and re-expanded by self-renewal (logistic) once support
    # returns. A testis that never went through puberty starts at the floor, so its first sperm
    # wait for the pool to grow, not only for Sertoli maturation and one cycle of the chain.
    s_sup = min(support / p[P_POOL_K], 1.0)
    pool = y[SG_POOL]
    dy[SG_POOL] = (s_sup * pool * (1.0 - pool) / c[K_POOL_UP_H]
                   - (1.0 - s_sup) * (pool - p[P_POOL_FLOOR]) / c[K_POOL_DOWN_H])

    # Slow suppression of the GnRH pulse generator: a sustained estrogen-receptor signal above
    # the physiological range (E2 from aromatised testosterone on testosterone therapy) takes GnRH
    # drive away over weeks, and gives it back over about a year once the signal falls (fitted).
    ss_target = p[P_SS_MAX] * drive_kn(max(hyp_signal, 0.0), c[K_SS_KN], SS_N)
    ss = y[SLOW_SUPP]
    ss_tau = p[P_SS_ON] * 24.0 if ss_target > ss else p[P_SS_OFF] * 168.0
    dy[SLOW_SUPP] = (ss_target - ss) / ss_tau

    # Aromatase enzyme: resynthesised towards its full amount, inactivated irreversibly by a
    # suicide inhibitor (exemestane), so the effect outlasts the drug by the resynthesis time.
    k_syn = c[K_KSYN]
    dy[AROM_ACTIVE] = k_syn * (1.0 - y[AROM_ACTIVE]) - ch[CH_AROM_INACT] * y[AROM_ACTIVE]


@njit(cache=True)
def rhs(t: float, y: np.ndarray, p: np.ndarray, pk_static: np.ndarray, pk_state: np.ndarray,
        ch: np.ndarray, a: np.ndarray, dy: np.ndarray) -> None:
    """The full right-hand side: drug channels from closed-form PK at ``t``, then physiology."""
    drug_channels(t, pk_static, pk_state, ch)
    rhs_core(y, p, ch, a, dy)


@njit(cache=True)
def rhs_c(t: float, y: np.ndarray, p: np.ndarray, c: np.ndarray, pk_static: np.ndarray, pk_state: np.ndarray,
          ch: np.ndarray, a: np.ndarray, dy: np.ndarray) -> None:
    """:func:`rhs` given the man's :func:`constants` ``c`` (what the compiled solver calls)."""
    drug_channels(t, pk_static, pk_state, ch)
    rhs_core_c(y, p, c, ch, a, dy)


def reference_state(p: np.ndarray) -> np.ndarray:
    """The reference man's steady state, exact by construction (used as the root-finder's start)."""
    y = np.zeros(N_STATES)
    y[LH_POOL] = 1.0
    y[LH] = p[P_REF_LH]
    y[FSH_POOL] = 1.0
    y[FSH] = p[P_REF_FSH]
    y[LEYDIG_ADAPT] = 1.0
    y[SHBG] = p[P_REF_SHBG]
    y[GERM0:GERM0 + N_GERM] = 1.0
    y[EPIDIDYMIS] = 1.0
    y[BMD] = p[_I["ref_bmd_spine"]]
    y[ISI] = 1.0
    y[AROM_ACTIVE] = 1.0
    y[SERT_MATURE] = 1.0
    y[SLOW_SUPP] = reference_slow_suppression(p)
    y[SG_POOL] = 1.0
    return y


def state_scale(p: np.ndarray) -> np.ndarray:
    """Typical size of each state (the reference man's value, at least 1e-3; 1 for the 0-1
    desensitised fraction): the yardstick for absolute tolerances and residual scaling."""
    s = np.abs(reference_state(p))
    s[GNRHR_DESENS] = 1.0
    s[GNRHR_SIGNAL] = 1.0
    s[SLOW_SUPP] = 1.0
    return np.maximum(s, 1e-3)
