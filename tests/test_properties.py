"""Property tests: any valid scenario keeps the model's invariants."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model import NeighbourhoodModel
from sim.scenario import Scenario

unit = st.floats(0.0, 1.0, allow_nan=False)

population = st.fixed_dictionaries(
    {
        "occupancy": st.floats(0.05, 1.0),
        "supported_share": unit,
        "children_share": unit,
        "dog_share": unit,
        "elderly_share": unit,
        "openness_mean": unit,
        "trust_institutions_mean": unit,
        "nuisance_causer_share_resident": st.floats(0.0, 0.5),
        "nuisance_causer_share_supported": unit,
        "nuisance_risk_causer": unit,
    }
)
layouts = st.sampled_from(
    [
        {"layout": "gallery_flat", "floors": 3, "dwellings_per_floor": 6},
        {"layout": "stairwell_block", "stairwells": 2, "floors": 3},
        {"layout": "corridor_tower", "floors": 4, "dwellings_per_floor": 4},
        {"layout": "row_houses", "houses": 12},
    ]
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pop=population, layout=layouts, seed=st.integers(0, 2**31 - 1), vacancy=st.integers(0, 60))
def test_invariants_hold_for_any_valid_scenario(pop, layout, seed, vacancy):
    sc = Scenario().with_overrides(
        population=pop,
        site={"buildings": [layout]},
        turnover={"vacancy_days": vacancy},
        run={"seed": seed},
    )
    m = NeighbourhoodModel(sc)
    m.run(years=120 / 365)
    hh = m.households
    n = m.site.n_dwellings
    assert hh.occupied.sum() <= n
    assert len(m.agent_at) == hh.occupied.sum()
    a, b = m.ties.split(m.ties.key)
    assert not np.any(a == b)
    assert np.all(np.diff(m.ties.key) > 0), "tie keys must stay sorted and unique"
    for col in (
        "sense_of_home",
        "safety",
        "trust_neighbours",
        "wellbeing",
        "avoidance",
        "recovery",
        "openness",
        "nuisance_risk",
    ):
        v = getattr(hh, col)[hh.occupied]
        assert np.all((v >= 0) & (v <= 1)), col
    assert np.all(hh.burden >= 0) and np.all(hh.complaints >= 0)
    ts = m.outcomes.frame()
    assert (ts["households"] <= n).all()
