"""Calibration on a tiny budget: the study resumes from disk, the written scenario loads, and
the parameter space is read from the schema and from a file with clear errors."""

from __future__ import annotations

import pytest

from sim.scenario import load_scenario
from sim.validation.calibrate import calibrate, loss
from sim.validation.space import overrides, read_space, schema_dimension, uncertain_parameters
from sim.validation.targets import Target


def test_schema_dimension_clips_the_default_range_to_the_schema():
    d = schema_dimension("contact.greet_base")  # a probability: default 0.5, at most 1
    assert d.low == pytest.approx(0.5 / 3) and d.high == 1.0
    d = schema_dimension("contact.talk_base", 0.01, 0.2)
    assert (d.low, d.high) == (0.01, 0.2)
    with pytest.raises(ValueError, match="not a scenario parameter"):
        schema_dimension("contact.no_such_thing")
    with pytest.raises(ValueError, match="only numeric"):
        schema_dimension("allocation.policy")


def test_uncertain_parameters_are_assumptions_with_ranges():
    dims = uncertain_parameters()
    assert len(dims) >= 10
    for d in dims:
        assert d.low < d.high
        assert d.low <= d.default <= d.high or d.default == 0
        assert "assumption" in d.source.lower() or "calibrated" in d.source.lower()


def test_space_file_and_overrides(tmp_path):
    f = tmp_path / "space.toml"
    f.write_text(
        '[parameters]\n"contact.talk_base" = [0.02, 0.1]\n'
        '"states.eviction_complaints" = "default"\n'
    )
    dims = read_space(f)
    assert [d.key for d in dims] == ["contact.talk_base", "states.eviction_complaints"]
    ov = overrides(dims, [0.05, 3.0])
    assert ov == {"contact": {"talk_base": 0.05}, "states": {"eviction_complaints": 3.0}}
    f.write_text('[parameters]\n"contact.talk_base" = "wide"\n')
    with pytest.raises(ValueError, match=r"parameters\.contact\.talk_base"):
        read_space(f)


def test_loss_is_the_distance_outside_the_bands():
    ts = (Target("a", "a", 0.2, 0.4, "s", "m"), Target("b", "b", None, 0.1, "s", "m"))
    assert loss({"a": 0.3, "b": 0.05}, ts) == 0.0
    assert loss({"a": 0.5, "b": 0.05}, ts) == pytest.approx(0.5)
    assert loss({"a": 0.3, "b": 0.15}, ts) == pytest.approx(0.5)  # 0.05 over, scale 0.1


def test_calibration_resumes_and_writes_a_loadable_scenario(tmp_path):
    space = tmp_path / "space.toml"
    space.write_text(
        '[parameters]\n"contact.talk_base" = [0.02, 0.1]\n"contact.greet_base" = [0.3, 0.7]\n'
    )
    kw = {
        "name": "tiny",
        "seeds": 1,
        "years": 0.3,
        "workers": 1,
        "space": space,
        "out": tmp_path / "cal",
    }
    first = calibrate("baseline", trials=2, **kw)
    assert len(first.trials) == 2
    assert (tmp_path / "cal" / "tiny" / "study.db").exists()
    again = calibrate("baseline", trials=3, write_scenario=tmp_path / "calibrated.toml", **kw)
    assert len(again.trials) == 3  # two kept, one more run
    assert set(first.trials["trial"]) < set(again.trials["trial"])
    for path in (again.scenario_path, tmp_path / "calibrated.toml"):
        sc = load_scenario(path)
        assert sc.contact.talk_base == pytest.approx(again.best_params["contact.talk_base"])
        assert sc.contact.greet_base == pytest.approx(again.best_params["contact.greet_base"])
        assert sc.site == load_scenario("baseline").site  # the rest comes from baseline
    text = again.report_path.read_text()
    assert "contact.talk_base" in text and "ties_by_door_1" in text
    # a resumed study must keep its parameter space
    other = tmp_path / "other.toml"
    other.write_text('[parameters]\n"contact.talk_base" = [0.02, 0.1]\n')
    with pytest.raises(ValueError, match="started with parameters"):
        calibrate("baseline", trials=4, **{**kw, "space": other})
