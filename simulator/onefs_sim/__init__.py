"""OneFS (Dell PowerScale) Platform API simulator."""
from .server import ClusterEndpoint, Simulator

__all__ = ["Simulator", "ClusterEndpoint"]
__version__ = "0.1.0"
