"""Static files: content-hashed URLs, a year of caching for them, and compressed responses."""

import gzip
import re
from pathlib import Path

import brotli
import pytest

from app.assets import ONE_YEAR, content_hash, static_url


def _stylesheet_url(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)


def test_pages_link_the_stylesheet_by_its_content_hash(app, client):
    with app.app_context():
        version = content_hash("lyssna.css")
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    assert _stylesheet_url(client) == f"/static/lyssna.css?v={version}"


def test_versioned_static_file_is_cached_for_a_year(client):
    response = client.get(_stylesheet_url(client))
    assert response.status_code == 200
    assert response.cache_control.public
    assert response.cache_control.max_age == ONE_YEAR
    assert response.cache_control.immutable
    assert not response.cache_control.no_cache
    response.close()


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_unversioned_or_outdated_static_file_is_revalidated(client, query):
    response = client.get(f"/static/lyssna.css{query}")
    assert response.status_code == 200
    assert response.cache_control.no_cache
    assert not response.cache_control.immutable
    response.close()


def test_in_debug_mode_the_hash_follows_the_file_content(app, tmp_path):
    app.debug = True
    app.static_folder = str(tmp_path)
    (tmp_path / "x.css").write_text("a{}")
    with app.test_request_context():
        first = static_url("x.css")
        (tmp_path / "x.css").write_text("a{color:red}")
        second = static_url("x.css")
        assert first != second
        assert second.startswith("/static/x.css?v=")
        assert static_url("missing.css") == "/static/missing.css"
        assert content_hash("../outside.css") is None


def test_outside_debug_mode_each_hash_is_worked_out_once(app, tmp_path):
    # Static files change only with a release (and a restart): no stat per link on every page.
    app.static_folder = str(tmp_path)
    (tmp_path / "x.css").write_text("a{}")
    with app.test_request_context():
        first = static_url("x.css")
        (tmp_path / "x.css").unlink()
        assert static_url("x.css") == first
        assert content_hash("../outside.css") is None
    with app.test_request_context(base_url="http://example.org/lyssna/"):
        assert static_url("x.css") == "/lyssna" + first  # mounted under a prefix


@pytest.mark.parametrize(
    ("accept", "encoding", "decompress"),
    [("gzip", "gzip", gzip.decompress), ("gzip, deflate, br", "br", brotli.decompress)],
)
def test_pages_and_static_files_are_compressed(client, accept, encoding, decompress):
    headers = {"Accept-Encoding": accept}
    page = client.get("/", headers=headers)
    assert page.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in page.headers["Vary"]
    assert "<!doctype html>" in decompress(page.get_data()).decode()
    css = client.get(_stylesheet_url(client), headers=headers)
    assert css.headers["Content-Encoding"] == encoding
    assert b"box-sizing" in decompress(css.get_data())
    css.close()


def test_uncompressed_when_the_client_does_not_ask(client):
    page = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in page.headers
    assert "<!doctype html>" in page.get_data(as_text=True)


def test_static_files_are_compressed_once_at_the_highest_level(app, client):
    import app.assets as assets

    url = _stylesheet_url(client)
    first = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    css = first.get_data()
    assert first.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in first.headers["Vary"]
    plain = (Path(app.static_folder) / "lyssna.css").read_bytes()
    assert brotli.decompress(css) == plain
    assert css == brotli.compress(plain, quality=11, mode=brotli.MODE_TEXT)
    # The second time the stored bytes are sent, whatever the compressor would make now.
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(assets.STATIC_ENCODINGS, "br", lambda data: b"not used")
        again = client.get(url, headers={"Accept-Encoding": "br"})
    assert again.get_data() == css
    first.close()
    again.close()


def test_a_compressed_static_file_has_its_own_etag_and_revalidates(client):
    url = _stylesheet_url(client)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert packed.headers["ETag"] != plain.headers["ETag"]
    again = {"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    not_modified = client.get(url, headers=again)
    assert not_modified.status_code == 304
    for response in (plain, packed, not_modified):
        response.close()
