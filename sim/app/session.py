"""One browser tab's runs: a model (or two stepping together, side by side), their weekly
history for the household stories, and the pace they were played at. Every tab makes its
own Session, so rooms with several screens never share a model.

The play loop steps the runs in a worker thread while the page may read them; all access
goes through `lock`, and a failure inside the model becomes a message, never a crash.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from sim.app.controls import Settings, SettingsError, build_scenario, comparison_scenario
from sim.app.view_model import Counters, ModelView

HISTORY_YEARS = 20  # weekly rows kept per run (older ones are dropped)


@dataclass
class History:
    """Weekly per-dwelling rows (float32), enough to retell any household's story."""

    days: list[int] = field(default_factory=list)
    rows: list[dict[str, np.ndarray]] = field(default_factory=list)

    def record(self, view: ModelView) -> None:
        day = view.day
        if self.days and day // 7 <= self.days[-1] // 7:
            return
        hh = view.model.households
        pos, neg = view.tie_counts()
        self.days.append(day)
        self.rows.append(
            {
                "household_id": np.asarray(hh.household_id, np.int64).copy(),
                "pos": pos.astype(np.int16),
                "neg": neg.astype(np.int16),
                "help_given": np.asarray(hh.help_given, np.int32).copy(),
                "help_received": np.asarray(hh.help_received, np.int32).copy(),
                "nuisance_caused": np.asarray(hh.nuisance_caused, np.int32).copy(),
                "referred": np.asarray(hh.referred, bool).copy(),
                "last_talk_day": np.asarray(hh.last_talk_day, np.int32).copy(),
                "sense_of_home": np.asarray(hh.sense_of_home, np.float32).copy(),
                "wellbeing": np.asarray(hh.wellbeing, np.float32).copy(),
            }
        )
        if len(self.days) > HISTORY_YEARS * 53:
            del self.days[0], self.rows[0]

    def of(self, dwelling: int, household_id: int) -> tuple[list[int], list[dict]]:
        """Days and rows (scalars) of household `household_id` living at `dwelling`."""
        days, rows = [], []
        for day, row in zip(self.days, self.rows):
            if int(row["household_id"][dwelling]) == household_id:
                days.append(day)
                rows.append({k: v[dwelling].item() for k, v in row.items()})
        return days, rows


class Run:
    """One model with what the page needs between frames."""

    def __init__(self, side: str, scenario, seed: int):
        self.side = side  # "main", "with" or "without": the label key of this run
        self.scenario_name = scenario.name
        self.view = ModelView(scenario, seed)
        self.history = History()
        self.history.record(self.view)
        self.before: Counters = self.view.counters()
        self.now: Counters = self.before

    def advance(self, days: int) -> None:
        self.before = self.now
        self.view.advance(days)
        self.now = self.view.counters()
        self.history.record(self.view)


class Session:
    """The runs of one tab, built from the applied settings."""

    def __init__(self, settings: Settings | None = None):
        self.lock = threading.RLock()
        self.settings = settings or Settings()
        self.runs: list[Run] = []
        self.error: str | None = None
        self.version = 0
        self.frames = 0
        self.days_played = 0
        self.seconds_playing = 0.0
        self.reset(self.settings)

    def reset(self, settings: Settings) -> bool:
        """Build the runs of `settings`; on a bad combination keep the old runs, set
        `error` and return False."""
        try:
            main = build_scenario(settings)
            other = comparison_scenario(settings)
            runs = (
                [Run("main", main, settings.seed)]
                if other is None
                else [
                    Run(
                        "without" if settings.compare == "without" else "other",
                        other,
                        settings.seed,
                    ),
                    Run("with", main, settings.seed),
                ]
            )
        except SettingsError as exc:
            return self._fail(str(exc))
        except Exception as exc:  # noqa: BLE001 (the model refused the set-up: shown, not raised)
            return self._fail(f"{type(exc).__name__}: {exc}")
        with self.lock:
            self.runs, self.settings, self.error = runs, settings, None
            self.frames = self.days_played = 0
            self.seconds_playing = 0.0
            self.version += 1
        return True

    def _fail(self, message: str) -> bool:
        with self.lock:
            self.error = message
            self.version += 1
        return False

    @property
    def day(self) -> int:
        return self.runs[0].view.day if self.runs else 0

    def advance(self, days: int) -> bool:
        """Step every run `days` days (they stay on the same day); False on a failure."""
        t0 = time.perf_counter()
        with self.lock:
            try:
                for run in self.runs:
                    run.advance(days)
            except Exception as exc:  # noqa: BLE001 (shown on the page; the server lives on)
                self.error = f"{type(exc).__name__}: {exc}"
                self.version += 1
                return False
            self.frames += 1
            self.days_played += days
            self.seconds_playing += time.perf_counter() - t0
            self.version += 1
        return True

    def gap(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Right run minus left run of an outcome series, on the days both have."""
        if len(self.runs) < 2:
            return np.zeros(0, np.int64), np.zeros(0)
        (da, va), (db, vb) = (
            r.view.series().get(column, (np.zeros(0), np.zeros(0))) for r in self.runs
        )
        n = min(len(da), len(db))
        return np.asarray(db[:n], np.int64), np.asarray(vb[:n]) - np.asarray(va[:n])
