"""Writes the corpus of malformed scenario files, tests/data/bad/*, and the table of the
error each must give, tests/data/bad_expected.toml (tests/test_robustness.py reads both).

Run it after adding a case: `.venv/bin/python tests/data/make_bad_corpus.py`. Files whose
name starts with _ are parents and helpers that the cases extend, not cases themselves.
Special files that git cannot hold (a FIFO, devices, a 50 MB file) are made by the test.
"""

import gzip
import pathlib

import tomli_w

D = pathlib.Path(__file__).resolve().parent / "bad"
cases = {}  # name -> (bytes or str, expected fragments list)


def case(name, content, *expect):
    cases[name] = (content, list(expect))


def helper(name, content):
    p = D / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content if isinstance(content, bytes) else content.encode())


base = 'name = "x"\n[population]\nsupported_share = 0.2\n'
# --- unreadable files
case("utf16_le.toml", base.encode("utf-16"), "UTF-16")
case("utf16_be.toml", b"\xfe\xff" + base.encode("utf-16-be"), "UTF-16")
case(
    "latin1.toml",
    'description = "caf\u00e9 op de galerij"\n'.encode("latin-1"),
    "not UTF-8",
    "line 1",
)
case("cp1252_quotes.toml", b'name = "x"\ndescription = \x93quoted\x94\n', "not UTF-8", "line 2")
case("binary_nul.toml", bytes(range(256)) * 4, "binary data")
case("png_header.toml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data")
case("gzip.toml", gzip.compress(base.encode(), mtime=0), "binary data")
# --- extends
case("extends_empty.toml", 'extends = ""\n', "extends: must name")
case("extends_blank.toml", 'extends = "   "\n', "extends: must name")
case("extends_int.toml", "extends = 3\n", "extends: must be a file name")
case("extends_list.toml", 'extends = ["baseline"]\n', "extends: must be a file name")
case("extends_table.toml", '[extends]\nfile = "baseline"\n', "extends: must be a file name")
case("extends_missing.toml", 'extends = "nothere.toml"\n', "not found", "nothere.toml")
case("extends_absolute.toml", 'extends = "/etc/hostname"\n', "outside the scenario's folder")
case(
    "extends_dotdot.toml", 'extends = "../../../pyproject.toml"\n', "outside the scenario's folder"
)
case("extends_proc.toml", 'extends = "/proc/self/environ"\n', "outside the scenario's folder")
case("extends_dev_zero.toml", 'extends = "/dev/zero"\n', "outside the scenario's folder")
case("extends_dev_stdin.toml", 'extends = "/dev/stdin"\n', "outside the scenario's folder")
case("extends_self.toml", 'extends = "extends_self.toml"\n', "cycle")
case("cycle_a.toml", 'extends = "cycle_b.toml"\n', "cycle")
case("cycle_b.toml", 'extends = "cycle_a.toml"\n', "cycle")
helper("_notes.txt", 'name = "not a scenario"\n')
case("extends_not_toml.toml", 'extends = "_notes.txt"\n', "is not a .toml file")
helper("_folder.toml/inside.toml", 'name = "p"\n')
case("extends_folder.toml", 'extends = "_folder.toml"\n', "is a folder", "extended by")
case("extends_nul.toml", 'extends = "base\\u0000line"\n', "extends: must name")
case("extends_long.toml", f'extends = "{"a" * 300}.toml"\n', "extends: must name")
helper("_parent_bad_value.toml", "[population]\nsupported_share = 1.5\n")
case(
    "child_of_bad_value.toml",
    'extends = "_parent_bad_value.toml"\nname = "c"\n',
    "_parent_bad_value.toml (extended by",
    "population.supported_share",
)
helper("_parent_typo.toml", "[population]\nsuported_share = 0.2\n")
case(
    "child_of_typo.toml",
    'extends = "_parent_typo.toml"\n',
    "_parent_typo.toml (extended by",
    "unknown key",
    "supported_share",
)
helper("_parent_broken.toml", "[run\nyears = 3\n")
case(
    "child_of_broken.toml",
    'extends = "_parent_broken.toml"\n',
    "_parent_broken.toml: not valid TOML",
    "extended by",
)
helper("_parent_utf16.toml", base.encode("utf-16"))
case(
    "child_of_utf16.toml",
    'extends = "_parent_utf16.toml"\n',
    "_parent_utf16.toml: is encoded as UTF-16",
    "extended by",
)
helper("_parent_bad_iv.toml", '[[interventions]]\ntype = "flatcoach"\nbuilding = 4\n')
case(
    "child_of_bad_intervention.toml",
    'extends = "_parent_bad_iv.toml"\n[population]\nsupported_share = 0.3\n',
    "_parent_bad_iv.toml (extended by",
    "interventions[0].building = 4",
)
helper("_grandparent_bad.toml", '[run]\nyears = "10"\n')
helper(
    "_parent_ok.toml", 'extends = "_grandparent_bad.toml"\n[population]\nsupported_share = 0.3\n'
)
case(
    "grandchild.toml",
    'extends = "_parent_ok.toml"\n',
    "_grandparent_bad.toml (extended by",
    "run.years",
)
for i in range(20):
    helper(f"_chain_{i + 1:02d}.toml", f'extends = "_chain_{i + 2:02d}.toml"\n')
helper("_chain_21.toml", 'name = "end"\n')
case("chain_too_long.toml", 'extends = "_chain_01.toml"\n', "chain is longer than 16")
# --- TOML syntax and nesting
case("unclosed_table.toml", "[run\nyears = 3\n", "not valid TOML")
case("duplicate_key.toml", "[run]\nyears = 3\nyears = 4\n", "not valid TOML")
case("bare_string.toml", "name = baseline\n", "not valid TOML")
case("deep_inline_tables.toml", "x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n", "nested")
case("deep_arrays.toml", "x = " + "[" * 5000 + "1" + "]" * 5000 + "\n", "nested")
case("deep_table_headers.toml", "[a.b.c.d.e.f.g.h.i.j]\nk = 1\n", "nested more than 8")
# --- strict types
case("years_string.toml", '[run]\nyears = "2"\n', "run.years", "without quotes")
case("seed_bool.toml", "[run]\nseed = true\n", "run.seed", "valid integer")
case("seed_float.toml", "[run]\nseed = 1.5\n", "run.seed")
case(
    "floors_string.toml",
    '[site]\nbuildings = [{ floors = "10" }]\n',
    "site.buildings[0].floors",
    "without quotes",
)
case(
    "lifts_yes.toml",
    '[site]\nbuildings = [{ lifts = "yes" }]\n',
    "site.buildings[0].lifts",
    "true or false",
)
case("share_string.toml", '[population]\nsupported_share = "0.2"\n', "population.supported_share")
case("years_array.toml", "[run]\nyears = [10]\n", "run.years")
case("years_table.toml", "[run.years]\nvalue = 10\n", "run.years")
case("years_date.toml", "[run]\nyears = 2024-01-01\n", "run.years")
case("name_int.toml", "name = 5\n", "name", "valid string")
case("description_table.toml", "[description]\ntext = 'x'\n", "description")
case("interventions_table.toml", '[interventions]\ntype = "flatcoach"\n', "interventions")
case(
    "iv_hours_string.toml",
    '[[interventions]]\ntype = "flatcoach"\nhours_per_week = "16"\n',
    "interventions[0].hours_per_week",
)
case(
    "iv_start_bool.toml",
    '[[interventions]]\ntype = "welcome"\nstart_year = true\n',
    "interventions[0].start_year",
)
case("notice_string.toml", '[encounters.notice]\ngallery = "high"\n', "encounters.notice.gallery")
case("tie_table_unknown.toml", '[run]\ntie_table = "some"\n', "run.tie_table", "'auto'")
case("layout_int.toml", "[site]\nbuildings = [{ layout = 1 }]\n", "site.buildings[0].layout")
# --- unbounded values
case("snapshot_nan.toml", "[run]\nsnapshot_years = [nan]\n", "run.snapshot_years[0]", "finite")
case(
    "snapshot_negative.toml",
    "[run]\nsnapshot_years = [-3]\n",
    "run.snapshot_years[0]",
    "greater than 0",
)
case("snapshot_inf.toml", "[run]\nsnapshot_years = [inf]\n", "run.snapshot_years[0]", "finite")
case(
    "snapshot_beyond.toml",
    "[run]\nsnapshot_years = [500]\n",
    "run.snapshot_years[0]",
    "less than or equal to 100",
)
case("years_nan.toml", "[run]\nyears = nan\n", "run.years", "finite")
case("years_inf.toml", "[run]\nyears = inf\n", "run.years", "finite")
case("years_zero.toml", "[run]\nyears = 0\n", "run.years", "greater than 0")
case("years_negative.toml", "[run]\nyears = -5\n", "run.years", "greater than 0")
case("years_huge.toml", "[run]\nyears = 1e9\n", "run.years", "less than or equal to 100")
case("seed_negative.toml", "[run]\nseed = -1\n", "run.seed", "greater than or equal to 0")
case("share_negative.toml", "[population]\nsupported_share = -0.1\n", "population.supported_share")
case(
    "share_above_one.toml",
    "[population]\nsupported_share = 1.5\n",
    "population.supported_share",
    "less than or equal to 1",
)
case("notice_nan.toml", "[encounters.notice]\ngallery = nan\n", "encounters.notice.gallery")
case("notice_above_one.toml", "[encounters.notice]\ngallery = 3\n", "encounters.notice", "[0, 1]")
case(
    "notice_unknown_kind.toml",
    "[encounters.notice]\nbalcony = 0.1\n",
    "encounters.notice",
    "unknown node kinds",
)
case(
    "cost_negative.toml", "[costs]\nactivity = -5\n", "costs.activity", "greater than or equal to 0"
)
case("cost_nan.toml", "[costs]\nprofessional_hour = nan\n", "costs.professional_hour", "finite")
case("cost_string.toml", '[costs]\nprofessional_hour = "75"\n', "costs.professional_hour")
case(
    "cost_unknown_item.toml",
    "[costs]\ncoffee = 3\n",
    "costs.coffee",
    "unknown key",
    "professional_hour",
)
blds = ", ".join(["{ floors = 40, dwellings_per_floor = 60 }"] * 420)
case(
    "million_dwellings.toml",
    f"[site]\nbuildings = [{blds}]\n",
    "site.buildings",
    "at most 1,000,000",
)
blds = ", ".join(["{ floors = 40, dwellings_per_floor = 60 }"] * 1000)
case(
    "two_million_dwellings.toml",
    f"[site]\nbuildings = [{blds}]\n",
    "site.buildings",
    "2,400,000 dwellings",
)
case(
    "floors_zero.toml",
    "[site]\nbuildings = [{ floors = 0 }]\n",
    "site.buildings[0].floors",
    "greater than or equal to 1",
)
case(
    "floors_too_many.toml",
    "[site]\nbuildings = [{ floors = 41 }]\n",
    "site.buildings[0].floors",
    "less than or equal to 40",
)
case(
    "layout_unknown.toml",
    '[site]\nbuildings = [{ layout = "igloo" }]\n',
    "site.buildings[0].layout",
    "gallery_flat",
)
case(
    "layout_param_mismatch.toml",
    '[site]\nbuildings = [{ layout = "row_houses", floors = 3 }]\n',
    "do not apply to layout 'row_houses'",
)
case(
    "outdoor_near_missing.toml",
    '[site]\noutdoor = [{ kind = "park", near = 3 }]\n',
    "outdoor[0].near = 3",
    "allowed 0..0",
)
case(
    "outdoor_kind_unknown.toml",
    '[site]\noutdoor = [{ kind = "beach" }]\n',
    "site.outdoor[0].kind",
    "playground",
)
case(
    "room_building_missing.toml",
    '[site]\nrooms = [{ kind = "laundry", building = 2 }]\n',
    "rooms[0].building = 2",
)
case("buildings_empty.toml", "[site]\nbuildings = []\n", "site.buildings", "at least 1")
case("street_length_zero.toml", "[site]\nstreet_length = 0\n", "site.street_length")
case(
    "collect_period_mismatch.toml",
    "[run]\ncollect_every_days = 7\ncollect_buildings_every_days = 10\n",
    "multiple of collect_every_days",
)
# --- interventions against the site and their timing
case(
    "iv_unknown_type.toml",
    '[[interventions]]\ntype = "magic_wand"\n',
    "interventions[0].type = 'magic_wand' is unknown",
    "flatcoach",
)
case(
    "iv_missing_type.toml",
    "[[interventions]]\nhours_per_week = 3\n",
    "interventions[0].type: missing",
    "flatcoach",
)
case(
    "iv_flatcoach_building_7.toml",
    '[[interventions]]\ntype = "flatcoach"\nbuilding = 7\n',
    "interventions[0].building = 7",
    "allowed: 0..0",
)
case(
    "iv_renovation_buildings_negative.toml",
    '[[interventions]]\ntype = "social_renovation"\nbuildings = [-1]\n',
    "interventions[0].buildings[0] = -1",
)
case(
    "iv_design_buildings_missing.toml",
    '[[interventions]]\ntype = "design"\nbench = true\nbuildings = [3]\n',
    "interventions[0].buildings[0] = 3",
)
case(
    "iv_design_room_building.toml",
    '[[interventions]]\ntype = "design"\nrooms = [{ kind = "laundry", building = 2 }]\n',
    "interventions[0].rooms[0].building = 2",
)
case(
    "iv_end_before_start.toml",
    '[[interventions]]\ntype = "flatcoach"\nstart_year = 5\nend_year = 1\n',
    "interventions[0].end_year = 1 is not after its start_year = 5",
)
case(
    "iv_end_equals_start.toml",
    '[[interventions]]\ntype = "welcome"\nstart_year = 2\nend_year = 2\n',
    "is not after its start_year",
)
case(
    "iv_unknown_param.toml",
    '[[interventions]]\ntype = "flatcoach"\nhours_per_weak = 3\n',
    "interventions[0].hours_per_weak: unknown key",
    "hours_per_week",
)
case(
    "iv_label_long.toml",
    f'[[interventions]]\ntype = "welcome"\nlabel = "{"x" * 300}"\n',
    "interventions[0].label",
)
case(
    "iv_hours_nan.toml",
    '[[interventions]]\ntype = "flatcoach"\nhours_per_week = nan\n',
    "interventions[0].hours_per_week",
)
case(
    "iv_start_negative.toml",
    '[[interventions]]\ntype = "welcome"\nstart_year = -2\n',
    "interventions[0].start_year",
)
case(
    "add_interventions_table.toml",
    'extends = "baseline"\n[add_interventions]\ntype = "flatcoach"\n',
    "add_interventions: must be a list",
)
case(
    "add_interventions_bad_type.toml",
    'extends = "baseline"\n[[add_interventions]]\ntype = "nope"\n',
    "interventions[0].type = 'nope' is unknown",
)
# --- names
case("name_traversal.toml", 'name = "../../x"\n', "not a usable scenario name")
case("name_absolute.toml", 'name = "/tmp/x"\n', "not a usable scenario name")
case("name_nul.toml", 'name = "a\\u0000b"\n', "not a usable scenario name")
case("name_long.toml", f'name = "{"n" * 300}"\n', "not a usable scenario name")
case("name_markup.toml", 'name = "[/]"\n', "'[/]' is not a usable scenario name")
case("name_dotdot.toml", 'name = ".."\n', "not a usable scenario name")
case("name_hidden.toml", 'name = ".hidden"\n', "not a usable scenario name")
case("name_space.toml", 'name = "my flat"\n', "not a usable scenario name")
case("name_empty.toml", 'name = ""\n', "not a usable scenario name")
case("name_backslash.toml", 'name = "a\\\\b"\n', "not a usable scenario name")
case(
    "description_too_long.toml",
    f'description = "{"d" * 25000}"\n',
    "description",
    "at most 20000 characters",
)
# --- unknown keys
case("top_unknown_key.toml", "yeras = 3\n", "yeras: unknown key", "add_interventions")
case("section_unknown.toml", "[contacts]\ngreet_base = 0.5\n", "contacts: unknown key")
case("run_unknown_key.toml", "[run]\nyear = 3\n", "run.year: unknown key", "years")
case(
    "building_unknown_key.toml",
    "[site]\nbuildings = [{ storeys = 3 }]\n",
    "site.buildings[0].storeys",
)
case("extends_in_section.toml", '[run]\nextends = "baseline"\n', "run.extends: unknown key")

for name, (content, _expect) in cases.items():
    (D / name).write_bytes(content if isinstance(content, bytes) else content.encode())
exp = {name: expect for name, (_, expect) in cases.items()}
(D.parent / "bad_expected.toml").write_text(
    "# Expected error fragments for tests/data/bad/<file> (tests/test_robustness.py). Every\n"
    "# file must fail with a ScenarioError naming the file (or the parent holding the bad\n"
    "# value) and containing each fragment. Files starting with _ are parents and helpers.\n"
    + tomli_w.dumps(exp)
)
print(f"{len(cases)} cases in {D}")
