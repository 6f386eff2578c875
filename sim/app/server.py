"""Starts the app's Solara server: on localhost unless asked, with the offline frontend
assets, no telemetry, no version check against PyPI and minified bundles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sim.app import assets
from sim.app.controls import EXTRA_DIR_ENV

APP_MODULE = "sim.app.page"


def server_env(offline_only: bool = False) -> dict[str, str]:
    """Environment of the server process. `offline_only`: no fallback to the public CDN
    for a missing asset (tests use it, so a missing file fails instead of being fetched)."""
    env = dict(os.environ)
    env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(assets.assets_dir())
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    if offline_only:
        env["SOLARA_ASSETS_CDN"] = "http://127.0.0.1:9/"  # nothing listens there
    return env


def command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


def serve(host: str = "127.0.0.1", port: int = 8765, scenarios: Path | None = None) -> int:
    """Run the server in the foreground until interrupted; returns its exit code.
    `scenarios`: a folder whose scenario files the picker offers besides the shipped ones."""
    gone = assets.missing()
    if gone:
        print(
            "goedeburen app: offline assets missing (" + ", ".join(gone) + "); fetching them "
            "now (python -m sim.app.assets)",
            file=sys.stderr,
        )
        try:
            assets.install()
        except RuntimeError as exc:
            print(
                f"{exc}\nThe page will load its frontend from the internet instead.",
                file=sys.stderr,
            )
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"goedeburen app: listening on {host}: anyone who can reach this machine on "
            f"port {port} can use the app (see README, 'App').",
            file=sys.stderr,
        )
    print(
        f"goedeburen app: open http://{'localhost' if host in ('127.0.0.1', '::1') else host}"
        f":{port}/ in a browser (Ctrl-C stops it)",
        file=sys.stderr,
    )
    try:
        env = server_env()
        if scenarios is not None:
            env[EXTRA_DIR_ENV] = str(Path(scenarios).resolve())
        return subprocess.call(command(host, port), env=env)
    except KeyboardInterrupt:
        return 0
