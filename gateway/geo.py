"""Coordinate conversions, shared with the mappings (which own them)."""

from mappings.geo import bng_to_wgs84, wgs84_to_bng

__all__ = ["bng_to_wgs84", "wgs84_to_bng"]
