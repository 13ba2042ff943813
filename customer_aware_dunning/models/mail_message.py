"""Collections' chatter lines read in the reader's language.

A line the addon logs keeps its sentence as data (``dunning_text``: the event's kind,
whose label heads the line (none: the sentence alone), and the Text, see ``texts.py``);
the web client gets the body rendered for the user who reads it.  The stored body, in the
writer's language, is what search and email see.
"""

import json

from markupsafe import escape

from odoo import fields, models
from odoo.addons.mail.tools.discuss import Store
from odoo.tools import SQL

from ..texts import Reader

COLLECTIONS_LABEL = "collections"
CREDIT_LABEL = "credit_information"


class MailMessage(models.Model):
    _inherit = "mail.message"

    dunning_text = fields.Json(readonly=True, copy=False,
                               help="A collections line as data: {kind, text}; shown in the reader's language.")

    def _to_store_defaults(self, target):
        names = super()._to_store_defaults(target)
        if not any(self.mapped("dunning_text")):
            return names
        render = self._dunning_renderer()
        return [Store.Attr("body", value=render) if name == "body" else name for name in names]

    def _dunning_renderer(self):
        """A function giving each message its body: a collections line rendered anew, any other as stored."""
        kinds = dict(self.env["dunning.case.event"]._fields["kind"]._description_selection(self.env))
        kinds[COLLECTIONS_LABEL] = self.env._("Collections")
        kinds[CREDIT_LABEL] = self.env._("Credit information")
        reader = Reader(self.env)

        def render(message):
            data = message.dunning_text
            if not data:
                return message.body
            if not data.get("kind"):  # a line with no label: the sentence alone
                return escape(reader.render(data.get("text")))
            return reader.line(kinds.get(data.get("kind"), ""), data.get("text"))
        return render

    def _dunning_keep_texts(self, texts):
        """Store ``texts`` (``{message id: {"kind", "text"}}``) on the messages in one statement."""
        if not texts:
            return
        self.env["mail.message"].flush_model(["dunning_text"])
        ids = list(texts)
        self.env.cr.execute(SQL(
            """
            UPDATE mail_message SET dunning_text = data.text
              FROM unnest(%s::int[], %s::jsonb[]) AS data(id, text)
             WHERE mail_message.id = data.id
            """, ids, [json.dumps(texts[message_id]) for message_id in ids],
        ))
        self.env["mail.message"].browse(ids).invalidate_recordset(["dunning_text"])
