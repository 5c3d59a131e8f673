"""Every command has help with an example; errors are one line with the right exit code."""

from __future__ import annotations

import typer.main

from chatgraph.cli import app


def _commands(group=None, prefix=()):
    group = group or typer.main.get_command(app)
    for name, cmd in sorted(group.commands.items()):
        path = (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, path)
        else:
            yield path, cmd


def test_every_command_has_help_with_an_example(runner):
    seen = []
    for path, _cmd in _commands():
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.output, f"`chatgraph {' '.join(path)} --help` shows no example"
        seen.append(" ".join(path))
    for expected in (
        "load",
        "sessions",
        "transcript",
        "graph",
        "map",
        "growth",
        "query",
        "sql",
        "export",
        "forget",
    ):
        assert expected in seen


def test_load_of_a_missing_file_is_one_line_exit_2(runner, tmp_path):
    result = runner.invoke(
        app, ["load", str(tmp_path / "nope.jsonl"), "--db", str(tmp_path / "a.duckdb")]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'nope.jsonl'}: no such file, folder or glob match"
    ]


def test_python_dash_m_runs_the_same_app():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "chatgraph", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "Usage: chatgraph" in out.stdout
