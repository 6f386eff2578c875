"""Random kill-and-resume cycles of `goedeburen compare` and `goedeburen sweep`, run as the
user runs them (subprocesses with two worker processes): SIGKILL of the main process, of a
worker, or of a worker and then the main process, each after a seeded random delay; the
same command resumes. After every kill nothing half-written looks finished and no process
of the killed command is left; the finished results equal an uninterrupted run's exactly."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import psutil

import sim

ROOT = Path(sim.__file__).resolve().parent.parent
CHAINS = 2  # output folders per command, each killed CYCLES times
CYCLES = 3  # kills per folder; each start resumes what the one before left
SEED = 14  # of the delays and of what is killed
LEFTOVER = re.compile(r"^\..+\.[a-z0-9_]{8}\.(tmp|old)$")  # sim.io's temporary names

EXPERIMENT = """
name = "killtest"
seeds = 4
years = 2

[[arms]]
name = "problem_flat"
scenario = "problem_flat"
reference = true

[[arms]]
name = "flatcoach"
scenario = "flatcoach"

[levers.factors."interventions.flatcoach.hours_per_week"]
values = [8, 16]
"""


class Command:
    """One goedeburen command line, started with a tag in its environment that its fork
    server and workers inherit: how the test finds every process it made."""

    def __init__(self, args: list[str], log: Path, out: Path, runs: int):
        self.args = [sys.executable, "-m", "sim.cli", *args]
        self.log = log
        self.out = out
        self.runs = runs  # distinct runs the command makes
        self.tag = uuid.uuid4().hex
        self.started = 0.0  # when the last cycle started it

    def runs_left(self) -> int:
        """Runs not yet recorded as finished: with none left there are no workers to kill."""
        done = 0
        for rec in (self.out / "runs").glob("*.json"):
            try:
                done += json.loads(rec.read_text()).get("status") == "ok"
            except ValueError:  # pragma: no cover - records are written atomically
                pass
        return self.runs - done

    def start(self) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if k != "GOEDEBUREN_DEBUG"}
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        env["GOEDEBUREN_KILL_TEST"] = self.tag
        with self.log.open("ab") as fh:
            return subprocess.Popen(self.args, cwd=ROOT, env=env, stdout=fh, stderr=fh)

    def processes(self) -> list[psutil.Process]:
        """Every live (not zombie) process started by this command, however reparented."""
        found = []
        for p in psutil.process_iter():
            try:
                if p.status() == psutil.STATUS_ZOMBIE:
                    continue
                if p.environ().get("GOEDEBUREN_KILL_TEST") == self.tag:
                    found.append(p)
            except psutil.Error:
                continue
        return found

    def workers(self, main: subprocess.Popen) -> list[psutil.Process]:
        """The pool's workers: forked by the fork server, so grandchildren of the main."""
        try:
            below = psutil.Process(main.pid).children(recursive=True)
        except psutil.Error:
            return []
        return [p for p in below if _ppid(p) not in (main.pid, None)]

    def assert_no_orphans(self, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while (left := self.processes()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not left, f"left running after the kill: {[_describe(p) for p in left]}"


def _ppid(p: psutil.Process) -> int | None:
    try:
        return p.ppid()
    except psutil.Error:
        return None


def _describe(p: psutil.Process) -> str:
    try:
        return f"{p.pid} {' '.join(p.cmdline())[:80]}"
    except psutil.Error:
        return str(p.pid)


def _wait(p: subprocess.Popen, seconds: float) -> bool:
    """Poll until the process ends or `seconds` pass; whether it ended."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if p.poll() is not None:
            return True
        time.sleep(0.02)
    return p.poll() is not None


def _finish(cmd: Command, timeout: float = 120.0) -> float:
    """Run the command to its end; its wall time."""
    t0 = time.monotonic()
    p = cmd.start()
    assert _wait(p, timeout), "the command did not finish"
    assert p.returncode == 0, cmd.log.read_text()[-3000:]
    cmd.assert_no_orphans()
    return time.monotonic() - t0


def _kill_cycle(cmd: Command, rng: random.Random, span: float) -> str:
    """Start the command, kill something in it after a random delay, wait until every
    process of it is gone; what was killed ("none": it finished first). `span`: how long
    a run of it from this state takes. The main process is killed at any moment of that
    span (start-up, runs, tables, report); a worker within 0.4 s of the workers being up
    (a run takes about 0.3 s), and for "worker+main" the main process a little later too
    (while the lost run is submitted again)."""
    target = rng.choice(["main", "worker", "worker+main"]) if cmd.runs_left() else "main"
    first, second = rng.uniform(0.2, span), rng.uniform(0.0, span / 3)
    cmd.started = time.monotonic()
    p = cmd.start()
    if target == "main":
        if _wait(p, first):
            assert p.returncode == 0, cmd.log.read_text()[-3000:]
            return "none"
        return _kill_main(cmd, p)
    deadline = time.monotonic() + 60
    while not (workers := cmd.workers(p)) and p.poll() is None:
        assert time.monotonic() < deadline, "no worker started"
        time.sleep(0.02)
    if _wait(p, rng.uniform(0.0, 0.4)) or not workers:
        assert p.returncode == 0, cmd.log.read_text()[-3000:]
        return "none"
    try:
        rng.choice(workers).send_signal(signal.SIGKILL)
    except psutil.NoSuchProcess:  # it had just ended
        return _kill_main(cmd, p)
    if target == "worker+main" and not _wait(p, second):
        return _kill_main(cmd, p, "worker+main")
    # the driver replaces the lost worker, submits its run again and finishes on its own
    assert _wait(p, 120), "the sweep did not recover from a killed worker"
    assert p.returncode == 0, cmd.log.read_text()[-3000:]
    cmd.assert_no_orphans()
    return "worker"


def _kill_main(cmd: Command, p: subprocess.Popen, what: str = "main") -> str:
    p.send_signal(signal.SIGKILL)
    p.wait()
    cmd.assert_no_orphans()
    return what


def _assert_nothing_partial_is_complete(out: Path) -> None:
    """What a later run takes as finished is whole: every run record marked ok has its
    table; every run folder with a manifest holds exactly the files the manifest lists,
    each readable; every top-level table reads."""
    runs = out / "runs"
    for rec_path in runs.glob("*.json") if runs.is_dir() else []:
        rec = json.loads(rec_path.read_text())
        if rec.get("status") == "ok":
            pd.read_parquet(runs / f"{rec['key']}.parquet")
    for manifest in out.glob("runs/*/*/manifest.json"):
        folder = manifest.parent
        listed = set(json.loads(manifest.read_text())["files"])
        present = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        assert listed == present, folder
        for name in listed:
            if name.endswith(".parquet"):
                pd.read_parquet(folder / name)
    for table in out.glob("*.parquet"):
        pd.read_parquet(table)
    for table in out.glob("*.csv"):
        pd.read_csv(table)


def _leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob(".*") if LEFTOVER.match(p.name)]


def _same_runs_table(a: Path, b: Path, keys: bool = True) -> None:
    """runs.parquet: the same runs, keys and status (its seconds and attempts are how it
    went, not what it found; a comparison's keys hold the folder it writes to)."""
    cols = ["run", "arm", "point", "seed", "status"] + (["key"] if keys else [])
    ra, rb = pd.read_parquet(a / "runs.parquet"), pd.read_parquet(b / "runs.parquet")
    pd.testing.assert_frame_equal(ra[cols], rb[cols])
    assert (rb["status"] == "ok").all()


def _cycles(
    make: Callable[[Path, Path], Command], tmp_path: Path, name: str
) -> tuple[Path, list[Path]]:
    """An uninterrupted run, then CHAINS folders each killed CYCLES times at random and
    resumed each time, then the resume that finishes it; the reference folder and the
    killed ones. A start that finishes before its kill is one more resume, not a cycle.
    A resume has less left to do than the one before, so the delays shrink to the time the
    last uninterrupted resume took (else later kills would miss)."""
    reference = tmp_path / f"{name}_reference"
    full = _finish(make(reference, tmp_path / f"{name}_reference.log"))
    rng = random.Random(f"{SEED}-{name}")
    folders, killed = [], []
    for chain in range(CHAINS):
        resumed = tmp_path / f"{name}_killed_{chain}"
        cmd = make(resumed, tmp_path / f"{name}_killed_{chain}.log")
        span, kills = full, 0
        for _ in range(3 * CYCLES):  # a cycle that finished before its kill does not count
            what = _kill_cycle(cmd, rng, span)
            if what == "none":
                span = max(0.5, time.monotonic() - cmd.started)
            killed.append(what)
            _assert_nothing_partial_is_complete(resumed)
            kills += what != "none"
            if kills == CYCLES:
                break
        assert kills == CYCLES, killed
        _finish(cmd)
        assert not _leftovers(resumed), _leftovers(resumed)
        meta = json.loads((resumed / "meta.json").read_text())
        assert meta["status"] == {"ok": meta["runs"]}
        folders.append(resumed)
    kills = sum(k != "none" for k in killed)
    print(f"{name}: {kills} kill-and-resume cycles ({len(killed)} started): {killed}")
    assert {"main", "worker"} <= {k.split("+")[0] for k in killed}, killed
    return reference, folders


def test_compare_killed_at_random_resumes_to_the_same_tables(tmp_path):
    def make(out: Path, log: Path) -> Command:
        args = ["compare", "baseline", "problem_flat", "--seeds", "4", "--years", "2"]
        return Command([*args, "--workers", "2", "--out", str(out)], log, out, runs=8)

    reference, folders = _cycles(make, tmp_path, "compare")
    for resumed in folders:
        _same_as_compare(reference, resumed)


def _same_as_compare(reference: Path, resumed: Path) -> None:
    for name in ("finals.csv", "summary.csv", "effects.csv"):
        assert (resumed / name).read_bytes() == (reference / name).read_bytes(), name
    for name in ("outcomes.parquet", "timeseries.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(resumed / name), pd.read_parquet(reference / name), obj=name
        )
    _same_runs_table(reference, resumed, keys=False)
    folders = sorted(
        p.parent.relative_to(reference) for p in reference.glob("runs/*/*/manifest.json")
    )
    assert len(folders) == 8
    assert folders == sorted(
        p.parent.relative_to(resumed) for p in resumed.glob("runs/*/*/manifest.json")
    )
    for folder in folders:
        for table in ("timeseries", "households", "ties"):
            pd.testing.assert_frame_equal(
                pd.read_parquet(resumed / folder / f"{table}.parquet"),
                pd.read_parquet(reference / folder / f"{table}.parquet"),
                obj=f"{folder}/{table}",
            )
    assert (resumed / "trajectories.png").stat().st_size > 0


def test_sweep_killed_at_random_resumes_to_the_same_tables(tmp_path):
    experiment = tmp_path / "killtest.toml"
    experiment.write_text(EXPERIMENT)

    def make(out: Path, log: Path) -> Command:
        args = ["sweep", str(experiment), "--workers", "2", "--out", str(out)]
        return Command(args, log, out, runs=12)

    reference, folders = _cycles(make, tmp_path, "sweep")
    for resumed in folders:
        _same_as_sweep(reference, resumed)


def _same_as_sweep(reference: Path, resumed: Path) -> None:
    for name in ("outcomes.parquet", "timeseries.parquet", "interventions.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(resumed / name), pd.read_parquet(reference / name), obj=name
        )
    _same_runs_table(reference, resumed)
    # 2 arms x 2 lever points x 4 seeds; the reference arm's points are one run each seed
    runs = pd.read_parquet(resumed / "runs.parquet")
    assert len(runs) == 16 and runs["key"].nunique() == 12
