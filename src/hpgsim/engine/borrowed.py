"""Borrowed array views for the solver's hot loop: the same memory, no reference count.

numba gives every array it passes to a compiled function a reference count (an ``NRT_MemInfo``)
and increments and decrements it, atomically, around each call. The right-hand side takes ten
arrays (state, parameters, per-man constants, drug tables, channels, algebraic outputs,
derivative), so each of the six evaluations of a solver step paid twenty atomic operations:
about 70 of its 275 ns, measured (docs/performance.md, "Reference counts"). A view made here
points at the same data but has no reference count (numba skips the increment and decrement for
it), so nothing else changes: the same functions compute the same numbers, bit for bit.

The price is the usual one of a borrowed pointer: a view must not outlive the array it views.
The rule the engine follows, and the only safe use: a compiled function may borrow *its own
arguments* and use the views only until it returns. Its caller holds the arguments for the whole
call, so their memory cannot be freed while a view exists. Never return a view, store it in a
container, or borrow an array the function itself allocated.
"""

from __future__ import annotations

from numba import carray, njit, types
from numba.extending import intrinsic


@intrinsic
def _float_pointer(typingctx, address):
    """The integer ``address`` as a ``float64*`` (what :func:`numba.carray` takes)."""
    sig = types.CPointer(types.float64)(types.uintp)

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(types.CPointer(types.float64)))

    return sig, codegen


@njit(cache=True)
def borrow1(x):
    """A view of the contiguous 1-D float array ``x`` without a reference count (see the module
    docstring for when this is safe)."""
    if not x.flags.c_contiguous:
        raise ValueError("borrow1 needs a contiguous array")
    return carray(_float_pointer(x.ctypes.data), x.shape[0])


@njit(cache=True)
def borrow2(x):
    """:func:`borrow1` for a C-contiguous 2-D float array."""
    if not x.flags.c_contiguous:
        raise ValueError("borrow2 needs a C-contiguous array")
    return carray(_float_pointer(x.ctypes.data), (x.shape[0], x.shape[1]))
