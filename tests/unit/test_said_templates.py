"""Fixed texts said when a template compiles (agreements/web/said_templates.py): which calls
are said then, how they are formatted, and which catalogues share compiled templates.

tests/http/test_pages_in_each_language.py proves on the real pages that this changes nothing
a reader sees in any language."""

from __future__ import annotations

from types import SimpleNamespace

from jinja2 import Environment

from agreements.web.said_templates import FixedTexts, catalogue_key


class Catalogue:
    """A catalogue as Babel's: messages in `_catalog`, said by `ugettext`."""

    def __init__(self, messages: dict[str, str]) -> None:
        self._catalog = messages

    def ugettext(self, message: str) -> str:
        return self._catalog.get(message, message)


GERMAN = {
    "Save": "Speichern",
    "50%% agree": "50 %% stimmen zu",
    "<b>Bold</b> & co": "<b>Fett</b> & Co",
}


def render(source: str, **values: object) -> str:
    environment = Environment(autoescape=True, extensions=[FixedTexts])
    environment.catalogue = Catalogue(GERMAN)  # type: ignore[attr-defined]
    environment.globals["_"] = lambda text, **_values: f"said at render: {text}"
    return environment.from_string(source).render(**values)


def test_a_fixed_text_is_said_when_compiled_in_the_catalogue_s_language():
    assert render('{{ _("Save") }}') == "Speichern"
    assert render('<button title="{{ _("Save") }}">') == '<button title="Speichern">'


def test_a_fixed_text_is_formatted_and_trusted_as_at_render():
    assert render('{{ _("50%% agree") }}') == "50 % stimmen zu"
    assert render('{{ _("<b>Bold</b> & co") }}') == "<b>Fett</b> & Co"
    assert render('{{ _("Save")|lower }}') == "speichern"


def test_texts_with_values_and_other_calls_are_said_at_render():
    assert render('{{ _("Hello %(name)s", name="Ada") }}') == "said at render: Hello %(name)s"
    assert render("{{ _(label) }}", label="Save") == "said at render: Save"
    words = SimpleNamespace(_=lambda text: f"attribute: {text}")
    assert render('{{ words._("Save") }}', words=words) == "attribute: Save"


def test_a_text_missing_its_values_still_fails_at_render_not_when_compiled():
    environment = Environment(autoescape=True, extensions=[FixedTexts])
    environment.catalogue = Catalogue({"Hi": "Hallo %(name)s"})  # type: ignore[attr-defined]
    environment.globals["_"] = lambda text, **_values: "said at render"
    assert environment.from_string('{{ _("Hi") }}').render() == "said at render"


def test_catalogues_that_say_the_same_share_a_key_and_others_do_not():
    assert catalogue_key(Catalogue(dict(GERMAN))) == catalogue_key(Catalogue(dict(GERMAN)))
    assert catalogue_key(Catalogue(GERMAN)) != catalogue_key(Catalogue({"Save": "Sichern"}))
    assert catalogue_key(Catalogue({})) != catalogue_key(SimpleNamespace(ugettext=str))
