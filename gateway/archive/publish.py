"""``gateway publish --archive DIR``: a release from a folder of data.police.uk archive files.

The folder is imported into the archive tables (a SQLite database in a temporary folder)
and published through the archive mappings by the same pipeline as the internal tables,
so the release has the same shape. The manifest names the folder as the source, and its
"rejected" section counts what the import left out, by cause, and lists the first
problems; ``dumps/rejected.csv`` lists every one (file, line, cause, message). That file
holds nothing but what the archive's files say, so it is a download like the other dumps.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from gateway.publish.context import SourceTables, internal_schema
from gateway.publish.pipeline import DEFAULT_BASE, Origin, PublishResult, publish
from gateway.publish.vocabulary import load as load_vocabulary
from mappings import ARCHIVE, load_mappings

from . import schema
from .load import import_archive

ARCHIVE_TABLES = SourceTables(schema.metadata, schema.LOOKUP_TABLES)
LISTED = 100  # problems listed in the manifest; all are counted, and in dumps/rejected.csv


def publish_archive(
    directory: Path,
    releases_dir: Path,
    *,
    key: bytes,
    mappings_dir: Path = ARCHIVE,
    base: str = DEFAULT_BASE,
    keep: int = 5,
    progress: Callable[[str, int], None] | None = None,
    listed: int = LISTED,
    release_database_url: str | None = None,
    before_switch: Callable[[str, Path], None] | None = None,
    full: bool = False,
) -> PublishResult:
    """Publish the archive files under ``directory`` as a new release and make it current.

    ``before_switch`` and ``full`` are passed to :func:`gateway.publish.pipeline.publish`.

    :raise ArchiveError: if nothing in the folder can be published.
    :raise MappingError, PublishError: as :func:`gateway.publish.pipeline.publish`.
    """
    vocabulary = load_vocabulary(base)
    load_mappings(mappings_dir, internal_schema(ARCHIVE_TABLES), vocabulary.terms())  # a bad mapping fails first
    with tempfile.TemporaryDirectory(prefix="gateway-archive-") as temporary:
        database = Path(temporary) / "archive.sqlite"
        imported = import_archive(directory, database, vocabulary)
        origin = Origin(
            tables=ARCHIVE_TABLES,
            source={"archive": str(directory.resolve()), "files": imported.files, "files_skipped": imported.skipped},
            rejected=imported.report(listed),
            rejections=[r.row() for r in imported.rejected],
        )
        return publish(
            f"sqlite:///{database}",
            releases_dir,
            key=key,
            mappings_dir=mappings_dir,
            base=base,
            keep=keep,
            progress=progress,
            origin=origin,
            release_database_url=release_database_url,
            before_switch=before_switch,
            full=full,
        )
