"""The app without a browser: settings → scenarios, geometry of every layout, sessions
stepping side by side, stories, and the page in Solara's test renderer."""

from __future__ import annotations

import ipyvuetify as v
import numpy as np
import pytest
import solara

from sim.app import controls as ctl
from sim.app.building_view import frame_state, geometry_for
from sim.app.charts import chart_data
from sim.app.geometry import build_geometry
from sim.app.i18n import keys, t
from sim.app.session import Session
from sim.app.story import household_story
from sim.building import build_site_from
from sim.scenario import load_scenario

LAYOUT_SCENARIOS = ("baseline", "stairwell_block", "corridor_tower", "row_houses", "neighbourhood")


# --- settings -------------------------------------------------------------------------
def test_settings_follow_the_scenario_until_changed():
    sc = ctl.build_scenario(ctl.Settings(scenario="flatcoach"))
    assert [s.type for s in sc.interventions] == ["flatcoach"]
    off = ctl.build_scenario(ctl.Settings(scenario="flatcoach", measures=frozenset()))
    assert off.interventions == []


def test_switching_a_measure_on_uses_its_slider():
    s = ctl.Settings(
        measures=frozenset({"flatcoach", "connectors"}),
        sliders={"flatcoach": 24.0},
        supported_share=0.3,
        trust=0.2,
    )
    sc = ctl.build_scenario(s)
    specs = {x.type: x.model_dump() for x in sc.interventions}
    assert specs["flatcoach"]["hours_per_week"] == 24.0
    assert "connectors" in specs
    assert sc.population.supported_share == sc.allocation.supported_share == 0.3
    assert sc.population.trust_neighbours_mean == 0.2


def test_design_edits_become_one_design_intervention():
    s = ctl.Settings(design=frozenset({"bench", "garden", "closed_gallery"}))
    (spec,) = ctl.build_scenario(s).interventions
    d = spec.model_dump()
    assert d["type"] == "design" and d["bench"] and d["gallery"] == "closed"
    assert d["rooms"] == [{"kind": "garden", "building": 0}]
    assert ctl.scenario_design(load_scenario("design_shared_rooms")) == {
        "bench",
        "garden",
        "hobby_room",
        "laundry",
    }


def test_bad_combination_is_a_message_not_a_crash():
    with pytest.raises(ctl.SettingsError, match="supported_share"):
        ctl.build_scenario(ctl.Settings(supported_share=1.5))
    with pytest.raises(ctl.SettingsError, match="no such scenario"):
        ctl.build_scenario(ctl.Settings(scenario="nope"))
    with pytest.raises(ctl.SettingsError, match="seed"):
        ctl.build_scenario(ctl.Settings(seed=-5))
    session = Session()
    before = session.runs
    assert not session.reset(
        ctl.Settings(sliders={"flatcoach": 99.0}, measures=frozenset({"flatcoach"}))
    )
    assert "hours_per_week" in session.error
    assert session.runs is before  # the old run keeps going


def test_comparison_without_measures_is_the_same_run():
    session = Session(ctl.Settings(compare="without"))
    left, right = session.runs
    assert left.side == "without" and right.side == "with"
    for _ in range(6):
        session.advance(7)
    assert left.view.day == right.view.day == 42
    days, gap = session.gap("mean_ties")
    assert len(days) == 7 and np.all(gap == 0.0)  # same seed, same scenario


def test_a_measure_opens_a_gap():
    session = Session(
        ctl.Settings(
            scenario="problem_flat",
            compare="without",
            measures=frozenset({"flatcoach"}),
            sliders={"flatcoach": 40.0},
        )
    )
    session.advance(365)
    _, gap = session.gap("cost_eur")
    assert gap[-1] > 0
    assert session.runs[1].view.coaches() and not session.runs[0].view.coaches()


# --- geometry -------------------------------------------------------------------------
def _check_drawn_once(site, geo) -> np.ndarray:
    """Every dwelling is one rectangle inside the picture, none overlapping another."""
    rects = np.array(geo.data["dwellings"])
    assert len(rects) == site.n_dwellings
    x0, _, w, h = map(float, geo.data["viewbox"].split())
    assert (rects[:, 0] >= x0).all() and (rects[:, 0] + rects[:, 2] <= x0 + w).all()
    assert (rects[:, 1] >= 0).all() and (rects[:, 1] + rects[:, 3] <= h).all()
    for i in range(len(rects)):
        a = rects[i]
        ov = (
            (rects[:, 0] < a[0] + a[2] - 1e-6)
            & (a[0] < rects[:, 0] + rects[:, 2] - 1e-6)
            & (rects[:, 1] < a[1] + a[3] - 1e-6)
            & (a[1] < rects[:, 1] + rects[:, 3] - 1e-6)
        )
        assert ov.sum() == 1, i
    return rects


@pytest.mark.parametrize("name", LAYOUT_SCENARIOS)
def test_every_layout_draws_each_dwelling_once(name):
    site = build_site_from(load_scenario(name))
    geo = build_geometry(site)
    rects = _check_drawn_once(site, geo)
    assert len(geo.data["streets"]) == (2 if name == "row_houses" else 1)  # 4 rows of 20
    # higher floors are drawn higher up
    f = np.asarray(site.dwelling_floor)
    if f.max() > 0:
        assert rects[f == f.max(), 1].max() < rects[f == 0, 1].min()


def test_a_wide_district_is_drawn_in_rows():
    flat = {"layout": "gallery_flat", "floors": 4, "dwellings_per_floor": 14}
    block = {"layout": "stairwell_block", "stairwells": 4, "floors": 4, "dwellings_per_landing": 2}
    sc = load_scenario("baseline").with_overrides(site={"buildings": [flat] * 5 + [block] * 4})
    site = build_site_from(sc)
    geo = build_geometry(site)
    rects = _check_drawn_once(site, geo)
    assert len(geo.data["streets"]) >= 2
    _, _, w, h = map(float, geo.data["viewbox"].split())
    assert w / h < 4  # not a thin strip
    # a building stays in one piece: its dwellings share one row
    b = np.asarray(site.dwelling_building)
    tops = {k: rects[b == k, 1].min() for k in range(b.max() + 1)}
    assert len(set(np.round(list(tops.values())))) >= 2


def test_geometry_shows_lifts_stairs_entrance_and_outdoor_spaces():
    geo = build_geometry(build_site_from(load_scenario("baseline")), "en").data
    assert len(geo["lifts"]) == 2 and len(geo["stairs"]) == 20 and len(geo["doors"]) == 1
    assert {p["label"] for p in geo["places"]} == {
        "playground",
        "dog field",
        "park",
        "shops",
        "community centre",
    }
    assert {m["kind"] for m in geo["small"]} == {"mailbox", "bins", "bike_storage"}
    nb = build_geometry(build_site_from(load_scenario("neighbourhood"))).data
    assert [b["label"] for b in nb["buildings"]] == [f"Gebouw {k}" for k in (1, 2, 3, 4)]


def test_frame_state_colours_ties_and_marks():
    session = Session()
    run = session.runs[0]
    session.advance(14)
    geo = geometry_for(run, "nl")
    state = frame_state(run, geo, "group", True, "nl")
    n = run.view.n_dwellings
    assert len(state["colours"]) == len(state["titles"]) == n
    (pa, _), _ = run.view.tie_pairs()
    assert state["pos"].count("M") == len(pa) > 0
    assert len(state["talked"]) + len(state["helped"]) + len(state["nuisance"]) > 0
    vacant = np.flatnonzero(~run.view.occupied)
    if len(vacant):
        assert state["colours"][vacant[0]] == "#F2F2F2"
    by_state = frame_state(run, geo, "sense_of_home", False, "en")
    assert by_state["pos"] == "" and len(set(by_state["colours"])) > 3


# --- stories and labels -----------------------------------------------------------------
def test_household_story_tells_ties_and_events():
    session = Session()
    run = session.runs[0]
    for _ in range(20):
        session.advance(7)
    occupied = np.flatnonzero(run.view.occupied)
    stories = [household_story(run, int(d), "en") for d in occupied]
    assert all(s.lines and s.heading.startswith("This household's story") for s in stories)
    assert any(s.events for s in stories)
    assert all(len(s.days) == len(s.sense_of_home) >= 2 for s in stories)
    knows = [s for s in stories if s.lines[2].startswith("Knows well now")]
    assert knows
    with pytest.raises(ValueError, match="does not exist"):
        household_story(run, 10_000)


def test_every_label_has_dutch_and_english():
    for key in keys():
        assert t(key, "nl") and t(key, "en")
    assert t("step", "nl") == "Stap" and t("step", "en") == "Step"


def test_chart_scales_points_into_the_box():
    c = chart_data(
        "x", "x", [("a", "#000", np.arange(0, 700, 7), np.linspace(-2, 5, 100))], zero_line=True
    )
    pts = np.array([p.split(",") for p in c["series"][0]["points"].split()], float)
    assert len(pts) == 100
    assert pts[:, 0].min() >= c["left"] and pts[:, 0].max() <= c["width"]
    assert pts[:, 1].min() >= 0 and pts[:, 1].max() <= c["height"]
    assert c["zero"] is not None


# --- the page in Solara's test renderer -------------------------------------------------
def _widgets(root):
    yield root
    for child in getattr(root, "children", None) or []:
        if hasattr(child, "comm") or hasattr(child, "children"):
            yield from _widgets(child)


def _html(box, cls: str) -> list[str]:
    return [
        w.unsafe_innerHTML
        for w in _widgets(box)
        if cls in (getattr(w, "attributes", None) or {}).get("class", "").split()
    ]


def _cards(box, cls: str) -> list:
    return [w for w in _widgets(box) if isinstance(w, v.Card) and cls in w.class_.split()]


def test_page_steps_switches_language_and_opens_a_story():
    from sim.app.page import Page

    box, rc = solara.render(Page(), handle_error=False)
    assert _html(box, "gb-date") == ["Jaar 1, week 1"]
    rc.find(v.Btn, children=["Stap"]).widget.click()
    assert _html(box, "gb-date") == ["Jaar 1, week 2"]
    rc.find(v.BtnToggle, class_="gb-lang").widget.v_model = 1  # the second button: English
    rc.find(v.Btn, children=["Step"]).assert_single()
    assert _html(box, "gb-date") == ["Year 1, week 2"]
    (building,) = [w for w in _widgets(box) if hasattr(w, "geometry")]
    assert len(building.geometry["dwellings"]) == 140
    assert not _cards(box, "gb-story")
    building.vue_select(5)  # what a click in the browser calls
    (story,) = _cards(box, "gb-story")
    assert "This household's story: floor 0, home 6" in repr(story)
    assert building.selected == 5
