"""Applying a mapping to an internal table: published records, and drops with reasons.

Only the columns the mapping names are selected (default deny: whatever else the table
holds, or gains later, is never read). Rows are processed in chunks so that snapping to
map points is one vectorised k-d tree query per chunk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from mappings import Field, Mapping
from mappings.transforms import (
    Drop,
    as_is,
    band_of_age,
    look_up,
    pseudonym,
    to_age_band,
    to_boolean,
    to_month,
    to_utc_datetime,
)

from . import partitions
from .context import AGE_BANDS, PublishContext

CHUNK = 10_000
PARTITION = "@partition"  # the key of a record's partition name in what published() yields


class Drops(Counter):
    """Rows left out of a release, counted by mapping, reason and partition."""

    def add(self, mapping: Mapping, reason: str, partition: str = "") -> None:
        self[(mapping.name, reason, partition)] += 1

    def report(self) -> list[dict]:
        """By mapping and reason, every partition's together (the manifest's ``dropped``)."""
        total: Counter = Counter()
        for (m, r, _p), n in self.items():
            total[(m, r)] += n
        return [{"mapping": m, "reason": r, "rows": n} for (m, r), n in sorted(total.items())]

    def by_partition(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for (m, r, p), n in sorted(self.items(), key=lambda item: (item[0][2], item[0][0], item[0][1])):
            out.setdefault(p, []).append({"mapping": m, "reason": r, "rows": n})
        return out

    def merge(self, partition: str, report: list[dict]) -> None:
        """Add a partition's drops as a manifest lists them (a partition shared, not rebuilt)."""
        for entry in report:
            self[(entry["mapping"], entry["reason"], partition)] += entry["rows"]


def published(
    conn: Connection,
    mapping: Mapping,
    ctx: PublishContext,
    drops: Drops,
    only: tuple[Any, frozenset[str]] | None = None,
    parent: Mapping | None = None,
) -> Iterator[dict[str, Any]]:
    """The published records of one mapping, field name to published value, each with the
    name of its partition under ``PARTITION`` (never a table column, never published).

    ``parent``: the mapping of the records a child mapping's rows hang off.
    ``only``: ``(where, partitions)``, to publish the rows of some partitions only (see
    :class:`gateway.publish.partitions.Selection`): a SQL condition that finds them among
    a few more, and the partitions' names; rows of other partitions are skipped before any
    transform or drop.
    """
    table = ctx.metadata.tables[mapping.table]
    columns = mapping.columns()
    month, source = partitions.month_source(mapping, parent, ctx.metadata, conn.dialect.name)
    dataset = (parent or mapping).dataset
    statement = select(*(table.c[c] for c in columns), month).select_from(source)
    wanted = None
    if only is not None:
        where, wanted = only
        statement = statement.where(where)
    if mapping.parent or mapping.order_by:
        keys = ([mapping.parent.column] if mapping.parent else []) + list(mapping.order_by)
        statement = statement.order_by(*(table.c[c] for c in keys))
    result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(statement)
    for chunk in result.partitions(CHUNK):
        rows = [dict(zip(columns, row[:-1], strict=True)) for row in chunk]
        names = [partitions.partition_name(dataset, row[-1] or partitions.UNDATED) for row in chunk]
        if wanted is not None:
            kept = [i for i, name in enumerate(names) if name in wanted]
            rows, names = [rows[i] for i in kept], [names[i] for i in kept]
        snapped = _snap_fields(mapping, rows, ctx)
        for i, row in enumerate(rows):
            record = _record(mapping, row, ctx, snapped, i, drops, names[i])
            if record is not None:
                record[PARTITION] = names[i]
                yield record


def _snap_fields(mapping: Mapping, rows: list[dict], ctx: PublishContext) -> dict[str, list[int | None]]:
    snapped = {}
    for f in mapping.fields:
        if f.transform == "snap-to-map-point":
            e, n = f.columns
            easting = np.array([np.nan if r[e] is None else r[e] for r in rows], dtype=float)
            northing = np.array([np.nan if r[n] is None else r[n] for r in rows], dtype=float)
            snapped[f.name] = ctx.snap_index.snap_many(easting, northing)
    return snapped


def _record(
    mapping: Mapping, row: dict, ctx: PublishContext, snapped: dict[str, list], i: int, drops: Drops, partition: str
) -> dict[str, Any] | None:
    for rule in mapping.withhold:
        if to_boolean(row[rule.column]):
            drops.add(mapping, rule.reason, partition)
            return None
    record: dict[str, Any] = {}
    for f in mapping.fields:
        try:
            value = snapped[f.name][i] if f.name in snapped else apply(f, row, ctx)
            if value is not None and f.scheme and f.transform != "flag" and not ctx.has_concept(f.scheme, str(value)):
                raise Drop(f"{value!r} is not a concept of {f.scheme}")
            record[f.name] = value
        except Drop as exc:
            drops.add(mapping, f"{f.name}: {exc}", partition)
            return None
    return record


def apply(f: Field, row: dict, ctx: PublishContext) -> Any:
    """One field's published value for one internal row."""
    values = [row[c] for c in f.columns]
    match f.transform:
        case "as-is":
            return as_is(values[0])
        case "lookup":
            return look_up(ctx.lookups[f.lookup], values[0])
        case "boolean" | "flag":
            return to_boolean(values[0])
        case "month":
            return to_month(values[0])
        case "utc-datetime":
            return to_utc_datetime(values[0])
        case "age-band":
            return to_age_band(AGE_BANDS[f.bands], *values)
        case "age-in-band":
            return band_of_age(AGE_BANDS[f.bands], values[0])
        case "snap-to-map-point":
            return ctx.snap_index.snap(*values)
        case "pseudonym":
            return None if values[0] is None else pseudonym(ctx.key, values[0])
    raise ValueError(f"transform {f.transform!r} has no implementation")  # the loader refuses these
