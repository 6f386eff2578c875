"""Regenerate the parameter table in docs/ODD.md from the scenario schema.

Run after adding or changing a parameter: `.venv/bin/python scripts/update_odd_params.py`.
"""

from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app

START, END = "<!-- params:start -->", "<!-- params:end -->"
odd = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
table = CliRunner().invoke(app, ["params", "--markdown"]).output
text = odd.read_text()
head, rest = text.split(START, 1)
_, tail = rest.split(END, 1)
odd.write_text(f"{head}{START}\n{table}{END}{tail}")
print(f"updated {odd}")
