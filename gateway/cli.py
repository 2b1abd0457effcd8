"""The ``gateway`` command.

Every subcommand takes the same settings as the web app: ``--data-dir`` and
``--database`` default to ``GATEWAY_DATA_DIR`` and ``GATEWAY_DATABASE_URL``, and those
to ``./var`` and a SQLite file in it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import load_settings

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data directory (default: $GATEWAY_DATA_DIR or ./var).",
)
database_option = click.option(
    "--database",
    "database_url",
    metavar="URL",
    default=None,
    help="Internal tables: sqlite:///PATH or postgresql://USER@HOST/DB "
    "(default: $GATEWAY_DATABASE_URL or DATA_DIR/internal.sqlite).",
)


class CommandError(click.ClickException):
    """A one-line error; the command exits with status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"gateway: error: {self.format_message()}", err=True)


def _settings(data_dir: Path | None, database_url: str | None) -> dict:
    return load_settings({"DATA_DIR": str(data_dir) if data_dir else None, "DATABASE_URL": database_url})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gateway")
def main() -> None:
    """The Met Open Data Gateway: build, publish and serve open police data."""


@main.command("demo-data")
@data_dir_option
@database_option
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of data.police.uk archive CSVs (default: the copy shipped with the gateway).",
)
@click.option("--scale", type=click.IntRange(min=1), default=1, show_default=True,
              help="1: the real files only. N: also fill the last N Met months to Met size.")  # fmt: skip
@click.option("--seed", type=int, default=None, help="Seed for everything invented (default: fixed).")
@click.option("--crimes-per-month", type=click.IntRange(min=0), default=None,
              help="Street crimes and ASB in each synthetic Met month (default 90,000).")  # fmt: skip
@click.option("--stops-per-month", type=click.IntRange(min=0), default=None,
              help="Stops in each synthetic Met month (default 12,000).")  # fmt: skip
@click.option("--if-missing", is_flag=True, help="Do nothing if the database already holds the tables.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def demo_data(
    data_dir: Path | None,
    database_url: str | None,
    sources_dir: Path | None,
    scale: int,
    seed: int | None,
    crimes_per_month: int | None,
    stops_per_month: int | None,
    if_missing: bool,
    quiet: bool,
) -> None:
    """Build the internal tables from real published files, inventing what was removed.

    Each published crime, outcome and stop becomes an internal record with an exact
    place, time, names and internal codes; every value that must never be published
    carries the marker CANARY. Use of force is synthesised. A failure leaves any
    existing database untouched.
    """
    from .demo.build import DEFAULT_SEED, BuildError, build_demo_data
    from .demo.scale import Volumes
    from .demo.sources import SourceError
    from .demo.stops import UnmappableValue
    from .internal.database import DatabaseURLError

    settings = _settings(data_dir, database_url)
    volumes = Volumes()
    if crimes_per_month is not None:
        volumes = Volumes(**{**volumes.__dict__, "crimes_per_month": crimes_per_month})
    if stops_per_month is not None:
        volumes = Volumes(**{**volumes.__dict__, "stops_per_month": stops_per_month})
    try:
        report = build_demo_data(
            settings["DATABASE_URL"],
            sources_dir=sources_dir,
            scale_factor=scale,
            seed=DEFAULT_SEED if seed is None else seed,
            volumes=volumes,
            progress=not quiet,
            if_missing=if_missing,
        )
    except (DatabaseURLError, SourceError, BuildError, UnmappableValue) as exc:
        raise CommandError(str(exc)) from None
    if report.skipped:
        click.echo(f"internal tables already present in {report.database}; nothing to do")
        return
    total = sum(report.counts.values())
    click.echo(f"built {total:,} rows in {report.seconds:.1f} s into {report.database}")
    for table in ("crime_report", "crime_outcome", "anti_social_behaviour", "stop_search", "use_of_force", "map_point"):
        click.echo(f"  {table:<22} {report.counts.get(table, 0):>10,}")


@main.command("change-log")
@data_dir_option
@database_option
def change_log(data_dir: Path | None, database_url: str | None) -> None:
    """Add a change log to the internal database, so that a publish digests only what changed.

    Triggers on every mapped table log each row inserted, updated or deleted; a publish
    then reads only the months the log names since the release it builds on. Run it again
    after a migration changes the tables (the log is kept). Changes made with the
    triggers disabled are not seen: publish with --full after them.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from mappings import INTERNAL

    from .internal import changes
    from .internal.database import DatabaseURLError, make_engine
    from .publish.context import INTERNAL_TABLES
    from .publish.partitions import tracked_tables
    from .publish.pipeline import DEFAULT_BASE, load_checked_mappings

    settings = _settings(data_dir, database_url)
    try:
        engine = make_engine(settings["DATABASE_URL"])
    except DatabaseURLError as exc:
        raise CommandError(str(exc)) from None
    tracked = tracked_tables(load_checked_mappings(INTERNAL, DEFAULT_BASE), INTERNAL_TABLES.metadata)
    try:
        changes.install(engine, tracked)
    except (ValueError, SQLAlchemyError) as exc:
        raise CommandError(f"cannot add the change log: {getattr(exc, 'orig', None) or exc}") from None
    finally:
        engine.dispose()
    click.echo(f"change log on {', '.join(t.table for t in tracked)}")


releases_option = click.option(
    "--releases",
    "releases_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Releases folder (default: $GATEWAY_RELEASES_DIR or DATA_DIR/releases).",
)


def _release_settings(data_dir: Path | None, database_url: str | None, releases_dir: Path | None) -> dict:
    settings = _settings(data_dir, database_url)
    if releases_dir is not None:
        settings["RELEASES_DIR"] = str(releases_dir)
    return settings


@main.command()
@data_dir_option
@database_option
@releases_option
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Publish a folder of data.police.uk archive CSVs instead of the internal tables.")  # fmt: skip
@click.option("--keep", type=click.IntRange(min=1), default=None, help="Releases to keep (default 5).")
@click.option("--if-missing", is_flag=True, help="Do nothing if a release is already current.")
@click.option("--full", is_flag=True, help="Publish every month, sharing nothing with the current release.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def publish(
    data_dir: Path | None,
    database_url: str | None,
    releases_dir: Path | None,
    archive_dir: Path | None,
    keep: int | None,
    if_missing: bool,
    full: bool,
    quiet: bool,
) -> None:
    """Build a new immutable release from the internal tables and make it current.

    Only what the mappings publish leaves the internal tables, through their disclosure
    transforms. A publish that fails at any point leaves the previous release current.
    With --archive, a folder of data.police.uk archive CSVs is published instead, through
    the archive mappings; rows and files it cannot use are reported, not fatal.

    A release is built on the current one: only the months whose source rows changed (or
    all of them, when the mappings, reference tables or code did, or with --full) are
    published again; the others are shared with it, not copied.
    """
    from mappings import MappingError

    from .archive.load import ArchiveError
    from .archive.publish import publish_archive
    from .internal.database import DatabaseURLError
    from .publish.pipeline import PublishError, pseudonym_key
    from .publish.pipeline import publish as run_publish
    from .publish.remote_store import RemoteStoreError
    from .releases import current_release

    settings = _release_settings(data_dir, database_url, releases_dir)
    if if_missing and current_release(settings["RELEASES_DIR"]):
        click.echo(f"release {current_release(settings['RELEASES_DIR'])} is current; nothing to do")
        return
    progress = _Progress(enabled=not quiet)
    loaded: list = []  # what the remote SPARQL store loaded before the switch
    try:
        options = {
            "key": pseudonym_key(Path(settings["DATA_DIR"]), settings.get("PSEUDONYM_KEY")),
            "base": settings["BASE_URI"],
            "keep": keep or int(settings["KEEP_RELEASES"]),
            "release_database_url": settings.get("RELEASE_DATABASE_URL"),
            "progress": progress.step,
            "full": full,
        }
        if settings.get("SPARQL_BACKEND") == "remote":  # current only once the store has it
            options["before_switch"] = _remote_loader(settings, loaded)
        if archive_dir is not None:
            result = publish_archive(archive_dir, Path(settings["RELEASES_DIR"]), **options)
        else:
            result = run_publish(settings["DATABASE_URL"], Path(settings["RELEASES_DIR"]), **options)
    except RemoteStoreError as exc:
        raise CommandError(f"nothing published: the SPARQL store could not load the new release: {exc}") from None
    except (DatabaseURLError, MappingError, PublishError, ArchiveError, OSError) as exc:
        raise CommandError(str(exc)) from None
    finally:
        progress.close()
    manifest = result.manifest
    records = sum(sum(months.values()) for months in manifest["counts"].values())
    click.echo(f"published release {result.release_id}: {records:,} records, "
               f"{manifest['statements']:,} statements in {result.seconds:.1f} s")  # fmt: skip
    incremental = manifest.get("incremental", {})
    if incremental.get("from"):
        click.echo(f"  built on {incremental['from']}: {incremental['rebuilt']:,} month partitions published, "
                   f"{incremental['shared']:,} shared")  # fmt: skip
    for drop in manifest["dropped"]:
        click.echo(f"  dropped {drop['rows']:,} from {drop['mapping']}: {drop['reason']}")
    _echo_rejected(manifest.get("rejected"), result.path)
    for removed in result.removed:
        click.echo(f"  removed old release {removed}")
    if settings.get("SPARQL_BACKEND") == "remote":
        _load_remote(settings, result.path, loaded[0] if loaded else None)


def _remote_loader(settings: dict, loaded: list) -> Callable[[str, Path], None]:
    """A ``before_switch`` hook loading the new release into the remote SPARQL store."""
    from .publish.remote_store import RemoteStore

    store = RemoteStore.from_settings(settings)  # a setting missing fails before the build

    def load(release_id: str, folder: Path) -> None:
        loaded.append(store.load(folder, release_id))

    return load


def _load_remote(settings: dict, release_dir: Path, loaded_before: Any = None) -> None:
    """Load a release into the remote SPARQL store (gateway/publish/remote_store.py), unless
    ``gateway publish`` did before the switch (``loaded_before``); drop the unkept ones."""
    from .publish.remote_store import RemoteStoreError, sync

    try:
        loaded, dropped = sync(settings, release_dir)
        loaded = loaded_before or loaded
    except RemoteStoreError as exc:
        raise CommandError(
            f"release {release_dir.name} is published but not loaded into the SPARQL store: {exc}"
        ) from None
    if loaded.already_loaded:
        click.echo(f"release {loaded.release_id} is already loaded in the SPARQL store")
    else:
        click.echo(f"loaded release {loaded.release_id} into the SPARQL store: {loaded.quads:,} statements "
                   f"in {len(loaded.graphs)} graphs in {loaded.seconds:.1f} s")  # fmt: skip
    for release_id in dropped:
        click.echo(f"  dropped release {release_id} from the SPARQL store")


@main.command("remote-load")
@data_dir_option
@releases_option
@click.option("--release", "release_id", default=None, help="Release to load (default: the current one).")
def remote_load(data_dir: Path | None, releases_dir: Path | None, release_id: str | None) -> None:
    """Load a release into the remote SPARQL store (SPARQL_ENDPOINT, VIRTUOSO_*); drop unkept ones."""
    from .releases import current_release

    settings = _release_settings(data_dir, None, releases_dir)
    release_id = release_id or current_release(settings["RELEASES_DIR"])
    if not release_id or not (Path(settings["RELEASES_DIR"]) / release_id / "manifest.json").is_file():
        raise CommandError(f"no release {release_id or '(current)'} in {settings['RELEASES_DIR']}")
    _load_remote(settings, Path(settings["RELEASES_DIR"]) / release_id)


SHOWN_PROBLEMS = 20


def _echo_rejected(rejected: dict | None, release: Path) -> None:
    """What an archive publish left out: counts by cause, where every problem is listed,
    and the first problems."""
    if not rejected or not (rejected["rows"] or rejected["files"]):
        return
    click.echo(f"  rejected {rejected['rows']:,} rows and {rejected['files']:,} whole files of the archive, by cause:")
    counts = rejected.get("by_cause", {})
    width = max((len(f"{n:,}") for n in counts.values()), default=0)
    for cause, n in counts.items():
        click.echo(f"    {n:>{width},} {cause}")
    problems = rejected["problems"]
    listed = f"every one is listed in {release / rejected['file']}; " if "file" in rejected else ""
    click.echo(f"  {listed}the first:")
    for problem in problems[:SHOWN_PROBLEMS]:
        click.echo(f"    {problem}")
    more = len(problems) - SHOWN_PROBLEMS + rejected["not_listed"]
    if more > 0:
        click.echo(f"    ... and {more:,} more")


class _Progress:
    """One progress bar per stage of a publish."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.bars = enabled, {}

    def step(self, stage: str, n: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage not in self.bars:
            self.bars[stage] = tqdm(desc=stage, unit=" rows" if stage == "tables" else " statements", mininterval=0.5)
        self.bars[stage].update(n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@main.command("releases")
@data_dir_option
@releases_option
def list_releases(data_dir: Path | None, releases_dir: Path | None) -> None:
    """List the releases kept, oldest first; * marks the current one."""
    from .releases import list_releases as found

    settings = _release_settings(data_dir, None, releases_dir)
    rows = found(settings["RELEASES_DIR"])
    if not rows:
        click.echo(f"no releases in {settings['RELEASES_DIR']} (run: gateway publish)")
        return
    for row in rows:
        click.echo(f"{'*' if row['current'] else ' '} {row['id']}  {row['created_at']}  {row['records']:>12,} records")


@main.command()
@data_dir_option
@releases_option
@click.argument("release_id", required=False)
@click.option("--full", is_flag=True, help="Hash every file again, even if a kept verdict matches them.")
def verify(data_dir: Path | None, releases_dir: Path | None, release_id: str | None, full: bool) -> None:
    """Check a release (default: the current one) against its manifest: every file's size
    and SHA-256, and a query on its tables and its RDF store. Exits 1 if it is not intact."""
    import json

    from . import integrity
    from .releases import MANIFEST, current_release

    settings = _release_settings(data_dir, None, releases_dir)
    release_id = release_id or current_release(settings["RELEASES_DIR"])
    path = Path(settings["RELEASES_DIR"]) / (release_id or "")
    if not release_id or not (path / MANIFEST).is_file():
        raise CommandError(f"no release {release_id or '(current)'} in {settings['RELEASES_DIR']}")
    try:
        verdict = integrity.check(path, json.loads((path / MANIFEST).read_text()), full=full)
    except ValueError:
        verdict = integrity.unreadable_manifest(path)
    if verdict.ok:
        click.echo(f"release {release_id} is intact (verified {verdict.checked_at}, in {verdict.seconds:.1f} s)")
        return
    click.echo(f"release {release_id} is not intact:", err=True)
    for problem in verdict.problems:
        click.echo(f"  {problem}", err=True)
    raise SystemExit(1)


@main.command()
@data_dir_option
@releases_option
def rollback(data_dir: Path | None, releases_dir: Path | None) -> None:
    """Make the release before the current one current again."""
    from .releases import ReleaseError
    from .releases import rollback as roll_back

    settings = _release_settings(data_dir, None, releases_dir)
    try:
        release = roll_back(settings["RELEASES_DIR"])
    except ReleaseError as exc:
        raise CommandError(str(exc)) from None
    click.echo(f"current release is now {release}")


@main.command()
@data_dir_option
@database_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--debug", is_flag=True, help="Reload on code changes and show tracebacks.")
def serve(data_dir: Path | None, database_url: str | None, host: str, port: int, debug: bool) -> None:
    """Run the development server (use gunicorn with wsgi:app in production)."""
    from . import create_app

    app = create_app({"DATA_DIR": str(data_dir) if data_dir else None, "DATABASE_URL": database_url})
    app.run(host=host, port=port, debug=debug)
