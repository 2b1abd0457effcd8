from sqlalchemy import select

from gateway.publish import tables
from gateway.queries import map_points
from gateway.queries.geometry import ONE_MILE_M, BBox, Circle, Polygon


def _all_points(conn):
    return [
        map_points.MapPoint(*r)
        for r in conn.execute(
            select(tables.map_point.c["id", "latitude", "longitude", "street_name"]).order_by(tables.map_point.c.id)
        )
    ]


def test_radius_matches_a_full_scan(any_conn):
    everything = _all_points(any_conn)
    known = map_points.every(any_conn)
    assert sorted(known.values()) == sorted(everything)
    for lat, lng in [(51.515, -0.09), (51.5074, -0.1278), (51.45, 0.05)]:
        circle = Circle(lat, lng, ONE_MILE_M)
        expected = {p.id for p in everything if circle.contains(p.latitude, p.longitude)}
        found = {p.id for p in map_points.in_area(any_conn, circle)}
        assert found == expected
        # with the map points held by the caller, the index answers ids only: same points
        assert set(map_points.in_area(any_conn, circle, known)) == set(map_points.in_area(any_conn, circle))
        assert expected  # the demo has points near each of these places


def test_polygon_matches_a_full_scan(any_conn):
    everything = _all_points(any_conn)
    polygon = Polygon(((51.50, -0.12), (51.53, -0.12), (51.53, -0.07), (51.51, -0.09)))
    expected = {p.id for p in everything if polygon.contains(p.latitude, p.longitude)}
    assert expected
    assert {p.id for p in map_points.in_area(any_conn, polygon)} == expected


def test_box_includes_its_edges(any_conn):
    point = _all_points(any_conn)[0]
    exact = BBox(point.latitude, point.longitude, point.latitude, point.longitude)
    assert point.id in {p.id for p in map_points.in_bbox(any_conn, exact)}
    just_beside = BBox(point.latitude + 1e-6, point.longitude, point.latitude + 1e-3, point.longitude)
    assert point.id not in {p.id for p in map_points.in_bbox(any_conn, just_beside)}


def test_nearest_and_by_id(any_conn):
    point = _all_points(any_conn)[10]
    assert map_points.nearest(any_conn, point.latitude + 1e-5, point.longitude, 500).id == point.id
    assert map_points.nearest(any_conn, 0.0, 0.0, ONE_MILE_M) is None
    assert map_points.by_id(any_conn, point.id) == point
    assert map_points.by_id(any_conn, -1) is None


def test_far_away_finds_nothing(any_conn):
    assert map_points.in_area(any_conn, Circle(53.48, -2.24, ONE_MILE_M)) == []  # Manchester
