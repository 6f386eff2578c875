"""Offline frontend for the app: the exact npm packages solara's page asks its CDN for,
packed from the npm registry and unpacked where the server looks for them.

Solara's page loads its frontend from `/_solara/cdn/<package>@<version>/...`; the server
serves that path from `SOLARA_ASSETS_PROXY_CACHE_DIR` and only fetches what is missing from
a public CDN. A workshop room often has no internet, so the install step (`python -m
sim.app.assets`, run by scripts/env.sh with the `app` extra) puts every package there.
The list belongs to solara 1.64.x (see /work/shared/SOLARA-NOTES.md and solara's page
template); `check()` tells which folders are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# (npm package spec, folder name as it appears in the page's URLs)
PACKAGES: tuple[tuple[str, str], ...] = (
    ("@widgetti/solara-vuetify-app@10.1.1", "@widgetti/solara-vuetify-app@10.1.1"),
    ("@widgetti/vue-grid-layout@2.3.13-alpha.2", "@widgetti/vue-grid-layout@2.3.13-alpha.2"),
    ("requirejs@2.3.6", "requirejs@2.3.6"),
    ("font-awesome@4.5.0", "font-awesome@4.5.0"),
    # altair charts (vega-lite widget) ask for the major version only
    ("vega@5", "vega@5"),
    ("vega-lite@5", "vega-lite@5"),
    ("vega-embed@6", "vega-embed@6"),
)
STAMP = ".goedeburen-complete"  # written last: a folder without it is unpacked again

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = ROOT / ".venv" / "solara-assets"


def assets_dir() -> Path:
    """Where the assets live: $GOEDEBUREN_SOLARA_ASSETS, else .venv/solara-assets."""
    env = os.environ.get("GOEDEBUREN_SOLARA_ASSETS")
    return Path(env) if env else DEFAULT_DIR


def missing(directory: Path | None = None) -> list[str]:
    """Folder names not (completely) unpacked in `directory`."""
    d = directory or assets_dir()
    return [folder for _, folder in PACKAGES if not (d / folder / STAMP).exists()]


def _unpack(tgz: Path, target: Path) -> None:
    """Unpack an npm tarball (everything under `package/`) into `target`."""
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) < 2 or member.issym() or member.islnk():
                continue
            member.name = str(Path(*parts[1:]))
            tar.extract(member, tmp, filter="data")
    (tmp / STAMP).write_text("ok\n")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


def install(directory: Path | None = None, quiet: bool = False) -> Path:
    """Pack and unpack every missing package; quick when all are there."""
    d = directory or assets_dir()
    todo = [(spec, folder) for spec, folder in PACKAGES if folder in missing(d)]
    if not todo:
        return d
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm is needed to fetch the app's offline assets (Debian: apt-get install -y npm)"
        )
    d.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for spec, folder in todo:
            if not quiet:
                print(f"solara assets: {spec}", file=sys.stderr)
            out = subprocess.run(
                [npm, "pack", spec, "--silent", "--pack-destination", tmp],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                raise RuntimeError(f"npm pack {spec} failed:\n{out.stderr.strip()}")
            tgz = Path(tmp) / out.stdout.strip().splitlines()[-1]
            _unpack(tgz, d / folder)
            tgz.unlink()
    return d


def main() -> int:
    try:
        d = install()
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"solara assets ready in {d}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
