"""goedeburen: an agent-based simulation of neighbour contact in apartment buildings."""

import os
import sys
import types

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
__all__ = [
    "NeighbourhoodModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_results",
    "load_scenario",
    "run",
]

_LAZY = {"NeighbourhoodModel": "sim.model", "RunResult": "sim.run"}
_API = {"run": "sim.run", "compare": "sim.compare"}  # function name -> module of that name


class _Entry:
    """`sim.run(...)` / `sim.compare(...)` call the API functions (sim/api.py), while
    `sim.run.run_model` and `import sim.run as r` still reach the module of that name."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)

    @property
    def __dict__(self) -> dict:  # what monkeypatch / mock.patch save and restore
        import importlib

        return importlib.import_module(_API[self._name]).__dict__

    def __call__(self, *args, **kwargs):
        from sim import api

        return getattr(api, self._name)(*args, **kwargs)

    def __getattr__(self, attr: str):
        import importlib

        return getattr(importlib.import_module(_API[self._name]), attr)

    def __setattr__(self, attr: str, value) -> None:  # monkeypatch / mock.patch reach the module
        import importlib

        setattr(importlib.import_module(_API[self._name]), attr, value)

    def __delattr__(self, attr: str) -> None:
        import importlib

        delattr(importlib.import_module(_API[self._name]), attr)

    def __repr__(self) -> str:
        return f"<function sim.{self._name} (sim/api.py)>"

    @property
    def __doc__(self) -> str:  # help(sim.run) shows the function's docstring
        from sim import api

        return getattr(api, self._name).__doc__


run = _Entry("run")
compare = _Entry("compare")


def load_results(*args, **kwargs):
    """One long DataFrame of the runs at a path (see sim.api.load_results)."""
    from sim.api import load_results as _load

    return _load(*args, **kwargs)


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value) -> None:
        # importing the submodules sim.run / sim.compare must not replace the functions
        if name in _API and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    """sim.NeighbourhoodModel imports sim.model (mesa, pandas, scipy, numba: 1-2 s) on first
    use, not with the package: the command line starts quickly, and `goedeburen compare`
    starts its worker server while this process is still importing the model."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
