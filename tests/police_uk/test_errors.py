"""This interface's error envelope and the request-level limits."""

import math

import pytest


def test_error_body_is_plain_text_and_says_what(release_client):
    response = release_client.get("/api/crimes-street/all-crime?lat=51.5")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "400 Bad Request: lng is missing: give both lat and lng, or poly\n"


def test_get_line_over_4094_characters_is_400(release_client):
    # a 6-decimal polygon of many points: the line is long, as when a client draws a detailed area
    around = [(2 * math.pi * i / 250) for i in range(250)]
    points = ":".join(f"{51.515 + 0.01 * math.sin(a):.6f},{-0.09 + 0.016 * math.cos(a):.6f}" for a in around)
    url = f"/api/crimes-street/all-crime?poly={points}&date=2024-01"
    assert len(f"GET {url} HTTP/1.1") > 4094
    response = release_client.get(url)
    assert response.status_code == 400
    assert "POST" in response.get_data(as_text=True) and "4,094" in response.get_data(as_text=True)
    # the same polygon by POST is fine
    posted = release_client.post("/api/crimes-street/all-crime", data={"poly": points, "date": "2024-01"})
    assert posted.status_code == 200 and posted.get_json()


def test_line_just_under_the_limit_is_served(release_client):
    base = "/api/crimes-street/all-crime?lat=51.515&lng=-0.09&date=2024-01&pad="
    pad = 4094 - len(f"GET {base} HTTP/1.1")
    assert release_client.get(base + "x" * pad).status_code == 200
    assert release_client.get(base + "x" * (pad + 1)).status_code == 400


def test_post_with_a_json_body_is_400(release_client):
    response = release_client.post("/api/crimes-street/all-crime", json={"lat": 51.5, "lng": -0.1})
    assert response.status_code == 400
    assert "form" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/forces", "/api/crimes-no-location"])
def test_wrong_method_is_405_with_allow(release_client, path):
    response = release_client.post(path, data={})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_tolerates_stray_ampersands(release_client):
    # the R ukpolice package sends ?& and &&
    response = release_client.get("/api/crimes-no-location?&category=all-crime&&force=city-of-london&date=2024-01")
    assert response.status_code == 200 and response.get_json()


def test_empty_values_count_as_absent(release_client):
    assert release_client.get("/api/crimes-street/all-crime?lat=51.515&lng=-0.09&date=").status_code == 200


def test_no_release_is_503(client):
    response = client.get("/api/crimes-street-dates")
    assert response.status_code == 503
    assert "gateway publish" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]


@pytest.mark.parametrize("length", [4095, 6000, 8190, 8191, 20000])
def test_over_long_get_lines_under_gunicorn_are_the_documented_plain_400(live_server, length):
    """gunicorn itself refuses long lines (an HTML 414 by default); the gateway answers 400."""
    base = "/api/crimes-street/all-crime?date=2024-01&poly=51.51,-0.1:51.52,-0.1:51.52,-0.09&pad="
    path = base + "x" * (length - len(f"GET {base} HTTP/1.1"))
    assert len(f"GET {path} HTTP/1.1") == length
    response = live_server.get(path)
    assert response.status_code == 400, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text.startswith("400 Bad Request: the request line is ") and "POST" in response.text
    assert "<html" not in response.text.lower()
    # the same request by POST is served
    posted = live_server.post(
        base.split("?")[0], data={"poly": "51.51,-0.1:51.52,-0.1:51.52,-0.09", "pad": "x" * length}
    )
    assert posted.status_code == 200


def test_a_line_of_4094_characters_is_served_under_gunicorn(live_server):
    base = "/api/crimes-street/all-crime?lat=51.515&lng=-0.09&date=2024-01&pad="
    path = base + "x" * (4094 - len(f"GET {base} HTTP/1.1"))
    assert live_server.get(path).status_code == 200
