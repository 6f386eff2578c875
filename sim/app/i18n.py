"""Dutch and English labels of the app. Dutch is the default: workshops are held in Dutch
with residents, corporations and care workers, so the words are theirs, not the model's."""

from __future__ import annotations

LANGUAGES = ("nl", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # header and run controls
    "title": ("Goede buren: wie kent wie in de flat?", "Good neighbours: who knows whom?"),
    "date": ("Jaar {year}, week {week}", "Year {year}, week {week}"),
    "step": ("Stap", "Step"),
    "play": ("Afspelen", "Play"),
    "pause": ("Pauze", "Pause"),
    "reset": ("Opnieuw beginnen", "Start again"),
    "speed": ("Weken per beeld", "Weeks per frame"),
    "language": ("Taal", "Language"),
    "pending": (
        "Gewijzigd: druk op ‘Opnieuw beginnen’ om toe te passen.",
        "Changed: press ‘Start again’ to apply.",
    ),
    "error": ("Deze combinatie gaat niet", "This combination does not work"),
    # settings
    "settings": ("Instellingen", "Settings"),
    "scenario": ("Uitgangssituatie", "Starting point"),
    "seed": ("Toevalsgetal", "Random seed"),
    "supported_share": ("Aandeel nieuwkomers met begeleiding", "Share of supported newcomers"),
    "trust": ("Vertrouwen in de buren", "Trust in neighbours"),
    "interventions": ("Maatregelen", "Measures"),
    "flatcoach": ("Flatcoach", "Flat coach"),
    "flatcoach_hours": ("Uren per week", "Hours a week"),
    "allocation_by_motivation": ("Anders toewijzen", "Letting to motivated tenants"),
    "allocation_share": ("Deel van de woningen", "Share of vacancies"),
    "social_renovation": ("Sociaal renoveren", "Social renovation"),
    "welcome": ("Welkomstgesprek en begeleiding", "Welcome talk and coaching"),
    "connectors": ("Verbinders in de flat", "Connectors in the building"),
    "connectors_per_100": ("Verbinders per 100 huishoudens", "Connectors per 100 households"),
    "design": ("Aanpassingen aan het gebouw", "Changes to the building"),
    "bench": ("Bankje bij de ingang", "Bench at the entrance"),
    "garden": ("Tuintje bij de ingang", "Garden at the entrance"),
    "hobby_room": ("Gezamenlijke hobbyruimte", "Shared hobby room"),
    "laundry": ("Gezamenlijke wasruimte", "Shared laundry"),
    "closed_gallery": ("Galerij dicht (glas)", "Gallery glazed in"),
    "compare": ("Naast elkaar vergelijken", "Compare side by side"),
    "compare_none": ("Niet vergelijken", "No comparison"),
    "compare_without": ("Zelfde flat zonder maatregelen", "Same building without measures"),
    "compare_scenario": ("Met uitgangssituatie: {name}", "With starting point: {name}"),
    "side_with": ("Met uw keuzes", "With your choices"),
    "side_without": ("Zonder maatregelen", "Without measures"),
    "gap": ("Verschil (rechts min links)", "Difference (right minus left)"),
    "gap_metric": ("Verschil in", "Difference in"),
    # building view
    "colour_by": ("Kleur", "Colour"),
    "by_group": ("Wie woont er", "Who lives here"),
    "show_ties": ("Contacten tonen", "Show ties"),
    "resident": ("Bewoner", "Resident"),
    "supported": ("Nieuwkomer met begeleiding", "Supported newcomer"),
    "motivated": ("Gemotiveerde nieuwkomer", "Motivated newcomer"),
    "connector": ("Verbinder", "Connector"),
    "vacant": ("Leeg", "Vacant"),
    "positive_tie": ("Kennen elkaar goed", "Know each other well"),
    "negative_tie": ("Gaan elkaar uit de weg", "Avoid each other"),
    "talked": ("Gepraat", "Had a chat"),
    "helped": ("Geholpen", "Helped"),
    "nuisance": ("Overlast", "Nuisance"),
    "since_last": ("(sinds vorig beeld)", "(since last frame)"),
    "low": ("laag", "low"),
    "high": ("hoog", "high"),
    "lift": ("lift", "lift"),
    "stairs": ("trap", "stairs"),
    "entrance": ("ingang", "entrance"),
    "mailbox": ("brievenbussen", "mailboxes"),
    "bins": ("containers", "bins"),
    "bike_storage": ("fietsenstalling", "bike shed"),
    "lobby": ("hal", "hall"),
    "street": ("straat", "street"),
    "playground": ("speeltuin", "playground"),
    "dog_field": ("hondenveld", "dog field"),
    "park": ("park", "park"),
    "shops": ("winkels", "shops"),
    "community_centre": ("buurthuis", "community centre"),
    "garden_place": ("tuin", "garden"),
    "laundry_place": ("wasruimte", "laundry"),
    "hobby_room_place": ("hobbyruimte", "hobby room"),
    "flatcoach_here": ("flatcoach is er", "flat coach is in"),
    "flatcoach_away": ("flatcoach is er niet", "flat coach is out"),
    "building_n": ("Gebouw {n}", "Building {n}"),
    "dwellings": ("{n} woningen", "{n} homes"),
    "click_hint": (
        "Klik op een woning om het verhaal van dat huishouden te zien.",
        "Click a home to follow that household's story.",
    ),
    "floor_pos": ("verdieping {floor}, woning {pos}", "floor {floor}, home {pos}"),
    # states
    "sense_of_home": ("Thuisgevoel", "Feeling at home"),
    "safety": ("Veiligheid", "Feeling safe"),
    "wellbeing": ("Welzijn", "Wellbeing"),
    "recovery": ("Herstel (begeleide nieuwkomers)", "Recovery (supported newcomers)"),
    # time series panels
    "charts": ("Zo gaat het in de flat", "How the building is doing"),
    "mean_ties": ("Buren die je goed kent (gemiddeld)", "Neighbours you know well (mean)"),
    "weekly_contact": (
        "Had deze week contact met een buur (%)",
        "Had contact with a neighbour this week (%)",
    ),
    "help_given": ("Keren burenhulp per week", "Times neighbours helped, per week"),
    "nuisance_episodes": ("Keren overlast per week", "Nuisance episodes per week"),
    "sense_of_home_chart": ("Thuisgevoel (0–100)", "Feeling at home (0–100)"),
    "recovery_chart": (
        "Herstel begeleide nieuwkomers (0–100)",
        "Recovery of supported newcomers (0–100)",
    ),
    "referred": ("Doorverwezen naar hulp (%)", "Referred to help (%)"),
    "cost_eur": ("Kosten maatregelen (euro, opgeteld)", "Cost of measures (euros, total)"),
    # story
    "story": ("Verhaal van dit huishouden", "This household's story"),
    "close": ("Sluiten", "Close"),
    "nobody": ("Deze woning staat leeg.", "Nobody lives here now."),
    "lives_since": ("Woont hier sinds {when}.", "Has lived here since {when}."),
    "before_start": ("{years} jaar voor de start", "{years} years before the start"),
    "who_resident": ("Bewoner zonder begeleiding; {size}.", "A resident without support; {size}."),
    "who_supported": ("Nieuwkomer met begeleiding; {size}.", "A supported newcomer; {size}."),
    "who_motivated": (
        "Gemotiveerde nieuwkomer (anders toewijzen); {size}.",
        "A motivated newcomer (letting by motivation); {size}.",
    ),
    "who_connector": (
        "Verbinder: brengt buren bij elkaar; {size}.",
        "A connector who brings neighbours together; {size}.",
    ),
    "persons_1": ("woont alleen", "lives alone"),
    "persons_n": ("huishouden van {n} personen", "household of {n} people"),
    "knows_now": ("Kent nu goed: {who}.", "Knows well now: {who}."),
    "knows_nobody": ("Kent nog niemand in de flat goed.", "Knows nobody in the building well yet."),
    "avoids_now": ("Gaat uit de weg: {who}.", "Avoids: {who}."),
    "ev_moved_in": ("Komt in de flat wonen.", "Moves in."),
    "ev_new_tie": (
        "Leert een buur goed kennen ({n} in totaal).",
        "Gets to know a neighbour well ({n} in all).",
    ),
    "ev_lost_tie": (
        "Contact met een buur verwatert ({n} over).",
        "Loses touch with a neighbour ({n} left).",
    ),
    "ev_new_avoid": ("Gaat een buur uit de weg.", "Starts avoiding a neighbour."),
    "ev_helped": ("Helpt buren ({n}×).", "Helps neighbours ({n}×)."),
    "ev_was_helped": ("Krijgt hulp van buren ({n}×).", "Gets help from neighbours ({n}×)."),
    "ev_nuisance": ("Veroorzaakt overlast ({n}×).", "Causes nuisance ({n}×)."),
    "ev_referred": ("Wordt doorverwezen naar hulp.", "Is referred to help."),
    "ev_quiet": (
        "Een stille periode: weinig contact met buren.",
        "A quiet spell: little contact with neighbours.",
    ),
    "story_states": (
        "Thuisgevoel en welzijn door de tijd",
        "Feeling at home and wellbeing over time",
    ),
    "no_history": (
        "Nog geen geschiedenis: druk op Stap of Afspelen.",
        "No history yet: press Step or Play.",
    ),
    "speed_note": (
        "{days:.0f} dagen per seconde, {frames:.1f} beelden per seconde",
        "{days:.0f} days a second, {frames:.1f} frames a second",
    ),
}


def t(key: str, lang: str = "nl", **fmt: object) -> str:
    """The label `key` in `lang` ("nl" or "en"), formatted with `fmt`; an unknown key is
    shown as itself (visible on the page, never a crash)."""
    pair = _LABELS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**fmt) if fmt else text


def keys() -> tuple[str, ...]:
    return tuple(_LABELS)
