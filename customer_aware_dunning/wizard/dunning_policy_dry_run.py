from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..policy.preview import PREVIEW_DAYS
from ..policy.schema import CHANNELS, DECISION_KINDS, OFFERS
from ..texts import Reader, to_data

LINE_TYPES = [("today", "On the day"), ("upcoming", "Next days")]


class DunningPolicyDryRun(models.TransientModel):
    """What a policy version (draft or active) would do on a date, without doing it.

    One line per customer with an invoice left to pay: segment, journey, the
    decision and its reason, the invoices it covers; then every step of the
    next days, each day deciding as if the earlier steps were done.  Nothing
    is written but these lines (see ``dunning.run._simulate``).
    """

    _name = "dunning.policy.dry.run"
    _description = "Collections Policy Dry Run"

    policy_id = fields.Many2one("dunning.policy", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="policy_id.company_id")
    date = fields.Date(required=True, default=fields.Date.context_today)
    days = fields.Integer("Days ahead", default=PREVIEW_DAYS, required=True)
    partner_ids = fields.Many2many("res.partner", string="Only these customers")
    line_ids = fields.One2many(
        "dunning.policy.dry.run.line", "wizard_id", domain=[("line_type", "=", "today")], readonly=True
    )
    upcoming_line_ids = fields.One2many(
        "dunning.policy.dry.run.line", "wizard_id", domain=[("line_type", "=", "upcoming")], readonly=True
    )
    summary = fields.Char(readonly=True)
    done = fields.Boolean(readonly=True)

    def action_run(self):
        self.ensure_one()
        spec = self.policy_id.sudo()._get_spec()
        if spec is None:
            raise UserError(_("%s has problems; validate it first.", self.policy_id.display_name))
        if not 0 <= self.days <= 366:
            raise UserError(_("Look between 0 and 366 days ahead."))
        partners = self.partner_ids or None
        # the facts read this version's settings (the rating validity), not the active version's
        run = self.env["dunning.run"].with_context(dunning_policy_id=self.policy_id.id)
        simulations = run._simulate(self.company_id, spec, self.date, partners, self.days)
        self.line_ids.unlink()
        self.upcoming_line_ids.unlink()
        amounts = {invoice.id: invoice.amount_residual for sim in simulations for invoice in sim.case.invoices}
        values = []
        for sim in simulations:
            values.append(self._line_values(sim, sim.decision, self.date, "today", amounts))
            values += [self._line_values(sim, entry.decision, entry.day, "upcoming", amounts) for entry in sim.upcoming]
        self.env["dunning.policy.dry.run.line"].create(values)
        kinds = dict(DECISION_KINDS)
        counts = {}
        for sim in simulations:
            counts[sim.decision.kind] = counts.get(sim.decision.kind, 0) + 1
        self.write({
            "done": True,
            "summary": _("%(count)s customer(s): %(kinds)s; %(steps)s step(s) in the next %(days)s days.",
                         count=len(simulations),
                         kinds=", ".join(f"{kinds[kind]} {number}" for kind, number in sorted(counts.items())) or "-",
                         steps=sum(len(sim.upcoming) for sim in simulations), days=self.days),
        })
        return {
            "type": "ir.actions.act_window",
            "name": _("Dry run of %s", self.policy_id.display_name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _line_values(self, simulation, decision, day, line_type, amounts):
        step = decision.step
        covered = decision.invoice_ids or tuple(invoice.id for invoice in simulation.case.invoices
                                                if not invoice.excluded)
        how = _("by hand") if simulation.case.segment_manual else _("by rule")
        reader = Reader(self.env)
        return {
            "wizard_id": self.id,
            "line_type": line_type,
            "date": day,
            "partner_id": simulation.partner.id,
            "segment": f"{decision.segment} ({how})" if decision.segment else False,
            "journey": decision.journey or False,
            "kind": decision.kind,
            "step": reader.render(to_data(step.label(decision.step_index))) if step else False,
            "channel": step.send if step else False,
            "template": step.template if step else False,
            "approve": step.approve if step else False,
            "reason": reader.render(to_data(decision.text)),
            "next_date": decision.next_date or False,
            "offer": decision.offer or False,
            "invoice_ids": [fields.Command.set(list(covered))],
            "amount": sum(amounts.get(invoice_id, 0.0) for invoice_id in covered),
        }


class DunningPolicyDryRunLine(models.TransientModel):
    _name = "dunning.policy.dry.run.line"
    _description = "Collections Policy Dry Run Line"
    _order = "line_type, date, partner_name, id"

    wizard_id = fields.Many2one("dunning.policy.dry.run", required=True, ondelete="cascade", index=True)
    line_type = fields.Selection(LINE_TYPES, required=True)
    date = fields.Date()
    partner_id = fields.Many2one("res.partner", string="Customer")
    partner_name = fields.Char(related="partner_id.name", store=True)
    segment = fields.Char()
    journey = fields.Char()
    kind = fields.Selection(DECISION_KINDS, string="Decision")
    step = fields.Char()
    channel = fields.Selection(CHANNELS)
    template = fields.Char()
    approve = fields.Char("Approval by")
    reason = fields.Text()
    next_date = fields.Date("Next date")
    offer = fields.Selection(OFFERS, help="What the customer's delay reason offers: the message includes it.")
    invoice_ids = fields.Many2many("account.move", string="Invoices")
    currency_id = fields.Many2one(related="wizard_id.company_id.currency_id")
    amount = fields.Monetary()
