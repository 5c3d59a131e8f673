from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatgraph import db as dbmod
from chatgraph import ingest

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"
SAMPLES = ROOT / "sample_exports"
DATA = Path(__file__).resolve().parent / "data"


def realdata(rel: str) -> Path:
    """A file of ../shared/realdata, or a clean skip where that folder is absent."""
    path = REALDATA / rel
    if not path.exists():
        pytest.skip(f"real sample {rel} not present")
    return path


@pytest.fixture
def db():
    con = dbmod.connect(":memory:")
    yield con
    con.close()


@pytest.fixture
def load(db):
    """Load paths into the in-memory archive; returns the list of FileResults."""

    def _load(*paths, **kw):
        return ingest.load(db, [str(p) for p in paths], **kw)

    return _load


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def sample_dir():
    if not any(SAMPLES.glob("*")):
        pytest.skip("sample_exports/ not generated")
    return SAMPLES
