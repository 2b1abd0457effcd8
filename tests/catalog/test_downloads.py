"""/downloads: the release's dumps with sizes and checksums, served whole or in ranges."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess

import pytest

from tests.catalog.conftest import fetch
from tests.live import ROOT, make_serve


def dumps(manifest) -> list[dict]:
    return [f for f in manifest["files"] if f["path"].startswith("dumps/")]


def test_the_listing_names_every_dump_with_size_and_checksum(release_client, manifest):
    page = fetch(release_client, "/downloads").get_data(as_text=True)
    assert "<h1>Downloads</h1>" in page
    listed = fetch(release_client, "/downloads", headers={"Accept": "application/json"}).get_json()
    assert listed["release"] == manifest["release"]
    expected = {f["path"]: (f["bytes"], f["sha256"]) for f in dumps(manifest)}
    assert {f["path"]: (f["bytes"], f["sha256"]) for f in listed["files"]} == expected
    assert len(expected) > 50 and "dumps/release.nq.gz" in expected
    for path, (size, sha256) in expected.items():
        assert f'href="/downloads/{path}"' in page and sha256 in page and f"{size:,}" in page


def test_every_dump_matches_its_checksum_and_the_release_file(release_client, manifest, release_path):
    for entry in dumps(manifest):
        response = fetch(release_client, f"/downloads/{entry['path']}")
        assert response.status_code == 200
        body = response.get_data()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], entry["path"]
        assert body == (release_path / entry["path"]).read_bytes()  # byte-identical to the release's dump
        assert response.headers["ETag"] == f'"{entry["sha256"]}"'
        assert "attachment" in response.headers["Content-Disposition"]


def test_csvs_are_in_the_archive_format(release_client, manifest):
    for entry in dumps(manifest):
        if entry["path"].endswith("-street.csv"):
            body = fetch(release_client, f"/downloads/{entry['path']}").get_data()
            assert body.startswith(b"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,")
            assert b"\r\n" in body and body.endswith(b"\r\n")


def test_the_nquads_dump_is_gzip_served_as_is(release_client):
    response = fetch(release_client, "/downloads/dumps/release.nq.gz", headers={"Accept-Encoding": "gzip"})
    assert response.mimetype == "application/gzip" and "Content-Encoding" not in response.headers
    first = gzip.decompress(response.get_data()).split(b"\n", 1)[0]
    assert first.endswith(b" .")


def test_range_requests(release_client, release_path):
    path = "dumps/csv/2024-01/2024-01-metropolitan-street.csv"
    whole = (release_path / path).read_bytes()
    response = fetch(release_client, f"/downloads/{path}", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206 and response.get_data() == whole[:100]
    assert response.headers["Content-Range"] == f"bytes 0-99/{len(whole)}"
    assert response.headers["Accept-Ranges"] == "bytes"
    tail = fetch(release_client, f"/downloads/{path}", headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.get_data() == whole[-50:]
    middle = fetch(release_client, f"/downloads/{path}", headers={"Range": f"bytes=1000-{len(whole) - 1}"})
    assert middle.get_data() == whole[1000:]
    beyond = fetch(release_client, f"/downloads/{path}", headers={"Range": f"bytes={len(whole) + 10}-"})
    assert beyond.status_code == 416


@pytest.mark.parametrize("encodings", ["gzip", "br", "zstd", "deflate", "gzip, deflate, br, zstd"])
def test_compression_never_changes_a_download(release_client, release_path, manifest, encodings):
    path = "dumps/csv/2024-01/2024-01-metropolitan-street.csv"
    whole = (release_path / path).read_bytes()
    sha256 = next(f["sha256"] for f in manifest["files"] if f["path"] == path)
    for extra, expected in (({}, whole), ({"Range": "bytes=10-19"}, whole[10:20]), ({"Range": "bytes=-7"}, whole[-7:])):
        response = fetch(release_client, f"/downloads/{path}", headers={"Accept-Encoding": encodings, **extra})
        assert response.status_code == (206 if extra else 200)
        assert "Content-Encoding" not in response.headers
        assert response.get_data() == expected and int(response.headers["Content-Length"]) == len(expected)
        assert response.headers["ETag"] == f'"{sha256}"'  # the file's own tag, not a coding's


def test_compression_still_applies_to_pages_and_static_assets(release_client):
    page = fetch(release_client, "/downloads", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    script = fetch(release_client, "/static/sparql/yasgui.min.js", headers={"Accept-Encoding": "br"})
    assert script.headers["Content-Encoding"] == "br"


def test_conditional_requests(release_client, manifest):
    entry = dumps(manifest)[0]
    response = fetch(release_client, f"/downloads/{entry['path']}", headers={"If-None-Match": f'"{entry["sha256"]}"'})
    assert response.status_code == 304 and response.get_data() == b""


@pytest.mark.parametrize(
    "path",
    ["release.sqlite", "manifest.json", "dumps/../manifest.json", "dumps/csv/2099-01/x.csv", "dumps", "%2e%2e/etc"],
)
def test_only_listed_dumps_can_be_downloaded(release_client, path):
    response = fetch(release_client, f"/downloads/{path}")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def readme_download_commands() -> list[str]:
    """The shell lines of the README's "Catalogue, downloads and statistics" example that
    fetch or check downloads, exactly as written there."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Catalogue, downloads and statistics", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if "downloads" in line or line.startswith("sha256sum")]


def test_the_readme_download_commands_work_under_make_serve(published_dir, manifest, release_path, tmp_path):
    """gunicorn started as `make serve` starts it, in a checkout whose data directory is the
    default, relative ./var: every download command of the README, run by the shell as written."""

    checkout = tmp_path / "checkout"
    (checkout / "var").mkdir(parents=True)
    for name in ("wsgi.py", "gunicorn.conf.py"):
        shutil.copy(ROOT / name, checkout / name)
    (checkout / "var" / "releases").symlink_to(published_dir / "releases")
    work = tmp_path / "work"
    work.mkdir()
    commands = readme_download_commands()
    assert len(commands) == 5, commands
    with make_serve(checkout, {"WORKERS": "1"}) as server:

        def run(line: str) -> bytes:
            line = line.replace("http://127.0.0.1:8000", server.url)
            done = subprocess.run(["sh", "-c", line], cwd=work, capture_output=True, timeout=120)
            assert done.returncode == 0, (line, done.stderr)
            return done.stdout

        listing, fetch_csv, checksum, first_bytes, resumable = commands
        files = {f["path"]: f for f in json.loads(run(listing))["files"]}
        assert {path: f["sha256"] for path, f in files.items()} == {f["path"]: f["sha256"] for f in dumps(manifest)}
        csv = "dumps/csv/2024-01/2024-01-metropolitan-street.csv"
        whole = (release_path / csv).read_bytes()
        run(fetch_csv)
        assert (work / "2024-01-metropolitan-street.csv").read_bytes() == whole
        assert run(checksum).split()[0].decode() == files[csv]["sha256"]
        assert run(first_bytes) == whole[:100]
        nquads = (release_path / "dumps" / "release.nq.gz").read_bytes()
        run(resumable)
        assert (work / "release.nq.gz").read_bytes() == nquads
        # -C - resumes: a download cut half-way is completed, not started again
        (work / "release.nq.gz").write_bytes(nquads[: len(nquads) // 2])
        run(resumable)
        assert (work / "release.nq.gz").read_bytes() == nquads
    log = next(checkout.glob("gunicorn-*.log")).read_text()
    assert " 500 " not in log and "Traceback" not in log
