"""Sentences the engine writes for people, translated where they are shown.

The engine is pure and cannot translate, so it says why it decided with a
:class:`Text`: an English template with named values (a value may be a Text
itself).  ``str(text)`` is the English sentence; the models render it with
Odoo's translation of each template, ``text.render(translate)``.

``_`` marks a template as a term to translate, so that Odoo's term export
(``make pot``) lists it in the module's ``.pot``; it returns the template as is.
Templates with no words (punctuation around values) are not marked.
"""


def _(template):
    return template


class Text:
    """``template % values`` for people, each template translated on the way (see the module docstring)."""

    __slots__ = ("template", "values")

    def __init__(self, template="", /, **values):
        self.template = template
        self.values = values

    def render(self, translate=None):
        """The sentence; ``translate(template, values)`` formats each template in the reader's language."""
        values = {key: value.render(translate) if isinstance(value, Text) else value
                  for key, value in self.values.items()}
        if translate is not None:
            return translate(self.template, values)
        return self.template % values if values else self.template

    def _key(self):
        return self.template, tuple(sorted(self.values.items()))

    def __str__(self):
        return self.render()

    def __bool__(self):
        return bool(self.template)

    def __eq__(self, other):
        return type(other) is type(self) and other._key() == self._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"{type(self).__name__}({str(self)!r})"


class Joined(Text):
    """Sentences one after the other (``; `` between them); empty ones are left out."""

    __slots__ = ("parts",)

    def __init__(self, *parts):
        super().__init__()
        self.parts = tuple(part for part in parts if part)

    def render(self, translate=None):
        return "; ".join(part.render(translate) if isinstance(part, Text) else str(part) for part in self.parts)

    def _key(self):
        return self.parts

    def __bool__(self):
        return bool(self.parts)


class Listed(Joined):
    """Items of one sentence, ``sep`` between them (``2026-07-15: 100.00, 2026-08-15: 100.00``)."""

    __slots__ = ("sep",)

    def __init__(self, *parts, sep=", "):
        super().__init__(*parts)
        self.sep = sep

    def render(self, translate=None):
        return self.sep.join(part.render(translate) if isinstance(part, Text) else str(part) for part in self.parts)

    def _key(self):
        return ("listed", self.sep, *self.parts)
