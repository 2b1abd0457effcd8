"""Coordinates: WGS84 latitude/longitude and British National Grid (OSGB36, EPSG:27700).

Police systems store exact locations as BNG eastings and northings; published data uses
WGS84. pyproj does the datum shift (a Helmert transform good to a few metres, far finer
than the map-point snapping that follows it).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from pyproj import Transformer


@cache
def _to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def wgs84_to_bng(latitude: np.ndarray, longitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eastings and northings (metres) for arrays of latitudes and longitudes."""
    easting, northing = _to_bng().transform(np.asarray(longitude, float), np.asarray(latitude, float))
    return np.asarray(easting), np.asarray(northing)


def bng_to_wgs84(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes for arrays of eastings and northings."""
    longitude, latitude = _to_wgs84().transform(np.asarray(easting, float), np.asarray(northing, float))
    return np.asarray(latitude), np.asarray(longitude)
