"""Saying a marked text (`agreements.wording`) in the language of the request or mail at hand.

The one place that asks Flask-Babel for the current translations: pages (through the Jinja
`finalize` hook, so every `{{ value }}` that is a Wording is said in the reader's language),
flashes, the API's problem details and mails all go through `say`. Outside an application
context a Wording stays English.

May import: wording, Flask-Babel.
"""

from __future__ import annotations

from typing import Any

from flask import has_app_context
from flask_babel import get_translations

from .wording import Wording


def say(text: Any) -> Any:
    """`text` in the current language when it is a Wording; anything else unchanged."""
    if not isinstance(text, Wording) or not has_app_context():
        return text
    translations = get_translations()
    return text.say(translations.ugettext, translations.ungettext)
