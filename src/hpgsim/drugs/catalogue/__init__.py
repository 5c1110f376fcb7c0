"""The drug records, one module per class; importing this package registers them all.

Each number carries its source next to it; docs/model.md lists every record.
"""

from . import aromatase_inhibitors, gonadotropins, serms, androgens  # noqa: F401
