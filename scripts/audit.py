"""Dependency audit for scripts/test.sh: `pip-audit` over the project's environment.

Fails (exit 1) when a known vulnerability is found in an installed package. A network
failure, or pip-audit missing, is reported and does not fail the build (exit 0): the audit
cannot say anything then, and the tests have already run. Packages the vulnerability
service does not know (e.g. installed from a local mirror) are counted as not audited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile


def main() -> int:
    if os.environ.get("GOEDEBUREN_SKIP_AUDIT"):
        print("dependency audit: skipped (GOEDEBUREN_SKIP_AUDIT is set)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "audit.json")
        cmd = [
            sys.executable,
            "-m",
            "pip_audit",
            "--progress-spinner",
            "off",
            "--skip-editable",
            "--timeout",
            "20",
            "-f",
            "json",
            "-o",
            report,
        ]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            print(f"dependency audit: could not run pip-audit ({exc}); not checked")
            return 0
        try:
            with open(report, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            why = (res.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"dependency audit: pip-audit gave no report (network? {why[:200]}); not checked")
            return 0
    code, lines = decide(data)
    print("\n".join(lines))
    return code


def decide(data: dict) -> tuple[int, list[str]]:
    """Exit code and report lines for a pip-audit JSON report: 1 only for a vulnerability."""
    deps = data.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    audited = [d for d in deps if "skip_reason" not in d]
    lines = [
        f"dependency audit: {len(audited)} packages audited, {len(deps) - len(audited)} "
        f"not known to the vulnerability service, {len(vulnerable)} vulnerable"
    ]
    if deps and not audited:
        lines.append(
            "  the service answered for none of them (no access to PyPI's JSON API "
            "from here?): nothing was checked"
        )
    for d in vulnerable:
        ids = ", ".join(
            v.get("id", "?")
            + (f" (fixed in {', '.join(v['fix_versions'])})" if v.get("fix_versions") else "")
            for v in d["vulns"]
        )
        lines.append(f"  {d['name']} {d.get('version', '')}: {ids}")
    return (1 if vulnerable else 0), lines


if __name__ == "__main__":
    sys.exit(main())
