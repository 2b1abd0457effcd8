"""The gateway command: help everywhere, demo-data on every backend, one-line errors."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from gateway.cli import main
from gateway.demo.sources import default_sources_dir
from gateway.internal import changes, schema
from gateway.internal.database import make_engine
from tests.conftest import BACKENDS


@pytest.mark.parametrize("args", [[], ["demo-data"], ["serve"], ["change-log"]])
def test_help_on_every_command(runner, args):
    result = runner.invoke(main, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output


@pytest.mark.parametrize("scratch_database", BACKENDS, indirect=True)
def test_demo_data_builds_the_internal_tables(runner, scratch_database):
    result = runner.invoke(main, ["demo-data", "--database", scratch_database, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "crime_report" in result.output and "34,928" in result.output
    engine = make_engine(scratch_database)
    try:
        # the internal tables, and the change log (empty: the build is no change)
        assert set(inspect(engine).get_table_names()) == {*schema.metadata.tables, changes.LOG_TABLE}
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(schema.stop_search)).scalar() == 12_447
            assert changes.position(conn)["id"] == 1  # the log's first row only
    finally:
        engine.dispose()
    # gateway change-log on a database that has one keeps it; its triggers log changes
    logged = runner.invoke(main, ["change-log", "--database", scratch_database])
    assert logged.exit_code == 0, logged.output
    assert "change log on" in logged.output and "crime_outcome" in logged.output
    engine = make_engine(scratch_database)
    try:
        with engine.begin() as conn:
            conn.execute(schema.stop_search.delete().where(schema.stop_search.c.internal_ref == conn.execute(
                select(func.min(schema.stop_search.c.internal_ref))).scalar()))  # fmt: skip
        with engine.connect() as conn:
            assert changes.position(conn)["id"] == 2
    finally:
        engine.dispose()
    again = runner.invoke(main, ["demo-data", "--database", scratch_database, "--if-missing"])
    assert again.exit_code == 0 and "nothing to do" in again.output


def test_data_dir_and_environment_defaults(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("GATEWAY_DATA_DIR", str(tmp_path / "env-dir"))
    result = runner.invoke(main, ["demo-data", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env-dir" / "internal.sqlite").is_file()
    result = runner.invoke(main, ["demo-data", "-q", "--data-dir", str(tmp_path / "option-dir")])
    assert (tmp_path / "option-dir" / "internal.sqlite").is_file()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def existing(runner, tmp_path) -> Path:
    """A data directory with a database already built, to prove failures leave it be."""
    result = runner.invoke(main, ["demo-data", "-q", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0
    return tmp_path / "internal.sqlite"


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("gateway: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_unknown_database_scheme(runner, existing):
    before = digest(existing)
    result = runner.invoke(main, ["demo-data", "--database", "mysql://root@localhost/met"])
    assert_one_line_error(result, "unsupported database URL scheme 'mysql'")
    assert digest(existing) == before


def test_unwritable_path(runner, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = runner.invoke(main, ["demo-data", "-q", "--database", f"sqlite:///{blocker}/sub/internal.sqlite"])
    assert_one_line_error(result, "cannot write", str(blocker))


def test_malformed_source_leaves_the_database_untouched(runner, existing, tmp_path):
    before = digest(existing)
    broken = tmp_path / "broken"
    shutil.copytree(default_sources_dir(), broken)
    victim = broken / "metropolitan" / "2024-01-metropolitan-street-burglary.csv"
    lines = victim.read_text().splitlines()
    lines[100] = lines[100].replace("Burglary", "Piracy")
    victim.write_text("\n".join(lines) + "\n")
    result = runner.invoke(main, ["demo-data", "-q", "--database", f"sqlite:///{existing}", "--sources", str(broken)])
    assert_one_line_error(result, "2024-01-metropolitan-street-burglary.csv:101:", "unknown crime type 'Piracy'")
    assert digest(existing) == before
    assert sorted(p.name for p in existing.parent.iterdir() if p.name.startswith(".")) == []


def test_bad_scale(runner, tmp_path):
    result = runner.invoke(main, ["demo-data", "--data-dir", str(tmp_path), "--scale", "0"])
    assert result.exit_code == 2
    assert "--scale" in result.output


def test_scale_fills_met_months(runner, tmp_path):
    url = f"sqlite:///{tmp_path / 'scaled.sqlite'}"
    args = ["demo-data", "-q", "--database", url, "--scale", "3", "--crimes-per-month", "3000"]
    result = runner.invoke(main, [*args, "--stops-per-month", "400"])
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    month = func.substr(schema.crime_report.c.recorded_at, 1, 7)
    with engine.connect() as conn:
        crimes = dict(
            conn.execute(
                select(month, func.count())
                .where(schema.crime_report.c.force_code == "MPS")
                .group_by(month)
                .order_by(month)
            ).all()
        )
        asb = conn.execute(
            select(func.count()).where(
                func.substr(schema.anti_social_behaviour.c.reported_at, 1, 7) == "2023-12",
                schema.anti_social_behaviour.c.force_code == "MPS",
            )
        ).scalar()
        stops = conn.execute(select(func.count()).select_from(schema.stop_search)).scalar()
    engine.dispose()
    assert list(crimes) == ["2023-12", "2024-01", "2024-02"]
    assert 2400 <= crimes["2023-12"] + asb <= 3100, "a synthetic month holds about the asked volume"
    assert crimes["2024-01"] >= 5005, "real burglaries are kept"
    assert stops == 12_447 + 3 * 400
