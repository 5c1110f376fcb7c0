"""Gonadotropins and GnRH: hCG (LH-receptor agonist), FSH, and gonadorelin.

hCG and FSH are dosed in IU and their plasma concentration is in IU/L (amount / V); they act as
LH- or FSH-equivalents at the testis, added to the man's own LH or FSH: FSH linearly (channel
value = potency x concentration), hCG through a saturable occupancy of the LH receptor (an Emax
curve), since the testis answers a large dose no more than a moderate one. Gonadorelin occupies
the pituitary GnRH receptor (an Emax curve); whether it stimulates or shuts down LH release
depends on how it is given, which the physiology decides (pulses every 90-120 min keep the
receptor responsive, continuous exposure desensitises it), not the record.
"""

from __future__ import annotations

import math

from ..records import DrugRecord, Source, register

_LN2 = math.log(2.0)

# --------------------------------------------------------------------------- hCG
HCG_HALF_LIFE_H = 30.0      # terminal t1/2: recombinant hCG 30 h (Ovitrelle SmPC); urinary IM beta phase 27-34 h
# Apparent volume: serum hCG 24 h after 5000 IU was about 142 IU/L IM and 172 IU/L SC (women;
# urinary hCG SmPC), which this chain reproduces with V about 12 L (Ovitrelle's Vss is 5.2 L
# for the recombinant; the urinary product's larger apparent volume is used, as men get it).
HCG_V_L = 12.0
HCG_F_SC = 0.6              # SC: recombinant 0.40 (Ovitrelle SmPC); urinary SC about 35 % below IM (Swiss SmPC)
HCG_KA_SC = 0.15            # 1/h: tmax about 15 h SC (urinary hCG SmPC: 12-18 h)
HCG_F_IM = 0.75
HCG_KA_IM = 0.3             # 1/h: tmax about 9 h IM (SmPC: 9-12 h)
# LH-receptor occupancy by hCG saturates: serum T peaks at 2.4 +/- 0.3 times baseline 72-96 h
# after 6000 IU IM and no higher when two IV injections give 5-8 times the hCG level ("Kinetics of
# hCG-induced steroidogenic response of the human testis. I. Plasma testosterone", JCEM 1979), and
# daily 1500 IU for 3 days gives the same T as one injection ("Leydig cell responsiveness to
# single and repeated hCG administration", JCEM 1979). Before, hCG acted linearly (0.246
# LH-equivalents per IU/L, fitted to Coviello 2005) and 5000 IU took a normal man's T to 3.9
# times baseline. The maximal LH-equivalent and the half-saturating level are fitted to Coviello
# 2005 (calibration set; its flat dose-response, -25/-7/+26 % ITT over a fourfold dose range,
# itself says saturation): from 8.8 and 36 IU/L (2.2 x reference LH; the old slope at low levels)
# to 5.9 and 7.6 IU/L at 100 men per arm, and all three hCG arms pass
# (docs/calibration-hcg-saturation.md). The fitted ceiling is a testis after three weeks of
# testosterone suppression: in a normal man it gives T 1.6 times baseline after 5000-6000 IU,
# short of the 2.4 measured (Leydig cells that regress without LH, and so answer hCG less, are
# not modelled).
HCG_LH_MAX = 5.893          # IU/L of LH-equivalent at full occupancy
HCG_EC50 = 7.563            # IU/L of hCG at half occupancy

register(DrugRecord(
    name="hcg",
    drug_class="gonadotropin (LH/CG-receptor agonist)",
    route="sc",
    dose_unit="IU",
    max_single_dose=20_000.0,
    bioavailability=HCG_F_SC,
    ka_per_h=HCG_KA_SC,
    ke_per_h=_LN2 / HCG_HALF_LIFE_H,
    volume_l=HCG_V_L,
    channel="lh_receptor_agonism",
    emax=HCG_LH_MAX,
    ec50_ng_ml=HCG_EC50,
    effect="emax",
    other_routes=(("im", HCG_F_IM, HCG_KA_IM),),
    mechanism="stimulates Leydig-cell LH receptors directly, so testicular (and serum) T is made without pituitary LH",
    sources=(
        Source("Urinary hCG SmPC, Swiss Fachinformation (tmax IM 9-12 h, SC 12-18 h; t1/2 SC 33-43 h; SC about 35 % lower than IM)",
               "https://ch.oddb.org:443/de/gcc/fachinfo/reg/33001/chapter/kinetic"),
        Source("Ovitrelle (choriogonadotropin alfa) SmPC, Swiss Fachinformation (t1/2 30 h, F SC 0.40, Vss 5.2 L)",
               "https://ch.oddb.org:443/de/gcc/fachinfo/reg/55535/chapter/kinetic"),
        Source("Coviello AD et al. JCEM 2005;90:2595 (hCG 125-500 IU SC every other day under TE: ITT -25/-7/+26 %; potency fitted)",
               "https://www.ironmagazineforums.com/goto/post?id=2786105"),
        Source("Kinetics of hCG-induced steroidogenic response of the human testis. I. Plasma testosterone. JCEM 1979 "
               "(6000 IU hCG: T 2.4-fold at 72-96 h, 2.2-fold when IV injections give 5-8 times the hCG level)",
               "https://scilit.net/publications/d6480223af46105f03a8ced3924bc7c5"),
        Source("Leydig cell responsiveness to single and repeated hCG administration. JCEM 1979 (1500 IU hCG once or "
               "daily for 3 days: the same T at 72 h, 1315 and 1342 ng/dL)",
               "https://scilit.net/publications/f88e906dc1759843045c70b65ad020fd"),
    ),
    notes="Maximal LH-equivalent and half-saturating level are fitted; SC is the default route, IM via route: im.",
    usual_regimen="hcg 2000 IU three times weekly",
    usual_weeks=12.0,
))

# --------------------------------------------------------------------------- FSH
FSH_HALF_LIFE_H = 37.0      # follitropin alfa SC terminal t1/2 about 24-40 h (GONAL-f label)
FSH_V_L = 10.0              # Vss about 10 L (GONAL-f label)
FSH_F_SC = 0.70             # absolute SC bioavailability about 66-70 % (GONAL-f label)
FSH_KA_SC = 0.2             # 1/h: tmax about 12-16 h after SC injection

register(DrugRecord(
    name="fsh",
    drug_class="gonadotropin (FSH-receptor agonist; recombinant or urinary)",
    route="sc",
    dose_unit="IU",
    max_single_dose=1_000.0,
    bioavailability=FSH_F_SC,
    ka_per_h=FSH_KA_SC,
    ke_per_h=_LN2 / FSH_HALF_LIFE_H,
    volume_l=FSH_V_L,
    channel="fsh_receptor_agonism",
    emax=1.0,                 # IU are bioactivity units: one IU/L of FSH is one IU/L of FSH
    ec50_ng_ml=1.0,
    effect="linear",
    other_routes=(("im", 0.75, 0.15),),
    mechanism="stimulates Sertoli-cell FSH receptors (spermatogenesis, inhibin B)",
    sources=(
        Source("GONAL-f (follitropin alfa) label: SC F about 70 %, terminal t1/2 24-40 h, Vss about 10 L",
               "https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=gonal-f"),
        Source("Bio- and immuno-activity of FSH after IM urinary hFSH in normal men (t1/2 24.6-36.2 h immuno)",
               "https://scilit.com/publications/31a3243ed2b516e6fca3e95bd6065bdf"),
    ),
    usual_regimen="fsh 150 IU three times weekly",
    usual_weeks=26.0,
))

# --------------------------------------------------------------------------- gonadorelin
GONADORELIN_HALF_LIFE_MIN = 4.0     # plasma t1/2 under 10 min (Swiss SmPC); distribution phase 2-10 min
GONADORELIN_V_L = 15.0              # about extracellular water (peptide); uncertain
GONADORELIN_KA_SC = 3.0             # 1/h: SC pulses peak about 10-15 min after injection (assumption)
# Occupancy EC50 at the pituitary, in peripheral plasma: IV pulses of 25-100 ng/kg (2-7 ug) give
# physiological LH pulses in GnRH-deficient men, so half-occupancy lies near the peak of such a
# pulse (about 0.1-0.5 ng/mL); not fitted (the pump studies report fractions of men with sperm,
# which a typical-man fit cannot use).
GONADORELIN_EC50 = 0.3

register(DrugRecord(
    name="gonadorelin",
    drug_class="GnRH (gonadotropin-releasing hormone)",
    route="sc",
    dose_unit="ug",
    molar_mass_g_mol=1182.31,   # GnRH decapeptide C55H75N17O13, from standard atomic weights
    max_single_dose=1_000.0,
    bioavailability=1.0,
    ka_per_h=GONADORELIN_KA_SC,
    ke_per_h=_LN2 / (GONADORELIN_HALF_LIFE_MIN / 60.0),
    volume_l=GONADORELIN_V_L,
    channel="gnrh_receptor_agonism",
    emax=1.0,
    ec50_ng_ml=GONADORELIN_EC50,
    other_routes=(("iv", 1.0, 1.0),),
    mechanism="occupies pituitary GnRH receptors: pulses every 90-120 min drive LH and FSH, continuous exposure desensitises",
    sources=(
        Source("Gonadorelin SmPC, Swiss Fachinformation (plasma t1/2 under 10 min)", "https://ch.oddb.org/fr/gcc/fachinfo/reg/45772/chapter/kinetic"),
        Source("Factrel monograph (pump: 5-20 ug every 90 min; LH peak 13-25 min after IV)", "http://hopkins-menshealth.org/drugs_article_id_115.html3"),
        Source("Belchetz PE et al. Science 1978;202:631 (continuous GnRH suppresses, pulses restore LH)", "https://pubmed.ncbi.nlm.nih.gov/100883/"),
    ),
    notes="A twice-weekly SC bolus alongside testosterone has no clinical data; what hpgsim shows for it is a physiology prediction, unvalidated.",
    usual_regimen="gonadorelin 10 ug every 90 min",
    usual_weeks=12.0,
))
