"""docs/schema.md is generated from the database and must match the code's migrations exactly."""

from __future__ import annotations

from conftest import ROOT

from chatgraph import db as dbmod
from chatgraph import schema_doc
from chatgraph.cli import app

SCHEMA_MD = ROOT / "docs" / "schema.md"
REGENERATE = "regenerate it: chatgraph schema --output docs/schema.md"


def test_every_table_and_column_is_described():
    con = dbmod.connect(":memory:")
    missing = schema_doc.undescribed(con)
    con.close()
    assert missing == [], f"describe these in chatgraph/schema_doc.py, then {REGENERATE}"


def test_committed_schema_doc_is_current():
    assert SCHEMA_MD.read_text(encoding="utf-8") == schema_doc.generate(), (
        f"docs/schema.md is out of date; {REGENERATE}"
    )


def test_documented_columns_exist():
    con = dbmod.connect(":memory:")
    for table, (_, columns) in schema_doc.TABLES.items():
        actual = [r[0] for r in con.execute(f"describe {table}").fetchall()]
        assert sorted(columns) == sorted(actual), table
    con.close()


def test_schema_command_writes_the_same_file(runner, tmp_path):
    out = tmp_path / "schema.md"
    result = runner.invoke(app, ["schema", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == schema_doc.generate()
    printed = runner.invoke(app, ["schema"])
    assert printed.stdout == schema_doc.generate()


def test_schema_doc_module_entry_point(tmp_path):
    out = tmp_path / "s.md"
    assert schema_doc.main([str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# The archive schema\n")
    assert schema_doc.main([]) == 2


def test_internal_tables_are_named_not_exported():
    text = schema_doc.generate()
    assert "## privacy_salt" not in text
    assert "- `privacy_salt`: the archive's secret salt." in text
