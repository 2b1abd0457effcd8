import math
import random

import pytest

from gateway.queries.geometry import ONE_MILE_M, BBox, Circle, Polygon, haversine_m


def test_haversine_one_degree_of_latitude():
    assert haversine_m(51.0, -0.1, 52.0, -0.1) == pytest.approx(111_195, rel=1e-3)
    assert haversine_m(51.5, -0.1, 51.5, -0.1) == 0


def test_haversine_shrinks_longitude_with_latitude():
    along_equator = haversine_m(0, 0, 0, 1)
    along_london = haversine_m(51.5, 0, 51.5, 1)
    assert along_london == pytest.approx(along_equator * math.cos(math.radians(51.5)), rel=1e-3)


def test_circle_box_holds_the_circle():
    circle = Circle(51.5, -0.1, ONE_MILE_M)
    box = circle.bbox()
    for bearing in range(0, 360, 15):
        # a point just inside the circle on every bearing lies inside the box
        dlat = math.degrees(0.999 * ONE_MILE_M / 6_371_008.8) * math.cos(math.radians(bearing))
        dlng = (
            math.degrees(0.999 * ONE_MILE_M / 6_371_008.8)
            * math.sin(math.radians(bearing))
            / math.cos(math.radians(51.5))
        )
        lat, lng = 51.5 + dlat, -0.1 + dlng
        assert circle.contains(lat, lng)
        assert box.contains(lat, lng)


def test_circle_edge():
    circle = Circle(51.5, -0.1, 1000)
    north_999 = 51.5 + math.degrees(999 / 6_371_008.8)
    north_1001 = 51.5 + math.degrees(1001 / 6_371_008.8)
    assert circle.contains(north_999, -0.1)
    assert not circle.contains(north_1001, -0.1)


def test_polygon_contains_and_closes_itself():
    triangle = Polygon(((51.0, 0.0), (52.0, 0.0), (51.0, 1.0)))
    assert triangle.contains(51.2, 0.2)
    assert not triangle.contains(51.8, 0.8)  # beyond the closing edge
    assert not triangle.contains(50.9, 0.2)
    assert triangle.bbox() == BBox(51.0, 0.0, 52.0, 1.0)


def test_concave_polygon():
    # a U shape: the notch between the arms is outside
    u = Polygon(((0, 0), (0, 3), (3, 3), (3, 2), (1, 2), (1, 1), (3, 1), (3, 0)))
    assert u.contains(0.5, 1.5)
    assert u.contains(2, 0.5)
    assert not u.contains(2, 1.5)


def test_polygon_needs_three_points():
    with pytest.raises(ValueError):
        Polygon(((51.0, 0.0), (52.0, 0.0)))


@pytest.mark.parametrize("seed", range(20))
def test_contains_each_answers_exactly_as_contains(seed):
    """The sorted, sliced test for many places gives contains()'s answer for each, edges,
    vertices and horizontal edges included (self-crossing outlines too: even-odd)."""
    rng = random.Random(seed)
    grid = [round(rng.uniform(51.4, 51.6), 3) for _ in range(6)]  # shared latitudes: ties with vertices
    vertices = tuple(
        (rng.choice(grid) if rng.random() < 0.4 else rng.uniform(51.4, 51.6), rng.uniform(-0.2, 0.0))
        for _ in range(rng.randint(3, 60))
    )
    polygon = Polygon(vertices)
    places = [(rng.uniform(51.38, 51.62), rng.uniform(-0.22, 0.02)) for _ in range(3000)]
    places += [(lat, lng) for lat, lng in vertices] + [(lat, rng.uniform(-0.2, 0.0)) for lat in grid]
    lats, lngs = [p[0] for p in places], [p[1] for p in places]
    assert polygon.contains_each(lats, lngs) == [polygon.contains(lat, lng) for lat, lng in places]


def test_contains_each_of_nothing():
    assert Polygon(((51.0, 0.0), (52.0, 0.0), (51.0, 1.0))).contains_each([], []) == []
