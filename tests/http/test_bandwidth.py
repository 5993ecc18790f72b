"""Phones and slow links: compressed responses, and static files that are cached for good."""

from __future__ import annotations

import gzip
import re


def test_a_page_is_compressed_when_the_client_accepts_it(client) -> None:
    plain = client.get("/sign-in")
    assert plain.headers.get("Content-Encoding") is None
    packed = client.get("/sign-in", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data


def test_static_files_have_content_hashed_names_cached_for_a_year(client) -> None:
    page = client.get("/sign-in").text
    links = re.findall(r'(?:href|src)="(/assets/[^"]+)"', page)
    assert any(re.fullmatch(r"/assets/accord\.[0-9a-f]{12}\.css", link) for link in links)
    for link in links:
        with client.get(link) as response:
            assert response.status_code == 200, link
            assert "immutable" in response.headers["Cache-Control"]
            assert "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get("/assets/accord.000000000000.css").status_code == 404
