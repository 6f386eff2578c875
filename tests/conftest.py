import pytest

from sim.scenario import load_scenario


@pytest.fixture(scope="session")
def baseline():
    return load_scenario("baseline")


@pytest.fixture(scope="session")
def problem_flat():
    return load_scenario("problem_flat")
