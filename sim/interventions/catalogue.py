"""Imports every intervention module of this package so that each registers itself.

To add an intervention: write one module in this package (subclass `Intervention`, give it
a `key` and a `Params` model, decorate with `@register`). Nothing else: the modules are
found here by walking the package, not from a hand-kept list.
"""

import importlib
import pkgutil

import sim.interventions as _package

# modules of the package that hold no intervention of their own
_INFRASTRUCTURE = {"base", "catalogue", "common"}

for _module in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
    if _module.name not in _INFRASTRUCTURE and not _module.name.startswith("_"):
        importlib.import_module(f"sim.interventions.{_module.name}")
