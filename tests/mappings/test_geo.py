"""British National Grid to WGS84 and back (pyproj)."""

from __future__ import annotations

import numpy as np
import pytest

from mappings.geo import bng_to_wgs84, wgs84_to_bng


def test_a_known_point():
    # Nelson's Column, Trafalgar Square: TQ 30010 80427 is about 51.50774 N, 0.12800 W.
    lat, lon = bng_to_wgs84(np.array([530010.0]), np.array([180427.0]))
    assert lat[0] == pytest.approx(51.50774, abs=0.0002)
    assert lon[0] == pytest.approx(-0.12800, abs=0.0003)


def test_round_trip_within_centimetres():
    rng = np.random.default_rng(3)
    east, north = rng.uniform(500_000, 560_000, 1000), rng.uniform(155_000, 200_000, 1000)
    lat, lon = bng_to_wgs84(east, north)
    back_e, back_n = wgs84_to_bng(lat, lon)
    assert np.abs(back_e - east).max() < 0.05 and np.abs(back_n - north).max() < 0.05
