"""An inspector that lists what in an HTML document could run script or send requests.

Used on sanitised fragments (where nothing active may remain) and on whole pages (where
only the page's own scripts, served from /static/ or /assets/, and the templates' own htmx
attributes may appear).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

ACTIVE_TAGS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "svg", "math", "style",
     "base", "meta", "link", "form", "input", "button", "textarea", "select", "img",
     "video", "audio", "source", "template", "noscript"}
)  # fmt: skip
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"})
SAFE_SCHEMES = ("http:", "https:", "mailto:")


def _scheme(url: str) -> str | None:
    """The scheme a browser would see (WHATWG URL parsing), or None for a relative URL."""
    cleaned = url.strip("".join(chr(c) for c in range(0x21))).translate(
        {9: None, 10: None, 13: None}
    )
    head, colon, _rest = cleaned.partition(":")
    if not colon or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", head):
        return None
    return head.lower() + ":"


class Inspector(HTMLParser):
    """Collects every dangerous construct; `allow_page` tolerates the page's own markup."""

    def __init__(self, *, allow_page: bool = False, marker: str = "__xss") -> None:
        super().__init__(convert_charrefs=True)
        self.allow_page = allow_page
        self.marker = marker
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            src = values.get("src") or ""
            if not (self.allow_page and src.startswith(("/static/", "/assets/"))):
                self.found.append(f"<script src={src!r}>")
        elif tag in ACTIVE_TAGS and not self.allow_page:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name == "style":
                self.found.append(f"{tag}[style]")
            if name.startswith(("hx-", "data-hx-")) and (
                not self.allow_page or self.marker in value
            ):
                self.found.append(f"{tag}[{name}={value!r}]")
            if name.startswith("data-") and not self.allow_page:
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES:
                scheme = _scheme(value)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    self.found.append(f"{tag}[{name}={value!r}]")
            if name == "id" and not self.allow_page and not value.startswith("md-"):
                self.found.append(f"{tag}[id={value!r}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("inline script content")


def dangers(html: str, *, allow_page: bool = False) -> list[str]:
    """Everything in `html` that could run script, style the page or send a request."""
    inspector = Inspector(allow_page=allow_page)
    inspector.feed(html)
    inspector.close()
    return inspector.found
