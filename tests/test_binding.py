"""Free and bioavailable T against the Vermeulen worked example (ISSAM calculator)."""

from __future__ import annotations

import math

from hpgsim.physiology.binding import free_t_vermeulen, total_t_from_free
from hpgsim.physiology.parameters import ALBUMIN_MOLAR_MASS

N_ALB = 1.0 + 3.6e4 * 43.0 / ALBUMIN_MOLAR_MASS      # Vermeulen 1999 constants, albumin 4.3 g/dL


def test_vermeulen_worked_example():
    # parameters.yaml free_t.vermeulen_1999.worked_example: TT 10 nmol/L, SHBG 40 nmol/L ->
    # FT 1.74 %, FT 5.02 ng/dL, bioavailable T 118 ng/dL
    ft = free_t_vermeulen(10.0, 40.0, 1.0, N_ALB)
    assert abs(100 * ft / 10.0 - 1.74) < 0.01
    assert abs(ft * 28.84 - 5.02) < 0.02
    assert abs(ft * N_ALB * 28.84 - 118.0) < 1.0


def test_inverse_is_exact():
    for tt, shbg in [(1.0, 10.0), (20.0, 35.0), (60.0, 120.0)]:
        ft = free_t_vermeulen(tt, shbg, 1.0, N_ALB)
        assert math.isclose(total_t_from_free(ft, shbg, 1.0, N_ALB), tt, rel_tol=1e-12)
