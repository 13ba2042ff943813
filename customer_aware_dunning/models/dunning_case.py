import logging

from odoo import _, api, fields, models
from odoo.tools import SQL, split_every

from ..policy.schema import CASE_STATES, OUTCOMES
from ..policy.text import Text
from ..texts import ALL_SETTLED, CLOSED, OPENED, OPENED_FOR_NOTICE, Reader, to_data

_logger = logging.getLogger(__name__)

# Cases opened per create (and per ORM cache) when a run opens many at once.
OPEN_CHUNK = 1000


class DunningCase(models.Model):
    """A customer's collection case in one company, open while it has overdue invoices.

    Call order of the daily work: facts are refreshed (``dunning.partner.facts``),
    then :meth:`_sync_open_cases` opens a case for every customer with an overdue
    invoice that is not excluded, attaches new overdue invoices to the open case,
    and closes the cases whose invoices are all settled (outcome ``paid``).
    Every change is a :class:`dunning.case.event` and a line on the chatter.
    """

    _name = "dunning.case"
    _description = "Collection Case"
    _inherit = ["portal.mixin", "rating.mixin", "mail.activity.mixin"]  # rating.mixin brings mail.thread
    _order = "state_rank, next_action_date, amount_overdue desc, id desc"

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Salesperson", tracking=True)
    collector_id = fields.Many2one("res.users", string="Collections owner", tracking=True)
    state = fields.Selection(CASE_STATES, required=True, default="open", readonly=True, tracking=True)
    state_rank = fields.Integer(compute="_compute_state_rank", store=True)
    segment_id = fields.Many2one("dunning.segment", readonly=True, tracking=True)
    journey = fields.Char(readonly=True, tracking=True)
    current_step = fields.Char(readonly=True, help="The last step done in the journey.")
    next_action_date = fields.Date(readonly=True, tracking=True)
    pause_until = fields.Date(readonly=True)
    pause_reason = fields.Char(readonly=True)
    delay_reason_id = fields.Many2one(
        "dunning.delay.reason", string="Main delay reason", compute="_compute_delay_reason_id", store=True,
        help="The reason given for the case's oldest invoice that has one.",
    )
    outcome = fields.Selection(OUTCOMES, readonly=True, tracking=True)
    opened_on = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    closed_on = fields.Date(readonly=True)
    amount_at_open = fields.Monetary(readonly=True, help="Overdue amount when the case opened.")
    amount_added = fields.Monetary(readonly=True, help="Residual of the invoices that went overdue later.")
    amount_overdue = fields.Monetary(readonly=True, help="What the case's invoices still owe.")
    amount_recovered = fields.Monetary(readonly=True)
    policy_version = fields.Char(readonly=True)
    invoice_ids = fields.One2many("account.move", "dunning_case_id", string="Invoices", readonly=True)
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    event_ids = fields.One2many("dunning.case.event", "case_id", string="Events", readonly=True)
    charge_ids = fields.One2many("dunning.charge", "case_id", string="Charges", readonly=True)
    step_invoice_ids = fields.Many2many(
        "account.move", "dunning_case_step_invoice_rel", "case_id", "move_id", string="Invoices of the last step",
        readonly=True, help="The invoices the last message covered: what the customer was written about.",
    )
    paused_by = fields.Selection(
        [("hand", "By hand"), ("policy", "The policy (delay reason or promise)")], readonly=True,
        help="A pause set by hand lasts until someone resumes the case; the policy's pauses end by themselves.",
    )
    pending_step_key = fields.Char(readonly=True, help="The step waiting for an approval.")
    pending_step = fields.Char("Step to approve", readonly=True)
    satisfaction_requested_on = fields.Date(
        "Satisfaction asked on", readonly=True, copy=False,
        help="When the customer was asked to rate the experience: only once per case.",
    )
    repurchase_invoiced = fields.Monetary(
        "Invoiced after", readonly=True, copy=False,
        help="Untaxed amount invoiced (minus credit notes) to the customer in the policy's window after closing.",
    )
    repurchase_ordered = fields.Monetary(
        "Ordered after", readonly=True, copy=False,
        help="Untaxed amount of the customer's confirmed sales orders in the policy's window after closing.",
    )
    before_invoiced = fields.Monetary(
        "Invoiced before", readonly=True, copy=False,
        help="The same as 'Invoiced after', in a window of the same length before the case opened.",
    )
    before_ordered = fields.Monetary(
        "Ordered before", readonly=True, copy=False,
        help="The same as 'Ordered after', in a window of the same length before the case opened.",
    )
    repurchase_measured_on = fields.Date("Purchases measured on", readonly=True, copy=False)
    customer_lost = fields.Boolean(
        readonly=True, copy=False,
        help="The window after closing is over and the customer bought nothing in it.",
    )

    _one_open_case_per_customer = models.UniqueIndex(
        "(partner_id, company_id) WHERE state != 'closed'",
        "A customer has at most one open collection case per company.",
    )

    @api.depends("state")
    def _compute_state_rank(self):
        ranks = {"waiting_approval": 0, "open": 1, "paused": 2, "closed": 3}
        for case in self:
            case.state_rank = ranks.get(case.state, 9)

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/collections/{case.id}"

    @api.depends("invoice_ids.dunning_delay_reason_id", "invoice_ids.invoice_date_due")
    def _compute_delay_reason_id(self):
        for case in self:
            given = case.invoice_ids.filtered("dunning_delay_reason_id").sorted(lambda move: move.invoice_date_due)
            case.delay_reason_id = given[:1].dunning_delay_reason_id

    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("dunning_case_id", "in", self.ids)], ["dunning_case_id"], ["__count"]
            )
        )
        for case in self:
            case.invoice_count = counts.get(case, 0)

    @api.model_create_multi
    def create(self, vals_list):
        new = self.env._("New")
        unnamed = [vals for vals in vals_list if vals.get("name", new) == new]
        for vals, name in zip(unnamed, self._next_names(len(unnamed)), strict=True):
            vals["name"] = name or new
        return super().create(vals_list)

    @api.model
    def _next_names(self, count):
        """``count`` case references in one query (the daily run opens hundreds of cases at once).

        The case sequence is a standard one: its numbers come from its PostgreSQL
        sequence; any other kind (no gap, date ranges) goes one by one.
        """
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search([("code", "=", "dunning.case"), ("company_id", "in", [self.env.company.id, False])],
                                   order="company_id", limit=1)
        if not count or not sequence or sequence.implementation != "standard" or sequence.use_date_range:
            return [Sequence.next_by_code("dunning.case") for _index in range(count)]
        numbers = self.env.execute_query(SQL(
            "SELECT nextval(%s) FROM generate_series(1, %s)", f"ir_sequence_{sequence.id:03d}", count,
        ))
        return [sequence.get_next_char(number) for number, in numbers]

    # ------------------------------------------------------------------ trail

    def _log_events(self, kind, descriptions, per_case=None, **values):
        """Record one event per case and the same line on each case's chatter.

        ``descriptions`` maps case id to its text: a :class:`~..policy.text.Text`,
        kept as data and read in each reader's language (see ``texts.py``), or
        words as written; ``values`` are shared event fields, ``per_case`` maps
        case id to fields of that case's event only.  Messages are logged in one
        batch, not one post per case.
        """
        if not self:  # nothing to record (a batch with no case of this kind): no query either
            return self.env["dunning.case.event"]
        per_case = per_case or {}
        texts = {case.id: to_data(descriptions[case.id]) for case in self}
        events = self.env["dunning.case.event"].sudo().create([
            {"case_id": case.id, "kind": kind, "description_data": texts[case.id], **values,
             **per_case.get(case.id, {})}
            for case in self
        ])
        label = dict(self.env["dunning.case.event"]._fields["kind"]._description_selection(self.env))[kind]
        reader = Reader(self.env)
        messages = self._message_log_batch(bodies={case.id: reader.line(label, texts[case.id]) for case in self})
        messages._dunning_keep_texts({
            message.id: {"kind": kind, "text": texts[message.res_id]} for message in messages
        })
        return events

    # ------------------------------------------------------------------ lifecycle

    @api.model
    def _overdue_invoices_domain(self, company, today):
        return [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            ("dunning_excluded", "=", False),
            ("dunning_held_by_outcome", "=", False),
        ]

    @api.model
    def _sync_open_cases(self, company, today):
        """Open, extend and close cases so they match the overdue invoices of ``company`` today."""
        Move = self.env["account.move"]
        # by customer and by the case each invoice is linked to: which invoices join an open case comes from
        # this one read, not from each case's invoice_ids (a read of every open case's invoices, every day)
        linked = Move._read_group(
            self._overdue_invoices_domain(company, today), ["commercial_partner_id", "dunning_case_id"],
            ["id:recordset"],
        )
        overdue = {}
        for partner, _case, invoices in linked:
            overdue[partner] = overdue.get(partner, Move) | invoices
        open_cases = self.search([("company_id", "=", company.id), ("state", "!=", "closed")])
        open_cases.fetch(["partner_id"])  # only the customer: the other fields of every open case are not needed
        by_partner = {case.partner_id: case for case in open_cases}

        new_partners = [partner for partner in overdue if partner not in by_partner]
        opened = self.browse()
        # By the thousand, each leaving the ORM cache: the first run opens a case for every customer at once.
        for chunk in split_every(OPEN_CHUNK, new_partners, list):
            opened |= self._open_cases(company, today, {p: overdue[p] for p in chunk})
            self.env.invalidate_all()

        still_open = open_cases.filtered(lambda case: case.partner_id in overdue)
        # the overdue invoices of a customer with an open case that are not that case's invoices
        joining = {}
        for partner, case, invoices in linked:
            if partner in by_partner and case != by_partner[partner]:
                joining[by_partner[partner]] = joining.get(by_partner[partner], Move) | invoices
        # the joining invoices' amounts only (read through the records, every field of every overdue invoice)
        Move.union(*joining.values()).fetch(["amount_residual_signed"])
        for case, invoices in joining.items():
            case.amount_added += sum(invoices.mapped("amount_residual_signed"))
        self._link_invoices(joining)
        (still_open | opened)._refresh_amounts()

        settled = (open_cases - still_open).filtered(lambda case: not case._collectable_invoices())
        settled._close("paid", today, Text(ALL_SETTLED))
        return opened, settled

    def _collectable_invoices(self):
        """The case's invoices still to be paid and not excluded from follow-up."""
        return self.invoice_ids.filtered(lambda move: move.amount_residual > 0 and not move.dunning_excluded)

    def _open_cases(self, company, today, invoices_by_partner):
        if not invoices_by_partner:
            return self.browse()
        # What the values below read, for these customers only and in one go: read through each record, the
        # ORM would pick what to prefetch among every overdue invoice and customer of the company, chunk after chunk.
        self.env["account.move"].browse(
            [move_id for invoices in invoices_by_partner.values() for move_id in invoices.ids]
        ).fetch(["amount_residual_signed"])
        partners = self.env["res.partner"].browse([partner.id for partner in invoices_by_partner])
        partners.fetch(["user_id"])
        partners.with_company(company).fetch(["dunning_segment_id"])
        # The "opened" event below is the case's first chatter line; the run need not follow every case it opens.
        cases = self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True).create([
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "user_id": partner.user_id.id,
                "segment_id": partner.with_company(company).dunning_segment_id.id,
                "opened_on": today,
                "amount_at_open": sum(invoices.mapped("amount_residual_signed")),
            }
            for partner, invoices in invoices_by_partner.items()
        ])
        self._link_invoices(dict(zip(cases, invoices_by_partner.values(), strict=True)))
        cases._log_events("opened", {
            case.id: Text(OPENED, count=len(case.invoice_ids), amount=case.amount_at_open)
            if case.invoice_ids else Text(OPENED_FOR_NOTICE)
            for case in cases
        })
        return cases

    def _refresh_amounts(self):
        """What the cases' invoices still owe, and so what was recovered: one statement for all the cases
        (a write per case would cost the daily run an ORM write for every open case, every day), which
        rewrites only the rows whose amounts change (on a steady day, the few cases paid or joined)."""
        if not self:
            return
        self.env["account.move"].flush_model(["dunning_case_id", "amount_residual_signed"])
        self.flush_recordset(["amount_at_open", "amount_added"])
        self.env.cr.execute(SQL(
            """
            UPDATE dunning_case AS c
               SET amount_overdue = amounts.overdue, amount_recovered = amounts.recovered
              FROM (SELECT c.id, COALESCE(owed.amount, 0) AS overdue,
                           COALESCE(c.amount_at_open, 0) + COALESCE(c.amount_added, 0) - COALESCE(owed.amount, 0)
                               AS recovered
                      FROM unnest(%s::int[]) AS ids(id)
                      JOIN dunning_case c ON c.id = ids.id
                      LEFT JOIN (SELECT dunning_case_id, sum(amount_residual_signed) AS amount
                                   FROM account_move WHERE dunning_case_id = ANY(%s) GROUP BY dunning_case_id
                                ) AS owed ON owed.dunning_case_id = ids.id
                   ) AS amounts
             WHERE c.id = amounts.id
               AND (c.amount_overdue, c.amount_recovered) IS DISTINCT FROM (amounts.overdue, amounts.recovered)
            """, self.ids, self.ids,
        ))
        self.invalidate_recordset(["amount_overdue", "amount_recovered"])
        self.modified(["amount_overdue", "amount_recovered"])

    def _close(self, outcome, today, reason):
        if not self:
            return
        self._refresh_amounts()
        self.write({"state": "closed", "outcome": outcome, "closed_on": today, "next_action_date": False})
        self._log_events("closed", {
            case.id: Text(CLOSED, outcome=outcome, why=reason, amount=case.amount_recovered) for case in self
        })

    def _format_amount(self, amount):
        return self.currency_id.format(amount) if self.currency_id else str(amount)

    # ------------------------------------------------------------------ acting on the engine's decisions

    @api.model
    def _link_invoices(self, invoices_by_case):
        """Attach invoices to their cases in one statement (an ORM write per case would re-check every move)."""
        pairs = [(case.id, move.id) for case, moves in invoices_by_case.items() for move in moves]
        if not pairs:
            return
        moves = self.env["account.move"].browse(pair[1] for pair in pairs)
        moves.flush_recordset(["dunning_case_id"])
        self.env.cr.execute(SQL(
            """
            UPDATE account_move SET dunning_case_id = link.case_id
              FROM unnest(%s::int[], %s::int[]) AS link(case_id, move_id)
             WHERE account_move.id = link.move_id
            """,
            [pair[0] for pair in pairs], [pair[1] for pair in pairs],
        ))
        moves.invalidate_recordset(["dunning_case_id"])
        self.browse({pair[0] for pair in pairs}).invalidate_recordset(["invoice_ids"])
        moves.modified(["dunning_case_id"])  # what depends on a case's invoices follows

    # ------------------------------------------------------------------ people in the loop

    # ------------------------------------------------------------------ buttons

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice")
        action.update(domain=[("dunning_case_id", "=", self.id)], context={"create": False})
        return action

    # ------------------------------------------------------------------ rating

    def _rating_get_partner(self):
        return self.partner_id

    # ------------------------------------------------------------------ the customer's answers (portal)

    # ------------------------------------------------------------------ after the case: satisfaction, repurchases

