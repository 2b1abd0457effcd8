"""Published IRIs and local paths.

Published IRIs start with the release's base (``https://data.met.police.uk/``) while the
server may run anywhere (``http://127.0.0.1:8000``): a request path maps to ``base +
path`` and an IRI under the base links to the local path, so both work.
"""

from __future__ import annotations

import re

# What a resource key may hold: the segments of the mappings' URI templates, GSS codes,
# notations. Anything else cannot name a published resource.
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9][A-Za-z0-9._~-]*)*")
MAX_KEY = 300


def valid_key(path: str) -> bool:
    return len(path) <= MAX_KEY and KEY.fullmatch(path) is not None


def thing_iri(base: str, path: str) -> str:
    """The identifier ``{base}id/{path}``."""
    return f"{base}id/{path}"


def doc_iri(base: str, path: str) -> str:
    """The document ``{base}doc/{path}`` about the thing ``{base}id/{path}``."""
    return f"{base}doc/{path}"


def local_path(iri: str, base: str) -> str | None:
    """The path on this server of an IRI under ``base``; identifiers go to their documents."""
    if not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    if rest.startswith("id/"):
        return "/doc/" + rest[3:]
    return "/" + rest


def href(iri: str, base: str) -> str:
    """Where a page links for ``iri``: the local path if published here, else the IRI."""
    return local_path(iri, base) or iri
