from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL, format_amount

from ..policy.prediction import CreditFacts, Settled, credits_covering, predict

PREDICTION_BASES = [
    ("no_history", "No payment history"),
    ("history", "Customer's usual lateness"),
    ("history_when_late", "Invoices that got as late"),
    ("later_than_history", "Later than ever before"),
    ("facts", "Credit facts (no payment history)"),
    ("history_and_facts", "Thin history and credit facts"),
]
PREDICTION_FACTS = [
    ("rating", "Credit rating"),
    ("payment_defaults", "Payment defaults"),
    ("insolvent", "Bankruptcy or liquidation"),
]
PREDICTION_FIELDS = [
    "dunning_predicted_date", "dunning_late_chance", "dunning_expected_loss", "dunning_prediction_basis",
    "dunning_prediction_count", "dunning_prediction_days_late", "dunning_credit_covered", "dunning_prediction_fact",
    "dunning_prediction_rating", "dunning_prediction_defaults",
]


class AccountMove(models.Model):
    """The predicted payment date of an open customer invoice, and why (see ``policy/prediction.py``).

    Written by :meth:`_dunning_refresh_predictions` (the daily job, and at demo load) for every
    open invoice of a company at once: one query reads the customers' settled invoices, the pure
    :func:`predict` decides per invoice, one statement writes the results. Between refreshes the
    prediction says what was known on ``dunning_predicted_on``.
    """

    _inherit = "account.move"

    dunning_predicted_date = fields.Date(
        "Predicted payment", readonly=True, copy=False,
        help="When the customer is expected to pay this invoice, from how it paid its invoices before "
             "(recent ones count more).")
    dunning_predicted_on = fields.Date("Predicted on", readonly=True, copy=False)
    dunning_late_chance = fields.Float(
        "Chance of paying late", readonly=True, copy=False, aggregator="avg",
        help="Not yet due: the chance it is paid after its due date. Overdue: the chance it is still unpaid a "
             "month from now. From the customer's past invoices, recent ones weighted more.")
    dunning_expected_loss = fields.Monetary(
        "Expected loss", currency_field="company_currency_id", readonly=True, copy=False,
        help="The amount due, less what the customer's open credits cover, times the chance of paying late.")
    dunning_credit_covered = fields.Monetary(
        "Covered by open credits", currency_field="company_currency_id", readonly=True, copy=False,
        help="The part of the amount due that the customer's open credit notes and unreconciled payments cover "
             "(oldest invoices first): it is not counted in the expected loss.")
    dunning_prediction_basis = fields.Selection(PREDICTION_BASES, "Prediction from", readonly=True, copy=False)
    dunning_prediction_count = fields.Integer("Invoices paid before", readonly=True, copy=False)
    dunning_prediction_days_late = fields.Float(
        "Usual days late", digits=(16, 1), readonly=True, copy=False,
        help="Weighted mean of the days after the due date the customer paid its past invoices.")
    dunning_prediction_fact = fields.Selection(
        PREDICTION_FACTS, "Credit fact used", readonly=True, copy=False,
        help="With little or no payment history, the customer's credit fact that decided the prediction.")
    dunning_prediction_rating = fields.Integer("Rating used", readonly=True, copy=False)
    dunning_prediction_defaults = fields.Integer("Payment defaults used", readonly=True, copy=False)
    dunning_prediction_note = fields.Char("Why", compute="_compute_dunning_prediction_note")

    @api.depends("dunning_prediction_basis", "dunning_prediction_count", "dunning_prediction_days_late",
                 "dunning_predicted_date", "dunning_predicted_on", "invoice_date_due", "dunning_credit_covered",
                 "dunning_prediction_fact", "dunning_prediction_rating", "dunning_prediction_defaults")
    def _compute_dunning_prediction_note(self):
        for move in self:
            move.dunning_prediction_note = move._dunning_prediction_sentence()

    def _dunning_prediction_sentence(self):
        """The prediction in one sentence, in the reader's language (empty when there is none), and what the
        customer's open credits take off the expected loss."""
        self.ensure_one()
        sentence = self._dunning_prediction_date_sentence()
        if sentence and self.dunning_credit_covered:
            sentence = self.env._(
                "%(sentence)s Open credits cover %(amount)s of it: the expected loss counts only the rest.",
                sentence=sentence,
                amount=format_amount(self.env, self.dunning_credit_covered, self.company_currency_id),
            )
        return sentence

    def _dunning_prediction_date_sentence(self):
        self.ensure_one()
        basis, count = self.dunning_prediction_basis, self.dunning_prediction_count
        if not basis or not self.dunning_predicted_date:
            return False
        if basis == "no_history":
            return self.env._("No invoice paid before: expected on its due date.")
        if basis in ("facts", "history_and_facts"):
            return self._dunning_prediction_facts_sentence()
        days = round(self.dunning_prediction_days_late)
        if days > 0:
            usual = self.env._(
                "Paid its last %(count)s invoices %(days)s days late on average (recent ones count more).",
                count=count, days=days)
        elif days < 0:
            usual = self.env._("Paid its last %(count)s invoices %(days)s days early on average (recent ones count "
                               "more).", count=count, days=-days)
        else:
            usual = self.env._("Paid its last %(count)s invoices on their due date on average.", count=count)
        overdue = (self.dunning_predicted_on - self.invoice_date_due).days if self.dunning_predicted_on else 0
        if basis == "history_when_late":
            late = (self.dunning_predicted_date - self.invoice_date_due).days
            return self.env._("%(usual)s Already %(overdue)s days overdue: its invoices that got this late were paid "
                              "%(late)s days after the due date.", usual=usual, overdue=overdue, late=late)
        if basis == "later_than_history":
            return self.env._("%(usual)s Already %(overdue)s days overdue, later than any invoice it paid before: "
                              "expected within a week at the earliest.", usual=usual, overdue=overdue)
        return usual

    def _dunning_prediction_facts_sentence(self):
        """A prediction the credit facts decided (little or no history): which fact, and what it expects."""
        if self.dunning_prediction_fact == "insolvent":
            fact = self.env._("its trade register status (bankruptcy or liquidation)")
        elif self.dunning_prediction_fact == "payment_defaults":
            fact = self.env._("its %(count)s payment default(s) on record", count=self.dunning_prediction_defaults)
        else:
            # the rating scale's labels as the customer form shows them, in the reader's language
            labels = dict(self.env["res.partner"]._fields["dunning_credit_rating"]._description_selection(self.env))
            fact = self.env._("its credit rating %(rating)s",
                              rating=labels.get(str(self.dunning_prediction_rating), self.dunning_prediction_rating))
        days = round(self.dunning_prediction_days_late)
        if self.dunning_prediction_basis == "facts":
            return self.env._("No invoice paid before: decided by %(fact)s, which expects payment %(days)s days "
                              "after the due date.", fact=fact, days=days)
        return self.env._("Only %(count)s invoice(s) paid before: with %(fact)s counted in, payment is expected "
                          "%(days)s days after the due date.", count=self.dunning_prediction_count, fact=fact,
                          days=days)

    @api.model
    def _dunning_settlement_history(self, company, partner_ids=None):
        """Every posted customer invoice of ``company`` (of ``partner_ids``' commercial partners):
        ``(move_id, partner_id, invoice_date, due, settled_on, residual)``, one query.

        ``settled_on`` is the day of the last payment or credit note of an invoice fully settled
        (an exchange difference booked later is not the customer's doing), else ``None``;
        ``residual`` is what is still due, in company currency.
        """
        self.env.flush_all()
        scope = SQL("TRUE") if partner_ids is None else SQL("move.commercial_partner_id = ANY(%s)", list(partner_ids))
        self.env.cr.execute(SQL(
            """
            SELECT move.id, move.commercial_partner_id, move.invoice_date, move.invoice_date_due,
                   CASE WHEN move.payment_state IN ('paid', 'in_payment') THEN (
                       SELECT MAX(partial.max_date)
                         FROM account_move_line line
                         JOIN account_account account ON account.id = line.account_id
                         JOIN account_partial_reconcile partial ON partial.debit_move_id = line.id
                         JOIN account_move_line counterpart ON counterpart.id = partial.credit_move_id
                        WHERE line.move_id = move.id
                          AND account.account_type = 'asset_receivable'
                          AND NOT EXISTS (
                              SELECT 1 FROM account_partial_reconcile cause
                               WHERE cause.exchange_move_id = counterpart.move_id)
                   ) END AS settled_on,
                   move.amount_residual_signed
              FROM account_move move
             WHERE move.company_id = %(company)s
               AND move.state = 'posted'
               AND move.move_type = 'out_invoice'
               AND move.payment_state != 'reversed'
               AND move.invoice_date_due IS NOT NULL
               AND %(scope)s
            """,
            company=company.id, scope=scope,
        ))
        return self.env.cr.fetchall()

    @api.model
    def _dunning_open_credits(self, company):
        """``{commercial partner id: open credits}`` of ``company``'s customers, in the company's currency (a
        positive amount): their receivable lines left to reconcile that the customer is owed (credit notes,
        payments not matched yet), one grouped read."""
        groups = self.env["account.move.line"].sudo()._read_group([
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("amount_residual", "<", 0),
            ("partner_id", "!=", False),
        ], ["partner_id"], ["amount_residual:sum"])
        credits = defaultdict(float)
        for partner, residual in groups:
            credits[partner.commercial_partner_id.id] -= residual
        return credits

    @api.model
    def _dunning_credit_facts(self, company, partner_ids, today):
        """``{commercial partner id: CreditFacts}`` as of ``today`` (a stale rating counts as unknown), one read."""
        partners = self.env["res.partner"].browse(partner_ids)
        facts = self.env["dunning.credit.observation"].sudo()._policy_facts(company, partners, today)
        return {partner.id: CreditFacts(credit_rating=values.get("credit_rating"),
                                        payment_defaults=values.get("payment_defaults"),
                                        registry_status=values.get("registry_status"))
                for partner, values in facts.items()}

    @api.model
    def _dunning_refresh_predictions(self, company, today):
        """Predict the payment date of every open customer invoice of ``company`` as of ``today``."""
        rows = self._dunning_settlement_history(company)
        history = defaultdict(list)
        open_rows = []
        for move_id, partner_id, _invoice_date, due, settled_on, residual in rows:
            if settled_on:
                history[partner_id].append(Settled(due, settled_on))
            elif residual > 0:
                open_rows.append((move_id, partner_id, due, residual))
        credits = self._dunning_open_credits(company)
        facts = self._dunning_credit_facts(company, {partner_id for _m, partner_id, _d, _r in open_rows}, today)
        by_partner = defaultdict(list)
        for move_id, partner_id, due, residual in open_rows:
            by_partner[partner_id].append((move_id, due, residual))
        covered = {}
        for partner_id, items in by_partner.items():
            covered.update(credits_covering(items, credits.get(partner_id, 0.0)))
        values = []
        totals = defaultdict(float)
        for move_id, partner_id, due, residual in open_rows:
            prediction = predict(due, history[partner_id], today, facts=facts.get(partner_id))
            loss = prediction.expected_loss(residual - covered[move_id])
            totals[partner_id] += loss
            values.append(SQL(
                "(%s, %s::date, %s::float, %s::numeric, %s, %s::int, %s::float, %s::numeric, %s, %s::int, %s::int)",
                move_id, prediction.predicted, prediction.late_chance, loss,
                prediction.basis, prediction.history_count, prediction.weighted_days_late or 0.0, covered[move_id],
                prediction.fact, prediction.rating, prediction.defaults,
            ))
        cr = self.env.cr
        # What is no longer open loses its prediction.
        cr.execute(SQL(
            """
            UPDATE account_move SET dunning_predicted_date = NULL, dunning_predicted_on = NULL,
                   dunning_late_chance = NULL, dunning_expected_loss = NULL, dunning_prediction_basis = NULL,
                   dunning_prediction_count = NULL, dunning_prediction_days_late = NULL,
                   dunning_credit_covered = NULL, dunning_prediction_fact = NULL, dunning_prediction_rating = NULL,
                   dunning_prediction_defaults = NULL
             WHERE company_id = %s AND dunning_predicted_date IS NOT NULL AND id != ALL(%s)
         RETURNING id
            """,
            company.id, [row[0] for row in open_rows],
        ))
        changed = [row[0] for row in cr.fetchall()]
        if values:
            cr.execute(SQL(
                """
                UPDATE account_move move
                   SET dunning_predicted_date = v.predicted, dunning_predicted_on = %(today)s,
                       dunning_late_chance = v.chance, dunning_expected_loss = v.loss,
                       dunning_prediction_basis = v.basis, dunning_prediction_count = v.count,
                       dunning_prediction_days_late = v.days_late, dunning_credit_covered = v.covered,
                       dunning_prediction_fact = v.fact, dunning_prediction_rating = v.rating,
                       dunning_prediction_defaults = v.defaults
                  FROM (VALUES %(values)s)
                       AS v(id, predicted, chance, loss, basis, count, days_late, covered, fact, rating, defaults)
                 WHERE move.id = v.id
                """,
                today=today, values=SQL(", ").join(values),
            ))
            changed += [row[0] for row in open_rows]
        self.env["res.partner"]._dunning_write_expected_loss(company, totals)
        moves = self.browse(changed)
        moves.invalidate_recordset([*PREDICTION_FIELDS, "dunning_predicted_on"])
        # The cases' totals follow their invoices (stored computes).
        moves.modified(PREDICTION_FIELDS)
        self.env.flush_all()
        return len(open_rows)

    @api.model
    def _cron_dunning_predictions(self):
        """The daily job: every company's open invoices as of the company's today."""
        for company in self.env["res.company"].search([]):
            self.with_company(company)._dunning_refresh_predictions(
                company, fields.Date.context_today(self.with_company(company)))
