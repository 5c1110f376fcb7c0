"""Mass-action binding of testosterone and estradiol to SHBG and albumin (Vermeulen 1999).

All concentrations in nmol/L (T) or pmol/L (E2); association constants are passed already
converted to L/nmol (K in L/mol times 1e-9). Albumin binding is treated as non-saturable, so
it enters as the factor ``n_alb = 1 + K_alb [albumin]``, as in the ISSAM implementation.
Compiled with numba so the right-hand side can call them.
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def free_t_vermeulen(total_t: float, shbg: float, k_shbg: float, n_alb: float) -> float:
    """Free T (nmol/L) from total T and SHBG (nmol/L).

    Solves ``TT = n_alb FT + SHBG K FT / (1 + K FT)`` for FT: the quadratic
    ``K n_alb FT^2 + (n_alb + K (SHBG - TT)) FT - TT = 0`` (Vermeulen A et al. JCEM 1999;84:3666).
    """
    if total_t <= 0.0:
        return 0.0
    a = k_shbg * n_alb
    b = n_alb + k_shbg * (shbg - total_t)
    # numerically stable root of a x^2 + b x - TT = 0 with x > 0
    disc = math.sqrt(b * b + 4.0 * a * total_t)
    if b >= 0.0:
        return 2.0 * total_t / (b + disc)
    return (disc - b) / (2.0 * a)


@njit(cache=True)
def total_t_from_free(free_t: float, shbg: float, k_shbg: float, n_alb: float) -> float:
    """Total T (nmol/L) carried by a given free T (the inverse of :func:`free_t_vermeulen`)."""
    return n_alb * free_t + shbg * k_shbg * free_t / (1.0 + k_shbg * free_t)


@njit(cache=True)
def free_e2(total_e2: float, shbg: float, free_t: float, k_shbg_t: float, k_shbg_e2: float, n_alb_e2: float) -> float:
    """Free E2 (pmol/L). E2 binds the SHBG sites T leaves free (T is ~200 times more
    abundant, so E2 hardly competes back; Sodergard R et al. J Steroid Biochem 1982)."""
    shbg_unoccupied = shbg / (1.0 + k_shbg_t * free_t)
    return total_e2 / (n_alb_e2 + k_shbg_e2 * shbg_unoccupied)
