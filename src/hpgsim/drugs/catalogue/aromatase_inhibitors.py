"""The drug records. Each number carries its source; docs/model.md lists them.

Anastrozole in men: the same E2 fall from a quarter of the exposure. In Leder 2004 (calibration
set) 1 mg daily and 1 mg twice weekly lowered E2 alike (-35 % and -37 %) while T rose more on
daily dosing (+67 % against +31 %), and across trials 1 mg daily lowers men's E2 by only 20-41 %
(Leder 2004, Burnett-Bowie 2009, Gibb 2016) where it blocks 96.7 % of whole-body aromatisation in
postmenopausal women (Geisler 1996, which with the steady-state concentration below implies an
EC50 near 0.9 ng/mL). A single-site Emax model reproduces both only if the block of men's
aromatase is potent (EC50 of the order of the women's value) but saturates below complete: the
record carries that maximal block (``emax``) and EC50, fitted jointly to the calibration set
(docs/calibration-anastrozole-plateau.md; with the hypothalamic feedback,
docs/calibration-ai-feedback.md). The incomplete block in men is known: third-generation
inhibitors lower men's E2/T ratio by about 77 % (review: Reprod Biol Endocrinol 2011;9:93), where
they block 97-99 % of aromatisation in women. Why is not settled: the review suggests the testis,
where testosterone outnumbers the inhibitor far more than in fat and muscle, but with the testis
suppressed and testosterone given the ratio still fell only 81 %. Doses above 1 mg daily are
therefore predicted to lower E2 no further, a prediction no calibration study tests. The former representation, complete block with an EC50 of
13.7 ng/mL, made 1 mg twice weekly lower E2 by 7 %.
"""

from __future__ import annotations

import math

from ..records import DrugRecord, Source, register

_LN2 = math.log(2.0)

ANASTROZOLE_HALF_LIFE_H = 46.8   # Mauras N et al. JCEM 2009;94:2975 (label: about 50 h)
ANASTROZOLE_CL_F_L_H = 1.54      # Mauras 2009, apparent clearance CL/F
ANASTROZOLE_F = 0.85             # secondary source (medlabglobal), uncertain
ANASTROZOLE_KA_PER_H = 2.6       # gives tmax = ln(ka/ke)/(ka-ke) = 2.0 h (label, fasting)
# fitted jointly to the male calibration set (docs/calibration-anastrozole-plateau.md; earlier
# fits with a complete block: docs/calibration.md, calibration-feedback.md, calibration-brain-aromatase.md)
# refitted jointly with the hypothalamic feedback: docs/calibration-ai-feedback.md
ANASTROZOLE_EC50_MEN = 1.280     # ng/mL
ANASTROZOLE_EMAX_MEN = 0.6887    # largest fraction of men's aromatisation anastrozole blocks
# Unbound brain over unbound plasma level, for the block of brain aromatase (the hypothalamic
# estrogen signal, model.hypothalamic_e2_signal). Not measured in humans for anastrozole; fitted
# to the calibration set (docs/calibration-brain-aromatase.md), where it went to the low end of
# its range: 1 mg daily raises LH less per unit fall of serum E2 than letrozole does, as if it
# barely reached brain aromatase.
ANASTROZOLE_CNS_ACCESS = 0.02003
ANASTROZOLE_EC50_WOMEN = 0.9     # ng/mL, implied by Geisler J et al. Br J Cancer 1996 (96.7 % at 1 mg)

register(DrugRecord(
    name="anastrozole",
    drug_class="non-steroidal aromatase inhibitor (reversible)",
    route="oral",
    dose_unit="ug",
    molar_mass_g_mol=293.37,   # C17H19N5, from standard atomic weights
    max_single_dose=10_000.0,    # 10 mg, the highest dose studied (Geisler 1996)
    bioavailability=ANASTROZOLE_F,
    ka_per_h=ANASTROZOLE_KA_PER_H,
    ke_per_h=_LN2 / ANASTROZOLE_HALF_LIFE_H,
    # V = F * (CL/F) / ke so that CL/F is Mauras' 1.54 L/h: V/F = 104 L, V = 88 L
    volume_l=ANASTROZOLE_F * ANASTROZOLE_CL_F_L_H * ANASTROZOLE_HALF_LIFE_H / _LN2,
    channel="aromatase_inhibition",
    emax=ANASTROZOLE_EMAX_MEN,
    ec50_ng_ml=ANASTROZOLE_EC50_MEN,
    hill=1.0,
    cns_access=ANASTROZOLE_CNS_ACCESS,
    mechanism="competitive, reversible inhibition of aromatase (CYP19A1) in testis and adipose tissue",
    sources=(
        Source("Mauras N et al. J Clin Endocrinol Metab 2009;94:2975 (t1/2 46.8 h, CL/F 1.54 L/h, tmax 1 h)", "https://www.pubmed.gov/19470631/"),
        Source("ARIMIDEX label (t1/2 about 50 h, tmax 2 h fasting, steady state by day 7)", "https://dailymed.nlm.nih.gov/dailymed/archives/fdaDrugInfo.cfm?archiveid=5257"),
        Source("Geisler J et al. Br J Cancer 1996 (96.7 % in-vivo aromatase inhibition at 1 mg in women)", "http://linkedlifedata.com/resource/pubmed-article/8883419?generic=true"),
        Source("Aromatase inhibitors in men: effects and therapeutic options. Reprod Biol Endocrinol 2011;9:93 (review: in men third-generation inhibitors lower the E2/T ratio by about 77 %, 81 % with the testis suppressed and T given)",
               "http://www.rbej.com/content/9/1/93"),
        Source("Leder BZ et al. JCEM 2004;89:1174 (1 mg daily and 1 mg twice weekly: E2 -35 % and -37 %, T +67 % and +31 %); Burnett-Bowie SM et al. Clin Endocrinol 2009;70:116; Gibb FW et al. JCEM 2016;101:2040 (male EC50 and maximal block, fitted)", "https://www.ncbi.nlm.nih.gov/pubmed/15001605"),
    ),
    notes=f"In men the block saturates at {ANASTROZOLE_EMAX_MEN:.0%} of aromatisation with an EC50 of {ANASTROZOLE_EC50_MEN} ng/mL "
          f"(both fitted: 1 mg twice weekly lowers E2 as much as 1 mg daily, Leder 2004); in postmenopausal women the block is "
          f"96.7 % at 1 mg, an EC50 near {ANASTROZOLE_EC50_WOMEN} ng/mL. "
          f"Brain access (unbound brain/plasma) {ANASTROZOLE_CNS_ACCESS:g}, fitted (the low end of its range): not measured in humans.",
    usual_regimen="anastrozole 1 mg daily",
    usual_weeks=12.0,
))

register(DrugRecord(
    name="placebo",
    drug_class="placebo",
    route="oral",
    dose_unit="mg",
    max_single_dose=1e6,
    bioavailability=1.0,
    ka_per_h=1.0,
    ke_per_h=1.0,
    volume_l=1.0,
    channel="aromatase_inhibition",
    emax=0.0,
    ec50_ng_ml=1.0,
    mechanism="none (control arm)",
))

LETROZOLE_HALF_LIFE_H = 48.0      # Femara label: terminal half-life about 2 days
LETROZOLE_VSS_L = 1.87 * 75.0     # Femara label: Vss about 1.87 L/kg, for a 75 kg man
# Unbound brain over unbound plasma level (brain aromatase block): 0.3-0.98 in rats by intracerebral
# microdialysis, "permeability across the blood-brain barrier is high" (Dave N et al. 2013);
# fitted with the EC50 to T'Sjoen 2005 (`hpgsim calibrate --specs` with that study alone), at the
# top of that range: letrozole reaches brain aromatase as freely as plasma aromatase.
LETROZOLE_CNS_ACCESS = 1.0
LETROZOLE_KA_PER_H = 1.5          # rapidly and completely absorbed (label); tmax about 2 h
# Letrozole in men, as anastrozole: a potent block that saturates. Once weekly (2.5 mg, a trough
# of about 1.7 ng/mL) holds E2 and T steady through the week in obese men (Loves 2008), and 2.5 mg
# weekly, 7.5-17.5 mg weekly and 2.5 mg daily lower men's E2 about alike (-53 %, -42 %, -46 %:
# Loves 2008, de Boer 2005, T'Sjoen 2005); in postmenopausal women 0.1 mg daily (about 2 ng/mL)
# already suppresses estrogens by more than 90 % (Lipton 1995). The EC50 is therefore set from
# those (0.2 ng/mL: 90 % of the maximal block at the weekly trough), and the maximal block in men
# is fitted to T'Sjoen 2005 (docs/calibration-letrozole-plateau.md; refitted jointly with the
# hypothalamic feedback, docs/calibration-ai-feedback.md). The former record, a complete
# block with an EC50 of 5.25 ng/mL fitted to daily dosing alone, made 2.5 mg once weekly lower E2
# by 6 % and raise T by 18 % (observed -53 % and +232 %).
LETROZOLE_EC50_MEN = 0.2         # ng/mL
LETROZOLE_EMAX_MEN = 0.8875      # fitted: largest fraction of men's aromatisation letrozole blocks

register(DrugRecord(
    name="letrozole",
    drug_class="non-steroidal aromatase inhibitor (reversible, more potent than anastrozole)",
    route="oral",
    dose_unit="ug",
    molar_mass_g_mol=285.31,   # C17H11N5, from standard atomic weights
    max_single_dose=20_000.0,
    bioavailability=0.999,        # label: 99.9 % (weak secondary source; label says completely absorbed)
    ka_per_h=LETROZOLE_KA_PER_H,
    ke_per_h=_LN2 / LETROZOLE_HALF_LIFE_H,
    volume_l=LETROZOLE_VSS_L,
    channel="aromatase_inhibition",
    emax=LETROZOLE_EMAX_MEN,
    ec50_ng_ml=LETROZOLE_EC50_MEN,
    hill=1.0,
    cns_access=LETROZOLE_CNS_ACCESS,
    mechanism="competitive, reversible inhibition of aromatase",
    sources=(
        Source("FEMARA label (t1/2 about 2 days, Vss 1.87 L/kg, complete absorption)", "https://www.drugs.com/pro/femara.html"),
        Source("Dave N, Gudelsky GA, Desai PB. Cancer Chemother Pharmacol 2013;72:349 (rat brain ECF/plasma unbound AUC 0.3-0.98)",
               "https://www.springermedizin.de/the-pharmacokinetics-of-letrozole-in-brain-and-brain-tumor-in-ra/8293090"),
        Source("Biegon A et al. Synapse 2010;64:801 ([11C]vorozole PET: brain aromatase in thalamus, amygdala, preoptic area; blocked by letrozole 2.5 mg)",
               "https://pubmed.ncbi.nlm.nih.gov/20842717/"),
        Source("T'Sjoen GG et al. JCEM 2005 (2.5 mg daily 28 d in young men: E2 -46 %, LH +339 %, T +146 %; maximal block fitted)",
               "https://support.simpatra.com/support/solutions/articles/9000110577-comparative-assessment-in-young-and-elderly-men-of-the-gonadotropin-response-to-aromatase-inhibition"),
        Source("Aromatase inhibitors in men: effects and therapeutic options. Reprod Biol Endocrinol 2011;9:93 (review: in men third-generation inhibitors lower the E2/T ratio by about 77 %, 81 % with the testis suppressed and T given)",
               "http://www.rbej.com/content/9/1/93"),
        Source("Lipton A et al. Cancer 1995;75:2132 (postmenopausal women, 0.1-5 mg daily: more than 90 % suppression of plasma and urinary estrogens at every dose)",
               "https://pure.psu.edu/en/publications/letrozole-cgs-20267-a-phase-i-study-of-a-new-potent-oral-aromatas"),
        Source("Loves S, Ruinemans-Koerts J, de Boer H. Letrozole once a week normalizes serum testosterone in obesity-related male hypogonadism. Eur J Endocrinol 2008;158:741-7 (pilot, 12 severely obese men, 2.5 mg once weekly for 6 months: E2 123 -> 58 pmol/L, LH 4.4 -> 11.1 U/L, T 5.9 -> 19.6 nmol/L at 6 weeks, stable through the week)",
               "https://doi.org/10.1530/EJE-07-0663"),
        Source("de Boer H et al. Diabetes Obes Metab 2005;7:211 (10 severely obese men, 7.5-17.5 mg weekly for 6 weeks: E2 120 -> 70 pmol/L, LH 4.5 -> 14.8 U/L, T 7.5 -> 23.8 nmol/L)",
               "https://scilit.com/publications/673b6b6f39ce7257d35b3f7234318bc6"),
    ),
    notes=f"In men the block saturates at {LETROZOLE_EMAX_MEN:.0%} of aromatisation (fitted to T'Sjoen 2005) with an EC50 of "
          f"{LETROZOLE_EC50_MEN} ng/mL (postmenopausal women and once-weekly dosing in obese men). "
          f"Brain access (unbound brain/plasma) {LETROZOLE_CNS_ACCESS:g}, fitted with the EC50 to T'Sjoen 2005 at the top of "
          "0.3-0.98 measured in rats by intracerebral microdialysis (Dave 2013); 2.5 mg blocks brain aromatase in men and "
          "women (Biegon 2010, PET).",
    usual_regimen="letrozole 2.5 mg daily",
    usual_weeks=4.0,
))

# Exemestane is a steroidal "suicide" substrate: it binds aromatase and inactivates it for good,
# so activity returns only as the enzyme is resynthesised (physiology parameter
# aromatase_resynthesis_half_life). Its record therefore acts on the inactivation-rate channel,
# an Emax curve whose maximum is the fastest inactivation rate.
EXEMESTANE_HALF_LIFE_H = 8.9      # Mauras N et al. JCEM 2003;88:5951, young men, 25 mg single dose
EXEMESTANE_KA_PER_H = 4.0         # gives tmax = 1.0 h (Mauras 2003)
EXEMESTANE_F = 0.60               # label-derived monograph value (uncertain)
EXEMESTANE_V_F_L = 1400.0         # apparent V/F, chosen so Cmax after 25 mg is about 17 ng/mL (label-scale Cmax; uncertain)
EXEMESTANE_EC50 = 8.0             # ng/mL: KI of aromatase inactivation about 26 nM (x 296.4 g/mol = 7.7 ng/mL), in-vitro, uncertain
EXEMESTANE_KMAX_PER_H = 0.5131      # 1/h, fitted to Mauras 2003 25 mg (calibration set); refit: docs/calibration-feedback.md
# Its major metabolite, 17-hydroxyexemestane, is an androgen: it binds the androgen receptor strongly
# and acts through it at low nanomolar levels (Ariazi 2007; major metabolite in vivo: Landry 2014).
# Formed in proportion to the parent, it adds androgen-receptor signal to the hypothalamic T brake:
# x reference free T per ng/mL of exemestane, fitted to Mauras 2003 25 mg (calibration set):
# docs/calibration-exemestane-androgen.md
EXEMESTANE_ANDROGEN_PER_NG_ML = 0.1462

register(DrugRecord(
    name="exemestane",
    drug_class="steroidal aromatase inactivator (irreversible)",
    route="oral",
    dose_unit="ug",
    molar_mass_g_mol=296.41,   # C20H24O2, from standard atomic weights
    max_single_dose=200_000.0,    # 200 mg single doses studied in phase I (label)
    bioavailability=EXEMESTANE_F,
    ka_per_h=EXEMESTANE_KA_PER_H,
    ke_per_h=_LN2 / EXEMESTANE_HALF_LIFE_H,
    volume_l=EXEMESTANE_F * EXEMESTANE_V_F_L,
    channel="aromatase_inactivation",
    emax=EXEMESTANE_KMAX_PER_H,
    ec50_ng_ml=EXEMESTANE_EC50,
    hill=1.0,
    androgen_per_level=EXEMESTANE_ANDROGEN_PER_NG_ML,
    mechanism="irreversible (mechanism-based) inactivation of aromatase; activity returns only by enzyme resynthesis; "
              "its metabolite 17-hydroxyexemestane is an androgen",
    sources=(
        Source("Mauras N et al. JCEM 2003;88:5951 (young men: t1/2 8.9 h, tmax 1 h; 25 mg/d x10 d: E2 -38 %, T +60 %; max E2 suppression 62 % at 12 h)",
               "https://www.scribd.com/document/564002863/Estudo-Exemestano"),
        Source("AROMASIN label (25 mg daily after a meal; irreversible steroidal inactivator)", "https://dailymed.nlm.nih.gov/dailymed/fda/fdaDrugXsl.cfm?setid=15e11379-e681-4f2b-bdd6-dbbe56e563b0"),
        Source("Ariazi EA et al. Mol Cancer Ther 2007;6:2817 (17-hydroxyexemestane binds the androgen receptor strongly and acts through it at low nanomolar levels)",
               "https://mdanderson.elsevierpure.com/en/publications/exemestanes-17-hydroxylated-metabolite-exerts-biological-effects-"),
        Source("Landry KK et al. J Drug Metab Toxicol 2014;5:171 (17-hydroxyexemestane is the major metabolite of exemestane in vivo)",
               "https://longdom.org/open-access/17hydroexemestane-a-potent-inhibitor-of-cyp19-aromatase-and-substrate-of-cyp3a-21703.html"),
    ),
    notes="The inactivation rate at saturation is fitted to Mauras 2003 (25 mg); the aromatase resynthesis half-time "
          "is a physiology parameter with no direct measurement. Its androgenic metabolite adds "
          f"{EXEMESTANE_ANDROGEN_PER_NG_ML:g} x reference free T per ng/mL of exemestane to the hypothalamic androgen "
          "brake (formed in proportion to the parent; potency fitted to Mauras 2003, 25 mg, plausible 0-1).",
    usual_regimen="exemestane 25 mg daily",
    usual_weeks=4.0,
))
