"""Payment plans: a case's invoices spread over instalments the customer agreed to.

A plan is ``proposed`` (a person approves it), ``agreed`` (running, nothing paid
yet), ``kept`` (running, every instalment due so far paid), ``broken`` (an
instalment late by the policy's ``broken_after_days``) or ``completed`` (every
instalment paid). While a plan is proposed, agreed or kept, its invoices are out
of the journey (no reminder, no fee) and out of new cases; the plan's own steps
(:mod:`.dunning_payment_plan_steps`) take over.  Instalments are matched with real
payments: what the plan's invoices paid since the plan started (their residuals, in
one query for every plan) goes to the instalments in date order.
"""

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..policy.payment_plans import INSTALMENT_STATES, LIVE_PLAN_STATES, PLAN_STATES, instalment_states, plan_state
from ..policy.text import Text
from ..texts import PLAN_DESCRIBED, instalments

PLAN_SOURCES = [("portal", "Customer portal"), ("staff", "Staff")]


class DunningPaymentPlan(models.Model):
    _name = "dunning.payment.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    case_id = fields.Many2one("dunning.case", string="Collection case", required=True, readonly=True, index=True,
                              ondelete="cascade")
    partner_id = fields.Many2one(related="case_id.partner_id", store=True, index=True, string="Customer")
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    invoice_ids = fields.Many2many("account.move", "dunning_payment_plan_move_rel", "plan_id", "move_id",
                                   string="Invoices", readonly=True)
    state = fields.Selection(PLAN_STATES, required=True, default="proposed", readonly=True, tracking=True,
                             index=True)
    source = fields.Selection(PLAN_SOURCES, required=True, default="staff", readonly=True)
    amount_total = fields.Monetary("Planned amount", readonly=True,
                                   help="What the invoices owed when the plan was made: the sum of the instalments.")
    amount_paid = fields.Monetary("Paid so far", readonly=True,
                                  help="What the plan's invoices were paid since the plan was made.")
    agreed_on = fields.Date(readonly=True, tracking=True)
    ended_on = fields.Date("Ended on", readonly=True, help="When the plan was completed or broken.")
    instalment_ids = fields.One2many("dunning.payment.plan.instalment", "plan_id", string="Instalments",
                                     readonly=True)
    instalment_count = fields.Integer(compute="_compute_instalment_count", store=True)
    next_instalment_date = fields.Date(compute="_compute_next_instalment", store=True)

    @api.depends("case_id.name", "instalment_count")
    def _compute_name(self):
        for plan in self:
            plan.name = self.env._("%(case)s: %(count)s instalments", case=plan.case_id.name or "",
                                   count=plan.instalment_count)

    @api.depends("instalment_ids")
    def _compute_instalment_count(self):
        for plan in self:
            plan.instalment_count = len(plan.instalment_ids)

    @api.depends("instalment_ids.state", "instalment_ids.date")
    def _compute_next_instalment(self):
        for plan in self:
            open_ones = plan.instalment_ids.filtered(lambda instalment: instalment.state != "paid")
            plan.next_instalment_date = min(open_ones.mapped("date"), default=False)

    @api.model
    def _create_plans(self, case, schedule, source, agreed_on=None):
        """A plan for ``case`` over its collectable invoices; ``schedule`` holds ``(date, amount)`` pairs.

        Agreed at once when ``agreed_on`` is given, else proposed for a person to approve.
        """
        invoices = case._collectable_invoices()
        plan = self.sudo().create({
            "case_id": case.id,
            "invoice_ids": [Command.set(invoices.ids)],
            "source": source,
            "state": "agreed" if agreed_on else "proposed",
            "agreed_on": agreed_on or False,
            "amount_total": sum(amount for _day, amount in schedule),
            "instalment_ids": [Command.create({"sequence": index, "date": day, "amount": amount})
                               for index, (day, amount) in enumerate(schedule, start=1)],
        })
        plan._log_on_case("plan_agreed" if agreed_on else "plan_proposed")
        return plan

    def _describe(self):
        """The plan as a Text (``texts.py``): its dates and amounts stay data, read in the reader's language."""
        self.ensure_one()
        lines = instalments((instalment.date, instalment.amount) for instalment in self.instalment_ids)
        return Text(PLAN_DESCRIBED, count=len(self.instalment_ids), amount=self.amount_total, lines=lines)

    def _log_on_case(self, kind):
        for plan in self:
            plan.case_id._log_events(kind, {plan.case_id.id: plan._describe()},
                                     invoice_ids=[Command.set(plan.invoice_ids.ids)])

    def action_agree(self):
        """A person approves the proposed plan: it runs from today."""
        proposed = self.filtered(lambda plan: plan.state == "proposed")
        if self - proposed:
            raise UserError(self.env._("Only a proposed payment plan can be agreed."))
        proposed.write({"state": "agreed", "agreed_on": fields.Date.context_today(self)})
        proposed.sudo()._log_on_case("plan_agreed")
        return True

    # ------------------------------------------------------------------ matching with payments

    def _owed_now(self):
        """``{plan id: what its invoices still owe}``, in one query for all of ``self``."""
        if not self:
            return {}
        self.env["account.move"].flush_model(["amount_residual_signed"])
        self.flush_recordset(["invoice_ids"])
        rows = self.env.execute_query(SQL(
            """
            SELECT rel.plan_id, COALESCE(SUM(move.amount_residual_signed), 0)
              FROM dunning_payment_plan_move_rel rel
              JOIN account_move move ON move.id = rel.move_id
             WHERE rel.plan_id = ANY(%s)
             GROUP BY rel.plan_id
            """,
            self.ids,
        ))
        return dict(rows)

    @api.model
    def _match_payments(self, company, today, broken_after_days):
        """Match the running plans of ``company`` with their invoices' payments; returns what changed.

        ``(newly paid instalments, broken plans, completed plans)``. One query reads
        what every plan's invoices still owe; instalment states are written grouped by state.
        """
        plans = self.sudo().search([("company_id", "=", company.id), ("state", "in", ("agreed", "kept"))])
        owed = plans._owed_now()
        Instalment = self.env["dunning.payment.plan.instalment"].sudo()
        new_states, plan_states, paid_amounts = {}, {}, {}
        for plan in plans:
            instalments = plan.instalment_ids.sorted(lambda instalment: (instalment.date, instalment.sequence))
            paid = plan.amount_total - owed.get(plan.id, 0.0)
            rounding = plan.currency_id.rounding or 0.01
            states = instalment_states([(i.date, i.amount) for i in instalments], paid, today, rounding)
            for instalment, state in zip(instalments, states, strict=True):
                if instalment.state != state:
                    new_states.setdefault(state, []).append(instalment.id)
            plan_states.setdefault(plan_state(states, [(i.date, i.amount) for i in instalments], today,
                                              broken_after_days), []).append(plan.id)
            paid_amounts.setdefault(round(max(paid, 0.0), 6), []).append(plan.id)
        newly_paid = Instalment.browse(new_states.get("paid", []))
        for state, ids in new_states.items():
            Instalment.browse(ids).write({"state": state, "paid_on": today if state == "paid" else False})
        for amount, ids in paid_amounts.items():
            self.browse(ids).sudo().write({"amount_paid": amount})
        changed = {}
        for state, ids in plan_states.items():
            moving = self.browse(ids).sudo().filtered(lambda plan, state=state: plan.state != state)
            values = {"state": state}
            if state in ("broken", "completed"):
                values["ended_on"] = today
            moving.write(values)
            changed[state] = moving
        return newly_paid, changed.get("broken", self.browse()), changed.get("completed", self.browse())


class DunningPaymentPlanInstalment(models.Model):
    _name = "dunning.payment.plan.instalment"
    _description = "Payment Plan Instalment"
    _order = "plan_id, date, sequence, id"

    plan_id = fields.Many2one("dunning.payment.plan", required=True, readonly=True, index=True, ondelete="cascade")
    case_id = fields.Many2one(related="plan_id.case_id")
    partner_id = fields.Many2one(related="plan_id.partner_id")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    sequence = fields.Integer(readonly=True)
    date = fields.Date(required=True, readonly=True)
    amount = fields.Monetary(required=True, readonly=True)
    state = fields.Selection(INSTALMENT_STATES, required=True, default="due", readonly=True)
    paid_on = fields.Date(readonly=True)
    reminded_on = fields.Date("Note sent on", readonly=True, help="The friendly note before the instalment's date.")


class DunningCase(models.Model):
    _inherit = "dunning.case"

    payment_plan_ids = fields.One2many("dunning.payment.plan", "case_id", string="Payment plans", readonly=True)
    payment_plan_count = fields.Integer(compute="_compute_payment_plan_count")
    live_payment_plan_id = fields.Many2one("dunning.payment.plan", compute="_compute_payment_plan_count",
                                           string="Running payment plan")

    @api.depends("payment_plan_ids.state")
    def _compute_payment_plan_count(self):
        for case in self:
            case.payment_plan_count = len(case.payment_plan_ids)
            case.live_payment_plan_id = case.payment_plan_ids.filtered(
                lambda plan: plan.state in LIVE_PLAN_STATES)[:1]

    def action_view_payment_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_aware_dunning.action_dunning_payment_plan")
        action.update(domain=[("case_id", "=", self.id)], context={"create": False})
        if len(self.payment_plan_ids) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=self.payment_plan_ids.id)
        return action


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_payment_plan_ids = fields.Many2many("dunning.payment.plan", "dunning_payment_plan_move_rel", "move_id",
                                                "plan_id", string="Payment plans", readonly=True, copy=False)

    @api.depends("dunning_payment_plan_ids.state")
    def _compute_dunning_held_by_outcome(self):  # pylint: disable=missing-return
        """An invoice of a running payment plan is held like one of a closed case's outcome."""
        super()._compute_dunning_held_by_outcome()
        for move in self:
            if any(plan.state in LIVE_PLAN_STATES for plan in move.sudo().dunning_payment_plan_ids):
                move.dunning_held_by_outcome = True

    def _search_dunning_held_by_outcome(self, operator, value):
        domain = super()._search_dunning_held_by_outcome(operator, value)
        if domain is NotImplemented:
            return domain
        live = [("dunning_payment_plan_ids", "any", [("state", "in", LIVE_PLAN_STATES)])]
        held = value if operator == "=" else not value
        return ["|", *domain, *live] if held else ["&", *domain, ("dunning_payment_plan_ids", "not any",
                                                                 [("state", "in", LIVE_PLAN_STATES)])]


class DunningCaseEvent(models.Model):
    _inherit = "dunning.case.event"

    kind = fields.Selection(
        selection_add=[("plan_proposed", "Payment plan proposed"), ("plan_agreed", "Payment plan agreed"),
                       ("plan_note", "Payment plan note"), ("plan_instalment_paid", "Instalment paid"),
                       ("plan_broken", "Payment plan broken"), ("plan_completed", "Payment plan completed")],
        ondelete=dict.fromkeys(("plan_proposed", "plan_agreed", "plan_note", "plan_instalment_paid", "plan_broken",
                                "plan_completed"), "cascade"),
    )
