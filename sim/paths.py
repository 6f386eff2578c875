"""Where the shipped scenario and experiment files are, in a checkout and when installed.

The canonical files live in the top-level `scenarios/` and `experiments/` folders of the
repository (what users see and edit). The wheel ships them as package data under
`sim/data/` (symlinks into those folders in the checkout, copied by the build). A checkout
(or an editable install) reads the top-level folders; an installed package its own copy.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(kind: str) -> Path:
    """The folder of shipped `kind` files ("scenarios" or "experiments")."""
    root = PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / kind).is_dir():
        return root / kind
    return PACKAGE_DIR / "data" / kind
