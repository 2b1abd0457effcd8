"""A release made of the W3C test data, for a gateway to serve as it serves ours.

Each data file becomes a named graph (``manifests.all_graphs()``: the protocol tests'
``http://kasei.us/.../dataN.rdf`` graphs, and one graph per result-format data file).
The folder has what a backend needs: ``store/`` (pyoxigraph, for the embedded backend),
``dumps/release.nq.gz`` (every statement as N-Quads, for loading a remote store) and a
``manifest.json``; ``current`` points at it.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox

from gateway import releases
from tests.sparql.w3c.manifests import all_graphs

RELEASE_ID = "20000101T000000Z"
BASE = "https://data.met.police.uk/"


def build_w3c_release(releases_dir: Path) -> Path:
    """Write the W3C test release into ``releases_dir`` and make it current; its folder."""
    folder = releases_dir / RELEASE_ID
    (folder / "dumps").mkdir(parents=True)
    quads: list[ox.Quad] = []
    for graph, path in all_graphs().items():
        fmt = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
        for triple in ox.parse(path=str(path), format=fmt, base_iri=path.as_uri()):
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(graph)))
    store = ox.Store(str(folder / "store"))
    store.extend(quads)
    store.flush()
    del store
    with gzip.open(folder / "dumps" / "release.nq.gz", "wb") as out:
        out.write(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    manifest = {
        "release": RELEASE_ID,
        "created_at": "2000-01-01T00:00:00+00:00",
        "base": BASE,
        "counts": {},
        "statements": len(quads),
    }
    (folder / releases.MANIFEST).write_text(json.dumps(manifest, indent=2))
    releases.switch_to(releases_dir, RELEASE_ID)
    return folder
