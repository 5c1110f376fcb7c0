"""Exogenous testosterone: IM esters (cypionate, enanthate, undecanoate) and transdermal gel.

An ester depot releases testosterone into the body's own pool at the absorption rate (channel
``testosterone_input``, effect ``absorption``: the flux ``ka x depot`` in nmol/h); from there the
physiology handles binding, clearance, aromatisation to E2 and the feedback that suppresses LH
and FSH, intratesticular T and spermatogenesis. Ester hydrolysis is fast next to release from
the oil depot, so apparent half-lives after IM injection are absorption (flip-flop) half-lives.
Doses are mg of the ester; ``emax`` converts mg of ester to nmol of testosterone.
"""

from __future__ import annotations

import math

from ..records import DrugRecord, Source, register

_LN2 = math.log(2.0)
T_MOLAR_MASS = 288.42                     # g/mol
NMOL_T_PER_MG = 1e6 / T_MOLAR_MASS        # 3467 nmol per mg of testosterone

ESTER_MOLAR_MASS = {                      # g/mol (PubChem)
    "cypionate": 412.6,
    "enanthate": 400.6,
    "undecanoate": 456.7,
}


def _ester(name: str, ester: str, absorption_half_life_days: float, sources: tuple, usual: str, weeks: float,
           max_mg: float) -> DrugRecord:
    return register(DrugRecord(
        name=name,
        drug_class="androgen (testosterone ester, intramuscular depot)",
        route="im",
        dose_unit="mg",
        max_single_dose=max_mg,
        bioavailability=1.0,
        ka_per_h=_LN2 / (absorption_half_life_days * 24.0),
        ke_per_h=1.0,             # unused: the effect is the absorption flux
        volume_l=1.0,
        channel="testosterone_input",
        emax=NMOL_T_PER_MG * T_MOLAR_MASS / ESTER_MOLAR_MASS[ester],
        ec50_ng_ml=1.0,
        effect="absorption",
        mechanism="adds testosterone: serum T rises and LH and FSH are suppressed, so intratesticular T and spermatogenesis fall",
        sources=sources,
        notes=f"testosterone is {T_MOLAR_MASS / ESTER_MOLAR_MASS[ester]:.1%} of the ester by mass; "
              f"release half-life {absorption_half_life_days:g} days",
        usual_regimen=usual,
        usual_weeks=weeks,
    ))


_ester("testosterone_cypionate", "cypionate", 8.0,
       (Source("DEPO-Testosterone label (half-life about eight days after IM injection)", "https://www.droracle.ai/articles/383991/what-is-the-release-profile-and-effects-of-intramuscular"),),
       "testosterone_cypionate 100 mg weekly", 26.0, 1000.0)
_ester("testosterone_enanthate", "enanthate", 4.5,
       (Source("Behre HM, Nieschlag E. in: Testosterone: action, deficiency, substitution (TE 250 mg IM: terminal half-life 4.5 days)", "https://link.springer.com/book/10.1007/978-3-642-72185-4"),
        Source("WHO Task Force. Lancet 1990;336:955 and Fertil Steril 1996;65:821 (TE 200 mg weekly for contraception)", "https://pubmed.ncbi.nlm.nih.gov/1977002/")),
       "testosterone_enanthate 200 mg weekly", 26.0, 1000.0)
_ester("testosterone_undecanoate", "undecanoate", 34.0,
       (Source("Behre HM et al. Clin Endocrinol 1999;50:629 (TU 1000 mg IM in castor oil: terminal half-life 33.9 days)", "https://pubmed.ncbi.nlm.nih.gov/10468929/"),
        Source("AVEED label (750 mg at 0 and 4 weeks, then every 10 weeks)", "https://medthority.com/fda/a/aveed/aveed-testosterone-undecanoate-250-mgml-endo-pharmaceuticals-inc2")),
       "testosterone_undecanoate 1000 mg every 10 weeks", 52.0, 2000.0)

GEL_FRACTION_ABSORBED = 0.10      # AndroGel 1 % label: about 10 % of the applied dose over 24 h
# The skin holds the applied testosterone and releases it over about a day: serum T reaches steady
# state 48-72 h after the first application (Swerdloff RS et al. JCEM 2000;85:4500) and delivery is
# continuous over the 24 h dosing interval (label). An absorption half-life of 20 h gives 81-92 % of
# steady state at 48-72 h and a daily swing of the absorbed flux of e^(24 ka) = 2.3. (It was 0.1/h,
# a 7 h half-life, under which the morning-trough T of a daily user fell most of the way back.)
GEL_KA_PER_H = math.log(2.0) / 20.0

register(DrugRecord(
    name="testosterone_gel",
    drug_class="androgen (transdermal testosterone gel)",
    route="transdermal",
    dose_unit="mg",
    max_single_dose=200.0,
    bioavailability=GEL_FRACTION_ABSORBED,
    ka_per_h=GEL_KA_PER_H,
    ke_per_h=1.0,
    volume_l=1.0,
    channel="testosterone_input",
    emax=NMOL_T_PER_MG,
    ec50_ng_ml=1.0,
    effect="absorption",
    gel_mg_per_g=10.0,            # 1 % gel: "5 g" of gel is 50 mg of testosterone
    mechanism="adds testosterone daily through the skin; suppresses LH and FSH like the esters",
    sources=(Source("AndroGel 1 % label (about 10 % absorbed; 50-100 mg/day; 5 g gel = 50 mg)",
                    "https://fdocuments.net/document/androgel-37-l-enlargement-38-at-distribution-39-secondary-sex-40-of-testosterone.html"),
             Source("Swerdloff RS et al. JCEM 2000;85:4500 (9-14 % bioavailable; steady state 48-72 h after the first application)",
                    "https://jhu.pure.elsevier.com/en/publications/long-term-pharmacokinetics-of-transdermal-testosterone-gel-in-hyp-5")),
    notes="A dose in g means grams of 1 % gel; in mg, milligrams of testosterone.",
    usual_regimen="testosterone_gel 50 mg daily",
    usual_weeks=26.0,
))
