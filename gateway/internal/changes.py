"""A change log in the internal database: which months' rows changed since a release.

Without it, an incremental publish finds what changed by digesting every source row of the
history (``gateway.publish.partitions.source_digests``): reading only, but as long as the
history. With it, triggers on every table a mapping publishes append a row to
``gateway_change_log`` for each row inserted, updated or deleted: the table, and the
value that says which partition the row is in, before and after (the month column of a
table of records; for a child table, such as outcomes, the reference to its parent). A
publish then digests only the partitions the log names since the release it builds on
(:func:`changed_partitions`), and takes the other digests from that release.

The log is trusted only where it can be: a release keeps the position it read (the last
row's id and its random token; on PostgreSQL also the snapshot, since a transaction that
began earlier may commit rows with lower ids later). If that row is not in the database
now with the same token (another database, a copy that went its own way, a log dropped
and installed again), or there is no log, every source row is digested, as without one.
Changes made with the triggers disabled are not seen: ``gateway publish --full`` digests
and publishes everything.

``gateway change-log install`` adds the log and its triggers to an internal database
(``gateway demo-data`` does, once its rows are written: the first publish digests them
all anyway).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    inspect,
    or_,
    select,
    text,
)

LOG_TABLE = "gateway_change_log"
CREATED = "(log created)"  # the table name of the log's first row

_log_metadata = MetaData()
log = Table(
    LOG_TABLE,
    _log_metadata,
    Column("id", Integer, primary_key=True),
    Column("table_name", Text, nullable=False),
    Column("at", DateTime),  # a table of records: its month column's value
    Column("ref", Text),  # a child table: its reference to the parent row
    Column("token", Text, nullable=False),  # random: tells two logs' rows of one id apart
    Column("xid", BigInteger),  # PostgreSQL: the writing transaction
)


@dataclass(frozen=True)
class Tracked:
    """One logged table: the column that places its rows in a partition."""

    table: str
    column: str
    parent: bool  # the column refers to a parent row (whose month places it)


def _name(text: str) -> str:
    """An SQL identifier the triggers may name (the schema's own names only)."""
    if not text.replace("_", "").isalnum() or not text.isascii():
        raise ValueError(f"not a plain table or column name: {text!r}")
    return text


def _sqlite_ddl(tracked: Iterable[Tracked]) -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "table_name TEXT NOT NULL, at DATETIME, ref TEXT, "
        "token TEXT NOT NULL DEFAULT (lower(hex(randomblob(8)))), xid BIGINT)"
    ]
    for t in tracked:
        table, column = _name(t.table), _name(t.column)
        target = "ref" if t.parent else "at"
        for op, rows in (("insert", ["NEW"]), ("update", ["OLD", "NEW"]), ("delete", ["OLD"])):
            trigger = f"gateway_log_{table}_{op}"
            values = ", ".join(f"('{table}', {row}.{column})" for row in rows)
            statements += [
                f"DROP TRIGGER IF EXISTS {trigger}",
                f"CREATE TRIGGER {trigger} AFTER {op.upper()} ON {table} FOR EACH ROW BEGIN "
                f"INSERT INTO {LOG_TABLE} (table_name, {target}) VALUES {values}; END",
            ]
    return statements


_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION gateway_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    col text := TG_ARGV[0];
    is_ref boolean := TG_ARGV[1] = 'ref';
    old_value text;
    new_value text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_value := to_jsonb(OLD) ->> col;
        INSERT INTO {LOG_TABLE} (table_name, at, ref)
        VALUES (TG_TABLE_NAME, CASE WHEN is_ref THEN NULL ELSE old_value::timestamp END,
                CASE WHEN is_ref THEN old_value END);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        new_value := to_jsonb(NEW) ->> col;
        INSERT INTO {LOG_TABLE} (table_name, at, ref)
        VALUES (TG_TABLE_NAME, CASE WHEN is_ref THEN NULL ELSE new_value::timestamp END,
                CASE WHEN is_ref THEN new_value END);
    END IF;
    RETURN NULL;
END $$
"""


def _postgresql_ddl(tracked: Iterable[Tracked]) -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} (id BIGSERIAL PRIMARY KEY, table_name TEXT NOT NULL, "
        "at TIMESTAMP, ref TEXT, token TEXT NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text), "
        "xid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint))",
        f"CREATE INDEX IF NOT EXISTS ix_{LOG_TABLE}_xid ON {LOG_TABLE} (xid)",
        _PG_FUNCTION,
    ]
    for t in tracked:
        table, column = _name(t.table), _name(t.column)
        statements += [
            f"DROP TRIGGER IF EXISTS gateway_log ON {table}",
            f"CREATE TRIGGER gateway_log AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION gateway_log_change('{column}', '{'ref' if t.parent else 'at'}')",
        ]
    return statements


def install(engine: Engine, tracked: Iterable[Tracked], fresh: bool = False) -> None:
    """Add the log and the triggers that fill it (again: an installed log is kept, unless
    ``fresh``: the tables were written anew, with no trigger to log it)."""
    tracked = list(tracked)
    dialect = engine.dialect.name
    if dialect == "sqlite":
        statements = _sqlite_ddl(tracked)
    elif dialect == "postgresql":
        statements = _postgresql_ddl(tracked)
    else:
        raise ValueError(f"a change log needs SQLite or PostgreSQL, not {dialect}")
    if fresh:
        statements.insert(0, f"DROP TABLE IF EXISTS {LOG_TABLE}")
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
        # The log's first row, with a token of its own: a position taken before any change
        # is this log's, not that of a log made again over other tables.
        if conn.execute(select(log.c.id).limit(1)).first() is None:
            conn.execute(log.insert().values(table_name=CREATED))


def installed(conn: Connection) -> bool:
    return inspect(conn).has_table(LOG_TABLE)


def position(conn: Connection) -> dict | None:
    """Where the log is now (to keep with a release), or None without a log. Read it before
    the rows it stands for: a change logged after is seen again by the next publish."""
    if not installed(conn):
        return None
    last = conn.execute(select(log.c.id, log.c.token).order_by(log.c.id.desc()).limit(1)).first()
    found = {"id": last.id if last else 0, "token": last.token if last else None}
    if conn.dialect.name == "postgresql":
        found["snapshot"] = conn.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar_one()
    return found


def since(conn: Connection, position_before: dict | None) -> ColumnElement | None:
    """A condition on the log's rows: those written since ``position_before`` (a
    :func:`position` a release kept); None if the log cannot say (no log, no position,
    or a position that is not this log's)."""
    if position_before is None or not installed(conn):
        return None
    try:
        after = int(position_before["id"])
    except (KeyError, TypeError, ValueError):
        return None
    token = conn.execute(select(log.c.token).where(log.c.id == after)).scalar()
    if token is None or token != position_before.get("token"):
        return None
    condition = log.c.id > after
    if conn.dialect.name == "postgresql":
        snapshot = position_before.get("snapshot")
        if not isinstance(snapshot, str):
            return None
        # Rows of transactions still running when the snapshot was taken, whatever their
        # ids: not seen then.
        late = text(
            "(xid >= pg_snapshot_xmin(CAST(:snapshot AS pg_snapshot))::text::bigint "
            "AND NOT pg_visible_in_snapshot(xid::text::xid8, CAST(:snapshot AS pg_snapshot)))"
        ).bindparams(snapshot=snapshot)
        condition = or_(condition, late)
    return condition
