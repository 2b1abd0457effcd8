"""The data.police.uk methods (police-uk-api.md sections 4 to 7), over the current release."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request
from sqlalchemy import Connection

from gateway.current import current_release
from gateway.queries import map_points, records
from gateway.queries.geometry import ONE_MILE_M

from . import forces, params, shapes
from .crime_cache import CrimeCache
from .errors import ApiError, bad_request, not_found
from .facts import Facts, FactsCache, categories_in

# Upstream answers 503 when an area holds more than this many crimes (or outcomes).
MAX_RESULTS = 10_000
# ... and 400 when a GET request line is longer than this (gunicorn reads lines up to 8,190
# characters and answers longer ones with the same 400 itself: gateway/server.py).
MAX_REQUEST_LINE = 4094
KNOWN_CATEGORIES = {slug for slug, _ in shapes.CATEGORIES} | set(shapes.LEGACY_CATEGORIES)
EXTENSION = "gateway.police_uk"


def _caches() -> tuple[CrimeCache, FactsCache]:
    return current_app.extensions[EXTENSION]


@contextmanager
def _connection() -> Iterator[tuple[str, Connection]]:
    release = current_release()
    with release.engine.connect() as conn:
        yield release.id, conn


def _facts(release_id: str, conn: Connection) -> Facts:
    return _caches()[1].get(release_id, conn)


def _json(value: object) -> Response:
    return Response(json.dumps(value, separators=(",", ":"), ensure_ascii=False), mimetype="application/json")


def _json_list(fragments: list[bytes]) -> Response:
    return Response(b"[" + b",".join(fragments) + b"]", mimetype="application/json")


def _too_many(count: int, what: str) -> ApiError:
    return ApiError(
        503,
        f"the area holds {count:,} {what}, more than the {MAX_RESULTS:,} one answer can carry: ask for a smaller area",
    )


def _force(args: params.Args) -> str:
    if args.force is None:
        raise bad_request("force is missing: give a force id from /api/forces (e.g. metropolitan)")
    if not forces.known(args.force):
        raise not_found(f"no force with id {args.force!r}: see /api/forces")
    return args.force


def _category(slug: str | None) -> str | None:
    """A category slug to filter by; None for all crime (unknown slugs too, as upstream)."""
    return slug if slug in KNOWN_CATEGORIES and slug != shapes.ALL_CRIME else None


def register(bp: Blueprint) -> None:
    @bp.before_request
    def _request_line_limit() -> None:
        uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
        if uri is None:
            uri = quote(request.path) + ("?" + request.query_string.decode("latin-1") if request.query_string else "")
        length = len(f"{request.method} {uri} {request.environ.get('SERVER_PROTOCOL', 'HTTP/1.1')}")
        if length > MAX_REQUEST_LINE:
            raise bad_request(
                f"the request line is {length:,} characters, over the {MAX_REQUEST_LINE:,} limit: "
                "send long poly values in a POST form body instead"
            )

    @bp.get("/forces")
    def forces_list() -> Response:
        return _json(forces.listed())

    @bp.get("/forces/<force_id>")
    def force(force_id: str) -> Response:
        found = forces.details(force_id)
        if found is None:
            raise not_found(f"no force with id {force_id!r}: see /api/forces")
        return _json(found)

    @bp.get("/crime-categories")
    def crime_categories() -> Response:
        args = params.parse(request)
        listed = [{"url": slug, "name": name} for slug, name in shapes.CATEGORIES]
        if args.date is not None:
            with _connection() as (_, conn):
                # Older months may hold categories since retired; list what the month uses.
                extra = sorted(set(categories_in(conn, args.date)) - {slug for slug, _ in shapes.CATEGORIES})
            listed += [{"url": slug, "name": shapes.LEGACY_CATEGORIES.get(slug, slug)} for slug in extra]
        return _json(listed)

    @bp.get("/crime-last-updated")
    def crime_last_updated() -> Response:
        with _connection() as (release_id, conn):
            latest = _facts(release_id, conn).latest
        if latest is None:
            raise not_found("this release holds no street-level crime")
        return _json({"date": f"{latest}-01"})

    @bp.get("/crimes-street-dates")
    def crimes_street_dates() -> Response:
        with _connection() as (release_id, conn):
            facts = _facts(release_id, conn)
        return _json([{"date": m, "stop-and-search": facts.stop_forces.get(m, [])} for m in facts.street_months])

    @bp.route("/crimes-street/<category>", methods=["GET", "POST"])
    def crimes_street(category: str) -> Response:
        args = params.parse(request)
        area = args.area()
        with _connection() as (release_id, conn):
            facts = _facts(release_id, conn)
            month = facts.month(args.date)
            if month is None:
                return _json_list([])
            point_ids = sorted(p.id for p in map_points.in_area(conn, area, facts.points))
            if not point_ids:
                return _json_list([])
            crimes = _caches()[0].get(release_id, month, conn)
        body, count = crimes.select(point_ids, _category(category))
        if count > MAX_RESULTS:
            raise _too_many(count, "crimes")
        return Response(body, mimetype="application/json")

    @bp.get("/crimes-at-location")
    def crimes_at_location() -> Response:
        args = params.parse(request)
        with _connection() as (release_id, conn):
            month = _facts(release_id, conn).month(args.date)
            point_id = _location_id(conn, args, missing_is_404=True)
            if month is None or point_id is None:
                return _json_list([])
            rows = records.street(conn, month, point_ids=[point_id])
        return _json([shapes.crime(r) for r in rows])

    @bp.get("/crimes-no-location")
    def crimes_no_location() -> Response:
        args = params.parse(request)
        force_id = _force(args)
        with _connection() as (release_id, conn):
            month = _facts(release_id, conn).month(args.date)
            if month is None:
                return _json_list([])
            rows = records.street(conn, month, located=False, force=force_id, category=_category(args.category))
        return _json([shapes.crime(r) for r in rows])

    @bp.get("/outcomes-for-crime/<persistent_id>")
    def outcomes_for_crime(persistent_id: str) -> Response:
        with _connection() as (_, conn):
            crime, history = records.crime_and_outcomes(conn, persistent_id)
        if crime is None:
            raise not_found(f"no crime with persistent id {persistent_id!r} (64 lower-case hexadecimal digits)")
        outcomes = [shapes.outcome(o.category, o.month, o.category_label) for o in history]
        return _json({"crime": shapes.crime(crime, with_status=False), "outcomes": outcomes})

    @bp.route("/outcomes-at-location", methods=["GET", "POST"])
    def outcomes_at_location() -> Response:
        args = params.parse(request)
        with _connection() as (release_id, conn):
            month = _facts(release_id, conn).month(args.date)
            point_ids = _point_ids(conn, args, missing_is_404=True)
            if month is None or not point_ids:
                return _json_list([])
            rows = records.outcomes(conn, month, point_ids=point_ids)
        if len(rows) > MAX_RESULTS:
            raise _too_many(len(rows), "outcomes")
        answer = [
            {
                **shapes.outcome(r.category, r.month, r.category_label),
                "crime": shapes.crime(r, with_status=False, prefix="c_"),
            }
            for r in rows
        ]
        return _json(answer)

    @bp.route("/stops-street", methods=["GET", "POST"])
    def stops_street() -> Response:
        args = params.parse(request)
        area = args.area()
        with _connection() as (release_id, conn):
            facts = _facts(release_id, conn)
            month = facts.month(args.date)
            if month is None:
                return _json_list([])
            point_ids = [p.id for p in map_points.in_area(conn, area, facts.points)]
            rows = records.stops(conn, month, point_ids=point_ids) if point_ids else []
        return _json([shapes.stop(r) for r in rows])

    @bp.route("/stops-at-location", methods=["GET", "POST"])
    def stops_at_location() -> Response:
        args = params.parse(request)
        if args.location_id is None:
            raise bad_request("location_id is missing: give the street.id of a location")
        with _connection() as (release_id, conn):
            month = _facts(release_id, conn).month(args.date)
            if month is None:
                return _json_list([])
            # An unknown location has no stops (upstream answers [] here, not 404).
            rows = records.stops(conn, month, point_ids=[args.location_id])
        return _json([shapes.stop(r) for r in rows])

    @bp.get("/stops-no-location")
    def stops_no_location() -> Response:
        return _stops_of_force(located=False)

    @bp.get("/stops-force")
    def stops_force() -> Response:
        return _stops_of_force(located=None)


def _stops_of_force(located: bool | None) -> Response:
    args = params.parse(request)
    force_id = _force(args)
    with _connection() as (release_id, conn):
        month = _facts(release_id, conn).month(args.date)
        if month is None:
            return _json_list([])
        rows = records.stops(conn, month, located=located, force=force_id)
    return _json([shapes.stop(r) for r in rows])


def _location_id(conn: Connection, args: params.Args, missing_is_404: bool) -> int | None:
    """The location a request names: ``location_id``, or the map point nearest ``lat``/``lng``."""
    if args.location_id is not None:
        if missing_is_404 and not records.point_exists(conn, args.location_id):
            raise not_found(f"no location with id {args.location_id}")
        return args.location_id
    if args.lat is None or args.lng is None:
        if args.lat is None and args.lng is None:
            raise bad_request("give location_id, or lat and lng")
        raise bad_request(f"{'lng' if args.lng is None else 'lat'} is missing: give both lat and lng, or location_id")
    nearest = map_points.nearest(conn, args.lat, args.lng, ONE_MILE_M)
    return nearest.id if nearest else None


def _point_ids(conn: Connection, args: params.Args, missing_is_404: bool) -> list[int]:
    """Map points for ``location_id``, or the 1-mile circle of ``lat``/``lng``, or ``poly``."""
    if args.location_id is not None and args.poly is None:
        found = _location_id(conn, args, missing_is_404)
        return [found] if found is not None else []
    area = args.area(required=False)
    if area is None:
        raise bad_request("give location_id, lat and lng (a 1-mile radius), or poly (an area)")
    return [p.id for p in map_points.in_area(conn, area)]
