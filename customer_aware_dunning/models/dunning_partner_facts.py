from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Windows over which behaviour is measured (days).
REVENUE_WINDOW = 365
PUNCTUALITY_WINDOW = 730
# Where the facts statement keeps the transaction's jit setting while it runs without JIT (see _refresh).
JIT_SAVED = "customer_aware_dunning.jit_before_facts"
# What _engine_facts reads of a customer's facts.
FACT_FIELDS = ("computed_on", "lifetime_revenue", "revenue_12m", "customer_since", "invoices_due_24m",
               "on_time_ratio", "avg_days_late", "open_balance", "overdue_balance", "oldest_overdue_days",
               "open_credits", "net_overdue", "satisfaction_count", "last_satisfaction", "avg_satisfaction",
               "credit_limit", "credit_limit_use")


class DunningPartnerFacts(models.Model):
    """What we know about how a customer pays, per company.

    One row per commercial partner and company, computed for every customer at
    once by :meth:`_refresh` in one set-based statement (the daily run and the
    "Refresh" button call it).  These are the facts the policy's conditions
    read; ``_as_policy_facts`` hands them to the pure engine.

    Definitions (amounts in company currency):

    * revenue: posted customer invoices minus credit notes, untaxed;
    * on-time ratio / average days late: over customer invoices due in the last
      24 months (and already due).  An invoice is on time when fully settled on
      or before its due date; the settling date is the latest reconciliation.
      An invoice still open counts as late until today; exchange differences
      booked for foreign-currency invoices do not move the settling date;
    * open / overdue balance: residual of posted receivable lines (unallocated
      payments lower the open balance); overdue = positive residuals past due;
    * open credits: the negative residuals (open credit notes and payments not
      yet reconciled with an invoice: Odoo's outstanding credits), as a
      positive amount; net overdue: per currency, the overdue residual less the
      credits in that same currency (at least 0, compared in that currency),
      summed in company currency: a credit in euros never lowers what is
      overdue in dollars.
    """

    _name = "dunning.partner.facts"
    _description = "Customer Payment Facts"
    _rec_name = "partner_id"
    _order = "company_id, partner_id"

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    computed_on = fields.Date(readonly=True)
    lifetime_revenue = fields.Monetary(readonly=True)
    revenue_12m = fields.Monetary("Revenue (12 months)", readonly=True)
    customer_since = fields.Date(readonly=True)
    invoices_due_24m = fields.Integer("Invoices due (24 months)", readonly=True)
    on_time_ratio = fields.Float("Paid on time", readonly=True, help="Share of invoices settled by their due date.")
    avg_days_late = fields.Float("Average days late", digits=(16, 1), readonly=True)
    open_balance = fields.Monetary(readonly=True)
    overdue_balance = fields.Monetary(readonly=True)
    oldest_overdue_days = fields.Integer(readonly=True)
    open_credits = fields.Monetary(
        readonly=True, help="Open credit notes and payments not yet allocated to an invoice.")
    net_overdue = fields.Monetary(
        "Net overdue", readonly=True,
        help="The overdue balance less the open credits, currency by currency: a credit in one currency does not "
             "offset invoices in another.")
    satisfaction_count = fields.Integer(readonly=True)
    last_satisfaction = fields.Float(digits=(16, 1), readonly=True)
    avg_satisfaction = fields.Float("Average satisfaction", digits=(16, 1), readonly=True)
    credit_limit = fields.Monetary(readonly=True)
    credit_limit_use = fields.Float(readonly=True, help="Open balance divided by the credit limit.")

    _partner_company_uniq = models.UniqueIndex("(partner_id, company_id)")

    @api.model
    def _refresh(self, company, today, partners=None):
        """Recompute the facts of every customer of ``company`` (or of ``partners``) as of ``today``."""
        self.env.flush_all()
        scope = SQL("TRUE") if partners is None else SQL("partner_id = ANY(%s)", partners.commercial_partner_id.ids)
        self.env.cr.execute(SQL(
            # Without JIT: the planner's estimate of the upsert (joins of aggregates it cannot size) is far above
            # PostgreSQL's jit_*_above_cost, so with JIT on (its default) it compiled for seconds what runs in a
            # fraction of that (9.2 s of compiling for 0.8 s of work at 1,000 customers). The statements of one
            # execute run in order, each planned when its turn comes; the setting is the transaction's and is
            # put back as it was right after the upsert.
            # The facts of former customers go first, then every customer's are written.
            """SELECT set_config(%(saved)s, current_setting('jit'), true);
               SELECT set_config('jit', 'off', true);
               %(delete)s;
               %(upsert)s;
               SELECT set_config('jit', current_setting(%(saved)s), true)""",
            saved=JIT_SAVED, delete=self._facts_delete_query(company, scope),
            upsert=self._facts_upsert_query(company, today, scope),
        ))
        self.invalidate_model()

    def _facts_upsert_query(self, company, today, scope):
        columns = SQL(
            "partner_id, company_id, computed_on, lifetime_revenue, revenue_12m, customer_since, "
            "invoices_due_24m, on_time_ratio, avg_days_late, open_balance, overdue_balance, "
            "oldest_overdue_days, open_credits, net_overdue, satisfaction_count, last_satisfaction, avg_satisfaction, "
            "credit_limit, credit_limit_use, create_uid, create_date, write_uid, write_date"
        )
        updates = SQL(", ").join(
            SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
            for name in (
                "computed_on", "lifetime_revenue", "revenue_12m", "customer_since", "invoices_due_24m",
                "on_time_ratio", "avg_days_late", "open_balance", "overdue_balance", "oldest_overdue_days",
                "open_credits", "net_overdue",
                "satisfaction_count", "last_satisfaction", "avg_satisfaction", "credit_limit",
                "credit_limit_use", "write_uid", "write_date",
            )
        )
        return SQL(
            """
            WITH %(ctes)s
            INSERT INTO dunning_partner_facts (%(columns)s)
            SELECT customers.partner_id, %(company)s, %(today)s,
                   COALESCE(revenue.lifetime, 0), COALESCE(revenue.last_12m, 0), revenue.first_invoice,
                   COALESCE(punctuality.due_count, 0),
                   punctuality.on_time::float / NULLIF(punctuality.due_count, 0),
                   punctuality.avg_days_late,
                   COALESCE(balances.open_balance, 0), COALESCE(balances.overdue_balance, 0),
                   %(today)s - balances.oldest_overdue,
                   COALESCE(balances.open_credits, 0),
                   COALESCE(net.net_overdue, 0),
                   COALESCE(satisfaction.rated, 0), satisfaction.last_rating, satisfaction.avg_rating,
                   limits.credit_limit,
                   COALESCE(balances.open_balance, 0) / NULLIF(limits.credit_limit, 0),
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM customers
              LEFT JOIN revenue USING (partner_id)
              LEFT JOIN punctuality USING (partner_id)
              LEFT JOIN balances USING (partner_id)
              LEFT JOIN net USING (partner_id)
              LEFT JOIN satisfaction USING (partner_id)
              LEFT JOIN limits USING (partner_id)
             WHERE %(scope)s
            ON CONFLICT (partner_id, company_id) DO UPDATE SET %(updates)s
            """,
            ctes=self._facts_ctes(company, today),
            columns=columns,
            company=company.id,
            today=today,
            uid=self.env.uid,
            scope=scope,
            updates=updates,
        )

    def _facts_delete_query(self, company, scope):
        """The facts of customers that no longer are (no posted invoice or credit note, no open receivable in
        ``company``): the customers of :meth:`_facts_ctes`, asked per facts row with two indexed anti-joins.
        (An anti-join against the upsert's output was planned on its estimate, billions of rows for thousands,
        and hashed in half a million batches: seconds at 10,000 customers.)"""
        return SQL(
            """
            DELETE FROM dunning_partner_facts facts
             WHERE facts.company_id = %(company)s AND %(scope)s
               AND NOT EXISTS (
                   SELECT 1 FROM account_move move
                    WHERE move.commercial_partner_id = facts.partner_id AND move.company_id = %(company)s
                      AND move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund'))
               AND NOT EXISTS (
                   SELECT 1 FROM res_partner partner
                     JOIN account_move_line line ON line.partner_id = partner.id
                     JOIN account_account account ON account.id = line.account_id
                    WHERE partner.commercial_partner_id = facts.partner_id AND line.company_id = %(company)s
                      AND line.parent_state = 'posted' AND account.account_type = 'asset_receivable'
                      AND NOT line.reconciled)
            """,
            company=company.id,
            scope=scope,
        )

    def _facts_ctes(self, company, today):
        credit_fallback = self.env["res.partner"]._fields["credit_limit"].get_company_dependent_fallback(
            self.env["res.partner"].with_company(company)
        )
        return SQL(
            """
            receivable AS NOT MATERIALIZED (
                SELECT partner.commercial_partner_id AS partner_id, line.id, line.move_id,
                       line.amount_residual, line.date_maturity, line.reconciled,
                       line.currency_id, line.amount_residual_currency
                  FROM account_move_line line
                  JOIN account_account account ON account.id = line.account_id
                  JOIN res_partner partner ON partner.id = line.partner_id
                 WHERE line.company_id = %(company)s
                   AND line.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
            ),
            balances AS (
                SELECT partner_id,
                       SUM(amount_residual) AS open_balance,
                       SUM(amount_residual) FILTER (WHERE date_maturity < %(today)s AND amount_residual > 0)
                           AS overdue_balance,
                       MIN(date_maturity) FILTER (WHERE date_maturity < %(today)s AND amount_residual > 0)
                           AS oldest_overdue,
                       -SUM(amount_residual) FILTER (WHERE amount_residual < 0) AS open_credits
                  FROM receivable
                 WHERE NOT reconciled
                 GROUP BY partner_id
            ),
            per_currency AS (
                -- a credit only offsets what is overdue in its own currency, compared in that currency
                SELECT partner_id,
                       SUM(amount_residual) FILTER (WHERE date_maturity < %(today)s AND amount_residual_currency > 0)
                           AS overdue,
                       SUM(amount_residual_currency)
                           FILTER (WHERE date_maturity < %(today)s AND amount_residual_currency > 0)
                           AS overdue_currency,
                       -SUM(amount_residual_currency) FILTER (WHERE amount_residual_currency < 0) AS credits_currency
                  FROM receivable
                 WHERE NOT reconciled
                 GROUP BY partner_id, currency_id
            ),
            net AS (
                -- what stays overdue in each currency after its credits, in company currency at the invoices' rates
                SELECT partner_id,
                       SUM(overdue * GREATEST(overdue_currency - COALESCE(credits_currency, 0), 0) / overdue_currency)
                           AS net_overdue
                  FROM per_currency
                 WHERE overdue_currency > 0
                 GROUP BY partner_id
            ),
            invoices AS NOT MATERIALIZED (
                SELECT move.id, move.commercial_partner_id AS partner_id, move.move_type, move.invoice_date,
                       move.invoice_date_due, move.amount_untaxed_signed, move.payment_state
                  FROM account_move move
                 WHERE move.company_id = %(company)s
                   AND move.state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
            ),
            revenue AS (
                SELECT partner_id,
                       SUM(amount_untaxed_signed) AS lifetime,
                       SUM(amount_untaxed_signed) FILTER (WHERE invoice_date > %(revenue_since)s) AS last_12m,
                       MIN(invoice_date) FILTER (WHERE move_type = 'out_invoice') AS first_invoice
                  FROM invoices
                 GROUP BY partner_id
            ),
            settled AS (
                -- the day of the last payment or credit note; an exchange difference
                -- booked later (for a foreign currency) is not the customer's doing
                SELECT receivable.move_id, MAX(partial.max_date) AS settled_on
                  FROM receivable
                  JOIN account_partial_reconcile partial ON partial.debit_move_id = receivable.id
                  JOIN account_move_line counterpart ON counterpart.id = partial.credit_move_id
                 WHERE receivable.reconciled
                   AND NOT EXISTS (
                       SELECT 1 FROM account_partial_reconcile cause
                        WHERE cause.exchange_move_id = counterpart.move_id
                   )
                 GROUP BY receivable.move_id
            ),
            punctuality AS (
                SELECT invoices.partner_id,
                       COUNT(*) AS due_count,
                       COUNT(*) FILTER (WHERE settled.settled_on <= invoices.invoice_date_due) AS on_time,
                       AVG(GREATEST(COALESCE(settled.settled_on, %(today)s) - invoices.invoice_date_due, 0))
                           AS avg_days_late
                  FROM invoices
                  LEFT JOIN settled ON settled.move_id = invoices.id
                 WHERE invoices.move_type = 'out_invoice'
                   AND invoices.payment_state != 'reversed'
                   AND invoices.invoice_date_due >= %(punctuality_since)s
                   AND invoices.invoice_date_due < %(today)s
                 GROUP BY invoices.partner_id
            ),
            satisfaction AS (
                SELECT DISTINCT ON (dunning_case.partner_id) dunning_case.partner_id,
                       COUNT(*) OVER per_partner AS rated,
                       rating.rating AS last_rating,
                       AVG(rating.rating) OVER per_partner AS avg_rating
                  FROM rating_rating rating
                  JOIN dunning_case ON dunning_case.id = rating.res_id
                 WHERE rating.res_model = 'dunning.case'
                   AND rating.consumed
                   AND rating.rating > 0
                   AND dunning_case.company_id = %(company)s
                WINDOW per_partner AS (PARTITION BY dunning_case.partner_id)
                 ORDER BY dunning_case.partner_id, rating.write_date DESC, rating.id DESC
            ),
            customers AS (
                SELECT partner_id FROM invoices UNION SELECT partner_id FROM balances
            ),
            limits AS (
                SELECT customers.partner_id,
                       NULLIF(COALESCE((partner.credit_limit ->> %(company_key)s)::numeric, %(credit_fallback)s), 0)
                           AS credit_limit
                  FROM customers
                  JOIN res_partner partner ON partner.id = customers.partner_id
            )
            """,
            company=company.id,
            company_key=str(company.id),
            today=today,
            revenue_since=today - timedelta(days=REVENUE_WINDOW),
            punctuality_since=today - timedelta(days=PUNCTUALITY_WINDOW),
            credit_fallback=credit_fallback or 0,
        )

    @api.model
    def _policy_facts(self, company, partners=None):
        """``{commercial partner: facts}`` in the engine's vocabulary, for every customer with facts in ``company``.

        The SQL facts (``dunning.partner.facts``) and the partner's own ones
        (country, tags, salesperson, company or person) are read in one batch.
        """
        domain = [("company_id", "=", company.id)]
        if partners is not None:
            domain.append(("partner_id", "in", partners.commercial_partner_id.ids))
        # plain rows, not records: the ORM's reading of every customer's facts was a fifth of a steady day
        rows = self.sudo()._rows(domain)
        owners = self.env["res.partner"].sudo().browse([row["partner_id"] for row in rows])
        customers = owners.with_context(lang="en_US", prefetch_fields=False)
        # every field read below, in one query: a field left out is read customer by customer
        customers.fetch(["country_id", "category_id", "user_id", "is_company", "dunning_customer_type"])
        customers.category_id.fetch(["name"])
        customers.country_id.fetch(["code"])
        today = max((row["computed_on"] for row in rows if row["computed_on"]), default=None) \
            or fields.Date.context_today(self)
        promises = self.env["dunning.promise"].sudo()._policy_facts(company, owners, today)
        facts = {}
        for row in rows:
            partner = customers.browse(row["partner_id"])
            owner = owners.browse(row["partner_id"])
            facts[owner] = {
                **self._engine_facts(row),
                "credit_limit": row["credit_limit"] or None,
                "country_code": partner.country_id.code or None,
                "tags": partner.category_id.mapped("name"),
                "has_salesperson": bool(partner.user_id),
                "is_company": partner.is_company,
                "customer_type": partner.dunning_customer_type,
                **promises.get(owner, {"promises_kept_ratio": None, "broken_promises_12m": 0}),
            }
        # the run's day (a simulation's too), as the SQL facts were computed
        today = (rows[0]["computed_on"] if rows else False) or fields.Date.context_today(self)
        credit = self.env["dunning.credit.observation"]._policy_facts(company, owners, today)
        for partner, values in credit.items():
            facts[partner].update(values)
        return facts

    def _as_policy_facts(self):
        """The facts in the policy engine's vocabulary (``None`` where nothing is known yet)."""
        self.ensure_one()
        return self._engine_facts({name: self[name] for name in FACT_FIELDS})

    @api.model
    def _rows(self, domain):
        """``[{field: value}]`` of the facts matching ``domain`` (``partner_id`` an id), in the model's order, read
        in one statement; values as the records give them (``0`` for an empty number, ``False`` for an empty
        date): what the run reads of every customer twice a day, without the ORM's per-record cost."""
        query = self._search(domain)
        columns = ("partner_id", *FACT_FIELDS)
        numbers = {name for name in columns if self._fields[name].type in ("integer", "float", "monetary")}
        rows = self.env.execute_query(query.select(*(self._field_to_sql(self._table, name, query)
                                                     for name in columns)))
        return [{name: (0 if name in numbers else False) if value is None else value
                 for name, value in zip(columns, row, strict=True)} for row in rows]

    @api.model
    def _engine_facts(self, row):
        """The facts of ``row`` (``{field: value}`` of :data:`FACT_FIELDS`) in the policy engine's vocabulary (``None``
        where nothing is known yet)."""
        return {
            "lifetime_revenue": row["lifetime_revenue"],
            "revenue_12m": row["revenue_12m"],
            "customer_since_days": (row["computed_on"] - row["customer_since"]).days if row["customer_since"] else None,
            "on_time_ratio": row["on_time_ratio"] if row["invoices_due_24m"] else None,
            "avg_days_late": row["avg_days_late"] if row["invoices_due_24m"] else None,
            "open_balance": row["open_balance"],
            "overdue_balance": row["overdue_balance"],
            "oldest_overdue_days": row["oldest_overdue_days"] if row["overdue_balance"] > 0 else 0,
            "open_credits": row["open_credits"],
            "net_overdue": row["net_overdue"],
            "last_satisfaction": row["last_satisfaction"] if row["satisfaction_count"] else None,
            "avg_satisfaction": row["avg_satisfaction"] if row["satisfaction_count"] else None,
            "credit_limit_use": row["credit_limit_use"] if row["credit_limit"] else None,
        }
