from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..policy.figures import AGEING_BUCKETS, MonthSales, cei_terms, countback_dso, month_end

RECEIVABLE_ACCOUNTS = SQL("(SELECT id FROM account_account WHERE account_type = 'asset_receivable')")
SCOPES = [("company", "Company"), ("segment", "Segment"), ("salesperson", "Salesperson")]
MONTHS_SHOWN = 12
SALES_HISTORY_MONTHS = 12

# Ratio measures: in a grouped row each is factor x SUM(numerator) / SUM(denominator).
RATIOS = {
    "cei": ("cei_collected", "cei_collectable", 100.0),
    "no_harsh_rate": ("closed_no_harsh", "cases_closed", 100.0),
    "satisfaction": ("rating_sum", "rated_count", 1.0),
    "repurchase_rate": ("repurchase_count", "measured_count", 100.0),
    "promise_kept_rate": ("promises_kept", "promises_due", 100.0),
}
AGE_FIELDS = {key: f"age_{key}" for key, _first, _last in AGEING_BUCKETS if key != "current"}
SUMS = ("receivable", "receivable_current", "overdue", *AGE_FIELDS.values(), "sales", "cei_collected",
        "cei_collectable", "cases_opened", "cases_closed", "closed_no_harsh", "recovered", "rating_sum",
        "rated_count", "repurchase_count", "measured_count", "promises_due", "promises_kept")


class DunningFigures(models.Model):
    """Receivables figures per month, company, segment and salesperson: what finance steers by
    (DSO, ageing, CEI) beside what sales counts (satisfaction, repurchases), in one table.

    A snapshot, rebuilt by :meth:`_refresh` (daily job and the Refresh button): receivables at
    each month's end are the posted receivable lines dated up to then minus what was reconciled
    with them up to then, so past months keep their ageing. Segment and salesperson are the
    customer's current ones. DSO is the countback DSO of the row's customers (per row, not
    summable: a grouped cell shows the largest); every other ratio is a ratio of sums.
    """

    _name = "dunning.figures"
    _description = "Receivables figures"
    _order = "month desc, scope, id"
    _rec_name = "month"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(required=True, readonly=True, index=True, help="First day of the month.")
    scope = fields.Selection(SCOPES, required=True, readonly=True, default="company")
    segment_id = fields.Many2one("dunning.segment", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)

    receivable = fields.Monetary("Receivables", readonly=True, help="Open receivables at the month's end.")
    receivable_current = fields.Monetary("Not yet due", readonly=True)
    overdue = fields.Monetary(readonly=True)
    age_1_30 = fields.Monetary("1-30 days overdue", readonly=True)
    age_31_60 = fields.Monetary("31-60 days overdue", readonly=True)
    age_61_90 = fields.Monetary("61-90 days overdue", readonly=True)
    age_91_plus = fields.Monetary("Over 90 days overdue", readonly=True)
    sales = fields.Monetary("Credit sales", readonly=True, help="Invoiced in the month, net of credit notes.")
    dso = fields.Float(
        "DSO (days)", readonly=True, aggregator="max", digits=(16, 1),
        help="Days sales outstanding, countback method: the month's receivables counted back against the "
             "sales of the month and the months before it.")
    cei_collected = fields.Monetary("Collected", readonly=True)
    cei_collectable = fields.Monetary("Collectable", readonly=True)
    cei = fields.Float(
        "CEI (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Collection effectiveness index: (receivables at the start + sales - receivables at the end) / "
             "(receivables at the start + sales - receivables not yet due at the end).")

    cases_opened = fields.Integer("Cases opened", readonly=True)
    cases_closed = fields.Integer("Cases closed", readonly=True)
    closed_no_harsh = fields.Integer("Closed without a harsh step", readonly=True)
    no_harsh_rate = fields.Float("Without a harsh step (%)", readonly=True, aggregator="avg", digits=(16, 1))
    recovered = fields.Monetary(readonly=True, help="Recovered by the cases closed in the month.")
    rating_sum = fields.Float("Sum of ratings", readonly=True)
    rated_count = fields.Integer("Rated cases", readonly=True)
    satisfaction = fields.Float(readonly=True, aggregator="avg", digits=(16, 2))
    repurchase_count = fields.Integer("Customers who bought again", readonly=True)
    measured_count = fields.Integer("Cases with purchases measured", readonly=True)
    repurchase_rate = fields.Float("Repurchase rate (%)", readonly=True, aggregator="avg", digits=(16, 1))
    promises_due = fields.Integer("Promises due", readonly=True)
    promises_kept = fields.Integer("Promises kept", readonly=True)
    promise_kept_rate = fields.Float("Promises kept (%)", readonly=True, aggregator="avg", digits=(16, 1))

    def _read_group_select(self, aggregate_spec, query):
        """A ratio of a group is the ratio of the group's sums (see :data:`RATIOS`)."""
        fname = aggregate_spec.split(":")[0]
        if fname not in RATIOS:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator, factor = RATIOS[fname]
        return SQL(
            "%s * SUM(%s) / NULLIF(SUM(%s), 0)", factor,
            self._field_to_sql(self._table, numerator, query),
            self._field_to_sql(self._table, denominator, query),
        )

    # Entry points --------------------------------------------------------------------------

    @api.model
    def _cron_refresh(self):
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            self._refresh(company, today)

    def action_refresh(self):
        """The list's Refresh button (called with the selected rows, if any: they do not matter)."""
        self.env["dunning.case"].check_access("read")
        self.browse().sudo()._refresh(self.env.companies, fields.Date.context_today(self))
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _refresh(self, companies, today, months=MONTHS_SHOWN):
        """Rebuild the figures of ``companies`` for the ``months`` months up to ``today``'s."""
        last = today.replace(day=1)
        starts = [last - relativedelta(months=n) for n in range(months - 1, -1, -1)]
        rows = self._compute_rows(companies, starts, today)
        figures = self.sudo()  # a snapshot of the ledger: nobody writes it by hand
        figures.search([("company_id", "in", companies.ids), ("month", "in", starts)]).unlink()
        return figures.create(rows).sudo(False)

    # Computation ---------------------------------------------------------------------------

    def _compute_rows(self, companies, starts, today):
        """One dict of values per (scope, company, month, segment or salesperson)."""
        ends = [min(month_end(start), today) for start in starts]  # the current month: up to today
        opening_end = starts[0] - relativedelta(days=1)
        ledger = self._receivables_at(companies, [opening_end, *ends])
        history_start = starts[0] - relativedelta(months=SALES_HISTORY_MONTHS)
        sales = self._sales_by_month(companies, history_start, ends[-1])
        cases = self._case_figures(companies, starts[0], ends[-1])
        promises = self._promise_figures(companies, starts[0], min(ends[-1], today - relativedelta(days=1)))
        keys = {key[:1] + key[2:] for source in (ledger, sales, cases, promises) for key in source}
        rows = []
        for scope_key in sorted(keys, key=str):
            for start, end in zip(starts, ends, strict=True):
                row = self._row(scope_key, start, end, ledger, sales, cases, promises)
                if row:
                    rows.append(row)
        return rows

    def _row(self, scope_key, start, end, ledger, sales, cases, promises):
        scope, company_id, group_id = scope_key
        key = (scope, start, company_id, group_id)
        closing = ledger.get((scope, end, company_id, group_id), {})
        opening = ledger.get((scope, start - relativedelta(days=1), company_id, group_id), {})
        month_sales = sales.get(key, 0.0)
        values = {**closing, **cases.get(key, {}), **promises.get(key, {})}
        if not values and not month_sales:
            return None
        receivable, current = closing.get("receivable", 0.0), closing.get("receivable_current", 0.0)
        months = [start - relativedelta(months=n) for n in range(SALES_HISTORY_MONTHS + 1)]
        history = [MonthSales((end - month).days + 1 if month == start else month_end(month).day,
                              sales.get((scope, month, company_id, group_id), 0.0)) for month in months]
        collected, collectable = cei_terms(opening.get("receivable", 0.0), month_sales, receivable, current)
        values.update(
            company_id=company_id, month=start, scope=scope, sales=month_sales,
            segment_id=group_id if scope == "segment" else False,
            user_id=group_id if scope == "salesperson" else False,
            dso=countback_dso(receivable, history) or 0.0,
            cei_collected=collected, cei_collectable=collectable,
        )
        for ratio, (numerator, denominator, factor) in RATIOS.items():
            values[ratio] = factor * values.get(numerator, 0) / values[denominator] if values.get(denominator) else 0.0
        return values

    def _fetch(self, query, names):
        """Run a GROUPING SETS query whose rows start (month, company, segment, user, by_segment, by_user)."""
        for model in ("account.move", "account.move.line", "account.partial.reconcile", "res.partner"):
            self.env[model].flush_model()
        self.env.cr.execute(query)
        result = {}
        for month, company_id, segment_id, user_id, no_segment, no_user, *values in self.env.cr.fetchall():
            if no_segment and no_user:
                key = ("company", month, company_id, False)
            elif no_user:
                key = ("segment", month, company_id, segment_id or False)
            else:
                key = ("salesperson", month, company_id, user_id or False)
            result[key] = dict(zip(names, [float(v or 0) for v in values], strict=True)) if len(names) > 1 \
                else float(values[0] or 0)
        return result

    def _grouping_sets(self, month, company, segment, user):
        """The three scopes of a figure (company, segment, salesperson) as SQL GROUPING SETS of these columns."""
        return SQL(
            "GROUPING SETS ((%(m)s, %(c)s), (%(m)s, %(c)s, %(s)s), (%(m)s, %(c)s, %(u)s))",
            m=month, c=company, s=segment, u=user,
        )

    def _customer_sql(self):
        """The customer's current segment (company-dependent) and salesperson, from ``l`` joined to ``p``."""
        return SQL("(p.dunning_segment_id ->> l.company_id::text)::int"), SQL("p.user_id")

    def _receivables_at(self, companies, ends):
        segment, user = self._customer_sql()
        buckets = [SQL("SUM(residual) FILTER (WHERE residual > 0 AND month_end - due BETWEEN %s AND %s)",
                       first, last if last is not None else 100000)
                   for key, first, last in AGEING_BUCKETS if key != "current"]
        query = SQL("""
            WITH ends AS (SELECT unnest(%(ends)s::date[]) AS month_end),
            items AS (
                SELECT l.id, l.company_id, l.balance, l.date, COALESCE(l.date_maturity, l.date) AS due,
                       %(segment)s AS segment_id, %(user)s AS user_id
                  FROM account_move_line l
                  LEFT JOIN res_partner lp ON lp.id = l.partner_id
                  LEFT JOIN res_partner p ON p.id = lp.commercial_partner_id
                 WHERE l.account_id IN %(receivable_accounts)s AND l.parent_state = 'posted'
                   AND l.company_id = ANY(%(companies)s) AND l.date <= %(last)s
            ),
            open AS (
                SELECT e.month_end, i.company_id, i.segment_id, i.user_id, i.due,
                       i.balance
                       - COALESCE((SELECT SUM(pr.amount) FROM account_partial_reconcile pr
                                    WHERE pr.debit_move_id = i.id AND pr.max_date <= e.month_end), 0)
                       + COALESCE((SELECT SUM(pr.amount) FROM account_partial_reconcile pr
                                    WHERE pr.credit_move_id = i.id AND pr.max_date <= e.month_end), 0) AS residual
                  FROM ends e JOIN items i ON i.date <= e.month_end
            )
            SELECT month_end, company_id, segment_id, user_id, GROUPING(segment_id), GROUPING(user_id),
                   SUM(residual),
                   SUM(residual) FILTER (WHERE residual < 0 OR month_end - due <= 0),
                   SUM(residual) FILTER (WHERE residual > 0 AND month_end - due > 0),
                   %(buckets)s
              FROM open
             GROUP BY %(sets)s
            """,
            ends=list(ends), last=max(ends), companies=companies.ids, segment=segment, user=user,
            buckets=SQL(", ").join(buckets),
            receivable_accounts=RECEIVABLE_ACCOUNTS,
            sets=self._grouping_sets(SQL("month_end"), SQL("company_id"), SQL("segment_id"), SQL("user_id")),
        )
        return self._fetch(query, ["receivable", "receivable_current", "overdue", *AGE_FIELDS.values()])

    def _sales_by_month(self, companies, date_from, date_to):
        segment, user = self._customer_sql()
        query = SQL("""
            SELECT date_trunc('month', l.date)::date AS month, l.company_id, %(segment)s AS segment_id,
                   %(user)s AS user_id, GROUPING(%(segment)s), GROUPING(%(user)s), SUM(l.balance)
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
              LEFT JOIN res_partner lp ON lp.id = l.partner_id
              LEFT JOIN res_partner p ON p.id = lp.commercial_partner_id
             WHERE l.account_id IN %(receivable_accounts)s AND l.parent_state = 'posted'
               AND m.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
               AND l.company_id = ANY(%(companies)s) AND l.date BETWEEN %(from)s AND %(to)s
             GROUP BY %(sets)s
            """,
            segment=segment, user=user, companies=companies.ids, to=date_to,
            receivable_accounts=RECEIVABLE_ACCOUNTS,
            sets=self._grouping_sets(SQL("date_trunc('month', l.date)::date"), SQL("l.company_id"), segment, user),
            **{"from": date_from},
        )
        return self._fetch(query, ["sales"])

    def _case_figures(self, companies, date_from, date_to):
        """Cases opened and closed per month, and the closed ones' outcome, from the shared analysis."""
        self.env["dunning.case.report"].flush_model()
        query = SQL("""
            WITH months AS (
                SELECT m::date AS month, (m + interval '1 month - 1 day')::date AS month_end
                  FROM generate_series(%(from)s::date, %(to)s::date, interval '1 month') m
            )
            SELECT m.month, r.company_id, r.segment_id, r.user_id, GROUPING(r.segment_id), GROUPING(r.user_id),
                   COUNT(*) FILTER (WHERE r.opened_on BETWEEN m.month AND m.month_end),
                   COUNT(*) FILTER (WHERE %(closed)s),
                   SUM(r.no_harsh_count) FILTER (WHERE %(closed)s),
                   SUM(r.amount_recovered) FILTER (WHERE %(closed)s),
                   SUM(r.satisfaction) FILTER (WHERE %(closed)s),
                   SUM(r.rated_count) FILTER (WHERE %(closed)s),
                   SUM(r.repurchase_count) FILTER (WHERE %(closed)s),
                   SUM(r.measured_count) FILTER (WHERE %(closed)s)
              FROM months m
              JOIN dunning_case_report r ON r.opened_on BETWEEN m.month AND m.month_end
                                         OR r.closed_on BETWEEN m.month AND m.month_end
             WHERE r.company_id = ANY(%(companies)s)
             GROUP BY %(sets)s
            """,
            companies=companies.ids, to=date_to, **{"from": date_from},
            closed=SQL("r.state = 'closed' AND r.closed_on BETWEEN m.month AND m.month_end"),
            receivable_accounts=RECEIVABLE_ACCOUNTS,
            sets=self._grouping_sets(SQL("m.month"), SQL("r.company_id"), SQL("r.segment_id"), SQL("r.user_id")),
        )
        return self._fetch(query, ["cases_opened", "cases_closed", "closed_no_harsh", "recovered",
                                   "rating_sum", "rated_count", "repurchase_count", "measured_count"])

    def _promise_figures(self, companies, date_from, date_to):
        """Promises whose date fell in the month (up to yesterday); kept when, by that date, the
        invoice had been paid the promised amount (or in full when no amount was promised)."""
        segment, user = self._customer_sql()
        query = SQL("""
            WITH promises AS (
                SELECT date_trunc('month', m.dunning_promise_date)::date AS month, m.company_id AS company_id,
                       %(segment)s AS segment_id, %(user)s AS user_id,
                       (SELECT COALESCE(SUM(pr.amount), 0) FROM account_move_line rl
                          JOIN account_partial_reconcile pr ON pr.debit_move_id = rl.id
                         WHERE rl.move_id = m.id AND rl.account_id IN %(receivable_accounts)s
                           AND pr.max_date <= m.dunning_promise_date)
                       >= COALESCE(NULLIF(m.dunning_promise_amount, 0), m.amount_total_signed) - 0.005 AS kept
                  FROM account_move m
                  JOIN account_move_line l ON l.move_id = m.id AND l.account_id IN %(receivable_accounts)s
                  LEFT JOIN res_partner lp ON lp.id = m.partner_id
                  LEFT JOIN res_partner p ON p.id = lp.commercial_partner_id
                 WHERE m.state = 'posted' AND m.company_id = ANY(%(companies)s)
                   AND m.dunning_promise_date BETWEEN %(from)s AND %(to)s
                   AND l.id = (SELECT MIN(x.id) FROM account_move_line x
                                WHERE x.move_id = m.id AND x.account_id IN %(receivable_accounts)s)
            )
            SELECT month, company_id, segment_id, user_id, GROUPING(segment_id), GROUPING(user_id),
                   COUNT(*), COUNT(*) FILTER (WHERE kept)
              FROM promises
             GROUP BY %(sets)s
            """,
            segment=segment, user=user, companies=companies.ids, to=date_to, **{"from": date_from},
            receivable_accounts=RECEIVABLE_ACCOUNTS,
            sets=self._grouping_sets(SQL("month"), SQL("company_id"), SQL("segment_id"), SQL("user_id")),
        )
        return self._fetch(query, ["promises_due", "promises_kept"])
