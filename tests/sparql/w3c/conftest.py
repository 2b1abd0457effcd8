"""The endpoint the W3C suites run against, once per backend.

``w3c_endpoint`` is parametrised by ``W3C_BACKENDS``. For each name ``X`` it uses the
fixture ``w3c_endpoint_X``, which yields the URL of a ``/sparql`` endpoint serving the
W3C test release (``release.build_w3c_release``: the manifests' data files as named
graphs, with a store for the embedded backend and ``dumps/release.nq.gz`` to load into a
remote store). To run the same suites on another backend, add its name here and define
``w3c_endpoint_<name>`` (session scope) yielding that URL, e.g. a gunicorn started with
``tests.live.gunicorn(data_dir, {"SPARQL_BACKEND": "remote", ...})`` once the release
is loaded into the remote store.
"""

from __future__ import annotations

import pytest

from tests.sparql.servers import sparql_server
from tests.sparql.w3c.release import build_w3c_release

W3C_BACKENDS = ["embedded", "remote"]


@pytest.fixture(scope="session")
def w3c_data_dir(tmp_path_factory):
    """A data directory whose only release is the W3C test data."""
    data_dir = tmp_path_factory.mktemp("w3c")
    build_w3c_release(data_dir / "releases")
    return data_dir


@pytest.fixture(scope="session")
def w3c_endpoint_embedded(w3c_data_dir):
    with sparql_server(w3c_data_dir, {"SPARQL_WORKERS": 1}) as server:
        yield server.url + "/sparql"


@pytest.fixture(scope="session")
def w3c_endpoint_remote(w3c_data_dir, virtuoso_server):
    """The same release loaded into a private Virtuoso, served with ``SPARQL_BACKEND=remote``."""
    from gateway.publish.remote_store import RemoteStore
    from tests.sparql.w3c.release import RELEASE_ID

    settings = virtuoso_server.settings()
    RemoteStore.from_settings({"DATA_DIR": str(w3c_data_dir), **settings}).load(w3c_data_dir / "releases" / RELEASE_ID)
    with sparql_server(w3c_data_dir, settings) as server:
        yield server.url + "/sparql"


@pytest.fixture(scope="session", params=W3C_BACKENDS)
def w3c_endpoint(request) -> str:
    return request.getfixturevalue(f"w3c_endpoint_{request.param}")
