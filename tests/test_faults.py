"""Faults around a sweep: two processes writing the same output folder (the second is
refused, naming the folder and the holder's pid), the driver killed (its fork server and
workers exit instead of sleeping forever), a full disk or a folder turned read-only (a
one-paragraph error naming the file, exit 2, what was written kept, the same command
resumes)."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from typer.testing import CliRunner

import sim
import sim.io
from sim.cli import app
from sim.io import FolderLocked, locked_folder

ROOT = Path(sim.__file__).resolve().parent.parent
runner = CliRunner()

EXPERIMENT = """
name = "faults"
seeds = 3
years = 0.2

[[arms]]
name = "baseline"
scenario = "baseline"
reference = true

[[arms]]
name = "problem_flat"
scenario = "problem_flat"
"""


@pytest.fixture()
def experiment(tmp_path) -> Path:
    path = tmp_path / "faults.toml"
    path.write_text(EXPERIMENT)
    return path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GOEDEBUREN_DEBUG"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return {**env, **extra}


def _goedeburen(*args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *args],
        cwd=ROOT,
        env=_env(**extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _until(check, seconds: float = 60.0, what: str = "the condition"):
    """Poll `check` until it returns something true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def _one_paragraph(output: str) -> str:
    """The output without its line breaks and spaces (the console wraps long paths
    anywhere): compare with _squeezed expectations."""
    assert "Traceback" not in output
    return re.sub(r"\s+", "", output)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------------------
# one writer per output folder
# --------------------------------------------------------------------------------------
def test_the_lock_names_the_holder_and_goes_with_it(tmp_path):
    """A process holding the folder's lock: a second lock is refused with its pid; once the
    holder is killed (SIGKILL: no clean-up), the folder is free again."""
    folder = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from sim.io import locked_folder\n"
            f"with locked_folder(Path({str(folder)!r})):\n"
            "    print('locked', flush=True); sys.stdin.read()",
        ],
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(FolderLocked) as info:
            with locked_folder(folder):
                pass
        text = str(info.value)
        assert str(folder) in text and f"pid {holder.pid}" in text
        assert "choose another --out" in text
    finally:
        holder.kill()
        holder.wait()
    with locked_folder(folder):  # released by the kernel with its holder
        with locked_folder(folder):  # and re-entrant within a process
            pass
    assert (folder / sim.io.LOCK_NAME).read_text() == ""  # no stale pid left behind


def test_a_second_sweep_into_the_same_folder_is_refused(tmp_path, experiment):
    """Two real commands at once: the one that comes second writes nothing and says who
    holds the folder; the first finishes undisturbed."""
    out = tmp_path / "out"
    experiment.write_text(experiment.read_text().replace("years = 0.2", "years = 2"))
    first = _goedeburen("sweep", str(experiment), "--workers", "2", "--out", str(out))
    lock = out / sim.io.LOCK_NAME
    _until(lambda: lock.exists() and lock.read_text().strip(), what="the first sweep's lock")
    assert lock.read_text().strip() == str(first.pid)
    for args in (
        ["sweep", str(experiment), "--workers", "1"],
        ["compare", "baseline", "--seeds", "1", "--years", "0.1", "--workers", "1"],
    ):
        res = runner.invoke(app, [*args, "--out", str(out)])
        text = _one_paragraph(res.output)
        assert res.exit_code == 2, res.output
        assert _squeezed(f"{out}: another goedeburen process (pid {first.pid})") in text
    assert first.wait(120) == 0, first.stdout.read()
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 6 and (runs["status"] == "ok").all() and runs["attempts"].eq(1).all()
    # the compare refused above left no folder of its own runs
    assert not (out / "runs" / "baseline").exists()


# --------------------------------------------------------------------------------------
# orphaned workers
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("busy", [False, True], ids=["idle", "mid-run"])
def test_workers_and_fork_server_exit_when_the_driver_is_killed(tmp_path, experiment, busy):
    """SIGKILL of the main process while its workers wait for work (the sweep is still
    setting up) or are running: within 10 s no process it started is left."""
    experiment.write_text(experiment.read_text().replace("years = 0.2", "years = 3"))
    p = _goedeburen("sweep", str(experiment), "--workers", "2", "--out", str(tmp_path / "o"))

    def workers() -> list[psutil.Process]:
        below = psutil.Process(p.pid).children(recursive=True)
        found = [q for q in below if q.ppid() != p.pid]  # forked by the fork server
        return found if len(found) >= 2 else []

    procs = _until(workers, what="two workers")
    if busy:  # a run on the CPU in each worker
        _until(lambda: sum(q.cpu_percent(0.1) > 20 for q in procs) >= 1, what="a busy worker")
    started = psutil.Process(p.pid).children(recursive=True)
    assert len(started) >= 3  # fork server, resource tracker, workers
    p.send_signal(signal.SIGKILL)
    p.wait()
    t0 = time.monotonic()
    alive = lambda: [q for q in started if q.is_running() and q.status() != "zombie"]  # noqa: E731
    while alive() and time.monotonic() - t0 < 10:
        time.sleep(0.05)
    assert not alive(), [" ".join(q.cmdline())[:90] for q in alive()]


# --------------------------------------------------------------------------------------
# a full disk, a folder that becomes read-only
# --------------------------------------------------------------------------------------
def _fail_after(monkeypatch, calls: int, code: int) -> list[Path]:
    """Make sim.io's atomic writers fail like the disk does, from the `calls`-th file on;
    returns the files that failed."""
    real = sim.io._publish
    seen: list[int] = [0]
    failed: list[Path] = []

    def publish(tmp: str, path: Path) -> None:
        seen[0] += 1
        if seen[0] >= calls:
            failed.append(Path(path))
            raise OSError(code, os.strerror(code))
        real(tmp, path)

    monkeypatch.setattr(sim.io, "_publish", publish)
    return failed


def _temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if p.name.endswith(".tmp") and p.is_file()]


@pytest.mark.parametrize(
    "code, reason",
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
)
def test_sweep_on_a_full_disk_fails_clearly_and_resumes(
    tmp_path, experiment, monkeypatch, code, reason
):
    reference = tmp_path / "reference"
    res = runner.invoke(app, ["sweep", str(experiment), "--workers", "1", "--out", str(reference)])
    assert res.exit_code == 0, res.output

    out = tmp_path / "out"
    failed = _fail_after(monkeypatch, calls=6, code=code)  # a run is 2 files: the 3rd run fails
    res = runner.invoke(app, ["sweep", str(experiment), "--workers", "1", "--out", str(out)])
    text = _one_paragraph(res.output)
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert _squeezed(f"{failed[0]}: could not be written ({reason})") in text
    assert "kept" in text and "resume" in text
    assert failed[0].parent == out / "runs"  # the file itself, not its temporary name
    kept = [json.loads(p.read_text()) for p in (out / "runs").glob("*.json")]
    assert len(kept) == 2 and all(r["status"] == "ok" for r in kept)
    assert not _temp_files(out)
    assert not (out / "runs.parquet").exists()  # no tables that look finished

    monkeypatch.undo()  # space freed
    res = runner.invoke(app, ["sweep", str(experiment), "--workers", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert _squeezed("resuming: 2 of 6 runs already done") in _one_paragraph(res.output)
    for name in ("outcomes.parquet", "timeseries.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / name), pd.read_parquet(reference / name), obj=name
        )


def test_compare_on_a_full_disk_names_the_run_file(tmp_path, monkeypatch):
    """`compare` writes each run's folder too (in the worker, here this process): the
    error names the file in the run's folder, not the temporary folder it was written in,
    and a resume after freeing space completes."""
    out = tmp_path / "cmp"
    args = ["compare", "baseline", "problem_flat", "--seeds", "2", "--years", "0.1"]
    args += ["--workers", "1", "--out", str(out)]
    failed = _fail_after(monkeypatch, calls=12, code=errno.ENOSPC)
    res = runner.invoke(app, args)
    text = _one_paragraph(res.output)
    assert res.exit_code == 2, res.output
    # sim.io was asked to write runs/<scenario>/.<seed>.<random>.tmp/<file>; the message
    # names runs/<scenario>/<seed>/<file>
    tmp_file = failed[0]
    assert tmp_file.parent.name.startswith(".") and tmp_file.parent.parent.parent == out / "runs"

    def meant(path: Path) -> Path:  # the file a write into a temporary run folder is for
        if path.parent.name.startswith("."):
            return path.parent.parent / path.parent.name.split(".")[1] / path.name
        return path

    # the first failure may be followed by others (the run's record): the message names
    # one of them, by the file it is for, never by a temporary name
    named = [f for f in failed if _squeezed(f"{meant(f)}: could not be written") in text]
    assert named, text
    assert _squeezed("(No space left on device)") in text and ".tmp" not in text
    assert not _temp_files(out)
    assert not [p for p in (out / "runs").rglob(".*") if p.is_dir()]  # no half run folder
    monkeypatch.undo()
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out / "finals.csv")) == 4 * 3  # 2 scenarios x 2 seeds x 3 groups


def test_debug_shows_the_traceback_of_a_write_error(tmp_path, experiment, monkeypatch):
    import sim.cli

    monkeypatch.setattr(sim.cli, "DEBUG", False)  # --debug sets it: put back afterwards
    _fail_after(monkeypatch, calls=1, code=errno.ENOSPC)
    out = tmp_path / "out"
    res = runner.invoke(
        app, ["--debug", "sweep", str(experiment), "--workers", "1", "--out", str(out)]
    )
    assert isinstance(res.exception, sim.io.WriteError)
    assert res.exception.errno == errno.ENOSPC
