"""The import: lenient reading, the archive tables' disclosure classes, stable ids."""

from __future__ import annotations

import json
import shutil

import pytest

from gateway.archive import schema
from gateway.archive.publish import ARCHIVE_TABLES, publish_archive
from gateway.demo.sources import SourceError, read_sources
from gateway.publish.context import internal_schema
from gateway.publish.vocabulary import load as load_vocabulary
from mappings import ARCHIVE, MappingError, load_mappings

from .conftest import CITY, KEY, STREET, crime_id, legacy_folder, write

GOOD = f"{crime_id(1)},2023-01,{CITY},-0.096718,51.515511,On or near ,E01000001,City of London 001A,Drugs,,"


def test_lenient_reading_reports_what_strict_reading_raises(tmp_path):
    write(tmp_path, "2023-01-city-of-london-street.csv", STREET, [GOOD, GOOD.replace("Drugs", "Piracy"), GOOD])
    write(tmp_path, "2023-02-city-of-london-street.csv", "Crime ID", [GOOD])
    with pytest.raises(SourceError, match="unknown crime type 'Piracy'"):
        read_sources(tmp_path)
    sources = read_sources(tmp_path, lenient=True)
    assert [r.line for r in sources.street] == [2, 4]
    assert sources.rejected == [
        "2023-01-city-of-london-street.csv:3: unknown crime type 'Piracy'",
        "2023-02-city-of-london-street.csv:1: unexpected header ['Crime ID']; expected "
        + STREET.replace("\r\n", "")
        + " (file skipped)",
    ]
    assert [p.name for p in sources.files] == ["2023-01-city-of-london-street.csv"]
    assert [p.name for p in sources.skipped] == ["2023-02-city-of-london-street.csv"]
    assert sources.street[0].crime_type == "Drugs" and sources.street[0].category == "drugs"


def test_every_archive_column_has_a_disclosure_class():
    for table in schema.metadata.sorted_tables:
        for column in table.columns:
            expected = "transform" if column.name in ("easting", "northing") and table.name != "map_point" else "public"
            assert column.info["disclosure"] == expected, f"{table.name}.{column.name}"


def test_positions_are_published_only_as_map_points(tmp_path):
    mappings = tmp_path / "mappings"
    shutil.copytree(ARCHIVE, mappings)
    path = mappings / "street.yaml"
    path.write_text(path.read_text() + "  easting:\n    from: easting\n    transform: as-is\n")
    vocabulary = load_vocabulary("https://data.met.police.uk/")
    with pytest.raises(MappingError, match="column 'easting' is transform"):
        load_mappings(mappings, internal_schema(ARCHIVE_TABLES), vocabulary.terms())
    with pytest.raises(MappingError, match="easting"):
        publish_archive(legacy_folder(tmp_path / "archive"), tmp_path / "releases", key=KEY, mappings_dir=mappings)
    assert not (tmp_path / "releases").exists()


def test_importing_the_same_files_again_gives_the_same_release(legacy_release, tmp_path):
    again = publish_archive(legacy_folder(tmp_path / "archive"), tmp_path / "releases", key=KEY)

    def files(result) -> dict[str, str]:
        manifest = json.loads((result.path / "manifest.json").read_text())
        return {f["path"]: f["sha256"] for f in manifest["files"]}

    assert files(again) == files(legacy_release)
