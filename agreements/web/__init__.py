"""The pages people use (placeholder index until the web interface lands)."""

from __future__ import annotations

from flask import Blueprint, Flask
from sqlmodel import select

from ..db import get_session
from ..models import Community

bp = Blueprint("web", __name__)


@bp.get("/")
def index() -> str:
    """List public communities."""
    communities = get_session().exec(select(Community).where(Community.is_private == False)).all()  # noqa: E712
    return "<h1>Accord</h1>" + "".join(f"<p>{c.name}</p>" for c in communities)


def init_app(app: Flask) -> None:
    """Register the pages."""
    app.register_blueprint(bp)
