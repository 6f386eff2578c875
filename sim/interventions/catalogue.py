"""Imports every shipped intervention module so that each registers itself.

To add an intervention: write one module in this package (subclass `Intervention`, give it a
`key` and a `Params` model, decorate with `@register`) and import it here.
"""

from sim.interventions import (  # noqa: F401
    allocation_by_motivation,
    connectors,
    design,
    flatcoach,
    social_renovation,
    welcome,
)
