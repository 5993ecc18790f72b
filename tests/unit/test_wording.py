"""A marked text reads as English where nobody translates it, and is said again in the
reader's language where the web layer does (agreements/wording.py)."""

from __future__ import annotations

import pytest

from agreements.wording import N_, Wording, _, n_


def french(message: str) -> str:
    return {
        "Version %(number)s is stale": "La version %(number)s est périmée",
        "the source": "la source",
        "%(what)s has changed": "%(what)s a changé",
    }.get(message, message)


def french_plural(singular: str, plural: str, count: int) -> str:
    return "%(num)s objection" if count <= 1 else "%(num)s objections"


def test_a_marked_text_is_its_english_text():
    text = _("Version %(number)s is stale", number=3)
    assert text == "Version 3 is stale"
    assert isinstance(text, str)
    assert text.msgid == "Version %(number)s is stale"


def test_a_marked_text_is_said_in_another_language_with_its_parameters():
    text = _("Version %(number)s is stale", number=3)
    assert text.say(french, french_plural) == "La version 3 est périmée"


def test_a_parameter_that_is_itself_marked_is_translated_too():
    text = _("%(what)s has changed", what=_("the source"))
    assert text == "the source has changed"
    assert text.say(french, french_plural) == "la source a changé"


@pytest.mark.parametrize(
    ("count", "english", "said"),
    [(1, "1 objection", "1 objection"), (0, "0 objections", "0 objection"),
     (2, "2 objections", "2 objections")],
)  # fmt: skip
def test_counted_texts_choose_their_plural_form_in_each_language(count, english, said):
    text = n_("%(num)s objection", "%(num)s objections", count)
    assert text == english
    assert text.say(french, french_plural) == said


def test_user_text_in_a_parameter_is_not_read_as_a_placeholder():
    text = _("Welcome to %(name)s.", name="100%(x)s Co-op {0}")
    assert text == "Welcome to 100%(x)s Co-op {0}."
    assert text.say(lambda m: m, french_plural) == "Welcome to 100%(x)s Co-op {0}."


def test_constants_marked_for_extraction_only_stay_plain_strings():
    assert type(N_("Comments")) is str
    assert not isinstance(N_("Comments"), Wording)


def test_the_values_a_text_names_read_as_english_and_are_written_by_the_reader_s_locale():
    text = n_("%(num)s objection", "%(num)s objections", 1234)
    assert text == "1,234 objections"
    spaced = text.say(french, french_plural, lambda value: f"{value.value:_}".replace("_", " "))
    assert spaced == "1 234 objections"
