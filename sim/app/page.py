"""The Solara entry point (`Page`): header with the date and play controls, the settings,
the building view(s) with the design edits and the household story, and the time series.

Each browser tab renders its own `Page`, so `use_memo` gives it its own `Session` (its own
models). Settings are collected on the side and applied on "Start again".
"""

from __future__ import annotations

import threading
import time

import solara

from sim.app import controls as ctl
from sim.app.building_view import BuildingSvg, Legend, frame_state, geometry_for
from sim.app.charts import CHARTS, LineChart, chart_data, chart_title
from sim.app.i18n import t
from sim.app.palette import SERIES
from sim.app.session import Session
from sim.app.story import household_story, story_chart_series, when

FRAME_SECONDS = 0.12  # shortest time between two frames while playing
MAX_YEARS = 30  # playing stops here (the history keeps 20 years)
_BIG = {"font-size": "20px"}


@solara.component
def Page() -> solara.Element:
    session: Session = solara.use_memo(Session, [])
    version, set_version = solara.use_state(session.version)
    pending, set_pending = solara.use_state(session.settings)
    playing, set_playing = solara.use_state(False)
    lang, set_lang = solara.use_state("nl")
    colour_by, set_colour_by = solara.use_state("group")
    show_ties, set_show_ties = solara.use_state(True)
    days_per_frame, set_days_per_frame = solara.use_state(7)
    selected, set_selected = solara.use_state(None)  # (run index, dwelling) or None
    gap_metric, set_gap_metric = solara.use_state("mean_ties")

    def play_loop(cancel: threading.Event) -> None:
        if not playing:
            return
        start, frames0, days0 = time.perf_counter(), session.frames, session.days_played
        while not cancel.is_set():
            t0 = time.perf_counter()
            ok = session.advance(days_per_frame)
            set_version(session.version)
            session.play_rate = (
                (session.days_played - days0) / (time.perf_counter() - start),
                (session.frames - frames0) / (time.perf_counter() - start),
            )
            if not ok or session.day >= MAX_YEARS * 365:
                set_playing(False)
                return
            cancel.wait(max(0.0, FRAME_SECONDS - (time.perf_counter() - t0)))

    solara.use_thread(play_loop, dependencies=[playing, days_per_frame], intrusive_cancel=False)

    def step() -> None:
        session.advance(days_per_frame)
        set_version(session.version)

    def reset() -> None:
        set_playing(False)
        if session.reset(pending):
            set_selected(None)
        set_version(session.version)

    with solara.Column(style={"padding": "12px", "gap": "10px"}, classes=["gb-app"]) as main:
        solara.Style(
            ".gb-app, .gb-app .v-label, .gb-app .v-btn { font-size: 18px; }"
            ".gb-app .v-input__slot label { font-size: 18px; }"
        )
        _Header(
            session,
            version,
            lang,
            set_lang,
            playing,
            set_playing,
            step,
            reset,
            days_per_frame,
            set_days_per_frame,
        )
        if session.error:
            solara.Error(f"{t('error', lang)}: {session.error}", classes=["gb-error"])
        if pending != session.settings:
            solara.Warning(t("pending", lang), classes=["gb-pending"])
        with solara.Row(style={"gap": "16px", "align-items": "flex-start"}):
            with solara.Column(style={"width": "360px", "min-width": "360px"}):
                _Settings(pending, set_pending, lang)
            with solara.Column(style={"flex": "1", "min-width": "0"}):
                _Buildings(
                    session,
                    version,
                    lang,
                    colour_by,
                    set_colour_by,
                    show_ties,
                    set_show_ties,
                    selected,
                    set_selected,
                )
                _DesignEdits(pending, set_pending, lang)
                if selected is not None and selected[0] < len(session.runs):
                    _StoryPanel(session, version, selected, lang, lambda: set_selected(None))
                _Charts(session, version, lang, gap_metric, set_gap_metric)
    return main


@solara.component
def _Header(
    session: Session,
    version: int,
    lang,
    set_lang,
    playing,
    set_playing,
    step,
    reset,
    days_per_frame,
    set_days_per_frame,
) -> solara.Element:
    with solara.Row(style={"align-items": "center", "gap": "16px", "flex-wrap": "wrap"}) as row:
        solara.HTML(
            tag="h1",
            unsafe_innerHTML=t("title", lang),
            style={"font-size": "30px", "margin": "0 12px 0 0"},
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=when(session.day, lang),
            classes=["gb-date"],
            style={"font-size": "28px", "font-weight": "bold"},
        )
        solara.Button(
            t("step", lang),
            on_click=step,
            disabled=playing,
            color="primary",
            classes=["gb-step"],
            style=_BIG,
        )
        solara.Button(
            t("pause", lang) if playing else t("play", lang),
            on_click=lambda: set_playing(not playing),
            color="primary",
            classes=["gb-play"],
            style=_BIG,
        )
        solara.Button(t("reset", lang), on_click=reset, classes=["gb-reset"], style=_BIG)
        solara.Select(
            t("speed", lang),
            value=days_per_frame // 7 if days_per_frame >= 7 else 1,
            values=[1, 2, 4],
            on_value=lambda w: set_days_per_frame(7 * int(w)),
            style={"max-width": "170px"},
        )
        solara.ToggleButtonsSingle(
            value=lang,
            on_value=set_lang,
            classes=["gb-lang"],
            children=[
                solara.Button("Nederlands", value="nl", style={"text-transform": "none"}),
                solara.Button("English", value="en", style={"text-transform": "none"}),
            ],
        )
        rate = getattr(session, "play_rate", None)
        if playing and rate:
            solara.Text(
                t("speed_note", lang, days=rate[0], frames=rate[1]),
                classes=["gb-rate"],
                style={"font-size": "16px"},
            )
    return row


@solara.component
def _Settings(pending: ctl.Settings, set_pending, lang: str) -> solara.Element:
    base = solara.use_memo(lambda: _base_or_none(pending.scenario), [pending.scenario])
    measures = _effective(pending, "measures")
    pop = base.population if base else None
    with solara.Card(t("settings", lang), classes=["gb-settings"]) as card:
        solara.Select(
            t("scenario", lang),
            value=pending.scenario,
            values=ctl.shipped_scenarios(),
            on_value=lambda v: set_pending(
                lambda p: ctl.Settings(scenario=v, seed=p.seed, compare=p.compare)
            ),
        )
        solara.InputInt(
            t("seed", lang),
            value=pending.seed,
            classes=["gb-seed"],
            on_value=lambda v: set_pending(lambda p: p.with_(seed=int(v))),
        )
        share = (
            pending.supported_share
            if pending.supported_share is not None
            else (pop.supported_share if pop else 0.1)
        )
        _Slider(
            t("supported_share", lang),
            share,
            0.0,
            0.6,
            0.01,
            lambda v: set_pending(lambda p: p.with_(supported_share=v)),
            percent=True,
        )
        trust = (
            pending.trust
            if pending.trust is not None
            else (pop.trust_neighbours_mean if pop else 0.5)
        )
        _Slider(
            t("trust", lang),
            trust,
            0.05,
            0.95,
            0.05,
            lambda v: set_pending(lambda p: p.with_(trust=v)),
            percent=True,
        )
        solara.HTML(tag="h3", unsafe_innerHTML=t("interventions", lang))
        for m in ctl.MEASURES:
            _MeasureSwitch(pending, set_pending, measures, m, base, lang)
        solara.HTML(tag="h3", unsafe_innerHTML=t("compare", lang))
        labels = {"none": t("compare_none", lang), "without": t("compare_without", lang)}
        values = ["none", "without", *ctl.shipped_scenarios()]
        solara.Select(
            t("compare", lang),
            value=labels.get(pending.compare, pending.compare),
            values=[labels.get(v, t("compare_scenario", lang, name=v)) for v in values],
            on_value=lambda lab: set_pending(
                lambda p: p.with_(compare=_compare_key(lab, labels, lang))
            ),
            classes=["gb-compare"],
        )
    return card


def _Slider(
    label: str, value: float, lo: float, hi: float, step: float, on_value, percent: bool = False
) -> None:
    """A slider with its label and value above it (long Dutch labels do not fit beside)."""
    shown = f"{value * 100:.0f}%" if percent else f"{value:g}"
    solara.Text(
        f"{label}: {shown}", style={"font-size": "17px", "display": "block", "margin-top": "8px"}
    )
    solara.SliderFloat("", value=value, min=lo, max=hi, step=step, on_value=on_value)


def _compare_key(label: str, labels: dict[str, str], lang: str) -> str:
    for key, text in labels.items():
        if text == label:
            return key
    for name in ctl.shipped_scenarios():
        if t("compare_scenario", lang, name=name) == label:
            return name
    return "none"


def _effective(p: ctl.Settings, what: str) -> frozenset[str]:
    """The measures or design edits `p` stands for (the scenario's own while unchanged);
    updates start from the latest settings, so quick clicks never undo each other."""
    chosen = p.measures if what == "measures" else p.design
    if chosen is not None:
        return chosen
    base = _base_or_none(p.scenario)
    if base is None:
        return frozenset()
    return ctl.scenario_measures(base) if what == "measures" else ctl.scenario_design(base)


def _base_or_none(name: str):
    try:
        return ctl.base_scenario(name)
    except ctl.SettingsError:
        return None


@solara.component
def _MeasureSwitch(pending, set_pending, measures, m, base, lang) -> solara.Element:
    def toggle(on: bool) -> None:
        def update(p: ctl.Settings) -> ctl.Settings:
            now = _effective(p, "measures")
            return p.with_(measures=(now | {m}) if on else (now - {m}))

        set_pending(update)

    with solara.Column(gap="0px") as col:
        solara.Switch(
            label=t(m, lang), value=m in measures, on_value=toggle, classes=[f"gb-measure-{m}"]
        )
        if m in ctl.SLIDERS and m in measures:
            _key, lo, hi, step = ctl.SLIDERS[m]
            value = pending.sliders.get(m, ctl.slider_value(base, m) if base else lo)
            label = {
                "flatcoach": "flatcoach_hours",
                "allocation_by_motivation": "allocation_share",
                "connectors": "connectors_per_100",
            }[m]
            _Slider(
                t(label, lang),
                value,
                lo,
                hi,
                step,
                lambda v: set_pending(lambda p: p.with_(sliders={**p.sliders, m: float(v)})),
                percent=m == "allocation_by_motivation",
            )
    return col


@solara.component
def _DesignEdits(pending: ctl.Settings, set_pending, lang: str) -> solara.Element:
    design = solara.use_memo(lambda: _effective(pending, "design"), [pending])
    with solara.Row(
        style={"flex-wrap": "wrap", "gap": "18px", "align-items": "center"}, classes=["gb-design"]
    ) as row:
        solara.Text(t("design", lang) + ":", style={"font-weight": "bold", "font-size": "18px"})
        for edit in ctl.DESIGN_EDITS:
            with solara.Div(classes=[f"gb-design-{edit}"]):
                solara.Checkbox(
                    label=t(edit, lang),
                    value=edit in design,
                    on_value=lambda on, e=edit: set_pending(
                        lambda p: p.with_(
                            design=(_effective(p, "design") | {e})
                            if on
                            else (_effective(p, "design") - {e})
                        )
                    ),
                )
    return row


@solara.component
def _Buildings(
    session: Session,
    version: int,
    lang,
    colour_by,
    set_colour_by,
    show_ties,
    set_show_ties,
    selected,
    set_selected,
) -> solara.Element:
    with solara.Column(gap="6px") as col:
        with solara.Row(style={"align-items": "center", "gap": "20px", "flex-wrap": "wrap"}):
            solara.ToggleButtonsSingle(
                value=colour_by,
                on_value=set_colour_by,
                children=[
                    solara.Button(
                        t("by_group" if c == "group" else c, lang),
                        value=c,
                        style={"font-size": "16px", "text-transform": "none"},
                    )
                    for c in ctl.COLOUR_BY
                ],
                classes=["gb-colour-by"],
            )
            solara.Checkbox(label=t("show_ties", lang), value=show_ties, on_value=set_show_ties)
        Legend(colour_by, lang, show_ties)
        with solara.Row(style={"gap": "12px", "align-items": "flex-start"}), session.lock:
            for i, run in enumerate(session.runs):
                geo = geometry_for(run, lang)
                state = frame_state(run, geo, colour_by, show_ties, lang)
                with solara.Column(style={"flex": "1", "min-width": "0"}, classes=[f"gb-run-{i}"]):
                    # the title is always there (hidden for one run), so the drawing keeps
                    # its place among the children and its widget across a reset
                    name = (
                        t("side_with", lang)
                        if run.side == "with"
                        else t("side_without", lang)
                        if run.side == "without"
                        else run.scenario_name
                    )
                    solara.HTML(
                        tag="h2",
                        unsafe_innerHTML=name,
                        style={
                            "font-size": "24px",
                            "margin": "0",
                            "display": "block" if len(session.runs) > 1 else "none",
                        },
                    )
                    sel = selected[1] if selected and selected[0] == i else -1
                    BuildingSvg(
                        geometry=geo.data,
                        state=state,
                        selected=sel,
                        max_height=620 if len(session.runs) == 1 else 480,
                        event_select=lambda d, i=i: set_selected((i, int(d))),
                    )
        solara.Text(t("click_hint", lang), style={"font-size": "16px", "color": "#424242"})
    return col


@solara.component
def _StoryPanel(session: Session, version: int, selected, lang, close) -> solara.Element:
    run_index, dwelling = selected
    with session.lock:
        run = session.runs[run_index]
        try:
            story = household_story(run, dwelling, lang)
        except ValueError as exc:
            return solara.Error(str(exc))
    with solara.Card(story.heading, classes=["gb-story"]) as card:
        for line in story.lines:
            solara.Text(line, style={"font-size": "19px", "display": "block", "color": "#212121"})
        with solara.Row(
            style={
                "gap": "24px",
                "align-items": "flex-start",
                "flex-wrap": "wrap",
                "margin-top": "8px",
            }
        ):
            with solara.Div(style={"width": "520px", "max-width": "100%"}):
                if len(story.days) > 1:
                    LineChart(
                        chart=chart_data(
                            "story", t("story_states", lang), story_chart_series(story, lang)
                        )
                    )
                else:
                    solara.Text(t("no_history", lang), style={"font-size": "17px"})
            rows = "".join(
                f"<tr><td style='padding-right:14px;white-space:nowrap;"
                f"vertical-align:top'>{d}</td><td>{what}</td></tr>"
                for d, what in reversed(story.events)
            )
            solara.HTML(
                tag="table",
                unsafe_innerHTML=rows,
                classes=["gb-story-events"],
                style={
                    "font-size": "18px",
                    "max-height": "300px",
                    "overflow-y": "auto",
                    "display": "block",
                    "flex": "1",
                    "min-width": "320px",
                },
            )
        solara.Button(t("close", lang), on_click=close, classes=["gb-story-close"])
    return card


@solara.component
def _Charts(session: Session, version: int, lang, gap_metric, set_gap_metric) -> solara.Element:
    with session.lock:
        runs = list(session.runs)
        series = [r.view.series() for r in runs]
        gap = session.gap(gap_metric) if len(runs) > 1 else None
    names = [
        t("side_with", lang)
        if r.side == "with"
        else t("side_without", lang)
        if r.side == "without"
        else r.scenario_name
        for r in runs
    ]
    with solara.Column(gap="6px") as col:
        solara.HTML(
            tag="h2",
            unsafe_innerHTML=t("charts", lang),
            style={"font-size": "24px", "margin": "8px 0 0 0"},
        )
        if gap is not None:
            with solara.Row(style={"align-items": "center", "gap": "12px"}):
                solara.Select(
                    t("gap_metric", lang),
                    value=chart_title(gap_metric, lang),
                    values=[chart_title(k, lang) for k in CHARTS],
                    on_value=lambda v: set_gap_metric(
                        next(k for k in CHARTS if chart_title(k, lang) == v)
                    ),
                    style={"max-width": "520px"},
                )
            with solara.Div(classes=["gb-gap"], style={"max-width": "860px"}):
                LineChart(
                    chart=chart_data(
                        "gap",
                        f"{t('gap', lang)}: {chart_title(gap_metric, lang)}",
                        [(t("gap", lang), "#000000", *gap)],
                        zero_line=True,
                    )
                )
        with solara.Div(
            style={
                "display": "grid",
                "gap": "14px",
                "grid-template-columns": "repeat(auto-fill, minmax(340px, 1fr))",
            }
        ):
            for key in CHARTS:
                lines = [
                    (name, SERIES[i % len(SERIES)], *s[key])
                    for i, (name, s) in enumerate(zip(names, series))
                    if key in s
                ]
                LineChart(chart=chart_data(key, chart_title(key, lang), lines))
    return col
