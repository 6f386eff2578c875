"""Property tests: whatever a scenario file holds (random values at real and made-up keys,
random text, random bytes), loading it gives a Scenario or a ScenarioError naming the file:
never another exception, a hang or a traceback from `goedeburen validate`."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_to_toml

runner = CliRunner()
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SECTIONS = {
    name: list(f.annotation.model_fields)
    for name, f in Scenario.model_fields.items()
    if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel)
}
TOP_KEYS = ["name", "description", "extends", "interventions", "add_interventions"]

scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=40),
    st.sampled_from(
        [
            "baseline",
            "../../etc/passwd",
            "/dev/zero",
            "[/]",
            "[/bold]",
            "",
            "gallery_flat",
            "flatcoach",
            "a\x00b",
            "..",
            "x" * 300,
        ]
    ),
    st.dates(),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def scenario_dicts(draw) -> dict:
    """A file close to a real one: some real keys with random values, some made-up keys."""
    data: dict = {}
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.sampled_from(["section", "top", "unknown"]))
        if where == "section":
            section = draw(st.sampled_from(sorted(SECTIONS)))
            key = draw(st.sampled_from(SECTIONS[section]))
            data.setdefault(section, {})[key] = draw(values)
        elif where == "top":
            data[draw(st.sampled_from(TOP_KEYS))] = draw(values)
        else:
            data[draw(st.text(min_size=1, max_size=12))] = draw(values)
    if draw(st.booleans()):
        data["interventions"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(
                            ["flatcoach", "welcome", "design", "social_renovation", "nope"]
                        )
                    },
                    optional={
                        "building": values,
                        "buildings": values,
                        "start_year": values,
                        "end_year": values,
                        "hours_per_week": values,
                    },
                ),
                max_size=3,
            )
        )
    return data


def _check(path: Path) -> None:
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        msg = str(exc)
        assert str(path) in msg, msg
        assert len(msg) < 20_000
    else:
        # whatever is accepted is a scenario that writes out and loads back the same
        again = path.with_name("again.toml")
        again.write_text(scenario_to_toml(sc))
        assert load_scenario(again).model_dump(exclude={"name", "extends"}) == sc.model_dump(
            exclude={"name", "extends"}
        )
        assert all(math.isfinite(y) for y in sc.run.snapshot_years)


@SETTINGS
@given(data=scenario_dicts())
def test_random_values_at_real_keys(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "s.toml"
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):  # not expressible in TOML (e.g. a list of mixed tables)
        return
    path.write_text(text, encoding="utf-8")
    _check(path)


@SETTINGS
@given(text=st.text(max_size=400))
def test_random_text(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("prop") / "t.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check(path)


@SETTINGS
@given(blob=st.binary(max_size=400))
def test_random_bytes(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("prop") / "b.toml"
    path.write_bytes(blob)
    _check(path)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=scenario_dicts())
def test_validate_never_shows_a_traceback(tmp_path_factory, data):
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        return
    path = tmp_path_factory.mktemp("cli") / "s.toml"
    path.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code in (0, 2), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output


def test_dates_are_not_numbers(tmp_path):
    p = tmp_path / "d.toml"
    p.write_text(tomli_w.dumps({"run": {"years": dt.date(2024, 1, 1)}}))
    try:
        load_scenario(p)
    except ScenarioError as exc:
        assert "run.years" in str(exc)
    else:
        raise AssertionError("a date was accepted as a number of years")
