"""Templates' `url_for`, answered from the addresses this process has already built.

A page builds tens of links, the large agreement page about a hundred (each recent version
with its decision record and comparison, each open proposal), and Werkzeug builds each one
anew: finding the endpoint's rule, converting and quoting each value, about 20 µs apiece,
a fifth of that page. The same endpoint with the same values gives the same path for every
request under the same script root, so a path is built once and then read from a table
(per app, emptied when it reaches `KEPT` entries, so a long-lived worker's table stays
small). External addresses (`_external`, `_scheme`) and anchors are built every time, as
they depend on the request's host, and so are endpoints relative to the request's
blueprint and addresses built outside a request.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for

KEPT = 8192
_TABLE = "accord.addresses"


def address(endpoint: str, **values: Any) -> str:
    """`url_for(endpoint, **values)`; a relative path is built once per process for each
    endpoint, values and script root."""
    if (
        not has_request_context()
        or endpoint.startswith(".")  # relative to the request's blueprint
        or any(name.startswith("_") for name in values)
    ):
        return url_for(endpoint, **values)
    key = (request.script_root, endpoint, *((n, type(v), v) for n, v in sorted(values.items())))
    table: dict[tuple[Any, ...], str] = current_app.extensions[_TABLE]
    try:
        return table[key]
    except KeyError:
        pass
    except TypeError:  # a value that cannot be a key (a list of query values)
        return url_for(endpoint, **values)
    if len(table) >= KEPT:
        table.clear()
    built = table[key] = url_for(endpoint, **values)
    return built


def init_app(app: Flask) -> None:
    """Give templates `address` as their `url_for`."""
    app.extensions[_TABLE] = {}
    app.add_template_global(address, "url_for")
