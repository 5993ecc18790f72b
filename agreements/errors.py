"""Domain errors: every refusal carries a message a person understands and an HTTP status.

Services raise these; the web and API layers map them to responses in one place each, so a
refusal reads the same on a page, in an htmx swap and in the JSON API.
"""

from __future__ import annotations

from .wording import _


class DomainError(Exception):
    """Base of every refusal; `status` is the HTTP status the refusal maps to."""

    status = 400
    title = _("Bad request")

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthenticated(DomainError):
    """The action needs a signed-in person."""

    status = 401
    title = _("Sign in required")


class Forbidden(DomainError):
    """The person is known but their role does not allow the action."""

    status = 403
    title = _("Not allowed")


NOTHING_HERE = _("There is nothing here, or nothing you may see.")


class NotFound(DomainError):
    """Nothing there, or nothing the person may see (private communities do not leak).

    Both answer the same message by default, so a private community's ids, a draft and an
    id that never existed cannot be told apart by anyone who may not see them.
    """

    status = 404
    title = _("Not found")

    def __init__(self, message: str = NOTHING_HERE) -> None:
        super().__init__(message)


class Refused(DomainError):
    """The action is not possible in the current state (a protocol refusal)."""

    status = 409
    title = _("Not possible now")


class PreconditionFailed(DomainError):
    """The client edited a stale copy (ETag / If-Match mismatch)."""

    status = 412
    title = _("Changed meanwhile")


class TooLarge(DomainError):
    """A text is over its documented maximum size."""

    status = 413
    title = _("Too large")


class InvalidInput(DomainError):
    """The input is malformed or incomplete; `field` names the offending field if known."""

    status = 422
    title = _("Invalid input")

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
