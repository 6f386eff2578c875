"""goedeburen installs like a package: a wheel built from this checkout, installed into a
clean virtual environment (no system site-packages, nothing from the checkout on the path),
has its scenarios, its version and its command; and what the code imports is declared."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _sh(
    cmd: list[str], cwd: Path, env: dict | None = None, timeout: float = 900
) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, (
        f"{' '.join(cmd)} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    )
    return res


@pytest.mark.slow
def test_wheel_installs_and_runs_in_a_clean_venv(tmp_path):
    """Build the wheel, install it (and its dependencies, from the pip cache or the index)
    into a fresh venv, then run the baseline for a year from a folder outside the
    checkout: the shipped scenarios come from the installed package."""
    wheels = tmp_path / "wheels"
    _sh(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("goedeburen-*.whl")
    venv = tmp_path / "venv"
    _sh([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    py, exe = venv / "bin" / "python", venv / "bin" / "goedeburen"
    _sh([str(py), "-m", "pip", "install", "-q", str(wheel)], cwd=tmp_path)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # compiled kernels of this copy only
    where = _sh(
        [
            str(py),
            "-c",
            "import sim, sim.scenario as s; print(sim.__file__); print(s.SCENARIO_DIR)",
        ],
        cwd=work,
        env=env,
    ).stdout.split()
    assert all(str(venv) in w for w in where), where  # not the checkout
    assert (
        _sh([str(exe), "--version"], cwd=work, env=env).stdout.strip()
        == f"goedeburen {sim.__version__}"
    )
    listed = _sh([str(exe), "scenarios"], cwd=work, env=env).stdout
    assert "baseline" in listed and "problem_flat" in listed
    res = _sh([str(exe), "run", "baseline", "--years", "1", "--out", "run"], cwd=work, env=env)
    assert "At the end of the run" in res.stdout
    files = {p.name for p in (work / "run").iterdir()}
    assert {"timeseries.parquet", "households.parquet", "manifest.json", "scenario.toml"} <= files
    # a scenario of the user's own, outside the package, extends a shipped one by name
    (work / "mine.toml").write_text(
        'extends = "baseline"\nname = "mine"\n[population]\nsupported_share = 0.2\n'
    )
    _sh([str(exe), "validate", "mine.toml"], cwd=work, env=env)


def test_version_is_the_packages():
    """One version: pyproject reads sim.__version__; an installed copy reports the same."""
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", sim.__version__)
    assert importlib.metadata.version("goedeburen") == sim.__version__


def test_shipped_files_are_package_data():
    """The package's data links resolve to the top-level folders users edit."""
    from sim.paths import PACKAGE_DIR, shipped_dir

    for kind in ("scenarios", "experiments"):
        linked = PACKAGE_DIR / "data" / kind
        assert linked.resolve() == (ROOT / kind).resolve()
        assert shipped_dir(kind) == ROOT / kind
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["sim"]
    assert "data/scenarios/*.toml" in patterns and "data/experiments/*.toml" in patterns


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# a distribution another declared one brings in by name (meta-packages, extras)
PROVIDED_BY = {"solara-ui": "solara", "solara-server": "solara", "distributed": "dask"}


def _declared(specs: list[str]) -> set[str]:
    """Distribution names in requirement strings, with their extras ("dask[distributed]"
    declares distributed too)."""
    out = set()
    for spec in specs:
        m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(?:\[([^\]]*)\])?", spec)
        out.add(_norm(m.group(1)))
        out |= {_norm(x) for x in (m.group(2) or "").split(",") if x.strip()}
    return out


def _imports(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"sim", "benchmarks", "__future__"}


def test_what_the_code_imports_is_declared():
    """Each third-party module sim/ imports comes from a declared dependency (or an extra);
    each declared dependency is imported somewhere (or pulled in by name on purpose)."""
    deps = _declared(PYPROJECT["project"]["dependencies"])
    extras = {k: _declared(v) for k, v in PYPROJECT["project"]["optional-dependencies"].items()}
    dist_of = importlib.metadata.packages_distributions()
    core_import = _imports(ROOT / "sim")
    every = deps | set().union(*extras.values())
    missing = {}
    for mod in sorted(core_import):
        dists = {_norm(d) for d in dist_of.get(mod, [mod])}
        dists |= {PROVIDED_BY[d] for d in dists if d in PROVIDED_BY}
        if not dists & every:
            missing[mod] = sorted(dists)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
    imported_dists = {_norm(d) for m in core_import for d in dist_of.get(m, [m])}
    implicit = {"pyarrow", "mesa"}  # pandas' Parquet engine; Mesa's extras
    unused = deps - imported_dists - implicit
    assert not unused, f"declared but never imported by sim/: {sorted(unused)}"
    assert "mesa" in extras["app"] and "solara" in extras["app"]  # Mesa's viz extra
    assert {"pytest", "hypothesis", "pip-audit"} <= extras["test"]


def test_audit_fails_on_vulnerabilities_not_on_unknown_packages():
    """scripts/audit.py (run by scripts/test.sh): a known vulnerability fails the build;
    packages the service does not know, or no answer at all, do not."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
    audit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(audit)
    clean = {
        "dependencies": [
            {"name": "numpy", "version": "2.5.5", "vulns": []},
            {"name": "x", "skip_reason": "not found"},
        ]
    }
    code, lines = audit.decide(clean)
    assert code == 0 and "1 packages audited, 1 not known" in lines[0]
    bad = {
        "dependencies": [
            {
                "name": "requests",
                "version": "2.19.0",
                "vulns": [{"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"]}],
            }
        ]
    }
    code, lines = audit.decide(bad)
    assert code == 1 and "requests 2.19.0: PYSEC-2018-28 (fixed in 2.20.0)" in lines[-1]
    code, lines = audit.decide({"dependencies": [{"name": "x", "skip_reason": "?"}]})
    assert code == 0 and "nothing was checked" in lines[-1]
    assert 'python "$ROOT/scripts/audit.py"' in (ROOT / "scripts" / "test.sh").read_text()
