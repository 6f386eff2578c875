"""goedeburen: an agent-based simulation of neighbour contact in apartment buildings."""

import os

from sim.fingerprint import source_digest


def _numba_cache_dir() -> str:
    """numba's on-disk cache checks only the source file of each compiled function, not
    the functions it inlines from other modules: after an edit to one module another
    module's stale machine code could be loaded (and crash). Keying the cache directory
    on the content of the package's compiled modules rules that out."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, "goedeburen", "numba", source_digest(compiled_only=True))


os.environ.setdefault("NUMBA_CACHE_DIR", _numba_cache_dir())

from sim.scenario import Scenario, ScenarioError, load_scenario  # noqa: E402

__version__ = "0.1.0"
__all__ = ["NeighbourhoodModel", "Scenario", "ScenarioError", "load_scenario", "__version__"]


def __getattr__(name: str):
    """sim.NeighbourhoodModel imports sim.model (mesa, pandas, scipy, numba: 1-2 s) on first
    use, not with the package: the command line starts quickly, and `goedeburen compare`
    starts its worker server while this process is still importing the model."""
    if name == "NeighbourhoodModel":
        from sim.model import NeighbourhoodModel

        return NeighbourhoodModel
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
