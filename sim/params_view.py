"""`goedeburen params`: every parameter (model sections, unit costs, each intervention's own)
with its full name, default, unit, source and meaning, readable at any terminal width."""

from __future__ import annotations

import textwrap
from typing import Any


def rows(filter_text: str | None = None) -> list[dict[str, Any]]:
    """Parameter rows whose full name (`section.name`) starts with or contains the filter
    (case-insensitive): `contact.`, `costs.`, `interventions.flatcoach`, `half_life`."""
    from sim.scenario import parameter_table

    out = []
    for r in parameter_table():
        full = f"{r['section']}.{r['name']}"
        if filter_text and filter_text.lower() not in full.lower():
            continue
        out.append({**r, "parameter": full})
    return out


def show_default(default: Any) -> str:
    if isinstance(default, dict):
        return ", ".join(
            f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in default.items()
        )
    if isinstance(default, list):
        return "[" + ", ".join(map(str, default)) + "]" if default else "[]"
    if default is None:
        return "—"
    if isinstance(default, bool):
        return "true" if default else "false"
    return f"{default:g}" if isinstance(default, float) else str(default)


def markdown(table: list[dict[str, Any]]) -> str:
    lines = ["| parameter | default | unit | source | meaning |", "|---|---|---|---|---|"]
    for r in table:
        lines.append(
            f"| `{r['parameter']}` | {show_default(r['default'])} | {r['unit']} | "
            f"{r['source']} | {r['description']} |"
        )
    return "\n".join(lines) + "\n"


def blocks(table: list[dict[str, Any]], width: int) -> str:
    """One block per parameter: the full name and default on the first line, never cut;
    meaning and source wrapped to the terminal below it."""
    width = max(width, 40)
    out = []
    section = None
    for r in table:
        if r["section"] != section:
            section = r["section"]
            out.append(f"[{section}]")
        unit = f" {r['unit']}" if r["unit"] else ""
        out.append(f"  {r['parameter']} = {show_default(r['default'])}{unit}")
        for label, text in (("", r["description"]), ("source: ", r["source"])):
            if text:
                out += textwrap.wrap(
                    f"{label}{text}",
                    width - 6,
                    initial_indent="      ",
                    subsequent_indent="      ",
                    break_on_hyphens=False,
                )
    return "\n".join(out) + "\n"
