"""The baseline reproduces its field's patterns (issue 10): the validation table on a
reduced configuration (8 seeds, 6 years instead of 50 × 10), each banded pattern within
its band, except the misses named here with the reason they are missed. A new miss fails
this test (a listed one that is met again should be taken off the list). The full table:
`goedeburen validate-model baseline --seeds 50` (docs/validation.md)."""

import math

import pytest

from sim.validation.runner import validate

KNOWN_MISSES = {
    # every negative contact in the model is a nuisance episode; 15–30 % of contacts
    # negative (Graf et al. 2014, intergroup contact experiences) cannot coexist with
    # 22–38 % of households bothered in a year (WoON) without a class of mild unpleasant
    # encounters, which the model does not have (no calibration trial reached it)
    "negative_share_of_contacts",
    # time at home by age (at_home_elderly) raises doorstep meetings, but the age
    # gradient of weekly contact (CBS: 41 % at 15–34, 69 % at 65+) stays at ~0.06
    "weekly_contact_age_gap",
    # supported newcomers have as many ties as regular tenants (the gap should be
    # negative): nothing in the model makes them less present or less open yet
    "supported_ties_gap",
    # 0.80 (band ≤ 0.80) and 0.38 (band ≤ 0.38) at 50 seeds: on the edge after
    # calibration; which side of it depends on the seeds
    "helped_neighbour_12m",
    "nuisance_victims_12m",
}


@pytest.fixture(scope="module")
def table():
    return validate("baseline", seeds=8, years=6, workers=2).table


def test_every_banded_pattern_is_in_its_band_or_a_named_miss(table):
    banded = table[table["pass"].notna()]
    assert len(banded) >= 20
    missed = set(banded.index[~banded["pass"].astype(bool)])
    assert missed - KNOWN_MISSES == set(), table.loc[
        sorted(missed - KNOWN_MISSES), ["band", "value", "ci_low", "ci_high"]
    ]


def test_ties_fall_with_every_door_as_in_westgate(table):
    shares = [table.loc[f"ties_by_door_{d}", "value"] for d in (1, 2, 3)]
    assert shares[0] > shares[1] > shares[2] > table.loc["ties_by_door_4plus", "value"]
    assert table.loc["ties_next_door_other_core", "value"] > 0.1  # the cores do not split


def test_known_misses_are_still_measured(table):
    for name in KNOWN_MISSES:
        assert name in table.index and math.isfinite(table.loc[name, "value"]), name
