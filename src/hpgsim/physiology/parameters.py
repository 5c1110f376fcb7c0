"""The one annotated table of model parameters (name, value, unit, range, meaning, source).

Internal unit system (see docs/model.md): time in hours; T, free T, bioavailable T and
intratesticular T in nmol/L; E2 in pmol/L; LH and FSH in IU/L; SHBG in nmol/L; inhibin B in
pg/mL; prolactin in ng/mL; drug concentrations in ng/mL; sperm concentration in M/mL.

The *reference man* is 30 years old with BMI 23; the ``ref_*`` anchors are his steady-state
values, and production and clearance constants are derived from them so that he sits at
steady state by construction. Every other man is this man with individual factors (group
``individual``) changed by his age, BMI and measured labs; his baseline is then found as the
steady state of his own parameters, never assumed.

Abbreviations in sources: BB2009 = Burnett-Bowie SM et al. 2009; see docs/model.md for full
citations and URLs.
"""

from __future__ import annotations

import numpy as np

from .table import Param

_P = Param
PARAMETERS: tuple[Param, ...] = (
    # ----------------------------------------------------------------- reference anchors
    _P("ref_total_t", 20.0, "nmol/L", 9.15, 31.8, "serum total T of the reference man (577 ng/dL)",
       "Travison TG et al. JCEM 2017;102:1161 (median 531 ng/dL, 19-39 y) and Bhasin S et al. JCEM 2011;96:2430 (median 699 ng/dL); chosen between them", "anchors"),
    _P("ref_shbg", 30.0, "nmol/L", 15.0, 60.0, "SHBG of the reference man",
       "Vermeulen 1999 worked example (40 nmol/L); Yeap BB et al. EJE 2007 (42.4 nmol/L at 70-89 y) less the MMAS age rise of 1.6 %/yr", "anchors", uncertain=True,
       note="no harmonised young-men SHBG interval was found; derived"),
    _P("ref_e2", 91.8, "pmol/L", 44.0, 136.0, "serum E2 of the reference man (25 pg/mL)",
       "NHANES medians 29.1 pg/mL at 20-39 y (immunoassay); production 40 ug/day over MCR 1600 L/day gives 25 pg/mL", "anchors"),
    _P("ref_lh", 4.0, "IU/L", 2.0, 8.0, "serum LH of the reference man",
       "Veldhuis JD et al. JCI 1986 (LH kinetics in men); Leder 2004 baseline 5.1 IU/L in older men", "anchors", uncertain=True,
       note="LH assays differ widely (Grimstad 2018: ULN 4.9-86.5 IU/L across labs)"),
    _P("ref_fsh", 4.0, "IU/L", 2.0, 8.0, "serum FSH of the reference man",
       "fertile men mean 3.5 IU/L (Inhibin B reference data, NE United States)", "anchors"),
    _P("ref_inhibin_b", 170.0, "pg/mL", 100.0, 255.0, "serum inhibin B of the reference man",
       "Kelsey TW et al. PLoS One 2016;11:e0153843 (adult median 170 pg/mL)", "anchors"),
    _P("ref_itt", 1174.0, "nmol/L", 400.0, 4300.0, "intratesticular T of the reference man",
       "Coviello AD et al. JCEM 2005;90:2595 (1174 nmol/L, 29 men); Roth MY et al. J Androl (635 ng/mL = 2200 nmol/L)", "anchors"),
    _P("ref_sperm_conc", 60.0, "M/mL", 16.0, 150.0, "sperm concentration the reference man's testes produce",
       "above the WHO 2010/2021 lower reference limits (15-16 M/mL, Cooper 2010); fertile-men median not retrieved", "anchors", uncertain=True),
    _P("ref_progressive_motility", 50.0, "%", 32.0, 70.0, "progressive motility of the reference man",
       "above the WHO 2010 lower reference limit of 32 % (Cooper TG et al. Hum Reprod Update 2010;16:231)", "anchors", uncertain=True),
    _P("semen_volume", 3.0, "mL", 1.5, 6.0, "ejaculate volume of the reference man (each man's is this times his semen_volume_factor)",
       "above the WHO 2010 lower reference limit 1.5 mL (Cooper 2010)", "anchors", uncertain=True),
    _P("nonprogressive_motility", 8.0, "%", 2.0, 15.0, "non-progressive motility added to progressive for total motile count",
       "typical share; WHO total (40 %) minus progressive (32 %) lower limits (Cooper 2010)", "anchors", uncertain=True),
    _P("ref_bmd_spine", 1.10, "g/cm2", 0.8, 1.4, "spine BMD (DXA, PA) of a typical man",
       "BB2009 JCEM 2009;94:4785 baselines 1.121 and 1.180 g/cm2", "anchors"),
    _P("albumin", 43.0, "g/L", 35.0, 50.0, "serum albumin", "Vermeulen A et al. JCEM 1999;84:3666 (ISSAM default 4.3 g/dL)", "anchors"),
    _P("ref_prolactin", 8.0, "ng/mL", 2.0, 20.0, "prolactin of the reference man",
       "below the US laboratory upper limits 7.4-25 ng/mL (Grimstad F et al. Urology 2018;120:114)", "anchors", uncertain=True),
    # ----------------------------------------------------------------- production and binding
    _P("t_production", 6.5, "mg/day", 5.0, 7.5, "blood production rate of T in the reference man",
       "mdwiki compilation of sex-hormone production rates (6.5 mg/day; gonadal 6.2); implies MCR 1130 L/day, Saez JM et al. JCI 1972 516 +/- 108 L/m2/day", "production", uncertain=True),
    _P("t_nontesticular_fraction", 0.05, "1", 0.02, 0.10, "share of circulating T not from the testes (adrenal precursors)",
       "castrate T below 50 ng/dL, about 5-10 % of normal (androgen-deprivation literature); assumption", "production", uncertain=True),
    _P("e2_production", 40.0, "ug/day", 35.0, 60.0, "E2 production rate of the reference man",
       "de Ronde W, de Jong FH. RBE 2011;9:93 (35-45 ug/day) versus mdwiki (60 ug/day): the literature disagrees", "production",
       note="with ref_e2 this gives MCR 1600 L/day, matching the mdwiki clearance"),
    _P("e2_testis_fraction", 0.20, "1", 0.10, 0.60, "share of circulating E2 secreted directly by the testes",
       "de Ronde & de Jong 2011 (10-20 %); a Chinese review counts up to 60 % with testicular androgens", "production"),
    _P("k_shbg_t", 1.0e9, "L/mol", 1.0e9, 1.13e9, "association constant of T with SHBG",
       "Vermeulen 1999 (1.0e9); Ross HA et al. CCLM 2005 (1.13e9)", "binding"),
    _P("k_alb_t", 3.6e4, "L/mol", 2.4e4, 4.4e4, "association constant of T with albumin",
       "Vermeulen 1999 (3.6e4); Ross 2005 (4.4e4); Sodergard variant 2.4e4", "binding"),
    _P("k_shbg_e2", 3.14e8, "L/mol", 2.0e8, 6.0e8, "association constant of E2 with SHBG",
       "Rinaldi S et al. CEBP 2002;11:1065 via the freee2simulator implementation (Sodergard-derived)", "binding", uncertain=True),
    _P("k_alb_e2", 4.21e4, "L/mol", 3.0e4, 6.0e4, "association constant of E2 with albumin",
       "Rinaldi 2002 via freee2simulator (Sodergard-derived)", "binding", uncertain=True),
    _P("itt_serum_uptake", 2.934, "1", 0.5, 4.0, "intratesticular T contributed per unit of serum T (no LH drive)",
       "Coviello 2005: ITT 72 nmol/L under TE 200 mg/week with serum T about 35 nmol/L (about 2); value from the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md); refitted with the SHBG androgen term (docs/calibration-shbg.md) and again from a steeper E2 brake (docs/calibration-feedback.md); refitted with the spermatogenesis constants: docs/calibration-spermatogenesis.md", "production", uncertain=True, fitted=True),
    # ----------------------------------------------------------------- hormone kinetics
    _P("lh_half_life", 136.0, "min", 125.0, 164.0, "plasma half-life of LH",
       "infused hLH in 4 normal men, Clin Endocrinol (136 min); Wide L et al. JCEM 2022 glycoforms 125-164 min", "kinetics"),
    _P("fsh_half_life", 274.0, "min", 108.0, 757.0, "plasma half-life of FSH",
       "Urban RJ et al. JCEM 1991 (274 min, biexponential 1.8 and 10 h); Wide 2022 glycoforms 343-757 min", "kinetics"),
    _P("lh_pool_turnover", 12.0, "h", 4.0, 48.0, "mean residence of LH in the pituitary releasable pool at reference drive",
       "assumption in the spirit of Keenan-Veldhuis pituitary models; only shapes transients after GnRH changes", "kinetics", uncertain=True),
    _P("fsh_pool_turnover", 48.0, "h", 12.0, 120.0, "mean residence of FSH in the pituitary pool (synthesis-limited, mostly constitutive release)",
       "assumption; FSH secretion is less pulsatile and more synthesis-driven than LH", "kinetics", uncertain=True),
    _P("lh_basal_release", 0.10, "1", 0.0, 0.3, "share of LH release that does not need GnRH", "assumption", "kinetics", uncertain=True),
    _P("fsh_basal_release", 0.30, "1", 0.1, 0.6, "share of FSH release that does not need GnRH (constitutive)", "assumption", "kinetics", uncertain=True),
    _P("shbg_half_life", 7.0, "day", 2.0, 10.0, "plasma half-life of SHBG",
       "not found in the retrieved literature (evidence not_found list); days-scale value assumed", "kinetics", uncertain=True),
    _P("gnrhr_desens_half_time", 2.0, "h", 1.0, 96.0, "half-time of GnRH-receptor desensitisation under full continuous occupancy",
       "assumption, constrained by physiology: continuous GnRH agonism shuts LH release down within days after a flare (the basis of agonist castration), which needs desensitisation to outrun recovery (gnrhr_resens_half_time) by more the stronger the pituitary's response to exogenous GnRH: about eighteen-fold (4 h) with gnrh_exo_max_drive 3, thirty-six-fold (2 h) since it was fitted to 7 (docs/calibration-gnrh-pump.md; LH at week 4 of gonadorelin every 15 min: 0.56 of the man's own, after a flare to 1.85 times it)", "kinetics", uncertain=True),
    _P("gnrhr_resens_half_time", 72.0, "h", 12.0, 336.0, "half-time of recovery of GnRH-receptor responsiveness", "assumption", "kinetics", uncertain=True),
    _P("gnrh_signal_tau", 1.0, "h", 0.25, 4.0, "time constant of the intracellular signal that integrates exogenous GnRH-receptor occupancy",
       "assumption: receptor internalisation and signalling act over tens of minutes to hours (Conn PM, Crowley WF. Annu Rev Med 1994;45:391); with GnRH t1/2 of minutes it separates 90-min pulses from continuous exposure", "kinetics", uncertain=True),
    _P("gnrh_signal_k", 0.5, "1", 0.2, 0.9, "signal level at which desensitisation runs at half its maximal rate",
       "assumption: pulses every 90-120 min maintain LH secretion for months while continuous infusion suppresses it (Belchetz PE et al. Science 1978;202:631; Hoffman AR, Crowley WF. NEJM 1982;307:1237)", "kinetics", uncertain=True),
    _P("gnrh_signal_n", 4.0, "1", 2.0, 8.0, "steepness of desensitisation in the sustained signal", "assumption (as gnrh_signal_k)", "kinetics", uncertain=True),
    _P("aromatase_resynthesis_half_life", 6.464, "h", 6.0, 120.0, "half-time of recovery of aromatase activity after irreversible inactivation (enzyme resynthesis)",
       "not found in the literature (evidence not_found); bounded by the return of E2 within days after exemestane in women (label: suppression persists 4-5 days) and by Mauras 2003 in young men (E2 -62 % at 12 h but -38 % at 24 h after a dose); value from the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md); it sits near its lower bound", "kinetics", uncertain=True, fitted=True),
    _P("gnrh_exo_max_drive", 7.043, "x ref drive", 1.0, 10.0, "pituitary stimulation at full occupancy by exogenous GnRH, relative to the reference endogenous drive",
       "pharmacological GnRH doses release several times the basal LH (Factrel label: LH peak 13-25 min after IV); assumed 3, then fitted to the pulsatile-GnRH arms of the calibration set (eje1994, Rastrelli 2014; docs/calibration-gnrh-pump.md): at 3 a congenitally hypogonadotropic man on 12.5 ug every 2 h reached total T of about 240 ng/dL, below the normal range that pulsatile GnRH restores (Liu L et al. JCEM 1988: into the normal range, lower than on hCG/hMG); at 7.0 about 400 ng/dL", "kinetics", fitted=True, uncertain=True),
    _P("shbg_e2_exponent", 0.6, "1", 0.0, 0.6, "log-log stimulation of hepatic SHBG production by E2",
       "Selby C. Ann Clin Biochem 1990 (estrogens raise SHBG); size from the joint fit to the calibration trial specs (typical-man fit, `hpgsim calibrate`: docs/calibration-shbg.md, then docs/calibration-feedback.md) with shbg_t_exponent and the feedback constants: the total against bioavailable T changes on aromatase inhibitors (Leder 2004, BB2009) and Mauras 2003's SHBG; it sits on its upper bound", "kinetics", fitted=True),
    _P("shbg_t_exponent", 0.4138, "1", 0.0, 0.5, "suppression of hepatic SHBG production by supraphysiological free T: production times ((1 + x^4) / 2)^(-e/4), x = free T relative to the reference man, nearly flat up to normal and x^-e above it",
       "Selby 1990 (androgens lower SHBG); Plymate SR et al. JCEM 1983 (PMID 6683724): SHBG -34 % in normal men on testosterone enanthate (free T x1.85), 2.5 times normal in Klinefelter men (free T 0.45 of normal), +30 % on hCG (free T x1.5; the abstract gives no E2, which hCG raises through testicular aromatase). Value from the joint fits to the calibration trial specs (typical-man fits, `hpgsim calibrate`): with the earlier feedback constants the data barely told 0.3 from 0 (cost 38.0 against 38.4, docs/calibration-shbg.md), so the direction comes from Plymate; refitted to 0.41 with the steeper E2 brake (docs/calibration-feedback.md). The sources disagree on its size: Plymate's testosterone arm alone implies about 1.3 with the fitted E2 exponent, which would take Mauras 2003's SHBG on exemestane (free T x2.2) to about -45 % against the observed -21 %; flat below normal because age and BMI differences in SHBG are the population's own (shbg_age_rise, shbg_bmi_slope), so Klinefelter SHBG is not raised (a known failure)", "kinetics", fitted=True, uncertain=True),
    # ----------------------------------------------------------------- hypothalamic and pituitary feedback
    _P("e2_hyp_k", 0.2, "x ref free E2", 0.2, 5.0, "free-E2 level (relative to reference) that halves GnRH drive",
       "fitted to the anastrozole and letrozole calibration set (Leder 2004, BB2009, Gibb 2016, T'Sjoen 2005); value from the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md); it sits on its lower bound; refitted with the SHBG androgen term (docs/calibration-shbg.md) and again from a steeper E2 brake (docs/calibration-feedback.md)", "feedback", fitted=True),
    _P("e2_hyp_n", 2.507, "1", 0.5, 3.0, "Hill coefficient of E2 braking of GnRH", "fitted with e2_hyp_k; the calibration set has two optima, about 1.8 (cost 38.0, docs/calibration-shbg.md) and 2.5 (cost 34.5, this value: docs/calibration-feedback.md), the second found by starting the fit from 2.8; the steeper brake suppresses LH on testosterone more (Coviello 2005) and overshoots older men's LH on anastrozole (Leder 2004). Held at 2.5 in the fit with brain aromatase (docs/calibration-brain-aromatase.md): free, it went to about 3.0 (its bound), which gains calibration endpoints but lets a man who loses 90 % of his Leydig capacity keep more than half his T and narrows the population's low-T tail below Travison 2017's", "feedback", fitted=True),
    _P("t_hyp_k", 3.918, "x ref free T", 0.3, 5.0, "free-T level (relative) that halves GnRH drive through the androgen receptor",
       "Pitteloud N et al. JCEM 2008 (PMC2266963): T and E2 add-back each about halved LH after ketoconazole; value from the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md) (with the testosterone-suppression studies); refitted with the SHBG androgen term (docs/calibration-shbg.md), from a steeper E2 brake (docs/calibration-feedback.md) and with brain aromatase (docs/calibration-brain-aromatase.md) and jointly with the aromatase inhibitors' potencies (docs/calibration-ai-feedback.md)", "feedback", fitted=True),
    _P("t_hyp_n", 2.138, "1", 0.5, 3.0, "Hill coefficient of T braking of GnRH", "assumption; value from the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md); refitted with the SHBG androgen term (docs/calibration-shbg.md) and again from a steeper E2 brake (docs/calibration-feedback.md) and jointly with the aromatase inhibitors' potencies (docs/calibration-ai-feedback.md)", "feedback", uncertain=True, fitted=True),
    _P("cns_aromatisation_share", 0.2, "1", 0.0, 0.9, "share of the estrogen signal of the GnRH network, in the reference man, that brain aromatase makes locally from free T (the rest is serum free E2)",
       "assumption (literature value 0.3), fitted to the calibration set: aromatase is expressed in the human preoptic area and hypothalamus and a 2.5 mg dose of letrozole blocks it (Biegon A et al. Synapse 2010;64:801, [11C]vorozole PET); E2 feeds back at a hypothalamic site in men (Hayes FJ et al. JCEM 2000); letrozole, which reaches the brain (unbound brain/plasma 0.3-0.98 in rats, Dave N et al. Cancer Chemother Pharmacol 2013), raises LH more per unit fall of serum E2 (T'Sjoen 2005: E2 -46 %, LH +339 %) than anastrozole (Leder 2004: E2 -35 %, LH +55 %); refitted jointly with the aromatase inhibitors' potencies (docs/calibration-ai-feedback.md), which took it to 0.24; held at 0.2, where the healthy young population's 2.5th percentile of total T stays within Travison 2017's (at 0.24 a larger brain share strengthens the feedback's compensation and lifts that percentile to 300 ng/dL against 264)", "feedback", fitted=True, uncertain=True),
    _P("slow_gnrh_suppression_max", 0.8014, "1", 0.0, 0.99, "largest share of GnRH drive that a sustained high estrogen-receptor signal takes away over weeks, beyond the acute E2 brake",
       "fitted (cohort fit, docs/calibration-slow-suppression.md) to the calibration set; refitted with e2_k once elongating spermatids are lost on testosterone (0.66 -> 0.80, docs/calibration-slow-suppression-refit.md). Mechanism: on testosterone enanthate 200 mg weekly LH stays suppressed through each week although serum T falls toward normal before the next injection (Coviello 2005: LH -95 %, FSH -97 %, ITT -94 % at week 3, measured before the dose), and LH and spermatogenesis return only over months after androgen exposure ends (Liu 2006: median 3.4 months to 20 M/mL); an instantaneous brake alone lets LH climb back within days of each injection", "feedback", fitted=True, uncertain=True),
    _P("slow_gnrh_suppression_e2_k", 1.47, "x ref E2 signal", 1.0, 5.0, "estrogen-receptor signal (relative to the reference man) at which that slow suppression is half its largest",
       "fitted with slow_gnrh_suppression_max (2.45 -> 1.47 in the refit of docs/calibration-slow-suppression-refit.md); above 1, so the suppression is small at a normal E2 signal and engages with the E2 made from supraphysiological T (E2 +50-70 % on TE 200 mg weekly); Hill coefficient 4 (an assumption, model.SS_N)", "feedback", fitted=True, uncertain=True),
    _P("slow_gnrh_suppression_on_days", 19.29, "day", 2.0, 60.0, "time constant with which the slow suppression builds",
       "assumption within the weeks over which LH and FSH reach their nadir on weekly testosterone enanthate (Coviello 2005: -95 % by 3 weeks); 19 days came from a first cohort fit to the testosterone and aromatase-inhibitor trials of the calibration set and was held in the fit of docs/calibration-slow-suppression.md", "feedback", fitted=True, uncertain=True),
    _P("slow_gnrh_suppression_off_weeks", 50.57, "week", 1.0, 52.0, "time constant with which it wears off once the signal falls",
       "fitted (cohort fit, docs/calibration-slow-suppression.md); months, as LH, FSH and sperm return over months after testosterone (Liu 2006: 67 % at 20 M/mL by 6 months, 90 % by 12)", "feedback", fitted=True, uncertain=True),
    _P("e2_pit_k", 0.3008, "x ref free E2", 0.3, 10.0, "free-E2 level (relative) that halves pituitary LH/FSH synthesis",
       "E2 acts at both sites in men (Pitteloud 2008); split between sites; value from the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md); refitted with the SHBG androgen term (docs/calibration-shbg.md) and again from a steeper E2 brake (docs/calibration-feedback.md)", "feedback", fitted=True),
    _P("e2_pit_n", 1.0, "1", 0.5, 3.0, "Hill coefficient of pituitary E2 feedback", "assumption", "feedback", uncertain=True),
    _P("lh_gnrh_exponent", 1.0, "1", 0.5, 2.0, "power of GnRH drive in LH synthesis (log-log gain)", "assumption", "feedback", uncertain=True),
    _P("fsh_gnrh_exponent", 1.489, "1", 0.2, 1.5, "power of GnRH drive in FSH synthesis, before the inhibin B and pituitary E2 brakes", "assumption (FSH is thought less GnRH-dependent than LH, so the range starts well below LH's 1.0); the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md) took it to its upper bound, above LH's: with inhibin B braking FSH as well, FSH still rises a little less than LH when GnRH drive rises (a typical 30-year-old on anastrozole 1 mg daily for 12 weeks: LH +55 %, FSH +49 %)", "feedback", uncertain=True, fitted=True),
    _P("inhibin_k", 0.284, "x ref inhibin B", 0.1, 1.0, "inhibin B level (relative) that halves FSH synthesis",
       "chosen so that Sertoli-only men (inhibin B 29 % of controls, Fertil Steril 2000;74:234) have FSH about 2.5 times normal", "feedback", uncertain=True),
    _P("inhibin_n", 1.1, "1", 0.5, 3.0, "Hill coefficient of inhibin B braking of FSH", "as inhibin_k", "feedback", uncertain=True),
    _P("prolactin_k", 40.0, "ng/mL", 20.0, 100.0, "prolactin that halves GnRH drive",
       "no dose-response found (evidence not_found); hypogonadism accompanies prolactin above 35 ng/mL (Corona G et al. J Sex Med 2007)", "feedback", uncertain=True),
    _P("prolactin_n", 2.0, "1", 1.0, 4.0, "Hill coefficient of prolactin suppression", "assumption", "feedback", uncertain=True),
    # ----------------------------------------------------------------- Leydig cells
    _P("leydig_ec50", 3.0, "x ref LH", 1.0, 10.0, "LH (relative) giving half-maximal Leydig T secretion",
       "with leydig_hill 1.5, the value at which T rises about as much as LH when an aromatase inhibitor doubles LH (Leder 2004, BB2009) and falls more than LH when LH is withheld (GnRH antagonist, leydig_hill); the calibration set pins it here: a joint fit of seven parameters at 100 men per arm gave 3.03 (docs/calibration-leydig-response.md), one of twelve at 30 men 3.08 (Hill 1.42). Earlier, with a Hill coefficient of 1, fits drove it to its upper bound of 10 (a response linear in LH), which kept ITT near 25 % of normal on testosterone enanthate against the 6 % Coviello 2005 measured", "leydig", fitted=True),
    _P("leydig_hill", 1.5, "1", 0.5, 2.0, "Hill coefficient of Leydig response to LH",
       "GnRH antagonist in young men (ganirelix, then rhLH pulses; https://discovery.researcher.life/article/pulsatile-intravenous-infusion-of-recombinant-human-luteinizing-hormone-under-acute-gonadotropin-releasing-hormone-receptor-blockade-reconstitutes-testosterone-secretion-in-young-men/a26aee1960213e369ebd375c63f7b68b): LH fell to 0.24 and 0.35 of baseline with total T at 0.26 and 0.16 of it, where a response linear in LH (Hill 1) keeps T at 0.33-0.45; Hill 1.5 with EC50 3 x ref LH gives 0.21-0.31. Roth MY et al. J Androl: ITT correlates with serum LH across normal men (r = 0.87). A free fit at 30 men per arm gave 1.42; 1.5 is kept (the engine computes x^1.5 with a square root instead of a general power)", "leydig", uncertain=True),
    _P("leydig_e2_brake", 0.2353, "1", 0.0, 2.0, "paracrine brake of testicular estrogen on Leydig steroidogenesis (0 = none); an aromatase inhibitor releases up to (1 + k) fold",
       "Schulster M et al. Asian J Androl 2016;18:435 (estradiol inhibits and stimulates testicular cells); men with aromatase deficiency have high T with high gonadotropins (de Ronde & de Jong 2011); size fitted: older men's bioavailable T doubles on anastrozole while LH rises about 55 % (Leder 2004, BB2009); refitted with the SHBG androgen term (docs/calibration-shbg.md), from a steeper E2 brake (docs/calibration-feedback.md) and with brain aromatase (docs/calibration-brain-aromatase.md) and jointly with the aromatase inhibitors' potencies (docs/calibration-ai-feedback.md)", "leydig", fitted=True, uncertain=True),
    _P("leydig_adapt_gain", 0.001, "1", 0.0, 0.5, "log-log downregulation of Leydig responsiveness by sustained LH/hCG drive",
       "fitted to BB2009 (T peaks at 3 months then drifts down while E2 stays suppressed); the joint fit to all calibration specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md) drove it to about 0, i.e. no measurable Leydig downregulation", "leydig", fitted=True),
    _P("leydig_adapt_tau", 26.0, "week", 2.0, 26.0, "time constant of Leydig downregulation", "fitted to BB2009 time course", "leydig", fitted=True),
    # ----------------------------------------------------------------- spermatogenesis
    _P("sertoli_maturation_itt_k", 0.05, "x ref ITT", 0.01, 0.2, "intratesticular T (relative) at which the Sertoli-maturity target is half",
       "androgen acting on Sertoli-cell androgen receptors ends their immature state at puberty (AMH falls as ITT rises); assumption: pubertal-range ITT suffices, so adult men under testosterone suppression (ITT 6-25 % of normal, Coviello 2005) keep mature testes, while untreated congenital hypogonadotropic men (ITT about 0.1 % of normal) have none", "spermatogenesis", uncertain=True),
    _P("sertoli_maturation_n", 2.0, "1", 1.0, 4.0, "Hill coefficient of that target", "assumption", "spermatogenesis", uncertain=True),
    _P("sertoli_maturation_weeks", 13.0, "week", 4.0, 26.0, "time constant of Sertoli maturation once ITT is raised (how long a prepubertal testis needs before it starts spermatogenesis)",
       "assumption of about 3 months, the length of the FSH and hCG pretreatment used clinically before spermatogenesis is expected in congenital hypogonadotropic men (Dwyer AA et al. JCEM 2013;98:E1790, 4 months of FSH pretreatment); in context studies sperm appear after many months of treatment (poor responders to hCG/hMG: median 12 months on pulsatile GnRH). Not fitted: the studies that time sperm appearance (Liu 2009, Muir-Handelsman) are validation set", "spermatogenesis", uncertain=True),
    _P("sertoli_regression_weeks", 260.0, "week", 52.0, 1040.0, "time constant of loss of Sertoli maturity when ITT stays low",
       "assumption: adult testes do not return to a prepubertal state within the durations of the androgen-suppression trials; spermatogenesis returns about one cycle after testosterone suppression ends (Handelsman DJ et al. JCEM 1995, 75 +/- 4 days)", "spermatogenesis", uncertain=True),
    _P("sg_pool_support_k", 0.2, "1", 0.05, 0.5, "germ-cell support (FSH term x ITT term x Sertoli maturity, 1 in the reference man) below which the renewing spermatogonial pool is not maintained",
       "assumption: spermatogonia are kept while support is a fifth of normal or more (low-dose hCG holding ITT 25 % below normal maintains spermatogenesis, Coviello 2005), and lost only under suppression as deep as testosterone's or in untreated congenital hypogonadotropic men", "spermatogenesis", uncertain=True),
    _P("sg_pool_regrowth_weeks", 6.0, "week", 1.0, 52.0, "time constant of the pool's logistic re-expansion by spermatogonial self-renewal once support returns",
       "assumption of weeks to months: in congenital hypogonadotropic men on gonadotropins the testes grow over 12-24 months (Kung AWC et al. Int J Androl 1994;17:241: 3 -> 11.6 mL; first sperm after 13 (4-52) months) and pubertal testicular growth after the first spermatogonial expansion takes 2-3 years (Koskenniemi JJ et al. Curr Opin Endocrinol Diabetes Obes 2017); the calibration set identifies it through the sperm output after 18 months of gonadotropins (Rastrelli 2014): a fit moves it to 7.0 weeks with the same passes and does not improve the validation set, so the assumption stays (docs/calibration-spermatogonial-pool.md)", "spermatogenesis", uncertain=True),
    _P("sg_pool_loss_weeks", 260.0, "week", 104.0, 1040.0, "time constant of the pool's loss without support",
       "assumption as for sertoli_regression_weeks: testosterone suppression spares type A spermatogonia (Zhengwei Y et al. JCEM 1998;83:1284, stereology after 19-24 weeks of TE 200 mg weekly: type A per Sertoli cell unchanged, the lesion is A-to-B maturation, 90 % inhibited) and men suppressed for 18 months recover within about one cycle (HR 2005, calibration set; a loss time constant of 26 weeks delays that recovery by 3-5 weeks and fails it)", "spermatogenesis", uncertain=True),
    _P("sg_pool_floor", 0.03, "1", 0.005, 0.1, "the pool that is never lost (dark type A stem spermatogonia), and the pool of a testis that never went through puberty, relative to the adult's",
       "a few percent, order of magnitude: boys carry 13-83 million germ cells before the age of 10 (Muller J, Skakkebaek NE. Int J Androl 1983;6:143, stereology of 50 testes), against the adult's hundreds of millions of spermatogonia; spermatogonia per tubular cross-section rise about fourfold from 3 to 13 years (Paniagua R, Nistal M. J Anat 1984;139:535)", "spermatogenesis", uncertain=True),
    _P("sg_duration", 75.94, "day", 42.0, 76.0, "mean time from spermatogonial division to spermiation",
       "Heller-Clermont 64-74 days as commonly quoted; Misell LM et al. J Urol 2006: 42-76 days by heavy-water labelling; value fitted with the 18-stage chain to the recovery times after testosterone (HR 2005, calibration set); refitted with the spermatogenesis constants: docs/calibration-spermatogenesis.md", "spermatogenesis", fitted=True),
    _P("epididymal_transit", 12.0, "day", 2.0, 12.0, "mean epididymal transit to the ejaculate",
       "human primary value not found; rhesus 10.5 days (Amann RP et al. Biol Reprod 1976); value from the fit of the germ-cell chain to HR 2005 (calibration set); refitted with the spermatogenesis constants: docs/calibration-spermatogenesis.md; it sits on its upper bound", "spermatogenesis", uncertain=True, fitted=True),
    _P("sg_fsh_basal", 0.1468, "1", 0.1, 0.6, "share of germ-cell input that does not need FSH",
       "men with inactivating FSH-receptor mutations keep some spermatogenesis; value from the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md) (HR 2005, Liu 2006, Coviello 2005); refitted with the spermatogenesis constants: docs/calibration-spermatogenesis.md", "spermatogenesis", uncertain=True, fitted=True),
    _P("sg_fsh_k", 0.5, "x ref FSH", 0.1, 2.0, "FSH (relative) giving half of the FSH-dependent germ-cell input", "assumption", "spermatogenesis", uncertain=True),
    _P("sg_fsh_n", 1.5, "1", 1.0, 3.0, "Hill coefficient of FSH support", "assumption", "spermatogenesis", uncertain=True),
    _P("sg_itt_k", 0.3997, "x ref ITT", 0.02, 0.4, "intratesticular T (relative) giving half-maximal germ-cell input",
       "low-dose hCG keeping ITT at -25 % maintains spermatogenesis (Coviello 2005); value from the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md) (HR 2005 suppression times); refitted with the 18-stage chain, it sits near its upper bound; refitted with the spermatogenesis constants: docs/calibration-spermatogenesis.md", "spermatogenesis", uncertain=True, fitted=True),
    _P("sg_itt_n", 4.0, "1", 1.0, 4.0, "Hill coefficient of ITT support", "assumption; value from the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md); refitted with the 18-stage chain, it sits on its upper bound; refitted with the spermatogenesis constants: docs/calibration-spermatogenesis.md", "spermatogenesis", uncertain=True, fitted=True),
    _P("spermiation_itt_k", 0.15, "x ref ITT", 0.05, 0.5, "ITT (relative) at which half of mature spermatids are released (androgen-dependent spermiation)",
       "spermiation failure is the first lesion of gonadotropin withdrawal; value from the joint fit to the calibration trial specs (typical-man fit, now `hpgsim calibrate`: docs/calibration.md) (HR 2005 suppression times); refitted with the spermatogenesis constants: docs/calibration-spermatogenesis.md; chosen again with germ_withdrawal_loss (0.30 -> 0.15; docs/calibration-germ-cell-loss.md): once elongating spermatids are lost as ITT falls, spermiation need not fail abruptly for sperm to fall on testosterone", "spermatogenesis", uncertain=True, fitted=True),
    _P("spermiation_itt_n", 3.0, "1", 1.0, 4.0, "Hill coefficient of spermiation", "assumption: spermiation fails once ITT falls to a fraction of normal (the first lesion of gonadotropin withdrawal); value from the fit of the germ-cell chain to HR 2005 (calibration set); refitted with the spermatogenesis constants: docs/calibration-spermatogenesis.md; chosen again with germ_withdrawal_loss (3.97 -> 3; docs/calibration-germ-cell-loss.md)", "spermatogenesis", uncertain=True, fitted=True),
    _P("germ_withdrawal_loss", 0.15, "1/day", 0.0, 0.3, "largest rate at which elongating spermatids (the last third of the germ-cell chain) are lost when ITT falls; it scales with the failed share of spermiation (1 - spermiation drive), so it is about zero at a normal ITT",
       "Zhengwei Y et al. J Clin Endocrinol Metab 1998;83:1284-91 (testicular biopsies after 19-24 weeks of TE 200 mg weekly: type B spermatogonia at 10 % of normal and spermatocytes and round spermatids at 11-18 %, tracking their input, but elongated spermatids at 1.4-20 %: 'the release and/or survival of elongated spermatids during transit' is also affected); Sinha Hikim AP, Swerdloff RS. Rev Reprod 1999;4:38-47 (withdrawal of gonadotrophins and testosterone accelerates germ-cell death, by apoptosis). With it the chain empties during suppression and not only from its input, so sperm fall steadily rather than at the pace of spermiation failure and then of one full cycle. Zhengwei's elongated spermatids at about a third of the round ones (medians near 5 % and 14 %) over the six late stages (about 25 days) with spermiation failed imply about 0.1/day; 0.15 chosen with the spermiation constants on a grid over the calibration set (most endpoints passed, then lowest cost: docs/calibration-germ-cell-loss.md)",
       "spermatogenesis", fitted=True, uncertain=True),
    _P("motility_androgen_exponent", 0.5, "1", 0.0, 1.0, "log-log dependence of progressive motility on androgen-dependent spermiation/maturation",
       "assumption: motility falls with severe androgen withdrawal (epididymal maturation is androgen-dependent)", "spermatogenesis", uncertain=True),
    _P("inhibin_sertoli_only", 0.29, "1", 0.15, 0.5, "share of inhibin B made without germ cells",
       "Sertoli-only/germ-cell failure 73 vs controls 255 pg/mL (Fertil Steril 2000;74:234)", "spermatogenesis"),
    _P("inhibin_fsh_exponent", 0.15, "1", 0.0, 0.5, "log-log stimulation of inhibin B by FSH", "assumption", "spermatogenesis", uncertain=True),
    # ----------------------------------------------------------------- bone and insulin sensitivity
    _P("bone_e2_k", 36.7, "pmol/L", 25.0, 75.0, "E2 at half of the bone-protective signal (10 pg/mL)",
       "Finkelstein JS et al. JCI 2016;126:1114 and MrOS (Fink 2006): bone loss prevented above about 10 pg/mL", "bone"),
    _P("bone_e2_n", 2.0, "1", 1.0, 4.0, "Hill coefficient of the E2 bone signal", "assumption", "bone", uncertain=True),
    _P("bone_t_k", 6.93, "nmol/L", 3.0, 15.0, "total T at half of the androgen bone signal (200 ng/dL)", "Finkelstein 2016 (T threshold 200 ng/dL)", "bone"),
    _P("bone_rate_e2", 0.163, "1/yr", 0.05, 0.6, "fractional spine BMD change per year per unit change of the E2 bone signal",
       "fitted to BB2009 JCEM: -1.7 % on anastrozole vs +0.8 % on placebo in one year (difference -2.5 points)", "bone", fitted=True),
    _P("bone_rate_t", 0.03, "1/yr", 0.0, 0.1, "fractional BMD change per year per unit change of the T bone signal",
       "Finkelstein 2016: bone resorption rose as T fell, much more with aromatase blockade, so the androgen effect is the smaller", "bone", uncertain=True),
    _P("bmd_gain_max", 0.08, "1", 0.04, 0.15, "most spine BMD a rise of the sex-steroid bone signals can add above the man's starting BMD (the remodelling space refilled): gains slow as BMD nears it, losses are not bounded",
       "Snyder PJ et al. JCEM 2000;85:2670 (18 untreated hypogonadal men, 3 years of transdermal T: lumbar spine +7.7 +/- 7.6 %, maximum reached by 24 months); Katznelson L et al. JCEM 1996;81:4358 (TE 100 mg weekly, 18 months: spine +5 +/- 1 %, from 9 % below eugonadal men); Tracz MJ et al. JCEM 2006 meta-analysis (IM testosterone: lumbar +8 %, 95 % CI 4-13). Without the bound, the E2 rate fitted to an aromatase inhibitor's small fall (BB2009) gave a congenitally hypogonadotropic man +45 % in two years of hCG", "bone", uncertain=True),
    _P("bmd_drift_young", 0.004, "1/yr", 0.0, 0.008, "natural spine BMD drift at 30 years or younger",
       "Khosla S et al. JCEM 2001;86:3555 (young men +0.32-0.43 %/yr)", "bone"),
    _P("bmd_drift_old", 0.0082, "1/yr", -0.007, 0.01, "natural PA-spine BMD drift at 70 years or older (linear from 30 y)",
       "fitted to the BB2009 placebo arm (PA spine +0.8 %/yr at about 68 y, calibration set); Khosla 2001 saw forearm -0.5 to -0.66 %/yr and hip 0 in elderly men: sites disagree, and PA-spine gains in old age partly reflect degenerative artefacts", "bone", fitted=True, uncertain=True),
    _P("is_e2_exponent", 0.27, "1", -0.3, 0.5, "log-log effect of E2 on the insulin-sensitivity index",
       "Gibb FW et al. JCEM 2016 clamp: anastrozole E2 -41 %, glucose infusion -14 %, so beta = ln(0.859)/ln(0.587) = 0.28. Lapauw 2010 (letrozole) found the opposite, Dias 2017 and Rubinow 2012 no change: the range spans them", "metabolic", fitted=True),
    _P("is_e2_ratio_span", 4.0, "1", 2.0, 10.0, "largest change of E2 (either way, as a ratio to the man's baseline) over which the power law of is_e2_exponent is applied; beyond it the index is held",
       "assumption: the exponent is measured over E2 ratios of about 0.6-1 (Gibb 2016); without a limit a congenitally hypogonadotropic man whose E2 rises from about 1 to 40 pg/mL on hCG would treble his index, while testosterone treatment of hypogonadal men improves insulin resistance by tens of percent (Kapoor D et al. EJE 2006;154:899: HOMA-IR -1.73 in diabetic hypogonadal men)", "metabolic", uncertain=True),
    _P("is_tau", 1.0, "week", 0.3, 4.0, "time constant of insulin-sensitivity change", "Lapauw 2010 saw a change within 1 week of letrozole", "metabolic", uncertain=True),
    # ----------------------------------------------------------------- age and body size (between-man effects)
    _P("leydig_age_decline", 0.028, "1/yr", 0.0, 0.03, "fractional fall of Leydig capacity per year after 30",
       "fitted with shbg_age_rise to total T 15.4 +/- 5.6 nmol/L and free T 278 +/- 96 pmol/L at 70-89 y (Yeap BB et al. EJE 2007; simulated about 15.8 and 282); free T then falls about 2.0 pmol/L per year at 40-79 y with rising LH, less than EMAS's -3.12 (Wu FCW et al. JCEM 2008;93:2737) because the steep E2 feedback makes up much of the Leydig loss, and total T 0.25 %/yr, between MMAS (-0.8 %/yr cross-sectional, Feldman HA et al. JCEM 2002;87:589) and no fall after 40 (Kelsey TW et al. PLoS One 2014;9:e109346)", "population", fitted=True),
    _P("shbg_age_rise", 0.008, "1/yr", 0.005, 0.03, "fractional rise of SHBG production per year after 30",
       "fitted to SHBG 42.4 +/- 16.7 nmol/L at 70-89 y (Yeap 2007; simulated about 41 +/- 16 with shbg_factor CV 0.28); refitted from 0.010 when the SHBG androgen term was added; serum SHBG then rises about 0.55 %/yr at 40-79 y, less than the MMAS cross-sectional +1.6 %/yr (Feldman 2002): the two sources disagree", "population", fitted=True),
    _P("shbg_bmi_slope", -0.022, "1/(kg/m2)", -0.06, 0.0, "fractional change of SHBG production per BMI unit above 23",
       "fitted to the EMAS total-T differences by BMI class (-2.32 nmol/L at 25-30, -5.09 at >= 30 versus < 25; Wu 2008); -1.1 nmol/L per kg/m2 in a secondary summary would be steeper", "population", fitted=True, uncertain=True),
    _P("gnrh_bmi_suppression", 0.0, "1/(kg/m2)", 0.0, 0.05, "fractional fall of GnRH drive per BMI unit above 25 (central suppression in obesity)",
       "EMAS (Wu 2008): free T -53.7 pmol/L at BMI >= 30 with LH unchanged or lower; the E2 feedback from fat (aromatase_fat_exponent) already lowers free T more than EMAS saw, so no separate central term is needed", "population", uncertain=True),
    _P("aromatase_fat_exponent", 0.6, "1", 0.0, 1.0, "log-log change of peripheral aromatase with body-fat mass",
       "the calibration sources disagree: EMAS free T by BMI class (Wu 2008) wants about 0.2, while the clomiphene response of Helo 2017's obese hypogonadal men (calibration trial) needs 0.6 or more; 0.6 kept (1 = aromatase proportional to fat mass); E2 barely differs across BMI 18-39 (Starka 2020), as simulated", "population", fitted=True, uncertain=True),
    _P("ref_fat_fraction", 0.19, "1", 0.1, 0.3, "body-fat fraction of the reference man (Deurenberg formula at 30 y, BMI 23)",
       "Deurenberg P et al. Br J Nutr 1991;65:105 (BF% = 1.2 BMI + 0.23 age - 10.8 - 5.4)", "population"),
    # ----------------------------------------------------------------- conditions
    # Pre-existing conditions (hpgsim.people.conditions) as changes of a man's individual factors.
    # Effects are given at the condition's typical severity and scaled with the man's own severity
    # where the biology grades it; see docs/model.md and `hpgsim conditions` for the mechanisms.
    _P("obesity_typical_bmi", 35.0, "kg/m2", 30.0, 45.0, "BMI given to a man listed as obese whose own BMI is below 30",
       "WHO class II obesity (35-39.9 kg/m2); assumption: the middle of the obese range seen in andrology clinics", "conditions", uncertain=True),
    _P("ir_reference_homa", 1.0, "1", 0.7, 1.5, "HOMA-IR of an insulin-sensitive man (no effect at or below it)",
       "HOMA is scaled so that normal-weight young adults have HOMA-IR 1 (Matthews DR et al. Diabetologia 1985;28:412)", "conditions"),
    _P("ir_typical_homa", 3.5, "1", 2.5, 8.0, "HOMA-IR of a man listed as insulin resistant without a value",
       "assumption: above the usual cut-offs of 2.5-2.9 for insulin resistance in adults", "conditions", uncertain=True),
    _P("ir_shbg_exponent", 0.25, "1", 0.1, 0.5, "log-log fall of hepatic SHBG production with HOMA-IR",
       "insulin suppresses hepatic SHBG synthesis (Plymate SR et al. JCEM 1988;67:460); low SHBG goes with insulin resistance independent of obesity (Li C et al. Diabetes Care 2010;33:1618, NHANES III men); size is an assumption (typical insulin resistance: SHBG about -25 %)", "conditions", uncertain=True),
    _P("ir_leydig_exponent", 0.15, "1", 0.0, 0.4, "log-log fall of Leydig capacity with HOMA-IR",
       "Pitteloud N et al. JCEM 2005;90:2636: insulin sensitivity correlates with Leydig-cell T secretion (hCG-stimulated T) independent of LH; size is an assumption", "conditions", uncertain=True),
    _P("ir_gnrh_exponent", 0.10, "1", 0.0, 0.3, "log-log fall of hypothalamic GnRH drive with HOMA-IR",
       "hyperinsulinaemia and inflammation blunt kisspeptin-GnRH signalling: men with type 2 diabetes have low free T with inappropriately normal or low LH (Dhindsa S et al. JCEM 2004;89:5462); size is an assumption", "conditions", uncertain=True),
    _P("t2dm_typical_hba1c", 7.5, "%", 6.5, 10.0, "HbA1c of a man listed with type 2 diabetes without a value",
       "assumption: a treated man somewhat above the usual 7 % target (ADA Standards of Care)", "conditions", uncertain=True),
    _P("t2dm_typical_homa", 4.5, "1", 2.5, 8.0, "HOMA-IR assumed with type 2 diabetes when none is given",
       "assumption: insulin resistance typical of type 2 diabetes cohorts (HOMA-IR about 3-6)", "conditions", uncertain=True),
    _P("t2dm_gnrh_per_hba1c", 0.2, "1/%", 0.0, 0.2, "fractional (log) fall of GnRH drive per HbA1c point above 5.7 %, beyond insulin resistance",
       "hypogonadotropic pattern in a third of men with type 2 diabetes (Dhindsa 2004) and 93 % of the hypogonadal ones (Rabijewski M et al. BioMed Res Int 2013, calculated free T 0.315 vs 0.382 nmol/L, -18 %); sized so a typical diabetic man has free T about 18 % below a non-diabetic man of the same age and BMI (simulated -19.5 %) with LH no higher than his (Dhindsa's inappropriately normal LH); at the upper end of its range since the E2 brake was refitted steeper (0.08 before)", "conditions", fitted=True, uncertain=True),
    _P("thyroid_tsh_upper", 4.5, "mIU/L", 4.0, 5.0, "upper reference limit of TSH (no hypothyroid effect at or below it)",
       "common adult reference interval 0.45-4.5 mIU/L (secondary summary; evidence parameters.yaml)", "conditions", uncertain=True),
    _P("thyroid_ft4_lower", 0.8, "ng/dL", 0.7, 1.0, "lower reference limit of free T4", "common adult reference interval 0.8-1.8 ng/dL (10-23 pmol/L); assay-specific", "conditions", uncertain=True),
    _P("thyroid_ft4_upper", 1.8, "ng/dL", 1.5, 2.0, "upper reference limit of free T4", "as thyroid_ft4_lower", "conditions", uncertain=True),
    _P("hypothyroid_typical_tsh", 20.0, "mIU/L", 10.0, 100.0, "TSH of a man listed as hypothyroid without a value (overt primary hypothyroidism)",
       "assumption: overt hypothyroidism (TSH above 10 mIU/L with low free T4)", "conditions", uncertain=True),
    _P("hypothyroid_typical_ft4", 0.5, "ng/dL", 0.2, 0.7, "free T4 matching the typical hypothyroid TSH", "assumption, as hypothyroid_typical_tsh", "conditions", uncertain=True),
    _P("hypothyroid_shbg_factor", 0.6, "1", 0.4, 0.9, "SHBG production at typical hypothyroidism (thyroid hormone drives hepatic SHBG)",
       "SHBG low in myxoedema (Selby C. Ann Clin Biochem 1990;27:532); fold-change not found in the retrieved literature (evidence not_found), so the size is an assumption", "conditions", uncertain=True),
    _P("hypothyroid_pituitary_factor", 0.7, "1", 0.4, 1.0, "LH and FSH output per unit GnRH drive at typical hypothyroidism",
       "hypothyroid men have a reduced LH response to GnRH that improves on T4 (Velazquez EM, Bellabarba Arata G. Arch Androl 1997;38:85); size is an assumption", "conditions", uncertain=True),
    _P("hypothyroid_prolactin_factor", 1.8, "1", 1.0, 3.0, "prolactin multiplier at typical hypothyroidism (TRH stimulates lactotrophs)",
       "mild hyperprolactinaemia is common in overt primary hypothyroidism and resolves with T4 (Krassas GE et al. Endocr Rev 2010;31:702); size is an assumption", "conditions", uncertain=True),
    _P("hypothyroid_motility_factor", 0.75, "1", 0.5, 1.0, "sperm motility at typical hypothyroidism",
       "Krassas GE et al. JCEM 2008;93:1815 (prospective, controlled): hypothyroidism lowers motility and normal morphology, reversed when euthyroid; size is an assumption", "conditions", uncertain=True),
    _P("hyperthyroid_typical_ft4", 3.5, "ng/dL", 2.2, 7.0, "free T4 of a man listed as hyperthyroid without a value",
       "assumption: overt Graves' hyperthyroidism, about twice the upper reference limit", "conditions", uncertain=True),
    _P("hyperthyroid_shbg_factor", 2.5, "1", 1.5, 4.0, "SHBG production at typical hyperthyroidism",
       "SHBG and total T raised, free T unchanged in hyperthyroid men, SHBG rising with the severity of thyrotoxicosis (Ford HC et al. Clin Endocrinol 1992;36:187); fold-change not found (evidence not_found), size is an assumption", "conditions", uncertain=True),
    _P("hyperthyroid_aromatase_factor", 1.5, "1", 1.0, 2.5, "peripheral aromatase activity at typical hyperthyroidism",
       "increased conversion of androgens to estrogens in hyperthyroid men, high E2 and gynaecomastia in 20-40 % (Chopra IJ. Med Clin North Am 1975;59:1109); size is an assumption", "conditions", uncertain=True),
    _P("hyperthyroid_pituitary_factor", 1.6, "1", 1.0, 2.5, "LH and FSH output per unit GnRH drive at typical hyperthyroidism",
       "basal LH 7.8 vs 5.0 IU/L in controls with a hyper-response to GnRH (Abalovich M et al. Thyroid 1999;9:857)", "conditions", uncertain=True),
    _P("hyperthyroid_leydig_factor", 0.8, "1", 0.5, 1.0, "Leydig capacity at typical hyperthyroidism",
       "reduced T response to hCG in hyperthyroid men, reverting when euthyroid (Velazquez & Bellabarba Arata 1997; Abalovich 1999); size is an assumption", "conditions", uncertain=True),
    _P("hyperthyroid_motility_factor", 0.8, "1", 0.5, 1.0, "sperm motility at typical hyperthyroidism",
       "Krassas GE et al. JCEM 2002;87:3667: motility low in hyperthyroid men, improving when euthyroid; size is an assumption", "conditions", uncertain=True),
    _P("hyperprolactinemia_typical_prolactin", 80.0, "ng/mL", 35.0, 400.0, "prolactin of a man listed with hyperprolactinaemia without a value",
       "above the 35 ng/mL (735 mU/L) threshold of severe hyperprolactinaemia, which goes with hypogonadism (Corona G et al. J Sex Med 2007;4:1485); 80 ng/mL is the trial-format example; assumption", "conditions", uncertain=True),
    _P("primary_leydig_capacity", 0.25, "1", 0.05, 0.6, "Leydig capacity in overt primary hypogonadism (multiplies the man's own)",
       "sized so a typical 40-year-old meets the EMAS definition of primary hypogonadism, total T below 10.5 nmol/L with LH above 9.4 IU/L (Tajar A et al. JCEM 2010;95:1810)", "conditions", fitted=True),
    _P("primary_compensated_leydig_capacity", 0.44, "1", 0.2, 0.9, "Leydig capacity in compensated primary hypogonadism",
       "sized so a typical 40-year-old has total T at or above 10.5 nmol/L with LH above 9.4 IU/L, the EMAS compensated pattern (Tajar 2010); 0.42-0.45 meet both", "conditions", fitted=True, uncertain=True),
    _P("primary_spermatogenic_factor", 0.4, "1", 0.1, 0.8, "Sertoli and germ-cell capacity in primary testicular failure (each multiplied)",
       "inhibin B 75 vs 255 pg/mL in controls, about 30 % (Fertil Steril 2000;74:234); sized to that ratio", "conditions", fitted=True, uncertain=True),
    _P("failing_leydig_ec50", 1.5, "x ref LH", 0.5, 5.0, "LH (relative) giving half-maximal secretion of the Leydig cells left in a failing testis",
       "a failing testis already runs near its ceiling: the T response to hCG stimulation is blunted or absent in primary hypogonadism and Klinefelter syndrome, the basis of the hCG test (Bhasin S et al. JCEM 2018;103:1715, Endocrine Society guideline); value is an assumption", "conditions", uncertain=True),
    _P("klinefelter_leydig_capacity", 0.35, "1", 0.1, 0.8, "Leydig capacity in non-mosaic Klinefelter syndrome",
       "sized so a typical 30-year-old sits just below 12 nmol/L (10.6), the level below which treatment starts (Nieschlag E. Dtsch Arztebl 2013), as about half of adults have low T (45 %, Int J Endocrinol 2012;324835), while LH stays above 9.4 IU/L; a capacity putting him at 12 nmol/L would bring LH down to about 8 IU/L", "conditions", fitted=True, uncertain=True),
    _P("klinefelter_sertoli_factor", 0.3, "1", 0.05, 0.6, "Sertoli capacity in Klinefelter syndrome",
       "inhibin B falls to very low or undetectable levels after mid-puberty (Hoest C et al. Asian J Androl 2014); size is an assumption", "conditions", uncertain=True),
    _P("klinefelter_germ_cell_factor", 0.0, "1", 0.0, 0.05, "germ-cell input in non-mosaic Klinefelter syndrome (germ-cell aplasia)",
       "azoospermia in over 90 % (Nieschlag 2013); sperm found at micro-TESE in about half means focal, not ejaculated, spermatogenesis (Fertil Steril 2011, PMID 21295296)", "conditions"),
    _P("klinefelter_mosaic_germ_cell_factor", 0.1, "1", 0.0, 0.5, "germ-cell input in mosaic (46,XY/47,XXY) Klinefelter syndrome",
       "mosaic men may have sperm in the ejaculate; size is an assumption", "conditions", uncertain=True),
    _P("varicocele_germ_cell_loss", 0.12, "1/grade", 0.0, 0.3, "fractional loss of germ-cell input per varicocele grade (heat and oxidative stress)",
       "repair raises sperm concentration by 13.7 M/mL (95 % CI -1.4 to 28.8; adolescent meta-analysis, Asian J Androl, PMC4814973): about a quarter of a typical count at grade 2; the grade slope is an assumption", "conditions", uncertain=True),
    _P("varicocele_motility_loss", 0.05, "1/grade", 0.0, 0.2, "fractional loss of sperm motility per varicocele grade",
       "total motility +2.5 points after repair in adolescents (PMC4814973); progressive motility improves most after repair in infertile men (Agarwal A et al. World J Mens Health 2023;41:289); size is an assumption", "conditions", uncertain=True),
    _P("varicocele_leydig_loss", 0.04, "1/grade", 0.0, 0.15, "fractional loss of Leydig capacity per varicocele grade",
       "varicocele men have higher gonadotropins (Study for Future Families, PMC6819219) and T rises after repair (meta-analyses); size is an assumption", "conditions", uncertain=True),
    _P("chh_gnrh_factor", 0.0, "1", 0.0, 0.1, "GnRH drive in congenital hypogonadotropic hypogonadism",
       "untreated CHH: LH and FSH below about 1 IU/L and testes about 4 mL (Boehm U et al. Nat Rev Endocrinol 2015;11:547)", "conditions"),
    _P("chh_sertoli_factor", 0.05945, "1", 0.05, 0.3, "spermatogenic capacity of the typical man with congenital hypogonadotropic hypogonadism (relative to a normal man's)",
       "mean sperm concentration reached on full gonadotropin or GnRH replacement 4-6 M/mL, about a tenth of normal (Rastrelli G et al. Andrology 2014, meta-analysis; calibration set); fitted with chh_response_sertoli_threshold, which lowers most men below the typical one and spreads them (docs/calibration-chh.md; 0.1 before)", "conditions", fitted=True),
    _P("chh_response_sertoli_threshold", 0.9714, "1", 0.5, 1.5, "the man's own Sertoli factor at which a congenitally hypogonadotropic testis gives half its response to gonadotropins or GnRH (his capacity is chh_sertoli_factor times a Hill function of it, 1 for the typical man)",
       "about a quarter of CHH men make no sperm on gonadotropins or pulsatile GnRH and the poor responders are those with the least developed testes (prepubertal testis volume below 4 mL, cryptorchidism): Rastrelli G et al. Andrology 2014, meta-analysis (calibration set). Fitted with chh_response_steepness and chh_sertoli_factor to its fractions with sperm and mean concentrations and to eje1994's fractions (calibration set; cohort fit of 100 men per arm: docs/calibration-chh.md); the man's Sertoli factor stands for how far his testes developed", "conditions", fitted=True, uncertain=True),
    _P("chh_response_steepness", 12.44, "1", 1.0, 16.0, "Hill coefficient of that threshold: how sharply response is lost below it",
       "fitted with chh_response_sertoli_threshold (docs/calibration-chh.md): response is close to all-or-none (sperm appear or not)", "conditions", fitted=True, uncertain=True),
    _P("functional_gnrh_factor", 0.2, "1", 0.2, 0.8, "GnRH drive in functional secondary hypogonadism (multiplies the man's own)",
       "chosen toward total T about 300 ng/dL in a young man (low T with unraised LH; the AUA's threshold of testosterone deficiency is 300 ng/dL, Mulhall JP et al. J Urol 2018;200:423): the E2 and T feedback makes up much of a lost drive, so even at the low end of its range a lean 30-year-old keeps about 380 ng/dL (0.45, the earlier value, gave about 450 before the E2 brake was refitted steeper and 470 after)", "conditions", uncertain=True),
    # ----------------------------------------------------------------- individual factors (1 = reference man)
    _P("leydig_capacity", 1.0, "1", 0.05, 2.0, "this man's Leydig secretory capacity", "individual; set from age and labs", "individual"),
    _P("aromatase_factor", 1.0, "1", 0.3, 4.0, "this man's peripheral aromatase activity relative to the reference fat mass", "individual; set from BMI and labs", "individual"),
    _P("shbg_factor", 1.0, "1", 0.2, 4.0, "this man's hepatic SHBG production", "individual; set from age, BMI and labs", "individual"),
    _P("gnrh_factor", 1.0, "1", 0.0, 2.0, "this man's hypothalamic GnRH drive (0 = GnRH deficiency)", "individual; set from BMI and labs", "individual"),
    _P("lh_factor", 1.0, "1", 0.2, 5.0, "this man's pituitary LH output per unit drive", "individual; set from labs", "individual"),
    _P("fsh_factor", 1.0, "1", 0.2, 5.0, "this man's pituitary FSH output per unit drive", "individual; set from labs", "individual"),
    _P("sertoli_factor", 1.0, "1", 0.0, 3.0, "this man's spermatogenic capacity (Sertoli number and germ-cell pool)", "individual; set from labs", "individual"),
    _P("germ_cell_factor", 1.0, "1", 0.0, 1.5, "this man's germ-cell (spermatogonial) input; 0 = germ-cell aplasia", "individual; set from conditions and labs", "individual"),
    _P("motility_factor", 1.0, "1", 0.1, 1.5, "this man's sperm motility relative to the reference", "individual; set from conditions and labs", "individual"),
    _P("sperm_yield_factor", 1.0, "1", 0.05, 4.0, "this man's sperm output per unit of Sertoli and germ-cell function (survival through meiosis and spermiogenesis); leaves inhibin B unchanged",
       "individual; spread from the population (people/population.py)", "individual"),
    _P("semen_volume_factor", 1.0, "1", 0.2, 3.0, "this man's ejaculate volume relative to the reference man's; dilutes sperm concentration, not sperm count",
       "individual; spread from the population (people/population.py)", "individual"),
    # his own clearance of a drug: CL = ke V, so his exposure to a dose (AUC) is 1 / factor of the
    # typical man's; the spread between men is in people/population.py (PK_VARIATION)
    *(_P(f"{drug}_clearance_factor", 1.0, "1", 0.25, 4.0, f"this man's apparent clearance of {label} relative to the typical man's",
         "individual; spread from the population (people/population.py, PK_VARIATION)", "individual")
      for drug, label in (("anastrozole", "anastrozole"), ("tamoxifen", "tamoxifen"), ("hcg", "hCG"), ("fsh", "FSH"))),
    _P("prolactin", 8.0, "ng/mL", 1.0, 5000.0, "this man's serum prolactin", "individual; measured or reference", "individual"),
    _P("age", 30.0, "year", 18.0, 100.0, "age", "individual", "individual"),
    _P("bmi", 23.0, "kg/m2", 15.0, 70.0, "body-mass index (kept so conditions and reports can read it)", "individual", "individual"),
)



def _adopted(table: tuple[Param, ...]) -> tuple[Param, ...]:
    """The table with the values of calibrated.yaml (written by ``hpgsim calibrate --adopt`` when a fit
    also improved the validation set) in place of the literature values, so docs/model.md shows them."""
    from dataclasses import replace
    from pathlib import Path

    path = Path(__file__).with_name("calibrated.yaml")
    if not path.exists():
        return table
    import yaml

    values = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("values", {})
    return tuple(replace(p, value=float(values[p.name]), fitted=True,
                         source=f"{p.source}; value adopted from the joint calibration (docs/calibration.md)")
                 if p.name in values else p for p in table)


LITERATURE_VALUES: dict[str, float] = {p.name: p.value for p in PARAMETERS}   # before any adopted calibration
PARAMETERS = _adopted(PARAMETERS)
INDEX: dict[str, int] = {p.name: i for i, p in enumerate(PARAMETERS)}
BY_NAME: dict[str, Param] = {p.name: p for p in PARAMETERS}

# Slots after the table hold quantities derived from a man's own steady state (his baseline),
# which the slow outputs (bone, insulin sensitivity) measure change against.
DERIVED = (
    # from the table alone (reference man), filled by complete():
    "ref_free_t", "ref_bio_t", "ref_free_e2", "t_prod_nmol_h", "t_clearance_bio_l_h", "e2_prod_pmol_h", "e2_clearance_l_h",
    # from this man's own steady state, filled by the steady-state step:
    "baseline_e2", "baseline_bone_e2_signal", "baseline_bone_t_signal", "bmd_drift",
)
for _k, _name in enumerate(DERIVED):
    INDEX[_name] = len(PARAMETERS) + _k
N_PARAMS = len(PARAMETERS) + len(DERIVED)


T_MOLAR_MASS = 288.42   # g/mol
E2_MOLAR_MASS = 272.38  # g/mol
ALBUMIN_MOLAR_MASS = 69000.0  # g/mol, as in the ISSAM implementation of Vermeulen 1999


def complete(p: np.ndarray) -> np.ndarray:
    """Fill the reference-derived slots of ``p`` (in place) and return it.

    Production and clearance are derived so that the reference man is at steady state at the
    ``ref_*`` anchors: T clearance acts on bioavailable (non-SHBG-bound) T, which is why a man
    with low SHBG has low total but normal free T at the same production.
    """
    from .binding import free_t_vermeulen, free_e2

    g = lambda name: p[INDEX[name]]  # noqa: E731
    alb_mol = g("albumin") / ALBUMIN_MOLAR_MASS
    n_alb = 1.0 + g("k_alb_t") * alb_mol
    ft = free_t_vermeulen(g("ref_total_t"), g("ref_shbg"), g("k_shbg_t") * 1e-9, n_alb)
    p[INDEX["ref_free_t"]] = ft
    p[INDEX["ref_bio_t"]] = ft * n_alb
    p[INDEX["ref_free_e2"]] = free_e2(g("ref_e2"), g("ref_shbg"), ft, g("k_shbg_t") * 1e-9,
                                       g("k_shbg_e2") * 1e-9, 1.0 + g("k_alb_e2") * alb_mol)
    t_prod = g("t_production") * 1e6 / T_MOLAR_MASS / 24.0          # mg/day -> nmol/h
    p[INDEX["t_prod_nmol_h"]] = t_prod
    p[INDEX["t_clearance_bio_l_h"]] = t_prod / (ft * n_alb)
    e2_prod = g("e2_production") * 1e6 / E2_MOLAR_MASS / 24.0        # ug/day -> pmol/h
    p[INDEX["e2_prod_pmol_h"]] = e2_prod
    p[INDEX["e2_clearance_l_h"]] = e2_prod / g("ref_e2")
    return p


# Values in force for the current run in place of the table's, by row name; set only through
# hpgsim.calibration.ParameterSet.applied() (calibration and sensitivity runs).
OVERRIDES: dict[str, float] = {}


def default_vector() -> np.ndarray:
    """The reference man's parameter vector, reference-derived slots filled."""
    v = np.zeros(N_PARAMS)
    for i, p in enumerate(PARAMETERS):
        v[i] = OVERRIDES.get(p.name, p.value)
    v[INDEX["baseline_e2"]] = v[INDEX["ref_e2"]]
    return complete(v)
