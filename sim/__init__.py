"""goedeburen: an agent-based simulation of neighbour contact in apartment buildings."""

from sim.model import NeighbourhoodModel
from sim.scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"
__all__ = ["NeighbourhoodModel", "Scenario", "ScenarioError", "load_scenario", "__version__"]
