"""Named protocols (the library), the monitoring and dose-adjustment rules inside them, and
comparisons of protocols and drugs on simulated men. Simulations, never dosing advice."""

from .library import EVIDENCE_LEVELS, NamedProtocol, list_protocols, load_protocol, protocol_names
from .monitoring import Monitoring, apply_monitoring

__all__ = ["EVIDENCE_LEVELS", "NamedProtocol", "list_protocols", "load_protocol", "protocol_names",
           "Monitoring", "apply_monitoring"]
