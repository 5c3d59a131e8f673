"""Connection maps: exact nodes, edges and new connections; a self-contained, escaped page."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from maparchive import CHAT, EVIL, EVIL_NAME, fill

from chatgraph import maps
from chatgraph.cli import app
from chatgraph.errors import ChatgraphError, UsageError

EVIL_ID = EVIL.lower()


@pytest.fixture
def archive(db):
    return fill(db)


def page_data(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', text, re.S)
    assert m, "no map data block"
    return json.loads(m.group(1))


def pairs(data: maps.MapData) -> dict[tuple[str, str], tuple[int, int]]:
    """(from, to) -> (first frame, new-connection frame)."""
    return {(e["from"], e["to"]): (e["f"], e["n"]) for e in data.edges}


def test_year_map_nodes_edges_and_new_connections(archive):
    data = maps.map_data(archive, year=2020)
    assert data.frames == ["2020"]
    assert sorted(n["id"] for n in data.nodes) == sorted(["alice", "bob", "dave", EVIL_ID])
    # alice-bob first connected in 2019; the other two pairs are new in 2020
    assert pairs(data) == {
        (EVIL_ID, "alice"): (0, 0),
        ("alice", "bob"): (0, -1),
        ("alice", "dave"): (0, 0),
    }
    assert data.new_edges == 2
    sizes = {n["id"]: n["value"] for n in data.nodes}
    assert sizes == {"alice": 3, "bob": 1, "dave": 1, EVIL_ID: 1}
    assert data.title == "#hcldr connections, 2020"


def test_range_map_has_one_frame_per_year_and_the_year_each_pair_appears(archive):
    data = maps.map_data(archive)  # no period: all the chat's years
    assert data.frames == ["2019", "2020", "2021"]
    assert pairs(data) == {
        ("alice", "bob"): (0, 0),
        ("bob", "carol"): (0, 0),
        (EVIL_ID, "alice"): (1, 1),
        ("alice", "dave"): (1, 1),
        ("carol", "dave"): (2, 2),
    }
    assert len(data.nodes) == 5
    assert data.new_edges == 1  # new in the last frame, 2021
    assert maps.map_data(archive, years="2020-2021").frames == ["2020", "2021"]
    later = pairs(maps.map_data(archive, years=(2020, 2021)))
    assert later[("alice", "bob")] == (0, -1)  # seen in 2020, but first connected in 2019


def test_session_map(archive):
    data = maps.map_data(archive, session="hcldr-2021-06-01")
    assert data.frames == ["hcldr-2021-06-01"]
    assert pairs(data) == {("alice", "bob"): (0, -1), ("carol", "dave"): (0, 0)}
    assert data.title == "#hcldr connections, session hcldr-2021-06-01"


def test_kinds_and_min_weight(archive):
    data = maps.map_data(archive, year=2021, kinds="reply,retweet")
    assert [(e["from"], e["to"], e["k"], e["w"]) for e in data.edges] == [
        ("alice", "bob", [1, 1], 2)
    ]
    assert data.kinds == ["reply", "retweet"]
    heavy = maps.map_data(archive, min_weight=2)
    assert [(e["from"], e["to"], e["w"]) for e in heavy.edges] == [("alice", "bob", 4)]
    assert sorted(n["id"] for n in heavy.nodes) == ["alice", "bob"]
    assert heavy.subtitle == "reply/mention/quote interactions, pairs with at least 2"


def test_colour_by_first_year_and_by_community(archive):
    data = maps.map_data(archive, color="first-year")
    colour = {n["id"]: n["color"] for n in data.nodes}
    # alice and bob first posted in 2019, the evil account in 2020, dave in 2021; carol never did
    assert colour["alice"] == colour["bob"] == maps.YEAR_STOPS[0]
    assert colour[EVIL_ID] == maps.YEAR_STOPS[2]
    assert colour["dave"] == maps.YEAR_STOPS[-1]
    assert colour["carol"] == maps.NEVER_POSTED
    assert [item["label"] for item in data.legend] == [
        "first post 2019: 2",
        "first post 2020: 1",
        "first post 2021: 1",
        "never posted (mentioned): 1",
    ]
    comm = maps.map_data(archive)
    groups: dict[str, set[str]] = {}
    for n in comm.nodes:
        groups.setdefault(n["color"], set()).add(n["id"])
    assert sorted(map(sorted, groups.values())) == [[EVIL_ID, "alice", "bob"], ["carol", "dave"]]
    assert comm.legend[0]["label"] == "1: 3 accounts (@Alice, @Bob)"


def test_tooltips_are_plain_text(archive):
    data = maps.map_data(archive, year=2020)
    tips = {n["id"]: n["t"] for n in data.nodes}
    assert tips["alice"] == (
        "@Alice\nAlice Adams\nposts in 2020: 2\nfirst seen: 2019-03-05\npartners: 3\n"
        f"top partners: @{EVIL} (1), @Bob (1), @Dave (1)"  # ties in handle order
    )
    assert tips[EVIL_ID].splitlines()[:2] == [f"@{EVIL}", EVIL_NAME]
    # carol never posted: first seen when bob mentioned her
    carol = {n["id"]: n["t"] for n in maps.map_data(archive).nodes}["carol"]
    assert carol.splitlines()[3] == "first seen: 2019-03-05 (never posted; mentioned)"
    assert all("t" not in e for e in data.edges)  # the page writes edge tooltips from counts


def test_page_is_self_contained_and_escaped(archive, tmp_path):
    out = tmp_path / "map.html"
    result = maps.write_map(archive, out, year=2020)
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    assert "<link" not in text and " src=" not in text.replace("img src=x", "")
    assert "vis-network" in text and "physics:{enabled:!1}" not in text
    data = page_data(text)
    assert len(data["nodes"]) == result.nodes == 4
    assert len(data["edges"]) == result.edges == 3
    # the hostile handle and name are in the data, but never as markup
    assert {n["id"] for n in data["nodes"]} >= {EVIL_ID}
    assert EVIL not in text and EVIL_ID not in text
    assert "<script>window.__pwned" not in text
    assert "\\u003cimg src=x onerror=window.__pwned=1\\u003e" in text
    assert "<title>#hcldr connections, 2020</title>" in text


def test_json_for_script_round_trips_hostile_text():
    value = {"t": "</script><!-- & \u2028 \u2029 <b>"}
    text = maps.json_for_script(value)
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert json.loads(text) == value


def test_layout_is_seeded_and_spread():
    src = np.array([0, 1, 2, 3], dtype=np.int64)
    dst = np.array([1, 2, 3, 0], dtype=np.int64)
    w = np.ones(4, dtype=np.float32)
    a = maps.layout(5, src, dst, w, seed=3)
    b = maps.layout(5, src, dst, w, seed=3)
    assert a.shape == (5, 2) and np.array_equal(a, b)
    assert np.isfinite(a).all() and float(np.abs(a).max()) == pytest.approx(0.5)
    d = np.sqrt(((a[:, None, :] - a[None, :, :]) ** 2).sum(-1)) + np.eye(5)
    assert d.min() > 0.05  # no two accounts on top of each other


def test_no_two_nodes_overlap_as_drawn(archive):
    for data in (maps.map_data(archive), maps.map_data(archive, year=2020)):
        xy = np.array([(n["x"], n["y"]) for n in data.nodes])
        r = maps.node_radii(np.array([n["value"] for n in data.nodes], dtype=float))
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
        need = r[:, None] + r[None, :]
        np.fill_diagonal(d, np.inf)
        assert (d >= need).all()


def test_components_sit_side_by_side():
    # two triangles and a pair: three components, none drawn inside another's box
    src = np.array([0, 1, 2, 3, 4, 5, 6], dtype=np.int64)
    dst = np.array([1, 2, 0, 4, 5, 3, 7], dtype=np.int64)
    pos = maps.layout_components(8, src, dst, np.ones(7, dtype=np.float32))
    boxes = [(pos[g].min(0), pos[g].max(0)) for g in ([0, 1, 2], [3, 4, 5], [6, 7])]
    for i, (lo1, hi1) in enumerate(boxes):
        for lo2, hi2 in boxes[i + 1 :]:
            assert (hi1 < lo2).any() or (hi2 < lo1).any()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"year": 2020, "years": "2019-2020"}, UsageError, "choose one period: --year, --years or --session"),
        ({"kinds": "reply,like"}, UsageError, "--kinds: unknown kind 'like'; choose from reply,mention,retweet,quote"),
        ({"color": "rainbow"}, UsageError, "--color 'rainbow': choose community or first-year"),
        ({"years": "2019-x"}, UsageError, "--years '2019-x': not a range of years; write it as 2015-2019"),
        ({"session": "nope"}, UsageError, "no session 'nope' in chat 'hcldr'; list them with: chatgraph sessions --chat hcldr"),
        ({"year": 2024}, ChatgraphError, "chat 'hcldr' has no reply/mention/quote interactions in 2024 (years with interactions: 2019–2021)"),
        ({"min_weight": 9}, ChatgraphError, "chat 'hcldr' has no reply/mention/quote interactions with at least 9 interactions in 2019–2021 (years with interactions: 2019–2021)"),
    ],
)  # fmt: skip
def test_errors(archive, kwargs, error, message):
    with pytest.raises(error) as e:
        maps.map_data(archive, **kwargs)
    assert str(e.value) == message


def test_cli_map(archive, runner, tmp_path):
    path = tmp_path / "a.duckdb"
    archive.execute(f"attach '{path}' as f")
    archive.execute("copy from database memory to f")
    archive.execute("detach f")
    out = tmp_path / "sub" / "m.html"
    result = runner.invoke(
        app, ["map", "--db", str(path), "--years", "2019-2021", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}: 5 accounts, 5 pairs, 1 new in 2021\n"
    assert len(page_data(out.read_text(encoding="utf-8"))["nodes"]) == 5
    bad = runner.invoke(app, ["map", "--db", str(path), "--kinds", "likes", "--output", str(out)])
    assert bad.exit_code == 2
    assert "Error: --kinds: unknown kind 'likes'" in bad.output
    assert CHAT == "hcldr"


def test_cli_map_pseudonymized(archive, runner, tmp_path):
    path = tmp_path / "a.duckdb"
    archive.execute(f"attach '{path}' as f")
    archive.execute("copy from database memory to f")
    archive.execute("detach f")
    out = tmp_path / "p.html"
    args = ["map", "--db", str(path), "--pseudonymize", "--output", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}: 5 accounts, 5 pairs, 1 new in 2021\n"
    data = page_data(out.read_text(encoding="utf-8"))
    assert all(n["id"].startswith("user-") for n in data["nodes"])
    shown = json.dumps(data)
    for name in ("alice", "Alice", "Bob", "Carol", "Dave", "onerror", "Eve"):
        assert name not in shown
