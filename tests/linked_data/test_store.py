"""The release's store: opened read-only once per process and release, dropped on retirement."""

from __future__ import annotations

from gateway.current import registry
from gateway.linked_data.store import EXTENSION


def test_the_store_is_opened_once_and_dropped_when_the_release_retires(release_app, sample):
    client = release_app.test_client()
    assert client.get(f"/doc/{sample.records['crime'][0]}.nt").status_code == 200
    stores = release_app.extensions[EXTENSION]
    release = registry(release_app).current()
    assert release.id in stores
    first = stores.get(release)
    assert client.get(f"/doc/{sample.records['crime'][1]}.nt").status_code == 200
    assert stores.get(release) is first
    registry(release_app).close()  # retires every release this process opened
    assert release.id not in stores
