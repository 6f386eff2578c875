"""Scenario files: validation errors name the file, the key path and what is allowed."""

from pathlib import Path

import pytest

from sim.scenario import (
    SCENARIO_DIR,
    Scenario,
    ScenarioError,
    load_scenario,
    parameter_table,
    scenario_to_toml,
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize("path", sorted(SCENARIO_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_validates(path):
    sc = load_scenario(path)
    assert sc.name == path.stem
    assert sc.description, f"{path.name} needs a one-line description"


def test_unknown_key_names_file_key_and_allowed(tmp_path):
    p = write(tmp_path, "bad.toml", "[population]\nsuported_share = 0.2\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert str(p) in msg
    assert "population.suported_share" in msg
    assert "unknown key" in msg and "supported_share" in msg  # lists the allowed keys


def test_out_of_range_value(tmp_path):
    p = write(tmp_path, "bad.toml", "[population]\nsupported_share = 1.5\n")
    with pytest.raises(
        ScenarioError, match=r"population\.supported_share.*less than or equal to 1"
    ):
        load_scenario(p)


def test_wrong_type(tmp_path):
    p = write(tmp_path, "bad.toml", '[run]\nyears = "ten"\n')
    with pytest.raises(ScenarioError, match=r"run\.years"):
        load_scenario(p)


def test_unknown_layout_lists_allowed(tmp_path):
    p = write(tmp_path, "bad.toml", '[site]\nbuildings = [{ layout = "igloo" }]\n')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    assert "site.buildings[0].layout" in str(exc.value)
    assert "gallery_flat" in str(exc.value)


def test_layout_parameter_that_does_not_apply(tmp_path):
    p = write(tmp_path, "bad.toml", '[site]\nbuildings = [{ layout = "row_houses", floors = 3 }]\n')
    with pytest.raises(ScenarioError, match="do not apply to layout 'row_houses'"):
        load_scenario(p)


def test_outdoor_space_next_to_missing_building(tmp_path):
    p = write(
        tmp_path, "bad.toml", '[site]\noutdoor = [{ kind = "park", near = 3, distance = 100 }]\n'
    )
    with pytest.raises(ScenarioError, match="only 1 buildings"):
        load_scenario(p)


def test_unknown_intervention_type(tmp_path):
    p = write(tmp_path, "bad.toml", '[[interventions]]\ntype = "magic_wand"\n')
    with pytest.raises(ScenarioError, match="magic_wand.*allowed"):
        load_scenario(p)


def test_invalid_toml_and_missing_file(tmp_path):
    p = write(tmp_path, "bad.toml", "[run\nyears = 3\n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(p)
    with pytest.raises(ScenarioError, match="no such scenario.*shipped scenarios: .*baseline"):
        load_scenario(tmp_path / "nope.toml")


def test_extends_merges_tables_and_overrides(tmp_path):
    write(
        tmp_path,
        "base.toml",
        "[population]\nsupported_share = 0.2\ndog_share = 0.3\n[run]\nyears = 4\n",
    )
    child = write(
        tmp_path, "child.toml", 'extends = "base.toml"\n[population]\nsupported_share = 0.4\n'
    )
    sc = load_scenario(child)
    assert sc.population.supported_share == 0.4  # overridden
    assert sc.population.dog_share == 0.3  # inherited
    assert sc.run.years == 4
    assert sc.name == "child"


def test_extends_cycle_and_missing_parent(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    b = write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(b)
    c = write(tmp_path, "c.toml", 'extends = "nothere.toml"\n')
    with pytest.raises(ScenarioError, match="extends.*nothere.toml"):
        load_scenario(c)


def test_resolved_scenario_round_trips(tmp_path, problem_flat):
    p = write(tmp_path, "resolved.toml", scenario_to_toml(problem_flat))
    again = load_scenario(p)
    assert again.model_dump(exclude={"name"}) == problem_flat.model_dump(
        exclude={"name", "extends"}
    ) | {"extends": None}


def test_every_parameter_has_a_source_or_is_an_assumption():
    rows = parameter_table()
    assert len(rows) > 60
    for r in rows:
        assert r["source"], f"{r['section']}.{r['name']} has no source"


def test_with_overrides_revalidates():
    with pytest.raises(Exception):
        Scenario().with_overrides(run={"years": -1})


def test_odd_parameter_table_is_complete():
    text = (SCENARIO_DIR.parent / "docs" / "ODD.md").read_text()
    missing = [
        f"{r['section']}.{r['name']}"
        for r in parameter_table()
        if r["group"] == "model" and f"`{r['section']}.{r['name']}`" not in text
    ]
    assert not missing, f"docs/ODD.md lacks {missing}; regenerate with goedeburen params --markdown"


@pytest.mark.parametrize("path", sorted(SCENARIO_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_runs(path):
    """`goedeburen run scenarios/<each>.toml` works: a short run of every shipped file, with
    its interventions switched on (their start dates pulled into the short horizon)."""
    from sim.run import run_model

    sc = load_scenario(path)
    if sc.interventions:
        sc = sc.with_overrides(
            interventions=[
                {**iv.model_dump(), "start_year": min(iv.model_dump().get("start_year", 0), 0.2)}
                for iv in sc.interventions
            ]
        )
    r = run_model(sc.with_overrides(run={"burn_in_years": 0.2}), years=0.6)
    assert r.final()["households"] > 0
    assert len(r.interventions) == len(sc.interventions)
    for _, row in r.interventions.iterrows():
        assert row["cost_eur"] >= 0
