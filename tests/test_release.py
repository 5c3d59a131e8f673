"""The release: the wheel that `python -m build` makes, installed into a fresh venv, used from a
folder outside the checkout, as a new user would (pip install chatgraph, then run it anywhere)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import chatgraph
from chatgraph import queries

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p.stem for p in (ROOT / "queries").glob("*.sql"))

pytestmark = pytest.mark.slow

OWN_QUERY = """-- title: Posts per chat
-- description: How many posts each chat of the archive holds.
-- params:
select chat_id, count(*) as posts from posts group by chat_id order by chat_id;
"""


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and the wheel built from it, as a release build makes them."""
    out = tmp_path_factory.mktemp("dist")
    built = _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], cwd=ROOT)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    (path,) = dist.glob("chatgraph-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """A fresh venv (no access to this one's packages) with only the wheel and its dependencies."""
    venv = tmp_path_factory.mktemp("venv")
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=venv)
    assert made.returncode == 0, made.stderr
    pip = _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], cwd=venv)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    return venv / "bin"


@pytest.fixture()
def user_env(tmp_path) -> dict[str, str]:
    """The environment of a user who has set nothing of chatgraph's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATGRAPH_")}
    env["HOME"] = str(tmp_path)
    env["COLUMNS"] = "200"
    return env


def test_the_wheel_carries_the_queries_and_templates_and_no_tests(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert (
        sorted(
            Path(n).stem
            for n in names
            if n.startswith("chatgraph/_queries/") and n.endswith(".sql")
        )
        == SHIPPED
    )
    assert {"chatgraph/templates/map.html", "chatgraph/templates/map.js",
            "chatgraph/templates/map.css"} <= set(names)  # fmt: skip
    assert "chatgraph/simulate/samples.py" in names  # what `demo` makes its samples with
    assert not [n for n in names if n.startswith(("tests/", "sample_exports/", "bench/"))]
    assert not [n for n in names if "__pycache__" in n]


def test_the_wheel_metadata_is_what_pypi_shows(wheel):
    (meta,) = [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".dist-info/METADATA")]
    text = zipfile.ZipFile(wheel).read(meta).decode()
    headers = [line for line in text.split("\n\n", 1)[0].splitlines()]
    assert f"Version: {chatgraph.__version__}" in headers
    assert "Requires-Python: >=3.11" in headers
    assert "License-Expression: MIT" in headers
    assert "Classifier: Intended Audience :: Science/Research" in headers
    assert (
        "Project-URL: Changelog, https://github.com/chatgraph/chatgraph/blob/main/CHANGELOG.md"
        in headers
    )
    assert any(h.startswith("Keywords: ") and "tweetchat" in h for h in headers)
    assert "Provides-Extra: test" in headers
    # The README is the long description.
    assert "Description-Content-Type: text/markdown" in headers
    assert "# chatgraph" in text.split("\n\n", 1)[1]


def test_the_sdist_rebuilds_the_same_files(dist):
    (sdist,) = dist.glob("chatgraph-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    top = names[0].split("/")[0]
    assert f"{top}/queries/new_connections_per_year.sql" in names
    assert f"{top}/CHANGELOG.md" in names and f"{top}/pyproject.toml" in names


def test_version_matches_the_changelog_and_pyproject():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {chatgraph.__version__} " in changelog
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["dynamic"] == ["version"]


def test_installed_version(installed, tmp_path, user_env):
    result = _run([str(installed / "chatgraph"), "--version"], cwd=tmp_path, env=user_env)
    assert (result.returncode, result.stdout) == (0, f"chatgraph {chatgraph.__version__}\n")


def test_installed_demo_queries_and_query_outside_the_checkout(installed, tmp_path, user_env):
    exe = str(installed / "chatgraph")
    work = tmp_path / "empty"
    work.mkdir()

    demo = _run([exe, "demo", "--output", "out"], cwd=work, env=user_env)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "Loaded into out/chatgraph.duckdb" in demo.stdout
    assert "Open out/hcldr-report.html in a browser" in demo.stdout
    made = sorted(p.name for p in (work / "out" / "sample_exports").iterdir())
    assert made == sorted(p.name for p in (ROOT / "sample_exports").iterdir())
    for name in made:  # the bundled simulator makes the checkout's samples, byte for byte
        assert (work / "out" / "sample_exports" / name).read_bytes() == (
            ROOT / "sample_exports" / name
        ).read_bytes(), name
    for out in ("hcldr-report.html", "uscap-report.html", "maps/hcldr-2024.html",
                "graphs/hcldr.gexf"):  # fmt: skip
        assert (work / "out" / out).stat().st_size > 1000, out

    listed = _run([exe, "queries", "--format", "csv"], cwd=work, env=user_env)
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [r["name"] for r in rows] == SHIPPED
    assert {r["from"] for r in rows} == {"shipped"}

    db = ["--db", "out/chatgraph.duckdb"]
    ran = _run([exe, "query", "new_connections_per_year", "-p", "chat=hcldr", *db, "-f", "csv"],
               cwd=work, env=user_env)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [
        "first_year,new_connections,total_connections,with_a_newcomer,their_interactions_since",
        "2016,139,139,139,4241", "2017,181,320,162,768", "2018,256,576,245,1996",
        "2019,190,766,178,1510", "2020,170,936,132,764", "2021,53,989,36,899",
        "2022,16,1005,11,64", "2023,17,1022,16,282", "2024,68,1090,59,236",
    ]  # fmt: skip

    # The demo set each chat's zone, as a moderator would: #HCLDR meets on Tuesday evenings.
    zones = _run([exe, "sql", "select chat_id, timezone from chats order by 1", *db, "-f", "csv"],
                 cwd=work, env=user_env)  # fmt: skip
    assert zones.stdout.splitlines() == [
        "chat_id,timezone", "hcldr,America/New_York", "uscap,America/Chicago",
    ]  # fmt: skip

    # A research group's own folder, by --dir and by CHATGRAPH_QUERIES, beside the shipped ones.
    own = work / "my_queries"
    own.mkdir()
    (own / "posts_per_chat.sql").write_text(OWN_QUERY)
    expected = ["chat_id,posts", "hcldr,16246", "uscap,433"]
    by_dir = _run([exe, "query", "posts_per_chat", "--dir", "my_queries", *db, "-f", "csv"],
                  cwd=work, env=user_env)  # fmt: skip
    assert (by_dir.returncode, by_dir.stdout.splitlines()) == (0, expected), by_dir.stderr
    by_env = _run([exe, "query", "posts_per_chat", *db, "-f", "csv"], cwd=work,
                  env={**user_env, "CHATGRAPH_QUERIES": str(own)})  # fmt: skip
    assert (by_env.returncode, by_env.stdout.splitlines()) == (0, expected), by_env.stderr
    both = _run([exe, "queries", "--format", "csv"], cwd=work,
                env={**user_env, "CHATGRAPH_QUERIES": str(own)})  # fmt: skip
    names = [r["name"] for r in csv.DictReader(io.StringIO(both.stdout))]
    assert names == sorted([*SHIPPED, "posts_per_chat"])

    # Without the folder, the query is not found, and the error says where to look.
    missing = _run([exe, "query", "posts_per_chat", *db], cwd=work, env=user_env)
    assert missing.returncode == 2
    assert missing.stderr.startswith("Error: no query named 'posts_per_chat' (queries: ")


def test_installed_queries_come_from_the_package(installed, tmp_path, user_env):
    code = "import chatgraph.queries as q; print(q.QUERIES_DIR)"
    result = _run([str(installed / "python"), "-c", code], cwd=tmp_path, env=user_env)
    where = Path(result.stdout.strip())
    assert where.name == "_queries" and "site-packages" in where.parts, result.stdout
    assert queries.QUERIES_DIR == ROOT / "queries"  # the checkout reads its own folder
