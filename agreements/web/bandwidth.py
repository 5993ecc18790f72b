"""How responses travel to phones and slow links: compressed, and static files cached for good.

Every response is compressed (zstd, Brotli or gzip, by Flask-Compress) when the client
says it accepts it. Static files are served under content-hashed names
(`/assets/accord.3f2a9c1b4e5d.css`): a changed file gets a new name, so each name can be
cached for a year and never revalidated. Templates link them with `asset("accord.css")`,
the one URL helper for static files.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app
from flask_compress import Compress

from .addresses import address

ONE_YEAR = 365 * 24 * 3600
HASH_CHARS = 12
ASSETS_KEY = "accord.assets"

assets_bp = Blueprint("assets", __name__)
compress = Compress()


def hashed_name(path: Path, relative: str) -> str:
    """`relative` with the first characters of the file's sha256 before its extension."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_CHARS]
    stem, dot, extension = relative.rpartition(".")
    return f"{stem}.{digest}.{extension}" if dot else f"{relative}.{digest}"


@dataclass(frozen=True)
class Assets:
    """The static files as read at start-up: hashed name by file, and content by hashed name."""

    names: dict[str, str]
    files: dict[str, tuple[bytes, str]]


def _read_assets(static_folder: str) -> Assets:
    """Each static file's hashed name and content, read once (they change only on deploy)."""
    root = Path(static_folder)
    names, files = {}, {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            relative = path.relative_to(root).as_posix()
            names[relative] = hashed_name(path, relative)
            mimetype = mimetypes.guess_type(relative)[0] or "application/octet-stream"
            files[names[relative]] = (path.read_bytes(), mimetype)
    return Assets(names, files)


def asset(filename: str) -> str:
    """The URL of a static file under its content-hashed name (the template helper)."""
    assets: Assets = current_app.extensions[ASSETS_KEY]
    return address("assets.hashed", name=assets.names[filename])


@assets_bp.get("/assets/<path:name>")
def hashed(name: str) -> Response:
    """A static file by its hashed name, cacheable for a year; an unknown name is a 404."""
    assets: Assets = current_app.extensions[ASSETS_KEY]
    if name not in assets.files:
        abort(404)
    content, mimetype = assets.files[name]
    response = Response(content, mimetype=mimetype)
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def init_app(app: Flask) -> None:
    """Compress responses, hash the static files and register the `asset` helper."""
    compress.init_app(app)  # its defaults: zstd, br (level 4), gzip; 500 bytes and up
    app.extensions[ASSETS_KEY] = _read_assets(app.static_folder or "")
    app.register_blueprint(assets_bp)
    app.add_template_global(asset, "asset")
