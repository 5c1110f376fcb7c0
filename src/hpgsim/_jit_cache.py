"""Where numba keeps compiled code, keyed by a hash of this package's source.

numba's own cache is invalidated per file, but our compiled functions inline each other across
files and freeze parameter-table indices as constants: editing ``parameters.py`` changes those
indices without touching ``model.py``, and a per-file cache would silently run stale machine
code. Keying the whole cache directory on the source of every module fixes that, and still lets
a second process reuse the compiled code of the first (no compile cost after the first run).
An explicit ``NUMBA_CACHE_DIR`` in the environment wins.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def configure() -> Path | None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hpgsim" / f"numba-{digest.hexdigest()[:16]}"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:  # read-only home: fall back to numba's default (next to the sources)
        return None
    import numba

    numba.config.CACHE_DIR = str(base)
    return base
