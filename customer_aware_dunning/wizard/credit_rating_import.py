"""Import credit-bureau ratings from a CSV/XLSX file: columns saved per source, preview, per-row errors.

Call order: the user picks a file and a source (the source's saved columns fill
the mapping) → *Preview* reads the file (``credit/ratings_file.py``, pure) and
shows the first rows and every problem → *Import* writes the observations, only
when no row has a problem, and saves the columns for the source.
"""

import base64

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..access import check_collections_manager
from ..credit.ratings_file import Mapping, read_ratings, read_table

PREVIEW_ROWS = 10


class DunningCreditRatingImport(models.TransientModel):
    _name = "dunning.credit.rating.import"
    _description = "Import Credit Ratings"

    file = fields.Binary(required=True)
    filename = fields.Char()
    source = fields.Char(required=True, default="Credit bureau")
    column_business_id = fields.Char("Business ID or VAT column", required=True, default="business_id")
    column_rating = fields.Char("Rating class or score column", required=True, default="rating")
    column_rated_on = fields.Char("Rating date column", required=True, default="rating_date")
    column_defaults = fields.Char("Payment defaults column", default="payment_defaults")
    column_source = fields.Char("Source name column")
    preview = fields.Html(readonly=True, sanitize=True)
    problems = fields.Text(readonly=True)
    state = fields.Selection([("draft", "Draft"), ("checked", "Checked")], default="draft")

    @api.onchange("source")
    def _onchange_source(self):
        saved = self._saved_mapping()
        if saved:
            for name in ("column_business_id", "column_rating", "column_rated_on", "column_defaults",
                         "column_source"):
                self[name] = saved[name]

    def _saved_mapping(self):
        return self.env["dunning.credit.rating.mapping"].search(
            [("company_id", "=", self.env.company.id), ("source", "=", self.source)], limit=1)

    def _read(self):
        """``(rows by partner, problems)``: the file's observations matched to customers, and what is wrong."""
        self.ensure_one()
        mapping = Mapping(self.column_business_id, self.column_rating, self.column_rated_on,
                          self.column_defaults or "", self.column_source or "")
        try:
            headings, rows = read_table(base64.b64decode(self.file or b""), self.filename or "")
        except ValueError as error:
            return [], [(0, str(error))]
        observations, problems = read_ratings(headings, rows, mapping, self.source)
        customers = self._customers({observation.business_id for _line, observation in observations})
        matched = []
        for line, observation in observations:
            partner = customers.get(observation.business_id)
            if partner:
                matched.append((line, partner, observation))
            else:
                problems.append((line, _("no customer has business ID %s", observation.business_id)))
        return matched, sorted(problems)

    def _customers(self, business_ids):
        """``{business ID: commercial partner}`` by the Company ID field or the Finnish VAT number."""
        vats = {"FI" + business_id.replace("-", ""): business_id for business_id in business_ids}
        partners = self.env["res.partner"].search([
            "|", ("company_registry", "in", list(business_ids)), ("vat", "in", list(vats)),
        ])
        found = {}
        for partner in partners.commercial_partner_id:
            business_id = partner._dunning_business_id()
            if business_id in business_ids:
                found.setdefault(business_id, partner)
        return found

    @staticmethod
    def _problem_text(problems):
        return "\n".join(
            (_("Line %(line)s: %(problem)s", line=line, problem=problem) if line else problem)
            for line, problem in problems
        )

    def action_preview(self):
        check_collections_manager(self.env, _("Only Collections managers may import credit ratings."))
        matched, problems = self._read()
        head = Markup("<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>") % (
            _("Line"), _("Customer"), _("Business ID"), _("Rating"), _("Date"), _("Payment defaults"))
        body = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s (%s/5)</td><td>%s</td><td>%s</td></tr>") % (
                line, partner.display_name, obs.business_id, obs.rating_label, obs.rating, obs.observed_on,
                obs.payment_defaults)
            for line, partner, obs in matched[:PREVIEW_ROWS]
        )
        summary = _("%(good)s row(s) ready, %(bad)s with a problem.", good=len(matched), bad=len(problems))
        self.write({
            "preview": Markup("<p>%s</p><table class='table table-sm'>%s%s</table>") % (escape(summary), head, body),
            "problems": self._problem_text(problems) or False,
            "state": "checked",
        })
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "new"}

    def action_import(self):
        check_collections_manager(self.env, _("Only Collections managers may import credit ratings."))
        matched, problems = self._read()
        if problems:
            raise UserError(_("Nothing was imported: fix the file and try again.\n%s", self._problem_text(problems)))
        if not matched:
            raise UserError(_("Nothing was imported: the file has no rating."))
        self._save_mapping()
        rows = self.env["dunning.credit.observation"]._record(
            self.env.company, {partner: observation for _line, partner, observation in matched})
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "type": "success", "message": _("%s rating(s) imported.", len(rows)),
            "next": {"type": "ir.actions.act_window_close"}}}

    def _save_mapping(self):
        values = {name: self[name] or False for name in (
            "column_business_id", "column_rating", "column_rated_on", "column_defaults", "column_source")}
        saved = self._saved_mapping()
        if saved:
            saved.write(values)
        else:
            self.env["dunning.credit.rating.mapping"].create({**values, "source": self.source})
