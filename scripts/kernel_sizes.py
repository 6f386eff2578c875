"""The size of the compiled kernels: lines (def to end, docstring included) and parameters
of every numba-compiled function in sim/, longest and widest first. The open-core targets
(issue 13): no function over 80 lines, no day kernel over 12 parameters.

    python scripts/kernel_sizes.py [--top N]
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _compiled(fn: ast.FunctionDef) -> bool:
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = ast.unparse(target)
        if name.endswith(("njit", "jit", "intrinsic")):
            return True
    return False


def kernel_sizes() -> list[tuple[str, int, int]]:
    """(module:function, lines, parameters) of every compiled function under sim/."""
    rows = []
    for path in sorted((ROOT / "sim").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and _compiled(node):
                lines = node.end_lineno - node.lineno + 1
                where = f"{path.relative_to(ROOT)}:{node.name}"
                rows.append((where, lines, len(node.args.args)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=5, help="rows to show of each ranking")
    top = parser.parse_args().top
    rows = kernel_sizes()
    print(f"{len(rows)} compiled functions")
    print("longest:")
    for where, lines, params in sorted(rows, key=lambda r: -r[1])[:top]:
        print(f"  {lines:4d} lines  {params:3d} params  {where}")
    print("most parameters:")
    for where, lines, params in sorted(rows, key=lambda r: -r[2])[:top]:
        print(f"  {params:4d} params  {lines:3d} lines  {where}")


if __name__ == "__main__":
    main()
