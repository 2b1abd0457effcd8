"""Loading mappings: the shipped ones load; every kind of mistake names file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.publish.context import internal_schema
from mappings import INTERNAL, MappingError, VocabularyTerms, load_mapping, load_mappings

SCHEMES = {"crime-category": {"burglary"}, "crime-outcome": set(), "impact-factor": {"alcohol"}}
VOCABULARY = VocabularyTerms(
    record_types=frozenset({"RecordedCrime", "CrimeOutcome", "StopAndSearch"}),
    has_property=lambda p: p in {"pol:category", "pol:month", "pol:snapPoint", "pol:crimeId", "pol:outcome"},
    has_scheme=lambda s: s in SCHEMES,
    has_concept=lambda s, c: c in SCHEMES.get(s, set()),
)

GOOD = """\
table: crime_report
record: RecordedCrime
dataset: street-crime
uri: crime/{crime_id}
withhold:
  - when: marker_restricted
    reason: reporting restriction
fields:
  crime_id:
    from: internal_ref
    transform: pseudonym
    property: pol:crimeId
  category:
    from: offence_code
    transform: lookup
    lookup: offence_code
    scheme: crime-category
    property: pol:category
  month:
    from: recorded_at
    transform: month
    property: pol:month
  map_point:
    from: [easting, northing]
    transform: snap-to-map-point
    property: pol:snapPoint
"""


def write(tmp_path: Path, text: str, name: str = "crime_report.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def load(tmp_path: Path, text: str):
    return load_mapping(write(tmp_path, text), internal_schema(), VOCABULARY)


def test_a_good_mapping(tmp_path):
    mapping = load(tmp_path, GOOD)
    assert mapping.key == "crime_id"
    assert [f.name for f in mapping.fields] == ["crime_id", "category", "month", "map_point"]
    assert mapping.withhold[0].column == "marker_restricted"


def test_default_deny_reads_only_mapped_columns(tmp_path):
    columns = load(tmp_path, GOOD).columns()
    assert columns == ["internal_ref", "offence_code", "recorded_at", "easting", "northing", "marker_restricted"]
    assert "victim_name" not in columns and "narrative" not in columns


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("from: offence_code", "from: offence", 14, "unknown column 'offence' in this table"),
        ("transform: month", "transform: year", 21, "unknown transform 'year'"),
        ("property: pol:month", "property: pol:monthOfYear", 22, "unknown property 'pol:monthOfYear'"),
        (
            "from: recorded_at",
            "from: victim_name",
            20,
            "column 'victim_name' is private: it may be published only through pseudonym, not 'month'",
        ),
        (
            "from: offence_code\n    transform: lookup",
            "from: narrative\n    transform: as-is",
            14,
            "column 'narrative' is private",
        ),
        (
            "from: recorded_at\n    transform: month",
            "from: recorded_at\n    transform: as-is",
            20,
            "column 'recorded_at' is transform: it may be published only through month, utc-datetime",
        ),
        ("from: [easting, northing]", "from: [easting]", 24, "transform 'snap-to-map-point' reads 2 column(s), not 1"),
        ("lookup: offence_code", "lookup: offences", 16, "unknown lookup table 'offences'"),
        ("scheme: crime-category", "scheme: crime-kind", 17, "unknown concept scheme 'crime-kind'"),
        ("table: crime_report", "table: crimes", 1, "unknown internal table 'crimes'"),
        ("record: RecordedCrime", "record: Crime", 2, "unknown record type 'Crime'"),
        ("uri: crime/{crime_id}", "uri: crime/{reference}", 4, "URI template names 'reference'"),
        ("when: marker_restricted", "when: marker_secret", 6, "unknown column 'marker_secret'"),
        ("    transform: pseudonym", "    transform: pseudonym\n    colour: red", 12, "unknown field key 'colour'"),
        ("dataset: street-crime\n", "", 1, "missing 'dataset'"),
    ],
)
def test_mistakes_name_file_line_and_problem(tmp_path, old, new, line, message):
    assert old in GOOD
    with pytest.raises(MappingError) as caught:
        load(tmp_path, GOOD.replace(old, new))
    assert caught.value.line == line, str(caught.value)
    assert message in caught.value.detail
    assert str(caught.value).startswith(f"{tmp_path / 'crime_report.yaml'}:{line}: ")


def test_not_yaml(tmp_path):
    with pytest.raises(MappingError, match=r"crime_report\.yaml:4: not valid YAML: expected ',' or '\]'"):
        load(tmp_path, "table: crime_report\nfields:\n  - [unclosed\n")


def test_not_a_mapping(tmp_path):
    with pytest.raises(MappingError, match="key: value"):
        load(tmp_path, "- just\n- a list\n")


def test_flag_needs_a_known_concept(tmp_path):
    text = GOOD.replace("fields:\n", "fields:\n  drunk:\n    from: marker_hate_crime\n    transform: flag\n"
                        "    scheme: impact-factor\n    concept: absinthe\n")  # fmt: skip
    with pytest.raises(MappingError, match="unknown concept 'absinthe' in scheme 'impact-factor'"):
        load(tmp_path, text)


def test_a_set_checks_parents(tmp_path):
    write(tmp_path, GOOD)
    child = """\
table: crime_outcome
record: CrimeOutcome
dataset: outcomes
uri: crime/{crime_id}
parent: {mapping: crimes, via: crime_ref, property: pol:outcome}
fields:
  crime_id: {from: crime_ref, transform: pseudonym}
"""
    write(tmp_path, child, "crime_outcome.yaml")
    with pytest.raises(MappingError, match="parent mapping 'crimes' does not exist"):
        load_mappings(tmp_path, internal_schema(), VOCABULARY)
    write(tmp_path, child.replace("mapping: crimes", "mapping: crime_report"), "crime_outcome.yaml")
    mappings = load_mappings(tmp_path, internal_schema(), VOCABULARY)
    assert [m.name for m in mappings.children_of("crime_report")] == ["crime_outcome"]


def test_every_shipped_mapping_reads_no_private_column_except_through_pseudonym():
    schema = internal_schema()
    for path in sorted(INTERNAL.glob("*.yaml")):
        text = path.read_text()
        assert "transform:" in text
    # The full check against the real vocabulary is in tests/publish.
    assert schema.columns["crime_report"]["victim_name"] == "private"
