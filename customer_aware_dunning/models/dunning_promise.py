from datetime import timedelta

from markupsafe import escape

from odoo import Command, api, fields, models
from odoo.tools import float_compare

from ..policy.text import Text
from ..texts import PROMISE_BROKEN, Reader, money, to_data

PROMISE_SOURCES = [("invoice", "Invoice form"), ("staff", "Staff"), ("portal", "Customer portal")]
PROMISE_STATES = [("pending", "Pending"), ("kept", "Kept"), ("broken", "Broken"), ("replaced", "Replaced")]


class DunningPromise(models.Model):
    """A customer's promise to pay: a date, an amount (or the invoices' whole balance) and where it came from.

    Made when an invoice gets a new promised date (the invoice form, the staff's
    answer wizard, the portal). The daily run decides it from real payments
    (:meth:`_decide_promises`): kept when the invoices' balance went down
    by the amount; broken when the day after the date comes first, which is an
    event on the case and an activity for its owner. A new promise on the same
    invoices replaces a pending one.
    """

    _name = "dunning.promise"
    _description = "Promise to Pay"
    _order = "date desc, id desc"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    case_id = fields.Many2one("dunning.case", string="Collection case", readonly=True, index="btree_not_null",
                              ondelete="cascade")
    invoice_ids = fields.Many2many("account.move", string="Invoices", readonly=True)
    date = fields.Date("Promised date", required=True, readonly=True)
    amount = fields.Monetary(readonly=True, help="Empty: what the invoices owed when the promise was made.")
    owed_at_promise = fields.Monetary("Owed when promised", readonly=True)
    source = fields.Selection(PROMISE_SOURCES, required=True, readonly=True, default="invoice")
    state = fields.Selection(PROMISE_STATES, required=True, readonly=True, default="pending", index=True)
    decided_on = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", string="Recorded by", readonly=True, default=lambda self: self.env.user)

    @api.model
    def _record(self, invoices, date, amount, source):
        """One promise per customer for ``invoices`` (promised ``date``), replacing their pending ones."""
        promises = self.browse()
        for partner in invoices.commercial_partner_id:
            moves = invoices.filtered(lambda move, partner=partner: move.commercial_partner_id == partner)
            self.search([("state", "=", "pending"), ("invoice_ids", "in", moves.ids)]).write(
                {"state": "replaced", "decided_on": fields.Date.context_today(self)})
            promises |= self.create({
                "partner_id": partner.id,
                "company_id": moves.company_id[:1].id,
                "case_id": moves.dunning_case_id.filtered(lambda case: case.state != "closed")[:1].id,
                "invoice_ids": [Command.set(moves.ids)],
                "date": date,
                "amount": amount or False,
                "owed_at_promise": sum(moves.mapped("amount_residual_signed")),
                "source": source,
            })
        return promises

    @api.model
    def _policy_facts(self, company, partners, today):
        """``{partner: {promises_kept_ratio, broken_promises_12m}}`` for the customers with decided promises."""
        domain = [("company_id", "=", company.id), ("partner_id", "in", partners.ids)]
        decided = self._read_group([*domain, ("state", "in", ("kept", "broken"))], ["partner_id", "state"],
                                   ["__count"])
        recent = dict(self._read_group(
            [*domain, ("state", "=", "broken"), ("decided_on", ">", today - timedelta(days=365))],
            ["partner_id"], ["__count"]))
        counts = {}
        for partner, state, count in decided:
            counts.setdefault(partner, {"kept": 0, "broken": 0})[state] = count
        return {
            partner: {"promises_kept_ratio": by_state["kept"] / (by_state["kept"] + by_state["broken"]),
                      "broken_promises_12m": recent.get(partner, 0)}
            for partner, by_state in counts.items()
        }

    def _paid_so_far(self):
        return self.owed_at_promise - sum(self.invoice_ids.mapped("amount_residual_signed"))

    def _is_kept(self):
        target = self.amount or self.owed_at_promise
        return float_compare(self._paid_so_far(), target, precision_rounding=self.currency_id.rounding or 0.01) >= 0

    @api.model
    def _decide_promises(self, company, today):
        """Mark the pending promises of ``company`` kept (paid as promised) or broken (the date passed unpaid).

        Returns ``(kept, broken)``. A broken promise is a ``promise_broken`` event on
        its case and a To-Do for the owner the delay reason names (else the
        collections owner); the journey resumes the day after the date, as the engine says.
        """
        pending = self.search([("company_id", "=", company.id), ("state", "=", "pending")])
        kept = pending.filtered(lambda promise: promise._is_kept())
        broken = (pending - kept).filtered(lambda promise: promise.date < today)
        kept.write({"state": "kept", "decided_on": today})
        broken.write({"state": "broken", "decided_on": today})
        for promise in broken.filtered("case_id"):
            promise._tell_broken()
        return kept, broken

    def _tell_broken(self):
        case = self.case_id
        # kept as data (texts.py): the amounts and the date read in each reader's language
        description = Text(PROMISE_BROKEN, amount=self.amount or self.owed_at_promise, date=self.date,
                           paid=money(max(self._paid_so_far(), 0)))
        case._log_events("promise_broken", {case.id: description}, invoice_ids=[Command.set(self.invoice_ids.ids)])
        user = self.env["dunning.channel"]._actor(case, case.delay_reason_id.owner or "finance")
        reader = Reader(self.with_context(lang=user.lang or self.env.lang).env, case.company_id)  # who acts
        case._schedule_activities({case: {
            "summary": reader.env._("Broken promise: %(customer)s", customer=case.partner_id.display_name),
            "note": escape(reader.render(to_data(description))),
            "user_id": user.id,
        }})


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        promised = vals.get("dunning_promise_date")
        changed = self.filtered(lambda move: str(move.dunning_promise_date or "") != str(promised)) if promised else ()
        result = super().write(vals)
        if changed and not self.env.context.get("dunning_promise_recorded"):
            source = self.env.context.get("dunning_promise_source", "invoice")
            amount = vals.get("dunning_promise_amount")
            self.env["dunning.promise"].sudo()._record(
                changed, fields.Date.to_date(promised), amount if len(changed) == 1 else False, source)
        return result


class DunningCase(models.Model):
    _inherit = "dunning.case"

    promise_ids = fields.One2many("dunning.promise", "case_id", string="Promises to pay", readonly=True)

    def _record_promise(self, invoices, date, amount):
        """The customer's promise on the portal: the invoices get the date as before, and one promise record."""
        super()._record_promise(invoices.with_context(dunning_promise_recorded=True), date, amount)
        return self.env["dunning.promise"].sudo()._record(invoices, date, amount, "portal")


class DunningCaseEvent(models.Model):
    _inherit = "dunning.case.event"

    kind = fields.Selection(selection_add=[("promise_broken", "Promise broken")],
                            ondelete={"promise_broken": "cascade"})
