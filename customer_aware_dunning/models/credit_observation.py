"""What credit-information providers said of a customer, dated and with its source.

Call order: a provider (``credit/``, pure) returns :class:`Observation` values →
:meth:`DunningCreditObservation._record` stores them (one row per source, day and
customer) and tells the people concerned when the status changed in a way that
matters → :meth:`_policy_facts` hands the latest valid row of each kind to the
policy's facts. Only Collections managers read these rows (credit data).
"""

from markupsafe import escape

from odoo import api, fields, models

from ..credit.observation import INSOLVENT_STATUSES, KINDS, RATING, RATING_SCALE, REGISTER, REGISTRY_STATUSES
from ..policy.schema import RATING_VALID_DAYS
from ..policy.text import Text
from ..run_values import RATING_DAYS_KEY
from ..texts import CREDIT_RATING, CREDIT_REGISTER, Reader, to_data
from .mail_message import CREDIT_LABEL

# 19.0.1.3 kept the rating validity in this parameter; the policy's credit_information.rating_valid_days took
# its place. A database that has it still reads it where its policy does not write the key.
RATING_VALID_DAYS_PARAM = "customer_aware_dunning.credit_rating_valid_days"
RATING_SELECTION = [(str(value), label) for value, label in RATING_SCALE]


class DunningCreditObservation(models.Model):
    _name = "dunning.credit.observation"
    _description = "Credit Information Observation"
    _order = "observed_on desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", index=True, readonly=True,
        default=lambda self: self.env.company,
    )
    kind = fields.Selection(list(KINDS), required=True, readonly=True)
    source = fields.Char(required=True, readonly=True, help="Who said it: the trade register or a credit bureau.")
    observed_on = fields.Date("Date", required=True, readonly=True, help="The day the source said it.")
    business_id = fields.Char("Business ID", readonly=True)
    valid = fields.Boolean(default=True, readonly=True, help="False when the lookup failed (see the error).")
    error = fields.Char(readonly=True)
    registry_status = fields.Selection(list(REGISTRY_STATUSES), string="Register status", readonly=True)
    registration_date = fields.Date("Registered on", readonly=True)
    company_form = fields.Char(readonly=True)
    business_line = fields.Char("Main line of business", readonly=True)
    company_name = fields.Char("Name in the register", readonly=True)
    rating = fields.Selection(RATING_SELECTION, readonly=True)
    rating_label = fields.Char("Rating as delivered", readonly=True)
    payment_defaults = fields.Integer("Payment defaults", readonly=True)

    # ------------------------------------------------------------------ recording

    @api.model
    def _record(self, company, observations):
        """Store ``{partner: Observation or error text}``; tell the people concerned about changes that matter.

        Returns the created rows.
        """
        previous = self._latest(company, self.env["res.partner"].union(*observations), valid_only=True)
        rows = self.sudo().create([
            self._values(company, partner, result) for partner, result in observations.items()
        ])
        changes, insolvent = {}, self.env["res.partner"]
        for row in rows.filtered("valid"):
            before = previous.get((row.partner_id, row.kind))
            message = row._change_that_matters(before)
            if message:
                changes[row.partner_id] = message
                if row.kind == REGISTER and row.registry_status in INSOLVENT_STATUSES:
                    insolvent |= row.partner_id
        if changes:
            cases = self._announce(company, changes)
            self._mark_insolvent(company, cases.filtered(lambda case: case.partner_id in insolvent))
        return rows

    @api.model
    def _mark_insolvent(self, company, cases):
        """The open invoices of ``cases`` get the policy's ``insolvency`` delay reason where they have none.

        The policy then does what it says for insolvency (the default: the limit-damage journey, finance owns).
        """
        reason = self.env["dunning.delay.reason"].sudo()._for_company(company).get("insolvency")
        if not reason or not reason.active or not cases:
            return
        invoices = self.env["account.move"].sudo().search([
            ("dunning_case_id", "in", cases.ids), ("state", "=", "posted"), ("amount_residual", ">", 0),
            ("dunning_delay_reason_id", "=", False),
        ])
        if invoices:
            invoices.write({"dunning_delay_reason_id": reason.id})

    @api.model
    def _values(self, company, partner, result):
        values = {"partner_id": partner.commercial_partner_id.id, "company_id": company.id}
        if isinstance(result, str):
            return {**values, "kind": REGISTER, "source": "PRH/YTJ", "valid": False, "error": result,
                    "observed_on": fields.Date.context_today(self)}
        return {
            **values,
            "kind": result.kind,
            "source": result.source,
            "observed_on": result.observed_on,
            "business_id": result.business_id,
            "registry_status": result.registry_status,
            "registration_date": result.registration_date,
            "company_form": result.company_form,
            "business_line": result.business_line,
            "company_name": result.name,
            "rating": str(result.rating) if result.rating else False,
            "rating_label": result.rating_label,
            "payment_defaults": result.payment_defaults or 0,
        }

    def _change_that_matters(self, before):
        """A sentence (a Text, see ``texts.py``) when this row differs from ``before`` in a way collections must act
        on, else ``None``: the register's status stays a key, read as its label in the reader's language."""
        self.ensure_one()
        newly_insolvent = self.registry_status in INSOLVENT_STATUSES and (
            not before or before.registry_status != self.registry_status)
        if self.kind == REGISTER and newly_insolvent:
            return Text(CREDIT_REGISTER, registry_status=self.registry_status, source=self.source,
                        date=self.observed_on)
        dropped = before and before.rating and self.rating and int(before.rating) - int(self.rating) >= 2
        if self.kind == RATING and dropped:
            return Text(CREDIT_RATING, before=before.rating_label or before.rating,
                        after=self.rating_label or self.rating, source=self.source, date=self.observed_on)
        return None

    @api.model
    def _announce(self, company, changes):
        """Post each change on the customer and its open case, with an activity for the salesperson and collector.

        The change is kept as data on both chatter lines and on the case's event, read in each reader's
        language; each activity is written in the language of the user it is for."""
        cases = self.env["dunning.case"].sudo().search([
            ("company_id", "=", company.id),
            ("partner_id", "in", [partner.id for partner in changes]),
            ("state", "!=", "closed"),
        ])
        by_partner = {case.partner_id: case for case in cases}
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        writer, readers = Reader(self.env, company), {}
        for partner, message in changes.items():
            text = to_data(message)
            posted = partner.sudo().message_post(
                body=writer.line(self.env._("Credit information"), text),
                message_type="comment", subtype_xmlid="mail.mt_note")
            posted._dunning_keep_texts({posted.id: {"kind": CREDIT_LABEL, "text": text}})
            case = by_partner.get(partner)
            if case:
                case._log_events("credit_change", {case.id: message})
            users = partner.user_id | (case.user_id | case.collector_id if case else partner.user_id)
            for user in users.filtered(lambda u: not u.share):
                record = case or partner
                reader = self.env["dunning.case"]._reader(readers, user, company)
                record.sudo().activity_schedule(
                    activity_type_id=todo.id if todo else False, user_id=user.id,
                    summary=reader.env._("Credit information changed"), note=escape(reader.render(text)),
                )
        return cases

    # ------------------------------------------------------------------ facts

    @api.model
    def _latest(self, company, partners, valid_only=True):
        """``{(commercial partner, kind): latest row}`` for ``partners`` in ``company``."""
        domain = [("company_id", "=", company.id), ("partner_id", "in", partners.commercial_partner_id.ids)]
        if valid_only:
            domain.append(("valid", "=", True))
        latest = {}
        for row in self.sudo().search(domain, order="observed_on desc, id desc"):
            latest.setdefault((row.partner_id, row.kind), row)
        return latest

    @api.model
    def _rating_valid_days(self, company):
        """How many days a rating counts in ``company``: ``credit_information.rating_valid_days`` of the policy
        the context names (``dunning_policy_id``: a dry run's version), else of the active one (never installed
        here); where the policy does not write it, the parameter 19.0.1.3 kept, else 365. The daily run reads it
        once and hands it to its batches in the context (``RATING_DAYS_KEY``)."""
        if self.env.context.get(RATING_DAYS_KEY) is not None:
            return self.env.context[RATING_DAYS_KEY]
        kept = self.env["ir.config_parameter"].sudo().get_param(RATING_VALID_DAYS_PARAM) or ""
        unwritten = int(kept) if kept.strip().isdigit() and int(kept) > 0 else RATING_VALID_DAYS
        Policy = self.env["dunning.policy"].sudo()
        policy_id = self.env.context.get("dunning_policy_id")
        policy = Policy.browse(policy_id).exists() if policy_id else Policy._active_policy(company)
        spec = policy._get_spec() if policy else None
        return spec.credit_information.valid_days(unwritten) if spec else unwritten

    @api.model
    def _policy_facts(self, company, partners, today):
        """``{commercial partner: credit facts}``: registry_status, company_age_days, credit_rating... ."""
        valid_days = self._rating_valid_days(company)
        latest = self._latest(company, partners)
        facts = {}
        for partner in partners.commercial_partner_id:
            register, rating = latest.get((partner, REGISTER)), latest.get((partner, RATING))
            values = dict.fromkeys(
                ("registry_status", "company_age_days", "credit_rating", "credit_rating_age_days",
                 "payment_defaults"))
            if register:
                values["registry_status"] = register.registry_status or None
                if register.registration_date:
                    values["company_age_days"] = (today - register.registration_date).days
            if rating:
                age = (today - rating.observed_on).days
                values["credit_rating_age_days"] = age
                values["payment_defaults"] = rating.payment_defaults
                # A stale rating counts as unknown.
                if rating.rating and age <= valid_days:
                    values["credit_rating"] = int(rating.rating)
            facts[partner] = values
        return facts
