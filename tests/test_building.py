"""Tests for sim.building: layouts, site assembly, routes and functional distance."""

import itertools

import networkx as nx
import numpy as np
import pytest

from sim.building import (
    DESTINATIONS,
    INDOOR_KINDS,
    NODE_KINDS,
    Plan,
    Site,
    add_room,
    apply_edits,
    build_site,
    corridor_tower,
    gallery_flat,
    row_houses,
    stairwell_block,
)

LAYOUT_CASES = [
    (gallery_flat, 140, "gallery"),
    (stairwell_block, 32, "landing"),
    (corridor_tower, 96, "corridor"),
    (row_houses, 20, "sidewalk"),
]


def kinds(site: Site, nodes) -> list[str]:
    return [NODE_KINDS[site.node_kind[n]] for n in nodes]


def single(layout: str, **kw) -> Site:
    return build_site([{"layout": layout, **kw}], [])


# ------------------------------------------------------------------ layouts
@pytest.mark.parametrize(("gen", "n_dwellings", "door_kind"), LAYOUT_CASES)
def test_layout_graph(gen, n_dwellings, door_kind):
    g = gen(0)
    assert nx.is_connected(g)
    assert len(g.graph["dwellings"]) == n_dwellings
    for _n, d in g.nodes(data=True):
        assert d["kind"] in NODE_KINDS
        assert d["building"] == 0
        assert len(d["xy"]) == 2
    assert all(d["length"] > 0 for _, _, d in g.edges(data=True))
    for dw in g.graph["dwellings"]:
        assert isinstance(dw["door_node"], str)  # exactly one door node per dwelling
        assert g.nodes[dw["door_node"]]["kind"] == door_kind
    # one dwelling per (floor, position)
    keys = {(dw["floor"], dw["position"]) for dw in g.graph["dwellings"]}
    assert len(keys) == n_dwellings


@pytest.mark.parametrize(("gen", "n_dwellings", "door_kind"), LAYOUT_CASES)
def test_site_from_single_layout(gen, n_dwellings, door_kind):
    site = Site.from_graph(gen(0))
    assert site.n_dwellings == n_dwellings
    assert set(kinds(site, site.dwelling_node)) == {door_kind}
    assert "out" in site.destinations  # falls back to the building's own entrance
    ends = [site.route(d, "out")[-1] for d in range(site.n_dwellings)]
    assert set(kinds(site, ends)) == {"entrance"}


@pytest.mark.parametrize("cores", ["both_ends", "one_end", "middle"])
def test_gallery_cores_and_counts(cores):
    g = gallery_flat(0, floors=5, dwellings_per_floor=7, cores=cores)
    assert nx.is_connected(g)
    n_cores = 2 if cores == "both_ends" else 1
    k = [d["kind"] for _, d in g.nodes(data=True)]
    assert k.count("stairs") == 5 * n_cores
    assert k.count("lift") == n_cores
    assert k.count("lobby") == 1 and k.count("mailbox") == 1 and k.count("entrance") == 1
    assert k.count("bins") == 1 and k.count("bike_storage") == 1
    no_lift = gallery_flat(0, floors=5, dwellings_per_floor=7, cores=cores, lifts=False)
    assert "lift" not in {d["kind"] for _, d in no_lift.nodes(data=True)}


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: gallery_flat(0, floors=0), "floors"),
        (lambda: gallery_flat(0, cores="left"), "both_ends"),
        (lambda: gallery_flat(0, dwellings_per_floor=2.5), "dwellings_per_floor"),
        (lambda: gallery_flat(0, lifts="yes"), "lifts"),
        (lambda: gallery_flat(-1), "building"),
        (lambda: stairwell_block(0, stairwells=0), "stairwells"),
        (lambda: stairwell_block(0, dwellings_per_landing=True), "dwellings_per_landing"),
        (lambda: corridor_tower(0, floors=-3), "floors"),
        (lambda: row_houses(0, houses=0), "houses"),
        (lambda: row_houses(0, x0=float("nan")), "x0"),
    ],
)
def test_layout_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("n", [1, 2, 3, 8])
def test_corridor_tower_small_floors(n):
    g = corridor_tower(0, floors=3, dwellings_per_floor=n)
    assert nx.is_connected(g)
    assert len(g.graph["dwellings"]) == 3 * n


def test_row_houses_have_no_mailbox():
    site = single("row_houses")
    assert "mail" not in site.destinations
    assert len(site.nodes_of_kind("lobby")) == 0
    assert len(site.nodes_of_kind("entrance")) == 2


# ------------------------------------------------------------------ routes
@pytest.fixture(scope="module")
def mixed_site() -> Site:
    return build_site(
        [
            {"layout": "gallery_flat"},
            {"layout": "stairwell_block"},
            {"layout": "corridor_tower"},
            {"layout": "row_houses"},
        ],
        [
            {"kind": "playground", "near": 0, "distance": 40.0},
            {"kind": "shops", "near": 3, "distance": 120.0},
            {"kind": "dog_field", "near": 1, "distance": 80.0},
        ],
        extra_rooms=[{"kind": "laundry", "building": 0}],
    )


def test_routes_are_walkable_paths(mixed_site):
    site = mixed_site
    assert set(site.destinations) <= set(DESTINATIONS)
    for dest in site.destinations:
        indptr, nodes = site.routes[dest]
        assert indptr.shape == (site.n_dwellings + 1,)
        assert indptr.dtype == np.int64 and nodes.dtype == np.int32
        assert np.all(np.diff(indptr) >= 0)
        for d in range(site.n_dwellings):
            r = site.route(d, dest)
            if len(r) == 0:
                assert np.isinf(site.route_length[dest][d])
                continue
            assert r[0] == site.dwelling_node[d]
            end_kind = NODE_KINDS[site.node_kind[r[-1]]]
            expected = {
                "out": "street",
                "mail": "mailbox",
                "bike": "bike_storage",
                "bins": "bins",
            }.get(dest, dest)
            assert end_kind == expected
            assert all(site.graph.has_edge(int(u), int(v)) for u, v in itertools.pairwise(r))
            length = sum(
                site.graph.edges[int(u), int(v)]["length"] for u, v in itertools.pairwise(r)
            )
            assert site.route_length[dest][d] == pytest.approx(length)


def test_out_goes_to_own_street_and_own_mailbox(mixed_site):
    site = mixed_site
    for d in range(site.n_dwellings):
        b = site.dwelling_building[d]
        street = site.route(d, "out")[-1]
        assert site.graph.nodes[int(street)]["front_of"] == b
        mail = site.route(d, "mail")
        if len(mail):
            assert site.node_building[mail[-1]] == b
    row = site.dwelling_building == 3
    assert np.all(np.diff(site.routes["mail"][0])[row] == 0)  # row houses: no mail trip
    assert np.all(np.diff(site.routes["mail"][0])[~row] > 0)


def test_outdoor_routes_exist_for_all(mixed_site):
    for dest in ("playground", "shops", "dog_field"):
        assert np.all(np.isfinite(mixed_site.route_length[dest]))


def test_gallery_lift_use_by_floor():
    site = single("gallery_flat")
    lift = site.nodes_of_kind("lift")
    for d in range(site.n_dwellings):
        uses_lift = bool(np.isin(site.route(d, "out"), lift).any())
        assert uses_lift == (site.dwelling_floor[d] >= 2), (d, site.dwelling_floor[d])


def test_tower_lift_use_by_floor():
    site = single("corridor_tower")
    lift = site.nodes_of_kind("lift")
    uses = np.array([np.isin(site.route(d, "out"), lift).any() for d in range(site.n_dwellings)])
    assert np.array_equal(uses, site.dwelling_floor >= 2)


def _dwelling(site: Site, floor: int, position: int, building: int = 0) -> int:
    hit = np.flatnonzero(
        (site.dwelling_floor == floor)
        & (site.dwelling_position == position)
        & (site.dwelling_building == building)
    )
    assert len(hit) == 1
    return int(hit[0])


def test_functional_distance_on_gallery():
    site = single("gallery_flat")

    def shared(a: int, b: int) -> int:
        return len(set(site.route(a, "out").tolist()) & set(site.route(b, "out").tolist()))

    next_door = shared(_dwelling(site, 5, 3), _dwelling(site, 5, 4))
    far_apart = shared(_dwelling(site, 2, 0), _dwelling(site, 8, 13))
    assert next_door > far_apart
    # same gallery, same circulation unit; different floors, different units
    a, b, c = _dwelling(site, 5, 3), _dwelling(site, 5, 4), _dwelling(site, 6, 3)
    assert site.dwelling_circulation[a] == site.dwelling_circulation[b]
    assert site.dwelling_circulation[a] != site.dwelling_circulation[c]


def test_portiek_stairwells_meet_only_outside():
    site = single("stairwell_block")
    indoor = {i for i, k in enumerate(NODE_KINDS) if k in INDOOR_KINDS}
    pos = site.dwelling_position
    stairwell = pos // 2
    for a in range(site.n_dwellings):
        ra = set(site.route(a, "out").tolist())
        for b in range(a + 1, site.n_dwellings):
            common = ra & set(site.route(b, "out").tolist())
            common_indoor = {n for n in common if site.node_kind[n] in indoor}
            if stairwell[a] != stairwell[b]:
                assert not common_indoor
            else:
                assert "lobby" in kinds(site, common_indoor)


# ------------------------------------------------------------------ site assembly
def test_build_site_two_buildings_with_playground():
    site = build_site(
        [
            {"layout": "gallery_flat", "floors": 4, "dwellings_per_floor": 6},
            {"layout": "stairwell_block", "stairwells": 2},
        ],
        [{"kind": "playground", "near": 1, "distance": 30.0}],
    )
    assert nx.is_connected(site.graph)
    assert site.graph.number_of_nodes() == site.n_nodes
    assert sorted(site.graph.nodes) == list(range(site.n_nodes))
    assert site.summary()["dwellings_by_building"] == {0: 24, 1: 16}
    lengths = site.route_length["playground"]
    for b in (0, 1):
        assert np.all(np.isfinite(lengths[site.dwelling_building == b]))
    # buildings drawn side by side, outdoor space below y=-2
    xb0 = site.node_xy[site.node_building == 0, 0]
    xb1 = site.node_xy[site.node_building == 1, 0]
    assert xb0.max() < xb1.min()
    assert np.all(site.node_xy[site.nodes_of_kind("playground"), 1] < -2)


@pytest.mark.parametrize(
    ("buildings", "outdoor", "match"),
    [
        ([{"layout": "skyscraper"}], [], "gallery_flat"),
        ([{"layout": "row_houses"}], [{"kind": "zoo", "near": 0, "distance": 5}], "playground"),
        ([{"layout": "row_houses"}], [{"kind": "park", "near": 3, "distance": 5}], "near"),
        ([{"layout": "row_houses"}], [{"kind": "park", "near": 0, "distance": 0}], "distance"),
        ([{"layout": "row_houses"}], [{"kind": "park", "near": 0}], "missing"),
        ([{"layout": "row_houses", "floors": 3}], [], "floors"),
        ([{"layout": "row_houses", "x0": 3}], [], "x0"),
        ([], [], "at least one"),
    ],
)
def test_build_site_validation(buildings, outdoor, match):
    with pytest.raises(ValueError, match=match):
        build_site(buildings, outdoor)


def test_extra_rooms_and_edits():
    base = build_site(
        [
            {"layout": "gallery_flat", "floors": 3, "dwellings_per_floor": 4},
            {"layout": "row_houses", "houses": 5},
        ],
        [],
    )
    assert "laundry" not in base.destinations
    edited = apply_edits(
        base, [{"kind": "laundry", "building": 0}, {"kind": "garden", "building": 1}]
    )
    assert base.n_nodes + 2 == edited.n_nodes
    # existing node ids and dwellings are unchanged by an edit
    assert np.array_equal(edited.node_kind[: base.n_nodes], base.node_kind)
    assert np.array_equal(edited.dwelling_node, base.dwelling_node)
    laundry = edited.nodes_of_kind("laundry")[0]
    assert edited.node_building[laundry] == 0
    assert any(NODE_KINDS[edited.node_kind[n]] == "lobby" for n in edited.graph[int(laundry)])
    garden = edited.nodes_of_kind("garden")[0]
    assert [NODE_KINDS[edited.node_kind[n]] for n in edited.graph[int(garden)]] == ["entrance"]
    assert {"laundry", "garden"} <= set(edited.destinations)
    assert "laundry" not in base.destinations  # the base site is untouched
    with pytest.raises(ValueError, match="laundry"):
        apply_edits(base, [{"kind": "sauna", "building": 0}])
    with pytest.raises(ValueError, match="building"):
        apply_edits(base, [{"kind": "laundry", "building": 7}])
    g = gallery_flat(0, floors=2, dwellings_per_floor=2)
    node = add_room(g, "hobby_room", 0)
    assert g.nodes[node]["kind"] == "hobby_room" and nx.is_connected(g)


def test_from_graph_is_deterministic():
    spec = (
        [{"layout": "gallery_flat"}, {"layout": "row_houses"}],
        [{"kind": "park", "near": 1, "distance": 50.0}],
    )
    a, b = build_site(*spec), build_site(*spec)
    for field in (
        "node_kind",
        "node_building",
        "node_floor",
        "node_xy",
        "dwelling_node",
        "dwelling_building",
        "dwelling_floor",
        "dwelling_position",
        "dwelling_circulation",
    ):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert a.destinations == b.destinations
    assert a.dwelling_circulation_names == b.dwelling_circulation_names
    for dest in a.destinations:
        assert np.array_equal(a.routes[dest][0], b.routes[dest][0])
        assert np.array_equal(a.routes[dest][1], b.routes[dest][1])
    assert list(a.graph.edges) == list(b.graph.edges)
    # node names survive relabelling
    assert a.graph.nodes[0]["name"] == b.graph.nodes[0]["name"]


def test_site_arrays_are_read_only_and_typed(mixed_site):
    s = mixed_site
    assert s.node_kind.dtype == np.int16 and s.node_building.dtype == np.int32
    assert s.node_xy.shape == (s.n_nodes, 2)
    assert s.dwelling_node.dtype == np.int32 and s.dwelling_circulation.dtype == np.int32
    assert s.dwelling_circulation.max() + 1 == len(s.dwelling_circulation_names)
    with pytest.raises(ValueError):
        s.node_kind[0] = 1
    with pytest.raises(KeyError, match="available"):
        s.route(0, "moon")
    summary = s.summary()
    assert summary["n_dwellings"] == 140 + 32 + 96 + 20
    assert summary["nodes_by_kind"]["street"] == 4


# ------------------------------------------------------------------ compiled routing vs networkx
_RULES = {  # destination -> (node kind, scope), restated here so the oracle is independent
    "mail": ("mailbox", "own"),
    "bins": ("bins", "own_first"),
    "bike": ("bike_storage", "own"),
    "laundry": ("laundry", "own_first"),
    "hobby_room": ("hobby_room", "own_first"),
    **{
        k: (k, "nearest")
        for k in ("playground", "dog_field", "park", "shops", "community_centre", "garden")
    },
}


def reference_routes(h: nx.Graph, dw_node: list[int], dw_building: list[int]) -> dict:
    """The networkx routing `Site` used before the compiled Dijkstra, as the oracle:
    dest -> (path per dwelling, length per dwelling); h has nodes 0..n-1."""
    kind = {i: d["kind"] for i, d in h.nodes(data=True)}
    bld = {i: d.get("building", -1) for i, d in h.nodes(data=True)}
    nd = len(dw_node)

    def tree(graph, sources):
        return nx.multi_source_dijkstra(graph, set(sources), weight="length")

    out = {}
    for dest in DESTINATIONS:
        paths, dist = [[] for _ in range(nd)], [float("inf")] * nd

        def fill(ds, t, paths=paths, dist=dist):
            left = []
            for d in ds:
                if dw_node[d] in t[1]:
                    paths[d], dist[d] = t[1][dw_node[d]][::-1], t[0][dw_node[d]]
                else:
                    left.append(d)
            return left

        def fill_local(ds, targets, b, fill=fill):
            sub = h.subgraph({i for i in h if bld[i] == b} | set(targets))
            left = fill(ds, tree(sub, targets))
            return fill(left, tree(h, targets)) if left else left

        buildings = sorted(set(dw_building))
        mine = {b: [d for d in range(nd) if dw_building[d] == b] for b in buildings}
        if dest == "out":
            street = {
                d["front_of"]: i
                for i, d in h.nodes(data=True)
                if d["kind"] == "street" and d.get("front_of") is not None
            }
            for b in buildings:
                targets = (
                    [street[b]]
                    if b in street
                    else [i for i in h if kind[i] == "entrance" and bld[i] == b]
                )
                if targets:
                    fill_local(mine[b], targets, b)
        else:
            k, scope = _RULES[dest]
            everywhere = [i for i in h if kind[i] == k]
            if everywhere and scope == "nearest":
                fill(range(nd), tree(h, everywhere))
            elif everywhere:
                for b in buildings:
                    own = [i for i in everywhere if bld[i] == b]
                    left = fill_local(mine[b], own, b) if own else mine[b]
                    if scope == "own_first" and left and not own:
                        fill(left, tree(h, everywhere))
        out[dest] = (paths, dist)
    return out


def assert_routes_match(site: Site, ref: dict) -> None:
    for dest, (paths, dist) in ref.items():
        if not any(paths):
            assert dest not in site.destinations
            continue
        for d, (p, length) in enumerate(zip(paths, dist, strict=True)):
            assert site.route(d, dest).tolist() == p, (dest, d)
            assert site.route_length[dest][d] == length, (dest, d)


def random_site_graph(seed: int) -> nx.Graph:
    """A small messy site: three buildings, short integer lengths (many equal-length
    routes, so tie-breaking matters), nodes and edges added in shuffled order, a building
    without a street node, one without own facilities, and unreachable bits."""
    rng = np.random.default_rng(seed)
    specs = [("gallery", b) for b in (0, 1, 2) for _ in range(6)]
    specs += [("stairs", b) for b in (0, 1, 2) for _ in range(3)]
    specs += [("entrance", 0), ("entrance", 1), ("entrance", 1), ("entrance", 2)]
    specs += [
        ("mailbox", 0),
        ("mailbox", 1),
        ("bins", 0),
        ("bins", 0),
        ("bike_storage", 2),
        ("laundry", 1),
        ("street", -1),
        ("street", -1),
        ("park", -1),
        ("park", -1),
        ("playground", -1),
        ("shops", -1),
    ]
    order = rng.permutation(len(specs))
    g = nx.Graph()
    keys = [f"n{int(rng.integers(10**6))}:{i}" for i in range(len(specs))]
    fronts = iter([0, 2])
    for i in order:
        kind, b = specs[i]
        extra = {"front_of": next(fronts)} if kind == "street" else {}
        g.add_node(keys[i], kind=kind, building=b, floor=0, xy=(float(i), 0.0), **extra)
    n = len(specs)
    for _ in range(3 * n):
        u, v = rng.integers(n, size=2)
        if u != v:
            g.add_edge(keys[u], keys[v], length=float(rng.integers(1, 4)))
    doors = [k for k, s in zip(keys, specs, strict=True) if s[0] == "gallery"]
    g.graph["dwellings"] = [
        {
            "building": int(g.nodes[k]["building"]) if rng.random() < 0.9 else int(rng.integers(3)),
            "floor": 0,
            "position": j,
            "door_node": k,
            "circulation": f"c{j % 4}",
        }
        for j, k in enumerate(doors * 2)
    ]
    return g


@pytest.mark.parametrize("seed", range(25))
def test_routes_match_networkx_reference(seed):
    g = random_site_graph(seed)
    site = Site.from_graph(g)
    h = nx.relabel_nodes(g, {n: i for i, n in enumerate(g.nodes)})
    ref = reference_routes(h, site.dwelling_node.tolist(), site.dwelling_building.tolist())
    assert_routes_match(site, ref)
    # the site's own graph is the relabelled one, neighbour order included
    assert list(site.graph.edges(data="length")) == list(h.edges(data="length"))
    assert all(list(site.graph.adj[i]) == list(h.adj[i]) for i in h)


@pytest.mark.parametrize("seed", range(10))
def test_plan_matches_networkx_graph(seed):
    """A Plan and an nx.Graph fed the same calls (repeated edges included) give the same
    site: the district path never builds the networkx graph, so this keeps it honest."""
    rng = np.random.default_rng(seed)
    g = random_site_graph(seed)
    plan, twin = Plan(), nx.Graph()
    for key, d in g.nodes(data=True):
        plan.add_node(key, **d)
        twin.add_node(key, **d)
    edges = list(g.edges)
    for j in rng.integers(len(edges), size=3 * len(edges)):
        u, v = edges[j] if rng.random() < 0.5 else edges[j][::-1]
        length = float(rng.integers(1, 4))
        plan.add_edge(u, v, length=length)
        twin.add_edge(u, v, length=length)
    for d in g.graph["dwellings"]:
        plan.add_dwelling(
            d["building"], d["floor"], d["position"], d["door_node"], d["circulation"]
        )
    twin.graph["dwellings"] = g.graph["dwellings"]
    a, b = Site.from_plan(plan), Site.from_graph(twin)
    assert_same_site(a, b)
    h = nx.relabel_nodes(twin, {n: i for i, n in enumerate(twin.nodes)})
    assert list(a.graph.edges(data="length")) == list(h.edges(data="length"))
    assert_routes_match(
        a, reference_routes(h, a.dwelling_node.tolist(), a.dwelling_building.tolist())
    )


def assert_same_site(a: Site, b: Site) -> None:
    for field in (
        "node_kind",
        "node_building",
        "node_floor",
        "node_xy",
        "edge_u",
        "edge_v",
        "edge_length",
        "dwelling_node",
        "dwelling_building",
        "dwelling_floor",
        "dwelling_position",
        "dwelling_circulation",
    ):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert a.destinations == b.destinations
    assert a.node_name == b.node_name
    for dest in a.destinations:
        for x, y in zip(a.routes[dest], b.routes[dest], strict=True):
            assert np.array_equal(x, y) and x.dtype == y.dtype, dest
        assert np.array_equal(a.route_length[dest], b.route_length[dest]), dest
    assert a.summary() == b.summary()


def test_built_site_round_trips_through_its_graph(mixed_site):
    """build_site never makes a networkx graph; the one built on demand gives the same site."""
    assert "graph" not in vars(build_site([{"layout": "gallery_flat"}], []))
    assert_same_site(mixed_site, Site.from_graph(mixed_site.graph))
    ref = reference_routes(
        mixed_site.graph, mixed_site.dwelling_node.tolist(), mixed_site.dwelling_building.tolist()
    )
    assert_routes_match(mixed_site, ref)


def test_district_buildings_share_routes_up_to_offset():
    """Identical buildings on one street: the same internal routes, shifted by the node
    offset (a cheap check that per-building trees don't leak into each other)."""
    site = build_site(
        [{"layout": "gallery_flat", "floors": 4, "dwellings_per_floor": 5}] * 4,
        [{"kind": "park", "near": 3, "distance": 50.0}],
    )
    first = np.flatnonzero(site.node_building == 1)[0] - np.flatnonzero(site.node_building == 0)[0]
    for dest in ("out", "mail", "bins", "bike"):
        for d in range(20):
            assert np.array_equal(site.route(d + 20, dest), site.route(d, dest) + first)
