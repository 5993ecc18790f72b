"""Markdown to safe HTML: the one place where people's text becomes markup.

Python-Markdown passes raw HTML through unchanged, so its output is never trusted: nh3 (the
Rust sanitiser ammonia) cleans it afterwards with an explicit allow-list. What survives is
plain document structure: no script or style, no event handlers or style attributes, no
htmx or data-* attributes (user text must not be able to make the page send requests), no
images (they could track readers), and links only to http, https and mailto addresses,
each marked rel="noopener nofollow ugc". Heading ids get an "md-" prefix so a heading can
never take the id of an element of the page itself.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import markdown
import nh3
from markupsafe import Markup

MARKDOWN_EXTENSIONS = ("abbr", "def_list", "fenced_code", "tables", "sane_lists", "toc")
HEADING_ID_PREFIX = "md-"
LINK_REL = "noopener nofollow ugc"
URL_SCHEMES = frozenset({"http", "https", "mailto"})

ALLOWED_TAGS = frozenset(
    {
        *(f"h{level}" for level in range(1, 7)),
        "p", "br", "hr", "blockquote", "pre", "code", "kbd", "samp",
        "strong", "em", "b", "i", "s", "del", "ins", "mark", "sub", "sup", "small",
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "a", "abbr", "q", "cite",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
# Elements whose content is dropped with them, not shown as text.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript"})


def _toc_slug(value: str, separator: str) -> str:
    """Heading ids as toc makes them, prefixed so they cannot clash with the page's ids."""
    from markdown.extensions.toc import slugify_unicode

    return HEADING_ID_PREFIX + slugify_unicode(value, separator)


def _only_prefixed_ids(tag: str, attribute: str, value: str) -> str | None:
    """Keep an id only if Markdown made it (prefixed), so raw HTML cannot clobber page ids."""
    if attribute == "id" and not value.startswith(HEADING_ID_PREFIX):
        return None
    return value


def sanitise_html(html: str) -> str:
    """Clean an HTML fragment down to the allow-list (used on every Markdown conversion)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        attribute_filter=_only_prefixed_ids,
        strip_comments=True,
    )


# Building a converter with its extensions costs more than converting a comment, so each
# thread keeps one and resets it between texts (reset() clears abbreviations, footnotes and
# heading ids, so nothing of one text leaks into the next).
_converters = threading.local()

# The same texts (an agreement's paragraphs, a proposal's comments) are rendered on every
# view; their HTML depends on nothing but the text, so it is cached by the text's hash.
RENDERED_CACHE_SIZE = 4096
_rendered: OrderedDict[bytes, str] = OrderedDict()
_rendered_lock = threading.Lock()


def _converter() -> markdown.Markdown:
    converter: markdown.Markdown | None = getattr(_converters, "markdown", None)
    if converter is None:
        converter = markdown.Markdown(
            extensions=list(MARKDOWN_EXTENSIONS),
            extension_configs={"toc": {"slugify": _toc_slug, "permalink": False}},
            output_format="html",
        )
        _converters.markdown = converter
    return converter.reset()


def render_markdown(text: str | None) -> Markup:
    """People's Markdown as sanitised HTML, safe to put in any page."""
    if not text:
        return Markup("")
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    with _rendered_lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
            return Markup(html)
    html = sanitise_html(_converter().convert(text))
    with _rendered_lock:
        _rendered[key] = html
        if len(_rendered) > RENDERED_CACHE_SIZE:
            _rendered.popitem(last=False)
    return Markup(html)
