"""The per-client token bucket: its arithmetic, the 429 answers, and one limit across workers."""

from __future__ import annotations

import concurrent.futures

import pytest
import requests

from gateway import create_app
from gateway.ratelimit import TokenBucket, client_address


@pytest.fixture
def bucket(tmp_path):
    made = TokenBucket(tmp_path / "ratelimit.sqlite", rate=15, burst=30)
    yield made
    made.close()


def test_burst_then_refusal(bucket):
    now = 1_000_000.0
    assert all(bucket.take("a", now).allowed for _ in range(30))
    refused = bucket.take("a", now)
    assert not refused.allowed and refused.retry_after == 1
    # another client has its own bucket
    assert bucket.take("b", now).allowed


def test_refill_at_the_rate(bucket):
    now = 1_000_000.0
    for _ in range(30):
        bucket.take("a", now)
    later = now + 1.0  # 15 tokens back
    assert sum(bucket.take("a", later).allowed for _ in range(20)) == 15
    # refused requests do not spend tokens: after another 2 s, the bucket holds 30 again
    assert sum(bucket.take("a", later + 2.0).allowed for _ in range(40)) == 30


def test_sustained_rate_is_the_limit(bucket):
    allowed = 0
    for step in range(300):  # 100 requests a second for 3 s
        allowed += bucket.take("a", 1_000_000.0 + step / 100).allowed
    assert 30 + 15 * 3 - 2 <= allowed <= 30 + 15 * 3


def test_bad_settings_are_refused(tmp_path):
    with pytest.raises(ValueError):
        TokenBucket(tmp_path / "r.sqlite", rate=15, burst=0.5)


def test_client_address_through_trusted_proxies_only():
    assert client_address("10.0.0.1", None, "127.0.0.1") == "10.0.0.1"
    # an untrusted peer cannot choose its own identity
    assert client_address("10.0.0.1", "1.2.3.4", "127.0.0.1") == "10.0.0.1"
    assert client_address("127.0.0.1", "1.2.3.4", "127.0.0.1") == "1.2.3.4"
    # a forged left-most entry does not help: the right-most untrusted hop is the client
    assert client_address("127.0.0.1", "6.6.6.6, 1.2.3.4", "127.0.0.1") == "1.2.3.4"
    assert client_address("127.0.0.1", "1.2.3.4, 10.0.0.2", "127.0.0.1,10.0.0.2") == "1.2.3.4"
    assert client_address("10.9.9.9", "1.2.3.4", "*") == "1.2.3.4"


def test_no_proxy_is_trusted_unless_configured():
    # the default (GATEWAY_TRUSTED_PROXIES empty): the header is ignored, even from 127.0.0.1
    assert client_address("127.0.0.1", "1.2.3.4", "") == "127.0.0.1"
    assert client_address("::1", "1.2.3.4", "") == "::1"


def test_trusted_proxies_may_be_networks():
    assert client_address("172.18.0.5", "1.2.3.4", "172.16.0.0/12") == "1.2.3.4"
    assert client_address("172.32.0.5", "1.2.3.4", "172.16.0.0/12") == "172.32.0.5"
    assert client_address("fd00::7", "2001:db8::1, fd00::9", "fd00::/8") == "2001:db8::1"
    # a hop that is not an address is never a trusted proxy: it is the client
    assert client_address("10.0.0.2", "1.2.3.4, garbage", "10.0.0.0/8") == "garbage"


def test_a_mistaken_trusted_proxies_setting_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match=r"TRUSTED_PROXIES: '10\.0\.0\.1/8'"):
        create_app({"DATA_DIR": str(tmp_path), "TRUSTED_PROXIES": "10.0.0.1/8"})  # host bits set


@pytest.fixture
def limited_client(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "RATE_LIMIT": 0.01, "RATE_BURST": 3})
    return app.test_client()


def test_429_with_retry_after_and_a_message(limited_client):
    statuses = [limited_client.get("/api/forces").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = limited_client.get("/api/forces")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    text = response.get_data(as_text=True)
    assert "too many requests" in text and "0.01 requests a second" in text and "bursts of 3" in text


def test_our_api_is_limited_too_with_its_envelope(limited_client):
    for _ in range(3):
        limited_client.get("/api/v1/datasets")
    response = limited_client.get("/api/v1/datasets")
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert response.get_json()["error"]["status"] == 429


def test_other_interfaces_are_not_limited(limited_client):
    assert all(limited_client.get("/healthz").status_code == 200 for _ in range(10))


def test_a_rotating_forwarded_header_does_not_escape_the_limit(limited_client):
    """The default trusts no proxy: a client naming itself anew each time is still one client."""
    statuses = [
        limited_client.get("/api/forces", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(6)
    ]
    assert statuses == [200, 200, 200, 429, 429, 429]


def test_forwarded_clients_behind_a_trusted_proxy_have_their_own_buckets(tmp_path):
    settings = {"DATA_DIR": str(tmp_path), "RATE_LIMIT": 0.01, "RATE_BURST": 3, "TRUSTED_PROXIES": "127.0.0.1"}
    limited_client = create_app({"TESTING": True, **settings}).test_client()
    for _ in range(3):
        assert limited_client.get("/api/forces", headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 200
    assert limited_client.get("/api/forces", headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 429
    assert limited_client.get("/api/forces", headers={"X-Forwarded-For": "2.2.2.2"}).status_code == 200


def test_one_limit_across_gunicorn_workers(tmp_path, monkeypatch):
    """Two workers share the bucket: a per-process bucket would let 2 x burst through."""
    from tests.live import gunicorn

    # Load the app before listening: on a busy machine a worker that is still importing
    # makes tests.live's first 2-second health check time out.
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--preload")

    burst = 8
    with gunicorn(tmp_path, {"RATE_LIMIT": 0.01, "RATE_BURST": burst}, workers=2, threads=2) as server:

        def hit(_: int) -> int:
            # a new connection each time, so both workers take requests
            return requests.get(server.url + "/api/forces", headers={"Connection": "close"}, timeout=30).status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(hit, range(40)))
        log = (tmp_path / next(p.name for p in tmp_path.glob("gunicorn-*.log"))).read_text()
    assert statuses.count(200) == burst
    assert statuses.count(429) == 40 - burst
    # both workers answered (their pids differ in the access log's "Booting worker" lines)
    assert log.count("Booting worker") == 2


def test_one_client_under_gunicorn_cannot_rotate_past_the_limit(tmp_path, monkeypatch):
    """As found by outside testing: one client on 127.0.0.1 rotating X-Forwarded-For."""
    from tests.live import gunicorn

    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--preload")
    burst = 6
    with gunicorn(tmp_path, {"RATE_LIMIT": 0.01, "RATE_BURST": burst}, workers=1, threads=2) as server:
        statuses = [
            server.get("/api/forces", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(20)
        ]
    assert statuses.count(200) == burst and statuses.count(429) == 20 - burst
