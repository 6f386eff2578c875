"""A hash of the package's own source code (standard library only: imported before numba)."""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).parent
_MARK = b"# KERNEL CONSTANTS"


def source_digest(compiled_only: bool = False) -> str:
    """16 hex digits over the package's .py files (or only those compiled code depends
    on: those that use numba, and those marked as holding its constants)."""
    digest = hashlib.sha1()
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_bytes()
        if compiled_only and b"import numba" not in source and _MARK not in source:
            continue
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + source)
    return digest.hexdigest()[:16]
