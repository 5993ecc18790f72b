"""The API's routes, one module per area: each declares its operations with `@operation`.

Routes only translate HTTP: parse the body (schemas in bodies.py), call one service, and
present the result (presenters.py). Importing this package registers every operation.
"""

from . import agreements, communities, discussion, proposals, rounds, search, translations

__all__ = [
    "agreements",
    "communities",
    "discussion",
    "proposals",
    "rounds",
    "search",
    "translations",
]
