"""The model works with Mesa's own tools: keyword parameters, batch_run, the DataCollector,
a network space, and steps that count simulated days from the start of the run."""

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.model import NeighbourhoodModel


def test_burn_in_is_not_counted_in_steps_and_a_subclass_step_runs_after_set_up():
    seen = []

    class Counting(NeighbourhoodModel):
        def step(self):
            seen.append(self.day)
            super().step()

    m = Counting("baseline", seed=2, years=0.1, burn_in_years=0.2)
    assert (m.steps, m.day, seen) == (0, 0, [])
    m.step()
    assert (m.steps, m.day, seen) == (1, 1, [0])


def test_running_turns_false_at_the_horizon():
    m = NeighbourhoodModel(years=10 / 365, burn_in_years=0.05, seed=1)
    while m.running:
        m.step()
    assert m.steps == m.day == 10


def test_run_equals_stepping():
    a = NeighbourhoodModel(years=0.2, burn_in_years=0.1, seed=5)
    b = NeighbourhoodModel(years=0.2, burn_in_years=0.1, seed=5)
    ticks = []
    a.run(days=60, progress=ticks.append)
    for _ in range(60):
        b.step()
    assert sum(ticks) == 60 and a.steps == b.steps == 60
    pd.testing.assert_frame_equal(a.outcomes.frame(), b.outcomes.frame(), check_exact=True)


def test_keyword_levers_change_the_scenario():
    m = NeighbourhoodModel(
        "problem_flat",
        supported_share=0.4,
        flatcoach_hours=12,
        floors=4,
        dwellings_per_floor=6,
        years=0.1,
        burn_in_years=0.05,
    )
    assert m.config.population.supported_share == 0.4
    assert m.config.allocation.supported_share == 0.4
    assert m.site.n_dwellings == 24
    coach = [iv for iv in m.config.interventions if iv.type == "flatcoach"]
    assert len(coach) == 1 and coach[0].model_dump()["hours_per_week"] == 12
    off = NeighbourhoodModel("flatcoach", flatcoach_hours=0, years=0.1, burn_in_years=0.05)
    assert not [iv for iv in off.config.interventions if iv.type == "flatcoach"]
    with pytest.raises(TypeError, match="unexpected keyword|got an unexpected"):
        NeighbourhoodModel(supported_shar=0.2)


def test_datacollector_holds_the_site_outcomes_each_period():
    m = NeighbourhoodModel(years=0.2, burn_in_years=0.1, seed=3)
    m.run()
    df = m.datacollector.get_model_vars_dataframe()
    site = m.outcomes.frame().query("building == 'all' and group == 'all'")
    assert len(df) == len(site)
    assert np.allclose(df["ties_ge1"].to_numpy(), site["ties_ge1"].to_numpy())
    assert np.allclose(df["households"].to_numpy(), site["households"].to_numpy())


def test_batch_run_over_two_parameters_gives_a_tidy_table():
    rows = mesa.batch_run(
        NeighbourhoodModel,
        parameters={
            "supported_share": [0.05, 0.4],
            "flatcoach_hours": [0, 16],
            "years": 0.15,
            "burn_in_years": 0.1,
        },
        rng=[1, 2],
        max_steps=10_000,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert len(df) == 8
    assert set(df["supported_share"]) == {0.05, 0.4}
    assert set(df["flatcoach_hours"]) == {0, 16}
    assert (df["Step"] == 49).all()  # the last weekly collection before the horizon (55 d)
    assert df["ties_ge1"].between(0, 1).all() and (df["households"] > 100).all()


def test_grid_is_a_network_with_each_household_at_its_door():
    m = NeighbourhoodModel(years=0.1, burn_in_years=0.05, seed=4)
    grid = m.grid
    assert isinstance(grid, mesa.discrete_space.Network)
    assert len(grid.agents) == len(m.agent_at) == int(m.households.occupied.sum())
    for agent in list(m.agent_at.values())[:20]:
        assert agent.cell.coordinate == agent.door_node
        assert tuple(agent.cell.position) == tuple(m.site.node_xy[agent.door_node])
    m.run(days=200)  # households move in and out: the space follows
    assert len(grid.agents) == int(m.households.occupied.sum())
