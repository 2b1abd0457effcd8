"""The demo release, read directly (sqlite3) for expected answers, and shape checkers."""

from __future__ import annotations

import math
import re
import sqlite3

import pytest

CRIME_KEYS = {
    "category", "persistent_id", "location_subtype", "id", "location", "context", "month", "location_type",
    "outcome_status",
}  # fmt: skip
STOP_KEYS = {
    "age_range", "officer_defined_ethnicity", "involved_person", "self_defined_ethnicity", "gender", "legislation",
    "outcome_linked_to_object_of_search", "datetime", "outcome_object", "location", "object_of_search", "operation",
    "outcome", "type", "operation_name", "removal_of_more_than_outer_clothing",
}  # fmt: skip
COORDINATE = re.compile(r"^-?\d+\.\d{6}$")
MONTH = re.compile(r"^\d{4}-\d{2}$")


@pytest.fixture(scope="session")
def db(published_release):
    """The release's published tables, opened read-only, as plain rows."""
    conn = sqlite3.connect(f"file:{published_release.path / 'release.sqlite'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in miles (spherical law of cosines, independent of the gateway's)."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lng2 - lng1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 3958.7613 * math.acos(max(-1.0, min(1.0, c)))


def check_location(location: dict) -> None:
    assert set(location) == {"latitude", "street", "longitude"}
    assert COORDINATE.match(location["latitude"]) and COORDINATE.match(location["longitude"])
    assert isinstance(location["street"]["id"], int)
    assert location["street"]["name"].startswith("On or near ")


def check_crime(crime: dict, *, with_status: bool = True) -> None:
    assert set(crime) == (CRIME_KEYS if with_status else CRIME_KEYS - {"outcome_status"})
    assert isinstance(crime["id"], int) and not isinstance(crime["id"], bool)
    assert crime["category"] != "all-crime"
    assert MONTH.match(crime["month"])
    assert crime["context"] == "" and crime["location_subtype"] == ""
    assert isinstance(crime["persistent_id"], str)
    if crime["category"] == "anti-social-behaviour":
        assert crime["persistent_id"] == ""
        assert crime.get("outcome_status") is None
    else:
        assert re.fullmatch(r"[0-9a-f]{64}", crime["persistent_id"])
    if crime["location"] is None:
        assert crime["location_type"] is None
    else:
        assert crime["location_type"] == "Force"
        check_location(crime["location"])
    status = crime.get("outcome_status")
    if status is not None:
        assert set(status) == {"category", "date"} and MONTH.match(status["date"])
        assert not re.fullmatch(r"[a-z-]+", status["category"])  # a display name, not a code


def check_stop(stop: dict) -> None:
    assert set(stop) == STOP_KEYS
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", stop["datetime"])
    assert stop["involved_person"] == (stop["type"] != "Vehicle search")
    assert set(stop["outcome_object"]) == {"id", "name"}
    assert stop["outcome_object"]["name"] == stop["outcome"]
    assert (stop["outcome_object"]["id"] == "") == (stop["outcome"] == "")
    if stop["location"] is not None:
        check_location(stop["location"])
