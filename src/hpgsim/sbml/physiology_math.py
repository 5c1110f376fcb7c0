"""The physiology of :mod:`hpgsim.physiology.model` as SBML formulas: one place per equation group.

Every line below restates a line of ``model.algebra`` (quasi-steady-state outputs) or
``model.rhs_core`` (the rate of change of each state) in libSBML's infix syntax, with the
parameter table's names and the state names of ``model.STATE_NAMES`` as identifiers. Unit
conversions the compiled code does inline (half-lives in minutes or days, time constants in
weeks) appear here as the same literal factors.

Nothing but a test keeps the two in line: ``tests/test_sbml.py`` exports a man under dosing,
simulates the file in libRoadRunner and compares every state and output with hpgsim's own
trajectory over a year. Change a formula in model.py and that test fails until it is changed
here too.

The algebra needs no iterative solve: the model computes free T from the production rate
(clearance acts on bioavailable T), and total T from free T is Vermeulen's mass-action
relation in closed form (``binding.total_t_from_free``), so every rule is explicit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..physiology import model


@dataclass(frozen=True)
class Rule:
    """``id`` = ``formula`` (assignment rule) or d ``id``/dt = ``formula`` (rate rule, per hour)."""

    id: str
    formula: str
    unit: str | None
    meaning: str


S = model.STATE_NAMES
GERM = S[model.GERM0:model.GERM0 + model.N_GERM]

# The Hill terms of model.brake and model.drive (0 or 1 below zero, as there).
FUNCTIONS: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("drive", ("x", "k", "n"), "piecewise(0, x <= 0, x^n / (x^n + k^n))",
     "stimulatory Hill term x^n / (x^n + k^n), 0 for x <= 0 (model.drive)"),
    ("brake", ("x", "k", "n"), "piecewise(1, x <= 0, 1 / (1 + (x / k)^n))",
     "inhibitory Hill term 1 / (1 + (x/k)^n), 1 for x <= 0 (model.brake)"),
)

# Names of model.algebra's outputs, in the order of the A_* slots (the cross-check reads them).
ALGEBRA_IDS: tuple[str, ...] = (
    "total_testosterone", "free_testosterone", "bioavailable_testosterone", "estradiol", "free_estradiol",
    "intratesticular_testosterone", "inhibin_b", "gnrh_drive", "sperm_concentration", "total_motile_count",
    "progressive_motility", "leydig_activity", "bone_e2_signal", "bone_t_signal", "lh_effective", "fsh_effective",
)
assert len(ALGEBRA_IDS) == model.N_ALG

# Channel names are those of hpgsim.drugs.records.CHANNELS; their rules come from pharmacology.py.
ALGEBRA: tuple[Rule, ...] = (
    Rule("albumin_molar", "albumin / albumin_molar_mass", "mol/L", "serum albumin"),
    Rule("n_alb_t", "1 + k_alb_t * albumin_molar", "1", "albumin binding factor of T (1 + K_alb [albumin])"),
    Rule("n_alb_e2", "1 + k_alb_e2 * albumin_molar", "1", "albumin binding factor of E2"),
    Rule("ks_t", "k_shbg_t * 1e-9", "L/nmol", "T-SHBG association constant"),
    Rule("ks_e2", "k_shbg_e2 * 1e-9", "L/nmol", "E2-SHBG association constant"),
    # Leydig cells
    Rule("lh_effective", "max(lh, 0) + lh_receptor_agonism", "IU/L", "LH plus LH-receptor agonist (hCG) at Leydig cells"),
    Rule("leydig_ec50_abs", "leydig_ec50 * ref_lh", "IU/L", "LH giving half-maximal Leydig secretion"),
    Rule("aromatase_free", "max(aromatase_active, 0) * (1 - aromatase_inhibition)", "1",
         "aromatase neither inactivated nor blocked"),
    Rule("e2_release", "(1 + leydig_e2_brake) / (1 + leydig_e2_brake * aromatase_free)", "1",
         "release of the testicular estrogen brake on steroidogenesis"),
    Rule("leydig_activity",
         "leydig_capacity * leydig_adaptation * e2_release * drive(lh_effective, leydig_ec50_abs, leydig_hill)"
         " / drive(ref_lh, leydig_ec50_abs, leydig_hill)", "1", "Leydig T secretion relative to the reference man"),
    # serum T (Vermeulen mass action, closed form)
    Rule("shbg_floor", "max(shbg, 1e-6)", "nmol/L", "SHBG kept positive"),
    Rule("t_production_rate",
         "t_prod_nmol_h * ((1 - t_nontesticular_fraction) * leydig_activity + t_nontesticular_fraction)"
         " + testosterone_input", "nmol/h", "T entering plasma: testes, other sources and exogenous T"),
    Rule("bioavailable_testosterone", "t_production_rate / t_clearance_bio_l_h", "nmol/L",
         "bioavailable (non-SHBG-bound) T: production over clearance"),
    Rule("free_testosterone", "bioavailable_testosterone / n_alb_t", "nmol/L", "free T"),
    Rule("total_testosterone",
         "n_alb_t * free_testosterone + shbg_floor * ks_t * free_testosterone / (1 + ks_t * free_testosterone)",
         "nmol/L", "total T from free T (binding.total_t_from_free)"),
    Rule("intratesticular_testosterone",
         "(ref_itt - itt_serum_uptake * ref_total_t) * leydig_activity + itt_serum_uptake * total_testosterone",
         "nmol/L", "intratesticular T"),
    # E2
    Rule("e2_production_rate",
         "e2_prod_pmol_h * aromatase_free * (e2_testis_fraction * leydig_activity"
         " + (1 - e2_testis_fraction) * aromatase_factor * bioavailable_testosterone / ref_bio_t)",
         "pmol/h", "E2 production: testicular and peripheral aromatisation"),
    Rule("estradiol", "e2_production_rate / e2_clearance_l_h", "pmol/L", "serum E2"),
    Rule("free_estradiol",
         "estradiol / (n_alb_e2 + ks_e2 * shbg_floor / (1 + ks_t * free_testosterone))", "pmol/L",
         "free E2 (binding.free_e2: E2 binds the SHBG sites T leaves free)"),
    # hypothalamus
    Rule("e2_signal", "(free_estradiol / ref_free_e2) * (1 - er_antagonism) + er_agonism", "1",
         "estrogen signal of serum E2 at the pituitary receptors (antagonist hides E2, agonist adds)"),
    Rule("free_t_relative", "free_testosterone / ref_free_t", "1", "free T relative to the reference man"),
    Rule("hypothalamic_e2_signal",
         "((1 - cns_aromatisation_share) * free_estradiol / ref_free_e2 + cns_aromatisation_share * free_t_relative"
         " * max(aromatase_active, 0) * (1 - cns_aromatase_inhibition)) * (1 - er_antagonism) + er_agonism", "1",
         "estrogen signal of the GnRH neurons: serum free E2 and E2 made in the brain from free T"),
    Rule("gnrh_drive",
         "gnrh_factor * brake(hypothalamic_e2_signal, e2_hyp_k, e2_hyp_n) / brake(1, e2_hyp_k, e2_hyp_n)"
         " * brake(free_t_relative + ar_agonism, t_hyp_k, t_hyp_n) / brake(1, t_hyp_k, t_hyp_n)"
         " * brake(prolactin, prolactin_k, prolactin_n) / brake(ref_prolactin, prolactin_k, prolactin_n)"
         f" * (1 - max(slow_gnrh_suppression, 0)) / (1 - slow_gnrh_suppression_max * drive(1, slow_gnrh_suppression_e2_k, {model.SS_N:g}))",
         "1", "mean-field hypothalamic GnRH drive"),
    Rule("slow_gnrh_suppression_target",
         f"slow_gnrh_suppression_max * drive(max(hypothalamic_e2_signal, 0), slow_gnrh_suppression_e2_k, {model.SS_N:g})", "1",
         "slow suppression of GnRH drive the estrogen-receptor signal is heading for"),
    # Sertoli cells and semen
    Rule("fsh_effective", "max(fsh, 0) + fsh_receptor_agonism", "IU/L", "FSH plus FSH-receptor agonist"),
    Rule("germ_mid", f"({' + '.join(GERM[model.GERM_MID_FIRST:model.GERM_MID_END])}) / "
                     f"{model.GERM_MID_END - model.GERM_MID_FIRST}", "1", "mid-chain germ cells"),
    Rule("inhibin_b",
         "ref_inhibin_b * sertoli_factor * (inhibin_sertoli_only + (1 - inhibin_sertoli_only) * max(germ_mid, 0))"
         " * (max(fsh_effective, 1e-9) / ref_fsh)^inhibin_fsh_exponent", "pg/mL", "serum inhibin B"),
    Rule("sperm_concentration",
         "ref_sperm_conc * sertoli_factor * sperm_yield_factor * max(epididymal_reserve, 0) / semen_volume_factor",
         "M/mL", "sperm concentration (the same count diluted by a larger ejaculate)"),
    Rule("spermiation_relative",
         "drive(intratesticular_testosterone, spermiation_itt_k * ref_itt, spermiation_itt_n)"
         " / drive(ref_itt, spermiation_itt_k * ref_itt, spermiation_itt_n)", "1",
         "androgen-dependent spermiation relative to the reference man"),
    Rule("progressive_motility",
         "min(ref_progressive_motility * motility_factor * min(spermiation_relative, 1)^motility_androgen_exponent, 95)",
         "%", "progressive motility"),
    Rule("total_motile_count",
         "sperm_concentration * semen_volume * semen_volume_factor * (progressive_motility + nonprogressive_motility) / 100", "M",
         "total motile count per ejaculate"),
    # bone signals
    Rule("bone_e2_signal", "drive(estradiol, bone_e2_k, bone_e2_n)", "1", "estrogen bone signal"),
    Rule("bone_t_signal", "drive(total_testosterone, bone_t_k, 1)", "1", "androgen bone signal"),
    Rule("bone_steroid_rate", "bone_rate_e2 * (bone_e2_signal - baseline_bone_e2_signal)"
         " + bone_rate_t * (bone_t_signal - baseline_bone_t_signal)", "1/yr",
         "spine BMD change per year from the change of the sex-steroid bone signals"),
    Rule("bone_gain_room", "min(max(1 - (bmd_spine / ref_bmd_spine - 1) / bmd_gain_max, 0), 1)", "1",
         "share of a gain left before the remodelling space is refilled"),
)

# Intermediate terms of model.rhs_core, then one rate rule per state (per hour).
RATE_TERMS: tuple[Rule, ...] = (
    Rule("gnrhr_sustained",
         "drive(gnrhr_signal, gnrh_signal_k, gnrh_signal_n) / drive(1, gnrh_signal_k, gnrh_signal_n)", "1",
         "sustained exogenous GnRH-receptor signal"),
    Rule("pituitary_drive", "(gnrh_drive + gnrh_exo_max_drive * gnrh_receptor_agonism) * (1 - gnrhr_desensitised)",
         "1", "GnRH drive reaching the pituitary"),
    Rule("pituitary_e2_brake", "brake(e2_signal, e2_pit_k, e2_pit_n) / brake(1, e2_pit_k, e2_pit_n)", "1",
         "E2 braking of gonadotropin synthesis"),
    Rule("lh_release", "lh_basal_release + (1 - lh_basal_release) * pituitary_drive", "1", "LH release rate"),
    Rule("lh_synthesis", "pituitary_drive^lh_gnrh_exponent * pituitary_e2_brake", "1", "LH synthesis"),
    Rule("inhibin_brake",
         "brake(inhibin_b / ref_inhibin_b, inhibin_k, inhibin_n) / brake(1, inhibin_k, inhibin_n)", "1",
         "inhibin B braking of FSH synthesis"),
    Rule("fsh_release", "fsh_basal_release + (1 - fsh_basal_release) * pituitary_drive", "1", "FSH release rate"),
    Rule("fsh_synthesis", "pituitary_drive^fsh_gnrh_exponent * pituitary_e2_brake * inhibin_brake", "1",
         "FSH synthesis"),
    Rule("lh_relative_floor", "max(lh_effective, 0.25 * ref_lh) / ref_lh", "1",
         "LH drive on Leydig cells (bounded below 0.25 x ref)"),
    Rule("shbg_target",
         "ref_shbg * shbg_factor * (max(estradiol, 1e-6) / ref_e2 + er_agonism)^shbg_e2_exponent"
         " * (0.5 * (1 + (max(free_testosterone, 1e-9) / ref_free_t)^4))^(-0.25 * shbg_t_exponent)", "nmol/L",
         "SHBG the liver is heading for"),
    Rule("germ_fsh_support",
         "(sg_fsh_basal + (1 - sg_fsh_basal) * drive(fsh_effective, sg_fsh_k * ref_fsh, sg_fsh_n))"
         " / (sg_fsh_basal + (1 - sg_fsh_basal) * drive(ref_fsh, sg_fsh_k * ref_fsh, sg_fsh_n))", "1",
         "FSH support of germ-cell input"),
    Rule("germ_itt_support",
         "drive(intratesticular_testosterone, sg_itt_k * ref_itt, sg_itt_n) / drive(ref_itt, sg_itt_k * ref_itt, sg_itt_n)",
         "1", "intratesticular-T support of germ-cell input"),
    Rule("germ_rate", f"{model.N_GERM} / (sg_duration * 24)", "1/h", "transit rate between germ-cell stages"),
    Rule("germ_support", "germ_fsh_support * germ_itt_support * max(sertoli_maturity, 0)", "1",
         "germ-cell support (FSH x ITT x Sertoli maturity, 1 in the reference man)"),
    Rule("spermatogonial_pool_support", "min(germ_support / sg_pool_support_k, 1)", "1",
         "how far support maintains the spermatogonial pool (1 above the threshold)"),
    Rule("sertoli_maturity_target",
         "drive(intratesticular_testosterone, sertoli_maturation_itt_k * ref_itt, sertoli_maturation_n)"
         " / drive(ref_itt, sertoli_maturation_itt_k * ref_itt, sertoli_maturation_n)", "1",
         "Sertoli maturity the testis is heading for"),
)

_LN2 = "ln(2)"
RATES: tuple[Rule, ...] = (
    Rule(S[model.GNRHR_DESENS],
         f"{_LN2} / gnrhr_desens_half_time * gnrhr_sustained * (1 - gnrhr_desensitised)"
         f" - {_LN2} / gnrhr_resens_half_time * gnrhr_desensitised", "1", "GnRH-receptor desensitised fraction"),
    Rule(S[model.LH_POOL], "(lh_synthesis - lh_release * lh_pool) / lh_pool_turnover", "1",
         "pituitary releasable LH (relative)"),
    Rule(S[model.LH], f"{_LN2} / (lh_half_life / 60) * (ref_lh * lh_factor * lh_release * lh_pool - lh)", "IU/L",
         "serum LH"),
    Rule(S[model.FSH_POOL], "(fsh_synthesis - fsh_release * fsh_pool) / fsh_pool_turnover", "1",
         "pituitary FSH (relative)"),
    Rule(S[model.FSH], f"{_LN2} / (fsh_half_life / 60) * (ref_fsh * fsh_factor * fsh_release * fsh_pool - fsh)",
         "IU/L", "serum FSH"),
    Rule(S[model.LEYDIG_ADAPT],
         "(lh_relative_floor^(-leydig_adapt_gain) - leydig_adaptation) / (leydig_adapt_tau * 168)", "1",
         "Leydig LH responsiveness (relative)"),
    Rule(S[model.SHBG], f"{_LN2} / (shbg_half_life * 24) * (shbg_target - shbg)", "nmol/L", "SHBG"),
    Rule(GERM[0], f"germ_rate * (germ_cell_factor * germ_support * max(spermatogonial_pool, 0) - {GERM[0]})", "1",
         "germ-cell stage 1 (relative flux)"),
    *(Rule(GERM[i], f"germ_rate * ({GERM[i - 1]} - {GERM[i]})"
           + (f" - germ_withdrawal_loss / 24 * max(1 - spermiation_relative, 0) * {GERM[i]}"
              if i >= model.GERM_LATE_FIRST else ""),
           "1", f"germ-cell stage {i + 1} (relative flux)")
      for i in range(1, model.N_GERM)),
    Rule(S[model.EPIDIDYMIS], f"({GERM[-1]} * spermiation_relative - epididymal_reserve) / (epididymal_transit * 24)",
         "1", "epididymal sperm reserve (relative)"),
    Rule(S[model.BMD],
         f"bmd_spine * (bmd_drift + piecewise(bone_steroid_rate * bone_gain_room, bone_steroid_rate > 0,"
         f" bone_steroid_rate)) / {model.HOURS_PER_YEAR!r}", "g/cm2",
         "spine BMD"),
    Rule(S[model.ISI], "(min(max(max(estradiol, 1e-6) / baseline_e2, 1 / is_e2_ratio_span), is_e2_ratio_span)^is_e2_exponent"
                       " - insulin_sensitivity) / (is_tau * 168)",
         "1", "insulin-sensitivity index"),
    Rule(S[model.AROM_ACTIVE],
         f"{_LN2} / aromatase_resynthesis_half_life * (1 - aromatase_active) - aromatase_inactivation * aromatase_active",
         "1", "active aromatase enzyme (fraction)"),
    Rule(S[model.GNRHR_SIGNAL], "(gnrh_receptor_agonism - gnrhr_signal) / gnrh_signal_tau", "1",
         "slow signal of exogenous GnRH-receptor occupancy"),
    Rule(S[model.SLOW_SUPP],
         "(slow_gnrh_suppression_target - slow_gnrh_suppression) / piecewise(slow_gnrh_suppression_on_days * 24,"
         " slow_gnrh_suppression_target > slow_gnrh_suppression, slow_gnrh_suppression_off_weeks * 168)", "1",
         "slow suppression of GnRH drive"),
    Rule(S[model.SERT_MATURE],
         "(sertoli_maturity_target - sertoli_maturity) / (piecewise(sertoli_maturation_weeks,"
         " sertoli_maturity_target > sertoli_maturity, sertoli_regression_weeks) * 168)", "1", "Sertoli maturity"),
    Rule(S[model.SG_POOL],
         "spermatogonial_pool_support * spermatogonial_pool * (1 - spermatogonial_pool) / (sg_pool_regrowth_weeks * 168)"
         " - (1 - spermatogonial_pool_support) * (spermatogonial_pool - sg_pool_floor) / (sg_pool_loss_weeks * 168)",
         "1", "renewing spermatogonial pool (relative)"),
)
assert sorted(r.id for r in RATES) == sorted(S), "one rate rule per state of model.py"
