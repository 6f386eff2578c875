"""Writing results: atomic files, so an interrupted run never leaves a half-written table."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _publish(tmp: str, path: Path) -> None:
    """Rename the finished temp file into place with ordinary file permissions (mkstemp
    makes it owner-only)."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def atomic_write_frame(path: Path, df: pd.DataFrame) -> None:
    """Parquet (by suffix .parquet) or CSV, written to a temp file and renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if path.suffix == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False)
        _publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            timeout=5,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# --------------------------------------------------------------------------------------
# run folders: checked before a run, written whole into a temporary folder, renamed in
# --------------------------------------------------------------------------------------
RUN_MARKER = "manifest.json"  # written last: a folder holding it is a complete run


class OutputError(OSError):
    """An output folder cannot be used; the message says which and why."""


def check_out_dir(path: Path, overwrite: bool = False) -> None:
    """Fail before simulating if `path` cannot receive a run: a file is in the way, the
    folder holds files (unless `overwrite`, and then only an earlier run's folder is
    replaced, never arbitrary files), or nothing can be written where it would go."""
    try:
        if path.exists() and not path.is_dir():
            raise OutputError(f"{path}: is a file, not a folder; choose another --out")
        if path.is_dir():
            entries = [p.name for p in path.iterdir()]
            if entries and not overwrite:
                raise OutputError(
                    f"{path}: already holds {len(entries)} file(s) ({_some(entries)}); pass "
                    "--overwrite to replace that earlier run, or choose another --out"
                )
            if entries and not (path / RUN_MARKER).is_file():
                raise OutputError(
                    f"{path}: holds files that are not a goedeburen run (no {RUN_MARKER}: "
                    f"{_some(entries)}); --overwrite only replaces an earlier run's folder, "
                    "choose another --out"
                )
        _check_writable(path.parent)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot be used as an output folder ({exc.strerror or exc})"
        ) from None


def _check_writable(folder: Path) -> None:
    """Create (and remove) a temporary folder where the run's folder will be made."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{existing}: is a file, so no folder can be made below it")
    try:
        probe = tempfile.mkdtemp(dir=existing, prefix=".goedeburen-probe-")
        os.rmdir(probe)
    except OSError as exc:
        raise OutputError(
            f"{existing}: cannot write there ({exc.strerror or exc}); choose another --out"
        ) from None


def _some(names: list[str], k: int = 4) -> str:
    shown = ", ".join(sorted(names)[:k])
    return shown + (", …" if len(names) > k else "")


STALE_SECONDS = 3600.0  # a run's folder is written in seconds; older leftovers are a kill's


def new_run_dir(target: Path) -> Path:
    """A fresh hidden folder beside `target`, to write a run into before `publish_dir`.
    Leftovers of earlier writes of the same target killed half-way (older than an hour)
    are removed first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in target.parent.glob(f".{glob.escape(target.name)}.*"):
        try:
            if (
                old.suffix in (".tmp", ".old")
                and old.is_dir()
                and not old.is_symlink()
                and now - old.stat().st_mtime > STALE_SECONDS
            ):
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    return Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))


def publish_dir(tmp: Path, target: Path) -> None:
    """Put the finished folder `tmp` in place of `target`. Readers see the old folder or the
    new one, never a mix: an existing target is renamed aside first and removed after."""
    os.chmod(tmp, 0o777 & ~_umask())
    aside = None
    if target.exists() or target.is_symlink():
        if not target.is_dir() or target.is_symlink():
            raise OutputError(f"{target}: is in the way of the run folder (not a folder)")
        aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
        os.replace(target, aside / "run")
    os.replace(tmp, target)
    _fsync_dir(target.parent)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
