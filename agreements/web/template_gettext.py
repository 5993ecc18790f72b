"""Templates' `_()`, `gettext` and `ngettext`, with the request's catalogue looked up once.

Flask-Babel's template callables look the current catalogue up again on every call (the
request's Babel context, its domain, its locale and a cache keyed by the locale's name),
and Jinja's `_` reaches them through two more layers of context calls: a page says a
hundred or more texts (a history page several hundred), which made saying them a tenth of
the page's time. These do what Jinja's "newstyle" gettext does (the text is escaped like
any value, then formatted with the named values, so `%%` reads `%`) in one call. They take
the evaluation context, not the template's: Jinja copies the template context, with the
loop's variables, for each call of a function that asks for it.

The catalogue comes from `agreements.saying.translations`, looked up once per request (or
forced locale), as `say` does for texts marked in Python.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal
from flask import Flask
from flask_babel import get_locale
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from ..saying import translations


def _formatted(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


@pass_eval_context
def gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    """`_("…", name=value)` in a template: the text in the reader's language."""
    return _formatted(eval_ctx, translations().ugettext(string), variables)


@pass_eval_context
def ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    """`ngettext("…", "…", n)` in a template: the form for `n` in the reader's language,
    `n` written with their digit grouping ("1,234", "1.234")."""
    variables.setdefault("num", format_decimal(num, locale=get_locale()))
    return _formatted(eval_ctx, translations().ungettext(singular, plural, num), variables)


def init_app(app: Flask) -> None:
    """Put these in place of Flask-Babel's (after it has installed Jinja's i18n extension)."""
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
