"""Human labels for outcomes, groups and parameters, in English and Dutch: the one place the
report looks names up (so code names like `ties_ge3` never reach a reader).

Each outcome has a label, a unit kind (share: 0-1, shown as %; score: 0-1 scale; rate: events
a year; count: households; keur: thousands of euros a year), and whether more is better.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutcomeLabel:
    en: str
    nl: str
    kind: str  # share | score | rate | count | keur
    better: int  # +1: more is better, -1: less is better, 0: neither
    # headline phrases: "<change> more/fewer <who> ..." (None: no headline sentence)
    phrase_en: str | None = None
    phrase_nl: str | None = None
    # a cost unit: "per extra <one of the group> <unit>" (None: "(<label>)")
    unit_en: str | None = None
    unit_nl: str | None = None


OUTCOMES: dict[str, OutcomeLabel] = {
    "households": OutcomeLabel("households living there", "bewoonde woningen", "count", 0),
    "ties_ge1": OutcomeLabel(
        "with at least one neighbour they get on with",
        "met minstens één buur met wie het klikt",
        "share",
        +1,
        "have at least one neighbour they get on with",
        "hebben minstens één buur met wie het klikt",
        "with a neighbour they get on with",
        "met een buur met wie het klikt",
    ),
    "ties_ge3": OutcomeLabel(
        "with three or more neighbours they get on with",
        "met drie of meer buren met wie het klikt",
        "share",
        +1,
        "have three or more neighbours they get on with",
        "hebben drie of meer buren met wie het klikt",
    ),
    "mean_ties": OutcomeLabel(
        "neighbours they get on with (average number)",
        "buren met wie het klikt (gemiddeld aantal)",
        "score",
        +1,
    ),
    "lonely": OutcomeLabel(
        "without any neighbour they get on with",
        "zonder enige buur met wie het klikt",
        "share",
        -1,
        "have no neighbour at all they get on with",
        "hebben geen enkele buur met wie het klikt",
    ),
    "weekly_contact": OutcomeLabel(
        "chatted with or helped a neighbour in the past week",
        "sprak of hielp een buur in de afgelopen week",
        "share",
        +1,
        "have weekly contact with a neighbour (a chat or help)",
        "hebben wekelijks contact met een buur (een praatje of hulp)",
        "in weekly contact with a neighbour",
        "met wekelijks contact met een buur",
    ),
    "help_received_total": OutcomeLabel(
        "help received from neighbours (episodes so far)",
        "hulp van buren ontvangen (keren tot nu toe)",
        "score",
        +1,
    ),
    "reciprocity": OutcomeLabel(
        "balance of help given and received (1 = balanced)",
        "balans tussen hulp geven en krijgen (1 = in balans)",
        "score",
        +1,
    ),
    "overburdened": OutcomeLabel(
        "helpers carrying too much (carer burden)",
        "helpers die te veel dragen (mantelzorgdruk)",
        "share",
        -1,
        "of helpers carry too much",
        "van de helpers dragen te veel",
    ),
    "sense_of_home": OutcomeLabel("feeling at home (0-1)", "zich thuis voelen (0-1)", "score", +1),
    "safety": OutcomeLabel("feeling safe (0-1)", "zich veilig voelen (0-1)", "score", +1),
    "trust_neighbours": OutcomeLabel(
        "trust in neighbours (0-1)", "vertrouwen in buren (0-1)", "score", +1
    ),
    "trust_institutions": OutcomeLabel(
        "trust in institutions (0-1)", "vertrouwen in instanties (0-1)", "score", +1
    ),
    "wellbeing": OutcomeLabel("wellbeing (0-1)", "welzijn (0-1)", "score", +1),
    "avoidance": OutcomeLabel("avoiding neighbours (0-1)", "buren ontwijken (0-1)", "score", -1),
    "nuisance_exposed": OutcomeLabel(
        "bothered by nuisance recently",
        "recent last van overlast",
        "share",
        -1,
        "are bothered by nuisance",
        "hebben last van overlast",
    ),
    "recovery": OutcomeLabel(
        "recovery of supported newcomers (0-1)",
        "herstel van begeleide nieuwkomers (0-1)",
        "score",
        +1,
    ),
    "hidden_need": OutcomeLabel(
        "with a hidden need nobody knows of yet", "met een verborgen hulpvraag", "share", -1
    ),
    "need_surfaced": OutcomeLabel(
        "whose hidden need came to light", "van wie de verborgen hulpvraag boven kwam", "share", +1
    ),
    "referred": OutcomeLabel(
        "referred to help or services",
        "doorverwezen naar hulp",
        "share",
        +1,
        "are referred to help they needed",
        "zijn doorverwezen naar hulp die ze nodig hadden",
    ),
    "encounters": OutcomeLabel("encounters a year", "ontmoetingen per jaar", "rate", 0),
    "greetings": OutcomeLabel("greetings a year", "groeten per jaar", "rate", +1),
    "small_talk": OutcomeLabel("chats a year", "praatjes per jaar", "rate", +1),
    "help_given": OutcomeLabel(
        "times neighbours helped each other, a year",
        "keren dat buren elkaar hielpen, per jaar",
        "rate",
        +1,
    ),
    "help_unmet": OutcomeLabel(
        "help needs nobody met, a year", "hulpvragen waar niemand op inging, per jaar", "rate", -1
    ),
    "nuisance_episodes": OutcomeLabel(
        "nuisance incidents a year", "overlastincidenten per jaar", "rate", -1
    ),
    "living_nuisance": OutcomeLabel(
        "noise and smells through walls, a year",
        "geluid en geur door de muren, per jaar",
        "rate",
        -1,
    ),
    "conflicts": OutcomeLabel("conflicts a year", "conflicten per jaar", "rate", -1),
    "avoided": OutcomeLabel(
        "encounters dodged a year", "ontweken ontmoetingen per jaar", "rate", -1
    ),
    "move_outs": OutcomeLabel("households moving out a year", "verhuizingen per jaar", "rate", -1),
    "evictions": OutcomeLabel("evictions a year", "huisuitzettingen per jaar", "rate", -1),
    "move_ins": OutcomeLabel("households moving in a year", "nieuwe bewoners per jaar", "rate", 0),
    "professional_hours": OutcomeLabel(
        "professional hours a year", "professionele uren per jaar", "rate", 0
    ),
    "cost_eur": OutcomeLabel("cost (euros a year)", "kosten (euro per jaar)", "rate", 0),
    "cost_keur": OutcomeLabel(
        "cost (thousand euros a year)", "kosten (duizend euro per jaar)", "keur", 0
    ),
    "households_with_tie": OutcomeLabel(
        "households with a neighbour they get on with",
        "huishoudens met een buur met wie het klikt",
        "count",
        +1,
    ),
    "households_referred": OutcomeLabel(
        "households referred to help", "huishoudens doorverwezen naar hulp", "count", +1
    ),
    "households_lonely": OutcomeLabel(
        "households without a neighbour they get on with",
        "huishoudens zonder buur met wie het klikt",
        "count",
        -1,
    ),
}

ONE = {
    "all": ("household", "huishouden"),
    "resident": ("regular tenant", "gewone huurder"),
    "supported": ("supported newcomer", "begeleide nieuwkomer"),
}

GROUPS = {
    "all": ("all households", "alle huishoudens"),
    "resident": ("regular tenants", "gewone huurders"),
    "supported": ("supported newcomers", "begeleide nieuwkomers"),
}

WINDOWS = {
    "last_year": ("in the last simulated year", "in het laatste gesimuleerde jaar"),
    "all_years": ("over the whole period", "over de hele periode"),
}


def outcome(name: str) -> OutcomeLabel:
    """The label of an outcome; an unknown name gets a readable fallback, not the code."""
    if name in OUTCOMES:
        return OUTCOMES[name]
    from sim.outcomes import OUTCOME_DESCRIPTIONS

    text = OUTCOME_DESCRIPTIONS.get(name, name.replace("_", " "))
    return OutcomeLabel(text, text, "score", 0)


def cost_unit(outcome_name: str, group_name: str, lang: str = "en") -> str:
    """'per extra supported newcomer in weekly contact with a neighbour'."""
    lab = outcome(outcome_name)
    one_en, one_nl = ONE.get(group_name, (group_name, group_name))
    if lang == "nl":
        return f"per extra {one_nl} {lab.unit_nl or '(' + lab.nl + ')'}"
    return f"per extra {one_en} {lab.unit_en or '(' + lab.en + ')'}"


def group(name: str, lang: str = "en") -> str:
    en, nl = GROUPS.get(name, (name, name))
    return nl if lang == "nl" else en


def window(name: str, lang: str = "en") -> str:
    if name.startswith("year_"):
        y = name.removeprefix("year_")
        return f"in jaar {y}" if lang == "nl" else f"in year {y}"
    en, nl = WINDOWS.get(name, (name, name))
    return nl if lang == "nl" else en


def parameter(path: str, given: str | None = None) -> str:
    """A parameter's label: the experiment's own, else its description in the schema."""
    if given:
        return given
    from sim.scenario import parameter_table

    section, _, name = path.partition(".")
    if section == "interventions":
        from sim.interventions import REGISTRY

        kind, _, field = name.partition(".")
        f = REGISTRY[kind].Params.model_fields.get(field) if kind in REGISTRY else None
        what = f.description if f is not None and f.description else field.replace("_", " ")
        return f"{kind.replace('_', ' ')}: {what}"
    for row in parameter_table():
        if row["section"] == section and row["name"] == name and row["description"]:
            return f"{row['description']} ({path})"
    return path.replace("_", " ")
