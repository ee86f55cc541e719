"""The French catalogue is complete, free of machine guesses, and its compiled .mo matches the .po
(users without gettext installed get exactly what the .po says)."""

import gettext
from pathlib import Path

from babel.messages.pofile import read_po

import facturier

LOCALE = Path(facturier.__file__).parent / "locale" / "fr" / "LC_MESSAGES"


def test_every_french_message_is_translated_and_none_is_a_fuzzy_guess():
    with (LOCALE / "django.po").open("rb") as po_file:
        catalog = read_po(po_file)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 300
    assert [m.id for m in messages if m.fuzzy] == []
    untranslated = [m.id for m in messages if not (all(m.string) if m.pluralizable else m.string)]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.po").open("rb") as po_file:
        catalog = read_po(po_file)
    with (LOCALE / "django.mo").open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id
            assert compiled.ngettext(singular, plural, 1) == message.string[0], singular
            assert compiled.ngettext(singular, plural, 5) == message.string[1], plural
        elif message.context:
            assert compiled.pgettext(message.context, message.id) == message.string, message.id
        else:
            assert compiled.gettext(message.id) == message.string, message.id
