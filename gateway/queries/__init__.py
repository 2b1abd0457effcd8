"""Read-only queries on a release's published tables, shared by the JSON APIs.

Plain functions over a SQLAlchemy ``Connection`` (no Flask): areas and their geometry
(``geometry``), map-point search by radius, polygon and box on SQLite's R*Tree or a
PostgreSQL GiST index (``map_points``), the months a release holds (``months``) and the
records at a set of map points (``records``).
"""
