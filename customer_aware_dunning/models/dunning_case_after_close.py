"""After a case closes: the satisfaction request and the repurchase measures."""

from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL

from ..policy.text import Text
from ..texts import SATISFACTION_ASKED

# Not a step template: no "mail_template_" prefix, so policies cannot name it.
SATISFACTION_TEMPLATE = "customer_aware_dunning.satisfaction_mail_template"
SATISFACTION_GRACE_DAYS = 7  # a case closed longer ago than the delay plus this is not asked any more


class DunningCase(models.Model):
    _inherit = "dunning.case"

    @api.model
    def _after_close(self, company, spec, today):
        """The daily run's last step: ask closed cases for a rating and measure the customers' purchases."""
        if spec is None:
            return
        self._send_satisfaction_requests(company, spec, today)
        self._measure_repurchases(company, spec, today)

    @api.model
    def _send_satisfaction_requests(self, company, spec, today):
        """Send the thank-you message with the rating links, once per case, for the outcomes the policy names.

        Cases closed ``ask_days_after_close`` days ago or more are asked, unless they
        closed more than :data:`SATISFACTION_GRACE_DAYS` days before that (a late
        question would puzzle the customer, and installing the module does not write
        to every customer of the past). Returns the cases asked.
        """
        settings = spec.satisfaction
        template = self.env.ref(SATISFACTION_TEMPLATE, raise_if_not_found=False)
        if not settings.enabled or not settings.ask_on_outcomes or not template:
            return self.browse()
        last = today - timedelta(days=settings.ask_days_after_close)
        cases = self.search([
            ("company_id", "=", company.id),
            ("state", "=", "closed"),
            ("satisfaction_requested_on", "=", False),
            ("outcome", "in", list(settings.ask_on_outcomes)),
            ("settled_on", "<=", last),  # a payment plan waits for its last payment
            ("settled_on", ">=", last - timedelta(days=SATISFACTION_GRACE_DAYS)),
            ("partner_id.email", "!=", False),
        ])
        if not cases:
            return cases
        cases.write({"satisfaction_requested_on": today})
        for case in cases:
            case.rating_send_request(template, lang=case.partner_id.lang, force_send=False)
        cases._log_events("satisfaction_requested", dict.fromkeys(cases.ids, Text(SATISFACTION_ASKED)))
        return cases

    @api.model
    def _measure_repurchases(self, company, spec, today):
        """Measure, in one statement, what every closed case's customer bought before and after the case.

        After: invoiced (posted invoices minus credit notes, untaxed, company
        currency) and ordered (confirmed sales orders, untaxed, company currency) in
        the ``repurchase_window_days`` after closing; before: the same in a window of
        the same length before opening. A case whose window ended before its last
        measure is final and left alone. ``customer_lost``: the window is over and
        the customer bought nothing in it.
        """
        window = spec.satisfaction.repurchase_window_days
        self.flush_model()
        self.env["account.move"].flush_model(["commercial_partner_id", "company_id", "state", "move_type",
                                              "invoice_date", "amount_untaxed_signed"])
        self.env["sale.order"].flush_model(["partner_id", "company_id", "state", "date_order", "amount_untaxed",
                                            "currency_rate"])
        self.env.cr.execute(SQL(
            """
            WITH target AS (
                SELECT id, partner_id, opened_on - %(window)s AS before_from, opened_on - 1 AS before_to,
                       closed_on + 1 AS after_from, closed_on + %(window)s AS after_to
                  FROM dunning_case
                 WHERE company_id = %(company)s AND state = 'closed' AND closed_on IS NOT NULL
                   AND (repurchase_measured_on IS NULL OR repurchase_measured_on <= closed_on + %(window)s)
            ),
            invoiced AS (
                SELECT target.id,
                       SUM(move.amount_untaxed_signed) FILTER (WHERE move.invoice_date >= target.after_from)
                           AS after_amount,
                       SUM(move.amount_untaxed_signed) FILTER (WHERE move.invoice_date <= target.before_to)
                           AS before_amount
                  FROM target
                  JOIN account_move move
                    ON move.commercial_partner_id = target.partner_id
                   AND move.company_id = %(company)s
                   AND move.state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND (move.invoice_date BETWEEN target.after_from AND target.after_to
                        OR move.invoice_date BETWEEN target.before_from AND target.before_to)
                 GROUP BY target.id
            ),
            ordered AS (
                SELECT target.id,
                       SUM(sale.amount_untaxed / COALESCE(NULLIF(sale.currency_rate, 0), 1))
                           FILTER (WHERE sale.date_order::date >= target.after_from) AS after_amount,
                       SUM(sale.amount_untaxed / COALESCE(NULLIF(sale.currency_rate, 0), 1))
                           FILTER (WHERE sale.date_order::date <= target.before_to) AS before_amount
                  FROM target
                  JOIN res_partner buyer ON buyer.commercial_partner_id = target.partner_id
                  JOIN sale_order sale
                    ON sale.partner_id = buyer.id
                   AND sale.company_id = %(company)s
                   AND sale.state = 'sale'
                   AND (sale.date_order::date BETWEEN target.after_from AND target.after_to
                        OR sale.date_order::date BETWEEN target.before_from AND target.before_to)
                 GROUP BY target.id
            )
            UPDATE dunning_case
               SET repurchase_invoiced = COALESCE(invoiced.after_amount, 0),
                   before_invoiced = COALESCE(invoiced.before_amount, 0),
                   repurchase_ordered = COALESCE(ordered.after_amount, 0),
                   before_ordered = COALESCE(ordered.before_amount, 0),
                   repurchase_measured_on = %(today)s,
                   customer_lost = target.after_to < %(today)s
                                   AND COALESCE(invoiced.after_amount, 0) <= 0
                                   AND COALESCE(ordered.after_amount, 0) <= 0
              FROM target
              LEFT JOIN invoiced ON invoiced.id = target.id
              LEFT JOIN ordered ON ordered.id = target.id
             WHERE dunning_case.id = target.id
            RETURNING dunning_case.id
            """,
            window=window, company=company.id, today=today,
        ))
        measured = self.browse(row[0] for row in self.env.cr.fetchall())
        measured.invalidate_recordset([
            "repurchase_invoiced", "before_invoiced", "repurchase_ordered", "before_ordered",
            "repurchase_measured_on", "customer_lost",
        ])
        return measured
