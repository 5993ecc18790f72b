"""Templates' `_()`, `gettext` and `ngettext`, with the request's catalogue looked up once.

Flask-Babel's template callables look the current catalogue up again on every call (the
request's Babel context, its domain, its locale and a cache keyed by the locale's name),
and Jinja's `_` reaches them through two more layers of context calls: a page says a
hundred or more texts (a history page several hundred), which made saying them a tenth of
the page's time. These do what Jinja's "newstyle" gettext does (the text is escaped like
any value, then formatted with the named values, so `%%` reads `%`) in one call.

The catalogue comes from `agreements.saying.translations`, looked up once per request (or
forced locale), as `say` does for texts marked in Python.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal
from flask import Flask
from flask_babel import get_locale
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from ..saying import translations


def _formatted(context: Context, text: str, variables: dict[str, Any]) -> str:
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


@pass_context
def gettext(context: Context, string: str, /, **variables: Any) -> str:
    """`_("…", name=value)` in a template: the text in the reader's language."""
    return _formatted(context, translations().ugettext(string), variables)


@pass_context
def ngettext(context: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    """`ngettext("…", "…", n)` in a template: the form for `n` in the reader's language,
    `n` written with their digit grouping ("1,234", "1.234")."""
    variables.setdefault("num", format_decimal(num, locale=get_locale()))
    return _formatted(context, translations().ungettext(singular, plural, num), variables)


def init_app(app: Flask) -> None:
    """Put these in place of Flask-Babel's (after it has installed Jinja's i18n extension)."""
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
