"""The translation files, without Odoo: complete, faithful to their source, and covering the default policy.

``i18n/customer_aware_dunning.pot`` is exported by Odoo (``make pot``); every language file
must translate each of its entries, keep every placeholder, QWeb expression and HTML tag,
and carry nothing the template no longer has.
"""

import re
from pathlib import Path

import polib
import pytest
from dunning_policy.loader import load_policy

ADDON = Path(__file__).resolve().parent.parent / "customer_aware_dunning"
I18N = ADDON / "i18n"
POT = I18N / "customer_aware_dunning.pot"
LANGUAGES = sorted(path.stem for path in I18N.glob("*.po"))

# Text Odoo translates inside a term's tags: these attribute values may change, the others may not.
TRANSLATED_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "string", "help", "label", "confirm"}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|%%|\{\{.*?\}\}")
TAG = re.compile(r"<(/?)([A-Za-z][\w.:-]*)((?:\s+[\w.:-]+(?:=\"[^\"]*\"|='[^']*')?)*)\s*(/?)>")
ATTRIBUTE = re.compile(r"([\w.:-]+)(?:=(\"[^\"]*\"|'[^']*'))?")


def entries(path):
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def tags(text):
    """The term's tags in order, with every attribute a translation must keep as it is."""
    found = []
    for closing, name, attributes, self_closing in TAG.findall(text):
        kept = tuple(sorted(
            (attribute, value) for attribute, value in ATTRIBUTE.findall(attributes)
            if attribute not in TRANSLATED_ATTRIBUTES
        ))
        found.append((closing, name, kept, self_closing))
    return found


def test_the_template_exists_and_has_the_addon_terms():
    msgids = {entry.msgid for entry in entries(POT)}
    assert len(msgids) > 500
    # one term of each kind: a field, a view, a Python message, a mail template, the portal page
    for msgid in ("Main delay reason", "Open invoices to talk about", "Please write your question.",
                  "Collections: Gentle reminder", "Why is the payment late?"):
        assert msgid in msgids, msgid


def test_finnish_is_shipped():
    assert "fi" in LANGUAGES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_term_of_the_template_is_translated(lang):
    template = {entry.msgid for entry in entries(POT)}
    translated = entries(I18N / f"{lang}.po")
    untranslated = [entry.msgid for entry in translated if not entry.msgstr]
    fuzzy = [entry.msgid for entry in translated if "fuzzy" in entry.flags]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    ids = {entry.msgid for entry in translated}
    assert not template - ids, f"missing from {lang}.po: {sorted(template - ids)[:10]}"
    assert not ids - template, f"no longer in the template: {sorted(ids - template)[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_placeholders_expressions_and_tags(lang):
    problems = []
    for entry in entries(I18N / f"{lang}.po"):
        if placeholders(entry.msgid) != placeholders(entry.msgstr):
            problems.append(("placeholders", entry.msgid[:80], placeholders(entry.msgstr)))
        if tags(entry.msgid) != tags(entry.msgstr):
            problems.append(("tags", entry.msgid[:80]))
    assert not problems, problems[:10]


def test_the_checks_catch_a_broken_translation():
    assert placeholders("Hei %(name)s") != placeholders("Hei %(nimi)s")
    assert placeholders("{{ object.name }}: muistutus") != placeholders("{{ object.nimi }}: muistutus")
    assert tags('<p style="a">x <t t-out="o.name"/></p>') != tags('<p style="a">x <t t-out="o.nimi"/></p>')
    assert tags('<img alt="Happy" src="/a.png"/>') == tags('<img alt="Tyytyväinen" src="/a.png"/>')
    assert tags("<strong>x</strong>") != tags("<b>x</b>")


def test_every_text_of_the_default_policy_is_a_term_to_translate():
    """The default policy's words reach the .pot through customer_aware_dunning/translate.py."""
    spec = load_policy((ADDON / "data" / "default_policy.yaml").read_text(encoding="utf-8")).spec
    texts = {spec.description}
    texts |= {text for segment in spec.segments for text in (segment.label, segment.description)}
    texts |= {text for reason in spec.delay_reasons
              for text in (reason.label, reason.customer_label, reason.description)}
    texts |= {text for journey in spec.journeys for text in (journey.label, journey.description)}
    texts |= {step.note for journey in spec.journeys for step in journey.steps}
    texts |= {rule.reason for rule in spec.payment_terms}
    texts.discard("")
    code_terms = {
        entry.msgid for entry in entries(POT)
        if any(path.endswith("customer_aware_dunning/translate.py") for path, _line in entry.occurrences)
    }
    assert len(texts) > 40
    assert not texts - code_terms, sorted(texts - code_terms)
