"""Writing results: atomic files, so an interrupted run never leaves a half-written table;
a lock on a sweep's output folder, so two processes never write the same files."""

from __future__ import annotations

import errno
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, folders are not locked
    fcntl = None  # type: ignore[assignment]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _publish(tmp: str, path: Path) -> None:
    """Rename the finished temp file into place with ordinary file permissions (mkstemp
    makes it owner-only)."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


class OutputError(OSError):
    """An output folder cannot be used; the message says which and why."""


class WriteError(OutputError):
    """A result file could not be written (a full disk, a folder made read-only): names the
    file, not the temporary one, and keeps the errno so callers can tell why. Takes
    OSError's own arguments, so it crosses from a worker process intact."""

    def __str__(self) -> str:
        return f"{self.filename}: could not be written ({self.strerror})"

    @property
    def stops_everything(self) -> bool:
        """Whether every other file would fail too (a full disk or quota, a read-only or
        forbidden folder), rather than this one file (a file in the way of one run)."""
        return self.errno in _OUT_OF_ROOM


_OUT_OF_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def _write_error(path: Path, exc: OSError) -> WriteError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return WriteError(exc.errno or errno.EIO, reason, str(path))


@contextmanager
def _writing(path: Path, tmp: str) -> Iterator[None]:
    """Remove the temp file if anything goes wrong; an OSError becomes a WriteError naming
    `path` (pyarrow's and pandas' own messages name the temp file, or none)."""
    try:
        yield
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, WriteError):
            raise
        raise _write_error(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mkstemp(path: Path) -> tuple[int, str]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _write_error(path, exc) from exc


def atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = _mkstemp(path)
    with _writing(path, tmp):
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _publish(tmp, path)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def atomic_write_frame(path: Path, df: pd.DataFrame) -> None:
    """Parquet (by suffix .parquet) or CSV, written to a temp file and renamed."""
    fd, tmp = _mkstemp(path)
    os.close(fd)
    with _writing(path, tmp):
        if path.suffix == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False)
        _publish(tmp, path)


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


# --------------------------------------------------------------------------------------
# a sweep's output folder: one writer at a time, and what a killed one left cleared
# --------------------------------------------------------------------------------------
LOCK_NAME = ".goedeburen.lock"


class FolderLocked(OutputError):
    """Another process holds the output folder's lock (it is writing there now)."""

    def __str__(self) -> str:
        return str(self.strerror)


# what tempfile.mkstemp/mkdtemp make for the writers above: .<name>.<8 random>.tmp/.old
_LEFTOVER = re.compile(r"^\..+\.[a-z0-9_]{8}\.(tmp|old)$")
_held: dict[Path, int] = {}  # folders this process has locked: how deep (re-entrant)


@contextmanager
def locked_folder(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (flock on its .goedeburen.lock, which holds the
    holder's pid) while writing there: a second `compare` or sweep into the same folder
    is refused at once, instead of both writing and removing each other's files. The OS
    drops the lock when the holder dies, even by SIGKILL, so a stale lock never blocks a
    resume. Re-entrant within one process (compare's tables around its sweep)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        key = folder.resolve()
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot be used as an output folder ({exc.strerror or exc})"
        ) from None
    if key in _held or fcntl is None:
        _held[key] = _held.get(key, 0) + 1
        try:
            yield
        finally:
            _held[key] -= 1
            if not _held[key]:
                del _held[key]
        return
    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot be used as an output folder: its lock file {LOCK_NAME} cannot "
            f"be opened ({exc.strerror or exc})"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            who = f"pid {holder}" if holder.isdigit() else "a process whose pid is not known yet"
            raise FolderLocked(
                errno.EBUSY,
                f"{folder}: another goedeburen process ({who}) is writing results into this "
                "folder; wait until it has finished (the same command then resumes its "
                "work), stop it, or choose another --out",
                str(folder),
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]
            os.ftruncate(fd, 0)  # still held: nobody reads this pid after it let go
    finally:
        os.close(fd)


def clear_leftovers(folder: Path, depth: int = 2) -> int:
    """Remove the temporary files and folders (.<name>.<8 random>.tmp or .old, as the
    writers above name them) a process killed while writing left in `folder` and up to
    `depth` levels below. Only safe under the folder's lock (nobody else writes there
    then). Returns how many were removed."""
    removed = 0
    folders = [Path(folder)]
    for _ in range(depth + 1):
        below = []
        for f in folders:
            try:
                entries = list(f.iterdir())
            except OSError:
                continue
            for p in entries:
                try:
                    if p.is_symlink():
                        continue
                    if _LEFTOVER.match(p.name):
                        if p.is_dir():
                            shutil.rmtree(p, ignore_errors=True)
                        else:
                            p.unlink(missing_ok=True)
                        removed += 1
                    elif p.is_dir() and not p.name.startswith("."):
                        below.append(p)
                except OSError:
                    pass
        folders = below
    return removed
