from odoo import fields, models, tools
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from ..policy.schema import CASE_STATES, OUTCOMES

_lt = LazyTranslate(__name__)

# Ratio measures: in a grouped row (pivot cell, graph bar, list group) each is
# SUM(numerator) / SUM(denominator) over the group's cases, never an average of
# the per-case ratios. Values are percentages.
# The recovery rate is that of closed cases: an open case has not finished recovering.
RATIOS = {
    "recovery_rate": ("closed_recovered", "closed_overdue"),
    "repurchase_rate": ("repurchase_count", "measured_count"),
    "no_harsh_rate": ("no_harsh_count", "case_count"),
}


class DunningCaseReport(models.Model):
    """The shared finance/sales analysis: one read-only row per collection case.

    A PostgreSQL view built in :meth:`init` from :meth:`_select`, :meth:`_from`
    and :meth:`_where`. Counts (``case_count``, ``closed_count``...) are summed
    in grouped rows, so every ratio of :data:`RATIOS` is computed from the
    group's sums by :meth:`_read_group_select`.

    Charges (``fees_*``, ``interest_*``, ``charges_*``) sum the case's
    :class:`dunning.charge` lines, charged and waived apart: waiving for a
    segment is a relationship tool, and the report shows what it cost.

    A case "needed a harsh step" when one of its step events is harsh (the
    policy's ``harsh`` flag: letters and final notices unless it says
    otherwise) or when its outcome is a hand-over.
    """

    _name = "dunning.case.report"
    _description = "Collections Analysis"
    _auto = False
    _rec_name = "partner_id"
    _order = "opened_on desc, id desc"

    case_id = fields.Many2one("dunning.case", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    segment_id = fields.Many2one("dunning.segment", readonly=True)
    journey = fields.Char(readonly=True)
    policy_version = fields.Char(readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    collector_id = fields.Many2one("res.users", string="Collections owner", readonly=True)
    delay_reason_id = fields.Many2one("dunning.delay.reason", string="Main delay reason", readonly=True)
    state = fields.Selection(CASE_STATES, readonly=True)
    # The heading of open cases where cases are grouped by outcome. A lazy translation, as Odoo's project does:
    # the web client's label is translated by fields.py, which would look a plain string up in no module.
    outcome = fields.Selection(
        OUTCOMES, readonly=True, falsy_value_label=_lt("Still open"))  # pylint: disable=translation-field
    opened_on = fields.Date("Opened on", readonly=True)
    closed_on = fields.Date("Closed on", readonly=True)

    amount_at_open = fields.Monetary("Overdue at open", readonly=True)
    amount_overdue_total = fields.Monetary(
        "Amount overdue", readonly=True, help="Overdue at open plus the invoices that went overdue during the case.")
    amount_recovered = fields.Monetary("Recovered", readonly=True)
    days_to_collect = fields.Integer(
        "Days to collect", readonly=True, aggregator="avg", help="Closed cases: days from opening to closing.")
    harsh_step = fields.Boolean("Harsh step needed", readonly=True)
    satisfaction = fields.Float(
        readonly=True, aggregator="avg", help="The customer's last rating of the case (1 to 5); empty when not rated.")
    bought_again = fields.Boolean(readonly=True, help="Invoiced or ordered something in the window after closing.")
    repurchase_amount = fields.Monetary("Invoiced after", readonly=True)
    repurchase_ordered = fields.Monetary("Ordered after", readonly=True)
    customer_lost = fields.Boolean(readonly=True)

    fees_charged = fields.Monetary(
        "Fees charged", readonly=True, help="Reminder fees and recovery compensation charged to the customer.")
    fees_waived = fields.Monetary(
        "Fees waived", readonly=True, help="Reminder fees and recovery compensation the policy waived.")
    interest_charged = fields.Monetary("Interest charged", readonly=True)
    interest_waived = fields.Monetary("Interest waived", readonly=True)
    charges_charged = fields.Monetary("Charged", readonly=True, help="Fees, compensation and interest charged.")
    charges_waived = fields.Monetary(
        "Waived", readonly=True, help="Fees, compensation and interest computed and waived: what the relationship "
                                      "was worth to us.")

    case_count = fields.Integer("Cases", readonly=True)
    closed_count = fields.Integer("Closed cases", readonly=True)
    measured_count = fields.Integer("Cases with purchases measured", readonly=True)
    repurchase_count = fields.Integer("Customers who bought again", readonly=True)
    harsh_count = fields.Integer("Cases with a harsh step", readonly=True)
    no_harsh_count = fields.Integer("Cases without a harsh step", readonly=True)
    rated_count = fields.Integer("Rated cases", readonly=True)
    lost_count = fields.Integer("Customers lost", readonly=True)

    closed_overdue = fields.Monetary(
        "Overdue (closed cases)", readonly=True, help="The amount overdue of the case once it is closed.")
    closed_recovered = fields.Monetary(
        "Recovered (closed cases)", readonly=True, help="What the case recovered once it is closed.")
    recovery_rate = fields.Float(
        "Recovery rate (%)", readonly=True, aggregator="avg",
        help="Recovered of the amount overdue, for closed cases; empty while the case is open.")
    repurchase_rate = fields.Float("Repurchase rate (%)", readonly=True, aggregator="avg")
    no_harsh_rate = fields.Float("Without a harsh step (%)", readonly=True, aggregator="avg")

    def _select(self) -> SQL:
        return SQL("""
            SELECT c.id AS id,
                   c.id AS case_id,
                   c.company_id,
                   company.currency_id,
                   c.partner_id,
                   c.segment_id,
                   c.journey,
                   c.policy_version,
                   c.user_id,
                   c.collector_id,
                   c.delay_reason_id,
                   c.state,
                   c.outcome,
                   c.opened_on,
                   c.closed_on,
                   COALESCE(c.amount_at_open, 0) AS amount_at_open,
                   %(overdue)s AS amount_overdue_total,
                   COALESCE(c.amount_recovered, 0) AS amount_recovered,
                   CASE WHEN c.state = 'closed' THEN c.closed_on - c.opened_on END AS days_to_collect,
                   %(harsh)s AS harsh_step,
                   last_rating.rating AS satisfaction,
                   %(bought)s AS bought_again,
                   COALESCE(c.repurchase_invoiced, 0) AS repurchase_amount,
                   COALESCE(c.repurchase_ordered, 0) AS repurchase_ordered,
                   COALESCE(c.customer_lost, FALSE) AS customer_lost,
                   COALESCE(charge.fees_charged, 0) AS fees_charged,
                   COALESCE(charge.fees_waived, 0) AS fees_waived,
                   COALESCE(charge.interest_charged, 0) AS interest_charged,
                   COALESCE(charge.interest_waived, 0) AS interest_waived,
                   COALESCE(charge.fees_charged, 0) + COALESCE(charge.interest_charged, 0) AS charges_charged,
                   COALESCE(charge.fees_waived, 0) + COALESCE(charge.interest_waived, 0) AS charges_waived,
                   1 AS case_count,
                   (c.state = 'closed')::int AS closed_count,
                   (c.repurchase_measured_on IS NOT NULL)::int AS measured_count,
                   (%(bought)s)::int AS repurchase_count,
                   (%(harsh)s)::int AS harsh_count,
                   (NOT %(harsh)s)::int AS no_harsh_count,
                   (last_rating.rating IS NOT NULL)::int AS rated_count,
                   COALESCE(c.customer_lost, FALSE)::int AS lost_count,
                   CASE WHEN c.state = 'closed' THEN %(overdue)s ELSE 0 END AS closed_overdue,
                   CASE WHEN c.state = 'closed' THEN COALESCE(c.amount_recovered, 0) ELSE 0 END AS closed_recovered,
                   CASE WHEN c.state = 'closed'
                        THEN 100.0 * COALESCE(c.amount_recovered, 0) / NULLIF(%(overdue)s, 0) END AS recovery_rate,
                   CASE WHEN c.repurchase_measured_on IS NOT NULL
                        THEN 100.0 * (%(bought)s)::int END AS repurchase_rate,
                   100.0 * (NOT %(harsh)s)::int AS no_harsh_rate
            """,
            overdue=SQL("(COALESCE(c.amount_at_open, 0) + COALESCE(c.amount_added, 0))"),
            harsh=SQL("(harsh.case_id IS NOT NULL OR COALESCE(c.outcome = 'handed_over', FALSE))"),
            bought=SQL(
                "(c.repurchase_measured_on IS NOT NULL"
                " AND (COALESCE(c.repurchase_invoiced, 0) > 0 OR COALESCE(c.repurchase_ordered, 0) > 0))"
            ),
        )

    def _from(self) -> SQL:
        return SQL("""
            FROM dunning_case c
            JOIN res_company company ON company.id = c.company_id
            LEFT JOIN (
                SELECT DISTINCT case_id
                  FROM dunning_case_event
                 WHERE kind = 'step' AND harsh
            ) harsh ON harsh.case_id = c.id
            LEFT JOIN (
                SELECT DISTINCT ON (res_id) res_id, rating
                  FROM rating_rating
                 WHERE res_model = 'dunning.case' AND consumed AND rating > 0
                 ORDER BY res_id, write_date DESC, id DESC
            ) last_rating ON last_rating.res_id = c.id
            LEFT JOIN (
                SELECT case_id,
                       SUM(amount) FILTER (WHERE NOT COALESCE(waived, FALSE) AND kind != 'interest') AS fees_charged,
                       SUM(amount) FILTER (WHERE COALESCE(waived, FALSE) AND kind != 'interest') AS fees_waived,
                       SUM(amount) FILTER (WHERE NOT COALESCE(waived, FALSE) AND kind = 'interest') AS interest_charged,
                       SUM(amount) FILTER (WHERE COALESCE(waived, FALSE) AND kind = 'interest') AS interest_waived
                  FROM dunning_charge
                 GROUP BY case_id
            ) charge ON charge.case_id = c.id
            """)

    def _where(self) -> SQL:
        return SQL("WHERE c.opened_on IS NOT NULL")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            "CREATE OR REPLACE VIEW %s AS (%s %s %s)",
            SQL.identifier(self._table), self._select(), self._from(), self._where(),
        ))

    def _read_group_select(self, aggregate_spec, query):
        """A ratio of a group is the ratio of the group's sums (see :data:`RATIOS`)."""
        fname = aggregate_spec.split(":")[0]
        if fname not in RATIOS:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator = RATIOS[fname]
        return SQL(
            "100.0 * SUM(%s) / NULLIF(SUM(%s), 0)",
            self._field_to_sql(self._table, numerator, query),
            self._field_to_sql(self._table, denominator, query),
        )
