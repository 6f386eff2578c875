"""Outcomes are declared once (sim/outcomes.py) and a run's results read as a long table
and a plot."""

import matplotlib

matplotlib.use("Agg")

from sim.outcomes import MEAN_COLUMNS, OUTCOMES, site_values  # noqa: E402
from sim.run import run_model  # noqa: E402
from sim.scenario import Scenario  # noqa: E402


def _small():
    return run_model(
        Scenario().with_overrides(
            site={"buildings": [{"layout": "gallery_flat", "floors": 3, "dwellings_per_floor": 6}]},
            run={"years": 0.3, "burn_in_years": 0.1, "seed": 2},
        )
    )


def test_every_column_of_the_time_series_is_declared_with_a_label_and_unit():
    r = _small()
    declared = {o.name for o in OUTCOMES}
    data_columns = set(r.timeseries.columns) - {
        "day",
        "year",
        "building",
        "group",
        "scenario",
        "seed",
    }
    assert data_columns == declared
    assert all(
        o.label and o.unit and o.kind in ("household", "event", "cumulative") for o in OUTCOMES
    )
    assert len(MEAN_COLUMNS) == sum(o.kind == "household" for o in OUTCOMES) - 1


def test_to_df_is_long_with_labels_and_matches_the_wide_table():
    r = _small()
    df = r.to_df()
    assert {"scenario", "seed", "day", "year", "group", "outcome", "value", "label", "unit"} <= set(
        df.columns
    )
    ts = r.timeseries
    last = ts[(ts["building"] == "all") & (ts["group"] == "all")].iloc[-1]
    row = df[(df["outcome"] == "ties_ge1") & (df["group"] == "all") & (df["day"] == last["day"])]
    assert float(row["value"].iloc[0]) == float(last["ties_ge1"])
    assert (df["seed"] == 2).all()


def test_plot_draws_a_panel_per_outcome():
    fig = _small().plot(("ties_ge1", "nuisance_episodes"))
    axes = fig.get_axes()
    assert len(axes) == 2 and axes[0].get_lines()


def test_site_values_are_the_site_rows():
    from sim.model import NeighbourhoodModel

    m = NeighbourhoodModel(years=0.1, burn_in_years=0.05)
    m.run()
    values = site_values(m.outcomes)
    frame = m.outcomes.frame()
    last = frame[(frame["building"] == "all") & (frame["group"] == "all")].iloc[-1]
    assert values["ties_ge1"] == float(last["ties_ge1"])


def test_declared_column_means_are_the_mean_of_their_column():
    """An outcome declared with a `column` needs no other code: its site value is the mean
    of that household column over the occupied dwellings."""
    from sim.columns import Real
    from sim.model import NeighbourhoodModel

    m = NeighbourhoodModel("baseline", seed=4, years=0.2, burn_in_years=0.1)
    m.run()
    m._collect()
    site = m.outcomes.rows[-1]["site"]
    declared = [o for o in OUTCOMES if o.column]
    assert {o.name for o in declared} >= {"sense_of_home", "avoidance"}
    occupied = m.households.occupied
    for o in declared:
        assert o.column in Real.__members__, o
        assert o.name in MEAN_COLUMNS
        want = getattr(m.households, o.column)[occupied].mean()
        assert abs(site[o.name] - want) < 1e-12, o.name
